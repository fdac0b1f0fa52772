//! Spam is hostile input: random bytes and mutated real headers thrown at the loader,
//! the parser and the analysis must never panic.

#![allow(clippy::unwrap_used, clippy::many_single_char_names, clippy::too_many_lines)] // test code: a panic is the failure report

use proptest::prelude::*;
use relaytrace::message::Reader;
use relaytrace::received;
use relaytrace::trace::{Options, analyse};

const REAL: &[&str] = &[
    "from rubel.csumb.edu (rubel.csumb.edu [198.189.237.214]) (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)) by sf1.isc.org (Postfix) with ESMTP id 23587284EE for <bind-users@isc.org>; Sat, 16 Oct 2004 23:32:19 +0000 (UTC) (envelope-from snort@csumb.edu)",
    "from dsl092-076-133.bos1.dsl.speakeasy.net ([66.92.76.133] helo=pendaran.arborius.net) by sc8-sf-mx1.sourceforge.net with esmtp (Exim 4.41) id 1CIlfc-0003Pa-8W",
    "from unknown (HELO [81.64.159.45]) ([81.64.159.45]) (envelope-sender <xyz@example.org>) by 212.198.2.120 (qmail-ldap-1.03) with SMTP for <zyx@somewhere.net>; 28 Nov 2003 20:44:45 -0000",
    "(qmail 87263 messnum 771997 invoked from network[83.70.48.2/83-70-48-2.bas2.dbn.dublin.eircom.net]); 8 Mar 2004 23:59:05 -0000",
    "from rc3.isc.org (rc3.isc.org [IPv6:2001:4f8:3:bb::25]) by sf1.isc.org (Postfix) with ESMTP id C986F284EE",
    "from [128.114.2.223] (account user@example.edu HELO [10.10.10.10]) by silver.ucsc.edu (CommuniGate Pro SMTP 4.3.7) with ESMTPSA id 88402416",
];

fn mutate(base: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut b = base.as_bytes().to_vec();
    for &(pos, byte) in edits {
        let i = pos % (b.len() + 1);
        match byte % 3 {
            0 if i < b.len() => b[i] = byte,
            1 => b.insert(i, byte),
            _ if i < b.len() => {
                b.remove(i);
            }
            _ => {}
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let r = received::parse(&bytes);
        let _ = (r.parsed(), r.date.map(|d| d.to_string()));
    }

    #[test]
    fn parser_survives_mutated_real_lines(which in 0..REAL.len(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12)) {
        let line = mutate(REAL[which], &edits);
        let r = received::parse(&line);
        if let Some(ip) = r.from_ip {
            prop_assert!(!ip.to_string().is_empty());
        }
    }

    #[test]
    fn loader_and_analysis_survive_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        for m in Reader::new(&bytes[..]).take(50) {
            let m = m.unwrap();
            let t = analyse(&m, &Options::default());
            prop_assert!(t.relay.is_none_or(|r| r < t.hops.len()));
            prop_assert!(t.input_point.is_none_or(|p| p < t.hops.len()));
        }
    }

    #[test]
    fn analysis_survives_mutated_chains(lines in proptest::collection::vec((0..REAL.len(), proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6)), 1..8)) {
        let mut text = b"From x@y Thu Jan  1 00:00:00 1970\n".to_vec();
        for (which, edits) in &lines {
            text.extend_from_slice(b"Received: ");
            text.extend(mutate(REAL[*which], edits));
            text.push(b'\n');
        }
        text.extend_from_slice(b"\nbody\n");
        for m in Reader::new(&text[..]) {
            let t = analyse(&m.unwrap(), &Options::default());
            if let (Some(r), Some(p)) = (t.relay, t.input_point) {
                prop_assert!(p >= r);
            }
        }
    }
}

/// What the entry reads from the header for a provider (the submitting account,
/// its customer fields, its own abuse desk) comes from the spam: any bytes in those
/// fields end in bounded values without a control character, and a desk only in
/// the provider's own domain.
mod provider_fields {
    use super::mutate;
    use proptest::prelude::*;
    use relaytrace::message::Reader;
    use relaytrace::trace::{Options, analyse};

    const MESSAGES: &[&str] = &[
        "Received: from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\n\
         Received: from laptop (host.isp.net [200.161.145.77])\n\t(Authenticated sender: jdoe@provider.net)\n\tby smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\n\
         X-Authenticated-Sender: server.provider.net: jdoe@provider.net\n\
         X-Get-Message-Sender-Via: server.provider.net: authenticated_id: jdoe@provider.net/only user confirmed\n\
         Subject: x\n\nbody\n",
        "Received: from tempus.getresponse.com (tempus.getresponse.com [66.199.228.10]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\n\
         X-Complaints-To: abuse@GetResponse.com\nX-Responder-ID: 246060\nFeedback-ID: 1:2:3\n\
         X-Mailer: http://GetResponse.com v. 4.0\nSubject: x\n\nbody\n",
        "Received: from out.univ.edu (out.univ.edu [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\n\
         Received: from [127.0.0.1] by webmail.univ.edu (Horde) with HTTP; Mon, 1 Mar 2004 10:00:00 +0000\n\
         X-Originating-IP: [200.161.145.5]\nSubject: x\n\nbody\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn provider_fields_stay_bounded_and_clean(which in 0..MESSAGES.len(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..24)) {
            let bytes = mutate(MESSAGES[which], &edits);
            for m in Reader::new(&bytes[..]).take(5) {
                let t = analyse(&m.unwrap(), &Options::default());
                let e = &t.entry;
                let clean = |s: &str| !s.chars().any(char::is_control);
                if let Some(a) = &e.account {
                    prop_assert!(a.chars().count() <= 200 && clean(a), "{a:?}");
                }
                prop_assert!(e.ids.len() <= 6);
                for i in &e.ids {
                    prop_assert!(i.chars().count() <= 150 && clean(i), "{i:?}");
                }
                if let Some(d) = &e.provider_desk {
                    prop_assert!(clean(d) && d.ends_with("getresponse.com"), "{d:?}");
                }
                if let Some(c) = e.client_hop {
                    prop_assert!(c < t.hops.len() && e.hop.is_some_and(|h| h < c));
                    prop_assert_eq!(t.hops[c].from_ip, e.client);
                }
            }
        }
    }
}

/// Registry answers are hostile too: the whois and RDAP readers survive any bytes
/// and mutations of real answers, and never return a placeholder or an unsafe string.
mod registry_answers {
    use super::mutate;
    use proptest::prelude::*;
    use relaytrace::lookup::contact::is_placeholder;
    use relaytrace::lookup::rdap::parse as rdap;
    use relaytrace::lookup::whois::{decode, parse};

    const WHOIS: &[&str] = &[
        "NetRange: 174.79.32.0 - 174.79.63.255\nNetName: X\nCustomer: Cox (C1)\n\nOrgAbuseEmail: abuse@cox.net\nReferralServer: rwhois://rwhois.example.net:4321\n",
        "% Abuse contact for '62.239.237.0 - 62.239.237.255' is 'protect@bt.com'\n\ninetnum: 62.239.237.0 - 62.239.237.255\nabuse-c: AB1\nremarks: spam to x@y.example\n\nrole: R\nnic-hdl: AB1\ne-mail: abuse@bt.com\nsource: RIPE # Filtered\n",
        "network:IP-Network:104.168.144.18/32\nnetwork:Abuse-Contact;I:ABUSE1-ARIN\nnetwork:Updated-By:abuse@interserver.net\n%referral rwhois://root.rwhois.net:4321/auth-area=.\n%ok\n",
        "Cox Communications NETBLK-PH (NET-174-79-32-0-1) 174.79.32.0 - 174.79.63.255\n",
        "   Netname: HINET-NET\n   Netblock: 114.45.0.0/16\n\n   Administrator contact:\n      network-adm@hinet.net\n",
    ];

    fn check(p: &parse::Parsed) {
        let (owner, isp) = parse::ranked_contacts(p, None);
        for f in owner.iter().chain(&isp) {
            assert!(!is_placeholder(&f.email));
            assert!(
                !f.email.chars().any(char::is_control)
                    && !f.basis.chars().any(|c| c.is_control() && c != '\n')
            );
        }
        for n in &p.networks {
            assert!(!n.range.chars().any(char::is_control));
            assert!(n.org.as_deref().is_none_or(|o| !o.chars().any(char::is_control)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn whois_reader_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
            check(&parse::parse(&decode(&bytes, "whois.nic.ad.jp")));
            check(&parse::parse(&String::from_utf8_lossy(&bytes)));
        }

        #[test]
        fn whois_reader_survives_mutated_answers(which in 0..WHOIS.len(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..24)) {
            let b = mutate(WHOIS[which], &edits);
            check(&parse::parse(&String::from_utf8_lossy(&b)));
        }

        #[test]
        fn rdap_reader_survives_any_json(v in json_value()) {
            let o = rdap::object(&v);
            for f in &o.contacts {
                assert!(!is_placeholder(&f.email));
            }
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "[a-z@. \\x00-\\x1f]{0,20}".prop_map(serde_json::Value::String),
            prop_oneof![
                Just("email"),
                Just("abuse"),
                Just("fn"),
                Just("vcard"),
                Just("text")
            ]
            .prop_map(|s| serde_json::json!(s)),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("entities"),
                            Just("roles"),
                            Just("vcardArray"),
                            Just("remarks"),
                            Just("links"),
                            Just("description"),
                            Just("handle")
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| serde_json::Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }
}

/// Seeded from `../shared`: the real corpus spam and the captured registry answers,
/// mutated, through the loader and analysis, the whois reader, and the owner/ISP
/// judgement; nothing panics, nothing unsafe or cross-side comes out.
mod seeded_from_shared {
    use super::mutate_bytes;
    use proptest::prelude::*;
    use relaytrace::lookup::attribute::{Evidence, answer_of, attribute};
    use relaytrace::lookup::contact::is_placeholder;
    use relaytrace::lookup::whois::{decode, parse};
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    fn files(dir: &Path, ext: &str) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p: PathBuf = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == ext) {
                    out.push(std::fs::read(&p).unwrap());
                }
            }
        }
        out.sort();
        out
    }

    fn shared() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
    }

    fn corpus() -> &'static [Vec<u8>] {
        static C: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        C.get_or_init(|| files(&shared().join("corpus/spam"), "eml"))
    }

    fn whois() -> &'static [Vec<u8>] {
        static W: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        W.get_or_init(|| files(&shared().join("peer/whois/ip-whois"), "txt"))
    }

    fn rdap() -> &'static [Vec<u8>] {
        static R: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        R.get_or_init(|| files(&shared().join("peer/whois/rdap/ip"), "json"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        #[cfg_attr(no_shared, ignore = "needs ../shared")]
        fn corpus_messages_mutated_survive_the_analysis(which in any::<usize>(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40)) {
            let c = corpus();
            let bytes = mutate_bytes(&c[which % c.len()], &edits);
            for m in relaytrace::message::Reader::new(&bytes[..]).flatten() {
                let t = relaytrace::trace::analyse(&m, &relaytrace::trace::Options::default());
                assert!(t.entry.hop.is_none_or(|h| h < t.hops.len()));
            }
        }

        #[test]
        #[cfg_attr(no_shared, ignore = "needs ../shared")]
        fn captured_answers_mutated_survive_the_reader_and_the_judgement(
            w in any::<usize>(),
            r in any::<usize>(),
            wedits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
            redits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
        ) {
            let (ws, rs) = (whois(), rdap());
            let wtext = decode(&mutate_bytes(&ws[w % ws.len()], &wedits), "");
            let p = parse::parse(&wtext);
            for n in &p.networks {
                assert!(!n.range.chars().any(char::is_control));
            }
            let mut e = Evidence::new("192.0.2.1".parse().unwrap());
            // The address of the first network, so that the answer is about it.
            if let Some(first) = p.networks.iter().find_map(|n| n.first) {
                e = Evidence::new(first);
            }
            e.whois = Some(vec![answer_of("whois", "fuzz", "q", &wtext)]);
            let rtext = String::from_utf8_lossy(&mutate_bytes(&rs[r % rs.len()], &redits)).into_owned();
            e.rdap = Some(vec![answer_of("rdap", "fuzz", "ip/x", &rtext)]);
            let a = attribute(&e);
            for (side, list) in [("owner", &a.owner_contacts), ("isp", &a.isp_contacts)] {
                assert!(list.iter().filter(|c| c.preselect).count() <= 1, "{side}: two pre-selected");
                for c in list {
                    assert!(!is_placeholder(&c.email) && !c.email.chars().any(char::is_control), "{side}: {}", c.email);
                }
            }
            for c in &a.isp_contacts {
                assert!(!a.owner_contacts.iter().any(|o| o.email == c.email), "on both sides: {}", c.email);
            }
        }
    }
}

/// Random byte edits of a seed: (position, byte) pairs.
fn mutate_bytes(base: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(pos, byte) in edits {
        if b.is_empty() {
            b.push(byte);
        } else {
            let i = pos % b.len();
            b[i] = byte;
        }
    }
    b
}

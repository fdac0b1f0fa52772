//! Spam is hostile input: random bytes and mutated real headers thrown at the loader,
//! the parser and the analysis must never panic.

#![allow(clippy::unwrap_used, clippy::many_single_char_names)] // test code: a panic is the failure report

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

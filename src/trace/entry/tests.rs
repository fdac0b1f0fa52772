//! The entry rules on the corpus labels (`../shared/corpus/entry-classes.tsv`, read
//! by hand) and on small crafted messages.

use super::providers::{MAX_IDS, tables};
use super::*;
use crate::message::Reader;
use crate::trace::{Options, Site, analyse};

pub(super) fn trace_of(bytes: &[u8], site: &[&str]) -> crate::trace::Trace {
    let m = Reader::new(bytes).next().unwrap().unwrap();
    let mut s = Site::default();
    for d in site {
        s.add(d).unwrap();
    }
    analyse(
        &m,
        &Options {
            site: s,
            no_auto_site: false,
            authserv_ids: Vec::new(),
        },
    )
}

#[test]
fn the_provider_tables_read() {
    let t = tables();
    assert!(t.freemail.len() >= 10 && t.esp.len() >= 10 && !t.org.is_empty());
    assert_eq!(
        org_of("AS8PR03MB7269.eurprd03.prod.outlook.com").as_deref(),
        Some("Microsoft")
    );
    assert_eq!(org_of("amout09.alpha-mail.net"), org_of("sauth12.alpha-mail.jp"));
    assert!(webmail_host("webmail21.syd.optusnet.com.au"));
    assert!(!webmail_host("mail.example.org"));
    // `Context::from_header` looks at a field for a provider's or notifier's only
    // when its name begins `X-` or `F`: every such field in the tables must.
    let fields = t
        .ids
        .generic
        .iter()
        .chain(t.esp.iter().flat_map(|e| e.ids.iter().chain(&e.fingerprints)))
        .chain(t.notifier.iter().map(|n| &n.poster));
    for f in fields {
        let l = f.to_ascii_lowercase();
        assert!(l.starts_with("x-") || l.starts_with('f'), "{f}");
    }
}

/// Every corpus label of high or medium confidence: the class and the entry IP.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn corpus_labels() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let tsv = std::fs::read_to_string(dir.join("entry-classes.tsv")).unwrap();
    let oracle = std::fs::read_to_string(dir.join("spamassassin-oracle.json")).unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&oracle).unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, class, ip, _host, _party, confidence, ..] = cols[..] else {
            continue;
        };
        if confidence == "low" {
            continue;
        }
        n += 1;
        let site: Vec<String> = oracle["messages"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.ends_with(name))
            .and_then(|(_, m)| m["trust"]["site_domains"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        let bytes = std::fs::read(dir.join("spam").join(name)).unwrap();
        let t = trace_of(&bytes, &site);
        let got_ip = t.entry.ip.map(|i| i.to_string()).unwrap_or_default();
        if t.entry.class.name() != class || (ip != "-" && got_ip != ip) {
            wrong.push(format!(
                "{name}: got {} {got_ip}, want {class} {ip}",
                t.entry.class.name()
            ));
        }
    }
    assert!(n >= 30, "{n} labels");
    assert!(
        wrong.is_empty(),
        "{} of {n} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

const OPEN_RELAY: &str = "Received: from relay.example.net (relay.example.net [80.80.80.10])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from bogus.example (dsl-81-81-81-4.dyn.isp.example [81.81.81.4])\n\tby relay.example.net with SMTP id R1; Mon, 2 Nov 2026 10:00:01 +0000\n\
Subject: x\n\n";

#[test]
fn crafted_open_relay() {
    let t = trace_of(OPEN_RELAY.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::OpenRelay, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "80.80.80.10");
    assert_eq!(t.input_point, t.entry.hop);
}

#[test]
fn crafted_authenticated_submission_is_an_account_not_a_relay() {
    let m = OPEN_RELAY.replace("with SMTP id R1", "with ESMTPSA id R1");
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::CompromisedAccount, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "80.80.80.10");
    assert_eq!(t.entry.client.unwrap().to_string(), "81.81.81.4");
}

#[test]
fn crafted_direct_sends() {
    let dsl = "Received: from pc1 (dsl-81-81-81-4.dyn.isp.example [81.81.81.4])\n\tby mx.site.test with SMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\nSubject: x\n\n";
    let t = trace_of(dsl.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::BotnetDirect);
    let named = "Received: from mail.shop.example (mail.shop.example [82.82.82.9])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\nSubject: x\n\n";
    let t = trace_of(named.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::SpammerHost);
    let esp = "Received: from o1.ptr.sendgrid.net (o1.ptr.sendgrid.net [83.83.83.7])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\nSubject: x\n\n";
    let t = trace_of(esp.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::Esp);
    assert_eq!(t.entry.provider.as_deref(), Some("SendGrid"));
}

#[test]
fn no_external_hop_is_unknown_with_no_entry() {
    let t = trace_of(b"Subject: x\n\nbody", &[]);
    assert_eq!(t.entry.class, Class::Unknown);
    assert_eq!(t.entry.hop, None);
    assert_eq!(t.input_point, None);
}

/// A list server took the post from a DSL machine: the list is passed, the machine
/// is the entry, and the evidence names the list.
#[test]
fn crafted_list_is_a_hop_of_passage() {
    let m = "Received: from lists.example.org (lists.example.org [80.80.80.20])\n\tby mx.site.test with ESMTP id A1 for <me@site.test>; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from pc7 (dsl-81-81-81-7.dyn.isp.example [81.81.81.7])\n\tby lists.example.org with SMTP id L1 for <talk@lists.example.org>; Mon, 2 Nov 2026 10:00:01 +0000\n\
List-Id: Talk <talk.lists.example.org>\nSender: talk-bounces@lists.example.org\nSubject: x\n\n";
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::BotnetDirect, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "81.81.81.7");
    assert!(
        t.entry.evidence.iter().any(|e| e.contains("list")),
        "{:?}",
        t.entry.evidence
    );
}

/// A university's webmail: `with HTTP` below its outbound host.
#[test]
fn crafted_webmail() {
    let m = "Received: from out.univ.example (out.univ.example [80.80.80.30])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from webmail.univ.example (webmail.univ.example [10.0.0.2])\n\tby out.univ.example with ESMTP id B1; Mon, 2 Nov 2026 10:00:04 +0000\n\
Received: from [81.81.81.9] ([81.81.81.9]) by webmail.univ.example (Horde) with HTTP; Mon, 2 Nov 2026 10:00:00 +0000\n\
Subject: x\n\n";
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::Webmail, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "80.80.80.30");
    assert_eq!(t.entry.client.unwrap().to_string(), "81.81.81.9");
}

/// Gmail's outbound host with a gmail.com sender is free mail; the same host with an
/// organisation's own domain (Google Workspace) is not.
#[test]
fn crafted_freemail_and_workspace() {
    let gmail = "Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])\n\tby mx.site.test with ESMTPS id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: by 2002:a05:6a00:1:b0:1:2:3 with SMTP id x1; Mon, 2 Nov 2026 10:00:04 -0800\n\
DKIM-Signature: v=1; a=rsa-sha256; d=gmail.com; s=20230601; h=from; bh=x; b=y\nFrom: A <a@gmail.com>\nSubject: x\n\n";
    let t = trace_of(gmail.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::Freemail, "{:?}", t.entry);
    assert_eq!(t.entry.provider.as_deref(), Some("Gmail"));
    let workspace = gmail
        .replace("d=gmail.com", "d=shop.example")
        .replace("a@gmail.com", "a@shop.example");
    let t = trace_of(workspace.as_bytes(), &["site.test"]);
    assert_ne!(t.entry.class, Class::Freemail, "{:?}", t.entry);
}

/// A company's gateway forwarding a PC on its own LAN is the sender's own host; a
/// server that got the message over loopback from a program naming another domain
/// is hijacked.
#[test]
fn crafted_gateway_and_loopback_injection() {
    let lan = "Received: from mail2.shop.example ([80.80.80.40])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from PC-1234 ([192.168.0.18])\n\tby mail2.shop.example (8.9.3) with SMTP id B1; Mon, 2 Nov 2026 10:00:01 +0000\nSubject: x\n\n";
    let t = trace_of(lan.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::SpammerHost, "{:?}", t.entry);
    let hijacked = "Received: from mail.victim-firm.de (mail.victim-firm.de [80.80.80.50])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from mail1.other-firm.de [127.0.0.1]\n\tby mail.victim-firm.de with ESMTP (SMTPD32-6.06) id B1; Mon, 2 Nov 2026 10:00:01 +0000\nSubject: x\n\n";
    let t = trace_of(hijacked.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::BotnetDirect, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "80.80.80.50");
}

/// An ISP smarthost carried the mail of its customer's server, which relayed for an
/// outside dial-up machine: the entry is the customer's server, not the smarthost.
#[test]
fn crafted_smarthost_above_an_open_relay() {
    let m = "Received: from smtp.isp.example (smtp.isp.example [80.80.80.60])\n\tby mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: from mail.customer.example (cust-81-81-81-70.dyn.isp.example [81.81.81.70])\n\tby smtp.isp.example with ESMTP id B1; Mon, 2 Nov 2026 10:00:03 +0000\n\
Received: from bogus.example (dial-82-82-82-5.pool.other.example [82.82.82.5])\n\tby mail.customer.example with SMTP id C1; Mon, 2 Nov 2026 10:00:01 +0000\nSubject: x\n\n";
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::OpenRelay, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "81.81.81.70");
}

/// The submitting account, read only where a server wrote it: the host's own
/// Received lines, its authentication fields; never From, and never a redaction
/// or a bracketed address.
#[test]
fn the_submitting_account_is_what_a_server_recorded() {
    let top = "Received: from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n";
    let account = |below: &str, fields: &str| {
        let raw = format!("{top}{below}{fields}From: boss@bank.example\r\nSubject: x\r\n\r\nbody\r\n");
        let t = trace_of(raw.as_bytes(), &[]);
        (t.entry.class, t.entry.account)
    };
    let postfix = "Received: from laptop (host.isp.net [200.161.145.77])\r\n\t(Authenticated sender: jdoe@provider.net)\r\n\tby smtp.provider.net (Postfix) with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n";
    assert_eq!(
        account(postfix, ""),
        (
            Class::CompromisedAccount,
            Some("jdoe@provider.net (Authenticated sender, hop 1)".into())
        )
    );
    // Through the host's internal hop, down to the line that records the client.
    let internal = "Received: from webmail.provider.net (webmail.provider.net [10.0.0.7])\r\n\t(Authenticated sender: p22305147)\r\n\tby smtp.provider.net (Postfix) with ESMTPSA id C; Mon, 1 Mar 2004 10:00:01 +0000\r\n";
    assert_eq!(
        account(internal, "").1.as_deref(),
        Some("p22305147 (Authenticated sender, hop 1)")
    );
    let qmail = "Received: from unknown (HELO ljhw) (zyb@sgis.example@[200.161.145.77]) by smtp.provider.net with SMTP; Mon, 1 Mar 2004 10:00:00 +0000\r\n";
    assert_eq!(
        account(qmail, "").1.as_deref(),
        Some("zyb@sgis.example (the login the server recorded, hop 1)")
    );
    let esmtpa = "Received: from laptop (host.isp.net [200.161.145.77]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n";
    assert_eq!(
        account(
            esmtpa,
            "X-Authenticated-Sender: server.provider.net: quazi@provider.net\r\n"
        )
        .1
        .as_deref(),
        Some("quazi@provider.net (X-Authenticated-Sender)")
    );
    assert_eq!(
        account(
            esmtpa,
            "X-Get-Message-Sender-Via: server.provider.net: authenticated_id: quazi@provider.net/only user confirmed/virtual account not confirmed\r\n"
        )
        .1
        .as_deref(),
        Some("quazi@provider.net (X-Get-Message-Sender-Via)")
    );
    // No account recorded: nothing, not the From address; a redaction is no account.
    assert_eq!(account(esmtpa, ""), (Class::CompromisedAccount, None));
    let redacted = postfix.replace("jdoe@provider.net", "[removed]");
    assert_eq!(account(&redacted, "").1, None);
    // An open relay's sender has no account.
    let relay = "Received: from x (dsl-1.isp.net [200.161.145.9]) by smtp.provider.net with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n";
    assert_eq!(account(relay, ""), (Class::OpenRelay, None));
}

/// An ESP's complaint quotes the fields in which that ESP (or any provider) names
/// the customer and campaign, not another ESP's.
#[test]
fn an_esps_customer_and_campaign_fields_are_kept() {
    let raw = "Received: from o1.sendgrid.net (o1.sendgrid.net [167.89.0.1]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
               X-SG-EID: abc123\r\nX-Responder-ID: 999\r\nFeedback-ID: 123:456:sendgrid\r\nX-Mailgun-Sid: other\r\n\
               From: x@shop.example\r\nSubject: x\r\n\r\nbody\r\n";
    let t = trace_of(raw.as_bytes(), &[]);
    assert_eq!(t.entry.class, Class::Esp, "{:?}", t.entry);
    assert_eq!(t.entry.provider.as_deref(), Some("SendGrid"));
    assert_eq!(t.entry.ids, ["X-SG-EID: abc123", "Feedback-ID: 123:456:sendgrid"]);
    // Hostile values are cleaned and cut; the list is bounded.
    let many = format!(
        "Received: from o1.sendgrid.net (o1.sendgrid.net [167.89.0.1]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n{}Subject: x\r\n\r\nbody\r\n",
        "X-SG-EID: \x1b[31m{}\r\n"
            .replace("{}", &"x".repeat(500))
            .repeat(50)
    );
    let t = trace_of(many.as_bytes(), &[]);
    assert_eq!(t.entry.ids.len(), MAX_IDS);
    assert!(
        t.entry
            .ids
            .iter()
            .all(|i| i.chars().count() <= 150 && !i.contains('\x1b'))
    );
    // Another class quotes none.
    let relay = "Received: from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
                 Received: from x (dsl-1.isp.net [200.161.145.9]) by relay.victim.com with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n\
                 Feedback-ID: 1:2:3\r\nSubject: x\r\n\r\nbody\r\n";
    let t = trace_of(relay.as_bytes(), &[]);
    assert_eq!(t.entry.class, Class::OpenRelay);
    assert!(t.entry.ids.is_empty());
}

/// The desk a provider names in `X-Complaints-To` is taken only in one of its own
/// domains: a spammer's field naming another address is ignored.
#[test]
fn a_providers_desk_only_in_its_own_domain() {
    let msg = |field: &str| {
        format!(
            "Received: from tempus.getresponse.com (tempus.getresponse.com [66.199.228.10]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
             {field}X-Mailer: http://GetResponse.com v. 4.0\r\nSubject: x\r\n\r\nbody\r\n"
        )
    };
    let t = trace_of(msg("X-Complaints-To: abuse@GetResponse.com\r\n").as_bytes(), &[]);
    assert_eq!(t.entry.class, Class::Esp, "{:?}", t.entry);
    assert_eq!(t.entry.provider_desk.as_deref(), Some("abuse@getresponse.com"));
    let t = trace_of(msg("X-Complaints-To: rival@victim.example\r\n").as_bytes(), &[]);
    assert_eq!(t.entry.provider_desk, None);
    assert_eq!(t.entry.ids, ["X-Complaints-To: rival@victim.example"]);
}

/// The lines of a header, unfolded, as `Received:` fields above a blank body.
fn received(lines: &[&str]) -> Vec<u8> {
    let mut m = String::new();
    for l in lines {
        m.push_str("Received: ");
        m.push_str(l);
        m.push('\n');
    }
    m.push_str("Subject: x\n\nbody\n");
    m.into_bytes()
}

const SITE_LINE: &str = "from mail1.domain.com (mail1.domain.com [10.23.1.4]) by spanky.domain.com (Postfix) with ESMTP id 6B4A5539307; Sun, 28 Nov 2004 17:24:56 -0500 (EST)";

/// Issue 22 rule 1, on real fragments (Nazario 2004–2005, CSDMC 2009): a line below
/// the sender that spamware made up — `by ;`, an unexpanded `%MACRO`, its own
/// address with nothing an MTA writes, its own generic name without a queue id —
/// is not relay evidence: the sender is the infected machine, never an open relay.
#[test]
fn template_lines_below_a_bot_make_no_open_relay() {
    for forged in [
        "from 65.167.151.237 by ; Sun, 28 Nov 2004 15:32:17 -0100",
        "from %RECEIVED.hotmail.com (%RECEIVED.hotmail.com [212.172.34.132]) by  %REC_WITH; Sun, 20 Mar 2005 16:21:05 +0300",
        "from 65.56.20.150 by 66.47.232.202; Wed, 09 Mar 2005 10:45:43 -0100",
        "from kettj ([128.34.88.129]) by dsl-66-47-232-202.pool.example.net with Microsoft SMTPSVC(6.0.3790.211); Mon, 19 Oct 2009 14:01:44 -0600",
    ] {
        let m = received(&[
            SITE_LINE,
            "from dsl-66-47-232-202.pool.example.net (dsl-66-47-232-202.pool.example.net [66.47.232.202]) by mail1.domain.com (Postfix) with SMTP id 7829485AF9E; Wed,  9 Mar 2005 06:39:05 -0500 (EST)",
            forged,
        ]);
        let t = trace_of(&m, &["domain.com"]);
        assert_eq!(t.entry.class, Class::BotnetDirect, "{forged}: {:?}", t.entry);
        assert_eq!(t.entry.ip.unwrap().to_string(), "66.47.232.202", "{forged}");
    }
}

/// Rule 1's counter-examples, real old relays that name themselves oddly: they
/// write how they took the message, and stay open relays (the 2002 `SpamAssassin` corpus's
/// `AppleShare` server by its line's name; magicmail's `by 0`; qmail-ldap by its
/// address).
#[test]
fn odd_but_real_relay_lines_still_chain() {
    for (sender, line) in [
        (
            "from 203186114131.ctinets.com (203186114131.ctinets.com [203.186.114.131]) by mail1.domain.com (8.9.3/8.9.3) with SMTP id FAA08472; Fri, 23 Aug 2002 05:50:33 +0100",
            "from mail.AETNA.CO.NZ ([200.24.85.9] <servidor2.partidoliberal.org.co.>) by 203186114131.ctinets.com (AppleShare IP Mail Server 6.3.1) id 69737 via TCP with SMTP; Fri, 23 Aug 2002 09:21:37 +0800",
        ),
        (
            "from relay.example.net (relay.example.net [212.198.2.120]) by mail1.domain.com (Postfix) with ESMTP id X1; Fri, 28 Nov 2003 20:44:50 -0000",
            "from unknown (HELO [81.64.159.45]) ([81.64.159.45]) (envelope-sender <xyz@example.org>) by 212.198.2.120 (qmail-ldap-1.03) with SMTP for <zyx@somewhere.net>; 28 Nov 2003 20:44:45 -0000",
        ),
    ] {
        let t = trace_of(&received(&[SITE_LINE, sender, line]), &["domain.com"]);
        assert_eq!(t.entry.class, Class::OpenRelay, "{line}: {:?}", t.entry);
        assert_eq!(t.entry.hop, Some(1), "{line}");
    }
}

/// Issue 22 rule 2, on a real fragment (CSDMC 2009, an Argentine university's
/// Open `WebMail`): a webmail program's X-Mailer on a message a named server sent
/// with only its own lines below is a webmail mailbox, the login's client read
/// from the Open `WebMail` spelling `X-OriginatingIP`; high, as the server's field agrees.
#[test]
fn a_webmail_mailer_on_a_server_with_nothing_below_is_webmail() {
    let m = "Received: from salud.unca.edu.ar (www.salud.unca.edu.ar [170.210.136.6]) by ns2.csmining.org with ESMTP id n7ID4SBq020482; Tue, 18 Aug 2009 22:04:29 +0900 (JST)\n\
Received: from salud.unca.edu.ar (localhost [127.0.0.1]) by salud.unca.edu.ar (Postfix) with ESMTP id 0FAD22ACE4; Tue, 18 Aug 2009 10:08:52 -0300 (ART)\n\
X-Mailer: Open WebMail 2.41 20040926\n\
X-OriginatingIP: 41.217.2.8 (dariocappa)\n\
Subject: x\n\nbody\n";
    let t = trace_of(m.as_bytes(), &["csmining.org"]);
    assert_eq!(t.entry.class, Class::Webmail, "{:?}", t.entry);
    assert_eq!(t.entry.ip.unwrap().to_string(), "170.210.136.6");
    assert_eq!(t.entry.confidence, Confidence::High);
    assert_eq!(t.entry.client.unwrap().to_string(), "41.217.2.8");
    assert!(
        t.entry.evidence.iter().any(|e| e.contains("Open WebMail")),
        "{:?}",
        t.entry.evidence
    );
    // The X-Mailer alone (no field of the server's agrees): webmail, medium.
    let alone = m.replace("X-OriginatingIP: 41.217.2.8 (dariocappa)\n", "");
    let t = trace_of(alone.as_bytes(), &["csmining.org"]);
    assert_eq!(
        (t.entry.class, t.entry.confidence),
        (Class::Webmail, Confidence::Medium)
    );
}

/// Rule 2's counter-examples: a webmail X-Mailer is the sender's word. On an
/// end-user machine (a bot faking it) the machine stays an infected one; with an
/// outside host below the server, the server passed on someone else's message.
#[test]
fn a_webmail_mailer_does_not_outweigh_the_hops() {
    let bot = "Received: from dsl-66-47-232-202.pool.example.net (dsl-66-47-232-202.pool.example.net [66.47.232.202]) by mx.site.test (Postfix) with SMTP id 7829485AF9E; Wed,  9 Mar 2005 06:39:05 -0500 (EST)\n\
X-Mailer: Roundcube Webmail/1.4.2\n\
Subject: x\n\nbody\n";
    let t = trace_of(bot.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::BotnetDirect, "{:?}", t.entry);
    let relayed = format!(
        "{}X-Mailer: Roundcube Webmail/1.4.2\nSubject: x\n\nbody\n",
        OPEN_RELAY.split("Subject:").next().unwrap()
    );
    let t = trace_of(relayed.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::OpenRelay, "{:?}", t.entry);
}

/// Issue 22 rule 5, on a real fragment (phishing pot 2024, a school district's
/// Google Workspace): Google's outbound server sending for a domain that signs
/// and is the From domain is an account of that organisation, Google the host.
#[test]
fn an_organisation_hosted_by_google_is_its_account() {
    let m = "Received: from mail-ej1-f67.google.com (mail-ej1-f67.google.com [209.85.218.67]) by mx.site.test with ESMTPS id A1; Wed, 28 Feb 2024 14:43:02 +0000\n\
Received: by mail-ej1-f67.google.com with SMTP id a640c23a62f3a-a3e7f6eb6c1so212345366b.1; Wed, 28 Feb 2024 06:42:58 -0800 (PST)\n\
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=rdpsd.ab.ca; s=google; t=1709131378; h=to:subject:message-id:date:from; bh=x; b=y\n\
From: GDM-P <jayden.wright365@rdpsd.ab.ca>\n\
Subject: x\n\nbody\n";
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::CompromisedAccount, "{:?}", t.entry);
    assert_eq!(t.entry.provider.as_deref(), Some("Gmail"));
    assert!(
        t.entry.evidence.iter().any(|e| e.contains("rdpsd.ab.ca")),
        "{:?}",
        t.entry.evidence
    );
    // A consumer mailbox stays free mail.
    let gmail = m.replace("rdpsd.ab.ca", "gmail.com");
    assert_eq!(
        trace_of(gmail.as_bytes(), &["site.test"]).entry.class,
        Class::Freemail
    );
    // A signature for another domain than the From's names no tenant.
    let other = m.replace("d=rdpsd.ab.ca", "d=unrelated.example");
    assert_ne!(
        trace_of(other.as_bytes(), &["site.test"]).entry.class,
        Class::CompromisedAccount
    );
}

/// Issue 22 rule 3, on real fragments (CSDMC 2010, phishing pot 2024): a generic
/// name of a VPS or a cloud host is a rented server — the spammer's own — never an
/// infected home machine; a home line's generic name stays one.
#[test]
fn rented_servers_are_not_infected_home_machines() {
    let line = |rdns: &str, ip: &str| {
        format!(
            "Received: from mta33.example.com ({rdns} [{ip}]) by mx.site.test with ESMTP id A1; Wed, 19 May 2010 04:21:42 -0700\nSubject: x\n\nbody\n"
        )
    };
    for (rdns, ip) in [
        ("vps-33.maryanehosts016.com", "188.224.144.33"),
        ("ip210-79-190-159.cloudhost.web.id", "210.79.190.159"),
        ("ec2-54-12-34-56.compute-1.amazonaws.com", "54.12.34.56"),
        ("56.34.12.35.bc.googleusercontent.com", "35.12.34.56"),
    ] {
        let t = trace_of(line(rdns, ip).as_bytes(), &["site.test"]);
        assert_eq!(t.entry.class, Class::SpammerHost, "{rdns}: {:?}", t.entry);
    }
    for (rdns, ip) in [
        ("dsl85-104-28251.ttnet.net.tr", "85.104.110.91"),
        ("c-73-12-34-56.hsd1.ca.comcast.net", "73.12.34.56"),
    ] {
        let t = trace_of(line(rdns, ip).as_bytes(), &["site.test"]);
        assert_eq!(t.entry.class, Class::BotnetDirect, "{rdns}: {:?}", t.entry);
    }
}

/// A sender calling itself a big provider's bare domain (phishing pot 2023,
/// through Exchange Online: `from hotmail.com (49.43.4.43)`) is ratware, not the
/// provider's server: never free mail.
#[test]
fn a_bare_provider_domain_is_not_the_providers_server() {
    let m = "Received: from hotmail.com (hotmail.com [49.43.4.43]) by mx.site.test with ESMTP id A1; Fri, 6 Oct 2023 09:30:09 +0000\n\
From: \"Pharmacy\" <ex.pharmacy.online1@hotmail.com>\nSubject: x\n\nbody\n";
    let t = trace_of(m.as_bytes(), &["site.test"]);
    assert_eq!(t.entry.class, Class::BotnetDirect, "{:?}", t.entry);
    // The provider's own named server with its mailbox stays free mail.
    let real = m.replace(
        "from hotmail.com (hotmail.com [49.43.4.43])",
        "from NAM11-CO1-obe.outbound.protection.outlook.com (mail-co1nam11olkn20814.outbound.protection.outlook.com [40.92.18.14])",
    );
    assert_eq!(
        trace_of(real.as_bytes(), &["site.test"]).entry.class,
        Class::Freemail
    );
}

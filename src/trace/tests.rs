//! The trust walk on small hand-made chains; the corpus oracle runs in `tests/`.

use super::*;
use crate::message::Reader;

fn trace_of(received: &[&str], trust: &[&str]) -> Trace {
    let mut text = String::new();
    for r in received {
        text.push_str("Received: ");
        text.push_str(r);
        text.push_str("\r\n");
    }
    text.push_str("Subject: test\r\n\r\nbody\r\n");
    let msg = Reader::new(text.as_bytes()).next().unwrap().unwrap();
    let opts = Options {
        site: Site::parse(trust).unwrap(),
        no_auto_site: false,
        authserv_ids: Vec::new(),
    };
    analyse(&msg, &opts)
}

fn verdicts(t: &Trace) -> Vec<Handoff> {
    t.hops.iter().map(|h| h.handoff).collect()
}

const TOP: &str = "from localhost (localhost [127.0.0.1]) by mx.example.org (Postfix) with ESMTP id A; Mon, 1 Mar 2004 10:00:10 +0000";

#[test]
fn single_open_relay() {
    let t = trace_of(
        &[
            TOP,
            "from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org (Postfix) with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from friend.com (dsl-203-0-113-9.pool.isp.net [200.161.145.9]) by relay.victim.com (8.12.8/8.12.8) with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.relay, Some(1));
    assert_eq!(t.input_point, Some(1));
    assert_eq!(
        verdicts(&t),
        [Handoff::Internal, Handoff::Verified, Handoff::Verified]
    );
    assert!(t.hops[1].reasons[0].starts_with("input point"));
    assert!(t.hops[1].reasons[0].contains("generic"));
    assert_eq!(t.hops[0].delay_s, Some(5));
}

#[test]
fn two_relays_input_point_is_the_lower() {
    let t = trace_of(
        &[
            "from fwd.isp.net (fwd.isp.net [81.2.69.1]) by mx.example.org with ESMTP id A; Mon, 1 Mar 2004 10:00:10 +0000",
            "from mail.openrelay.org (mail.openrelay.org [81.2.69.20]) by fwd.isp.net with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from hp.com (unknown [200.161.145.50]) by mail.openrelay.org with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000",
            "from aol.com (1.2.3.4) by fake.example with SMTP; Mon, 1 Mar 2004 09:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.relay, Some(0));
    assert_eq!(t.input_point, Some(1));
    assert_eq!(t.hops[2].handoff, Handoff::Verified);
    // The spammer's own line: written by nobody the chain knows.
    assert_ne!(t.hops[3].handoff, Handoff::Verified);
    assert!(
        t.hops[3]
            .reasons
            .iter()
            .any(|r| r.contains("by fake.example is not the sender recorded above"))
    );
}

#[test]
fn trusted_site_hops_and_cidr() {
    let t = trace_of(
        &[
            "from gw.example.org (gw.example.org [62.40.1.5]) by mx.example.org with ESMTP id A; Mon, 1 Mar 2004 10:00:10 +0000",
            "from backup.example.net (backup.example.net [81.2.69.99]) by gw.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:09 +0000",
            "from x.outside.com (x.outside.com [200.161.145.1]) by backup.example.net with ESMTP id C; Mon, 1 Mar 2004 10:00:08 +0000",
        ],
        &["81.2.69.0/24"],
    );
    assert_eq!(verdicts(&t)[..2], [Handoff::Trusted, Handoff::Trusted]);
    assert_eq!(t.relay, Some(2));
}

#[test]
fn no_external_hop() {
    let t = trace_of(
        &[
            TOP,
            "from a.example.org (a.example.org [10.0.0.1]) by b.example.org with ESMTP",
        ],
        &[],
    );
    assert_eq!(t.relay, None);
    assert_eq!(t.input_point, None);
}

#[test]
fn helo_claiming_the_site_is_inconsistent() {
    let t = trace_of(
        &[
            "from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from mx.example.org (unknown [200.161.145.9]) by relay.victim.com with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.hops[1].handoff, Handoff::Inconsistent);
    assert!(t.hops[1].reasons.iter().any(|r| r.contains("your own site")));
}

#[test]
fn impossible_address_and_date() {
    let t = trace_of(
        &[
            "from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from a.b (c.d [0.1.2.3]) by relay.victim.com with SMTP; Mon, 1 Mar 2004 10:00:00 +0000",
            "from e.f (g.h [200.161.145.1]) by c.d with SMTP; Tue, 27 Aug 0102 20:59:44 -0200",
        ],
        &[],
    );
    assert_eq!(t.hops[1].handoff, Handoff::Inconsistent);
    assert_eq!(t.hops[2].handoff, Handoff::Inconsistent);
    assert!(t.hops[2].reasons.iter().any(|r| r.contains("impossible")));
    assert_eq!(t.input_point, Some(0));
}

#[test]
fn authenticated_submission_marks_the_input_point() {
    let t = trace_of(
        &[
            "from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from laptop (host.isp.net [200.161.145.77]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.input_point, Some(0));
    assert_eq!(t.entry.class, super::entry::Class::CompromisedAccount);
    assert!(t.hops[0].reasons[0].contains("compromised account"));
    assert!(t.entry.evidence.iter().any(|e| e.contains("ESMTPSA")));
}

/// The client of an account is the hop below the entry that shows it: looked up
/// whatever the room, since its network gets the second complaint.
#[test]
fn the_submitting_client_has_its_hop_and_is_looked_up() {
    let t = trace_of(
        &[
            "from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from laptop (host.isp.net [200.161.145.77]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(
        t.entry.client.map(|c| c.to_string()).as_deref(),
        Some("200.161.145.77")
    );
    assert_eq!(t.entry.client_hop, Some(1));
    assert!(hops_to_look_up(&t).contains(&1));
    assert!(
        t.hops[1].reasons[0].starts_with("the submitting client of the compromised account at hop 0"),
        "{:?}",
        t.hops[1].reasons
    );

    // A private client has no hop to look up; a relay's sender is no client.
    let lan = trace_of(
        &[
            "from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from laptop (laptop.lan [192.168.1.20]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(lan.entry.client_hop, None);
    let relay = trace_of(
        &[
            "from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from x (dsl-1.isp.net [200.161.145.9]) by relay.victim.com with SMTP id C; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(relay.entry.client_hop, None);
}

/// The `X-Originating-IP` pseudo-hop is the client's hop of a web submission.
#[test]
fn the_originating_address_is_the_webmail_clients_hop() {
    let text = "Received: from out.univ.edu (out.univ.edu [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
                Received: from [127.0.0.1] by webmail.univ.edu (Horde) with HTTP; Mon, 1 Mar 2004 10:00:00 +0000\r\n\
                X-Originating-IP: [200.161.145.5]\r\nSubject: x\r\n\r\nbody\r\n";
    let msg = Reader::new(text.as_bytes()).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    assert_eq!(t.entry.class, super::entry::Class::Webmail, "{:?}", t.entry);
    assert_eq!(t.entry.client_hop, Some(2));
    assert_eq!(t.hops[2].kind, Kind::Originating);
    assert!(hops_to_look_up(&t).contains(&2));

    // Past the two hops of context below the entry, it is still looked up.
    let text = text.replace(
        "X-Originating-IP",
        "Received: from a (a.example.com [200.161.146.1]) by b.example.com with SMTP; Mon, 1 Mar 2004 09:00:00 +0000\r\n\
         Received: from c (c.example.com [200.161.146.2]) by d.example.com with SMTP; Mon, 1 Mar 2004 08:00:00 +0000\r\n\
         Received: from e (e.example.com [200.161.146.3]) by f.example.com with SMTP; Mon, 1 Mar 2004 07:00:00 +0000\r\n\
         X-Originating-IP",
    );
    let msg = Reader::new(text.as_bytes()).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    assert_eq!(t.entry.class, super::entry::Class::Webmail, "{:?}", t.entry);
    assert_eq!(t.entry.client_hop, Some(5), "{:?}", t.entry);
    let looked = hops_to_look_up(&t);
    assert!(looked.contains(&5), "{looked:?}");
    assert!(!looked.contains(&4), "{looked:?}");
}

#[test]
fn internal_hops_of_the_relay_are_walked_through() {
    let t = trace_of(
        &[
            "from out.univ.edu (out.univ.edu [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000",
            "from webmail.univ.edu (webmail.univ.edu [10.1.1.2]) by out.univ.edu with ESMTP id C; Mon, 1 Mar 2004 10:00:04 +0000",
            "from [102.67.254.169] ([102.67.254.169]) by webmail.univ.edu (Horde) with HTTP; Mon, 1 Mar 2004 10:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.relay, Some(0));
    assert_eq!(t.input_point, Some(0));
    assert_eq!(t.hops[2].handoff, Handoff::Verified);
    assert_eq!(t.entry.class, super::entry::Class::Webmail);
    assert!(t.entry.evidence.iter().any(|e| e.contains("with HTTP")));
}

#[test]
fn negative_delay_is_kept_and_marked() {
    let t = trace_of(
        &[
            "from relay.victim.com (relay.victim.com [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:00 +0000",
            "from x (dsl-1.isp.net [200.161.145.9]) by relay.victim.com with SMTP id C; Mon, 1 Mar 2004 11:00:00 +0000",
        ],
        &[],
    );
    assert_eq!(t.hops[0].delay_s, Some(-3600));
    assert!(t.hops[0].reasons.iter().any(|r| r.contains("negative delay")));
}

#[test]
fn originating_ip_is_a_last_hop() {
    let text = "Received: from out.mail.com (out.mail.com [81.2.69.7]) by mx.example.org with ESMTP; Mon, 1 Mar 2004 10:00:05 +0000\r\nX-Originating-IP: [200.161.145.5]\r\n\r\n";
    let msg = Reader::new(text.as_bytes()).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    assert_eq!(t.hops.len(), 2);
    assert_eq!(t.hops[1].kind, Kind::Originating);
    assert_eq!(
        t.hops[1].from_ip.map(|i| i.to_string()).as_deref(),
        Some("200.161.145.5")
    );
    assert_eq!(t.input_point, Some(0));
    assert!(
        t.entry.evidence.iter().any(|e| e.contains("X-Originating-IP")),
        "{:?}",
        t.entry
    );
}

#[test]
fn a_site_under_an_unknown_suffix_is_its_host_not_the_next_domain_down() {
    // `.test` is no public suffix: the top hop's `by` host alone is the site; the
    // search must not go on and adopt the relay's domain instead.
    let t = trace_of(
        &[
            "from mx1.site.test (mx1.site.test [10.0.0.5]) by mail.site.test with ESMTP id A1; Mon, 1 Jan 2024 10:00:03 +0000",
            "from relay.example.net (relay.example.net [198.51.100.7]) by mx1.site.test with ESMTP id B2; Mon, 1 Jan 2024 10:00:02 +0000",
            "from friend (host.example.com [203.0.113.9]) by relay.example.net with SMTP id C3; Mon, 1 Jan 2024 10:00:01 +0000",
        ],
        &[],
    );
    assert_eq!(t.site, vec!["mail.site.test".to_string()]);
    assert_eq!(t.relay, Some(1));
}

use super::*;

#[test]
fn authentication_results_trusted_only_from_the_site() {
    let site = vec!["example.net".to_string(), "192.0.2.0/24".to_string()];
    let raw = b"Authentication-Results: mx.example.net;\r\n\tdkim=pass (2048-bit key) header.d=sender.test header.s=rsa;\r\n\tspf=fail (sender.test: 198.51.100.9 not permitted) smtp.mailfrom=bounce@sender.test;\r\n\tdmarc=fail (p=REJECT) header.from=sender.test\r\n\
Authentication-Results: spammer.test; dkim=pass header.d=bank.test\r\n\
Authentication-Results: filter.corp.test 1; none\r\n\
Subject: x\r\n\r\nbody\r\n";
    let r = authentication_results(raw, &site, &["filter.corp.test".into()]);
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].authserv_id, "mx.example.net");
    assert!(r[0].trusted, "a host under the site's domain");
    assert_eq!(r[0].result("dkim"), Some("pass"));
    assert_eq!(r[0].result("spf"), Some("fail"));
    assert_eq!(r[0].result("dmarc"), Some("fail"));
    assert_eq!(r[0].result("arc"), None);
    assert!(
        r[0].methods[0].starts_with("dkim=pass header.d=sender.test"),
        "comments dropped: {:?}",
        r[0].methods
    );
    assert!(!r[1].trusted, "written elsewhere: a claim");
    assert!(r[2].trusted, "configured in [trust] authserv_ids");
    assert!(r[2].methods.is_empty(), "none states no method");
    // Not fooled by a look-alike or a network.
    assert!(!results::parse("evil-example.net; dkim=pass", &site, &[]).trusted);
    assert!(!results::parse("192.0.2.1; dkim=pass", &site, &[]).trusted);
    assert!(!results::parse("; dkim=pass", &site, &[]).trusted);
}

#[test]
fn hostile_headers_are_bounded() {
    let mut raw = Vec::new();
    for i in 0..500 {
        raw.extend_from_slice(format!("Authentication-Results: a{i}.test; dkim=pass\r\n").as_bytes());
        raw.extend_from_slice(
            format!("DKIM-Signature: v=1; a=rsa-sha256; d=x{i}.test; s=s; h=from; bh=AAAA; b=AAAA\r\n")
                .as_bytes(),
        );
    }
    raw.extend_from_slice(b"From: a@b.test\r\n\r\nbody\r\n");
    let a = read(&raw, &[], &[]);
    assert!(a.authentication_results.len() <= MAX_ITEMS);
    assert!(a.dkim.len() <= 2 * MAX_ITEMS);
    // Unbalanced comments and junk never panic.
    let r = results::parse("x.test; dkim=pass ((((( \\", &[], &[]);
    assert_eq!(r.authserv_id, "x.test");
    let _ = read(b"\xff\xfe\x00DKIM-Signature: d=;;;==\r\n\r\n", &[], &[]);
}

#[test]
fn alignment_is_relaxed() {
    assert!(aligned("mail.sender.test", "sender.test"));
    assert!(aligned("sender.co.uk", "news.sender.co.uk"));
    assert!(!aligned("co.uk", "sender.co.uk"));
    assert!(!aligned("esp.test", "sender.test"));
    assert_eq!(domain_of("Offers <offers@Sender.TEST>"), "sender.test");
    assert_eq!(domain_of("<>"), "");
}

fn entry(class: crate::trace::entry::Class, host: &str, d: &str) -> crate::trace::entry::Entry {
    crate::trace::entry::Entry {
        class,
        hop: Some(1),
        ip: "98.137.66.175".parse().ok(),
        host: Some(host.into()),
        confidence: crate::trace::entry::Confidence::Medium,
        evidence: vec![
            "the sender is a mailbox of the provider".into(),
            format!("DKIM-Signature d={d} (not verified: a hint)"),
        ],
        client: None,
        client_hop: None,
        account: None,
        ids: Vec::new(),
        provider_desk: None,
        provider: Some("Yahoo Mail".into()),
        alternatives: vec![crate::trace::entry::Alternative {
            class: crate::trace::entry::Class::OpenRelay,
            why: "no submission is recorded".into(),
        }],
    }
}

fn signed(d: &str, result: Option<Verdict>, reason: Option<&str>) -> Auth {
    Auth {
        dkim: vec![Signature {
            domain: d.into(),
            selector: "s2048".into(),
            algorithm: "rsa-sha256".into(),
            result,
            reason: reason.map(str::to_string),
            ..Signature::default()
        }],
        checked: Some("2026-11-30T21:00:00Z".into()),
        ..Auth::default()
    }
}

#[test]
fn a_verified_signature_of_the_entry_domain_confirms_a_provider_class() {
    use crate::trace::entry::{Class, Confidence};
    let host = "sonic317-49.consmr.mail.gq1.yahoo.com";
    let mut e = entry(Class::Freemail, host, "yahoo.com");
    weigh_entry(&mut e, &signed("yahoo.com", Some(Verdict::Pass), None));
    assert_eq!(e.confidence, Confidence::High);
    assert!(e.alternatives.is_empty(), "a certain reading names no rival");
    assert_eq!(
        e.evidence[1],
        "DKIM-Signature d=yahoo.com verified on 2026-11-30: the copy is what yahoo.com sent"
    );
    assert!(
        e.evidence
            .iter()
            .any(|l| l.starts_with("the entry's own domain yahoo.com signed it"))
    );

    // A failed signature is no evidence, and the confidence stays.
    let mut e = entry(Class::Freemail, host, "yahoo.com");
    weigh_entry(
        &mut e,
        &signed("yahoo.com", Some(Verdict::Fail), Some("the body hash differs")),
    );
    assert_eq!(e.confidence, Confidence::Medium);
    assert_eq!(e.alternatives.len(), 1);
    assert_eq!(
        e.evidence[1],
        "DKIM-Signature d=yahoo.com did not verify (fail: the body hash differs): not evidence"
    );

    // Another domain's signature verifies the copy but says nothing of the entry.
    let mut e = entry(Class::Freemail, host, "spam.example");
    weigh_entry(&mut e, &signed("spam.example", Some(Verdict::Pass), None));
    assert_eq!(e.confidence, Confidence::Medium);
    assert_eq!(e.evidence.len(), 2);

    // An open relay is not confirmed by a provider's signature.
    let mut e = entry(Class::OpenRelay, "mail.yahoo.com", "yahoo.com");
    weigh_entry(&mut e, &signed("yahoo.com", Some(Verdict::Pass), None));
    assert_eq!(e.confidence, Confidence::Medium);

    // Not checked (no network): the hint stays a hint.
    let mut e = entry(Class::Freemail, host, "yahoo.com");
    let mut unchecked = signed("yahoo.com", None, None);
    unchecked.checked = None;
    weigh_entry(&mut e, &unchecked);
    assert_eq!(e.evidence[1], "DKIM-Signature d=yahoo.com (not verified: a hint)");
    assert_eq!(e.confidence, Confidence::Medium);
}

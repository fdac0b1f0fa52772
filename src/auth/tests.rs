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

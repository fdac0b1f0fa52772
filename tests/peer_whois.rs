//! The registry answers of `../shared/peer/whois` (manifest.json): every sample is
//! parsed, its expected abuse addresses must be found, and no placeholder ever is.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use relaytrace::lookup::contact;
use relaytrace::lookup::whois::{decode, parse};

fn manifest() -> (std::path::PathBuf, serde_json::Value) {
    let dir = common::shared().join("peer/whois");
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    (dir, serde_json::from_str(&text).unwrap())
}

/// The addresses relaytrace proposes for one sample, best first.
fn proposed(dir: &std::path::Path, s: &serde_json::Value) -> Vec<String> {
    let file = dir.join(s["file"].as_str().unwrap());
    let bytes = std::fs::read(&file).unwrap();
    let server = s["server"]
        .as_str()
        .unwrap_or("")
        .split([' ', ':'])
        .next()
        .unwrap_or("");
    match s["kind"].as_str().unwrap() {
        "ip-whois" | "domain-whois" => {
            let p = parse::parse(&decode(&bytes, server));
            let ip = s["query"].as_str().and_then(|q| q.parse().ok());
            let (owner, isp) = parse::ranked_contacts(&p, ip);
            owner.iter().chain(&isp).map(|f| f.email.clone()).collect()
        }
        _ => {
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let c = relaytrace::lookup::rdap::abuse_contacts(&v);
            c.into_iter().map(|f| f.email).collect()
        }
    }
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn rate_limits_and_outages_are_recognised() {
    let (dir, m) = manifest();
    let mut n = 0;
    for s in m["samples"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        if !(id.contains("throttled") || id.contains("unavailable")) {
            continue;
        }
        let text = decode(&std::fs::read(dir.join(s["file"].as_str().unwrap())).unwrap(), "");
        let outcome = parse::parse(&text).outcome;
        if id.contains("throttled") {
            assert!(
                matches!(outcome, parse::Outcome::RateLimited(_)),
                "{id}: {outcome:?}"
            );
        } else {
            assert!(matches!(outcome, parse::Outcome::Error(_)), "{id}: {outcome:?}");
        }
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn manifest_abuse_addresses_are_found() {
    let (dir, m) = manifest();
    let (mut total, mut found, mut top) = (0, 0, 0);
    let mut failures = Vec::new();
    for s in m["samples"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let got = proposed(&dir, s);
        for e in &got {
            assert!(!contact::is_placeholder(e), "{id}: placeholder {e} returned");
        }
        let expected: Vec<String> = s["expected"]["abuse_emails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_ascii_lowercase())
            .collect();
        if expected.is_empty() {
            eprintln!("none expected for {id}: got {got:?}");
            continue;
        }
        total += 1;
        let all = expected.iter().all(|e| got.contains(e));
        let first = got.first().is_some_and(|g| expected.contains(g));
        found += usize::from(all);
        top += usize::from(all && first);
        if !(all && first) {
            failures.push(format!("{id}: expected {expected:?}, got {got:?}"));
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    eprintln!("abuse addresses found: {found}/{total}; found and ranked first: {top}/{total}");
    assert!(found * 100 >= total * 95, "{found}/{total} below 95 %");
    assert!(top * 100 >= total * 90, "ranked first: {top}/{total} below 90 %");
}

/// Every real whois answer captured is an answer (issue 21 made junk an error: no
/// real answer may be taken for junk and left uncached and unread).
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn every_real_whois_answer_is_an_answer() {
    let (dir, m) = manifest();
    let mut n = 0;
    let mut wrong = Vec::new();
    for s in m["samples"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let file = s["file"].as_str().unwrap();
        if id.contains("throttled")
            || id.contains("unavailable")
            || std::path::Path::new(file)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            continue;
        }
        let text = decode(&std::fs::read(dir.join(file)).unwrap(), "");
        if let parse::Outcome::Error(e) = parse::parse(&text).outcome {
            wrong.push(format!("{id}: {e}"));
        }
        n += 1;
    }
    assert!(n > 50, "{n} answers");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

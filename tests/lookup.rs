//! `relaytrace lookup` end to end against real servers on loopback (tests/lab): DNS,
//! whois chains with the captured registry answers, RDAP with a bootstrap; and the
//! faults: slow, dropped, garbage, looping and rate-limiting servers.

#![allow(clippy::unwrap_used)]

mod lab;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use lab::{Lab, Plan, Reply, Rr};
use serde_json::Value;

const ARIN: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
const RIPE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
const SERVERNAP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 8);

fn run_json(lab: &Lab, extra: &str, args: &[&str]) -> (Value, Duration) {
    let started = Instant::now();
    let out = lab.command(extra).args(args).output().unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one compact JSON line: {text}");
    (serde_json::from_str(&text).unwrap(), took)
}

fn emails(v: &Value, side: &str) -> Vec<String> {
    v[side]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect()
}

/// The answer of `protocol` whose server or query contains `has`.
fn answer<'a>(v: &'a Value, protocol: &str, has: &str) -> &'a Value {
    v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["protocol"] == protocol
                && (a["server"].as_str().unwrap().contains(has) || a["query"].as_str().unwrap().contains(has))
        })
        .unwrap_or_else(|| panic!("no {protocol} answer for {has}: {}", v["answers"]))
}

#[test]
fn arin_address_whois_rdap_dns_end_to_end() {
    let Some(w) = lab::whois_data() else { return };
    let ip = "74.125.225.229";
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    plan.records = vec![
        Rr::Ptr(ip.parse().unwrap(), "ord08s08-in-f5.1e100.net"),
        Rr::A("ord08s08-in-f5.1e100.net", ip.parse().unwrap()),
        // Team Cymru's answers, from the manifest's asn_data of this sample.
        Rr::Txt(
            format!("229.225.125.74.origin.asn.lab.test"),
            "15169 | 74.125.225.0/24 | US | arin | 2007-03-13".into(),
        ),
        Rr::Txt(
            "AS15169.asn.lab.test".into(),
            "15169 | US | arin | 2000-03-30 | GOOGLE - Google Inc., US".into(),
        ),
        Rr::Txt(
            "229.225.125.74.peer.asn.lab.test".into(),
            "3356 6453 | 74.125.225.0/24 | US | arin | 2007-03-13".into(),
        ),
        Rr::A("229.225.125.74.bl.lab.test", Ipv4Addr::new(127, 0, 0, 2)),
        Rr::Txt(
            "229.225.125.74.bl.lab.test".into(),
            "listed in the lab list".into(),
        ),
    ];
    let lab = Lab::start(plan);
    lab.set_rdap(
        "/bootstrap/ipv4.json",
        200,
        lab::bootstrap_ipv4(lab.rdap_port, &[("74.0.0.0/8", "arin")]),
    );
    lab.set_rdap(
        "/arin/ip/74.125.225.229",
        200,
        std::fs::read(w.join("rdap/ip/ipwhois_arin_74.125.225.229.json")).unwrap(),
    );

    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    assert_eq!(v["query"], ip);
    assert_eq!(v["rdns"][0], "ord08s08-in-f5.1e100.net");
    assert_eq!(v["fcrdns"], true);
    assert_eq!(v["asn"]["number"], 15169);
    assert_eq!(v["asn"]["cidr"], "74.125.225.0/24");
    assert_eq!(v["asn"]["peers"], serde_json::json!([3356, 6453]));
    assert_eq!(v["network"]["cidr"], "74.125.0.0/16");
    assert_eq!(v["network"]["org"], "Google Inc.");
    let owner = emails(&v, "owner_contacts");
    assert_eq!(owner[0], "arin-contact@google.com", "{owner:?}");
    assert_eq!(v["owner_contacts"][0]["confidence"], "high");
    assert_eq!(v["owner_contacts"][0]["preselect"], true);
    assert!(
        owner.contains(&"abuse@1e100.net".to_string()),
        "fallback present: {owner:?}"
    );
    let fallback = v["owner_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "abuse@1e100.net")
        .unwrap();
    assert_eq!(fallback["source"], "fallback");
    assert_eq!(v["dnsbl"][0]["listed"], true);
    assert_eq!(v["dnsbl"][0]["answer"], "127.0.0.2");
    assert_eq!(
        answer(&v, "whois", "whois.arin.net")["status"],
        "ok",
        "{}",
        v["answers"]
    );
    assert_eq!(
        answer(&v, "whois", "whois.arin.net")["query"],
        format!("n + {ip}")
    );
    assert_eq!(
        answer(&v, "rdap", "/arin/ip/")["status"],
        "ok",
        "{}",
        v["answers"]
    );
    // The raw text is kept whole.
    assert!(
        answer(&v, "whois", "whois.arin.net")["text"]
            .as_str()
            .unwrap()
            .contains("OrgAbuseEmail")
    );

    // A second run is served from the disk cache, and --offline works from it.
    let (again, _) = run_json(&lab, "", &["--offline", "lookup", "--json", ip]);
    assert_eq!(emails(&again, "owner_contacts"), owner);
    assert_eq!(answer(&again, "whois", "whois.arin.net")["cached"], true);
}

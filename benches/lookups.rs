//! Speed of the lookups (issue 3): against the loopback lab with 100 ms added to
//! every DNS, whois and RDAP answer, `investigate` on a message with 5 external hops
//! must finish within 2× the longest single dependency chain, and at least 5× faster
//! than the same lookups made one after another. All three are measured here, in
//! the same run. `cargo bench --bench lookups`; `RELAYTRACE_BENCH_DELAY_MS` changes the delay.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

#[path = "../tests/lab/mod.rs"]
mod lab;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use lab::{Lab, Plan, Reply, Rr};
use relaytrace::config::{Network, Zones};
use relaytrace::lookup::Engine;

const IPS: [&str; 5] = [
    "74.125.225.229",
    "69.65.39.166",
    "174.79.60.55",
    "62.239.237.1",
    "130.66.76.222",
];

fn engine(lab: &Lab, sequential: bool) -> Engine {
    let net = Network {
        dns_servers: vec![lab.dns.to_string()],
        whois_port: lab.whois_port,
        rdap_bootstrap_url: Some(format!("http://{}:{}/bootstrap/", lab::RDAP_HOST, lab.rdap_port)),
        timeout_secs: 10.0,
        cache: false,
        traceroute: false,
        allow_private_servers: true,
        // The baseline: one request at a time over all servers.
        max_requests: if sequential { 1 } else { 64 },
        ..Network::default()
    };
    let zones = Zones {
        asn_origin: "origin.asn.lab.test".into(),
        asn_origin6: "origin6.asn.lab.test".into(),
        asn_peer: "peer.asn.lab.test".into(),
        asn_name: "asn.lab.test".into(),
        abusix: "abusix.lab.test".into(),
        abuse_net: "contacts.abuse.lab.test".into(),
        dnsbl: vec!["bl.lab.test".into(), "bl2.lab.test".into()],
    };
    Engine::new(net, zones, None, false, false).unwrap()
}

fn message() -> Vec<u8> {
    let mut m = String::from(
        "Received: from mx1.example.org (mx1.example.org [10.0.0.5]) by mail.example.org with ESMTP id A0; Mon, 1 Jan 2024 10:00:09 +0000\n",
    );
    let mut by = "mx1.example.org".to_string();
    for (i, ip) in IPS.iter().enumerate() {
        let name = format!("relay{i}.isp{i}.net");
        let _ = writeln!(
            m,
            "Received: from {name} ({name} [{ip}]) by {by} with ESMTP id A{}; Mon, 1 Jan 2024 10:00:0{} +0000",
            i + 1,
            8 - i
        );
        by = name;
    }
    m.push_str("From: a@b.example\nSubject: bench\n\nbody\n");
    m.into_bytes()
}

fn main() {
    if cfg!(no_shared) {
        eprintln!("SKIPPED: this benchmark needs ../shared (the captured registry answers)");
        return;
    }
    let w = lab::whois_data();
    let delay = Duration::from_millis(
        std::env::var("RELAYTRACE_BENCH_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100),
    );
    let arin_ip = Ipv4Addr::new(127, 0, 0, 3);
    let ripe_ip = Ipv4Addr::new(127, 0, 0, 4);
    let nap_ip = Ipv4Addr::new(127, 0, 0, 8);
    let f = |p: &str| Reply::file(&w.join(p));
    let mut plan = Plan {
        delay,
        ..Plan::default()
    };
    plan.whois(
        "whois.arin.net",
        arin_ip,
        "n + 74.125.225.229",
        f("ip-whois/arin/ipwhois_74.125.225.229.txt"),
    );
    plan.whois(
        "whois.arin.net",
        arin_ip,
        "n + 69.65.39.166",
        f("ip-whois/arin/weppos_arin_referral_rwhois.txt"),
    );
    plan.whois(
        "rwhois.servernap.net",
        nap_ip,
        "69.65.39.166",
        f("ip-whois/rwhois/phuhn_ns104_168_144_18.txt"),
    );
    plan.whois(
        "whois.arin.net",
        arin_ip,
        "n + 174.79.60.55",
        f("ip-whois/arin/phuhn_arin_174.79.60.55_list_old.txt"),
    );
    plan.whois(
        "whois.arin.net",
        arin_ip,
        "n ! NET-174-79-32-0-1",
        f("ip-whois/arin/phuhn_arin_174.79.60.55_reassigned.txt"),
    );
    plan.whois(
        "whois.arin.net",
        arin_ip,
        "n + 130.66.76.222",
        f("ip-whois/arin/weppos_arin_referral_whois.txt"),
    );
    plan.whois(
        "whois.ripe.net",
        ripe_ip,
        "130.66.76.222",
        f("ip-whois/ripe/weppos_arin_referral_ripe.txt"),
    );
    plan.whois(
        "whois.ripe.net",
        ripe_ip,
        "62.239.237.1",
        f("ip-whois/ripe/ipwhois_62.239.237.1.txt"),
    );
    for (i, ip) in IPS.iter().enumerate() {
        let ip: IpAddr = ip.parse().unwrap();
        let name: &'static str = Box::leak(format!("relay{i}.isp{i}.net").into_boxed_str());
        plan.records.push(Rr::Ptr(ip, name));
        if let IpAddr::V4(v4) = ip {
            plan.records.push(Rr::A(name, v4));
        }
    }
    let lab = Lab::start(plan);
    lab.set_rdap(
        "/bootstrap/ipv4.json",
        200,
        lab::bootstrap_ipv4(
            lab.rdap_port,
            &[
                ("74.0.0.0/8", "arin"),
                ("62.0.0.0/8", "ripe"),
                ("0.0.0.0/0", "arin"),
            ],
        ),
    );
    lab.set_rdap(
        "/arin/ip/74.125.225.229",
        200,
        std::fs::read(w.join("rdap/ip/ipwhois_arin_74.125.225.229.json")).unwrap(),
    );
    lab.set_rdap(
        "/ripe/ip/62.239.237.1",
        200,
        std::fs::read(w.join("rdap/ip/ipwhois_ripe_62.239.237.1.json")).unwrap(),
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = relaytrace::trace::Options {
        site: relaytrace::trace::Site::parse(&["example.org".to_string()]).unwrap(),
        no_auto_site: false,
        authserv_ids: Vec::new(),
    };
    let req = relaytrace::cmd::investigate::Request {
        json: true,
        raw: false,
        hop: None,
        pick: None,
        max_message: relaytrace::message::MAX_MESSAGE,
    };
    let run = |sequential: bool| {
        rt.block_on(async {
            let e = engine(&lab, sequential);
            let mut out = Vec::new();
            let started = Instant::now();
            let bytes = std::sync::Arc::new(message());
            let origin = relaytrace::tui::Origin::Bytes(bytes.clone());
            relaytrace::cmd::investigate::run(
                &e,
                (Box::new(relaytrace::message::SharedBytes(bytes, 0)), &origin),
                "bench",
                &req,
                &opts,
                &mut out,
            )
            .await
            .unwrap();
            let took = started.elapsed();
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let looked = v["hops"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h.get("lookups").is_some())
                .count();
            let requests: usize = v["hops"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|h| h["lookups"]["answers"].as_array())
                .map(Vec::len)
                .sum();
            (took, looked, requests)
        })
    };
    // The longest single dependency chain: each hop alone, everything within it concurrent.
    let mut chain = Duration::ZERO;
    for ip in IPS {
        let t = rt.block_on(async {
            let e = engine(&lab, false);
            let started = Instant::now();
            let l = Box::pin(e.lookup_ip(ip.parse().unwrap())).await;
            assert!(!l.answers().is_empty());
            started.elapsed()
        });
        println!("hop {ip:<16} alone: {:>6.0} ms", t.as_secs_f64() * 1000.0);
        chain = chain.max(t);
    }
    let (concurrent, looked, requests) = run(false);
    let (sequential, _, _) = run(true);
    println!(
        "delay per answer: {} ms; external hops looked up: {looked}; answers: {requests}",
        delay.as_millis()
    );
    println!("longest single chain:  {:>7.0} ms", chain.as_secs_f64() * 1000.0);
    println!(
        "investigate (5 hops):  {:>7.0} ms  = {:.2}× the longest chain (target ≤ 2×)",
        concurrent.as_secs_f64() * 1000.0,
        concurrent.as_secs_f64() / chain.as_secs_f64()
    );
    println!(
        "one after another:     {:>7.0} ms  = {:.1}× slower (target ≥ 5×)",
        sequential.as_secs_f64() * 1000.0,
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    assert_eq!(looked, 5);
}

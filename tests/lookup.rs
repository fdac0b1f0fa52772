//! `relaytrace lookup` end to end against real servers on loopback (tests/lab): DNS,
//! whois chains with the captured registry answers, RDAP with a bootstrap; and the
//! faults: slow, dropped, garbage, looping and rate-limiting servers.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;
mod lab;

use std::net::Ipv4Addr;

use mail_parser::MimeHeaders;
use std::os::unix::fs::PermissionsExt;
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
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn arin_address_whois_rdap_dns_end_to_end() {
    let w = lab::whois_data();
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
            "229.225.125.74.origin.asn.lab.test".to_string(),
            "15169 | 74.125.225.0/24 | US | arin | 2007-03-13".into(),
        ),
        Rr::Txt(
            "AS15169.asn.lab.test".into(),
            "15169 | US | arin | 2000-03-30 | GOOGLE - Google Inc., US".into(),
        ),
        Rr::Txt(
            "229.225.125.74.peer.asn.lab.test".into(),
            "16509 6453 | 74.125.225.0/24 | US | arin | 2007-03-13".into(),
        ),
        Rr::Txt(
            "229.225.125.74.abusix.lab.test".into(),
            "network-abuse@google.com".into(),
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
    let asn = serde_json::json!({"version": "1.0", "services": [[["16509"], [lab.rdap_base("arin")]]]});
    lab.set_rdap("/bootstrap/asn.json", 200, serde_json::to_vec(&asn).unwrap());
    let autnum = std::fs::read(w.join("rdap/autnum/icann-rdap_arin_AS16509.json")).unwrap();
    lab.set_rdap("/arin/autnum/16509", 200, autnum);

    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    assert_eq!(v["query"], ip);
    // The order of the issue: RDAP/whois designations, then Abusix, then the fallback.
    let sources: Vec<&str> = v["owner_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"].as_str().unwrap())
        .collect();
    let first = |s: &str| sources.iter().position(|x| *x == s).unwrap();
    assert!(first("abusix") < first("fallback"), "{sources:?}");
    assert_eq!(v["rdns"][0], "ord08s08-in-f5.1e100.net");
    assert_eq!(v["fcrdns"], true);
    assert_eq!(v["asn"]["number"], 15169);
    assert_eq!(v["asn"]["cidr"], "74.125.225.0/24");
    assert_eq!(v["asn"]["peers"], serde_json::json!([16509, 6453]));
    // Google holds its own allocation: the ISP is the upstream named by the peers.
    assert!(
        v["isp"]["org"].as_str().unwrap().contains("AS16509, upstream"),
        "{}",
        v["isp"]
    );
    assert!(
        v["isp"]["basis"]
            .as_str()
            .unwrap()
            .contains("provider's own network"),
        "{}",
        v["isp"]
    );
    assert_eq!(emails(&v, "isp_contacts")[0], "abuse@amazonaws.com");
    let abusix = v["owner_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "network-abuse@google.com")
        .unwrap();
    assert_eq!(abusix["source"], "abusix");
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

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn ripe_answer_and_old_rdap_rank_the_designated_contacts_first() {
    let w = lab::whois_data();
    let ip = "62.239.237.1";
    let mut plan = Plan::default();
    plan.whois(
        "whois.ripe.net",
        RIPE,
        ip,
        Reply::file(&w.join("ip-whois/ripe/ipwhois_62.239.237.1.txt")),
    );
    let lab = Lab::start(plan);
    lab.set_rdap(
        "/bootstrap/ipv4.json",
        200,
        lab::bootstrap_ipv4(lab.rdap_port, &[("62.0.0.0/8", "ripe")]),
    );
    lab.set_rdap(
        "/ripe/ip/62.239.237.1",
        200,
        std::fs::read(w.join("rdap/ip/ipwhois_ripe_62.239.237.1.json")).unwrap(),
    );
    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    let owner = emails(&v, "owner_contacts");
    // RDAP's abuse entity and RIPE's "Abuse contact for" line both rank above the
    // remark that names another address.
    let pos = |e: &str| {
        owner
            .iter()
            .position(|x| x == e)
            .unwrap_or_else(|| panic!("{e} missing: {owner:?}"))
    };
    assert!(pos("protect@bt.com") < pos("btcertcc@bt.com"), "{owner:?}");
    assert!(pos("zzdnsr@bt.com") < pos("btcertcc@bt.com"), "{owner:?}");
    // The RIPE abuse-c's mailbox first: RDAP's abuse role lists staff addresses too.
    assert_eq!(owner[0], "protect@bt.com", "{owner:?}");
    // An ASSIGNED PA block without its allocation: the allocation is asked for.
    let up = answer(&v, "whois", "-l 62.239.237.0 - 62.239.237.255");
    assert!(
        up["server"].as_str().unwrap().starts_with("whois.ripe.net"),
        "{up}"
    );
    assert_eq!(v["rdns"], serde_json::json!([]));
    assert_eq!(v["fcrdns"], Value::Null);
    // No reverse DNS: only address-derived contacts can be pre-selected.
    for c in v["owner_contacts"].as_array().unwrap() {
        if c["preselect"] == true {
            assert!(
                ["rdap", "whois", "abusix"].contains(&c["source"].as_str().unwrap()),
                "{c}"
            );
        }
    }
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn arin_summary_is_followed_by_handle_and_a_customer_gets_its_isp() {
    let w = lab::whois_data();
    let ip = "174.79.60.55";
    let arin = w.join("ip-whois/arin");
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&arin.join("phuhn_arin_174.79.60.55_list_old.txt")),
    );
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n ! NET-174-79-32-0-1",
        Reply::file(&arin.join("phuhn_arin_174.79.60.55_reassigned.txt")),
    );
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    assert_eq!(answer(&v, "whois", "n ! NET-174-79-32-0-1")["status"], "ok");
    assert_eq!(v["network"]["cidr"], "174.79.32.0/19");
    assert_eq!(v["network"]["customer"], true);
    assert_eq!(v["owner"]["org"], "Cox Communications");
    assert!(
        v["owner"]["basis"]
            .as_str()
            .unwrap()
            .starts_with("customer assignment 174.79.32.0/19"),
        "{}",
        v["owner"]
    );
    // The POCs shown under a customer are its ISP's.
    let isp = emails(&v, "isp_contacts");
    assert_eq!(isp.first().map(String::as_str), Some("abuse@cox.net"), "{isp:?}");
    assert!(emails(&v, "owner_contacts").iter().all(|e| e != "abuse@cox.net"));
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn arin_refers_to_rwhois_on_the_whois_port() {
    let w = lab::whois_data();
    let ip = "69.65.39.166";
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&w.join("ip-whois/arin/weppos_arin_referral_rwhois.txt")),
    );
    // The rwhois server answers with a captured rwhois answer (of another network:
    // its block does not contain the address, so its contacts must not be used).
    plan.whois(
        "rwhois.servernap.net",
        SERVERNAP,
        ip,
        Reply::file(&w.join("ip-whois/rwhois/phuhn_ns104_168_144_18.txt")),
    );
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    let rw = answer(&v, "rwhois", "rwhois.servernap.net");
    assert_eq!(rw["status"], "ok");
    assert_eq!(rw["query"], ip);
    let owner = emails(&v, "owner_contacts");
    assert_eq!(owner[0], "abuse@gigenet.com", "{owner:?}");
    assert!(!owner.iter().any(|e| e.contains("hostwinds")), "{owner:?}");
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn faults_end_with_a_status_and_the_others_carry_on() {
    let w = lab::whois_data();
    let ip = "130.66.76.222";
    let arin_text = std::fs::read(w.join("ip-whois/arin/weppos_arin_referral_whois.txt")).unwrap();
    let mut plan = Plan::default();
    // ARIN answers and refers to RIPE; RIPE answers the same referral back to
    // itself (a loop), so the chain must stop.
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::Bytes(arin_text.clone()),
    );
    plan.whois("whois.ripe.net", RIPE, ip, Reply::Bytes(arin_text));
    let lab = Lab::start(plan);
    let (v, took) = run_json(&lab, "", &["lookup", "--json", ip]);
    let ripe: Vec<&Value> = v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["server"].as_str().unwrap().starts_with("whois.ripe.net"))
        .collect();
    assert_eq!(ripe.len(), 1, "asked once, loop stopped");
    assert!(took < Duration::from_secs(10));

    // Slow (past the 3 s limit), dropped mid-answer, binary garbage, rate-limited.
    let ip2 = "74.125.225.229";
    let captured = std::fs::read(w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")).unwrap();
    let throttled =
        std::fs::read(w.join("domain-whois/whois-parser__whois.pir.org__org__response_throttled.txt"))
            .unwrap();
    let cases: Vec<(&str, Reply)> = vec![
        ("timeout", Reply::Slow(Duration::from_secs(6), captured.clone())),
        ("timeout", Reply::Silent),
        ("error", Reply::Drop(300, captured.clone())),
        ("error", Reply::Bytes((0u8..=255).cycle().take(4000).collect())),
        ("rate_limited", Reply::Bytes(throttled)),
    ];
    for (want, reply) in cases {
        let mut plan = Plan::default();
        plan.whois("whois.arin.net", ARIN, &format!("n + {ip2}"), reply.clone());
        plan.records = vec![Rr::Txt(
            "229.225.125.74.origin.asn.lab.test".into(),
            "15169 | 74.125.225.0/24 | US | arin | 2007-03-13".into(),
        )];
        let lab = Lab::start(plan);
        let (v, took) = run_json(&lab, "", &["lookup", "--json", ip2]);
        let a = answer(&v, "whois", "whois.arin.net");
        assert_eq!(a["status"], want, "{reply:?}: {a}");
        assert!(a["reason"].as_str().is_some_and(|r| !r.is_empty()), "{a}");
        // The other lookups carried on.
        assert_eq!(v["asn"]["number"], 15169, "{reply:?}");
        assert!(took < Duration::from_secs(9), "{reply:?} took {took:?}");
        if want == "rate_limited" {
            // The next run leaves the server alone, without asking it.
            let (again, _) = run_json(&lab, "", &["lookup", "--json", ip2]);
            let a = answer(&again, "whois", "whois.arin.net");
            assert_eq!(a["status"], "rate_limited", "{a}");
            assert!(a["reason"].as_str().unwrap().contains("slow down"), "{a}");
        }
        if want == "error" && matches!(reply, Reply::Drop(..)) {
            assert!(
                a["text"].as_str().unwrap().len() >= 100,
                "the partial answer is kept: {a}"
            );
        }
    }
}

/// The machine-readable part of an ARF report, as text.
fn feedback_report(parsed: &mail_parser::Message<'_>, raw: &[u8]) -> String {
    let report = parsed
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.subtype() == Some("feedback-report"))
        })
        .unwrap();
    String::from_utf8_lossy(&raw[report.offset_body as usize..report.offset_end as usize]).to_string()
}

/// The captured answers for Google's 74.125.225.229 (ARIN) and BT's 62.239.237.1
/// (RIPE): a provider's server and a client line below it.
fn google_and_bt() -> Plan {
    let w = lab::whois_data();
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n + 74.125.225.229",
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    plan.whois(
        "whois.ripe.net",
        RIPE,
        "62.239.237.1",
        Reply::file(&w.join("ip-whois/ripe/ipwhois_62.239.237.1.txt")),
    );
    plan
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn investigate_looks_up_every_external_hop_at_once() {
    let mut plan = google_and_bt();
    plan.records = vec![
        Rr::Ptr("74.125.225.229".parse().unwrap(), "relay.1e100.net"),
        Rr::A("relay.1e100.net", Ipv4Addr::new(74, 125, 225, 229)),
    ];
    let lab = Lab::start(plan);
    let msg = lab.dir.path().join("spam.eml");
    std::fs::write(
        &msg,
        "Received: from mx1.example.org (mx1.example.org [10.0.0.5]) by mail.example.org with ESMTP id A1; Mon, 1 Jan 2024 10:00:03 +0000\n\
         Received: from relay.1e100.net (relay.1e100.net [74.125.225.229]) by mx1.example.org with ESMTP id B2; Mon, 1 Jan 2024 10:00:02 +0000\n\
         Received: from friend (host.bt.example [62.239.237.1]) by relay.1e100.net with SMTP id C3; Mon, 1 Jan 2024 10:00:01 +0000\n\
         From: a@b.example\nSubject: cheap\nMessage-ID: <x@y>\n\nbody\n",
    )
    .unwrap();
    let (v, _) = run_json(
        &lab,
        "",
        &[
            "investigate",
            "--json",
            "--trust",
            "example.org",
            msg.to_str().unwrap(),
        ],
    );
    assert_eq!(v["relay"], 1);
    let hops = v["hops"].as_array().unwrap();
    assert!(
        hops[0].get("lookups").is_none(),
        "the site's own hop is not looked up"
    );
    assert_eq!(
        emails(&hops[1]["lookups"], "owner_contacts")[0],
        "arin-contact@google.com"
    );
    assert_eq!(hops[1]["lookups"]["fcrdns"], true);
    assert!(emails(&hops[2]["lookups"], "owner_contacts").contains(&"protect@bt.com".to_string()));

    // --hop picks one; a hop without an address is a usage error.
    let (one, _) = run_json(
        &lab,
        "",
        &["investigate", "--json", "--hop", "2", msg.to_str().unwrap()],
    );
    assert!(one["hops"][1].get("lookups").is_none());
    assert!(one["hops"][2].get("lookups").is_some());
    let bad = lab
        .command("")
        .args(["investigate", "--hop", "9", msg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&bad.stderr).lines().count(), 1);

    // The readable report names owner, ISP and contacts and never shows a control character.
    let text = lab
        .command("")
        .args(["investigate", "--trust", "example.org", msg.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(text.status.success());
    let s = String::from_utf8(text.stdout).unwrap();
    assert!(
        s.contains("hop 1 (the relay") && s.contains("arin-contact@google.com") && s.contains("owner"),
        "{s}"
    );
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
}

/// Whether this runs as root with `tools` on the PATH (to switch to nobody); under
/// CI their absence fails the test.
fn root_with(tools: &[&str]) -> bool {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !is_root {
        assert!(
            std::env::var_os("RELAYTRACE_CI").is_none(),
            "CI must run this as root"
        );
        eprintln!("SKIPPED: needs root");
        return false;
    }
    tools.iter().all(|t| common::have(t))
}

/// A folder nobody can read with a configuration aimed at the lab, tracing on.
fn nobody_config(lab: &Lab, prefix: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[network]\ndns_servers = [\"{}\"]\ntimeout_secs = 1\ntraceroute = true\ncache = false\n",
            lab.dns
        ),
    )
    .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    (dir, cfg)
}

#[test]
fn traceroute_without_privileges_says_so_and_gives_the_command() {
    // Run as nobody (no CAP_NET_RAW).
    if !root_with(&["setpriv"]) {
        return;
    }
    let lab = Lab::start(Plan::default());
    let (dir, cfg) = nobody_config(&lab, "relaytrace-nobody");
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-net_raw",
        ])
        .arg(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap(), "lookup", "--json", "192.0.2.1"])
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tr = answer(&v, "traceroute", "local");
    assert_eq!(tr["status"], "refused", "{tr}");
    assert!(tr["reason"].as_str().unwrap().contains("CAP_NET_RAW"));
    assert!(
        v["traceroute"]["command"]
            .as_str()
            .unwrap()
            .contains("setcap cap_net_raw")
    );
}

/// Installed as the README says (`setcap cap_net_raw+p`, permitted only), an
/// unprivileged user's relaytrace traces: the capability is raised for the trace
/// and dropped after it (a drop that fails would make the answer an error).
#[test]
fn traceroute_with_the_capability_permitted_on_the_binary_runs_as_nobody() {
    if !root_with(&["setpriv", "setcap"]) {
        return;
    }
    let lab = Lab::start(Plan::default());
    let (dir, cfg) = nobody_config(&lab, "relaytrace-cap");
    let bin = dir.path().join("relaytrace");
    std::fs::copy(env!("CARGO_BIN_EXE_relaytrace"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let set = std::process::Command::new("setcap")
        .args(["cap_net_raw+p", bin.to_str().unwrap()])
        .output()
        .unwrap();
    if !set.status.success() {
        // A filesystem without extended attributes (some overlays) cannot hold it.
        assert!(
            std::env::var_os("RELAYTRACE_CI").is_none(),
            "setcap failed: {}",
            String::from_utf8_lossy(&set.stderr)
        );
        eprintln!(
            "SKIPPED: setcap failed here: {}",
            String::from_utf8_lossy(&set.stderr)
        );
        return;
    }
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(&bin)
        .args(["--config", cfg.to_str().unwrap(), "lookup", "--json", "127.0.0.1"])
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tr = answer(&v, "traceroute", "local");
    assert_eq!(tr["status"], "ok", "{tr}");
    assert!(
        v["traceroute"]["hops"].as_array().is_some_and(|h| !h.is_empty()),
        "{v}"
    );
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn without_the_tables_iana_is_asked_first_and_its_failure_does_not_stop_the_chain() {
    let w = lab::whois_data();
    let ip = "74.125.225.229";
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    // whois.iana.org exists but answers nothing (no captured IANA answer is stored).
    plan.whois("whois.iana.org", Ipv4Addr::new(127, 0, 0, 2), ip, Reply::Silent);
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "iana_tables = false", &["lookup", "--json", ip]);
    let whois: Vec<&str> = v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["protocol"] == "whois")
        .map(|a| a["server"].as_str().unwrap())
        .collect();
    assert!(whois[0].starts_with("whois.iana.org"), "{whois:?}");
    assert_eq!(answer(&v, "whois", "whois.iana.org")["status"], "timeout");
    assert_eq!(answer(&v, "whois", "whois.arin.net")["status"], "ok");
    assert_eq!(emails(&v, "owner_contacts")[0], "arin-contact@google.com");
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn domain_lookup_follows_the_thin_registry_to_the_registrar() {
    let w = lab::whois_data();
    let d = w.join("domain-whois");
    let mut plan = Plan::default();
    plan.whois(
        "whois.verisign-grs.com",
        Ipv4Addr::new(127, 0, 0, 10),
        "domain google.com",
        Reply::file(&d.join("whois-parser__whois.verisign-grs.com__com__status_registered.txt")),
    );
    plan.whois(
        "whois.markmonitor.com",
        Ipv4Addr::new(127, 0, 0, 11),
        "google.com",
        Reply::file(&d.join("whois-parser__whois.markmonitor.com__com__status_registered.txt")),
    );
    plan.records = vec![
        Rr::Mx("google.com", "smtp.google.com"),
        Rr::Txt(
            "google.com.contacts.abuse.lab.test".into(),
            "abuse@google.com".into(),
        ),
    ];
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "", &["lookup", "--json", "google.com"]);
    assert_eq!(v["query"], "google.com");
    assert_eq!(v["domain"]["name"], "google.com");
    assert!(
        v["domain"]["registrar"].as_str().unwrap().contains("MarkMonitor"),
        "{}",
        v["domain"]
    );
    assert_eq!(
        v["domain"]["abuse_contacts"][0]["email"],
        "abusecomplaints@markmonitor.com"
    );
    assert_eq!(v["domain"]["mx"][0], "10 smtp.google.com");
    let owner = emails(&v, "owner_contacts");
    assert_eq!(
        owner[0], "abuse@google.com",
        "abuse.net ranks above the fallback: {owner:?}"
    );
    assert_eq!(v["owner_contacts"][0]["source"], "abuse.net");
    assert_eq!(answer(&v, "whois", "whois.markmonitor.com")["status"], "ok");
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn rdap_rate_limits_and_garbage_are_reported() {
    let w = lab::whois_data();
    let ip = "74.125.225.229";
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    let lab = Lab::start(plan);
    lab.set_rdap(
        "/bootstrap/ipv4.json",
        200,
        lab::bootstrap_ipv4(lab.rdap_port, &[("74.0.0.0/8", "arin")]),
    );
    for (status, body, want) in [
        (
            429,
            b"{\"errorCode\":429,\"title\":\"Too Many Requests\"}".to_vec(),
            "rate_limited",
        ),
        (200, vec![0xff, 0xfe, 0x00, 0x1b], "error"),
        (503, b"down".to_vec(), "error"),
    ] {
        lab.set_rdap(&format!("/arin/ip/{ip}"), status, body);
        let (v, _) = run_json(&lab, "cache = false", &["lookup", "--json", ip]);
        let a = answer(&v, "rdap", "/arin/ip/");
        assert_eq!(a["status"], want, "{a}");
        // whois still names the contact.
        assert_eq!(emails(&v, "owner_contacts")[0], "arin-contact@google.com");
    }
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn apnic_refers_to_the_national_registry() {
    let w = lab::whois_data();
    let ip = "210.107.73.73";
    let mut plan = Plan::default();
    plan.whois(
        "whois.apnic.net",
        Ipv4Addr::new(127, 0, 0, 5),
        ip,
        Reply::file(&w.join("ip-whois/apnic/ipwhois_210.107.73.73.txt")),
    );
    // KRNIC answers with a captured KRNIC answer (of another block: not used for contacts).
    plan.whois(
        "whois.nic.or.kr",
        Ipv4Addr::new(127, 0, 0, 9),
        ip,
        Reply::file(&w.join("ip-whois/nir/phuhn_kr112_220_69_50.txt")),
    );
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    assert_eq!(answer(&v, "whois", "whois.nic.or.kr")["status"], "ok");
    let owner = emails(&v, "owner_contacts");
    assert_eq!(owner[0], "abuse@bora.net", "{owner:?}");
    // The national registry's own desk is never the first choice.
    let kr = v["owner_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["isp_contacts"].as_array().unwrap())
        .find(|c| c["email"] == "hostmaster@nic.or.kr");
    if let Some(kr) = kr {
        assert_eq!(kr["confidence"], "low");
        assert_eq!(kr["preselect"], false);
    }
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn compose_addresses_the_looked_up_contacts_and_attaches_the_spam_whole() {
    let w = lab::whois_data();
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n + 74.125.225.229",
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    let lab = Lab::start(plan);
    let msg = lab.dir.path().join("spam.eml");
    let spam = "Received: from mx1.example.org (mx1.example.org [10.0.0.5]) by mail.example.org with ESMTP id A1; Mon, 1 Jan 2024 10:00:03 +0000\r\n\
                Received: from relay.1e100.net (relay.1e100.net [74.125.225.229]:48213) by mx1.example.org with ESMTP id B2 for <jane@example.org>; Mon, 1 Jan 2024 10:00:02 +0000\r\n\
                From: a@b.example\r\nTo: jane@example.org\r\nSubject: =?utf-8?b?Q2hlYXANCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=\r\n\r\nbody é\r\n";
    std::fs::write(&msg, spam).unwrap();
    let reporter =
        "[reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\nredact = [\"jane@example.org\"]";
    let cfg = lab.config("");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(reporter);
    std::fs::write(&cfg, text).unwrap();
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"));
        c.env("XDG_CACHE_HOME", lab.dir.path().join("cache"))
            .env("XDG_CONFIG_HOME", lab.dir.path().join("none"));
        c.arg("--config").arg(&cfg).args(args).arg(&msg).output().unwrap()
    };
    // A named server sending straight to the site: the complaint says so, not "open relay".
    let out = run(&["compose", "--to", "owner", "--trust", "example.org"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed = mail_parser::MessageParser::default().parse(&out.stdout).unwrap();
    assert!(
        parsed
            .subject()
            .unwrap()
            .starts_with("Spam from your customer's server 74.125.225.229 - re: Cheap"),
        "{:?}",
        parsed.subject()
    );
    let body = parsed.body_text(0).unwrap();
    assert!(
        // The receiver's queue id (B2) is the site's, no use to the sender's desk
        // (issue 22 rule 9): no Queue-ID when the sender wrote no line of its own.
        body.contains("Entry-Class:  spammer_host") && !body.contains("Queue-ID:"),
        "{body}"
    );
    assert!(
        body.contains("2024-01-01 10:00:02 UTC"),
        "the hand-off time in UTC: {body}"
    );
    for format in ["eml", "arf"] {
        let out = run(&[
            "compose",
            "--to",
            "owner",
            "--format",
            format,
            "--trust",
            "example.org",
            "--class",
            "open_relay",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let parsed = mail_parser::MessageParser::default().parse(&out.stdout).unwrap();
        let to: Vec<&str> = parsed.to().unwrap().iter().filter_map(|a| a.address()).collect();
        assert_eq!(to, vec!["arin-contact@google.com"]);
        let subject = parsed.subject().unwrap();
        assert!(
            subject.starts_with("Open Relay - 74.125.225.229 - re: Cheap"),
            "{subject}"
        );
        assert!(
            parsed.header_raw("Bcc").is_none(),
            "the encoded CR/LF in the spam's subject injected nothing"
        );
        let att = parsed.attachments().find(|p| p.is_message()).unwrap();
        let raw = &out.stdout[att.offset_body as usize..];
        if format == "arf" {
            assert!(
                raw.starts_with(spam.as_bytes()),
                "ARF forwards it unredacted by default"
            );
            let fields = feedback_report(&parsed, &out.stdout);
            assert!(
                fields.contains("Source-Port: 48213") && fields.contains("Source-IP: 74.125.225.229"),
                "{fields}"
            );
        } else {
            let redacted = spam.replace("jane@example.org", "redacted@relaytrace.invalid");
            assert!(raw.starts_with(redacted.as_bytes()), "eml redacts by default");
            assert!(String::from_utf8_lossy(&out.stderr).contains("redacted line 2"));
        }
    }
    // The ISP side has no contact here: one clear line, exit 3.
    let out = run(&["compose", "--to", "isp", "--trust", "example.org"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no ISP contact") && err.contains("--add-to"),
        "{err}"
    );
}

/// A compromised account: the provider's relay is the entry, and the second
/// complaint goes to the network of the client that logged in (its hop is looked
/// up), with the time of the login; `investigate` looks that hop up too.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn an_accounts_second_complaint_goes_to_the_clients_network() {
    let plan = google_and_bt();
    let lab = Lab::start(plan);
    let msg = lab.dir.path().join("spam.eml");
    std::fs::write(
        &msg,
        "Received: from mx1.example.org (mx1.example.org [10.0.0.5]) by mail.example.org with ESMTP id A1; Mon, 1 Jan 2024 10:00:03 +0000\r\n\
         Received: from smtp.1e100.net (smtp.1e100.net [74.125.225.229]) by mx1.example.org with ESMTP id B2; Mon, 1 Jan 2024 10:00:02 +0000\r\n\
         Received: from laptop (host.bt.example [62.239.237.1]) by smtp.1e100.net with ESMTPSA id C3; Mon, 1 Jan 2024 09:59:58 +0000\r\n\
         From: a@b.example\r\nSubject: cheap\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n",
    )
    .unwrap();
    let cfg = lab.config("");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("[reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\n");
    std::fs::write(&cfg, text).unwrap();
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"));
        c.env("XDG_CACHE_HOME", lab.dir.path().join("cache"))
            .env("XDG_CONFIG_HOME", lab.dir.path().join("none"));
        c.arg("--config")
            .arg(&cfg)
            .args(args)
            .args(["--trust", "example.org"])
            .arg(&msg)
            .output()
            .unwrap()
    };
    let to = |out: &std::process::Output| -> (Vec<String>, String) {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let parsed = mail_parser::MessageParser::default().parse(&out.stdout).unwrap();
        let to = parsed
            .to()
            .unwrap()
            .iter()
            .filter_map(|a| a.address())
            .map(str::to_string)
            .collect();
        (to, parsed.body_text(0).unwrap().to_string())
    };
    let (owner, body) = to(&run(&["compose", "--to", "owner"]));
    assert_eq!(owner, ["arin-contact@google.com"], "{body}");
    assert!(body.contains("Entry-Class:  compromised_account"), "{body}");
    let (isp, body) = to(&run(&["compose", "--to", "isp"]));
    assert_eq!(
        isp,
        ["protect@bt.com"],
        "the client network's desk, not Google's upstream: {body}"
    );
    assert!(
        body.contains("On 2024-01-01 09:59:58 UTC, a mail client at 62.239.237.1"),
        "the time of the login: {body}"
    );
    assert!(body.contains("Client-Net:   62.239.237.0/24"), "{body}");
    assert!(
        body.contains("Submitted:    2024-01-01 09:59:58 UTC (recorded by smtp.1e100.net)"),
        "{body}"
    );

    // In ARF the source is the address each desk's automation knows as its own.
    for (side, source) in [("owner", "74.125.225.229"), ("isp", "62.239.237.1")] {
        let out = run(&["compose", "--to", side, "--format", "arf"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let parsed = mail_parser::MessageParser::default().parse(&out.stdout).unwrap();
        let fields = feedback_report(&parsed, &out.stdout);
        assert!(
            fields.contains(&format!("Source-IP: {source}\r\n")),
            "{side}: {fields}"
        );
        assert_eq!(fields.matches("Source-IP:").count(), 1, "{fields}");
        if side == "isp" {
            assert!(!fields.contains("Reported-Domain"), "not the client's: {fields}");
        }
    }

    let (v, _) = run_json(
        &lab,
        "",
        &[
            "investigate",
            "--json",
            "--trust",
            "example.org",
            msg.to_str().unwrap(),
        ],
    );
    assert_eq!(v["entry"]["class"], "compromised_account");
    assert_eq!(v["entry"]["client_hop"], 2);
    assert!(emails(&v["hops"][2]["lookups"], "owner_contacts").contains(&"protect@bt.com".to_string()));
    let report = lab
        .command("")
        .args(["investigate", "--trust", "example.org", msg.to_str().unwrap()])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&report.stdout);
    assert!(
        report.contains("hop 2 (the submitting client: its network gets the second complaint)"),
        "{report}"
    );
}

/// A whois answer built to burn CPU (issue 16, H2): one `OrgAbuseEmail:` line with
/// 150,000 addresses, and 60,000 such lines of one address each, both under the
/// 2 MiB answer cap. The lookup ends within its time limit and offers a bounded list.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn a_whois_answer_with_150000_addresses_ends_within_the_limit() {
    use std::fmt::Write as _;
    let w = lab::whois_data();
    let ip = "74.125.225.229";
    let captured = std::fs::read_to_string(w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")).unwrap();
    let one_line: String = (0..150_000).fold(String::new(), |mut s, i| {
        let _ = write!(s, "a{i:x}@b.cd,");
        s
    });
    let many_lines: String = (0..60_000).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "OrgAbuseEmail: a{i:x}@b.cd");
        s
    });
    for flood in [format!("OrgAbuseEmail: {one_line}\n"), many_lines] {
        let text = format!("{captured}\n{flood}");
        assert!(text.len() < 2 << 20, "under the answer cap: {}", text.len());
        let mut plan = Plan::default();
        plan.whois(
            "whois.arin.net",
            ARIN,
            &format!("n + {ip}"),
            Reply::Bytes(text.into_bytes()),
        );
        let lab = Lab::start(plan);
        let (v, took) = run_json(&lab, "", &["lookup", "--json", ip]);
        eprintln!("took {took:?}");
        assert!(
            took < Duration::from_secs(6),
            "the 3 s limit, plus start-up: took {took:?}"
        );
        let a = answer(&v, "whois", "whois.arin.net");
        assert_eq!(a["status"], "ok", "{a}");
        let offered = emails(&v, "owner_contacts").len() + emails(&v, "isp_contacts").len();
        assert!(offered <= 64, "a bounded list of contacts: {offered}");
    }
}

/// `../shared/repro/craft-cox-riko.eml` (issue 11): hop 1 is Cox's reassigned net,
/// whose parent CXA must be asked for; hop 2 an rwhois customer of Hostwinds.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn repro_cox_riko_owner_and_isp_sides() {
    let w = lab::whois_data();
    let repro = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/repro/craft-cox-riko.eml");
    let arin = w.join("ip-whois/arin");
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n + 174.79.60.55",
        Reply::file(&arin.join("phuhn_arin_174.79.60.55_multimatch_2023.txt")),
    );
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n ! NET-174-79-32-0-1",
        Reply::file(&arin.join("phuhn_arin_174.79.60.55_reassigned.txt")),
    );
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n ! NET-174-64-0-0-1",
        Reply::file(&arin.join("phuhn_arin_NET-174-64-0-0-1_2023.txt")),
    );
    // No ARIN answer for 104.168.144.18 was captured: its rwhois answer is served
    // for it (the text relaytrace must read is the rwhois server's).
    plan.whois(
        "whois.arin.net",
        ARIN,
        "n + 104.168.144.18",
        Reply::file(&w.join("ip-whois/rwhois/phuhn_ns104_168_144_18.txt")),
    );
    let lab = Lab::start(plan);
    // The repro message itself: hop 1 is the relay, hop 2 the host below it.
    let (t, _) = run_json(&lab, "", &["investigate", "--json", repro.to_str().unwrap()]);
    let v = t["hops"][1]["lookups"].clone();
    let v2 = t["hops"][2]["lookups"].clone();
    assert_eq!(v["query"], "174.79.60.55");
    assert_eq!(v2["query"], "104.168.144.18");
    let isp = emails(&v, "isp_contacts");
    assert_eq!(
        answer(&v, "whois", "n ! NET-174-64-0-0-1")["status"],
        "ok",
        "the parent was asked for"
    );
    assert!(
        isp.first()
            .is_some_and(|e| e == "abuse@cox.com" || e == "abuse@cox.net"),
        "{isp:?}"
    );
    let pre: Vec<&Value> = v["isp_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["preselect"] == true)
        .collect();
    assert!(
        pre.iter()
            .all(|c| c["email"].as_str().unwrap().starts_with("abuse@")),
        "no named person pre-selected: {pre:?}"
    );
    assert_eq!(v2["owner"]["org"], "Riko");
    assert_eq!(v2["isp"]["org"], "Hostwinds LLC");
    assert_eq!(
        emails(&v2, "isp_contacts").first().map(String::as_str),
        Some("abuse@hostwinds.com")
    );
}

/// The captured KRNIC answer for 112.220.69.50 (no APNIC answer was captured: it is
/// served for APNIC's query) and Abusix's answer for it.
fn krnic() -> Plan {
    let w = lab::whois_data();
    let mut plan = Plan::default();
    plan.whois(
        "whois.apnic.net",
        Ipv4Addr::new(127, 0, 0, 5),
        "*",
        Reply::file(&w.join("ip-whois/nir/phuhn_kr112_220_69_50.txt")),
    );
    plan.records = vec![Rr::Txt(
        "50.69.220.112.abusix.lab.test".into(),
        "ipadm@lguplus.co.kr".into(),
    )];
    plan
}

/// docs/json.md names every member `investigate --json`, `hops --json` and
/// `lookup --json` print (issue 15): here on the KRNIC repro, whose lookups fill
/// most members, and the bundled samples.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn the_json_page_names_every_member_the_commands_print() {
    let lab = Lab::start(krnic());
    let repro = common::shared().join("repro/craft-krnic.eml");
    let mut missing = std::collections::BTreeSet::new();
    let (v, _) = run_json(&lab, "", &["investigate", "--json", repro.to_str().unwrap()]);
    missing.extend(common::undocumented(&v));
    let (v, _) = run_json(&lab, "", &["lookup", "--json", "112.220.69.50"]);
    missing.extend(common::undocumented(&v));
    let (v, _) = run_json(&lab, "", &["lookup", "--json", "example.net"]);
    missing.extend(common::undocumented(&v));
    for sample in
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples")).unwrap()
    {
        let path = sample.unwrap().path();
        if path.extension().is_some_and(|e| e == "eml") {
            let (v, _) = run_json(&lab, "", &["hops", "--json", path.to_str().unwrap()]);
            missing.extend(common::undocumented(&v));
        }
    }
    assert!(missing.is_empty(), "docs/json.md does not name: {missing:?}");
}

/// `../shared/repro/craft-krnic.eml` (issue 11): the KRNIC customer /29 is the owner,
/// LG DACOM's /13 the ISP; Abusix's answer (the allocation holder's desk, as the
/// issue saw it) goes to the ISP side, not to the customer's.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn repro_krnic_customer_and_holder_each_on_its_side() {
    let ip = "112.220.69.50";
    let lab = Lab::start(krnic());
    // The repro message itself: hop 0 is the relay.
    let repro = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/repro/craft-krnic.eml");
    let (t, _) = run_json(&lab, "", &["investigate", "--json", repro.to_str().unwrap()]);
    let v = t["hops"][0]["lookups"].clone();
    assert_eq!(v["query"], ip);
    let owner = emails(&v, "owner_contacts");
    let isp = emails(&v, "isp_contacts");
    assert_eq!(
        owner.first().map(String::as_str),
        Some("b8273338@user.bora.net"),
        "{owner:?}"
    );
    assert!(isp.contains(&"ipadm@lguplus.co.kr".to_string()), "{isp:?}");
    assert!(
        !owner.contains(&"ipadm@lguplus.co.kr".to_string()),
        "no cross-side: {owner:?}"
    );
    assert_eq!(v["owner"]["org"], "LG Uplus");
    assert_eq!(v["isp"]["org"], "LG DACOM Corporation");
    assert!(
        v["isp"]["basis"]
            .as_str()
            .unwrap()
            .contains("holder of the allocation"),
        "{}",
        v["isp"]
    );
}

/// Referrals and redirects written by a hostile answer cannot aim relaytrace at
/// loopback, private or metadata addresses (issue 16): with `allow_private_servers`
/// off, the lab's whois server on 127.0.0.3 is refused, not asked.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn private_servers_are_refused_unless_allowed() {
    let w = lab::whois_data();
    let ip = "74.125.225.229";
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        &format!("n + {ip}"),
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    let lab = Lab::start(plan);
    let (v, _) = run_json(&lab, "allow_private_servers = false", &["lookup", "--json", ip]);
    let a = answer(&v, "whois", "whois.arin.net");
    assert_eq!(a["status"], "refused", "{a}");
    assert!(a["reason"].as_str().unwrap().contains("private"), "{a}");
    let (v, _) = run_json(&lab, "", &["lookup", "--json", ip]);
    assert_eq!(answer(&v, "whois", "whois.arin.net")["status"], "ok");
}

/// Requests to one whois server start at most `per_server_rate` a second, however
/// many are asked at once (issue 16: a forged chain must not become a burst against
/// one registry); answers from the cache are not paced.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn one_server_is_asked_at_a_bounded_rate() {
    use relaytrace::config::{Network, Zones};
    let w = lab::whois_data();
    let mut plan = Plan::default();
    plan.whois(
        "whois.arin.net",
        ARIN,
        "*",
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    let lab = Lab::start(plan);
    let net = Network {
        dns_servers: vec![lab.dns.to_string()],
        whois_port: lab.whois_port,
        timeout_secs: 10.0,
        cache: false,
        traceroute: false,
        allow_private_servers: true,
        per_server: 8,
        per_server_rate: 5.0,
        ..Network::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = relaytrace::lookup::Engine::new(net, Zones::default(), None, false, false).unwrap();
    let queries: Vec<String> = (1..=6).map(|i| format!("n + 74.125.225.{i}")).collect();
    let started = Instant::now();
    let answers = rt.block_on(futures_util::future::join_all(
        queries
            .iter()
            .map(|q| engine.whois("whois", "whois.arin.net", lab.whois_port, q)),
    ));
    let took = started.elapsed();
    assert!(answers.iter().all(|h| h.answer.ok()), "{answers:?}");
    // Six starts at 5 a second: the sixth no sooner than a second after the first.
    assert!(took >= Duration::from_millis(950), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    // The same questions again come from memory at once.
    let again = Instant::now();
    rt.block_on(futures_util::future::join_all(
        queries
            .iter()
            .map(|q| engine.whois("whois", "whois.arin.net", lab.whois_port, q)),
    ));
    assert!(
        again.elapsed() < Duration::from_millis(300),
        "{:?}",
        again.elapsed()
    );
}

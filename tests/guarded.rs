//! Hostile servers with the private-address guards ON (issue 21). The other lookup
//! tests run the lab on 127.0.0.x with `allow_private_servers`, which switches the
//! guards off; here each test runs in a network namespace of its own (`unshare`:
//! a user namespace, no root needed), with the lab on public-looking addresses on
//! that namespace's loopback and on the real ports (DNS aside). No packet leaves
//! the namespace: it has no other interface.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;
mod lab;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lab::{Lab, Plan, Reply};

/// Set in the namespace: the test body runs there.
const INSIDE: &str = "RELAYTRACE_IN_NETNS";
const WHOIS_IP: Ipv4Addr = Ipv4Addr::new(81, 2, 69, 43);
const RDAP_IP: Ipv4Addr = Ipv4Addr::new(81, 2, 69, 80);
/// A host whose SSH and SMTP ports hostile links point at.
const TRAP_IP: Ipv4Addr = Ipv4Addr::new(81, 2, 69, 99);
const ADDRESSES: [Ipv4Addr; 3] = [WHOIS_IP, RDAP_IP, TRAP_IP];

/// Runs `body` in a new user and network namespace with [`ADDRESSES`] on its
/// loopback: this test binary again, for this one test. Where namespaces cannot be
/// made (a container that forbids them) the test says SKIPPED, and fails under CI.
fn in_namespace(test: &str, body: impl FnOnce()) {
    if std::env::var_os(INSIDE).is_some() {
        body();
        return;
    }
    if !common::have("unshare") || !common::have("ip") {
        return;
    }
    let mut script = String::from("set -e; ip link set lo up; ");
    for a in ADDRESSES {
        let _ = write!(script, "ip addr add {a}/32 dev lo; ");
    }
    script.push_str("exec \"$0\" --exact \"$1\" --nocapture --test-threads=1");
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c", &script])
        .arg(std::env::current_exe().unwrap())
        .arg(test)
        .env(INSIDE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.starts_with("unshare:") {
        assert!(
            std::env::var_os("RELAYTRACE_CI").is_none(),
            "CI must allow user and network namespaces: {stderr}"
        );
        eprintln!("SKIPPED: no network namespace here: {stderr}");
        return;
    }
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "in the namespace:\n{stdout}\n{stderr}"
    );
}

/// A listener that counts connections (and answers nothing).
fn trap(port: u16) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    let l = std::net::TcpListener::bind((TRAP_IP, port)).unwrap();
    let count = n.clone();
    std::thread::spawn(move || {
        for c in l.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            drop(c);
        }
    });
    n
}

/// The lab on public addresses: whois.ripe.net at [`WHOIS_IP`]:43, RDAP at
/// [`RDAP_IP`]:80, with `whois` as RIPE's answer to anything.
fn public_lab(whois: Reply) -> Lab {
    let mut plan = Plan {
        rdap_at: Some(SocketAddr::new(IpAddr::V4(RDAP_IP), 80)),
        whois_port: Some(43),
        ..Plan::default()
    };
    plan.whois("whois.ripe.net", WHOIS_IP, "*", whois);
    let lab = Lab::start(plan);
    lab.set_rdap(
        "/bootstrap/ipv4.json",
        200,
        serde_json::to_vec(&serde_json::json!({
            "version": "1.0",
            "services": [[["62.0.0.0/8"], [format!("http://{}/ripe/", lab::RDAP_HOST)]]]
        }))
        .unwrap(),
    );
    lab
}

/// `relaytrace lookup --json IP` against the lab with the guards on.
fn lookup(lab: &Lab, args: &[&str]) -> serde_json::Value {
    let out = lab
        .command("allow_private_servers = false")
        .args(["lookup", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The answers of one protocol.
fn answers<'a>(v: &'a serde_json::Value, protocol: &str) -> Vec<&'a serde_json::Value> {
    v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["protocol"] == protocol)
        .collect()
}

const IP: &str = "62.239.237.1";

/// RDAP's `up` link and a redirect, both to a public address's SSH or SMTP port:
/// neither is connected to, and each says why. The guards on, the ordinary
/// lookups still work: the registry's answers are read and ranked.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn rdap_links_and_redirects_reach_web_ports_only() {
    in_namespace("rdap_links_and_redirects_reach_web_ports_only", || {
        let w = lab::whois_data();
        let lab = public_lab(Reply::file(&w.join("ip-whois/ripe/ipwhois_62.239.237.1.txt")));
        let smtp = trap(25);
        let ssh = trap(22);
        let mut net: serde_json::Value =
            serde_json::from_slice(&std::fs::read(w.join("rdap/ip/ipwhois_ripe_62.239.237.1.json")).unwrap())
                .unwrap();
        net["links"] =
            serde_json::json!([{"rel": "up", "href": format!("http://{TRAP_IP}:25/ip/62.0.0.0/8")}]);
        lab.set_rdap(&format!("/ripe/ip/{IP}"), 200, serde_json::to_vec(&net).unwrap());
        let v = lookup(&lab, &[IP]);
        let rdap = answers(&v, "rdap");
        let refused = rdap
            .iter()
            .find(|a| a["query"].as_str().unwrap().contains(":25/"))
            .unwrap_or_else(|| panic!("the up link is listed: {rdap:#?}"));
        assert_eq!(refused["status"], "refused", "{refused}");
        assert!(
            refused["reason"]
                .as_str()
                .unwrap()
                .contains("not an HTTP or HTTPS port"),
            "{refused}"
        );
        // The guards did not stop the real work.
        let owner: Vec<&str> = v["owner_contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["email"].as_str().unwrap())
            .collect();
        assert!(owner.contains(&"protect@bt.com"), "{owner:?}");

        // A redirect to SSH.
        lab.set_rdap(
            &format!("/ripe/ip/{IP}"),
            302,
            format!("http://{TRAP_IP}:22/ip/{IP}").into_bytes(),
        );
        let v = lookup(&lab, &["--refresh", IP]);
        let rdap = answers(&v, "rdap");
        let net = rdap
            .iter()
            .find(|a| a["query"].as_str().unwrap().ends_with(&format!("/ip/{IP}")))
            .unwrap();
        assert_ne!(net["status"], "ok", "{net}");
        assert!(net["reason"].as_str().unwrap().contains("80, 443"), "{net}");
        assert_eq!(smtp.load(Ordering::SeqCst), 0, "nothing reached port 25");
        assert_eq!(ssh.load(Ordering::SeqCst), 0, "nothing reached port 22");
    });
}

/// A whois answer of junk, random bytes or printable text, is an error and is not
/// cached: offline afterwards, the cache has nothing for it.
#[test]
fn junk_whois_answers_are_not_cached() {
    in_namespace("junk_whois_answers_are_not_cached", || {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let random: Vec<u8> = (0..4000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x & 0xff) as u8
            })
            .collect();
        let printable = b"zz qq: xx @ yy.zz\nab: cd ef\nlorem: ipsum@dolor.sit amet\n".repeat(40);
        for junk in [random, printable] {
            let lab = public_lab(Reply::Bytes(junk));
            let v = lookup(&lab, &[IP]);
            let whois = answers(&v, "whois");
            assert!(!whois.is_empty());
            for a in &whois {
                assert_eq!(a["status"], "error", "{a}");
            }
            let v = lookup(&lab, &["--offline", IP]);
            for a in answers(&v, "whois") {
                assert!(a["reason"].as_str().unwrap().contains("not in the cache"), "{a}");
            }
        }
    });
}

/// Issue 21: with no network at all, a DNS failure says so in the user's words,
/// not the resolver's ("no connections available").
#[test]
fn no_network_is_said_as_such() {
    in_namespace("no_network_is_said_as_such", || {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        // An address on no interface of the namespace: unreachable.
        std::fs::write(
            &cfg,
            "[network]\ndns_servers = [\"192.0.2.53\"]\ntimeout_secs = 2\ntraceroute = false\ncache = false\n",
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_relaytrace"))
            .args(["--config", cfg.to_str().unwrap(), "lookup", "--json", "81.2.69.7"])
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let dns = answers(&v, "dns");
        assert!(!dns.is_empty());
        for a in dns {
            let why = a["reason"].as_str().unwrap();
            assert!(
                why.starts_with("no network: no DNS server could be reached"),
                "{why}"
            );
        }
    });
}

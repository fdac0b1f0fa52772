//! `--offline` means no packet leaves the machine (issue 15): every command and the
//! TUI run against a lab whose DNS, whois and RDAP servers count every request they
//! get, with an empty cache; the count stays at zero. The traceroute (ICMP, which no
//! lab server sees) says it was not run. The same lookup without `--offline` is the
//! control: the lab sees it.

#![allow(clippy::unwrap_used)]

mod lab;

use std::sync::atomic::Ordering;
use std::time::Duration;

use lab::{Lab, Plan, Rr};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/samples/sa20021010-0031.eml");

fn lab() -> Lab {
    Lab::start(Plan {
        records: vec![Rr::Txt("x.lab.test".into(), "y".into())],
        ..Plan::default()
    })
}

#[test]
fn no_command_contacts_anything_offline() {
    let lab = lab();
    let extra = "traceroute = true";
    let with_reporter = |c: &mut std::process::Command| {
        c.env("XDG_STATE_HOME", lab.dir.path().join("state"));
        c.env("XDG_DATA_HOME", lab.dir.path().join("data"));
    };
    let runs: [&[&str]; 6] = [
        &["--offline", "lookup", "--json", "192.0.2.1"],
        &["--offline", "lookup", "example.com"],
        &["--offline", "investigate", "--json", SAMPLE],
        &[
            "--offline",
            "compose",
            "--to",
            "owner",
            "--add-to",
            "abuse@x.test",
            SAMPLE,
        ],
        &["--offline", "relaytest", "192.0.2.1"],
        &["hops", "--json", SAMPLE],
    ];
    for args in runs {
        let mut c = lab.command(extra);
        with_reporter(&mut c);
        let out = c.args(args).output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if args[1] == "lookup" && args[2] == "--json" {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let route = v["answers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["protocol"] == "traceroute")
                .expect("the traceroute is reported");
            assert!(route["reason"].as_str().unwrap().contains("--offline"), "{route}");
        }
        assert_eq!(lab.hits.load(Ordering::SeqCst), 0, "{args:?} contacted the lab");
    }
    // The control: the same lookup online reaches the lab.
    lab.command("")
        .args(["lookup", "--json", "192.0.2.1"])
        .output()
        .unwrap();
    assert!(lab.hits.load(Ordering::SeqCst) > 0, "the counter counts");
}

/// The TUI under `--offline`: opening, the refresh and retry keys, the relay test
/// and composing contact nothing.
#[test]
fn the_tui_contacts_nothing_offline() {
    let lab = lab();
    let cfg = lab.config("");
    let state = lab.dir.path().join("state");
    let mut pty = lab::pty::Pty::spawn(
        &["--offline", "--config", cfg.to_str().unwrap(), SAMPLE],
        &[
            ("XDG_STATE_HOME", state.as_path()),
            ("XDG_DATA_HOME", state.as_path()),
            ("XDG_CACHE_HOME", state.as_path()),
        ],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    for keys in ["F", "r", "j", "F", "k"] {
        pty.send(keys);
        std::thread::sleep(Duration::from_millis(150));
    }
    pty.send("\x1b[Z");
    pty.wait_for("the evidence, listed only", Duration::from_secs(5), |s| {
        s.contents().contains("listed only: no network (--offline)")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    assert_eq!(
        lab.hits.load(Ordering::SeqCst),
        0,
        "the TUI contacted the lab offline"
    );
}

//! `relaytrace relaytest` against loopback SMTP peers: open for each recipient form
//! in turn, closed, greylisting and silent. Every line the client sent is recorded:
//! no DATA, ever.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "lab/smtp.rs"]
mod smtp_peer;

use std::time::{Duration, Instant};

use smtp_peer::{RelayMode, relay_peer};

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[network]\nallow_private_servers = true\ntimeout_secs = 2\ntraceroute = false\n[reporter]\nname = \"Jane\"\naddress = \"jane@example.org\"\n",
        )
        .unwrap();
        Run { dir }
    }

    fn relaytest(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("none"))
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("relaytest")
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.relaytest(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

const FORMS: [&str; 8] = [
    "jane@example.org",
    "jane%example.org@mail.relay.test",
    "jane%example.org@[127.0.0.1]",
    "example.org!jane@mail.relay.test",
    "example.org!jane",
    "\"jane@example.org\"@mail.relay.test",
    "@mail.relay.test:jane@example.org",
    "jane@example.org@mail.relay.test",
];

fn no_data(log: &[String]) {
    assert!(
        !log.iter().any(|l| l.to_ascii_uppercase().starts_with("DATA") || l.to_ascii_uppercase().starts_with("BDAT")),
        "a DATA command was sent: {log:?}"
    );
}

#[test]
fn open_for_each_form_and_stops_at_the_first_accepted() {
    for (k, form) in FORMS.iter().enumerate() {
        let run = Run::new();
        let (port, log) = relay_peer(RelayMode::OpenFor((*form).to_string()));
        let v = run.json(&[
            "--json",
            "--port",
            &port.to_string(),
            "--name",
            "mail.relay.test",
            "127.0.0.1",
        ]);
        assert_eq!(v["verdict"], "open", "{form}: {v}");
        assert_eq!(v["accepted"], *form);
        let log = log.lock().unwrap().clone();
        no_data(&log);
        let rcpts = log.iter().filter(|l| l.starts_with("RCPT TO:")).count();
        assert_eq!(rcpts, k + 1, "stops at the first accepted: {log:?}");
        // Each RCPT is followed by RSET; EHLO with the reporter's domain; QUIT last.
        assert_eq!(log.iter().filter(|l| *l == "RSET").count(), k + 1);
        assert_eq!(log[0], "EHLO example.org");
        assert_eq!(log.last().unwrap(), "QUIT");
        assert!(
            log.iter()
                .filter(|l| l.starts_with("MAIL FROM:"))
                .all(|l| l == "MAIL FROM:<jane@example.org>")
        );
        assert!(v["transcript"].as_array().unwrap().len() >= 4);
        assert!(v["swaks"][0].as_str().unwrap().contains("--quit-after RCPT"));
    }
}

#[test]
fn closed_greylisted_and_silent() {
    let run = Run::new();
    let (port, log) = relay_peer(RelayMode::Closed);
    let v = run.json(&["--json", "--port", &port.to_string(), "127.0.0.1"]);
    assert_eq!(v["verdict"], "closed", "{v}");
    // Without --name the relay's name is its literal: seven distinct forms, each
    // offered once (issue 21: one was sent twice).
    assert!(v["reason"].as_str().unwrap().contains("refused all 7"), "{v}");
    let rcpts: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.to_ascii_uppercase().starts_with("RCPT"))
        .cloned()
        .collect();
    let unique: std::collections::HashSet<&String> = rcpts.iter().collect();
    assert_eq!((rcpts.len(), unique.len()), (7, 7), "{rcpts:?}");
    assert!(
        common::undocumented(&v).is_empty(),
        "docs/json.md does not name {:?}",
        common::undocumented(&v)
    );
    no_data(&log.lock().unwrap());

    let run = Run::new();
    let (port, log) = relay_peer(RelayMode::Greylist);
    let v = run.json(&["--json", "--port", &port.to_string(), "127.0.0.1"]);
    assert_eq!(v["verdict"], "greylisted", "{v}");
    no_data(&log.lock().unwrap());

    // Silent: the step time limit (2 s) ends it as unreachable.
    let run = Run::new();
    let (port, log) = relay_peer(RelayMode::Silent);
    let started = Instant::now();
    let v = run.json(&["--json", "--port", &port.to_string(), "127.0.0.1"]);
    assert_eq!(v["verdict"], "unreachable", "{v}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(log.lock().unwrap().is_empty());

    // Nothing listening: unreachable, said.
    let run = Run::new();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let v = run.json(&["--json", "--port", &free.to_string(), "127.0.0.1"]);
    assert_eq!(v["verdict"], "unreachable");
}

#[test]
fn once_a_day_unless_forced_never_private_never_offline() {
    let run = Run::new();
    let (port, log) = relay_peer(RelayMode::Closed);
    let p = port.to_string();
    run.json(&["--json", "--port", &p, "127.0.0.1"]);
    let again = run.relaytest(&["--port", &p, "127.0.0.1"]);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("one test per relay per day") && err.contains("(closed)"),
        "{err}"
    );
    let forced = run.json(&["--json", "--force", "--port", &p, "127.0.0.1"]);
    assert_eq!(forced["verdict"], "closed");
    let ehlos = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("EHLO"))
        .count();
    assert_eq!(ehlos, 2, "the refused run never connected");

    // A private target without allow_private_servers, and --offline: refused.
    let strict = Run::new();
    std::fs::write(
        strict.dir.path().join("config.toml"),
        "[reporter]\naddress = \"jane@example.org\"\n",
    )
    .unwrap();
    let out = strict.relaytest(&["--port", &p, "127.0.0.1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("private or loopback"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .env("XDG_STATE_HOME", run.dir.path().join("state2"))
        .arg("--config")
        .arg(run.dir.path().join("config.toml"))
        .args(["--offline", "relaytest", "--port", &p, "127.0.0.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--offline"));
    // The text form: verdict, transcript, swaks commands.
    let text = run.relaytest(&["--force", "--port", &p, "127.0.0.1"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(": closed")
            && text.contains("C: EHLO example.org")
            && text.contains("swaks --server 127.0.0.1"),
        "{text}"
    );
}

//! The binary: exit codes, error lines, JSON shape, NDJSON for an mbox, stdin, and
//! snapshots of the readable report for the bundled samples.

#![allow(clippy::unwrap_used, clippy::many_single_char_names, clippy::too_many_lines)] // test code: a panic is the failure report

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relaytrace"));
    // Never read the developer's own configuration.
    c.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("relaytrace-tests-no-config"),
    );
    c.env_remove("HOME");
    c
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/samples")
        .join(name)
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error exits before reading: a closed pipe here is not a failure.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn stderr_line(o: &Output) -> String {
    let s = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(s.lines().count(), 1, "one error line, got {s:?}");
    s
}

#[test]
fn not_a_message_is_exit_1_with_one_line() {
    let o = run(&["hops", "-"], b"\x00\x01\x02\xff binary junk\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr_line(&o).contains("not an e-mail message"));
    let o = run(&["hops", "-"], b"");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn missing_file_and_directory_are_exit_1() {
    let o = run(&["hops", "/nonexistent/spam.eml"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr_line(&o).contains("no such file"));
    let o = run(&["hops", env!("CARGO_MANIFEST_DIR")], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr_line(&o).contains("is a directory"));
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(run(&["hops"], b"").status.code(), Some(2));
    assert_eq!(run(&["--bogus"], b"").status.code(), Some(2));
    assert_eq!(run(&[], b"").status.code(), Some(2));
    let o = run(&["hops", "--trust", "not a host", "-"], b"Subject: x\n\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_line(&o).contains("--trust"));
    let o = run(
        &["hops", "--config", "/nonexistent/config.toml", "-"],
        b"Subject: x\n\n",
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_is_one_compact_object_with_the_contract_fields() {
    let o = bin()
        .args(["hops", "--json"])
        .arg(sample("sa20021010-0205.eml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    for k in ["subject", "message_id", "hops", "relay", "input_point"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let hop = &v["hops"][2];
    for k in [
        "index",
        "raw",
        "parsed",
        "from_helo",
        "from_rdns",
        "from_ip",
        "by",
        "with",
        "id",
        "for",
        "ident",
        "envfrom",
        "auth",
        "tls",
        "date",
        "delay_s",
        "handoff",
        "reasons",
    ] {
        assert!(hop.get(k).is_some(), "missing hop field {k}");
    }
    assert_eq!(v["relay"], 2);
    assert_eq!(v["input_point"], 3);
    assert_eq!(v["hops"][3]["from_ip"], "209.240.238.223");
}

#[test]
fn mbox_gives_ndjson_in_order_and_message_picks_one() {
    let mut mbox = Vec::new();
    for name in [
        "sa20021010-0011.eml",
        "sa20021010-0031.eml",
        "sa20021010-0205.eml",
    ] {
        mbox.extend(std::fs::read(sample(name)).unwrap());
    }
    let o = run(&["hops", "--json", "-"], &mbox);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["hops"][2]["from_ip"], "216.201.75.12");
    let o = run(&["hops", "--json", "--message", "3", "-"], &mbox);
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("209.240.238.223"));
    let o = run(&["hops", "--message", "9", "-"], &mbox);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr_line(&o).contains("no message 9"));
}

#[test]
fn no_control_character_reaches_the_terminal() {
    let evil = b"Subject: \x1b]0;pwned\x07 \x1b[2J hi\r\nReceived: from \x1b[31mevil (x [81.2.69.1]) by mx.example.org\x9b; Mon, 1 Mar 2004 10:00:00 +0000\r\n\r\n";
    let o = run(&["hops", "-"], evil);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(out.contains("\\x1b"));
}

#[test]
fn trust_option_moves_the_relay() {
    let path = sample("sa20021010-0205.eml");
    let o = bin()
        .args(["hops", "--json", "--trust", "cpinternet.com"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["relay"], 3);
    assert_eq!(v["hops"][2]["handoff"], "trusted");
}

#[test]
fn help_explains_the_tool() {
    let o = run(&["--help"], b"");
    let text = String::from_utf8(o.stdout).unwrap();
    for word in [
        "input point",
        "relay",
        "--trust",
        "--message",
        "hops",
        "Exit status",
    ] {
        assert!(text.contains(word), "--help lacks {word}");
    }
}

#[test]
fn sample_reports() {
    for name in [
        "sa20021010-0031.eml",
        "sa20021010-0011.eml",
        "sa20021010-0205.eml",
        "glitchy-2025-94.eml",
    ] {
        let o = bin().arg("hops").arg(sample(name)).output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        let text = String::from_utf8(o.stdout).unwrap();
        // The path differs between machines.
        let text = text.replace(&sample(name).display().to_string(), name);
        insta::assert_snapshot!(name, text);
    }
}

/// `../shared/repro/norcvd.eml` (no Received line): no complaint, one line saying why.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn a_message_without_an_external_hop_composes_nothing() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/repro/norcvd.eml");
    let out = run(
        &["compose", "--offline", "--to", "owner", p.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing composed");
    assert!(stderr_line(&out).contains("no external hop"));
    let out = run(&["hops", "--json", p.to_str().unwrap()], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entry"]["class"], "unknown");
    assert!(v["entry"]["hop"].is_null() && v["input_point"].is_null());
}

/// An account's second complaint with no public client address recorded: one line
/// that says so, not the entry's hop.
#[test]
fn an_account_without_a_public_client_says_so() {
    let msg = "Received: from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
               Received: from laptop (laptop.lan [192.168.1.20]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n\
               Subject: x\r\n\r\nbody\r\n";
    let out = run(&["compose", "--offline", "--to", "isp", "-"], msg.as_bytes());
    assert_eq!(out.status.code(), Some(3));
    let line = stderr_line(&out);
    assert!(
        line.contains("no public address of the submitting client") && line.contains("--add-to"),
        "{line}"
    );
}

/// Issue 16 (low): a UTF-8 BOM before the header is not a refusal; `/dev/zero` ends
/// with one clear line; bidi controls in `--json` are escaped like C0 controls.
#[test]
fn bom_endless_input_and_bidi_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.eml");
    std::fs::write(
        &bom,
        b"\xef\xbb\xbfReceived: from a (b [81.2.69.7]) by mx.example.org; Mon, 1 Mar 2004 10:00:00 +0000\nSubject: x\xe2\x80\xae evil\n\nbody\n",
    )
    .unwrap();
    let out = run(&["hops", "--json", bom.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(r#""subject":"x\u202e evil""#), "{text}");
    assert!(!text.contains('\u{202e}'));
    if std::path::Path::new("/dev/zero").exists() {
        let out = run(&["hops", "/dev/zero"], b"");
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr_line(&out).contains("larger than 256 MiB"));
    }
}

/// A forged chain of 1,000 external hops (issue 16): only the hops that matter are
/// looked up, a bounded number.
#[test]
fn a_thousand_forged_hops_give_a_bounded_set_of_lookups() {
    use std::fmt::Write as _;
    let mut m = String::from(
        "Received: from relay.example.net (relay.example.net [81.2.69.7]) by mx.example.org with ESMTP id A; Mon, 1 Mar 2004 10:00:05 +0000\n",
    );
    for i in 0..1000 {
        let _ = writeln!(
            m,
            "Received: from h{i}.example.com (h{i}.example.com [82.{}.{}.9]) by h{}.example.com with SMTP; Mon, 1 Mar 2004 10:00:00 +0000",
            i / 250,
            i % 250,
            i + 1
        );
    }
    m.push_str("Subject: x\n\nbody\n");
    let bytes = m.into_bytes();
    let msg = relaytrace::message::Reader::new(&bytes[..])
        .next()
        .unwrap()
        .unwrap();
    let mut opts = relaytrace::trace::Options::default();
    opts.site.add("example.org").unwrap();
    let t = relaytrace::trace::analyse(&msg, &opts);
    let wanted = relaytrace::trace::hops_to_look_up(&t);
    assert!(
        !wanted.is_empty() && wanted.len() <= relaytrace::trace::MAX_LOOKED_UP,
        "{wanted:?}"
    );
    assert!(wanted.contains(&t.relay.unwrap()));
    if let Some(e) = t.entry.hop {
        assert!(wanted.contains(&e), "the entry {e} is looked up: {wanted:?}");
    }
}

/// `compose --format text` with a bad `--add-to` fails as eml does (issue 16), not
/// with every recipient silently dropped and exit 0.
#[test]
fn compose_text_with_a_bad_recipient_is_a_usage_error() {
    for format in ["text", "eml"] {
        let out = run(
            &[
                "compose",
                "--offline",
                "--to",
                "owner",
                "--format",
                format,
                "--add-to",
                "not an address",
                sample("sa20021010-0031.eml").to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{format}");
    }
}

/// `[input] max_message_mb` (issue 16): a message past it ends with one line that
/// names the limit and how to raise it, exit 1; below it, it is read.
#[test]
fn the_input_limit_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[input]\nmax_message_mb = 1\n").unwrap();
    let big = dir.path().join("big.eml");
    let mut text = b"Received: from a by b\nSubject: big\n\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 2 << 20));
    std::fs::write(&big, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap(), "hops", big.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("larger than 1 MiB") && err.contains("max_message_mb"),
        "{err}"
    );
    std::fs::write(&cfg, "[input]\nmax_message_mb = 3\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap(), "hops", big.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&cfg, "[input]\nmax_message_mb = 0\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap(), "hops", big.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A new user on a new machine (issue 15): no configuration, a HOME of their own.
/// `config path` names where it goes, `config init` writes a starter file (and
/// never over one), `config show` reads it back; completions parse in bash; the
/// manual renders.
#[test]
fn a_fresh_home_gets_a_configuration_completions_and_a_manual() {
    let home = tempfile::tempdir().unwrap();
    let fresh = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_relaytrace"));
        for v in [
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
        ] {
            c.env_remove(v);
        }
        c.env("HOME", home.path());
        c
    };
    let out = |args: &[&str]| fresh().args(args).output().unwrap();
    let path = home.path().join(".config/relaytrace/config.toml");
    let o = out(&["config", "path"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        path.display().to_string()
    );
    let o = out(&["config", "show"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("does not exist: the defaults apply"));
    let o = out(&["config", "init"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(path.is_file());
    let o = out(&["config", "init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_line(&o).contains("is there already"),
        "{}",
        stderr_line(&o)
    );
    let o = out(&["config", "show"]);
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        shown.contains(&format!("# read from {}", path.display())),
        "{shown}"
    );
    assert!(shown.contains("whois_port = 43  # default"), "{shown}");
    // A starter file edited: the value and its line come back.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("# timeout_secs = 8.0", "timeout_secs = 3.0");
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l == "timeout_secs = 3.0").unwrap() + 1;
    let o = out(&["config", "show"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("timeout_secs = 3.0  # config.toml:{line}")),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // A typo is refused with its line and the nearest name.
    std::fs::write(&path, "[network]\ntimout_secs = 3\n").unwrap();
    let o = out(&["config", "show"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_line(&o).contains("did you mean `timeout_secs`?"),
        "{}",
        stderr_line(&o)
    );

    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = out(&["completions", shell]);
        assert!(o.status.success() && o.stdout.len() > 500, "{shell}");
    }
    let script = home.path().join("relaytrace.bash");
    std::fs::write(&script, out(&["completions", "bash"]).stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Loaded, it completes the subcommands.
    let complete = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(relaytrace con); COMP_CWORD=1; _relaytrace relaytrace con relaytrace; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&complete.stdout)
            .lines()
            .any(|l| l == "config"),
        "{}",
        String::from_utf8_lossy(&complete.stdout)
    );

    let o = out(&["man"]);
    assert!(
        o.status.success() && o.stdout.starts_with(b".ie \\n(.g .ds Aq"),
        "a roff page"
    );
    let dir = home.path().join("man1");
    let o = out(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(o.status.success());
    for page in ["relaytrace.1", "relaytrace-config-init.1", "relaytrace-compose.1"] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    // Every page a page names exists; each has the sections an installed user
    // needs; `--help` points at the installed pages, not the source tree.
    let mut named = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for section in [
            "\n.SH \"EXIT STATUS\"",
            "\n.SH ENVIRONMENT",
            "\n.SH FILES",
            "\n.SH \"SEE ALSO\"",
        ] {
            assert!(text.contains(section), "{section}");
        }
        for (i, _) in text.match_indices("\\fBrelaytrace") {
            let name: String = text[i + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if text[i..].contains("(1)") {
                named.insert(name);
            }
        }
    }
    for name in &named {
        assert!(
            dir.join(format!("{name}.1")).is_file(),
            "{name}(1) is named but not written"
        );
    }
    assert!(!dir.join("relaytrace-help.1").exists() && !named.contains("relaytrace-help"));
    let help = String::from_utf8(out(&["--help"]).stdout).unwrap();
    assert!(
        !help.contains("source tree") && help.contains("man relaytrace"),
        "{help}"
    );
    if common::have("groff") {
        let rendered = Command::new("groff")
            .args(["-man", "-Tutf8", "-P-cbou"])
            .arg(dir.join("relaytrace-compose.1"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(
            rendered.status.success() && text.contains("NAME") && text.contains("--format"),
            "{text}"
        );
    }
}

/// Issue 21: every value is checked as the file is read, with its line: a bad DNS
/// server, a reporter address holding a line break or an escape (for every
/// format), a misspelt `[keys]` action.
#[test]
fn every_configuration_value_is_checked_at_load_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let cases: [(&str, &str); 5] = [
        (
            "[network]\ntimeout_secs = 2\ndns_servers = [\"not-an-ip\"]\n",
            "[network] dns_servers (line 3)",
        ),
        (
            "[reporter]\nname = \"J\"\naddress = \"jane@example.org\\r\\nBcc: x@example.net\"\n",
            "[reporter] address (line 3)",
        ),
        (
            "[reporter]\naddress = \"jane\\u001b]0;x@example.org\"\n",
            "[reporter] address (line 2)",
        ),
        (
            "[keys]\nquit = \"q\"\nqiut = \"x\"\n",
            "[keys] qiut (line 3): no such action: did you mean quit?",
        ),
        (
            "[zones]\n\ndnsbl = [\"bl.example.org\", \"bad zone\"]\n",
            "[zones] dnsbl (line 3)",
        ),
    ];
    for (text, said) in cases {
        std::fs::write(&cfg, text).unwrap();
        let o = bin()
            .args(["--config", cfg.to_str().unwrap(), "config", "show"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(stderr_line(&o).contains(said), "{text}: {}", stderr_line(&o));
        for format in ["eml", "arf", "text"] {
            let o = bin()
                .args([
                    "--config",
                    cfg.to_str().unwrap(),
                    "compose",
                    "--offline",
                    "--to",
                    "owner",
                ])
                .args(["--format", format, "--add-to", "a@example.net"])
                .arg(sample("sa20021010-0031.eml"))
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(2), "{format}: {text}");
            assert!(o.stdout.is_empty(), "{format}: nothing composed");
        }
    }
}

/// Issue 21: `compose` with nobody to send to exits 3 in every format, with one
/// line, and prints nothing.
#[test]
fn compose_with_no_recipient_exits_3_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[reporter]\nname = \"J\"\naddress = \"jane@example.org\"\n").unwrap();
    for format in ["eml", "arf", "text"] {
        let o = bin()
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .args([
                "--config",
                cfg.to_str().unwrap(),
                "compose",
                "--offline",
                "--to",
                "owner",
                "--format",
                format,
            ])
            .arg(sample("sa20021010-0031.eml"))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(3),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout.is_empty(), "{format}");
        assert!(stderr_line(&o).contains("--add-to"), "{format}");
    }
}

/// Issue 21: offline, the report says the PTR query was not asked, not that it got
/// no answer.
#[test]
fn offline_lookup_says_nothing_was_asked() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .env("XDG_CACHE_HOME", dir.path())
        .args(["lookup", "--offline", "81.2.69.7"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("--offline: not in the cache, and not asked"),
        "{text}"
    );
    assert!(!text.contains("got no answer"), "{text}");
}

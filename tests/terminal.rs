//! What reaches a terminal (issue 21): the spam's escape sequences never do, in any
//! command that prints it, and a big spam's copy does not freeze the screen.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod lab;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lab::pty::Pty;

/// A CRLF spam whose Subject sets the window title and writes the clipboard (OSC 0
/// and OSC 52), with a bidi override in its body.
const HOSTILE: &[u8] = b"Received: from relay.example.net (relay.example.net [81.2.69.7]) by mx.example.org with ESMTP id A; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
Subject: hello \x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x07 there\r\n\
From: spam@example.net\r\n\
\r\n\
buy \xe2\x80\xaeeulav\xe2\x80\xac now\r\n";

/// A configuration with a reporter, in `dir`; `extra` appended.
fn config(dir: &Path, extra: &str) -> PathBuf {
    let p = dir.join("config.toml");
    std::fs::write(
        &p,
        format!("[reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\n[trust]\nhosts = [\"example.org\"]\n{extra}"),
    )
    .unwrap();
    p
}

fn env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("XDG_CONFIG_HOME", dir.join("config")),
        ("XDG_CACHE_HOME", dir.join("cache")),
        ("XDG_DATA_HOME", dir.join("data")),
        ("XDG_STATE_HOME", dir.join("state")),
    ]
}

#[test]
fn compose_on_a_terminal_shows_the_spams_escapes_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let spam = dir.path().join("spam.eml");
    std::fs::write(&spam, HOSTILE).unwrap();
    let cfg = config(dir.path(), "");
    let env = env(dir.path());
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    for format in ["eml", "arf", "text"] {
        let mut pty = Pty::spawn(
            &[
                "--config",
                cfg.to_str().unwrap(),
                "compose",
                "--offline",
                "--to",
                "owner",
                "--format",
                format,
                "--add-to",
                "a@example.net",
                spam.to_str().unwrap(),
            ],
            &env,
            (120, 40),
        );
        assert_eq!(pty.exit_code(Duration::from_secs(20)), 0, "{format}");
        let raw = String::from_utf8_lossy(&pty.raw).into_owned();
        assert!(
            !pty.raw.windows(2).any(|w| w == b"\x1b]"),
            "{format}: an OSC reached the terminal:\n{raw}"
        );
        assert!(
            !raw.contains('\u{202e}'),
            "{format}: a bidi override reached the terminal"
        );
        if format != "text" {
            assert!(
                raw.contains("\\x1b]0;PWNED\\x07"),
                "{format}: shown escaped:\n{raw}"
            );
            assert!(
                raw.contains("redirect the output to a file"),
                "{format}: the note says why"
            );
        }
    }
    // To a file or a pipe, the forwarded spam is exact.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap()])
        .args([
            "compose",
            "--offline",
            "--to",
            "owner",
            "--add-to",
            "a@example.net",
        ])
        .arg(&spam)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.stdout.windows(HOSTILE.len()).any(|w| w == HOSTILE),
        "the spam is forwarded byte for byte to a pipe"
    );
}

/// `--format text` (for pasting) carries no bidi control, from the spam or a fact.
#[test]
fn text_complaints_carry_no_bidi_controls() {
    let dir = tempfile::tempdir().unwrap();
    let spam = dir.path().join("spam.eml");
    let mut bytes = HOSTILE.to_vec();
    let at = bytes.windows(9).position(|w| w == b"Subject: ").unwrap() + 9;
    bytes.splice(at..at, b"\xe2\x81\xa6isolate\xe2\x81\xa9 ".iter().copied());
    std::fs::write(&spam, &bytes).unwrap();
    let cfg = config(dir.path(), "");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"))
        .args(["--config", cfg.to_str().unwrap()])
        .args([
            "compose",
            "--offline",
            "--to",
            "owner",
            "--format",
            "text",
            "--add-to",
            "a@example.net",
        ])
        .arg(&spam)
        .envs(env(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for c in ['\u{202e}', '\u{202c}', '\u{2066}', '\u{2069}', '\x1b', '\x07'] {
        assert!(!text.contains(c), "{c:?} in the text form:\n{text}");
    }
    assert!(text.contains("isolate"), "the rest of the subject stays");
}

/// A big spam's `y`: the size is checked before anything is built (OSC 52 takes
/// 512 KiB), and the text for the system clipboard is built off the UI thread with
/// a progress line, not in a frozen screen.
#[test]
fn copying_a_big_spams_complaint_does_not_freeze_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let spam = dir.path().join("big.eml");
    let mut bytes = HOSTILE.to_vec();
    let line = b"0123456789 abcdefghij 0123456789 abcdefghij 0123456789 abcdefghij\r\n";
    while bytes.len() < 40 << 20 {
        bytes.extend_from_slice(line);
    }
    std::fs::write(&spam, &bytes).unwrap();
    let base =
        "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n";
    for (mode, display) in [("osc52", ""), ("system", ":987")] {
        let cfg = dir.path().join(format!("{mode}.toml"));
        std::fs::write(
            &cfg,
            format!("clipboard = \"{mode}\"\n{base}[reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\n[trust]\nhosts = [\"example.org\"]\n"),
        )
        .unwrap();
        let env = env(dir.path());
        let mut env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        env.push(("DISPLAY", Path::new(display)));
        env.push(("WAYLAND_DISPLAY", Path::new("")));
        let mut pty = Pty::spawn(
            &["--config", cfg.to_str().unwrap(), spam.to_str().unwrap()],
            &env,
            (120, 40),
        );
        pty.wait_for("the hops", Duration::from_secs(20), |s| {
            s.contents().contains("hop 0 of 0–0")
        });
        pty.send("c");
        pty.wait_for("the compose screen", Duration::from_secs(20), |s| {
            s.contents().contains("about 81.2.69.7 (hop 0)")
        });
        pty.send("y");
        if mode == "osc52" {
            pty.wait_for("the refusal", Duration::from_secs(20), |s| {
                s.contents().contains("quotes the whole spam")
                    && s.contents().contains("too long for the terminal's clipboard")
            });
            assert!(
                !pty.raw.windows(5).any(|w| w == b"\x1b]52;"),
                "no OSC 52 was tried"
            );
        } else {
            // The progress line comes first, then the outcome.
            pty.wait_for("the progress line", Duration::from_secs(20), |s| {
                s.contents().contains("building its text (40.0 MB)")
            });
            pty.wait_for("the outcome", Duration::from_secs(60), |s| {
                s.contents().contains("could not copy the owner complaint")
            });
        }
        pty.send("q");
        pty.send("q");
        assert_eq!(pty.exit_code(Duration::from_secs(20)), 0);
    }
}

/// The configuration of the TUI tests: no network, a reporter.
fn offline(dir: &Path) -> PathBuf {
    let p = dir.join("offline.toml");
    std::fs::write(
        &p,
        "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n\
         [reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\n",
    )
    .unwrap();
    p
}

const SAMPLE: &str = "assets/samples/sa20021010-0031.eml";

/// Issue 21: an `$EDITOR` edit with a byte that is not UTF-8 is kept (decoded
/// lossily, said), and the file as written is kept, never deleted.
#[test]
fn an_edit_with_invalid_utf8_is_kept_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline(dir.path());
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'XYZZY caf\\351 text\\n' > \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let data = dir.path().join("data");
    let mut pty = Pty::spawn(
        &["--config", cfg.to_str().unwrap(), SAMPLE],
        &[
            ("XDG_STATE_HOME", dir.path()),
            ("XDG_DATA_HOME", data.as_path()),
            ("EDITOR", editor.as_path()),
            ("VISUAL", editor.as_path()),
            ("TMPDIR", tmp.as_path()),
        ],
        (160, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("E");
    pty.wait_for("the note", Duration::from_secs(10), |s| {
        s.contents().contains("not UTF-8")
    });
    pty.wait_for("the body", Duration::from_secs(5), |s| {
        s.contents().contains("XYZZY caf")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    // The file as written is kept where the note said.
    let kept: Vec<PathBuf> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten().map(|f| f.path()))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"XYZZY caf\xe9 text\n");
    // And the draft has the edit.
    let drafts = data.join("relaytrace/drafts");
    let saved: String = std::fs::read_dir(&drafts)
        .unwrap()
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|x| x == "json"))
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .collect();
    assert!(saved.contains("XYZZY caf\u{fffd} text"), "{saved}");
}

/// Issue 21: a second damaged draft does not overwrite the first one's copy; the
/// folders and files an older version left 0755/0644 are made 0700/0600; the log
/// is never written through a link planted in its folder.
#[test]
fn damaged_drafts_are_numbered_and_old_files_tightened() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline(dir.path());
    let data = dir.path().join("data");
    let drafts = data.join("relaytrace/drafts");
    let state = dir.path().join("state/relaytrace");
    std::fs::create_dir_all(&drafts).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    for d in [data.join("relaytrace"), drafts.clone(), state.clone()] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let sent = data.join("relaytrace/sent.jsonl");
    std::fs::write(&sent, b"").unwrap();
    std::fs::set_permissions(&sent, std::fs::Permissions::from_mode(0o644)).unwrap();
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, b"not relaytrace's").unwrap();
    std::os::unix::fs::symlink(&elsewhere, state.join("relaytrace.log")).unwrap();
    let bytes = std::fs::read(SAMPLE).unwrap();
    let m = relaytrace::message::Reader::new(&bytes[..])
        .next()
        .unwrap()
        .unwrap();
    let key = relaytrace::tui::drafts::key(&m.header);
    let bad = drafts.join(format!("{key}-216.201.75.12-owner.json"));
    let env = [
        ("XDG_STATE_HOME", dir.path().join("state")),
        ("XDG_DATA_HOME", data.clone()),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    for (round, text) in ["first damaged text", "second damaged text"].iter().enumerate() {
        std::fs::write(
            &bad,
            format!("{{\"drafts\": [ {{\"side\": \"owner\", \"to\": [\"{text}"),
        )
        .unwrap();
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut pty = Pty::spawn(&["--config", cfg.to_str().unwrap(), SAMPLE], &env, (160, 40));
        pty.wait_for("the warning", Duration::from_secs(10), |s| {
            s.contents().contains("a damaged draft")
        });
        pty.send("q");
        assert_eq!(pty.exit_code(Duration::from_secs(10)), 0, "round {round}");
    }
    let first = drafts.join(format!("{key}-216.201.75.12-owner.json.corrupt"));
    let second = drafts.join(format!("{key}-216.201.75.12-owner.json.corrupt.2"));
    assert!(
        std::fs::read_to_string(&first)
            .unwrap()
            .contains("first damaged text")
    );
    assert!(
        std::fs::read_to_string(&second)
            .unwrap()
            .contains("second damaged text")
    );
    assert_eq!(mode(&data.join("relaytrace")), 0o700);
    assert_eq!(mode(&drafts), 0o700);
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&sent), 0o600);
    assert_eq!(
        std::fs::read(&elsewhere).unwrap(),
        b"not relaytrace's",
        "the link was not followed"
    );
}

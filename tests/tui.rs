//! The real binary in a pseudo-terminal (portable-pty), the screen rebuilt with
//! `vt100`, pointed by configuration at the loopback lab: open the bundled sample,
//! see the hops, see reverse DNS and whois arrive, move, pick the input point, quit;
//! the terminal is restored and the exit code is 0.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod lab;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use mail_parser::MimeHeaders as _;

use lab::pty::Pty;
use lab::{Lab, Plan, Reply, Rr};

/// The lab for the bundled sample: its relay 216.201.75.12 has a PTR that resolves
/// back; ARIN and (slowly) LACNIC answer with captured answers.
fn sample_lab(w: &Path) -> Lab {
    let mut plan = Plan::default();
    // 216/8 and 200/8 are ARIN's and LACNIC's in IANA's table.
    plan.whois(
        "whois.arin.net",
        Ipv4Addr::new(127, 0, 0, 3),
        "*",
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    plan.whois(
        "whois.lacnic.net",
        Ipv4Addr::new(127, 0, 0, 6),
        "*",
        Reply::Slow(
            Duration::from_secs(2),
            std::fs::read(w.join("ip-whois/lacnic/phuhn_lac177_228_94_39.txt")).unwrap(),
        ),
    );
    plan.records = vec![
        Rr::Ptr("216.201.75.12".parse().unwrap(), "sbsmail.saks.com.pa"),
        Rr::A("sbsmail.saks.com.pa", Ipv4Addr::new(216, 201, 75, 12)),
    ];
    Lab::start(plan)
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn open_watch_move_pick_and_quit() {
    let w = lab::whois_data();
    let lab = sample_lab(&w);
    let cfg = lab.config("");
    let cache = lab.dir.path().join("cache");
    let state = lab.dir.path().join("state");
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[
            ("XDG_CACHE_HOME", &cache),
            ("XDG_STATE_HOME", &state),
            ("XDG_CONFIG_HOME", lab.dir.path()),
        ],
        (100, 30),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("216.201.75.12") && s.contents().contains("hop 2 of 0–3")
    });
    assert!(pty.parser.screen().alternate_screen());

    // Reverse DNS arrives in its pane.
    pty.send("\t");
    pty.wait_for("reverse DNS", Duration::from_secs(10), |s| {
        s.contents().contains("forward-confirmed") && s.contents().contains("sbsmail.saks.com.pa")
    });
    // The whois chain arrives, raw answer shown.
    pty.send("\t");
    pty.wait_for("whois", Duration::from_secs(10), |s| {
        s.contents().contains("whois — done") && s.contents().contains("whois.arin.net")
    });
    // PageDown scrolls the raw answer.
    pty.send("\x1b[6~");
    pty.wait_for("the raw answer scrolled", Duration::from_secs(5), |s| {
        s.contents().contains("NetRange:")
    });

    // Move to hop 3 (its whois answer is still slow) and make it the input point.
    pty.send("j");
    pty.wait_for("hop 3 selected", Duration::from_secs(5), |s| {
        s.contents().contains("hop 3 of 0–3")
    });
    pty.send("i");
    pty.wait_for("the choice", Duration::from_secs(5), |s| {
        s.contents().contains("input point: hop 3, your choice")
    });
    pty.wait_for("the input point mark", Duration::from_secs(5), |s| {
        s.contents().contains("input point 3")
    });

    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    let s = pty.parser.screen();
    assert!(!s.alternate_screen(), "the alternate screen is left");
    assert!(!s.hide_cursor(), "the cursor is shown again");
    assert_eq!(
        s.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting is off again"
    );
    // The log went to a file, not to the screen.
    assert!(state.join("relaytrace/relaytrace.log").exists());
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn a_message_from_standard_input_with_keys_from_the_terminal() {
    let w = lab::whois_data();
    let lab = sample_lab(&w);
    let cfg = lab.config("");
    let cache = lab.dir.path().join("cache");
    let script = format!(
        "exec {} --config {} - < assets/samples/sa20021010-0031.eml",
        env!("CARGO_BIN_EXE_relaytrace"),
        cfg.display()
    );
    let mut pty = Pty::spawn_shell(
        &script,
        &[("XDG_CACHE_HOME", &cache), ("XDG_STATE_HOME", lab.dir.path())],
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("standard input") && s.contents().contains("hop 2 of 0–3")
    });
    pty.send("?");
    pty.wait_for("the help", Duration::from_secs(5), |s| {
        s.contents().contains("keys and signs")
    });
    pty.send("x");
    pty.wait_for("the help closed", Duration::from_secs(5), |s| {
        !s.contents().contains("keys and signs")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn resize_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    // Nothing answers on this DNS address: lookups fail, the UI carries on.
    std::fs::write(
        &cfg,
        "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n",
    )
    .unwrap();
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[("XDG_STATE_HOME", dir.path()), ("NO_COLOR", Path::new("1"))],
        (80, 24),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.wait_for("failures shown", Duration::from_secs(10), |s| {
        s.contents().contains("✗")
    });
    // No colour attribute anywhere on the screen.
    let s = pty.parser.screen();
    for row in 0..24 {
        for col in 0..80 {
            if let Some(cell) = s.cell(row, col) {
                assert_eq!(
                    cell.fgcolor(),
                    vt100::Color::Default,
                    "colour at {row},{col} with NO_COLOR"
                );
            }
        }
    }
    pty.resize(120, 40);
    pty.wait_for("the wider layout", Duration::from_secs(5), |s| {
        s.contents().contains("Received") && (s.size().0.get(), s.size().1.get()) == (40, 120)
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn an_mbox_opens_a_picker_first() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("saved.mbox");
    let mut text = Vec::new();
    for s in ["sa20021010-0031.eml", "sa20021010-0011.eml"] {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/samples")
                .join(s),
        )
        .unwrap();
        // The samples keep their own envelope line: one `From ` line a message.
        if !bytes.starts_with(b"From ") {
            text.extend_from_slice(b"From spammer@example.com Fri Aug 23 12:21:07 2002\n");
        }
        text.extend_from_slice(&bytes);
        text.extend_from_slice(b"\n");
    }
    std::fs::write(&mbox, text).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n",
    )
    .unwrap();
    let mut pty = Pty::spawn(
        &["--config", cfg.to_str().unwrap(), mbox.to_str().unwrap()],
        &[("XDG_STATE_HOME", dir.path())],
        (100, 30),
    );
    pty.wait_for("the picker", Duration::from_secs(10), |s| {
        s.contents().contains("2 messages: choose one")
    });
    pty.send("j\r");
    pty.wait_for("message 2 opened", Duration::from_secs(10), |s| {
        s.contents().contains("message 2 of") && s.contents().contains("hop ")
    });
    pty.send("\x1b");
    pty.wait_for("back to the picker", Duration::from_secs(10), |s| {
        s.contents().contains("choose one")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

fn offline_config(dir: &Path, extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n\
             [reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\n{extra}"
        ),
    )
    .unwrap();
    cfg
}

#[test]
fn drafts_survive_a_killed_process() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let data = dir.path().join("data");
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (120, 40));
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("about 216.201.75.12 (hop 2)")
    });
    pty.send("e");
    pty.send("XYZZY draft text ");
    pty.wait_for("the typing", Duration::from_secs(5), |s| {
        s.contents().contains("XYZZY draft text")
    });
    // Saved at most a second behind: wait for the file, then kill without warning.
    let drafts = data.join("relaytrace/drafts");
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let saved = std::fs::read_dir(&drafts)
            .into_iter()
            .flatten()
            .flatten()
            // The saved file itself, not the temporary one it is renamed from.
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("XYZZY draft text")));
        if saved {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the draft was not saved within a second or so"
        );
        pty.pump(Duration::from_millis(50));
    }
    pty.kill();

    let mut again = Pty::spawn(&args, &env, (120, 40));
    again.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    again.send("c");
    again.wait_for("the restored draft", Duration::from_secs(5), |s| {
        s.contents().contains("XYZZY draft text") && s.contents().contains("drafts restored")
    });
    again.send("q");
    assert_eq!(again.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn the_body_goes_to_the_editor_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'EDITED BY THE SCRIPT\\n' >> \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let data = dir.path().join("data");
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[
            ("XDG_STATE_HOME", dir.path()),
            ("XDG_DATA_HOME", data.as_path()),
            ("EDITOR", editor.as_path()),
            ("VISUAL", editor.as_path()),
        ],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("E");
    pty.wait_for("the body back", Duration::from_secs(10), |s| {
        s.contents().contains("body is back from the editor")
    });
    // The appended line is at the end of the body: scroll there.
    pty.send("e");
    pty.send("\x1b[F");
    for _ in 0..80 {
        pty.send("\x1b[B");
    }
    pty.wait_for("the edited text", Duration::from_secs(5), |s| {
        s.contents().contains("EDITED BY THE SCRIPT")
    });
    pty.send("\x1b");
    pty.wait_for("editing ended", Duration::from_secs(5), |s| {
        s.contents().contains("owner/ISP")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    assert!(!pty.parser.screen().alternate_screen());
}

/// An SMTP server on loopback keeping what it received.
fn smtp_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let (port, rec) = lab::smtp::recording_peer();
    (port, rec.data)
}

#[test]
fn compose_confirm_send_log_and_ask_before_sending_again() {
    let (port, got) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(
        dir.path(),
        &format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n"),
    );
    let data = dir.path().join("data");
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    // No lookups here (no network): type the recipient into To.
    pty.send("kk");
    pty.send("e");
    pty.send("abuse@relay.test\r");
    pty.wait_for("the recipient", Duration::from_secs(5), |s| {
        s.contents().contains("To:      abuse@relay.test")
    });
    pty.send("s");
    pty.wait_for("the confirmation", Duration::from_secs(5), |s| {
        let c = s.contents();
        c.contains("send this complaint?")
            && c.contains("envelope from  jane@example.org")
            && c.contains("recipients     abuse@relay.test")
    });
    pty.send("\r");
    pty.wait_for("sent", Duration::from_secs(15), |s| {
        s.contents()
            .contains("sent the owner complaint to abuse@relay.test: 250")
    });
    // What the server got is the complaint with the spam attached byte for byte.
    let received = got.lock().unwrap().clone();
    let parsed = mail_parser::MessageParser::default().parse(&received).unwrap();
    assert!(
        parsed
            .subject()
            .unwrap()
            .starts_with("Open Relay - 216.201.75.12 - re: ")
    );
    let file =
        std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sa20021010-0031.eml"))
            .unwrap();
    let original = relaytrace::message::read_message(file, 1, relaytrace::message::MAX_MESSAGE).unwrap();
    // Stored with LF line ends, it travels in its canonical CRLF form (SMTP carries
    // nothing else) and arrives byte-identical to that, as 7bit/8bit.
    let canonical = relaytrace::compose::mime::canonical(&original);
    let marker = b"Content-Disposition: attachment; filename=\"spam.eml\"\r\n\r\n";
    let start = memchr::memmem::find(&received, marker).unwrap() + marker.len();
    let boundary = parsed
        .root_part()
        .content_type()
        .and_then(|c| c.attribute("boundary"))
        .unwrap()
        .to_string();
    let end =
        memchr::memmem::find(&received[start..], format!("\r\n--{boundary}").as_bytes()).unwrap() + start;
    assert!(
        received[start..end] == canonical[..],
        "the attachment arrived byte-identical"
    );
    assert!(
        String::from_utf8_lossy(&received)
            .contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit")
            || String::from_utf8_lossy(&received)
                .contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit")
    );
    // The sent log says so, synced.
    let log = std::fs::read_to_string(data.join("relaytrace/sent.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(entry["recipients"], serde_json::json!(["abuse@relay.test"]));
    assert_eq!(entry["side"], "owner");
    assert_eq!(entry["relay_ip"], "216.201.75.12");
    assert!(entry["reply"].as_str().unwrap().starts_with("250"));
    assert!(
        entry["transport"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}"))
    );
    // Sending it again asks first; Esc cancels.
    pty.send("s");
    pty.wait_for("the warning", Duration::from_secs(5), |s| {
        s.contents()
            .contains("already complained to about this message: abuse@relay.test (sent ")
    });
    pty.send("\x1b");
    pty.wait_for("cancelled", Duration::from_secs(5), |s| {
        s.contents().contains("not sent")
    });
    // L lists what was sent.
    pty.send("L");
    pty.wait_for("the sent log", Duration::from_secs(5), |s| {
        s.contents().contains("sent for this message") && s.contents().contains("abuse@relay.test")
    });
    // Typing filters it; Esc closes it.
    pty.send("zz");
    pty.wait_for("the filter", Duration::from_secs(5), |s| {
        s.contents().contains("filter: zz") && s.contents().contains("nothing matches")
    });
    pty.send("\x1b");
    pty.wait_for("closed", Duration::from_secs(5), |s| {
        !s.contents().contains("filter: zz")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    assert_eq!(
        std::fs::read_to_string(data.join("relaytrace/sent.jsonl"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn a_refused_send_keeps_the_draft_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on this port.
    let cfg = offline_config(
        dir.path(),
        "[smtp]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\n",
    );
    let data = dir.path().join("data");
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("compose", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("kke");
    pty.send("abuse@relay.test\r");
    pty.wait_for("the recipient", Duration::from_secs(5), |s| {
        s.contents().contains("To:      abuse@relay.test")
    });
    pty.send("s");
    pty.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contents().contains("send this complaint?")
    });
    pty.send("\r");
    pty.wait_for("the failure", Duration::from_secs(15), |s| {
        s.contents().contains("not sent:") && s.contents().contains("draft is kept")
    });
    assert!(
        pty.parser.screen().contents().contains("abuse@relay.test"),
        "the draft is intact"
    );
    assert!(
        !data.join("relaytrace/sent.jsonl").exists(),
        "the log records only what was sent"
    );
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn copy_goes_through_osc52_without_a_display() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text = format!("clipboard = \"osc52\"\n{text}");
    std::fs::write(&cfg, text).unwrap();
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", dir.path())],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("y");
    pty.wait_for("the copy", Duration::from_secs(5), |s| {
        s.contents().contains("copied the Received pane") && s.contents().contains("OSC 52")
    });
    let raw = String::from_utf8_lossy(&pty.raw).to_string();
    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence") + 7;
    let end = raw[start..].find('\x07').unwrap() + start;
    let copied = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .unwrap();
    let copied = String::from_utf8(copied).unwrap();
    assert!(
        copied.starts_with("Received: from sbsmail.saks.com.pa"),
        "{copied}"
    );
    assert!(copied.contains("verified"));
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn copy_reaches_the_system_clipboard_under_x11() {
    // .ci/run installs Xvfb and xclip and starts a display; elsewhere this starts one.
    let have = |p: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("xclip") || (std::env::var_os("DISPLAY").is_none() && !have("Xvfb")) {
        eprintln!("SKIPPED: needs xclip and a display or Xvfb (.ci/run installs them)");
        return;
    }
    let mut xvfb = None;
    let display = match std::env::var("DISPLAY") {
        Ok(d) if !d.is_empty() => d,
        _ => {
            let d = format!(":{}", 150 + std::process::id() % 100);
            xvfb = Some(
                std::process::Command::new("Xvfb")
                    .args([d.as_str(), "-nolisten", "tcp"])
                    .spawn()
                    .unwrap(),
            );
            let sock = format!("/tmp/.X11-unix/X{}", &d[1..]);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while !Path::new(&sock).exists() {
                assert!(std::time::Instant::now() < deadline, "Xvfb did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            d
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("clipboard = \"system\"\n{text}")).unwrap();
    let display_path = std::path::PathBuf::from(&display);
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[
            ("XDG_STATE_HOME", dir.path()),
            ("XDG_DATA_HOME", dir.path()),
            ("DISPLAY", display_path.as_path()),
        ],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("compose", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("y");
    pty.wait_for("the copy", Duration::from_secs(10), |s| {
        s.contents().contains("copied the owner complaint") && s.contents().contains("system clipboard")
    });
    // Read it back from another process while relaytrace holds the selection.
    let out = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        got.starts_with("To: \nFrom: Jane Doe <jane@example.org>\nSubject: Open Relay - 216.201.75.12"),
        "{got}"
    );
    assert!(
        got.contains("----- The spam, in full -----") && got.contains("> Received: from sbsmail"),
        "the whole complaint"
    );
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    // And after relaytrace has exited (issue 13.1): a background owner serves it.
    let out = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    let after = String::from_utf8_lossy(&out.stdout);
    assert_eq!(after, got, "still pasteable after the exit");
    // Another program taking the clipboard ends the background owner.
    // `-loops 1`: xclip serves one paste and ends; its output goes nowhere (a
    // forked xclip holding the test's output would keep `cargo test | tee` open).
    let mut take = std::process::Command::new("xclip")
        .args(["-loops", "1", "-selection", "clipboard"])
        .env("DISPLAY", &display)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut take.stdin.take().unwrap(), b"other").unwrap();
    let _ = take.wait();
    std::thread::sleep(Duration::from_millis(300));
    let out = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "other");
    if let Some(mut x) = xvfb {
        let _ = x.kill();
        let _ = x.wait();
    }
}

/// `c` on a message with no input point whose selected hop names no sender address
/// (issue 16, H1): the screen says there is no relay to complain about and still
/// answers `q` within a second.
#[test]
fn compose_with_no_relay_says_so_and_answers_q() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let data = dir.path().join("data");
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let bare = dir.path().join("k.eml");
    std::fs::write(&bare, "Received: from a by b\n\n").unwrap();
    let mut messages = vec![bare];
    // With ../shared (always in CI), a real spam too; build.rs says when it is absent.
    if !cfg!(no_shared) {
        messages.push(Path::new("../shared/corpus/spam/glitchy-2024-28.eml").to_path_buf());
    }
    for message in &messages {
        let args = [
            "--config",
            cfg.to_str().unwrap(),
            "--offline",
            message.to_str().unwrap(),
        ];
        let mut pty = Pty::spawn(&args, &env, (120, 40));
        pty.wait_for("the hops", Duration::from_secs(10), |s| {
            s.contents().contains("hop ") || s.contents().contains("no Received lines")
        });
        pty.send("c");
        // The bare message has no relay; glitchy-2024-28 (Gmail to Gmail) has its
        // entry at Google's outbound host now, and composes to it.
        pty.wait_for("the refusal or the complaints", Duration::from_secs(2), |s| {
            s.contents().contains("no relay to complain about") || s.contents().contains("Complaints (")
        });
        if message.ends_with("k.eml") {
            assert!(
                pty.parser
                    .screen()
                    .contents()
                    .contains("no relay to complain about")
            );
        }
        pty.send("q");
        assert_eq!(pty.exit_code(Duration::from_secs(1)), 0, "{}", message.display());
    }
}

/// Opens the sample's complaints, types a recipient, confirms the send, and sees
/// it start.
fn send_to_relay_test(pty: &mut Pty) {
    confirm_send_to_relay_test(pty);
    pty.wait_for("sending", Duration::from_secs(5), |s| {
        s.contents().contains("sending the owner")
    });
}

/// Opens the sample's complaints, types a recipient and confirms the send.
fn confirm_send_to_relay_test(pty: &mut Pty) {
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("kk");
    pty.send("e");
    pty.send("abuse@relay.test\r");
    pty.wait_for("the recipient", Duration::from_secs(5), |s| {
        s.contents().contains("To:      abuse@relay.test")
    });
    pty.send("s");
    pty.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contents().contains("send this complaint?")
    });
    pty.send("\r");
}

/// A server that never answers the data: the send ends within its limit as
/// "outcome unknown", is logged so, and counts for the duplicate warning; quitting
/// during a send asks first and logs it.
#[test]
fn a_send_with_no_answer_ends_as_unknown_and_quitting_mid_send_asks() {
    let (port, _) = lab::smtp::late_after_data(None);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let log = data.join("relaytrace/sent.jsonl");

    let cfg = offline_config(
        dir.path(),
        &format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\ntimeout_secs = 2\n"),
    );
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (120, 40));
    send_to_relay_test(&mut pty);
    let started = std::time::Instant::now();
    pty.wait_for("the unknown outcome", Duration::from_secs(4), |s| {
        s.contents()
            .contains("outcome unknown for the owner complaint to abuse@relay.test")
    });
    assert!(started.elapsed() < Duration::from_secs(4));
    let entry: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(entry["outcome"], "unknown", "{entry}");
    pty.send("s");
    pty.wait_for("the warning", Duration::from_secs(5), |s| {
        s.contents().contains("abuse@relay.test (outcome unknown, ")
    });
    pty.send("\x1b");
    pty.wait_for("cancelled", Duration::from_secs(5), |s| {
        s.contents().contains("not sent")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(5)), 0);

    // A long limit: quit while the send is on its way.
    std::fs::remove_file(dir.path().join("config.toml")).unwrap();
    let cfg = offline_config(
        dir.path(),
        &format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\ntimeout_secs = 300\n"),
    );
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (120, 40));
    // The draft of the first run is restored: the recipient is already there.
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the restored draft", Duration::from_secs(5), |s| {
        s.contents().contains("To:      abuse@relay.test")
    });
    pty.send("s");
    pty.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contents().contains("send this complaint?")
    });
    pty.send("\r");
    pty.wait_for("sending", Duration::from_secs(5), |s| {
        s.contents().contains("sending the owner")
    });
    pty.send("q");
    pty.wait_for("the question", Duration::from_secs(2), |s| {
        s.contents().contains("a complaint is being sent: q again quits")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(5)), 0);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1]["outcome"], "unknown");
    assert!(
        lines[1]["reply"]
            .as_str()
            .unwrap()
            .contains("quit before the server answered")
    );
}

/// The complaints follow the investigation (issue 10): an untouched complaint is
/// written again when the input point moves; an edited one is marked stale, and
/// sending it asks first.
#[test]
fn complaints_follow_the_input_point_and_edited_ones_go_stale() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(
        dir.path(),
        "[smtp]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\n",
    );
    let data = dir.path().join("data");
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (140, 44));
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the complaints about the relay", Duration::from_secs(5), |s| {
        s.contents().contains("On 2002-08-23 11:21:07 UTC, 216.201.75.12")
    });
    // Back, the hop below, i: the untouched complaints are written again.
    pty.send("\x1b");
    pty.wait_for("the hops again", Duration::from_secs(5), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("j");
    pty.send("i");
    pty.wait_for("the new input point", Duration::from_secs(5), |s| {
        s.contents().contains("input point 3 ") && s.contents().contains("the input point moved")
    });
    pty.send("c");
    pty.wait_for("the rewritten complaint", Duration::from_secs(5), |s| {
        let c = s.contents();
        c.contains("about 200.161.145.252 (hop 3)")
            && c.contains("On 2002-08-23 11:14:34 UTC, 200.161.145.252")
    });
    // Edit it, then move the input point back: the edited one is stale.
    pty.send("e");
    pty.send("EDITED ");
    pty.send("\x1b");
    // Until editing has ended: a second Esc sent on the heels of the first is read
    // as one Alt-Esc key.
    pty.wait_for("the edit", Duration::from_secs(5), |s| {
        s.contents().contains("EDITED") && !s.contents().contains("stop editing")
    });
    pty.send("\x1b");
    pty.wait_for("the hops again", Duration::from_secs(5), |s| {
        s.contents().contains("hop 3 of 0–3")
    });
    pty.send("k");
    pty.send("i");
    pty.wait_for("stale", Duration::from_secs(5), |s| {
        s.contents().contains("the owner complaint you edited is stale")
    });
    pty.send("c");
    pty.wait_for("the stale mark", Duration::from_secs(5), |s| {
        let c = s.contents();
        c.contains("stale: written about 200.161.145.252") && c.contains("EDITED")
    });
    // Sending it asks first.
    pty.send("kk");
    pty.send("e");
    pty.send("abuse@relay.test\r");
    pty.send("s");
    pty.wait_for("the question", Duration::from_secs(5), |s| {
        s.contents()
            .contains("this complaint names 200.161.145.252, but the input point is now 216.201.75.12")
    });
    pty.send("\x1b");
    pty.wait_for("not sent", Duration::from_secs(5), |s| {
        s.contents().contains("not sent")
    });
    // W writes it again; the edited text goes to the draft history.
    pty.send("W");
    pty.wait_for("rewritten", Duration::from_secs(5), |s| {
        let c = s.contents();
        c.contains("draft history (1 kept)") && !c.contains("EDITED")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    // Drafts are kept by message, relay address and side.
    let names: Vec<String> = std::fs::read_dir(data.join("relaytrace/drafts"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("-216.201.75.12-owner.json")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with("-216.201.75.12-isp.json")),
        "{names:?}"
    );
}

/// A damaged draft is set aside as `.corrupt` with a message, not ignored and then
/// overwritten (issue 16); drafts are 0600 in a 0700 folder.
#[test]
fn a_damaged_draft_is_set_aside_and_said() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let data = dir.path().join("data");
    let drafts = data.join("relaytrace/drafts");
    std::fs::create_dir_all(&drafts).unwrap();
    let bytes = std::fs::read("assets/samples/sa20021010-0031.eml").unwrap();
    let m = relaytrace::message::Reader::new(&bytes[..])
        .next()
        .unwrap()
        .unwrap();
    let key = relaytrace::tui::drafts::key(&m.header);
    let bad = drafts.join(format!("{key}-216.201.75.12-owner.json"));
    std::fs::write(
        &bad,
        b"{\"drafts\": [ {\"side\": \"owner\", \"to\": [\"my precious text",
    )
    .unwrap();
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (160, 40));
    pty.wait_for("the warning", Duration::from_secs(10), |s| {
        s.contents().contains("a damaged draft")
    });
    let aside = drafts.join(format!("{key}-216.201.75.12-owner.json.corrupt"));
    assert!(aside.exists() && !bad.exists());
    assert!(
        std::fs::read_to_string(&aside)
            .unwrap()
            .contains("my precious text")
    );
    // A new draft is written privately.
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("e");
    pty.send("new text");
    pty.wait_for("the typing", Duration::from_secs(5), |s| {
        s.contents().contains("new text")
    });
    pty.send("\x1b");
    pty.wait_for("editing ended", Duration::from_secs(5), |s| {
        s.contents().contains("owner/ISP")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&bad), 0o600, "the new draft");
    assert!(
        std::fs::read_to_string(&aside)
            .unwrap()
            .contains("my precious text"),
        "never overwritten"
    );
}

/// Two relaytraces on one message (issue 16): the second says at once that the
/// drafts are held elsewhere, saves nothing over them, and asks before quitting
/// with its edits; the first's drafts stay as it left them.
#[test]
fn a_second_instance_on_one_message_does_not_overwrite_the_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    let data = dir.path().join("data");
    let env = [("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())];
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut first = Pty::spawn(&args, &env, (160, 40));
    first.wait_for("the first instance", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    first.send("c");
    first.wait_for("its compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    first.send("e");
    first.wait_for("editing", Duration::from_secs(5), |s| {
        s.contents().contains("Esc stop editing")
    });
    first.send("FIRST");
    first.wait_for("the typing", Duration::from_secs(5), |s| {
        s.contents().contains("FIRST")
    });
    first.send("\x1b");
    first.wait_for("editing ended", Duration::from_secs(5), |s| {
        s.contents().contains("owner/ISP") && !s.contents().contains("Esc stop editing")
    });
    let mut second = Pty::spawn(&args, &env, (160, 40));
    second.wait_for("the warning", Duration::from_secs(10), |s| {
        s.contents()
            .contains("another relaytrace has this message's drafts open")
    });
    second.send("c");
    second.wait_for("its compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    second.send("e");
    second.wait_for("editing", Duration::from_secs(5), |s| {
        s.contents().contains("Esc stop editing")
    });
    second.send("SECOND");
    second.wait_for("the typing", Duration::from_secs(5), |s| {
        s.contents().contains("SECOND")
    });
    second.send("\x1b");
    second.wait_for("editing ended", Duration::from_secs(5), |s| {
        s.contents().contains("owner/ISP") && !s.contents().contains("Esc stop editing")
    });
    second.send("q");
    second.wait_for("the question", Duration::from_secs(5), |s| {
        s.contents().contains("q again quits")
    });
    second.send("q");
    assert_eq!(second.exit_code(Duration::from_secs(10)), 0);
    first.send("q");
    assert_eq!(first.exit_code(Duration::from_secs(10)), 0);
    let drafts = data.join("relaytrace/drafts");
    let saved: String = std::fs::read_dir(&drafts)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            p.extension()
                .is_some_and(|x| x == "json")
                .then(|| std::fs::read_to_string(p).unwrap())
        })
        .collect();
    assert!(saved.contains("FIRST"), "the first instance's edit is kept");
    assert!(!saved.contains("SECOND"), "the second wrote nothing over it");
}

/// Drafts that cannot be saved (issue 16: a full or read-only disk; here the data
/// folder cannot even be made): the failure is said, and quitting with edits asks
/// first instead of losing them without a word.
#[test]
fn quitting_with_unsavable_drafts_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = offline_config(dir.path(), "");
    // A file where the data folder should be: nothing can be made under it (even as root).
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"").unwrap();
    let env = [
        ("XDG_STATE_HOME", dir.path()),
        ("XDG_DATA_HOME", blocked.as_path()),
    ];
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "assets/samples/sa20021010-0031.eml",
    ];
    let mut pty = Pty::spawn(&args, &env, (160, 40));
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("e");
    pty.wait_for("editing", Duration::from_secs(5), |s| {
        s.contents().contains("Esc stop editing")
    });
    pty.send("PRECIOUS");
    pty.wait_for("the typing", Duration::from_secs(5), |s| {
        s.contents().contains("PRECIOUS")
    });
    pty.send("\x1b");
    pty.wait_for("the failed save said", Duration::from_secs(5), |s| {
        s.contents().contains("could not be saved")
    });
    pty.send("q");
    pty.wait_for("the question", Duration::from_secs(5), |s| {
        s.contents().contains("q again quits")
    });
    // Any other key stays, with the edits.
    pty.send("j");
    pty.wait_for("still here", Duration::from_secs(5), |s| {
        s.contents().contains("not quitting") && s.contents().contains("PRECIOUS")
    });
    pty.send("q");
    pty.wait_for("asked again", Duration::from_secs(5), |s| {
        s.contents().contains("q again quits")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

/// A spam with lines over 998 octets (issue 13.2), sent through a server that
/// offers CHUNKING and BINARYMIME: the dialog says both forms, the spam goes
/// unchanged by BDAT, and the status and the log say so.
#[test]
fn a_long_lined_spam_goes_unchanged_by_bdat_where_the_server_offers_it() {
    let (port, seen) = lab::smtp::bdat_peer();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cfg = offline_config(
        dir.path(),
        &format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n"),
    );
    let mut spam =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sa20021010-0031.eml"))
            .unwrap();
    let long = format!("<p>{}</p>\n", "y".repeat(1500));
    spam.extend_from_slice(long.as_bytes());
    let eml = dir.path().join("long.eml");
    std::fs::write(&eml, &spam).unwrap();
    let mut pty = Pty::spawn(
        &["--config", cfg.to_str().unwrap(), eml.to_str().unwrap()],
        &[("XDG_STATE_HOME", dir.path()), ("XDG_DATA_HOME", data.as_path())],
        (160, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints (")
    });
    pty.send("kk");
    pty.send("e");
    pty.send("abuse@relay.test\r");
    pty.wait_for("the recipient", Duration::from_secs(5), |s| {
        s.contents().contains("To:      abuse@relay.test")
    });
    pty.send("s");
    pty.wait_for("both forms in the dialog", Duration::from_secs(5), |s| {
        let c = s.contents();
        c.contains("Content-Transfer-Encoding: base64")
            && c.contains("(binary, by BDAT) if the server offers BINARYMIME")
    });
    pty.send("\r");
    pty.wait_for("sent", Duration::from_secs(15), |s| {
        s.contents()
            .contains("sent the owner complaint to abuse@relay.test: the spam went unchanged")
    });
    let got = seen.data.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: binary"),
        "{text}"
    );
    assert!(
        text.contains(&long.replace('\n', "\r\n")),
        "the long line arrived whole"
    );
    assert!(seen.mail.lock().unwrap().contains("BODY=BINARYMIME"));
    let log = std::fs::read_to_string(data.join("relaytrace/sent.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(
        entry["bytes"],
        serde_json::json!(got.len()),
        "the log counts what went"
    );
    assert!(entry["reply"].as_str().unwrap().contains("binary, by BDAT"));
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

/// `password_command` asks on the terminal (as pinentry-curses or a passphrase
/// prompt does): the TUI hands the terminal over while it runs, takes it back, and
/// the send logs in with what was typed (issue 15).
#[test]
fn the_password_command_gets_the_terminal_while_it_asks() {
    use std::os::unix::fs::PermissionsExt;
    let (port, seen) = lab::smtp::auth_peer("s3cret pass");
    let dir = tempfile::tempdir().unwrap();
    let ask = dir.path().join("ask-password");
    std::fs::write(
        &ask,
        "#!/bin/sh\nprintf 'Passphrase for jane: ' >&2\nIFS= read -r p\nprintf '%s\\n' \"$p\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&ask, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = offline_config(
        dir.path(),
        &format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nallow_plaintext_auth = true\nusername = \"jane\"\npassword_command = \"{}\"\n",
            ask.display()
        ),
    );
    let data_dir = dir.path().join("data");
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[
            ("XDG_STATE_HOME", dir.path()),
            ("XDG_DATA_HOME", data_dir.as_path()),
        ],
        (120, 40),
    );
    confirm_send_to_relay_test(&mut pty);
    // The prompt is on the ordinary screen: the TUI stepped aside.
    pty.wait_for("the passphrase prompt", Duration::from_secs(10), |s| {
        !s.alternate_screen() && s.contents().contains("Passphrase for jane: ")
    });
    pty.send("s3cret pass\r");
    pty.wait_for("sent, the TUI back", Duration::from_secs(15), |s| {
        s.alternate_screen()
            && s.contents()
                .contains("sent the owner complaint to abuse@relay.test: 250")
    });
    assert_eq!(
        *seen.tried.lock().unwrap(),
        ["s3cret pass"],
        "one login, with what was typed"
    );
    assert!(String::from_utf8_lossy(&seen.data.lock().unwrap()).contains("Subject: Open Relay"));
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

//! The real binary in a pseudo-terminal (portable-pty), the screen rebuilt with
//! `vt100`, pointed by configuration at the loopback lab: open the bundled sample,
//! see the hops, see reverse DNS and whois arrive, move, pick the input point, quit;
//! the terminal is restored and the exit code is 0.

#![allow(clippy::unwrap_used)]

mod lab;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

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
fn open_watch_move_pick_and_quit() {
    let Some(w) = lab::whois_data() else { return };
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
        s.contents().contains("216.201.75.12") && s.contents().contains("hops 2/3")
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
        s.contents().contains("hops 3/3")
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
fn a_message_from_standard_input_with_keys_from_the_terminal() {
    let Some(w) = lab::whois_data() else { return };
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
        s.contents().contains("standard input") && s.contents().contains("hops 2/3")
    });
    pty.send("?");
    pty.wait_for("the help", Duration::from_secs(5), |s| {
        s.contents().contains("any key closes")
    });
    pty.send("x");
    pty.wait_for("the help closed", Duration::from_secs(5), |s| {
        !s.contents().contains("any key closes")
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
        s.contents().contains("hops 2/3")
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
        text.extend_from_slice(b"From spammer@example.com Fri Aug 23 12:21:07 2002\n");
        text.extend_from_slice(
            &std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("assets/samples")
                    .join(s),
            )
            .unwrap(),
        );
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
        s.contents().contains("message 2 of") && s.contents().contains("hops")
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
        s.contents().contains("hops 2/3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints about 216.201.75.12")
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
        s.contents().contains("hops 2/3")
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
        s.contents().contains("hops 2/3")
    });
    pty.send("c");
    pty.wait_for("the compose screen", Duration::from_secs(5), |s| {
        s.contents().contains("Complaints about")
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

//! The README's mail-client recipes, driven in a pseudo-terminal as a user would:
//! the neomutt macro and the aerc binding, read from the README itself, pipe the
//! message being read into `relaytrace -`, which opens on it with the terminal;
//! `q` gives the mail client back.

#![allow(clippy::unwrap_used)]

mod common;
mod lab;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lab::pty::Pty;

/// The README's lines that start with `start` (indented as code), as written.
fn readme_lines(start: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines: Vec<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("    "))
        .filter(|l| l.starts_with(start))
        .map(str::to_string)
        .collect();
    assert!(!lines.is_empty(), "the README has no line starting {start:?}");
    lines
}

/// A home with a Maildir holding one spam (the bundled sample without its mbox
/// `From ` line), relaytrace on the PATH, and a configuration that keeps it off
/// the network.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(maildir: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(root.join(maildir).join(sub)).unwrap();
        }
        let sample = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sa20021010-0031.eml"),
        )
        .unwrap();
        let message = sample.split_once('\n').unwrap().1;
        std::fs::write(root.join(maildir).join("cur/1.lab:2,S"), message).unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_relaytrace"), root.join("bin/relaytrace")).unwrap();
        std::fs::create_dir_all(root.join(".config/relaytrace")).unwrap();
        std::fs::write(
            root.join(".config/relaytrace/config.toml"),
            "[network]\ndns_servers = [\"127.0.0.1:9\"]\ntimeout_secs = 1\ntraceroute = false\ncache = false\n",
        )
        .unwrap();
        Home { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let root = self.path();
        vec![
            ("HOME", root.to_path_buf()),
            ("XDG_CONFIG_HOME", root.join(".config")),
            ("XDG_STATE_HOME", root.join(".state")),
            ("XDG_DATA_HOME", root.join(".data")),
            ("XDG_CACHE_HOME", root.join(".cache")),
            (
                "PATH",
                PathBuf::from(format!("{}:/usr/bin:/bin", root.join("bin").display())),
            ),
        ]
    }
}

/// relaytrace on the bundled sample, opened from standard input.
fn relaytrace_is_open(s: &vt100::Screen) -> bool {
    let c = s.contents();
    c.contains("hop 2 of 0–3") && c.contains("standard input") && c.contains("216.201.75.12")
}

#[test]
fn the_neomutt_macro_opens_the_message_in_relaytrace() {
    if !common::have("neomutt") {
        return;
    }
    let home = Home::new("Mail");
    let root = home.path();
    let mut rc = format!(
        "set mbox_type = Maildir\nset folder = {0}/Mail\nset spoolfile = {0}/Mail\nset header_cache = \"\"\nset quit = yes\nunset mark_old\n",
        root.display()
    );
    for line in readme_lines("macro index,pager") {
        rc.push_str(&line);
        rc.push('\n');
    }
    std::fs::write(root.join("neomuttrc"), rc).unwrap();
    let env = home.env();
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let rc = root.join("neomuttrc");
    let mut pty = Pty::spawn_cmd("neomutt", &["-n", "-F", rc.to_str().unwrap()], &env, (120, 40));
    pty.wait_for("neomutt's index", Duration::from_secs(10), |s| {
        s.contents().contains("PROTECT YOUR COMPUTER")
    });
    pty.send("\x14"); // Ctrl-T, the README's key
    pty.wait_for(
        "relaytrace on the message",
        Duration::from_secs(10),
        relaytrace_is_open,
    );
    pty.send("q");
    pty.wait_for("neomutt again", Duration::from_secs(10), |s| {
        let c = s.contents();
        c.contains("PROTECT YOUR COMPUTER") && !c.contains("hop 2 of 0–3")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

#[test]
fn the_aerc_binding_opens_the_message_in_relaytrace() {
    use std::os::unix::fs::PermissionsExt;
    if !common::have("aerc") {
        return;
    }
    let home = Home::new("Mail/INBOX");
    let root = home.path();
    let aerc = root.join(".config/aerc");
    std::fs::create_dir_all(&aerc).unwrap();
    std::fs::write(
        aerc.join("accounts.conf"),
        format!(
            "[lab]\nsource = maildir://{}/Mail\noutgoing = /bin/false\ndefault = INBOX\nfrom = Jane <jane@example.org>\n",
            root.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(aerc.join("accounts.conf"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(aerc.join("aerc.conf"), "[general]\n[ui]\n").unwrap();
    let bind = readme_lines("<C-e> = ")[0].clone();
    std::fs::write(
        aerc.join("binds.conf"),
        format!("[messages]\n{bind}\nq = :quit<Enter>\n\n[view]\n{bind}\n"),
    )
    .unwrap();
    let env = home.env();
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let mut pty = Pty::spawn_cmd("aerc", &[], &env, (120, 40));
    pty.wait_for("aerc's message list", Duration::from_secs(15), |s| {
        s.contents().contains("PROTECT YOUR COMPUTER")
    });
    // aerc drops keys that come before it has settled on the folder (it says
    // nothing when it has): the key is pressed again until relaytrace shows, as a
    // user would. Ctrl-E means nothing to relaytrace once it is open.
    let opened = (0..5).any(|_| {
        pty.send("\x05"); // Ctrl-E, the README's key
        pty.comes_to(Duration::from_secs(3), relaytrace_is_open)
    });
    assert!(
        opened,
        "relaytrace never opened; the screen:\n{}",
        pty.parser.screen().contents()
    );
    pty.send("q");
    pty.wait_for("relaytrace gone", Duration::from_secs(10), |s| {
        !s.contents().contains("hop 2 of 0–3")
    });
}

//! Peak memory of `relaytrace compose` on big spam (issue 21: under twice the
//! message plus a constant; the forwarded copy is streamed from the original).
//!
//! `cargo bench --bench compose_memory` writes four spams of about
//! `RELAYTRACE_BENCH_MB` (default 250) MB — short header lines, a big body, the
//! same stored with LF alone, and one full of the reporter's own address (each
//! one redacted) — runs the release binary on each, and reports the peak resident
//! memory the kernel measured (`VmHWM`) against the target.

#![allow(clippy::cast_precision_loss)] // figures for a report

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The allowance beyond twice the message: the program, its tables and buffers.
const CONSTANT_MB: f64 = 48.0;

fn write_spam(path: &Path, mb: u64, kind: &str) {
    let mut w = BufWriter::new(File::create(path).expect("spam file"));
    let eol: &[u8] = if kind == "lf" { b"\n" } else { b"\r\n" };
    let line = |w: &mut BufWriter<File>, text: &[u8]| {
        w.write_all(text).expect("write");
        w.write_all(eol).expect("write");
    };
    line(
        &mut w,
        b"Received: from relay.example.net (relay.example.net [81.2.69.7]) by mx.example.org with ESMTP id A; Mon, 1 Mar 2004 10:00:05 +0000",
    );
    let want = mb << 20;
    let mut written = 0;
    if kind == "headers" {
        while written < want {
            line(&mut w, b"X-A: b");
            written += 8;
        }
    }
    line(&mut w, b"Subject: big");
    line(&mut w, b"");
    let body: &[u8] = if kind == "redact" {
        b"write to jane@example.org or JANE@EXAMPLE.ORG today"
    } else {
        b"0123456789 abcdefghij 0123456789 abcdefghij 0123456789"
    };
    while written < want {
        line(&mut w, body);
        written += body.len() as u64 + 2;
    }
    w.flush().expect("flush");
}

/// The high-water mark of a process's resident memory, in KiB.
fn hwm_kb(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `binary args` with standard output to /dev/null; its peak RSS in KiB (the
/// kernel's high-water mark, read until it exits).
fn peak_kb(binary: &Path, args: &[&str]) -> i64 {
    let mut child = Command::new(binary)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run relaytrace");
    let pid = child.id();
    let mut hwm = 0;
    loop {
        hwm = hwm.max(hwm_kb(pid).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "relaytrace compose failed");
            return hwm;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn main() {
    let mb: u64 = std::env::var("RELAYTRACE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "relaytrace"])
        .current_dir(root)
        .status()
        .expect("cargo build");
    assert!(status.success(), "release build failed");
    let binary = root.join("target/release/relaytrace");
    let dir = tempfile::tempdir().expect("temporary directory");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[reporter]\nname = \"Jane Doe\"\naddress = \"jane@example.org\"\nredact = [\"jane@example.org\"]\n",
    )
    .expect("config");
    let mut missed = 0;
    for kind in ["headers", "body", "lf", "redact"] {
        let spam: PathBuf = dir.path().join(format!("{kind}.eml"));
        write_spam(&spam, mb, kind);
        let size = std::fs::metadata(&spam).expect("spam").len() as f64 / 1_048_576.0;
        for format in ["eml", "arf"] {
            let kb = peak_kb(
                &binary,
                &[
                    "--config",
                    cfg.to_str().expect("path"),
                    "compose",
                    "--offline",
                    "--to",
                    "owner",
                    "--format",
                    format,
                    "--add-to",
                    "abuse@example.net",
                    spam.to_str().expect("path"),
                ],
            );
            let peak = kb as f64 / 1024.0;
            let target = 2.0 * size + CONSTANT_MB;
            let ok = peak <= target;
            missed += usize::from(!ok);
            println!(
                "compose {format} of a {size:.0} MB spam ({kind}): peak RSS {peak:.0} MB = {:.2}× the message (target ≤ 2× + {CONSTANT_MB:.0} MB = {target:.0} MB): {}",
                peak / size,
                if ok { "met" } else { "MISSED" }
            );
        }
    }
    if missed > 0 {
        std::process::exit(1);
    }
}

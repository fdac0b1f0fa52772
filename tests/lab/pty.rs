//! A program in a pseudo-terminal (portable-pty) and the screen it drew, rebuilt
//! with `vt100` (ratatui writes only the cells that change).
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}

/// A running binary in a pseudo-terminal and the screen it drew.
pub struct Pty {
    pub parser: vt100::Parser,
    /// Every byte the program wrote (for escape sequences the screen swallows).
    pub raw: Vec<u8>,
    rx: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    pub fn spawn(args: &[&str], env: &[(&str, &Path)], size: (u16, u16)) -> Pty {
        Pty::spawn_cmd(env!("CARGO_BIN_EXE_relaytrace"), args, env, size)
    }

    /// Feeds what arrived (waiting up to `wait` for the first bytes) to the screen;
    /// returns how many bytes came.
    pub fn pump(&mut self, wait: Duration) -> usize {
        let mut n = 0;
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            n += bytes.len();
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.rx.try_recv() {
            n += bytes.len();
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        n
    }

    /// Kills the program (SIGKILL: no chance to save anything).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The process id of the program.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Whether the screen comes to satisfy `cond` within `timeout`.
    pub fn comes_to(&mut self, timeout: Duration, cond: impl Fn(&vt100::Screen) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while !cond(self.parser.screen()) {
            if Instant::now() >= deadline {
                return false;
            }
            self.pump(Duration::from_millis(5));
        }
        true
    }

    /// Waits (never sleeping blindly) until the screen satisfies `cond`.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, cond: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            if cond(self.parser.screen()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{}",
                self.parser.screen().contents()
            );
            self.pump(Duration::from_millis(5));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the process to end and returns its exit code.
    pub fn exit_code(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            self.pump(Duration::from_millis(20));
            if let Some(status) = self.child.try_wait().unwrap() {
                self.pump(Duration::from_millis(50));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "the program did not exit; the screen:\n{}",
                self.parser.screen().contents()
            );
        }
    }
}

impl Pty {
    /// Runs `script` with `sh -c` in the pseudo-terminal (for redirections).
    pub fn spawn_shell(script: &str, env: &[(&str, &Path)]) -> Pty {
        let mut p = Pty::spawn_cmd("sh", &["-c", script], env, (100, 30));
        p.pump(Duration::from_millis(10));
        p
    }

    pub fn spawn_cmd(program: &str, args: &[&str], env: &[(&str, &Path)], size: (u16, u16)) -> Pty {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: size.1,
                cols: size.0,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty {
            parser: vt100::Parser::new(nz(size.1), nz(size.0), 0),
            raw: Vec::new(),
            rx,
            writer,
            child,
            master: pair.master,
        }
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser.screen_mut().set_size(nz(rows), nz(cols));
    }
}

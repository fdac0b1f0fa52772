//! Copying text: the system clipboard through arboard (X11, Wayland), or OSC 52
//! through the terminal where there is no display (SSH, a console) or where the
//! configuration asks for it.

use std::io::Write;

use base64::Engine as _;

use crate::config::ClipboardMode;

/// Which way the text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    System,
    Osc52,
}

impl Via {
    pub fn words(self) -> &'static str {
        match self {
            Via::System => "the system clipboard",
            Via::Osc52 => "the terminal (OSC 52)",
        }
    }
}

/// The most text sent by OSC 52: terminals and multiplexers drop longer sequences
/// (xterm's default limit is about 1 MB of base64), so it is refused with a reason
/// instead of failing silently.
pub const OSC52_MAX: usize = 512 * 1024;

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

/// Is there a display for the system clipboard?
pub fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
}

/// Holds the system clipboard open: on X11 the text is served by this process for
/// as long as it lives.
#[derive(Default)]
pub struct Clipboard {
    system: Option<arboard::Clipboard>,
    /// The last text set on the system clipboard: handed to a small background
    /// owner when relaytrace exits, so that it can still be pasted.
    last: Option<String>,
}

impl Clipboard {
    /// Copies `text` the configured way; `terminal` receives the OSC 52 sequence.
    ///
    /// # Errors
    /// The system clipboard was asked for and cannot be used, or the terminal write failed.
    pub fn copy(&mut self, text: &str, mode: ClipboardMode, terminal: &mut dyn Write) -> Result<Via, String> {
        if wants_system(mode) {
            match self.set_system(text) {
                Ok(()) => return Ok(Via::System),
                Err(e) if mode == ClipboardMode::System => return Err(e),
                Err(_) => {}
            }
        }
        copy_osc52(text, terminal)
    }

    /// Sets the system clipboard (may wait on the display server: not on the UI task).
    ///
    /// # Errors
    /// There is no system clipboard, or it refused the text.
    pub fn copy_system(&mut self, text: &str) -> Result<Via, String> {
        self.set_system(text).map(|()| Via::System)
    }

    /// On X11, and on Wayland through the data-control protocol (wlroots, KDE),
    /// a selection lives only as long as its owner: hands the last text
    /// copied to a detached `relaytrace` that serves it until another program
    /// takes the clipboard (as `xclip` does). Says what it did, or why not.
    ///
    /// # Errors
    /// The helper cannot be started.
    pub fn keep_after_exit(&mut self) -> Result<Option<&'static str>, String> {
        let Some(text) = self.last.take() else {
            return Ok(None);
        };
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = {
            use std::os::unix::process::CommandExt;
            std::process::Command::new(exe)
                .arg(SERVE_ARG)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                // Its own process group: the terminal's hang-up does not end it.
                .process_group(0)
                .spawn()
                .map_err(|e| format!("cannot keep the clipboard: {e}"))?
        };
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        }
        // It says `ok` once it owns the selection (or ends, having failed): only
        // then may this process, the owner until now, go.
        let mut said = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut said);
        }
        if said.trim() == "ok" {
            Ok(Some("kept on the clipboard after relaytrace exits"))
        } else {
            Err("the clipboard could not be kept after exit".into())
        }
    }

    fn set_system(&mut self, text: &str) -> Result<(), String> {
        if self.system.is_none() {
            self.system = Some(arboard::Clipboard::new().map_err(|e| format!("no system clipboard: {e}"))?);
        }
        let cb = self.system.as_mut().ok_or("no system clipboard")?;
        cb.set_text(text.to_string())
            .map_err(|e| format!("the system clipboard refused: {e}"))?;
        self.last = Some(text.to_string());
        Ok(())
    }
}

/// The hidden first argument that makes `relaytrace` the clipboard's owner for the
/// text on its standard input, until another program takes the clipboard.
pub const SERVE_ARG: &str = "__serve-clipboard";

/// Serves `text` on the system clipboard until another program takes it (the
/// background owner [`Clipboard::keep_after_exit`] starts).
///
/// # Errors
/// No system clipboard.
pub fn serve(text: &str) -> Result<(), String> {
    let mut cb = arboard::Clipboard::new().map_err(|e| e.to_string())?;
    cb.set_text(text.to_string()).map_err(|e| e.to_string())?;
    // It owns the selection now: the TUI that started it may exit.
    println!("ok");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        cb.set()
            .wait()
            .text(text.to_string())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Does `mode` try the system clipboard first?
pub fn wants_system(mode: ClipboardMode) -> bool {
    match mode {
        ClipboardMode::System => true,
        ClipboardMode::Osc52 => false,
        ClipboardMode::Auto => has_display(),
    }
}

/// Sends `text` to the terminal's clipboard by OSC 52 (at most [`OSC52_MAX`] bytes).
///
/// # Errors
/// The text is too long for OSC 52, or the terminal write failed.
pub fn copy_osc52(text: &str, terminal: &mut dyn Write) -> Result<Via, String> {
    if text.len() > OSC52_MAX {
        return Err(format!(
            "{} bytes is too long for the terminal's clipboard (OSC 52 takes at most {} KiB): use the system clipboard ([clipboard] = \"system\") or the preview",
            text.len(),
            OSC52_MAX / 1024
        ));
    }
    terminal
        .write_all(osc52(text).as_bytes())
        .and_then(|()| terminal.flush())
        .map_err(|e| e.to_string())?;
    Ok(Via::Osc52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_sequence() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        let mut out = Vec::new();
        let via = Clipboard::default()
            .copy("hello", ClipboardMode::Osc52, &mut out)
            .unwrap();
        assert_eq!(via, Via::Osc52);
        assert_eq!(out, b"\x1b]52;c;aGVsbG8=\x07");
        // Too long for a terminal: refused with the reason, nothing written.
        let mut out = Vec::new();
        let e = copy_osc52(&"x".repeat(OSC52_MAX + 1), &mut out).unwrap_err();
        assert!(e.contains("too long") && out.is_empty(), "{e}");
    }
}

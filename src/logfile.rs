//! The TUI's log file (never the screen): `$XDG_STATE_HOME/relaytrace/relaytrace.log`,
//! 0600 in a 0700 folder. One line an event, `2026-11-30T20:31:07Z INFO what`;
//! `RELAYTRACE_DEBUG` set adds the debug lines (never the keys typed). Until
//! [`start`] is called (the command-line commands never do), events go nowhere.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

static FILE: OnceLock<Mutex<std::fs::File>> = OnceLock::new();
static DEBUG: AtomicBool = AtomicBool::new(false);

/// Where the log is.
pub fn path() -> Option<PathBuf> {
    crate::config::paths::dir(crate::config::paths::Kind::State).map(|d| d.join("relaytrace.log"))
}

/// Opens the log for appending (its folder made private); a log that cannot be
/// opened is no log, never an error.
pub fn start() {
    DEBUG.store(std::env::var_os("RELAYTRACE_DEBUG").is_some(), Ordering::Relaxed);
    let Some(path) = path() else { return };
    if let Ok(file) = crate::config::paths::open_private_append(&path) {
        let _ = FILE.set(Mutex::new(file));
    }
}

fn write(level: &str, what: &str) {
    let Some(file) = FILE.get() else { return };
    // One line an event, whatever the text holds.
    let what = crate::sanitize::clean(&what.replace(['\n', '\r'], " ")).into_owned();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let now = crate::received::Timestamp {
        epoch: i64::try_from(secs).unwrap_or(0),
        offset_min: 0,
    };
    let line = format!("{now} {level} {what}\n");
    let _ = file
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .write_all(line.as_bytes());
}

pub fn info(what: &str) {
    write("INFO", what);
}

pub fn warn(what: &str) {
    write("WARN", what);
}

/// Written only with `RELAYTRACE_DEBUG` set.
pub fn debug(what: &str) {
    if DEBUG.load(Ordering::Relaxed) {
        write("DEBUG", what);
    }
}

//! `relaytrace MESSAGE` on a terminal: loads the message(s) and opens the TUI.

use std::path::PathBuf;

use crate::config;
use crate::error::Error;
use crate::message::{self, LoadError};
use crate::trace::Options;

/// Loads the message(s) and opens the TUI.
///
/// # Errors
/// The input cannot be read or holds no message, or the terminal fails.
pub fn run(
    cfg: &config::Config,
    (offline, refresh): (bool, bool),
    opts: Options,
    path: &PathBuf,
    pick: Option<usize>,
) -> Result<(), Error> {
    let shown = super::shown(path);
    // Standard input is read whole (the complaints forward the message from it);
    // a file is read again when a message's full text is needed.
    let (origin, input) = super::source(path, &shown, cfg.input.max_bytes())?;
    let messages = message::select(input, pick, cfg.input.max_bytes())
        .collect::<Result<Vec<_>, LoadError>>()
        .map_err(|e| Error::input(&shown, e))?;
    crate::tui::open(cfg, (offline, refresh), opts, shown, messages, origin)
}

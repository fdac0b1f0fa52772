//! `relaytrace MESSAGE` on a terminal: loads the message(s) and opens the TUI.

use std::io::{self, Read};
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
    offline: bool,
    opts: Options,
    path: &PathBuf,
    pick: Option<usize>,
) -> Result<(), Error> {
    let shown = super::shown(path);
    // Standard input is read whole (the complaints forward the message from it);
    // a file is read again when a message's full text is needed.
    let (origin, input): (crate::tui::Origin, Box<dyn Read>) = if path.as_os_str() == "-" {
        // Read whole (it cannot be read again), but never past the limit.
        let max = cfg.input.max_bytes();
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::input(&shown, e))?;
        if bytes.len() as u64 > max {
            return Err(Error::input(
                &shown,
                format!(
                    "the input is larger than {} MiB: not read further ([input] max_message_mb raises the limit)",
                    max >> 20
                ),
            ));
        }
        let bytes = std::sync::Arc::new(bytes);
        (
            crate::tui::Origin::Bytes(bytes.clone()),
            Box::new(crate::message::SharedBytes(bytes.clone(), 0)),
        )
    } else {
        (crate::tui::Origin::Path(path.clone()), super::open(path)?)
    };
    let messages = message::select(input, pick, cfg.input.max_bytes())
        .collect::<Result<Vec<_>, LoadError>>()
        .map_err(|e| Error::input(&shown, e))?;
    crate::tui::open(cfg, offline, opts, shown, messages, origin)
}

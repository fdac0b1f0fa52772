//! `relaytrace hops`: the hops of a message (or of every message of an mbox), with
//! the site, the relay and the entry; JSON lines or a report. Never uses the network.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::error::Error;
use crate::message::{self, fields};
use crate::report;
use crate::trace::{self, Options};

/// `relaytrace hops`.
///
/// # Errors
/// The input cannot be read or is not a message, `--message` names none, or the
/// output cannot be written.
pub fn run(
    path: &PathBuf,
    json: bool,
    pick: Option<usize>,
    max: u64,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let shown = super::shown(path);
    let mut messages = message::select(super::open(path)?, pick, max);
    let mut out = BufWriter::with_capacity(1 << 16, out);
    while let Some(next) = messages.next() {
        let message = match next {
            Ok(m) => m,
            Err(e) => {
                out.flush().map_err(|e| Error::write(&e))?;
                return Err(Error::input(&shown, e));
            }
        };
        let mut t = trace::analyse(&message, opts);
        if fields(&message.header).next().is_none() {
            t.warnings
                .insert(0, "not an e-mail message: no header fields found".to_string());
        }
        // What the message carries; nothing is verified without the network.
        let auth = crate::auth::read(&message.header, &t.site, &opts.authserv_ids);
        if json {
            super::write_json_line(
                &mut out,
                &super::WithAuth {
                    trace: &t,
                    auth: &auth,
                },
            )?;
        } else {
            let title = messages
                .is_mbox()
                .then(|| format!("message {} of {shown}", message.number));
            report::write_text(&mut out, &t, title.as_deref()).map_err(|e| Error::write(&e))?;
            report::write_auth(&mut out, &auth).map_err(|e| Error::write(&e))?;
        }
    }
    out.flush().map_err(|e| Error::write(&e))
}

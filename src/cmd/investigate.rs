//! `relaytrace investigate`: the lookups of every external hop of a message, as
//! JSON (DESIGN.md §3) or as a report.

use std::io::{BufWriter, Read, Write};

use futures_util::future::join_all;

use crate::error::Error;
use crate::lookup::{Engine, Lookup};
use crate::message::{self, LoadError, fields};
use crate::trace::{self, Options};

/// The options of `investigate`.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub json: bool,
    pub raw: bool,
    pub hop: Option<usize>,
    pub pick: Option<usize>,
    /// The largest message read (`[input] max_message_mb`).
    pub max_message: u64,
}

/// `relaytrace investigate`.
///
/// # Errors
/// The message cannot be read, `--hop` names no external hop, or the output cannot
/// be written.
pub async fn run(
    engine: &Engine,
    (input, origin): (Box<dyn Read>, &crate::tui::Origin),
    shown: &str,
    req: &Request,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut messages = message::select(input, req.pick, req.max_message);
    let mut out = BufWriter::new(out);
    let mut done = 0usize;
    while let Some(next) = messages.next() {
        let message = next.map_err(|e| Error::input(shown, e))?;
        if fields(&message.header).next().is_none() {
            continue; // an mbox's field-less message: nothing to investigate
        }
        let mut t = trace::analyse(&message, opts);
        let wanted: Vec<usize> = match req.hop {
            Some(n) => {
                let Some(h) = t.hops.get(n) else {
                    return Err(Error::Usage(format!(
                        "--hop {n}: the message has {} hops (0 to {})",
                        t.hops.len(),
                        t.hops.len().saturating_sub(1)
                    )));
                };
                if h.from_ip.is_none() {
                    return Err(Error::Usage(format!(
                        "--hop {n}: that hop names no sender address"
                    )));
                }
                vec![n]
            }
            None => trace::hops_to_look_up(&t),
        };
        // The whole text, for the DKIM body hashes; the header alone if it cannot
        // be read again (then the signatures are listed, not checked).
        let whole = origin.original(&message, req.max_message).ok();
        let mut auth = crate::auth::read(
            whole.as_deref().unwrap_or(&message.header),
            &t.site,
            &opts.authserv_ids,
        );
        let checking = async {
            if let Some(w) = &whole {
                engine
                    .authenticate(w, &mut auth, crate::auth::spf_input(&t, &message.header))
                    .await;
            }
        };
        // Every hop at once; the engine merges identical requests and limits each server.
        let lookups = join_all(wanted.iter().filter_map(|&i| {
            let ip = t.hops[i].from_ip?;
            Some(async move { (i, Box::pin(engine.lookup_ip(ip)).await) })
        }));
        let (results, ()): (Vec<(usize, Lookup)>, ()) = futures_util::future::join(lookups, checking).await;
        crate::auth::weigh_entry(&mut t.entry, &auth);
        if req.json {
            let mut v = serde_json::to_value(super::WithAuth {
                trace: &t,
                auth: &auth,
            })
            .map_err(|e| Error::Input(e.to_string()))?;
            if let Some(hops) = v.get_mut("hops").and_then(|h| h.as_array_mut()) {
                for (i, l) in &results {
                    if let Some(h) = hops.get_mut(*i).and_then(|h| h.as_object_mut()) {
                        h.insert(
                            "lookups".into(),
                            serde_json::to_value(l).map_err(|e| Error::Input(e.to_string()))?,
                        );
                    }
                }
            }
            super::write_json_line(&mut out, &v)?;
        } else {
            let title = messages
                .is_mbox()
                .then(|| format!("message {} of {shown}", message.number));
            crate::report::write_text(&mut out, &t, title.as_deref()).map_err(|e| Error::write(&e))?;
            crate::report::write_auth(&mut out, &auth).map_err(|e| Error::write(&e))?;
            for (i, l) in &results {
                let role = match (t.relay == Some(*i), t.input_point == Some(*i)) {
                    (true, true) => " (the relay and input point)",
                    (true, false) => " (the relay)",
                    (false, true) => " (the input point)",
                    _ if t.entry.client_hop == Some(*i) => {
                        " (the submitting client: its network gets the second complaint)"
                    }
                    _ => "",
                };
                writeln!(out, "\nhop {i}{role}").map_err(|e| Error::write(&e))?;
                out.write_all(crate::report::lookup::render(l, req.raw).as_bytes())
                    .map_err(|e| Error::write(&e))?;
            }
        }
        done += 1;
    }
    out.flush().map_err(|e| Error::write(&e))?;
    if done == 0 {
        return Err(Error::input(shown, LoadError::NotAMessage));
    }
    Ok(())
}

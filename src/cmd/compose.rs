//! `relaytrace compose`: one complaint about one hop, written to standard output.

use std::io::Write;

use crate::error::Error;
use crate::lookup::Engine;
use crate::message::{LoadError, Reader, fields};
use crate::trace::{self, Options};

/// The whole text of message `number`: a file is read by seeking to it (an mbox of
/// any size), a stream whole up to the limit.
fn original(input: super::Input, number: usize, max: u64) -> Result<Vec<u8>, LoadError> {
    match input {
        super::Input::File(path) => {
            let m = crate::message::select(std::fs::File::open(&path)?, Some(number), max)
                .next()
                .unwrap_or(Err(LoadError::NotAMessage))?;
            crate::message::read_at(std::fs::File::open(&path)?, &m, max)
        }
        super::Input::Stream(mut r) => crate::message::read_message(&mut r, number, max),
    }
}

/// Whom a complaint is about, for the error when nobody was found to send it to.
enum Whom {
    /// The hop's sender.
    Hop(usize, std::net::IpAddr),
    /// The submitting client of an account or webmail, when the header shows it.
    Client(Option<std::net::IpAddr>),
}

impl Whom {
    fn error(&self, e: &crate::compose::ComposeError) -> Error {
        if !matches!(e, crate::compose::ComposeError::NoRecipient(_)) {
            return Error::Usage(e.to_string());
        }
        Error::NoRecipient(match self {
            Whom::Hop(hop, ip) => format!(
                "{e} (hop {hop}, {ip}: see `relaytrace lookup {ip}`, or give one with --add-to ADDRESS)"
            ),
            Whom::Client(Some(c)) => format!(
                "{e} (the network of the submitting client {c}: see `relaytrace lookup {c}`, or give one with --add-to ADDRESS)"
            ),
            Whom::Client(None) => format!(
                "{e} (the header records no public address of the submitting client: give one with --add-to ADDRESS)"
            ),
        })
    }
}

/// The side and the form the command line asked for.
fn side_and_format(a: &crate::cli::ComposeArgs) -> (crate::compose::Side, crate::compose::Format) {
    use crate::compose::{Format, Side};
    let side = match a.to {
        crate::cli::SideArg::Owner => Side::Owner,
        crate::cli::SideArg::Isp => Side::Isp,
    };
    let format = match a.format {
        crate::cli::FormatArg::Eml => Format::Eml,
        crate::cli::FormatArg::Text => Format::Text,
        crate::cli::FormatArg::Arf => Format::Arf,
    };
    (side, format)
}

/// Seconds since the epoch, now.
fn unix_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(now).unwrap_or(0)
}

/// `relaytrace compose`.
///
/// # Errors
/// The message cannot be read, the hop has no address, no recipient, no reporter.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    engine: &Engine,
    cfg: &crate::config::Config,
    input: super::Input,
    shown: &str,
    a: &crate::cli::ComposeArgs,
    number: usize,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), Error> {
    use crate::compose::{self, Side};
    let original = original(input, number, cfg.input.max_bytes()).map_err(|e| Error::input(shown, e))?;
    let message = Reader::new(original.as_slice())
        .next()
        .transpose()
        .map_err(|e| Error::Input(format!("{shown}: {}", LoadError::from(e))))?
        .filter(|m| fields(&m.header).next().is_some())
        .ok_or_else(|| Error::Input(format!("{shown}: {}", LoadError::NotAMessage)))?;
    let t = trace::analyse(&message, opts);
    let hop = a.hop.or(t.input_point).or(t.relay).ok_or_else(|| {
        Error::Input(format!(
            "{shown}: no external hop to complain about (use --hop N)"
        ))
    })?;
    let ip = t
        .hops
        .get(hop)
        .and_then(|h| h.from_ip)
        .ok_or_else(|| Error::Usage(format!("--hop {hop}: that hop names no sender address")))?;
    let mut auth = crate::auth::read(&original, &t.site, &opts.authserv_ids);
    let checking = engine.authenticate(&original, &mut auth, crate::auth::spf_input(&t, &message.header));
    // An account's or a webmail's second party is the submitting client's network:
    // its address is looked up beside the entry's.
    let client_ip = compose::client_to_look_up(&t, hop, a.class.unwrap_or(t.entry.class));
    let client = async {
        match client_ip {
            Some(c) => Some(Box::pin(engine.lookup_ip(c)).await),
            None => None,
        }
    };
    let (lookup, client, ()) =
        futures_util::future::join3(Box::pin(engine.lookup_ip(ip)), client, checking).await;
    let (side, format) = side_and_format(a);
    let mut facts = compose::facts(&t, hop, Some(&lookup), &cfg.reporter);
    if let Some(c) = a.class {
        facts.class = c;
    }
    compose::add_auth(&mut facts, &auth);
    if let Some(c) = &client {
        compose::add_client(&mut facts, c);
    }
    let now = unix_now();
    compose::age_note(&mut facts, &t, hop, now, cfg.compose.max_age_days);
    let template = compose::template_for(facts.class, side, &cfg.compose)
        .map_err(|e| Error::Usage(e.to_string()))?
        .map_err(|why| {
            Error::Input(format!(
                "{shown}: no {} complaint for a {} ({}): {why}",
                side.word(),
                facts.class.words(),
                facts.class.name()
            ))
        })?;
    let contacts = compose::contacts_for(
        side,
        facts.class,
        Some(&lookup),
        client.as_ref(),
        t.entry.provider_desk.as_deref(),
    );
    let mut d = compose::draft(
        side,
        &facts,
        &template,
        &contacts,
        format,
        a.quote || cfg.compose.quote_inline,
    )
    .map_err(|e| Error::Usage(e.to_string()))?;
    d.to.extend(a.add_to.iter().cloned());
    d.redact = (d.redact && !a.no_redact) || a.redact;
    let salt = u64::from(std::process::id()) << 32 ^ u64::try_from(now).unwrap_or(0);
    let choices = compose::Choices {
        draft: &d,
        original: &original,
        reporter: &cfg.reporter,
        now,
        salt,
        // Written to standard output as stored; the user's mail program sends it.
        line_ends: compose::LineEnds::AsStored,
        binary: false,
    };
    let who = if side == Side::Isp && compose::isp_is_client_network(facts.class) {
        Whom::Client(client_ip)
    } else {
        Whom::Hop(hop, ip)
    };
    // Streamed: the spam is written from the original as it goes, never copied.
    let built = compose::Complaint::stream(&facts, &choices).map_err(|e| who.error(&e))?;
    // The text form may be built without a recipient (the TUI copies it for a web
    // form); from the command line, every format needs one alike.
    if built.meta.recipients.is_empty() {
        return Err(who.error(&crate::compose::ComposeError::NoRecipient(side.word())));
    }
    if let Some(note) = &built.meta.note {
        eprintln!("relaytrace: note: {note}");
    }
    for c in &built.meta.changes {
        eprintln!("relaytrace: redacted line {}: {}", c.line, c.after);
    }
    if built.meta.changes.len() == crate::compose::redact::MAX_CHANGES {
        eprintln!("relaytrace: redacted more lines than these (each one is replaced)");
    }
    write_out(built, out)
}

/// Writes the complaint. On a terminal the spam's own escape sequences would be
/// obeyed (a window title, the clipboard by OSC 52): they are shown escaped; a file
/// or a pipe gets the exact bytes.
fn write_out(built: crate::compose::mime::Streamed<'_>, out: &mut dyn Write) -> Result<(), Error> {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        let bytes = built.into_composed().bytes;
        let shown = crate::sanitize::terminal_bytes(&bytes);
        if matches!(shown, std::borrow::Cow::Owned(_)) {
            eprintln!(
                "relaytrace: note: control characters are shown escaped on a terminal; redirect the output to a file for the exact bytes"
            );
        }
        out.write_all(&shown).map_err(|e| Error::write(&e))?;
    } else {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
        built.write_to(&mut w).map_err(|e| Error::write(&e))?;
        w.flush().map_err(|e| Error::write(&e))?;
    }
    out.flush().map_err(|e| Error::write(&e))
}

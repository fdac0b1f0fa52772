//! The investigator TUI (`relaytrace MESSAGE`): step through the hops, watch the
//! evidence arrive, pick the input point.
//!
//! The Elm shape (`../shared/STYLE.md`): [`model`] is the state, [`msg`] what can
//! happen, [`update`] the only code that changes the state and returns
//! [`effect`]s, [`runtime`] the only code that spawns tasks, and [`view`] only reads.
//! Keys are data ([`keymap`]).

pub mod compose;
pub mod drafts;
pub mod effect;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod runtime;
pub mod update;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::error::Error as CliError;
use crate::lookup::Engine;
use crate::lookup::cache::Cache;
use crate::message::{Message, fields, read_at, summarize};
use crate::sanitize::clip;
use crate::trace::{self, Options};

/// Where the message came from, to read a message's full text when composing.
#[derive(Debug, Clone)]
pub enum Origin {
    Path(PathBuf),
    Bytes(Arc<Vec<u8>>),
}

impl Origin {
    /// The whole text of `m`, `>From ` unescaped: a file is read by seeking to the
    /// message, not again from its start.
    ///
    /// # Errors
    /// The file cannot be read again, or changed since.
    pub fn original(&self, m: &crate::message::Message, max: u64) -> Result<Vec<u8>, String> {
        let r = match self {
            Origin::Path(p) => std::fs::File::open(p)
                .map_err(|e| e.to_string())
                .and_then(|f| read_at(f, m, max).map_err(|e| e.to_string())),
            Origin::Bytes(b) => {
                read_at(std::io::Cursor::new(b.as_slice()), m, max).map_err(|e| e.to_string())
            }
        };
        r.map_err(|e| format!("cannot read message {} again: {e}", m.number))
    }
}

/// What composing needs besides the analysis: templates, drafts restored from disk,
/// the message's text (one message only: an mbox reads it when one is opened), the
/// transport and the sent log; and what loading the drafts had to say.
fn setup(
    cfg: &Config,
    first: &Message,
    trace: &trace::Trace,
    origin: &Origin,
    single: bool,
) -> Result<(compose::Setup, Option<String>), CliError> {
    let template =
        |side| crate::compose::template(side, &cfg.compose).map_err(|e| CliError::Usage(e.to_string()));
    let draft_key = drafts::key(&first.header);
    let mut templates = std::collections::HashMap::new();
    for class in crate::trace::entry::Class::ALL {
        for side in [crate::compose::Side::Owner, crate::compose::Side::Isp] {
            if let Ok(t) = crate::compose::template_for(class, side, &cfg.compose)
                .map_err(|e| CliError::Usage(e.to_string()))?
                && cfg.compose.templates_dir.is_some()
            {
                templates.insert((class, side), t);
            }
        }
    }
    let (restored, draft_notes) = drafts::load(
        &draft_key,
        &trace
            .input_point
            .and_then(|p| trace.hops.get(p))
            .and_then(|h| h.from_ip)
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
    );
    let setup = compose::Setup {
        templates,
        class_choice: None,
        reporter: cfg.reporter.clone(),
        config: cfg.compose.clone(),
        owner_template: template(crate::compose::Side::Owner)?,
        isp_template: template(crate::compose::Side::Isp)?,
        restored,
        original: if single {
            origin.original(first, cfg.input.max_bytes()).ok().map(Arc::new)
        } else {
            None
        },
        transport: crate::deliver::send::Transport::from_config(cfg),
        id_salt: u64::from(std::process::id()) << 32,
        sent: crate::deliver::log::default_path()
            .map(|p| crate::deliver::log::for_message(&p, &draft_key))
            .unwrap_or_default(),
        history: crate::deliver::log::default_path()
            .map(|p| crate::deliver::log::read(&p))
            .unwrap_or_default(),
        bounced: crate::deliver::log::bounced_path()
            .map(|p| crate::deliver::log::read_bounced(&p))
            .unwrap_or_default(),
        log_path: crate::deliver::log::default_path(),
        relay_test_port: cfg.network.relay_test_port,
        clipboard_by_terminal: !crate::deliver::clipboard::wants_system(cfg.clipboard),
        // Set by `open` from the command line.
        offline: false,
        draft_key,
    };
    Ok((setup, draft_notes.into_iter().next()))
}

/// The picker's rows: each message's number, subject, sender, date, how it got in
/// (each message analysed, no lookups) and whether a complaint went about it or
/// its entry's address.
fn picker_rows(
    messages: &[Message],
    options: &Options,
    history: &[crate::deliver::log::Entry],
) -> Vec<model::PickerRow> {
    messages
        .iter()
        .map(|m| {
            let s = summarize(&m.header);
            let has = fields(&m.header).next().is_some();
            let t = trace::analyse(m, options);
            let ip = t.entry.ip.map(|i| i.to_string());
            let key = drafts::key(&m.header);
            let complained = history.iter().any(|e| {
                e.outcome == crate::deliver::log::Outcome::Sent
                    && (e.message == key || ip.as_deref() == Some(e.relay_ip.as_str()))
            });
            model::PickerRow {
                number: m.number,
                subject: clip(
                    s.subject
                        .as_deref()
                        .unwrap_or(if has { "(no subject)" } else { "(not a message)" }),
                    200,
                ),
                from: clip(s.from.as_deref().unwrap_or(""), 80),
                date: clip(s.date.as_deref().unwrap_or(""), 40),
                entry: if has {
                    format!("{} {}", t.entry.class.words(), ip.unwrap_or_default())
                        .trim()
                        .to_string()
                } else {
                    String::new()
                },
                complained,
                entry_ip: t.entry.ip,
                arrived: model::arrived(&t),
            }
        })
        .collect()
}

/// Where the TUI writes its log (never the screen): `$XDG_STATE_HOME/relaytrace/relaytrace.log`.
pub fn log_path() -> Option<PathBuf> {
    crate::logfile::path()
}

/// Opens the TUI on `messages` (one, or an mbox's: a picker comes first).
///
/// # Errors
/// The configuration is unusable, or the terminal cannot be used.
pub fn open(
    cfg: &Config,
    (offline, refresh): (bool, bool),
    options: Options,
    source: String,
    messages: Vec<Message>,
    origin: Origin,
) -> Result<(), CliError> {
    crate::config::paths::tighten_existing();
    crate::logfile::start();
    crate::logfile::info(&format!("opening {source}: {} messages", messages.len()));
    let keymap = keymap::Keymap::from_config(cfg.other.get("keys"), &cfg.lines).map_err(CliError::Usage)?;
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let Some(first) = messages.first() else {
        return Err(CliError::Input(format!("{source}: no message in it")));
    };
    let (shown, t) = if messages.len() == 1 {
        (source.clone(), trace::analyse(first, &options))
    } else {
        (format!("message 1 of {source}"), trace::analyse(first, &options))
    };
    let mut model = model::Model::new(shown, t, keymap, color, Instant::now());
    let (setup, note) = setup(cfg, first, &model.trace, &origin, messages.len() == 1)?;
    model.setup = setup;
    model.setup.offline = offline;
    if let Some(n) = note {
        model.status = Some(n);
    }
    if messages.len() > 1 {
        model.screen = model::Screen::Picker;
        model.picker.rows = picker_rows(&messages, &options, &model.setup.history);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the async runtime: {e}")))?;
    // One engine: a refresh (F) is a request of it that asks again, sharing its
    // cache, its limits per server and its bound on requests.
    let engine = rt
        .block_on(async {
            Engine::new(
                cfg.network.clone(),
                cfg.zones.clone(),
                Cache::default_dir(),
                offline,
                refresh,
            )
        })
        .map_err(CliError::Usage)?;
    let messages_single = messages.len() == 1;
    let ctx = Arc::new(runtime::Context {
        engine: Arc::new(engine),
        messages,
        options,
        source,
        origin,
        transport: crate::deliver::send::Transport::from_config(cfg).ok(),
        log_path: crate::deliver::log::default_path(),
        clipboard_mode: cfg.clipboard,
        clipboard: std::sync::Mutex::new(crate::deliver::clipboard::Clipboard::default()),
        save_asked: std::sync::atomic::AtomicU64::new(0),
        save_written: std::sync::Mutex::new(0),
        locks: std::sync::Mutex::new(std::collections::HashMap::new()),
        max_message: cfg.input.max_bytes(),
    });
    // Two instances on one message would overwrite each other's drafts: the second
    // says so at once, saves nothing, and asks before quitting with edits.
    if messages_single && let Err(e) = ctx.hold_drafts(&model.setup.draft_key) {
        model.status = Some(e.clone());
        model.save_failed = Some(e);
    }
    let result = runtime::run_terminal(&mut model, &ctx, &rt);
    rt.shutdown_background();
    if let Some(note) = &model.exit_note {
        eprintln!("relaytrace: {}", crate::sanitize::clean(note));
    }
    // What was copied stays pasteable after the exit (X11 drops a selection with its
    // owner): a small background owner takes it.
    let kept = ctx
        .clipboard
        .lock()
        .map_err(|_| "the clipboard is in use".to_string())
        .and_then(|mut c| c.keep_after_exit());
    match kept {
        Ok(Some(words)) => crate::logfile::info(&format!("clipboard after exit: {words}")),
        Ok(None) => {}
        Err(e) => eprintln!("relaytrace: {}", crate::sanitize::clean(&e)),
    }
    result.map_err(|e| CliError::Input(format!("the terminal failed: {e}")))
}

#[cfg(test)]
mod tests;

//! The only code that does I/O for the TUI: it reads terminal events, runs the
//! effects `update` asks for as tokio tasks, feeds their results back as messages,
//! and draws a frame only when something changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::effect::Effect;
use super::model::Model;
use super::model::Quit;
use super::msg::{Msg, SendReport};
use super::update::{start, update};
use super::view;
use crate::deliver::log::Outcome;
use crate::deliver::send::Sent;
use crate::lookup::Engine;
use crate::message::Message;
use crate::trace::{self, Options};

/// What the runtime needs besides the model.
pub struct Context {
    pub engine: Arc<Engine>,
    /// The same settings, asking every server again (the refresh key).
    pub messages: Vec<Message>,
    pub options: Options,
    pub source: String,
    pub origin: super::Origin,
    /// How complaints are sent, if configured.
    pub transport: Option<crate::deliver::send::Transport>,
    pub log_path: Option<std::path::PathBuf>,
    pub clipboard_mode: crate::config::ClipboardMode,
    pub clipboard: std::sync::Mutex<crate::deliver::clipboard::Clipboard>,
    /// Saves of the drafts, numbered as asked; the lock holds the newest written,
    /// so saves never overlap and an older one never overwrites a newer one.
    pub save_asked: std::sync::atomic::AtomicU64,
    pub save_written: std::sync::Mutex<u64>,
    /// The largest message read (`[input] max_message_mb`).
    pub max_message: u64,
    /// The drafts this instance holds, by message key (`None`: another has them).
    pub locks: std::sync::Mutex<std::collections::HashMap<String, Option<super::drafts::Lock>>>,
}

impl Context {
    /// Takes (once) the lock on a message's drafts.
    ///
    /// # Errors
    /// Another instance holds them.
    pub fn hold_drafts(&self, key: &str) -> Result<(), String> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !locks.contains_key(key) {
            match super::drafts::lock(key) {
                Ok(l) => {
                    locks.insert(key.to_string(), l);
                }
                // No lock file (a read-only disk): the save itself will say why.
                Err(_) => return Ok(()),
            }
        }
        match locks.get(key) {
            Some(None) => Err(super::drafts::HELD_ELSEWHERE.to_string()),
            _ => Ok(()),
        }
    }
}

/// Runs one effect. Lookups and sends are tasks; file work (drafts, opening a
/// message of the mbox) runs on the blocking pool: the UI task never waits on a
/// disk or a server. Each reports back as a message.
fn execute(effect: &Effect, ctx: &Arc<Context>, tx: &UnboundedSender<Msg>) {
    match *effect {
        Effect::Lookup {
            hop,
            ip,
            req,
            refresh,
        } => {
            let engine = if refresh {
                Arc::new(ctx.engine.refreshing())
            } else {
                ctx.engine.clone()
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let parts = tx.clone();
                let progress = move |part| {
                    let _ = parts.send(Msg::Part {
                        hop,
                        req,
                        part: Box::new(part),
                    });
                };
                let lookup = Box::pin(engine.lookup_ip_with(ip, &progress)).await;
                let _ = tx.send(Msg::Done {
                    hop,
                    req,
                    lookup: Box::new(lookup),
                });
            });
        }
        Effect::SaveDrafts {
            ref key,
            ref drafts,
            ref history,
        } => {
            let (key, drafts, history, tx) = (key.clone(), drafts.clone(), history.clone(), tx.clone());
            let ticket = ctx.save_asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let ctx = ctx.clone();
            tokio::task::spawn_blocking(move || {
                let mut written = ctx
                    .save_written
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if *written > ticket {
                    return; // a newer save is already on disk
                }
                *written = ticket;
                let r = ctx
                    .hold_drafts(&key)
                    .and_then(|()| super::drafts::save(&key, &drafts, &history).map_err(|e| e.to_string()))
                    .map(|_| ());
                if let Err(e) = &r {
                    crate::logfile::warn(&format!("saving drafts: {e}"));
                }
                let _ = tx.send(Msg::Saved(r));
            });
        }
        Effect::SaveBounced(ref set) => {
            let (set, tx) = (set.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                if let Some(p) = crate::deliver::log::bounced_path()
                    && let Err(e) = crate::deliver::log::write_bounced(&p, &set)
                {
                    let _ = tx.send(Msg::Saved(Err(format!("the bounced addresses: {e}"))));
                }
            });
        }
        // The terminal or the model is needed: `run` handles them.
        Effect::Editor { .. } | Effect::Log(_) => {}
        Effect::Copy {
            ref what,
            ref text,
            terminal_only,
        } => copy(ctx, tx, what, text, terminal_only),
        Effect::CopyComplaint { ref what, ref job } => copy_complaint(ctx, tx, what, job),
        Effect::Send { .. } => send_effect(effect, ctx, tx, None),
        Effect::Authenticate {
            req,
            ref whole,
            ref site,
            ref spf,
            refresh,
        } => authenticate(ctx, tx, req, (whole, site, spf.as_ref()), refresh),
        Effect::RelayTest { ref plan, force } => {
            let (engine, tx, plan) = (ctx.engine.clone(), tx.clone(), plan.clone());
            tokio::spawn(async move {
                let result = engine.relay_test(&plan, force).await;
                let _ = tx.send(Msg::RelayTested { ip: plan.ip, result });
            });
        }
        Effect::Open(n) => {
            let (ctx, tx) = (ctx.clone(), tx.clone());
            tokio::task::spawn_blocking(move || open_message(&ctx, n, &tx));
        }
    }
}

/// Copies text: the system clipboard on the blocking pool (a display server may
/// be slow), falling back (as configured) to OSC 52, which is a terminal write and
/// so happens here, on the UI task, between frames.
fn copy(ctx: &Arc<Context>, tx: &UnboundedSender<Msg>, what: &str, text: &str, terminal_only: bool) {
    use crate::deliver::clipboard;
    if terminal_only || !clipboard::wants_system(ctx.clipboard_mode) {
        let result = clipboard::copy_osc52(text, &mut std::io::stdout()).map(|via| (via.words(), text.len()));
        let _ = tx.send(Msg::Copied {
            what: what.to_string(),
            result,
        });
        return;
    }
    let (ctx, tx, what, text) = (ctx.clone(), tx.clone(), what.to_string(), text.to_string());
    tokio::task::spawn_blocking(move || {
        let _ = tx.send(copy_system(&ctx, what, text));
    });
}

/// Copies `text` to the system clipboard (on the blocking pool: a display server
/// may be slow): what happened, or, where the configuration allows, the terminal's
/// clipboard to try instead.
fn copy_system(ctx: &Context, what: String, text: String) -> Msg {
    let result = ctx
        .clipboard
        .lock()
        .map_err(|_| "the clipboard is in use".to_string())
        .and_then(|mut c| c.copy_system(&text));
    match result {
        Ok(via) => Msg::Copied {
            what,
            result: Ok((via.words(), text.len())),
        },
        Err(_) if ctx.clipboard_mode == crate::config::ClipboardMode::Auto => {
            Msg::CopyByTerminal { what, text }
        }
        Err(e) => Msg::Copied { what, result: Err(e) },
    }
}

/// Builds a complaint's text and copies it, all on the blocking pool: quoting a
/// spam of hundreds of megabytes takes seconds the UI must not wait. The terminal's
/// clipboard is written on the UI task (through [`Msg::CopyByTerminal`]).
fn copy_complaint(ctx: &Arc<Context>, tx: &UnboundedSender<Msg>, what: &str, job: &crate::compose::Job) {
    use crate::deliver::clipboard;
    let (ctx, tx, what, job) = (ctx.clone(), tx.clone(), what.to_string(), job.clone());
    tokio::task::spawn_blocking(move || {
        let text = match job.build() {
            Ok(built) => String::from_utf8(built.bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(e) => {
                let _ = tx.send(Msg::Copied {
                    what,
                    result: Err(e.to_string()),
                });
                return;
            }
        };
        if !clipboard::wants_system(ctx.clipboard_mode) {
            let _ = tx.send(Msg::CopyByTerminal { what, text });
            return;
        }
        let _ = tx.send(copy_system(&ctx, what, text));
    });
}

/// Sends a complaint on a task; the outcome comes back as [`Msg::SendDone`].
/// Starts the send of an [`Effect::Send`], with the password when it was asked for.
fn send_effect(
    e: &Effect,
    ctx: &Arc<Context>,
    tx: &UnboundedSender<Msg>,
    password: Option<crate::config::Secret>,
) {
    if let Effect::Send {
        panel,
        from,
        to,
        bytes,
        binary,
        entry,
    } = e
    {
        send(
            ctx,
            tx,
            (*panel, password),
            from,
            to,
            (bytes, binary.as_ref()),
            entry,
        );
    }
}

fn send(
    ctx: &Arc<Context>,
    tx: &UnboundedSender<Msg>,
    (panel, password): (usize, Option<crate::config::Secret>),
    from: &str,
    to: &[String],
    (bytes, binary): (&Arc<Vec<u8>>, Option<&Arc<Vec<u8>>>),
    entry: &crate::deliver::log::Entry,
) {
    let transport = match (ctx.transport.clone(), password) {
        (Some(crate::deliver::send::Transport::Smtp(mut s)), Some(p)) => {
            s.password = Some(p);
            Some(crate::deliver::send::Transport::Smtp(s))
        }
        (t, _) => t,
    };
    let Some(transport) = transport else {
        let _ = tx.send(Msg::SendDone {
            panel,
            report: SendReport::Refused("no way to send is configured".into()),
        });
        return;
    };
    let (engine, tx, from, to, bytes, binary, mut entry, log) = (
        ctx.engine.clone(),
        tx.clone(),
        from.to_string(),
        to.to_vec(),
        bytes.clone(),
        binary.cloned(),
        Box::new(entry.clone()),
        ctx.log_path.clone(),
    );
    tokio::spawn(async move {
        let timeout = transport.limit();
        let resolve = |host: String| {
            let engine = engine.clone();
            async move { engine.resolve_host(&host).await }
        };
        let forms = crate::deliver::send::Forms {
            safe: &bytes,
            binary: binary.as_deref().map(Vec::as_slice),
        };
        let (sent, went) =
            crate::deliver::send::send_forms(&transport, resolve, &from, &to, forms, timeout).await;
        // The log says which form went, and its size.
        let sent = match (went, &binary) {
            (crate::deliver::send::Went::Binary, Some(b)) if !matches!(sent, Sent::Refused(_)) => {
                entry.bytes = b.len();
                sent.with_note("the spam went unchanged: binary, by BDAT")
            }
            _ => sent,
        };
        let report = match sent {
            Sent::Accepted(reply) => gone(entry, reply, Outcome::Sent, log.as_deref()),
            Sent::Unknown(why) => gone(entry, why, Outcome::Unknown, log.as_deref()),
            Sent::Refused(why) => SendReport::Refused(why),
        };
        crate::logfile::info(&format!(
            "send ended (gone: {})",
            matches!(report, SendReport::Gone { .. })
        ));
        let _ = tx.send(Msg::SendDone { panel, report });
    });
}

/// Reads the message's authentication and checks it through the engine's resolver
/// (nothing offline), then says so for request `req`.
fn authenticate(
    ctx: &Arc<Context>,
    tx: &UnboundedSender<Msg>,
    req: u64,
    (whole, site, spf): (&Arc<Vec<u8>>, &[String], Option<&crate::auth::SpfInput>),
    refresh: bool,
) {
    let engine = if refresh {
        Arc::new(ctx.engine.refreshing())
    } else {
        ctx.engine.clone()
    };
    let (tx, whole, site, spf, ids) = (
        tx.clone(),
        whole.clone(),
        site.to_vec(),
        spf.cloned(),
        ctx.options.authserv_ids.clone(),
    );
    tokio::spawn(async move {
        let mut auth = crate::auth::read(&whole, &site, &ids);
        engine.authenticate(&whole, &mut auth, spf).await;
        let _ = tx.send(Msg::Auth {
            req,
            auth: Box::new(auth),
        });
    });
}

/// Message `n` of the mbox, analysed, with its drafts and its text read again.
fn open_message(ctx: &Context, n: usize, tx: &UnboundedSender<Msg>) {
    let Some(message) = ctx.messages.iter().find(|m| m.number == n) else {
        return;
    };
    let trace = trace::analyse(message, &ctx.options);
    let source = format!("message {n} of {}", ctx.source);
    let draft_key = super::drafts::key(&message.header);
    let legacy = trace
        .input_point
        .and_then(|p| trace.hops.get(p))
        .and_then(|h| h.from_ip)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let (restored, _notes) = super::drafts::load(&draft_key, &legacy);
    let original = ctx.origin.original(message, ctx.max_message).ok().map(Arc::new);
    let held = ctx.hold_drafts(&draft_key);
    let _ = tx.send(Msg::Opened {
        source,
        trace: Box::new(trace),
        draft_key,
        restored,
        original,
    });
    if let Err(e) = held {
        let _ = tx.send(Msg::Saved(Err(e)));
    }
}

/// A send that went (or may have gone): its log entry, appended to the sent log.
fn gone(
    mut entry: Box<crate::deliver::log::Entry>,
    reply: String,
    outcome: Outcome,
    log: Option<&std::path::Path>,
) -> SendReport {
    entry.time = crate::deliver::log::now();
    entry.reply = reply;
    entry.outcome = outcome;
    let unlogged = log.and_then(|p| {
        crate::deliver::log::append(p, &entry)
            .err()
            .map(|e| e.to_string())
    });
    SendReport::Gone { entry, unlogged }
}

/// Runs the loop until the user quits.
///
/// # Errors
/// The terminal cannot be drawn on or read from.
pub async fn run(
    terminal: &mut DefaultTerminal,
    model: &mut Model,
    ctx: &Arc<Context>,
) -> std::io::Result<()> {
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let size = terminal.size()?;
    model.size = (size.width, size.height);
    if model.screen == super::model::Screen::Hops {
        for e in start(model, false) {
            execute(&e, ctx, &tx);
        }
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if model.dirty {
            model.now = Instant::now();
            model.epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
            terminal.draw(|f| view::draw(f, model))?;
            model.dirty = false;
        }
        if model.quit == Quit::Now {
            return Ok(());
        }
        let busy = model.in_flight() > 0 || model.drafts_dirty.is_some();
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick(), if busy => Msg::Tick,
        };
        // Never the keys themselves: what the user types is their complaint.
        crate::logfile::debug(&format!("message {}", msg.kind()));
        let mut effects = update(model, msg);
        // Drain what else is queued, then draw once.
        while let Ok(more) = rx.try_recv() {
            effects.extend(update(model, more));
        }
        for e in &effects {
            if let Effect::Log(entry) = e {
                // Synchronous: the loop ends right after this message.
                if let Some(p) = &ctx.log_path
                    && let Err(err) = crate::deliver::log::append(p, entry)
                {
                    model.exit_note = Some(format!(
                        "the sent log {} could not be written ({err}): the {} complaint to {} may have been sent",
                        p.display(),
                        entry.side.word(),
                        entry.recipients.join(", ")
                    ));
                }
            } else if let Effect::Send { .. } = e
                && let Some(command) = password_command(ctx)
            {
                send_asking_password(terminal, e, ctx, &tx, &command);
                model.dirty = true;
            } else if let Effect::Editor { panel, text } = e {
                let (result, note) = match edit_outside(terminal, text) {
                    Ok((text, note)) => (Ok(text), note),
                    Err(e) => (Err(e), None),
                };
                let _ = tx.send(Msg::Edited {
                    panel: *panel,
                    text: result,
                    note,
                });
                model.dirty = true;
            } else if let (Effect::SaveDrafts { key, drafts, history }, Quit::Now) = (e, model.quit) {
                // The last save before the loop ends: done here, not on a pool the
                // runtime's shutdown may cut short.
                let mut last = ctx
                    .save_written
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match ctx
                    .hold_drafts(key)
                    .and_then(|()| super::drafts::save(key, drafts, history).map_err(|e| e.to_string()))
                {
                    Ok(_) => *last = u64::MAX, // no save still queued may follow this one
                    // The first time it fails, the user is asked (the edits are still
                    // on screen); asked already, they chose to quit without them.
                    Err(err) if model.save_failed.is_none() => {
                        model.quit = Quit::No;
                        update(model, Msg::Saved(Err(err)));
                        // Asks, as a second `q` would after any failed save.
                        let asked = super::update::quit(model);
                        debug_assert!(asked.is_empty());
                    }
                    Err(err) => {
                        model.exit_note = Some(format!("the drafts could not be saved: {err}"));
                    }
                }
            } else {
                execute(e, ctx, &tx);
            }
        }
    }
}

/// Runs `job` with the terminal handed over (the TUI's screen left, raw mode and
/// the mouse off), then takes the terminal back and redraws.
///
/// # Errors
/// The terminal cannot be taken back.
fn outside<T>(terminal: &mut DefaultTerminal, job: impl FnOnce() -> T) -> Result<T, String> {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let result = job();
    match ratatui::try_init() {
        Ok(t) => *terminal = t,
        Err(e) => return Err(format!("cannot take the terminal back: {e}")),
    }
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let _ = terminal.clear();
    Ok(result)
}

/// Asks for the password with the terminal handed over (a pinentry or passphrase
/// prompt draws there), then starts the send; a failure is the send's refusal.
fn send_asking_password(
    terminal: &mut DefaultTerminal,
    e: &Effect,
    ctx: &Arc<Context>,
    tx: &UnboundedSender<Msg>,
    command: &str,
) {
    let Effect::Send { panel, .. } = e else { return };
    match outside(terminal, || crate::deliver::send::password_on_terminal(command)) {
        Ok(Ok(password)) => send_effect(e, ctx, tx, Some(crate::config::Secret(password))),
        Ok(Err(err)) | Err(err) => {
            let _ = tx.send(Msg::SendDone {
                panel: *panel,
                report: SendReport::Refused(err),
            });
        }
    }
}

/// The `password_command` a send must run first: SMTP with a username.
fn password_command(ctx: &Context) -> Option<String> {
    match &ctx.transport {
        Some(crate::deliver::send::Transport::Smtp(s)) if s.username.is_some() && s.password.is_none() => {
            s.password_command.clone()
        }
        _ => None,
    }
}

/// Hands the terminal to `$VISUAL`/`$EDITOR` (else `vi`) on a temporary file with
/// `text`, takes it back, and returns what the file holds then.
fn edit_outside(terminal: &mut DefaultTerminal, text: &str) -> Result<(String, Option<String>), String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    // Read before the terminal is handed over: an error leaves the TUI as it was.
    let (program, args) = editor_command(&editor)?;
    let (dir, path) = private_file(text)?;
    let status = outside(terminal, || {
        let mut cmd = std::process::Command::new(&program);
        cmd.args(&args).arg(&path);
        // The editor talks to the terminal even when our standard input is the message.
        if let Ok(tty) = std::fs::File::options().read(true).write(true).open("/dev/tty")
            && let (Ok(a), Ok(b)) = (tty.try_clone(), tty.try_clone())
        {
            cmd.stdin(a).stdout(b).stderr(tty);
        }
        cmd.status()
    })?;
    let result = match status {
        Ok(s) if s.success() => read_edit(&path),
        Ok(s) => {
            let changed = std::fs::read(&path).is_ok_and(|b| b != text.as_bytes());
            let e = format!("{program} exited with {s}");
            Err(if changed {
                format!("{e}; what you wrote is kept in {}", path.display())
            } else {
                e
            })
        }
        Err(e) => Err(format!("cannot run {program}: {e}")),
    };
    // What the user wrote is never deleted unread: the file is kept when it was not
    // taken whole (bytes that are not UTF-8, an editor that failed after a change).
    let keep = match &result {
        Ok((_, note)) => note.is_some(),
        Err(e) => e.contains("is kept in"),
    };
    if keep {
        let _ = dir.keep();
    }
    result
}

/// The edited file as the new body: UTF-8, or decoded lossily (each bad byte shown
/// as U+FFFD) with a note saying so and where the file as written is kept.
fn read_edit(path: &std::path::Path) -> Result<(String, Option<String>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (text, note) = match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let bad = bad_utf8_bytes(e.as_bytes());
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Some(format!(
                    "the edit had {bad} byte(s) that are not UTF-8, shown as \u{fffd}; the file as you wrote it is kept in {}",
                    path.display()
                )),
            )
        }
    };
    Ok((text.trim_end_matches('\n').to_string(), note))
}

/// How many bytes of `b` are not part of valid UTF-8.
fn bad_utf8_bytes(mut b: &[u8]) -> usize {
    let mut n = 0;
    while let Err(e) = std::str::from_utf8(b) {
        let skip = e.error_len().unwrap_or(b.len() - e.valid_up_to());
        n += skip;
        b = &b[e.valid_up_to() + skip..];
    }
    n
}

/// `$VISUAL`/`$EDITOR` split as a shell would (`code --wait`, `"/opt/My Editor/ed" -n`):
/// the program and its arguments.
///
/// # Errors
/// Unbalanced quotes, or nothing to run.
pub fn editor_command(editor: &str) -> Result<(String, Vec<String>), String> {
    let mut words = shell_words::split(editor)
        .map_err(|e| format!("$VISUAL/$EDITOR {editor:?} cannot be read: {e}"))?
        .into_iter();
    let program = words.next().ok_or("$VISUAL/$EDITOR is empty")?;
    Ok((program, words.collect()))
}

/// A file only the user can read, under a fresh directory only the user can enter
/// (0700, then 0600, created exclusively with an unpredictable name): a link planted
/// in the temporary directory cannot catch the complaint, nor another user read it.
///
/// # Errors
/// The directory or the file cannot be made.
pub fn private_file(text: &str) -> Result<(tempfile::TempDir, std::path::PathBuf), String> {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::Builder::new()
        .prefix("relaytrace-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("cannot make a private temporary directory: {e}"))?;
    let mut f = tempfile::Builder::new()
        .prefix("complaint-")
        .suffix(".txt")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir.path())
        .map_err(|e| format!("cannot make a temporary file: {e}"))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.flush())
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    let (_, path) = f
        .keep()
        .map_err(|e| format!("cannot keep the temporary file: {e}"))?;
    Ok((dir, path))
}

/// Sets the terminal up (raw mode, alternate screen, mouse), runs, and restores it
/// whatever happens, a panic included.
///
/// # Errors
/// The terminal cannot be used.
pub fn run_terminal(
    model: &mut Model,
    ctx: &Arc<Context>,
    rt: &tokio::runtime::Runtime,
) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
        previous(info);
    }));
    let result = crossterm::execute!(std::io::stdout(), EnableMouseCapture)
        .and_then(|()| rt.block_on(run(&mut terminal, model, ctx)));
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_editor_file_is_private() {
        let (dir, path) = super::private_file("the body").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the body");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert!(path.starts_with(dir.path()));
        let (other, path2) = super::private_file("x").unwrap();
        assert_ne!(path, path2, "names are not predictable");
        drop((dir, other));
        assert!(!path.exists(), "gone with its directory");
    }

    #[test]
    fn the_editor_is_split_as_a_shell_would() {
        let split = |e: &str| super::editor_command(e);
        assert_eq!(split("vi").unwrap(), ("vi".into(), vec![]));
        assert_eq!(
            split("code --wait").unwrap(),
            ("code".into(), vec!["--wait".to_string()])
        );
        assert_eq!(
            split("\"/opt/My Editor/ed\" -n 'two words'").unwrap(),
            (
                "/opt/My Editor/ed".into(),
                vec!["-n".to_string(), "two words".to_string()]
            )
        );
        assert!(split("vim \"unclosed").is_err());
        assert!(split("   ").is_err());
    }
}

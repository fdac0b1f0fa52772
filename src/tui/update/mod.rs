//! The only code that changes the model: a message in, effects out. Pure: no I/O,
//! no async, no terminal; tested on its own.

use crossterm::event::KeyEventKind;

mod compose;
mod hops;
mod picker;

pub use compose::side_contacts_of;
use compose::{compose_act, edit_key, follow, open_compose};
use hops::mouse;
use picker::picker;

use super::effect::Effect;
use super::keymap::Action;
use super::model::{HopLookup, Model, Overlay, Pane, Quit, Screen};
use super::msg::{Msg, SendReport};
use crate::deliver::log::Outcome;

/// Applies one message.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => key(m, k),
        Msg::Mouse(e) => mouse(m, e),
        Msg::Resize(w, h) => {
            m.size = (w, h);
            m.dirty = true;
            Vec::new()
        }
        Msg::Tick => {
            m.now = std::time::Instant::now();
            m.dirty = m.in_flight() > 0;
            // Drafts go to disk at most a second behind the typing.
            match m.drafts_dirty {
                Some(since) if m.now.saturating_duration_since(since) >= SAVE_AFTER => save(m),
                _ => Vec::new(),
            }
        }
        Msg::Edited { panel, text, note } => {
            edited(m, panel, text, note);
            Vec::new()
        }
        Msg::SendDone { panel, report } => {
            send_done(m, panel, report);
            Vec::new()
        }
        Msg::CopyByTerminal { what, text } => vec![Effect::Copy {
            what,
            text,
            terminal_only: true,
        }],
        Msg::Copied { what, result } => {
            m.dirty = true;
            m.status = Some(match result {
                Ok((via, n)) => format!("copied {what} ({n} bytes) to {via}"),
                Err(e) => format!("could not copy {what}: {e}"),
            });
            Vec::new()
        }
        Msg::Saved(r) => {
            match r {
                Err(e) => {
                    m.status = Some(format!("the drafts could not be saved: {e}"));
                    m.save_failed = Some(e);
                    m.dirty = true;
                }
                Ok(()) => m.save_failed = None,
            }
            Vec::new()
        }
        Msg::Part { hop, req, part } => {
            // Answers of a request the user has replaced are dropped, not drawn.
            if let Some(l) = m.lookups.get_mut(&hop).filter(|l| l.req == req) {
                l.apply(*part);
                m.dirty = true;
            }
            Vec::new()
        }
        Msg::Done { hop, req, lookup } => {
            if let Some(l) = m.lookups.get_mut(&hop).filter(|l| l.req == req) {
                l.finish(*lookup, m.now);
                m.dirty = true;
                let about = m.input_point().unwrap_or(m.hops.selected);
                if about == hop || m.trace.entry.client_hop == Some(hop) {
                    follow(m, "the lookups");
                }
            }
            Vec::new()
        }
        Msg::RelayTested { ip, result } => {
            m.status = Some(match &result {
                Ok(t) => format!(
                    "relay test of {ip}: {} — {}",
                    t.verdict.word(),
                    crate::sanitize::clip(&t.reason, 200)
                ),
                Err(why) => format!("relay test of {ip} not run: {}", crate::sanitize::clip(why, 200)),
            });
            m.relay_tests.insert(ip, Some(result));
            m.dirty = true;
            follow(m, "the relay test");
            Vec::new()
        }
        Msg::Auth { req, auth } => {
            if matches!(m.auth, crate::tui::model::AuthState::Checking { req: r, .. } if r == req) {
                crate::auth::weigh_entry(&mut m.trace.entry, &auth);
                m.auth = crate::tui::model::AuthState::Done(auth);
                m.dirty = true;
                follow(m, "the authentication");
            }
            Vec::new()
        }
        Msg::Opened {
            source,
            trace,
            draft_key,
            restored,
            original,
        } => opened(m, source, *trace, draft_key, restored, original),
    }
}

/// A key: an open help or sent log closes first; a field being edited takes it;
/// else the keymap's action.
fn key(m: &mut Model, k: crossterm::event::KeyEvent) -> Vec<Effect> {
    if k.kind == KeyEventKind::Release {
        return Vec::new();
    }
    m.dirty = true;
    if let Some(Overlay::Help(scroll)) = m.overlay {
        // The help scrolls with the keys that scroll; any other key closes it.
        m.overlay = match m.keymap.action(&k) {
            Some(Action::Down) => Some(Overlay::Help(scroll.saturating_add(1))),
            Some(Action::Up) => Some(Overlay::Help(scroll.saturating_sub(1))),
            Some(Action::PageDown) => Some(Overlay::Help(scroll.saturating_add(10))),
            Some(Action::PageUp) => Some(Overlay::Help(scroll.saturating_sub(10))),
            _ => None,
        };
        return Vec::new();
    }
    if matches!(m.overlay, Some(Overlay::SentLog { .. })) {
        return sent_log_key(m, k);
    }
    if let Some(Overlay::RelayTest { plan, force }) = m.overlay.clone() {
        // Enter runs exactly the plan shown; F tests again within a day; any
        // other key cancels.
        return match (k.code, m.keymap.action(&k)) {
            (crossterm::event::KeyCode::Enter, _) => {
                m.overlay = None;
                m.relay_tests.insert(plan.ip, None);
                m.status = Some(format!("testing whether {} is an open relay…", plan.ip));
                vec![Effect::RelayTest { plan, force }]
            }
            (_, Some(Action::Refresh)) => {
                m.overlay = Some(Overlay::RelayTest { plan, force: !force });
                Vec::new()
            }
            _ => {
                m.overlay = None;
                m.status = Some("relay test cancelled: nothing was sent".into());
                Vec::new()
            }
        };
    }
    if m.screen == Screen::Compose && m.compose.as_ref().is_some_and(|c| c.editing) {
        return edit_key(m, k);
    }
    match m.keymap.action(&k) {
        Some(a) => act(m, a),
        None => Vec::new(),
    }
}

/// A key in `L`: typing filters; Tab shows this message's complaints or all;
/// Up/Down choose one; Ctrl-B marks its recipients as bounced (or not); Backspace
/// takes a character back; Esc (or Enter) closes.
fn sent_log_key(m: &mut Model, k: crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let Some(Overlay::SentLog { all, filter, row }) = m.overlay.clone() else {
        return Vec::new();
    };
    let (mut all, mut filter, mut row) = (all, filter, row);
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let mut effects = Vec::new();
    match k.code {
        KeyCode::Char('b') if ctrl => {
            let marked: Vec<String> = m
                .sent_rows(all, &filter)
                .get(row)
                .map(|e| e.recipients.iter().map(|r| r.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            if !marked.is_empty() {
                let all_marked = marked.iter().all(|r| m.setup.bounced.contains(r));
                for r in &marked {
                    if all_marked {
                        m.setup.bounced.remove(r);
                    } else {
                        m.setup.bounced.insert(r.clone());
                    }
                }
                m.status = Some(format!(
                    "{} {}",
                    marked.join(", "),
                    if all_marked {
                        "no longer marked as bounced"
                    } else {
                        "marked as bounced: flagged wherever offered"
                    }
                ));
                effects.push(Effect::SaveBounced(m.setup.bounced.clone()));
            }
        }
        KeyCode::Char(c) if !ctrl => {
            if filter.chars().count() < 80 {
                filter.push(c);
                row = 0;
            }
        }
        KeyCode::Backspace => {
            filter.pop();
            row = 0;
        }
        KeyCode::Tab => {
            all = !all;
            row = 0;
        }
        KeyCode::Down => row = (row + 1).min(m.sent_rows(all, &filter).len().saturating_sub(1)),
        KeyCode::Up => row = row.saturating_sub(1),
        _ => {
            m.overlay = None;
            return effects;
        }
    }
    m.overlay = Some(Overlay::SentLog { all, filter, row });
    effects
}

/// The body is back from `$EDITOR` (or the editor failed).
fn edited(m: &mut Model, panel: usize, text: Result<String, String>, note: Option<String>) {
    m.dirty = true;
    match text {
        Ok(t) => {
            if let Some(p) = m.compose.as_mut().and_then(|c| c.panels.get_mut(panel)) {
                let before = p.body.lines().join("\n");
                p.edited |= before != t;
                p.body = ratatui_textarea::TextArea::new(t.split('\n').map(str::to_string).collect());
                m.drafts_dirty = Some(m.now);
                m.status = Some(note.unwrap_or_else(|| "the body is back from the editor".into()));
            }
        }
        Err(e) => m.status = Some(format!("the editor failed: {e}")),
    }
}

/// A send ended: said, and remembered for the duplicate warning.
fn send_done(m: &mut Model, panel: usize, report: SendReport) {
    m.dirty = true;
    if let Some(c) = m.compose.as_mut() {
        c.sending = None;
    }
    let side = m
        .compose
        .as_ref()
        .and_then(|c| c.panels.get(panel))
        .map_or("", |p| p.side.word());
    match report {
        SendReport::Gone { entry, unlogged } => {
            let not_logged = unlogged
                .map(|e| format!(" (not logged: {})", crate::sanitize::clip(&e, 100)))
                .unwrap_or_default();
            let to = entry.recipients.join(", ");
            let words = crate::sanitize::clip(&entry.reply, 120);
            m.status = Some(match entry.outcome {
                Outcome::Sent => format!("sent the {side} complaint to {to}{not_logged}: {words}"),
                Outcome::Unknown => {
                    format!("outcome unknown for the {side} complaint to {to}{not_logged}: {words}")
                }
            });
            // Remembered even when the log could not take it: the duplicate
            // guard and the relay's history must still see it.
            m.setup.history.push((*entry).clone());
            m.setup.sent.push(*entry);
        }
        SendReport::Refused(e) => {
            m.status = Some(format!(
                "not sent: {} — the draft is kept",
                crate::sanitize::clip(&e, 200)
            ));
        }
    }
}

/// Another message of the mbox is open: a fresh investigation.
fn opened(
    m: &mut Model,
    source: String,
    trace: crate::trace::Trace,
    draft_key: String,
    restored: std::collections::HashMap<String, Vec<crate::compose::Draft>>,
    original: Option<std::sync::Arc<Vec<u8>>>,
) -> Vec<Effect> {
    m.setup.draft_key = draft_key;
    m.setup.restored = restored;
    m.setup.original = original;
    m.compose = None;
    m.source = source;
    m.hops.selected = trace.input_point.or(trace.relay).unwrap_or(0);
    m.trace = trace;
    m.lookups.clear();
    m.hops.scroll.clear();
    m.relay_choice = None;
    m.input_choice = None;
    m.screen = Screen::Hops;
    m.dirty = true;
    start(m, false)
}

/// The lookups of every external hop, the selected one first.
pub fn start(m: &mut Model, refresh: bool) -> Vec<Effect> {
    let mut order: Vec<usize> = crate::trace::hops_to_look_up(&m.trace);
    order.sort_by_key(|&i| i != m.hops.selected);
    let mut effects: Vec<Effect> = order
        .into_iter()
        .filter_map(|hop| lookup(m, hop, refresh))
        .collect();
    effects.extend(authenticate(m, refresh));
    effects
}

/// Reads and checks the message's authentication, when its text can be read.
fn authenticate(m: &mut Model, refresh: bool) -> Option<Effect> {
    let Some(whole) = m.setup.original.clone() else {
        m.auth = crate::tui::model::AuthState::None;
        return None;
    };
    let req = m.next_req;
    m.next_req += 1;
    m.auth = crate::tui::model::AuthState::Checking {
        req,
        auth: Box::default(),
        since: m.now,
    };
    Some(Effect::Authenticate {
        req,
        spf: crate::auth::spf_input(&m.trace, &whole),
        whole,
        site: m.trace.site.clone(),
        refresh,
    })
}

/// A new request for one hop (older answers for it will be dropped).
fn lookup(m: &mut Model, hop: usize, refresh: bool) -> Option<Effect> {
    let ip = m.trace.hops.get(hop)?.from_ip?;
    let req = m.next_req;
    m.next_req += 1;
    m.lookups.insert(hop, HopLookup::new(req, ip, m.now));
    Some(Effect::Lookup {
        hop,
        ip,
        req,
        refresh,
    })
}

/// How long after the last edit the drafts are saved.
pub const SAVE_AFTER: std::time::Duration = std::time::Duration::from_millis(400);

/// The drafts as they stand, to be saved now.
pub fn save(m: &mut Model) -> Vec<Effect> {
    m.drafts_dirty = None;
    match &m.compose {
        Some(c) if !m.setup.draft_key.is_empty() => {
            vec![Effect::SaveDrafts {
                key: m.setup.draft_key.clone(),
                drafts: c.panels.iter().map(super::compose::Panel::draft).collect(),
                history: c.history.clone(),
            }]
        }
        _ => Vec::new(),
    }
}

/// A size in megabytes, one decimal.
fn megabytes(n: usize) -> String {
    let tenths = (n as u64 * 10) >> 20;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// `y`: the focused complaint (in the compose screen) or pane (in the hops screen).
fn copy(m: &mut Model) -> Vec<Effect> {
    if m.screen == Screen::Compose {
        // The size first: the text quotes the whole spam, and a terminal's
        // clipboard takes no more than OSC52_MAX.
        let size = m.setup.original.as_ref().map_or(0, |o| o.len());
        if m.setup.clipboard_by_terminal && size > crate::deliver::clipboard::OSC52_MAX {
            m.status = Some(format!(
                "the complaint quotes the whole spam ({}): too long for the terminal's clipboard (OSC 52 takes at most {} KiB); use the system clipboard (clipboard = \"system\") or p to preview it",
                megabytes(size),
                crate::deliver::clipboard::OSC52_MAX / 1024
            ));
            return Vec::new();
        }
        return match m.complaint_job(Some(crate::compose::Format::Text), false) {
            Ok((_, job)) => {
                let what = format!("the {} complaint", job.draft.side.word());
                m.status = Some(format!(
                    "copying {what}: building its text ({})…",
                    megabytes(size)
                ));
                vec![Effect::CopyComplaint {
                    what,
                    job: Box::new(job),
                }]
            }
            Err(e) => {
                m.status = Some(format!("nothing to copy yet: {e}"));
                Vec::new()
            }
        };
    }
    let text = super::view::panes::plain_text(m, m.hops.pane);
    vec![Effect::Copy {
        what: format!("the {} pane", m.hops.pane.title()),
        text,
        terminal_only: false,
    }]
}

/// Quits, saving the drafts; while a complaint is being sent, asks first, and on
/// the second `q` logs that send with outcome unknown (the server may have it).
pub fn quit(m: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(entry) = m.compose.as_mut().and_then(|c| c.sending.take()) {
        if m.quit != Quit::Asked {
            m.quit = Quit::Asked;
            m.status = Some(
                "a complaint is being sent: q again quits and logs it with outcome unknown; any other key waits"
                    .into(),
            );
            if let Some(c) = m.compose.as_mut() {
                c.sending = Some(entry);
            }
            return effects;
        }
        let mut entry = *entry;
        entry.time = crate::deliver::log::now();
        entry.reply = "relaytrace was quit before the server answered: it may have the message".into();
        entry.outcome = crate::deliver::log::Outcome::Unknown;
        effects.push(Effect::Log(Box::new(entry)));
    }
    // The last save failed (a full or read-only disk): quitting would lose the
    // edits since, so it is asked first.
    if let Some(e) = &m.save_failed
        && m.quit != Quit::Asked
        && m.compose.is_some()
    {
        m.quit = Quit::Asked;
        m.status = Some(format!(
            "q again quits without the latest edits, any other key stays (y copies a complaint): the drafts could not be saved: {}",
            crate::sanitize::clip(e, 100)
        ));
        return effects;
    }
    m.quit = Quit::Now;
    effects.extend(save(m));
    effects
}

fn act(m: &mut Model, a: Action) -> Vec<Effect> {
    if a != Action::Quit && m.quit == Quit::Asked {
        m.quit = Quit::No;
        m.status = Some(if m.save_failed.is_some() {
            "not quitting: the edits are still here".into()
        } else {
            "still sending; not quitting".into()
        });
    }
    if m.screen == Screen::Picker {
        return picker(m, a);
    }
    if m.screen == Screen::Compose {
        return compose_act(m, a);
    }
    hops::act(m, a)
}

//! The only code that changes the model: a message in, effects out. Pure: no I/O,
//! no async, no terminal; tested on its own.

use crossterm::event::{KeyEventKind, MouseButton, MouseEventKind};

use super::effect::Effect;
use super::keymap::Action;
use super::model::{HopLookup, Model, Overlay, Pane, Quit, Screen};
use super::msg::{Msg, SendReport};
use super::view::layout;
use crate::deliver::log::Outcome;

/// Applies one message.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => {
            if k.kind == KeyEventKind::Release {
                return Vec::new();
            }
            m.dirty = true;
            if matches!(m.overlay, Some(Overlay::Help | Overlay::SentLog)) {
                m.overlay = None;
                return Vec::new();
            }
            if m.screen == Screen::Compose && m.compose.as_ref().is_some_and(|c| c.editing) {
                return edit_key(m, k);
            }
            match m.keymap.action(&k) {
                Some(a) => act(m, a),
                None => Vec::new(),
            }
        }
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
        Msg::Edited { panel, text } => {
            m.dirty = true;
            match text {
                Ok(t) => {
                    if let Some(p) = m.compose.as_mut().and_then(|c| c.panels.get_mut(panel)) {
                        let before = p.body.lines().join("\n");
                        p.edited |= before != t;
                        p.body = ratatui_textarea::TextArea::new(t.split('\n').map(str::to_string).collect());
                        m.drafts_dirty = Some(m.now);
                        m.status = Some("the body is back from the editor".into());
                    }
                }
                Err(e) => m.status = Some(format!("the editor failed: {e}")),
            }
            Vec::new()
        }
        Msg::SendDone { panel, report } => {
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
                    // guard must still see it.
                    m.setup.sent.push(*entry);
                }
                SendReport::Refused(e) => {
                    m.status = Some(format!(
                        "not sent: {} — the draft is kept",
                        crate::sanitize::clip(&e, 200)
                    ));
                }
            }
            Vec::new()
        }
        Msg::Copied { what, result } => {
            m.dirty = true;
            m.status = Some(match result {
                Ok((via, n)) => format!("copied {what} ({n} bytes) to {via}"),
                Err(e) => format!("could not copy {what}: {e}"),
            });
            Vec::new()
        }
        Msg::Saved(r) => {
            if let Err(e) = r {
                m.status = Some(format!("the drafts could not be saved: {e}"));
                m.dirty = true;
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
                if m.input_point().unwrap_or(m.selected) == hop {
                    follow(m, "the lookups");
                }
            }
            Vec::new()
        }
        Msg::Opened {
            source,
            trace,
            draft_key,
            restored,
            original,
        } => {
            m.setup.draft_key = draft_key;
            m.setup.restored = restored;
            m.setup.original = original;
            m.compose = None;
            m.source = source;
            m.selected = trace.input_point.or(trace.relay).unwrap_or(0);
            m.trace = *trace;
            m.lookups.clear();
            m.scroll.clear();
            m.relay_choice = None;
            m.input_choice = None;
            m.screen = Screen::Hops;
            m.dirty = true;
            start(m, false)
        }
    }
}

/// The lookups of every external hop, the selected one first.
pub fn start(m: &mut Model, refresh: bool) -> Vec<Effect> {
    let mut order: Vec<usize> = crate::trace::hops_to_look_up(&m.trace);
    order.sort_by_key(|&i| i != m.selected);
    order
        .into_iter()
        .filter_map(|hop| lookup(m, hop, refresh))
        .collect()
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

fn select(m: &mut Model, hop: usize) {
    let n = m.trace.hops.len();
    if n > 0 {
        m.selected = hop.min(n - 1);
    }
}

fn scroll(m: &mut Model, delta: i32) {
    let page = i32::from(
        layout::areas(m.size, m.trace.hops.len())
            .pane
            .height
            .saturating_sub(2)
            .max(1),
    );
    let key = (m.selected, m.pane);
    let cur = i32::from(m.scroll.get(&key).copied().unwrap_or(0));
    let next = (cur + delta * page).max(0);
    m.scroll.insert(key, u16::try_from(next).unwrap_or(u16::MAX));
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

/// The address the complaints are about now: the input point's sender.
fn about(m: &Model) -> String {
    let hop = m.input_point().unwrap_or(m.selected);
    m.trace
        .hops
        .get(hop)
        .and_then(|h| h.from_ip)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// The complaints as the investigation stands: the class's templates filled with the
/// input point's facts, addressed to its contacts.
fn fresh_drafts(m: &Model) -> Vec<crate::compose::Draft> {
    use crate::compose::{Draft, Format, Side};
    let hop = m.input_point().unwrap_or(m.selected);
    let class = m.class();
    let lookup = m.lookups.get(&hop).and_then(|l| l.done());
    let facts = m.facts(hop, lookup);
    [Side::Owner, Side::Isp]
        .into_iter()
        .map(|side| {
            let contacts = if side == Side::Isp && crate::compose::isp_is_client_network(class) {
                // The submitting client's network: not the entry's ISP.
                &[][..]
            } else {
                lookup.map_or(&[][..], |l| crate::compose::side_contacts(l, side))
            };
            let blank = |body: String| Draft {
                side,
                to: Vec::new(),
                subject: crate::compose::subject(&facts),
                body,
                format: Format::Eml,
                quote_inline: false,
                redact: true,
                about: facts.relay_ip.clone(),
                edited: false,
            };
            match m.setup.template(class, side) {
                Err(why) => blank(format!("(nobody to write to on this side: {why})")),
                Ok(template) => crate::compose::draft(
                    side,
                    &facts,
                    template,
                    contacts,
                    Format::Eml,
                    m.setup.config.quote_inline,
                )
                .unwrap_or_else(|e| Draft {
                    to: contacts.iter().take(1).map(|c| c.email.clone()).collect(),
                    ..blank(format!("(the template cannot be used: {e})"))
                }),
            }
        })
        .collect()
}

/// Opens the compose screen: the drafts saved for this relay, else fresh ones.
fn open_compose(m: &mut Model) {
    if m.compose.is_some() {
        m.screen = Screen::Compose;
        return;
    }
    let hop = m.input_point().unwrap_or(m.selected);
    if m.trace.hops.get(hop).is_none_or(|h| h.from_ip.is_none()) {
        m.status = Some(format!(
            "no relay to complain about: hop {hop} names no sender address (select a hop that does and press i)"
        ));
        return;
    }
    let class = m.class();
    if !class.complains() && m.setup.class_choice.is_none() {
        let why = crate::compose::builtin(class, crate::compose::Side::Owner)
            .err()
            .unwrap_or_default();
        m.status = Some(format!(
            "no complaint for this message: {why} (C chooses a class)"
        ));
        return;
    }
    m.screen = Screen::Compose;
    let about = about(m);
    let restored = m.setup.restored.get(&about).cloned();
    let panels = fresh_drafts(m)
        .iter()
        .map(|d| {
            let saved = restored.iter().flatten().find(|r| r.side == d.side);
            super::compose::Panel::from_draft(saved.unwrap_or(d))
        })
        .collect();
    if restored.is_some() {
        m.status = Some(format!("drafts restored from the last time (about {about})"));
    }
    let lookup = m.lookups.get(&hop).and_then(|l| l.done());
    if lookup.is_none() && restored.is_none() {
        m.status = Some(format!(
            "hop {hop}'s lookups are not in yet: the recipients follow when they come in"
        ));
    }
    m.compose = Some(super::compose::ComposeState {
        panels,
        focus: 0,
        field: super::compose::Field::Body,
        editing: false,
        sending: None,
        history: Vec::new(),
        class,
    });
    if restored.is_some() {
        follow(m, "the investigation");
    }
}

/// The investigation moved (the input point, the class, the contacts): complaints the
/// user has not touched are written again; edited ones are marked stale and kept.
fn follow(m: &mut Model, what: &str) {
    if m.compose.is_none() {
        return;
    }
    let fresh = fresh_drafts(m);
    let class = m.class();
    let Some(c) = m.compose.as_mut() else { return };
    let old_class = c.class;
    let class_moved = old_class != class;
    c.class = class;
    let mut rewritten = Vec::new();
    let mut stale = Vec::new();
    for (p, d) in c.panels.iter_mut().zip(&fresh) {
        if !p.edited {
            // The user's format, redaction and quoting choices stay.
            let d = crate::compose::Draft {
                format: p.format,
                redact: p.redact,
                quote_inline: p.quote_inline,
                ..d.clone()
            };
            if p.draft() != d {
                *p = super::compose::Panel::from_draft(&d);
                rewritten.push(p.side.word());
            }
            continue;
        }
        if p.about != d.about || class_moved {
            p.stale = Some(format!(
                "stale: written about {} as {}; the investigation now says {} as {} — W rewrites it (your text goes to the draft history)",
                if p.about.is_empty() { "?" } else { p.about.as_str() },
                old_class.words(),
                d.about,
                class.words()
            ));
            stale.push(p.side.word());
        } else if p.to.lines().iter().all(|l| l.trim().is_empty()) && !d.to.is_empty() {
            // The lookups came in: an empty To field is filled, nothing else touched.
            p.to = ratatui_textarea::TextArea::new(vec![d.to.join(", ")]);
            rewritten.push(p.side.word());
        }
    }
    if !rewritten.is_empty() || !stale.is_empty() {
        let mut words = Vec::new();
        if !rewritten.is_empty() {
            words.push(format!(
                "{what} moved: the {} complaint follows it",
                rewritten.join(" and ")
            ));
        }
        if !stale.is_empty() {
            words.push(format!(
                "the {} complaint you edited is stale (W rewrites it)",
                stale.join(" and ")
            ));
        }
        m.status = Some(words.join("; "));
        m.drafts_dirty.get_or_insert(m.now);
        m.dirty = true;
    }
}

/// The contacts of the focused panel's side, for the recipient picker (none for
/// the submitting client's network, whose contacts relaytrace did not look up).
pub fn side_contacts_of(m: &Model) -> Vec<crate::lookup::contact::Contact> {
    let Some(c) = m.compose.as_ref() else {
        return Vec::new();
    };
    let Some(p) = c.panels.get(c.focus) else {
        return Vec::new();
    };
    if p.side == crate::compose::Side::Isp && crate::compose::isp_is_client_network(m.class()) {
        return Vec::new();
    }
    let hop = m.input_point().unwrap_or(m.selected);
    m.lookups
        .get(&hop)
        .and_then(|l| l.done())
        .map(|l| crate::compose::side_contacts(l, p.side).to_vec())
        .unwrap_or_default()
}

/// A key in the recipient picker: move, check or uncheck (the To field follows),
/// close.
fn pick_recipient(m: &mut Model, a: Action, row: usize) -> Vec<Effect> {
    let contacts = side_contacts_of(m);
    let Some(c) = m.compose.as_mut() else {
        return Vec::new();
    };
    let count = contacts.len();
    match a {
        Action::Down => m.overlay = Some(Overlay::Recipients((row + 1).min(count.saturating_sub(1)))),
        Action::Up => m.overlay = Some(Overlay::Recipients(row.saturating_sub(1))),
        Action::Open | Action::Edit => {
            let (Some(contact), Some(panel)) = (contacts.get(row), c.panels.get_mut(c.focus)) else {
                return Vec::new();
            };
            let mut to = panel.draft().to;
            let had = to.len();
            to.retain(|addr| !addr.eq_ignore_ascii_case(&contact.email));
            let checked = to.len() == had;
            if checked {
                to.push(contact.email.clone());
            }
            panel.to = ratatui_textarea::TextArea::new(vec![to.join(", ")]);
            panel.edited = true;
            m.status = Some(format!(
                "{} {}",
                contact.email,
                if checked { "added to To" } else { "taken out of To" }
            ));
            m.drafts_dirty.get_or_insert(m.now);
        }
        Action::Quit => return quit(m),
        _ => m.overlay = None,
    }
    Vec::new()
}

/// `W`: the focused complaint written again from the investigation as it stands; the
/// old text goes to the draft history.
fn rewrite(m: &mut Model) {
    let fresh = fresh_drafts(m);
    let Some(c) = m.compose.as_mut() else { return };
    let Some(p) = c.panels.get_mut(c.focus) else {
        return;
    };
    let Some(d) = fresh.into_iter().find(|d| d.side == p.side) else {
        return;
    };
    c.history.push(p.draft());
    let side = p.side.word();
    *p = super::compose::Panel::from_draft(&d);
    m.status = Some(format!(
        "the {side} complaint is written again; your earlier text is kept in the draft history ({} kept)",
        c.history.len()
    ));
    m.drafts_dirty.get_or_insert(m.now);
}

/// `s`: the confirmation dialog with exactly what would go.
fn ask_to_send(m: &mut Model) {
    if m.compose.as_ref().is_some_and(|c| c.sending.is_some()) {
        m.status = Some("a complaint is already on its way".into());
        return;
    }
    let transport = match &m.setup.transport {
        Ok(t) => t.describe(),
        Err(e) => {
            m.status = Some(e.clone());
            return;
        }
    };
    if m.compose
        .as_ref()
        .and_then(|c| c.panels.get(c.focus))
        .is_some_and(|p| p.format == crate::compose::Format::Text)
    {
        m.status = Some("the text format is for copying (y); switch to eml or arf (f) to send".into());
        return;
    }
    match m.complaint(None) {
        Err(e) => m.status = Some(format!("cannot send yet: {e}")),
        Ok((panel, d, built)) => {
            let already = crate::deliver::log::already_sent(&m.setup.sent, d.side, &built.recipients);
            let now = about(m);
            let mismatch = m
                .compose
                .as_ref()
                .and_then(|c| c.panels.get(panel))
                .filter(|p| !p.about.is_empty() && p.about != now)
                .map(|p| {
                    format!(
                        "this complaint names {}, but the input point is now {now}: Enter sends it anyway, W rewrites it",
                        p.about
                    )
                });
            let confirm = super::compose::Confirm {
                panel,
                from: m.setup.reporter.address.trim().to_string(),
                to: built.recipients.clone(),
                subject: d.subject.clone(),
                bytes: std::sync::Arc::new(built.bytes),
                redacted: d.redact.then_some(built.changes.len()),
                encoding: built.encoding,
                transport,
                already,
                mismatch,
            };
            m.overlay = Some(Overlay::Confirm(Box::new(confirm)));
        }
    }
}

/// `y`: the focused complaint (in the compose screen) or pane (in the hops screen).
fn copy(m: &mut Model) -> Vec<Effect> {
    if m.screen == Screen::Compose {
        return match m.complaint(Some(crate::compose::Format::Text)) {
            Ok((_, d, built)) => vec![Effect::Copy {
                what: format!("the {} complaint", d.side.word()),
                text: String::from_utf8_lossy(&built.bytes).into_owned(),
            }],
            Err(e) => {
                m.status = Some(format!("nothing to copy yet: {e}"));
                Vec::new()
            }
        };
    }
    let text = super::view::panes::plain_text(m, m.pane);
    vec![Effect::Copy {
        what: format!("the {} pane", m.pane.title()),
        text,
    }]
}

/// A key while a field is being edited: it goes to the editor widget; Esc (and
/// Enter in a one-line field) leaves editing.
fn edit_key(m: &mut Model, k: crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::KeyCode;
    let Some(c) = m.compose.as_mut() else {
        return Vec::new();
    };
    let field = c.field;
    if k.code == KeyCode::Esc || (k.code == KeyCode::Enter && field != super::compose::Field::Body) {
        c.editing = false;
        return save(m);
    }
    if let Some(p) = c.panels.get_mut(c.focus)
        && p.field_mut(field).input(k)
    {
        p.edited = true;
        m.drafts_dirty.get_or_insert(m.now);
    }
    Vec::new()
}

fn compose_act(m: &mut Model, a: Action) -> Vec<Effect> {
    let Some(c) = m.compose.as_mut() else {
        m.screen = Screen::Hops;
        return Vec::new();
    };
    if matches!(m.overlay, Some(Overlay::Confirm(_))) {
        let Some(Overlay::Confirm(cf)) = m.overlay.take() else {
            return Vec::new();
        };
        if a != Action::Open {
            m.status = Some("not sent".into());
            return Vec::new();
        }
        let side = c
            .panels
            .get(cf.panel)
            .map_or(crate::compose::Side::Owner, |p| p.side);
        // The relay the complaint names, which the user may have kept while the
        // investigation moved on.
        let named = c
            .panels
            .get(cf.panel)
            .map(|p| p.about.clone())
            .filter(|a| !a.is_empty());
        m.status = Some(format!(
            "sending the {} complaint via {}…",
            side.word(),
            cf.transport
        ));
        let hop = m.input_point().unwrap_or(m.selected);
        let entry = crate::deliver::log::Entry {
            time: String::new(),
            message: m.setup.draft_key.clone(),
            relay_ip: named
                .or_else(|| {
                    m.trace
                        .hops
                        .get(hop)
                        .and_then(|h| h.from_ip)
                        .map(|i| i.to_string())
                })
                .unwrap_or_default(),
            side,
            recipients: cf.to.clone(),
            transport: cf.transport.clone(),
            reply: String::new(),
            subject: cf.subject.clone(),
            bytes: cf.bytes.len(),
            outcome: crate::deliver::log::Outcome::Unknown,
        };
        if let Some(c) = m.compose.as_mut() {
            c.sending = Some(Box::new(entry.clone()));
        }
        return vec![Effect::Send {
            panel: cf.panel,
            from: cf.from,
            to: cf.to,
            bytes: cf.bytes,
            entry: Box::new(entry),
        }];
    }
    if let Some(Overlay::Recipients(row)) = m.overlay {
        return pick_recipient(m, a, row);
    }
    if let Some(Overlay::Preview(scroll)) = m.overlay {
        match a {
            Action::PageDown | Action::Down => {
                m.overlay = Some(Overlay::Preview(scroll.saturating_add(if a == Action::Down {
                    1
                } else {
                    20
                })));
            }
            Action::PageUp | Action::Up => {
                m.overlay = Some(Overlay::Preview(scroll.saturating_sub(if a == Action::Up {
                    1
                } else {
                    20
                })));
            }
            Action::Quit => return quit(m),
            _ => m.overlay = None,
        }
        return Vec::new();
    }
    let changed = match a {
        Action::Redact | Action::Format | Action::Quote => {
            if let Some(p) = c.panels.get_mut(c.focus) {
                match a {
                    Action::Redact => p.redact = !p.redact,
                    Action::Quote => p.quote_inline = !p.quote_inline,
                    _ => {
                        p.format = match p.format {
                            crate::compose::Format::Eml => crate::compose::Format::Text,
                            crate::compose::Format::Text => crate::compose::Format::Arf,
                            crate::compose::Format::Arf => crate::compose::Format::Eml,
                        }
                    }
                }
            }
            true
        }
        _ => false,
    };
    if changed {
        m.drafts_dirty.get_or_insert(m.now);
        return Vec::new();
    }
    match a {
        Action::Send => {
            ask_to_send(m);
            return Vec::new();
        }
        Action::Rewrite => {
            rewrite(m);
            return Vec::new();
        }
        Action::Recipients => {
            if side_contacts_of(m).is_empty() {
                m.status = Some("no contacts for this side yet: type the recipients in To (e on To)".into());
            } else {
                m.overlay = Some(Overlay::Recipients(0));
            }
            return Vec::new();
        }
        Action::Copy => return copy(m),
        Action::SentLog => m.overlay = Some(Overlay::SentLog),
        Action::Preview => m.overlay = Some(Overlay::Preview(0)),
        Action::NextPane | Action::PrevPane => c.focus = (c.focus + 1) % c.panels.len().max(1),
        Action::Down => c.field = c.field.next(),
        Action::Up => c.field = c.field.prev(),
        Action::Edit | Action::Open => {
            c.editing = true;
            // One-line fields are edited from their end (adding a recipient).
            if c.field != super::compose::Field::Body
                && let Some(p) = c.panels.get_mut(c.focus)
            {
                p.field_mut(c.field)
                    .move_cursor(ratatui_textarea::CursorMove::End);
            }
        }
        Action::Editor => {
            let text = c
                .panels
                .get(c.focus)
                .map(|p| p.body.lines().join("\n"))
                .unwrap_or_default();
            return vec![Effect::Editor { panel: c.focus, text }];
        }
        Action::Back => {
            m.screen = Screen::Hops;
            return save(m);
        }
        Action::Quit => return quit(m),
        Action::Help => m.overlay = Some(Overlay::Help),
        _ => {}
    }
    Vec::new()
}

/// Quits, saving the drafts; while a complaint is being sent, asks first, and on
/// the second `q` logs that send with outcome unknown (the server may have it).
fn quit(m: &mut Model) -> Vec<Effect> {
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
    m.quit = Quit::Now;
    effects.extend(save(m));
    effects
}

fn act(m: &mut Model, a: Action) -> Vec<Effect> {
    if a != Action::Quit && m.quit == Quit::Asked {
        m.quit = Quit::No;
        m.status = Some("still sending; not quitting".into());
    }
    if m.screen == Screen::Picker {
        return picker(m, a);
    }
    if m.screen == Screen::Compose {
        return compose_act(m, a);
    }
    let n = m.trace.hops.len();
    match a {
        Action::Help => m.overlay = Some(Overlay::Help),
        Action::Quit => return quit(m),
        Action::Back => {
            if m.picker.len() > 1 {
                m.screen = Screen::Picker;
            } else {
                return quit(m);
            }
        }
        Action::Down => select(m, m.selected + 1),
        Action::Up => select(m, m.selected.saturating_sub(1)),
        Action::First => select(m, 0),
        Action::Last => select(m, n.saturating_sub(1)),
        Action::NextPane => m.pane = Pane::ALL[(m.pane.index() + 1) % Pane::ALL.len()],
        Action::PrevPane => m.pane = Pane::ALL[(m.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
        Action::PageDown => scroll(m, 1),
        Action::PageUp => scroll(m, -1),
        Action::Open => m.pane = Pane::Contacts,
        Action::InputPoint => return choose(m, true),
        Action::Relay => return choose(m, false),
        Action::Class => {
            let next = m.class().next();
            m.setup.class_choice = Some(next);
            m.status = Some(format!("class: {} (your choice)", next.words()));
            follow(m, "the class");
        }
        Action::Retry => {
            let hop = m.selected;
            match m.lookups.get(&hop) {
                Some(l) if l.in_flight() => m.status = Some(format!("hop {hop}: lookups still in flight")),
                Some(l) if l.has_failures() => {
                    m.status = Some(format!("hop {hop}: retrying the failed lookups"));
                    return lookup(m, hop, false).into_iter().collect();
                }
                Some(_) => m.status = Some(format!("hop {hop}: nothing failed")),
                None if m.trace.hops.get(hop).is_some_and(crate::trace::is_external) => {
                    m.status = Some(format!("hop {hop}: looking it up"));
                    return lookup(m, hop, false).into_iter().collect();
                }
                None => m.status = Some(format!("hop {hop}: nothing to look up")),
            }
        }
        Action::Refresh => {
            let hop = m.selected;
            if m.lookups.contains_key(&hop) {
                m.status = Some(format!("hop {hop}: asking every server again"));
                return lookup(m, hop, true).into_iter().collect();
            }
            m.status = Some(format!(
                "hop {hop}: nothing to look up (inside your site, or no public address)"
            ));
        }
        Action::Compose => open_compose(m),
        Action::Copy => return copy(m),
        Action::SentLog => m.overlay = Some(Overlay::SentLog),
        Action::Edit
        | Action::Editor
        | Action::Preview
        | Action::Redact
        | Action::Format
        | Action::Quote
        | Action::Rewrite
        | Action::Recipients
        | Action::Send => {}
    }
    Vec::new()
}

/// `i` / `R`: the selected hop becomes the input point / the relay; choosing the
/// analysis' own hop again clears the override.
fn choose(m: &mut Model, input: bool) -> Vec<Effect> {
    let hop = m.selected;
    let Some(h) = m.trace.hops.get(hop) else {
        return Vec::new();
    };
    let what = if input { "input point" } else { "relay" };
    if h.from_ip.is_none() {
        m.status = Some(format!(
            "hop {hop} names no sender address: it cannot be the {what}"
        ));
        return Vec::new();
    }
    if let Some(ip) = h
        .from_ip
        .filter(|ip| crate::received::is_private(*ip) || crate::received::is_loopback(*ip))
    {
        m.status = Some(format!(
            "hop {hop}'s sender {ip} is a private or loopback address: nobody outside can be told about it, so it cannot be the {what}"
        ));
        return Vec::new();
    }
    if matches!(
        h.handoff,
        crate::trace::Handoff::Trusted | crate::trace::Handoff::Internal
    ) {
        m.status = Some(format!(
            "hop {hop} is inside your own site: it cannot be the {what}"
        ));
        return Vec::new();
    }
    let suggested = if input { m.trace.input_point } else { m.trace.relay };
    let choice = if suggested == Some(hop) { None } else { Some(hop) };
    if input {
        m.input_choice = choice;
    } else {
        m.relay_choice = choice;
    }
    m.status = Some(match (choice, suggested) {
        (None, _) => format!("{what}: hop {hop}, as the analysis suggests"),
        (Some(_), Some(s)) => format!("{what}: hop {hop}, your choice (the analysis suggests hop {s})"),
        (Some(_), None) => format!("{what}: hop {hop}, your choice"),
    });
    // The complaints follow the input point at once; its lookups are asked for if
    // this hop had none.
    follow(m, "the input point");
    if input && !m.lookups.contains_key(&hop) {
        return lookup(m, hop, false).into_iter().collect();
    }
    Vec::new()
}

fn picker(m: &mut Model, a: Action) -> Vec<Effect> {
    let n = m.picker.len();
    match a {
        Action::Down => m.picked = (m.picked + 1).min(n.saturating_sub(1)),
        Action::Up => m.picked = m.picked.saturating_sub(1),
        Action::First => m.picked = 0,
        Action::Last => m.picked = n.saturating_sub(1),
        Action::Open | Action::NextPane => {
            if let Some(row) = m.picker.get(m.picked) {
                return vec![Effect::Open(row.number)];
            }
        }
        Action::Quit | Action::Back => return quit(m),
        Action::Help => m.overlay = Some(Overlay::Help),
        _ => {}
    }
    Vec::new()
}

fn mouse(m: &mut Model, e: crossterm::event::MouseEvent) -> Vec<Effect> {
    if m.screen != Screen::Hops || m.overlay.is_some() {
        return Vec::new();
    }
    let a = layout::areas(m.size, m.trace.hops.len());
    let inside = |r: ratatui::layout::Rect| {
        e.column >= r.x && e.column < r.x + r.width && e.row >= r.y && e.row < r.y + r.height
    };
    match e.kind {
        MouseEventKind::ScrollDown if inside(a.hops) => select(m, m.selected + 1),
        MouseEventKind::ScrollUp if inside(a.hops) => select(m, m.selected.saturating_sub(1)),
        MouseEventKind::ScrollDown => {
            let key = (m.selected, m.pane);
            let v = m.scroll.get(&key).copied().unwrap_or(0).saturating_add(3);
            m.scroll.insert(key, v);
        }
        MouseEventKind::ScrollUp => {
            let key = (m.selected, m.pane);
            let v = m.scroll.get(&key).copied().unwrap_or(0).saturating_sub(3);
            m.scroll.insert(key, v);
        }
        MouseEventKind::Down(MouseButton::Left) if inside(a.hops) => {
            // Rows start under the border and the column titles.
            let first_row = a.hops.y + 2;
            if e.row >= first_row {
                let visible = usize::from(a.hops.height.saturating_sub(3));
                let offset = layout::hops_offset(m.selected, m.trace.hops.len(), visible);
                select(m, offset + usize::from(e.row - first_row));
            }
        }
        MouseEventKind::Down(MouseButton::Left) if inside(a.tabs) => {
            if let Some(p) = layout::tab_at(a.tabs, e.column) {
                m.pane = p;
            }
        }
        _ => return Vec::new(),
    }
    m.dirty = true;
    Vec::new()
}

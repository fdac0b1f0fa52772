//! The compose screen: the two complaints, their fields, the recipient picker, the
//! preview and the send dialog; and the complaints following the investigation.

use super::{Action, Effect, Model, Overlay, Screen, copy, quit, save};

/// The address the complaints are about now: the input point's sender.
pub(super) fn about(m: &Model) -> String {
    let hop = m.input_point().unwrap_or(m.hops.selected);
    m.trace
        .hops
        .get(hop)
        .and_then(|h| h.from_ip)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// The complaints as the investigation stands: the class's templates filled with the
/// input point's facts, addressed to its contacts.
pub(super) fn fresh_drafts(m: &Model) -> Vec<crate::compose::Draft> {
    use crate::compose::{Draft, Format, Side};
    let hop = m.input_point().unwrap_or(m.hops.selected);
    let class = m.class();
    let lookup = m.lookups.get(&hop).and_then(|l| l.done());
    let facts = m.facts(hop, lookup);
    [Side::Owner, Side::Isp]
        .into_iter()
        .map(|side| {
            // The second party of an account or webmail is the submitting client's
            // network, not the entry's ISP.
            let contacts = crate::compose::contacts_for(
                side,
                class,
                lookup,
                m.client_lookup(hop),
                m.trace.entry.provider_desk.as_deref(),
            );
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
                headers_only: false,
            };
            match m.setup.template(class, side) {
                Err(why) => blank(format!("(nobody to write to on this side: {why})")),
                Ok(template) => crate::compose::draft(
                    side,
                    &facts,
                    template,
                    &contacts,
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
pub(super) fn open_compose(m: &mut Model) {
    if m.compose.is_some() {
        m.screen = Screen::Compose;
        return;
    }
    let hop = m.input_point().unwrap_or(m.hops.selected);
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
            crate::tui::compose::Panel::from_draft(saved.unwrap_or(d))
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
    m.compose = Some(crate::tui::compose::ComposeState {
        panels,
        focus: 0,
        field: crate::tui::compose::Field::Body,
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
pub(super) fn follow(m: &mut Model, what: &str) {
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
                *p = crate::tui::compose::Panel::from_draft(&d);
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

/// The contacts of the focused panel's side, for the recipient picker (for an
/// account or webmail's second party, those of the submitting client's network).
pub fn side_contacts_of(m: &Model) -> Vec<crate::lookup::contact::Contact> {
    let Some(c) = m.compose.as_ref() else {
        return Vec::new();
    };
    let Some(p) = c.panels.get(c.focus) else {
        return Vec::new();
    };
    let hop = m.input_point().unwrap_or(m.hops.selected);
    let entry = m.lookups.get(&hop).and_then(|l| l.done());
    crate::compose::contacts_for(
        p.side,
        m.class(),
        entry,
        m.client_lookup(hop),
        m.trace.entry.provider_desk.as_deref(),
    )
}

/// A key in the recipient picker: move, check or uncheck (the To field follows),
/// close.
pub(super) fn pick_recipient(m: &mut Model, a: Action, row: usize) -> Vec<Effect> {
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
pub(super) fn rewrite(m: &mut Model) {
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
    *p = crate::tui::compose::Panel::from_draft(&d);
    m.status = Some(format!(
        "the {side} complaint is written again; your earlier text is kept in the draft history ({} kept)",
        c.history.len()
    ));
    m.drafts_dirty.get_or_insert(m.now);
}

/// `s`: the confirmation dialog with exactly what would go.
pub(super) fn ask_to_send(m: &mut Model) {
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
            let confirm = crate::tui::compose::Confirm {
                panel,
                from: m.setup.reporter.address.trim().to_string(),
                to: built.recipients.clone(),
                subject: d.subject.clone(),
                bytes: std::sync::Arc::new(built.bytes),
                binary: m.binary_complaint().map(|b| std::sync::Arc::new(b.bytes)),
                redacted: d.redact.then_some(built.changes.len()),
                encoding: built.encoding,
                transport,
                already,
                mismatch,
                big: m.big_spam(),
                bounced: built
                    .recipients
                    .iter()
                    .filter(|r| m.setup.bounced.contains(&r.to_ascii_lowercase()))
                    .cloned()
                    .collect(),
            };
            m.overlay = Some(Overlay::Confirm(Box::new(confirm)));
        }
    }
}

/// A key while a field is being edited: it goes to the editor widget; Esc (and
/// Enter in a one-line field) leaves editing.
pub(super) fn edit_key(m: &mut Model, k: crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::KeyCode;
    let Some(c) = m.compose.as_mut() else {
        return Vec::new();
    };
    let field = c.field;
    if k.code == KeyCode::Esc || (k.code == KeyCode::Enter && field != crate::tui::compose::Field::Body) {
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

pub(super) fn compose_act(m: &mut Model, a: Action) -> Vec<Effect> {
    let Some(c) = m.compose.as_mut() else {
        m.screen = Screen::Hops;
        return Vec::new();
    };
    if matches!(m.overlay, Some(Overlay::Confirm(_))) {
        let Some(Overlay::Confirm(cf)) = m.overlay.take() else {
            return Vec::new();
        };
        return send_confirmed(m, a, *cf);
    }
    if let Some(Overlay::Recipients(row)) = m.overlay {
        return pick_recipient(m, a, row);
    }
    if let Some(Overlay::Preview(scroll)) = m.overlay {
        return preview_key(m, a, scroll);
    }
    let changed = match a {
        Action::Redact | Action::Format | Action::Quote | Action::HeadersOnly => {
            if let Some(p) = c.panels.get_mut(c.focus) {
                match a {
                    Action::Redact => p.redact = !p.redact,
                    Action::Quote => p.quote_inline = !p.quote_inline,
                    Action::HeadersOnly => p.headers_only = !p.headers_only,
                    _ => {
                        p.format = match p.format {
                            crate::compose::Format::Eml => crate::compose::Format::Text,
                            crate::compose::Format::Text => crate::compose::Format::Arf,
                            crate::compose::Format::Arf => crate::compose::Format::Eml,
                        };
                        // An ARF report goes unredacted (a feedback loop matches the
                        // message as it was sent); the other formats are redacted
                        // by default. `x` still changes it.
                        p.redact = p.format != crate::compose::Format::Arf;
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
        Action::SentLog => {
            m.overlay = Some(Overlay::SentLog {
                all: false,
                filter: String::new(),
                row: 0,
            });
        }
        Action::Preview => m.overlay = Some(Overlay::Preview(0)),
        Action::NextPane | Action::PrevPane => c.focus = (c.focus + 1) % c.panels.len().max(1),
        Action::Down => c.field = c.field.next(),
        Action::Up => c.field = c.field.prev(),
        Action::Edit | Action::Open => {
            c.editing = true;
            // One-line fields are edited from their end (adding a recipient).
            if c.field != crate::tui::compose::Field::Body
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
        Action::Help => m.overlay = Some(Overlay::Help(0)),
        _ => {}
    }
    Vec::new()
}

/// A key in the send dialog: Enter sends exactly what it shows; any other key
/// cancels.
fn send_confirmed(m: &mut Model, a: Action, cf: crate::tui::compose::Confirm) -> Vec<Effect> {
    let Some(c) = m.compose.as_mut() else {
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
    let hop = m.input_point().unwrap_or(m.hops.selected);
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
    vec![Effect::Send {
        panel: cf.panel,
        from: cf.from,
        to: cf.to,
        bytes: cf.bytes,
        binary: cf.binary,
        entry: Box::new(entry),
    }]
}

/// A key in the preview: scrolls it, quits, or closes it.
fn preview_key(m: &mut Model, a: Action, scroll: u16) -> Vec<Effect> {
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
    Vec::new()
}

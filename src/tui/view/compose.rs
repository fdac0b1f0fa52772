//! The compose screen: the owner's and the ISP's complaint side by side (stacked
//! below 100 columns), each with To, Subject and the body in an editor widget.

#![allow(clippy::many_single_char_names)] // f frame, m model, t theme, c compose state, p panel: the view's vocabulary

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Theme;
use crate::compose::Side;
use crate::sanitize::clip;
use crate::tui::compose::{ComposeState, Field, Panel};
use crate::tui::keymap::Action;
use crate::tui::model::{Model, Overlay};

/// Below this width the two panels are stacked.
pub const SIDE_BY_SIDE: u16 = 100;

fn panel(f: &mut Frame, m: &Model, t: &Theme, c: &ComposeState, i: usize, p: &Panel, area: Rect) {
    let focused = i == c.focus;
    let who = match p.side {
        Side::Owner => format!(
            "owner: {}",
            m.lookups
                .get(&m.input_point().unwrap_or(m.hops.selected))
                .and_then(|l| l.done())
                .and_then(|l| l.owner_name().map(str::to_string))
                .unwrap_or_else(|| "?".into())
        ),
        Side::Isp => format!(
            "ISP: {}",
            m.lookups
                .get(&m.input_point().unwrap_or(m.hops.selected))
                .and_then(|l| l.done())
                .and_then(|l| l.isp_name().map(str::to_string))
                .unwrap_or_else(|| "?".into())
        ),
    };
    let format = format!(
        " {:?} · redaction {} · quote {} ",
        p.format,
        if p.redact { "on" } else { "off" },
        if p.quote_inline { "on" } else { "off" }
    )
    .to_lowercase();
    let border = if focused { t.title() } else { t.dim() };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(format!(" {} ", clip(&who, 60)), border))
        .title_bottom(Line::from(format));
    let block = match &p.stale {
        Some(why) => block.title(Span::styled(format!(" {} ", clip(why, 140)), t.bad())),
        None => block,
    };
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [to, subject, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let active = |field: Field| focused && c.field == field;
    for (field, label, rect, ta) in [
        (Field::To, "To:      ", to, &p.to),
        (Field::Subject, "Subject: ", subject, &p.subject),
    ] {
        let [l, r] = Layout::horizontal([Constraint::Length(9), Constraint::Min(1)]).areas(rect);
        let style = if active(field) { t.selected() } else { t.key() };
        f.render_widget(Paragraph::new(Span::styled(label, style)), l);
        if active(field) && c.editing {
            let mut ta = ta.clone();
            style_area(&mut ta, true);
            f.render_widget(&ta, r);
        } else {
            // Not being edited: from its start, an ellipsis where it is cut.
            let text = ta.lines().join(" ");
            f.render_widget(Paragraph::new(fit(&text, usize::from(r.width))), r);
        }
    }
    let mut b = p.body.clone();
    style_area(&mut b, active(Field::Body) && c.editing);
    b.set_block(
        Block::default()
            .borders(Borders::TOP)
            .title(if active(Field::Body) {
                " body ◄ "
            } else {
                " body "
            }),
    );
    f.render_widget(&b, body);
}

/// `s` cut to `width` columns with an ellipsis where it is cut (wide characters
/// counted as two).
pub fn fit(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let s = crate::sanitize::clean(s);
    if unicode_width::UnicodeWidthStr::width(s.as_ref()) <= width {
        return s.into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

fn style_area(ta: &mut ratatui_textarea::TextArea<'static>, editing: bool) {
    ta.set_cursor_line_style(Style::default());
    if editing {
        ta.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
    } else {
        ta.set_cursor_style(Style::default());
    }
}

/// The preview of the focused complaint: recipients, encoding, what redaction
/// changes, then the whole message as it would go.
fn preview(f: &mut Frame, m: &Model, t: &Theme, c: &ComposeState, scroll: u16) {
    let Some(p) = c.panels.get(c.focus) else { return };
    let mut lines: Vec<Line> = Vec::new();
    match &m.setup.original {
        None => lines.push(Line::styled(
            "the message's text cannot be read again: it cannot be forwarded",
            t.bad(),
        )),
        Some(_) => match m.complaint(None).map(|(_, _, built)| built) {
            Err(e) => lines.push(Line::styled(format!("not ready: {e}"), t.bad())),
            Ok(built) => {
                lines.push(Line::styled(
                    format!("to: {}", built.recipients.join(", ")),
                    t.title(),
                ));
                lines.push(Line::from(format!(
                    "{} bytes · the spam forwarded with Content-Transfer-Encoding: {}",
                    built.bytes.len(),
                    built.encoding
                )));
                if let Some(n) = &built.note {
                    lines.push(Line::styled(clip(n, 200), t.warn()));
                }
                if let Some(b) = m.binary_complaint() {
                    lines.push(Line::styled(
                        format!(
                            "if the SMTP server offers BINARYMIME and CHUNKING, the spam goes unchanged instead (binary, by BDAT: {} bytes)",
                            b.bytes.len()
                        ),
                        t.warn(),
                    ));
                }
                if let Some(b) = m.big_spam() {
                    lines.push(Line::styled(b, t.warn()));
                }
                if p.redact {
                    lines.push(Line::styled(
                        format!("redaction: {} line(s) change", built.changes.len()),
                        t.title(),
                    ));
                    for ch in &built.changes {
                        lines.push(Line::from(format!(
                            "  line {}: {}",
                            ch.line,
                            clip(&ch.before, 150)
                        )));
                        lines.push(Line::styled(format!("       → {}", clip(&ch.after, 150)), t.ok()));
                    }
                } else {
                    lines.push(Line::from("redaction: off (the spam goes exactly as it came)"));
                }
                lines.push(Line::from(""));
                for l in String::from_utf8_lossy(&built.bytes).lines() {
                    lines.push(Line::from(crate::sanitize::clean_line(l)));
                }
            }
        },
    }
    // The whole screen: no strips of what is under it stay beside it.
    let inner = f.area();
    f.render_widget(ratatui::widgets::Clear, inner);
    // Not past the end: the last lines fill the preview at most.
    let max = u16::try_from(
        lines
            .len()
            .saturating_sub(usize::from(inner.height.saturating_sub(2))),
    )
    .unwrap_or(u16::MAX);
    let scroll = scroll.min(max);
    let title = format!(
        " preview: the {} complaint (PgUp/PgDn scroll, any other key closes) ",
        p.side.word()
    );
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(title))
            .scroll((scroll, 0)),
        inner,
    );
}

pub fn draw(f: &mut Frame, m: &Model, t: &Theme) {
    let Some(c) = &m.compose else { return };
    let area = f.area();
    let [head, panels, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(4), Constraint::Length(1)]).areas(area);
    let relay = m
        .input_point()
        .and_then(|i| m.trace.hops.get(i))
        .and_then(|h| h.from_ip);
    let ip = relay.map_or("?".into(), |ip| ip.to_string());
    // Complained about this relay before: said before anything else goes.
    let before = relay.and_then(|ip| m.about_relay(ip));
    let mut spans = vec![
        Span::styled("Complaints ", t.title()),
        Span::raw(format!(
            "({}) about {ip} (hop {}) · ",
            m.class().words(),
            m.input_point().map_or("?".into(), |i| i.to_string()),
        )),
    ];
    match before {
        Some(b) => spans.push(Span::styled(format!("✉ {}", clip(&b, 200)), t.warn())),
        None => spans.push(Span::raw(format!(
            "re: {}",
            clip(m.trace.subject.as_deref().unwrap_or(""), 80)
        ))),
    }
    f.render_widget(Paragraph::new(Line::from(spans)), head);
    let areas: Vec<Rect> = if panels.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(panels)
            .to_vec()
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(panels)
            .to_vec()
    };
    for (i, (p, a)) in c.panels.iter().zip(areas).enumerate() {
        panel(f, m, t, c, i, p, a);
    }
    let k = &m.keymap;
    let mut spans = Vec::new();
    if let Some(s) = &m.status {
        spans.push(Span::styled(clip(s, 120), t.warn()));
        spans.push(Span::raw(" │ "));
    }
    let keys: &[(Action, &str)] = if c.editing {
        &[(Action::Back, "stop editing")]
    } else {
        &[
            (Action::NextPane, "owner/ISP"),
            (Action::Down, "field"),
            (Action::Edit, "edit"),
            (Action::Editor, "$EDITOR"),
            (Action::Send, "send"),
            (Action::Copy, "copy"),
            (Action::Preview, "preview"),
            (Action::Format, "format"),
            (Action::Redact, "redact"),
            (Action::Back, "hops"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ]
    };
    for (a, what) in keys {
        spans.push(Span::styled(k.first(*a), t.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), status);
    match &m.overlay {
        Some(Overlay::Preview(scroll)) => preview(f, m, t, c, *scroll),
        Some(Overlay::Confirm(cf)) => confirm(f, t, cf),
        Some(Overlay::Recipients(row)) => recipients(f, m, t, c, *row),
        _ => {}
    }
}

/// The recipient picker: the side's contacts with where each came from and how sure
/// it is, checked when it is in To.
fn recipients(f: &mut Frame, m: &Model, t: &Theme, c: &ComposeState, row: usize) {
    let Some(p) = c.panels.get(c.focus) else { return };
    let to = p.draft().to;
    let contacts = crate::tui::update::side_contacts_of(m);
    let mut lines = Vec::new();
    for (i, ct) in contacts.iter().enumerate() {
        let checked = to.iter().any(|x| x.eq_ignore_ascii_case(&ct.email));
        let style = if i == row { t.selected() } else { Style::default() };
        lines.push(Line::styled(
            format!(
                "{} {} {:<38} {:<9} {:<6} {}",
                if checked { "[x]" } else { "[ ]" },
                if m.setup.bounced.contains(&ct.email.to_ascii_lowercase()) {
                    "↩"
                } else if ct.preselect {
                    "●"
                } else {
                    " "
                },
                clip(&ct.email, 60),
                ct.source.as_str(),
                ct.confidence.as_str(),
                clip(&ct.basis, 80)
            ),
            style,
        ));
    }
    let area = f.area();
    let h = (u16::try_from(lines.len()).unwrap_or(10) + 2).min(area.height);
    let w = area.width.saturating_sub(4).min(140);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    f.render_widget(ratatui::widgets::Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" recipients of the {} complaint ", p.side.word()))
                .title_bottom(Line::styled(
                    " Enter checks or unchecks · j/k move · Esc closes · ● pre-selected ",
                    t.dim(),
                )),
        ),
        rect,
    );
}

/// Exactly what will leave, before anything does.
fn confirm(f: &mut Frame, t: &Theme, cf: &crate::tui::compose::Confirm) {
    let mut lines = vec![
        Line::from(vec![
            Span::styled("envelope from  ", t.key()),
            Span::raw(crate::sanitize::clean(&cf.from).into_owned()),
        ]),
        Line::from(vec![
            Span::styled("recipients     ", t.key()),
            Span::raw(clip(&cf.to.join(", "), 200)),
        ]),
        Line::from(vec![
            Span::styled("subject        ", t.key()),
            Span::raw(clip(&cf.subject, 200)),
        ]),
        Line::from(vec![
            Span::styled("size           ", t.key()),
            Span::raw(format!(
                "{} bytes (the spam attached with Content-Transfer-Encoding: {})",
                cf.bytes.len(),
                cf.encoding
            )),
        ]),
    ];
    if let Some(b) = &cf.binary {
        lines.push(Line::from(vec![
            Span::styled("               ", t.key()),
            Span::raw(format!(
                "or {} bytes with the spam unchanged (binary, by BDAT) if the server offers BINARYMIME and CHUNKING",
                b.len()
            )),
        ]));
    }
    lines.extend([
        Line::from(vec![
            Span::styled("redacted       ", t.key()),
            Span::raw(match cf.redacted {
                Some(n) => format!("{n} line(s) of the forwarded copy"),
                None => "nothing: the spam goes exactly as it came".into(),
            }),
        ]),
        Line::from(vec![
            Span::styled("via            ", t.key()),
            Span::raw(clip(&cf.transport, 120)),
        ]),
    ]);
    if !cf.bounced.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!(
                "↩ marked as bounced before: {}",
                clip(&cf.bounced.join(", "), 200)
            ),
            t.bad(),
        ));
    }
    if let Some(b) = &cf.big {
        lines.push(Line::from(""));
        lines.push(Line::styled(clip(b, 200), t.warn()));
    }
    if let Some(w) = &cf.mismatch {
        lines.push(Line::from(""));
        lines.push(Line::styled(clip(w, 200), t.bad()));
    }
    if !cf.already.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!(
                "already complained to about this message: {} — Enter sends it again",
                clip(&cf.already.join(", "), 300)
            ),
            t.bad(),
        ));
    }
    let area = f.area();
    // Lines wrap in a narrow dialog: its height counts the wrapped rows.
    let inner = area.width.saturating_sub(4).min(110).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let h = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2);
    let w = area.width.saturating_sub(4).min(110);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h.min(area.height),
    );
    f.render_widget(ratatui::widgets::Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" send this complaint? ")
                    // In the frame, not the text: no size of terminal cuts it off.
                    .title_bottom(Line::styled(" Enter sends · Esc cancels ", t.title())),
            ),
        rect,
    );
}

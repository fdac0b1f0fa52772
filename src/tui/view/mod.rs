//! Drawing: reads the model, never changes it. Every string from the message or a
//! server goes through [`crate::sanitize`] before it reaches a cell.

pub mod compose;
pub mod hops;
pub mod layout;
pub mod panes;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Wrap};

use super::keymap::Action;
use super::model::{Model, Overlay, PaneState, Screen};
use crate::sanitize::clip;

/// Styles, plain when colour is off (`NO_COLOR`). Only the terminal's own
/// foreground and background and the named ANSI colours are used, so light and dark
/// terminals both read well.
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            Style::new()
        }
    }
    pub fn key(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn state(&self, s: &PaneState) -> Style {
        match s {
            PaneState::Done => self.ok(),
            PaneState::Failed(_) => self.bad(),
            PaneState::RateLimited(_) | PaneState::Waiting(_) => self.warn(),
            PaneState::NotFound | PaneState::Idle(_) => self.dim(),
        }
    }
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A one-column glyph for a pane state (the tabs).
pub fn glyph(s: &PaneState) -> &'static str {
    match s {
        PaneState::Done => "✓",
        PaneState::NotFound => "·",
        PaneState::Failed(_) => "✗",
        PaneState::RateLimited(_) => "!",
        PaneState::Idle(_) => " ",
        PaneState::Waiting(d) => SPINNER[(d.as_millis() / 100) as usize % SPINNER.len()],
    }
}

/// The state in words (pane titles).
pub fn words(s: &PaneState) -> String {
    match s {
        PaneState::Done => "done".into(),
        PaneState::NotFound => "not found".into(),
        PaneState::Failed(r) => format!("failed: {}", clip(r, 90)),
        PaneState::RateLimited(r) => format!("rate-limited: {}", clip(r, 80)),
        PaneState::Idle(r) => clip(r, 90),
        PaneState::Waiting(d) => format!("waiting {} {:.1} s", glyph(s), d.as_secs_f32()),
    }
}

/// The consent before the open-relay test: exactly what will be sent, and to whom.
fn relay_test(f: &mut Frame, t: &Theme, plan: &crate::lookup::relaytest::Plan, force: bool) {
    let mut lines = vec![
        Line::styled(
            format!(
                "relaytrace will connect to {} port {} and send exactly this:",
                plan.ip, plan.port
            ),
            t.title(),
        ),
        Line::from(""),
    ];
    for l in plan.lines() {
        lines.push(Line::from(format!("  {}", clip(&l, 200))));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "The outside recipient is your own address ({}); a relay that accepts it is open.",
        clip(&plan.sender, 100)
    )));
    if force {
        lines.push(Line::styled(
            "F: tests again even if the relay was tested in the last day",
            t.warn(),
        ));
    }
    let area = f.area();
    let w = area.width.saturating_sub(4).min(110);
    let inner = usize::from(w.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let h = u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, w, h);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" test whether {} is an open relay? ", plan.ip))
                .title_bottom(Line::styled(
                    " Enter tests · F tests again today · any other key cancels ",
                    t.title(),
                )),
        ),
        rect,
    );
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, m: &Model) {
    let t = Theme::new(m.color);
    match m.screen {
        Screen::Picker => picker(f, m, &t),
        Screen::Compose => compose::draw(f, m, &t),
        Screen::Hops => {
            let a = layout::areas((f.area().width, f.area().height), m.trace.hops.len());
            header(f, m, a.header);
            hops::draw(f, m, &t, a.hops);
            panes::tabs(f, m, &t, a.tabs);
            panes::draw(f, m, &t, a.pane);
            status(f, m, &t, a.status);
        }
    }
    match m.overlay {
        Some(Overlay::Help(scroll)) => help(f, m, &t, scroll),
        Some(Overlay::SentLog { all, ref filter, row }) => sent_log(f, m, &t, all, filter, row),
        Some(Overlay::RelayTest { ref plan, force }) => relay_test(f, &t, plan, force),
        _ => {}
    }
    // A dialog keeps its action line down to 80x24; below that, the screen says so
    // rather than showing a dialog without its keys.
    let area = f.area();
    if m.overlay.is_some() && (area.width < 80 || area.height < 24) {
        f.render_widget(ratatui::widgets::Clear, area);
        f.render_widget(
            Paragraph::new(vec![
                Line::styled("the terminal is too small for this dialog", t.warn()),
                Line::from(format!(
                    "{}x{}: it needs 80x24; Esc closes it",
                    area.width, area.height
                )),
            ])
            .wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
    }
}

/// What the sent log holds for this message (any key closes).
fn sent_log(f: &mut Frame, m: &Model, t: &Theme, all: bool, filter: &str, row: usize) {
    let source = if all { &m.setup.history } else { &m.setup.sent };
    let shown = m.sent_rows(all, filter);
    let mut rows: Vec<Row> = shown
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let to: Vec<String> = e
                .recipients
                .iter()
                .map(|r| {
                    if m.setup.bounced.contains(&r.to_ascii_lowercase()) {
                        format!("{r} ↩")
                    } else {
                        r.clone()
                    }
                })
                .collect();
            let r = Row::new(vec![
                clip(&e.time, 20),
                clip(&e.relay_ip, 39),
                e.side.word().to_string(),
                clip(&to.join(", "), 60),
                clip(&e.transport, 40),
                match e.outcome {
                    crate::deliver::log::Outcome::Sent => clip(&e.reply, 80),
                    crate::deliver::log::Outcome::Unknown => {
                        clip(&format!("outcome unknown: {}", e.reply), 80)
                    }
                },
            ]);
            if i == row { r.style(t.selected()) } else { r }
        })
        .collect();
    if rows.is_empty() {
        rows.push(Row::new(vec![if source.is_empty() {
            if all {
                "nothing sent yet"
            } else {
                "nothing sent yet for this message"
            }
            .to_string()
        } else {
            "nothing matches".to_string()
        }]));
    }
    let h = u16::try_from(rows.len())
        .unwrap_or(20)
        .saturating_add(4)
        .min(f.area().height);
    let area = centered(f.area(), f.area().width.saturating_sub(4), h);
    f.render_widget(Clear, area);
    let title = format!(
        " sent {} ({}){} ",
        if all {
            "about every message"
        } else {
            "for this message"
        },
        m.setup
            .log_path
            .as_ref()
            .map_or("no log".into(), |p| clip(&p.display().to_string(), 60)),
        if filter.is_empty() {
            String::new()
        } else {
            format!(" · filter: {}", crate::sanitize::clean(filter))
        }
    );
    // The way it went is read whole: its column is as wide as its longest entry.
    let via = shown
        .iter()
        .map(|e| e.transport.chars().count().min(40))
        .max()
        .unwrap_or(3);
    let table = Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(15),
            Constraint::Length(5),
            Constraint::Fill(2),
            Constraint::Length(u16::try_from(via).unwrap_or(40)),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(vec!["time", "relay", "side", "recipients", "via", "reply"]).style(t.title()))
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(Line::styled(
                " type to filter · Tab this message / all · ↑↓ choose · Ctrl-B bounced · Esc closes ",
                t.dim(),
            )),
    );
    f.render_widget(table, area);
}

fn header(f: &mut Frame, m: &Model, area: Rect) {
    let tr = &m.trace;
    let tenths = |unit: u64| {
        let t = tr.size * 10 / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    let size = if tr.size >= 1 << 20 {
        format!("{} MB", tenths(1 << 20))
    } else {
        format!("{} KB", tenths(1024))
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("Subject: ", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(clip(tr.subject.as_deref().unwrap_or("(none)"), 300)),
        ]),
        Line::from(format!(
            "From: {} · {} · {} · {}",
            clip(tr.from.as_deref().unwrap_or("(none)"), 80),
            clip(tr.date.as_deref().unwrap_or("no date"), 40),
            size,
            clip(&m.source, 120)
        )),
        entry_line(m),
    ];
    f.render_widget(Paragraph::new(lines), area);
}

/// How the spam got in: the class, its confidence (or the user's choice), the
/// responsible host, the first piece of evidence, and the age when it is old.
fn entry_line(m: &Model) -> Line<'static> {
    let e = &m.trace.entry;
    let class = m.class();
    let how = if m.setup.class_choice.is_some() {
        "your choice".to_string()
    } else {
        // A medium reading names its rival: "medium; or spammer's own host?".
        let rivals: Vec<&str> = e.alternatives.iter().map(|a| a.class.words()).collect();
        let conf = format!("{:?}", e.confidence).to_ascii_lowercase();
        if rivals.is_empty() {
            conf
        } else {
            format!("{conf}; or {}?", rivals.join(", or "))
        }
    };
    let host = match (e.ip, &e.host) {
        (Some(ip), Some(h)) => format!(" · {ip} {h}"),
        (Some(ip), None) => format!(" · {ip}"),
        _ => String::new(),
    };
    // Who submitted it, as the provider recorded it.
    let account = e
        .account_name()
        .map(|a| format!(" · account {a}"))
        .unwrap_or_default();
    let age = e
        .hop
        .and_then(|h| m.trace.hops.get(h))
        .and_then(|h| h.fields.date)
        .map(|d| (m.epoch - d.epoch) / 86_400)
        .filter(|days| {
            m.epoch > 0 && *days > i64::from(m.setup.config.max_age_days) && m.setup.config.max_age_days > 0
        })
        .map(|days| format!(" · ⚠ {days} days old"))
        .unwrap_or_default();
    // Complained about before (this message or another): said first.
    let before = m
        .input_point()
        .and_then(|h| m.trace.hops.get(h))
        .and_then(|h| h.from_ip)
        .and_then(|ip| m.about_relay(ip))
        .map(|s| format!(" · ✉ {s}"))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled("Entry: ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(clip(
            &format!(
                "{} ({how}){host}{account}{age}{before} · {}",
                class.words(),
                e.evidence.first().map_or("", String::as_str)
            ),
            400,
        )),
    ])
}

fn status(f: &mut Frame, m: &Model, t: &Theme, area: Rect) {
    let keys = &m.keymap;
    let mut spans = Vec::new();
    if let Some(s) = &m.status {
        spans.push(Span::styled(clip(s, 200), t.warn()));
        spans.push(Span::raw(" │ "));
    }
    let n = m.in_flight();
    if n > 0 {
        let word = if n == 1 { "lookup" } else { "lookups" };
        spans.push(Span::styled(format!("{n} {word} in flight"), t.warn()));
        spans.push(Span::raw(" │ "));
    }
    for (a, what) in [
        (Action::Down, "hop"),
        (Action::NextPane, "pane"),
        (Action::InputPoint, "input point"),
        (Action::Relay, "relay"),
        (Action::Retry, "retry"),
        (Action::Refresh, "refresh"),
        (Action::Compose, "compose"),
        (Action::Help, "help"),
        (Action::Quit, "quit"),
    ] {
        spans.push(Span::styled(keys.first(a), t.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn help(f: &mut Frame, m: &Model, t: &Theme, scroll: u16) {
    let key_line = |keys: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!("{keys:<22} "), t.key()),
            Span::raw(what.to_string()),
        ])
    };
    let mut lines = vec![Line::styled("on the hops screen", t.title())];
    lines.extend(m.keymap.help().iter().map(|(k, w)| key_line(k, w)));
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "on the compose screen (the others as above)",
        t.title(),
    ));
    lines.extend(m.keymap.compose_help().iter().map(|(k, w)| key_line(k, w)));
    lines.push(Line::from(""));
    lines.push(Line::styled("signs", t.title()));
    let waiting = glyph(&PaneState::Waiting(std::time::Duration::ZERO));
    for (sign, what) in [
        (
            "tabs".to_string(),
            format!(
                "{} done · {} nothing found · {} failed · {} rate-limited · {waiting} waiting (it turns)",
                glyph(&PaneState::Done),
                glyph(&PaneState::NotFound),
                glyph(&PaneState::Failed(String::new())),
                glyph(&PaneState::RateLimited(String::new())),
            ),
        ),
        (
            "marks".to_string(),
            "S your site · R relay · I input point · C the submitting client (its network gets the second complaint) · * your choice".to_string(),
        ),
        (
            "verdicts".to_string(),
            "■ trusted □ internal ✓ verified ? unverified ✗ inconsistent".to_string(),
        ),
        (
            "contacts".to_string(),
            "● pre-selected (from the address or its confirmed name) · ○ suggestion".to_string(),
        ),
    ] {
        lines.push(key_line(&sign, &what));
    }
    let area = f.area();
    let width = area.width.saturating_sub(4).min(110);
    let height = area.height.saturating_sub(2);
    let rect = centered(area, width, height);
    // Not past the end: the last line stays at the bottom at most.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let max = u16::try_from(rows.saturating_sub(usize::from(height.saturating_sub(2)))).unwrap_or(u16::MAX);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" keys and signs ")
                    .title_bottom(Line::styled(
                        " j/k PgDn/PgUp scroll · any other key closes ",
                        t.dim(),
                    )),
            ),
        rect,
    );
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [c] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    c
}

fn picker(f: &mut Frame, m: &Model, t: &Theme) {
    let [title, list, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    f.render_widget(
        Paragraph::new(format!(
            "{} — {} messages: choose one",
            clip(&m.source, 100),
            m.picker.rows.len()
        ))
        .style(t.title()),
        title,
    );
    let visible = usize::from(list.height.saturating_sub(3));
    let offset = layout::hops_offset(m.picker.picked, m.picker.rows.len(), visible);
    let rows: Vec<Row> = m
        .picker
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible.max(1))
        .map(|(i, r)| {
            let row = Row::new(vec![
                r.number.to_string(),
                if r.complained { "✉".into() } else { String::new() },
                clip(&r.entry, 40),
                r.date.chars().take(10).collect(),
                clip(&r.from, 40),
                clip(&r.subject, 200),
            ]);
            if i == m.picker.picked {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(28),
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(vec!["#", "", "entry", "date", "from", "subject"]).style(t.title()))
    .block(Block::default().borders(Borders::ALL));
    f.render_widget(table, list);
    let k = &m.keymap;
    f.render_widget(
        Paragraph::new(format!(
            "{}/{} choose  {} open  {} help  {} quit",
            k.first(Action::Down),
            k.first(Action::Up),
            k.first(Action::Open),
            k.first(Action::Help),
            k.first(Action::Quit)
        ))
        .wrap(Wrap { trim: true }),
        status,
    );
}

//! The hops table: index, sender host and address, `by` host, delay (a small bar;
//! negative delays flagged), the verdict as a symbol and a word, and the marks of
//! the site, the relay, the input point and an account's client. Unparsed lines
//! show raw.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::Theme;
use super::layout::hops_offset;
use crate::sanitize::clip;
use crate::trace::{Handoff, Hop};
use crate::tui::model::Model;

/// One block of a logarithmic bar for a delay: under a second, minutes, hours, days.
fn bar(d: i64) -> &'static str {
    const BLOCKS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
    let d = d.unsigned_abs();
    let level = match d {
        0 => 0,
        1..=9 => 1,
        10..=59 => 2,
        60..=599 => 3,
        600..=3599 => 4,
        3600..=21_599 => 5,
        21_600..=86_399 => 6,
        _ => 7,
    };
    BLOCKS[level]
}

fn short(d: i64) -> String {
    let a = d.unsigned_abs();
    let s = match a {
        0..=59 => format!("{a}s"),
        60..=3599 => format!("{}m", a / 60),
        3600..=86_399 => format!("{}h", a / 3600),
        _ => format!("{}d", a / 86_400),
    };
    if d < 0 { format!("-{s}") } else { s }
}

fn marks(m: &Model, h: &Hop) -> String {
    let mut s = String::new();
    if matches!(h.handoff, Handoff::Trusted | Handoff::Internal) {
        s.push('S');
    }
    if m.relay() == Some(h.index) {
        s.push('R');
        if m.relay_choice.is_some() {
            s.push('*');
        }
    }
    if m.input_point() == Some(h.index) {
        s.push('I');
        if m.input_choice.is_some() {
            s.push('*');
        }
    }
    // The submitting client of an account or webmail: the second complaint's party.
    if crate::compose::isp_is_client_network(m.class()) && m.trace.entry.client_hop == Some(h.index) {
        s.push('C');
    }
    s
}

pub fn draw(f: &mut Frame, m: &Model, t: &Theme, area: Rect) {
    let visible = usize::from(area.height.saturating_sub(3));
    // Below 72 columns the table keeps what identifies a hop: index, address,
    // sender, verdict sign and marks.
    let narrow = area.width < 72;
    let offset = hops_offset(m.hops.selected, m.trace.hops.len(), visible);
    let rows: Vec<Row> = m
        .trace
        .hops
        .iter()
        .skip(offset)
        .take(visible.max(1))
        .map(|h| {
            let from = if h.parsed { h.sender() } else { h.raw.clone() };
            let delay = match h.delay_s {
                None => Line::from("-"),
                Some(d) if d < 0 => Line::from(vec![Span::styled(format!("! {}", short(d)), t.bad())]),
                Some(d) => Line::from(format!("{} {}", bar(d), short(d))),
            };
            let verdict_style = match h.handoff {
                Handoff::Verified => t.ok(),
                Handoff::Inconsistent => t.bad(),
                Handoff::Unverified => t.warn(),
                Handoff::Trusted | Handoff::Internal => t.dim(),
            };
            let ip = Cell::from(h.from_ip.map_or_else(|| "-".into(), |i| i.to_string()));
            let row = if narrow {
                // The address is the last thing to go: the verdict shrinks to its
                // sign, `by` and the delay give way.
                Row::new(vec![
                    Cell::from(h.index.to_string()),
                    ip,
                    Cell::from(clip(&from, 120)),
                    Cell::from(Span::styled(h.handoff.symbol(), verdict_style)),
                    Cell::from(marks(m, h)),
                ])
            } else {
                Row::new(vec![
                    Cell::from(h.index.to_string()),
                    Cell::from(clip(&from, 120)),
                    ip,
                    Cell::from(clip(h.by.as_deref().unwrap_or("-"), 80)),
                    Cell::from(delay),
                    Cell::from(Span::styled(
                        format!("{} {}", h.handoff.symbol(), h.handoff.word()),
                        verdict_style,
                    )),
                    Cell::from(marks(m, h)),
                ])
            };
            if h.index == m.hops.selected {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let title = if m.trace.hops.is_empty() {
        " the message has no Received lines ".to_string()
    } else {
        format!(
            " hop {} of 0–{} · relay {} · input point {} ",
            m.hops.selected,
            m.trace.hops.len() - 1,
            m.relay().map_or("none".into(), |r| r.to_string()),
            m.input_point().map_or("none".into(), |r| r.to_string())
        )
    };
    let (widths, header): (Vec<Constraint>, Vec<&str>) = if narrow {
        (
            vec![
                Constraint::Length(3),
                Constraint::Length(15),
                Constraint::Fill(1),
                Constraint::Length(1),
                Constraint::Length(4),
            ],
            vec!["hop", "ip", "from", "", "mark"],
        )
    } else {
        (
            vec![
                Constraint::Length(3),
                Constraint::Fill(3),
                Constraint::Length(15),
                Constraint::Fill(2),
                Constraint::Length(6),
                Constraint::Length(14),
                Constraint::Length(4),
            ],
            vec!["hop", "from", "ip", "by", "delay", "verdict", "mark"],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.title()))
        .block(Block::default().borders(Borders::ALL).title(title));
    f.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays() {
        assert_eq!((bar(0), short(0)), ("▁", "0s".to_string()));
        assert_eq!((bar(400), short(400)), ("▄", "6m".to_string()));
        assert_eq!(short(-27), "-27s");
        assert_eq!(bar(10 * 86_400), "█");
    }
}

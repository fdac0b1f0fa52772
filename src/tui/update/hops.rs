//! The hops screen: moving between hops and panes, choosing the relay and the input
//! point, the mouse.

use crossterm::event::{MouseButton, MouseEventKind};

use super::{Action, Effect, Model, Overlay, Pane, Screen, copy, follow, lookup, open_compose, quit};
use crate::tui::view::layout;

pub(super) fn select(m: &mut Model, hop: usize) {
    let n = m.trace.hops.len();
    if n > 0 {
        m.hops.selected = hop.min(n - 1);
    }
}

pub(super) fn scroll(m: &mut Model, delta: i32) {
    let page = i32::from(
        layout::areas(m.size, m.trace.hops.len())
            .pane
            .height
            .saturating_sub(2)
            .max(1),
    );
    let key = (m.hops.selected, m.hops.pane);
    let cur = i32::from(m.hops.scroll.get(&key).copied().unwrap_or(0));
    let next = (cur + delta * page).max(0);
    m.hops.scroll.insert(key, u16::try_from(next).unwrap_or(u16::MAX));
}

/// `i` / `R`: the selected hop becomes the input point / the relay; choosing the
/// analysis' own hop again clears the override.
pub(super) fn choose(m: &mut Model, input: bool) -> Vec<Effect> {
    let hop = m.hops.selected;
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

pub(super) fn mouse(m: &mut Model, e: crossterm::event::MouseEvent) -> Vec<Effect> {
    if m.screen != Screen::Hops || m.overlay.is_some() {
        return Vec::new();
    }
    let a = layout::areas(m.size, m.trace.hops.len());
    let inside = |r: ratatui::layout::Rect| {
        e.column >= r.x && e.column < r.x + r.width && e.row >= r.y && e.row < r.y + r.height
    };
    match e.kind {
        MouseEventKind::ScrollDown if inside(a.hops) => select(m, m.hops.selected + 1),
        MouseEventKind::ScrollUp if inside(a.hops) => select(m, m.hops.selected.saturating_sub(1)),
        MouseEventKind::ScrollDown => {
            let key = (m.hops.selected, m.hops.pane);
            let v = m.hops.scroll.get(&key).copied().unwrap_or(0).saturating_add(3);
            m.hops.scroll.insert(key, v);
        }
        MouseEventKind::ScrollUp => {
            let key = (m.hops.selected, m.hops.pane);
            let v = m.hops.scroll.get(&key).copied().unwrap_or(0).saturating_sub(3);
            m.hops.scroll.insert(key, v);
        }
        MouseEventKind::Down(MouseButton::Left) if inside(a.hops) => {
            // Rows start under the border and the column titles.
            let first_row = a.hops.y + 2;
            if e.row >= first_row {
                let visible = usize::from(a.hops.height.saturating_sub(3));
                let offset = layout::hops_offset(m.hops.selected, m.trace.hops.len(), visible);
                select(m, offset + usize::from(e.row - first_row));
            }
        }
        MouseEventKind::Down(MouseButton::Left) if inside(a.tabs) => {
            if let Some(p) = layout::tab_at(a.tabs, e.column) {
                m.hops.pane = p;
            }
        }
        _ => return Vec::new(),
    }
    m.dirty = true;
    Vec::new()
}

/// `]` / `[`: the next or previous message of the mbox, without going back to the
/// picker; the drafts of this one are saved first.
fn step_message(m: &mut Model, next: bool) -> Vec<Effect> {
    let n = m.picker.rows.len();
    if n < 2 {
        m.status = Some("one message only".into());
        return Vec::new();
    }
    let to = if next {
        (m.picker.picked + 1).min(n - 1)
    } else {
        m.picker.picked.saturating_sub(1)
    };
    if to == m.picker.picked {
        m.status = Some(
            if next {
                "the last message"
            } else {
                "the first message"
            }
            .into(),
        );
        return Vec::new();
    }
    m.picker.picked = to;
    let mut effects = super::save(m);
    effects.push(Effect::Open(m.picker.rows[to].number));
    effects
}

/// A key on the hops screen.
pub(super) fn act(m: &mut Model, a: Action) -> Vec<Effect> {
    let n = m.trace.hops.len();
    match a {
        Action::Help => m.overlay = Some(Overlay::Help(0)),
        Action::Quit => return quit(m),
        Action::Back => {
            if m.picker.rows.len() > 1 {
                m.screen = Screen::Picker;
            } else {
                return quit(m);
            }
        }
        Action::NextMessage | Action::PrevMessage => return step_message(m, a == Action::NextMessage),
        Action::Down => select(m, m.hops.selected + 1),
        Action::Up => select(m, m.hops.selected.saturating_sub(1)),
        Action::First => select(m, 0),
        Action::Last => select(m, n.saturating_sub(1)),
        Action::NextPane => m.hops.pane = Pane::ALL[(m.hops.pane.index() + 1) % Pane::ALL.len()],
        Action::PrevPane => {
            m.hops.pane = Pane::ALL[(m.hops.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()];
        }
        Action::PageDown => scroll(m, 1),
        Action::PageUp => scroll(m, -1),
        Action::Open => m.hops.pane = Pane::Contacts,
        Action::InputPoint => return choose(m, true),
        Action::Relay => return choose(m, false),
        Action::Class => {
            let next = m.class().next();
            m.setup.class_choice = Some(next);
            m.status = Some(format!("class: {} (your choice)", next.words()));
            follow(m, "the class");
        }
        Action::Retry => {
            let hop = m.hops.selected;
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
            let hop = m.hops.selected;
            if m.lookups.contains_key(&hop) {
                m.status = Some(format!("hop {hop}: asking every server again"));
                return lookup(m, hop, true).into_iter().collect();
            }
            m.status = Some(format!(
                "hop {hop}: nothing to look up (inside your site, or no public address)"
            ));
        }
        Action::Compose => open_compose(m),
        Action::RelayTest => relay_test_asked(m),
        Action::Copy => return copy(m),
        Action::SentLog => {
            m.overlay = Some(Overlay::SentLog {
                all: false,
                filter: String::new(),
                row: 0,
            });
        }
        Action::Edit
        | Action::Editor
        | Action::Preview
        | Action::Redact
        | Action::Format
        | Action::Quote
        | Action::Rewrite
        | Action::Recipients
        | Action::HeadersOnly
        | Action::Send => {}
    }
    Vec::new()
}

/// `O`: the consent dialog for the open-relay test of the input point's relay
/// (exactly what will be sent, and to whom), or why there is none.
fn relay_test_asked(m: &mut Model) {
    if m.setup.offline {
        m.status = Some(
            "--offline: the relay is not contacted, so it cannot be tested (run without --offline)".into(),
        );
        return;
    }
    let Some(hop) = m.input_point().and_then(|i| m.trace.hops.get(i)) else {
        m.status = Some("no input point: no relay to test".into());
        return;
    };
    let Some(ip) = hop.from_ip else {
        m.status = Some("the input point names no address: nothing to test".into());
        return;
    };
    if matches!(m.relay_tests.get(&ip), Some(None)) {
        m.status = Some(format!("{ip}: a test is running"));
        return;
    }
    let name = hop.from_rdns.as_deref().or(hop.from_helo.as_deref());
    match crate::lookup::relaytest::Plan::new(ip, m.setup.relay_test_port, name, &m.setup.reporter.address) {
        Some(plan) => {
            m.overlay = Some(Overlay::RelayTest {
                plan: Box::new(plan),
                force: false,
            });
        }
        None => {
            m.status = Some(
                "the test offers your own address as the outside recipient: set [reporter] address".into(),
            );
        }
    }
}

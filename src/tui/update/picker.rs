//! The picker: choosing a message of an mbox.

use super::{Action, Effect, Model, Overlay, quit};

pub(super) fn picker(m: &mut Model, a: Action) -> Vec<Effect> {
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

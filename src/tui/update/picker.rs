//! The picker: choosing a message of an mbox.

use super::{Action, Effect, Model, Overlay, quit};

pub(super) fn picker(m: &mut Model, a: Action) -> Vec<Effect> {
    let n = m.picker.rows.len();
    match a {
        Action::Down => m.picker.picked = (m.picker.picked + 1).min(n.saturating_sub(1)),
        Action::Up => m.picker.picked = m.picker.picked.saturating_sub(1),
        Action::First => m.picker.picked = 0,
        Action::Last => m.picker.picked = n.saturating_sub(1),
        Action::Open | Action::NextPane => {
            if let Some(row) = m.picker.rows.get(m.picker.picked) {
                return vec![Effect::Open(row.number)];
            }
        }
        Action::Quit | Action::Back => return quit(m),
        Action::Help => m.overlay = Some(Overlay::Help(0)),
        _ => {}
    }
    Vec::new()
}

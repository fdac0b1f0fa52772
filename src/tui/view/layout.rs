//! Where everything goes on the screen, as a pure function of its size: the views
//! draw into these areas and `update` maps mouse clicks with the same numbers.
//!
//! ```text
//! ┌ Subject: …                                  (3 rows: subject; from · date · size · source; entry)
//! ├ hops ─────────────────────────────────────  (a table, up to ~45 % of the height)
//! │ hop  from              ip       by  delay  verdict      marks
//! ├ ✓ Received │ … rDNS │ ✓ whois │ …           (1 row of pane tabs, each with its state)
//! ├ pane ─────────────────────────────────────  (the selected hop's focused pane, scrolls)
//! └ keys that work here · lookups in flight · message
//! ```

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::model::Pane;

/// The areas of the hops screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub hops: Rect,
    pub tabs: Rect,
    pub pane: Rect,
    pub status: Rect,
}

/// The areas for a terminal of `size` showing `hops` hops.
pub fn areas(size: (u16, u16), hops: usize) -> Areas {
    let (w, h) = size;
    let area = Rect::new(0, 0, w, h);
    let avail = h.saturating_sub(5);
    let want = u16::try_from(hops).unwrap_or(u16::MAX).saturating_add(3);
    let cap = (avail * 45 / 100).max(5);
    let hops_h = want.min(cap).min(avail.saturating_sub(3));
    let [header, hops, tabs, pane, status] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(hops_h),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        hops,
        tabs,
        pane,
        status,
    }
}

/// The first hop shown when `selected` must be visible among `visible` rows.
pub fn hops_offset(selected: usize, total: usize, visible: usize) -> usize {
    if visible == 0 || total <= visible {
        return 0;
    }
    selected.saturating_sub(visible - 1).min(total - visible)
}

/// Below this width the tabs use the short titles.
pub const NARROW: u16 = 90;

/// A tab's title at this width.
pub fn tab_title(p: Pane, width: u16) -> &'static str {
    if width < NARROW {
        p.short_title()
    } else {
        p.title()
    }
}

/// Tab labels are ` g title ` (g: a one-column state glyph) separated by `│`;
/// narrow, ` g title` (all nine fit in 80 columns).
pub fn tab_width(p: Pane, width: u16) -> u16 {
    u16::try_from(tab_title(p, width).len()).unwrap_or(0) + if width < NARROW { 3 } else { 4 }
}

/// A tab's label at this width.
pub fn tab_label(glyph: &str, p: Pane, width: u16) -> String {
    if width < NARROW {
        format!(" {glyph} {}", tab_title(p, width))
    } else {
        format!(" {glyph} {} ", tab_title(p, width))
    }
}

/// The pane whose tab is at `column`.
pub fn tab_at(tabs: Rect, column: u16) -> Option<Pane> {
    let mut x = tabs.x;
    for p in Pane::ALL {
        let w = tab_width(p, tabs.width);
        if column >= x && column < x + w {
            return Some(p);
        }
        x += w + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_from_80x24_up() {
        for size in [(80, 24), (160, 48), (60, 12), (300, 90)] {
            let a = areas(size, 12);
            assert!(a.pane.height >= 3, "{size:?}: {a:?}");
            assert_eq!(a.status.y, size.1 - 1);
            assert!(a.hops.height >= 4, "{size:?}: {a:?}");
        }
        assert_eq!(areas((80, 24), 2).hops.height, 5);
    }

    #[test]
    fn offsets_and_tabs() {
        assert_eq!(hops_offset(0, 20, 5), 0);
        assert_eq!(hops_offset(7, 20, 5), 3);
        assert_eq!(hops_offset(19, 20, 5), 15);
        assert_eq!(hops_offset(3, 4, 5), 0);
        let t = Rect::new(0, 10, 120, 1);
        assert_eq!(tab_at(t, 0), Some(Pane::Received));
        assert_eq!(tab_at(t, tab_width(Pane::Received, 120) + 1), Some(Pane::Rdns));
        let narrow = Rect::new(0, 10, 80, 1);
        assert_eq!(tab_at(narrow, 79), None);
        assert_eq!(tab_at(narrow, 62), Some(Pane::Traceroute));
        assert_eq!(tab_at(narrow, 72), Some(Pane::Evidence));
        // All nine tabs fit in 80 columns.
        let total: u16 = Pane::ALL.iter().map(|&p| tab_width(p, 80) + 1).sum::<u16>() - 1;
        assert!(total <= 80, "{total}");
    }
}

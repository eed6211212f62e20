//! `f`: the status chips with their counts (from `status_counts`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::store::lists::StatusFilter;
use crate::tui::app::{App, Chip};
use crate::tui::widgets::text::{fit, thousands};

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, chips: &[Chip], selected: usize) {
    let t = &app.theme;
    let h = (chips.len() as u16 + 2).min(area.height);
    let popup = super::centered(area, 40, h);
    let rows = popup.height.saturating_sub(2) as usize;
    let start = selected.saturating_sub(rows.saturating_sub(1));
    let current = app.list(app.tab).and_then(|l| l.query.status.clone());
    let lines = chips
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, c)| {
            let mark = if i == selected { "▶" } else { " " };
            let on = if StatusFilter::same_chip(c.status.as_ref(), current.as_ref()) {
                "●"
            } else {
                " "
            };
            let text = format!("{mark}{on} {} {:>10}", fit(&c.label, 22, false), thousands(c.n));
            let style = if i == selected { t.cursor } else { t.base };
            Line::from(Span::styled(text, style))
        })
        .collect();
    super::popup(f, popup, "status — enter applies", lines, t);
}

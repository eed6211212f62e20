//! `:`: type to filter actions by name or description; Enter runs one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::update::palette_matches;
use crate::tui::widgets::text::{fit, truncate};

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, input: &str, selected: usize) {
    let t = &app.theme;
    let popup = super::centered(area, 72, area.height.saturating_sub(4).min(20));
    let inner_w = popup.width.saturating_sub(2) as usize;
    let rows = popup.height.saturating_sub(3) as usize;
    let matches = palette_matches(input);
    // The keys each action has where the palette was opened.
    let stack = app.screen_stack();
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", t.hint_key),
        Span::raw(truncate(input, inner_w.saturating_sub(4))),
        Span::styled("█", t.hint_key),
    ])];
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("  no action matches", t.dim)));
    }
    let start = selected.saturating_sub(rows.saturating_sub(1));
    for (i, a) in matches.iter().enumerate().skip(start).take(rows) {
        let keys = app.keymap.key_for(&stack, *a).unwrap_or_default();
        let mark = if i == selected { "▶ " } else { "  " };
        let style = if i == selected { t.cursor } else { t.base };
        let text = format!(
            "{mark}{} {} {}",
            fit(a.name(), 16, false),
            fit(&keys, 10, false),
            a.description()
        );
        lines.push(Line::from(Span::styled(fit(&text, inner_w, false), style)));
    }
    super::popup(f, popup, "command palette — enter runs, esc closes", lines, t);
}

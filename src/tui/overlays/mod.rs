//! Overlays drawn over the screen: help, palette, status picker, confirm.
//! (The text filter prompt lives in the filter bar: `view::filter_bar`.)

pub mod form;
pub mod help;
pub mod menu;
pub mod notices;
pub mod palette;
pub mod picker;
pub mod settlement;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;

/// A rectangle of at most `w`x`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A bordered popup with a title and lines.
pub fn popup(f: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'static>>, theme: &Theme) {
    if area.width < 3 || area.height < 3 {
        return;
    }
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .title_style(theme.title)
        .style(theme.popup);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn confirm(f: &mut Frame<'_>, area: Rect, prompt: &str, keys: &str, theme: &Theme) {
    let w = (super::widgets::text::width(prompt) as u16 + 4).clamp(30, area.width.max(1));
    // A long prompt (a CJK name at 80 columns) wraps rather than being cut.
    let mut lines: Vec<Line<'static>> =
        super::widgets::text::wrap(prompt, w.saturating_sub(4).max(10) as usize)
            .into_iter()
            .map(|l| Line::from(format!(" {l}")))
            .collect();
    let h = lines.len() as u16 + 4;
    lines.push(Line::default());
    lines.push(Line::from(format!(" {keys}")));
    popup(f, centered(area, w, h), "confirm", lines, theme);
}

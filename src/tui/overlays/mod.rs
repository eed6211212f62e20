//! Overlays drawn over the screen: help, palette, status picker, confirm.
//! (The text filter prompt lives in the filter bar: `view::filter_bar`.)

pub mod form;
pub mod help;
pub mod menu;
pub mod notices;
pub mod palette;
pub mod picker;
pub mod report;
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
    cut_wide_glyphs_at_left_edge(f, area);
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .title_style(theme.title)
        .style(theme.popup);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// A wide glyph (CJK) just left of the popup spills into its first column,
/// and the buffer diff skips the cell it covers: the border there is never
/// written. The glyph's visible half would be cut anyway, so it becomes a
/// space.
fn cut_wide_glyphs_at_left_edge(f: &mut Frame<'_>, area: Rect) {
    let Some(x) = area.x.checked_sub(1) else {
        return;
    };
    let buf = f.buffer_mut();
    for y in area.top()..area.bottom() {
        if let Some(cell) = buf.cell_mut((x, y))
            && super::widgets::text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn cjk_rows(f: &mut Frame<'_>) {
        let rows: Vec<Line<'static>> = (0..10).map(|_| Line::from("蓝牙耳机".repeat(10))).collect();
        f.render_widget(Paragraph::new(rows), f.area());
    }

    #[test]
    fn a_popup_over_wide_glyphs_keeps_its_left_border() {
        let mut term = Terminal::new(TestBackend::new(40, 10)).unwrap();
        term.draw(cjk_rows).unwrap();
        // x = 5 falls on the second half of a two-cell glyph on every row.
        let area = Rect::new(5, 2, 12, 5);
        term.draw(|f| {
            cjk_rows(f);
            popup(f, area, "t", vec![Line::from("x")], &Theme::mono());
        })
        .unwrap();
        let buf = term.backend().buffer();
        for y in 3..6 {
            assert_eq!(buf[(5, y)].symbol(), "│", "row {y}");
            assert_eq!(buf[(4, y)].symbol(), " ", "row {y}");
        }
    }
}

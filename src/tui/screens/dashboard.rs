//! The Dashboard tab: not built yet, and it says so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Screen;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;

/// The Dashboard: not a list.
pub struct Dashboard;

impl Screen for Dashboard {
    fn title(&self) -> &'static str {
        "Dashboard"
    }

    fn context(&self) -> Context {
        Context::Dashboard
    }

    fn entity(&self) -> &'static str {
        "dashboard"
    }

    fn is_list(&self) -> bool {
        false
    }

    fn render(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        render(f, area, theme)
    }
}

fn render(f: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let lines = vec![
        Line::from(Span::styled("Dashboard — coming soon", theme.title)),
        Line::default(),
        Line::from("KPI tiles, the daily orders/GMV chart, rankings and alerts are not built yet."),
        Line::from("The numbers are: run `shopdesk kpi` (a report) or `shopdesk kpi --json`."),
        Line::default(),
        Line::from("Meanwhile: overdue reviews are on Merchants (f → submitted, sorted by review due),"),
        Line::from("late shipments show LATE on Orders, low stock shows LOW on Products."),
    ];
    let block = Block::default().borders(Borders::ALL).border_style(theme.dim);
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }),
        area,
    );
}

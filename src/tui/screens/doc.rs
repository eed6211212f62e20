//! A small builder for detail views: sections, label/value fields, aligned
//! sub-tables and wrapped paragraphs, all measured by display width.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, one_line, wrap};

pub struct Doc<'t> {
    pub lines: Vec<Line<'static>>,
    pub width: usize,
    theme: &'t Theme,
}

const LABEL: usize = 16;

impl<'t> Doc<'t> {
    pub fn new(width: u16, theme: &'t Theme) -> Doc<'t> {
        Doc {
            lines: Vec::new(),
            width: width.max(1) as usize,
            theme,
        }
    }

    pub fn title(&mut self, text: &str) {
        self.lines
            .push(Line::from(Span::styled(one_line(text), self.theme.title)));
    }

    pub fn section(&mut self, name: &str) {
        self.lines.push(Line::default());
        self.lines
            .push(Line::from(Span::styled(one_line(name), self.theme.header)));
    }

    pub fn field(&mut self, label: &str, value: impl AsRef<str>) {
        self.field_styled(label, value, self.theme.base);
    }

    pub fn field_styled(&mut self, label: &str, value: impl AsRef<str>, style: Style) {
        let value = one_line(value.as_ref());
        let room = self.width.saturating_sub(LABEL + 2).max(1);
        for (i, part) in wrap(&value, room).into_iter().enumerate() {
            let l = if i == 0 {
                fit(label, LABEL, false)
            } else {
                " ".repeat(LABEL)
            };
            self.lines.push(Line::from(vec![
                Span::styled(format!("  {l}"), self.theme.dim),
                Span::styled(part, style),
            ]));
        }
    }

    pub fn para(&mut self, text: &str) {
        for part in wrap(text, self.width.saturating_sub(2).max(1)) {
            self.lines.push(Line::from(format!("  {part}")));
        }
    }

    pub fn note(&mut self, text: &str) {
        self.lines.push(Line::from(Span::styled(
            format!("  {}", one_line(text)),
            self.theme.dim,
        )));
    }

    /// An aligned table: `cols` are (title, width, right-aligned); the last
    /// column takes what is left.
    pub fn table(&mut self, cols: &[(&str, usize, bool)], rows: Vec<Vec<String>>) {
        let fixed: usize = cols
            .iter()
            .take(cols.len().saturating_sub(1))
            .map(|c| c.1 + 1)
            .sum();
        let last = self.width.saturating_sub(fixed + 2).max(4);
        let widths: Vec<usize> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == cols.len() {
                    last.max(c.1.min(last))
                } else {
                    c.1
                }
            })
            .collect();
        let render = |cells: Vec<String>| -> String {
            let parts: Vec<String> = cells
                .iter()
                .zip(cols.iter().zip(&widths))
                .map(|(t, (c, w))| fit(&one_line(t), *w, c.2))
                .collect();
            format!("  {}", parts.join(" ")).trim_end().to_string()
        };
        self.lines.push(Line::from(Span::styled(
            render(cols.iter().map(|c| c.0.to_string()).collect()),
            self.theme.dim,
        )));
        if rows.is_empty() {
            self.note("(none)");
        }
        for r in rows {
            self.lines.push(Line::from(render(r)));
        }
    }
}

//! The one list widget: a window of rows read by keyset pagination, a cursor,
//! a selection, columns sized by display width, and the "41–80 of 1,000,000"
//! label. Only the visible page is ever held.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{fit, thousands, width};
use crate::store::lists::{Count, Cursor, Query};
use crate::tui::theme::Theme;

/// How a column is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    /// Right-aligned (money, counts).
    pub right: bool,
    /// Free text that takes the spare width (up to its content) and is the
    /// first to shrink when space is short.
    pub grow: bool,
    /// Carries meaning without colour (status): shrunk last, after every
    /// other column is at its minimum.
    pub keep: bool,
    /// Dropped when the row does not fit even with free text at its minimum
    /// (the information is elsewhere, e.g. the channel in the external id).
    pub optional: bool,
    /// Header used when the column is narrower than `title`.
    pub short: Option<&'static str>,
}

impl Column {
    pub const fn new(title: &'static str, min: u16, max: u16) -> Column {
        Column {
            title,
            min,
            max,
            right: false,
            grow: false,
            keep: false,
            optional: false,
            short: None,
        }
    }

    pub const fn keep(mut self) -> Column {
        self.keep = true;
        self
    }

    pub const fn optional(mut self) -> Column {
        self.optional = true;
        self
    }

    pub const fn short(mut self, title: &'static str) -> Column {
        self.short = Some(title);
        self
    }

    /// The header for a column `w` wide.
    pub fn header(&self, w: u16) -> &'static str {
        match self.short {
            Some(s) if width(self.title) > w as usize => s,
            _ => self.title,
        }
    }

    pub const fn right(mut self) -> Column {
        self.right = true;
        self
    }

    pub const fn grow(mut self) -> Column {
        self.grow = true;
        self
    }
}

/// How a cell is emphasised. Every tone also carries words ("OVERDUE",
/// "LOW"), so it never depends on colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Normal,
    Dim,
    Warn,
    Bad,
    Good,
}

impl Tone {
    pub fn style(self, t: &Theme) -> Style {
        match self {
            Tone::Normal => t.base,
            Tone::Dim => t.dim,
            Tone::Warn => t.warn,
            Tone::Bad => t.error,
            Tone::Good => t.good,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: super::text::one_line(&text.into()),
            tone: Tone::Normal,
        }
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }
}

/// One row on screen: its id, its place in the order, its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub id: i64,
    /// The row's version when read, where the screen acts on rows from the
    /// list (Orders); a change since then is a conflict.
    pub version: Option<i64>,
    pub cursor: Cursor,
    pub cells: Vec<Cell>,
}

/// The state of one list screen.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub query: Query,
    /// The visible window, in list order.
    pub rows: Vec<TableRow>,
    /// Index of the cursor within `rows`.
    pub cursor: usize,
    /// Position of `rows[0]` in the whole filtered list, when known.
    pub offset: Option<u64>,
    pub count: Count,
    /// Selected rows: id → the version the row showed.
    pub selected: BTreeMap<i64, Option<i64>>,
    /// Rows that fit on screen.
    pub page_size: usize,
    pub loaded: bool,
    /// Another session wrote while this list was not visible.
    pub stale: bool,
    /// A text filter is being resolved in the background.
    pub searching: bool,
}

impl ListView {
    pub fn current(&self) -> Option<&TableRow> {
        self.rows.get(self.cursor)
    }

    pub fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// "41–80 of 1,000,000", "1–40 of 1,000+", "no rows", "nothing matches".
    pub fn label(&self) -> String {
        if self.searching {
            return "searching…".to_string();
        }
        if self.rows.is_empty() {
            return if self.query.text().is_some() || self.query.status.is_some() {
                "nothing matches".to_string()
            } else {
                "no rows".to_string()
            };
        }
        let len = self.rows.len() as u64;
        let total = |end: u64| -> String {
            if self.count.capped {
                format!("{}+", thousands(self.count.n.max(end)))
            } else {
                thousands(self.count.n.max(end))
            }
        };
        match self.offset {
            Some(o) => format!(
                "{}–{} of {}",
                thousands(o + 1),
                thousands(o + len),
                total(o + len)
            ),
            None => format!("last {} of {}", thousands(len), total(len)),
        }
    }
}

/// Column widths for `area_width`: content width clamped to [min, max];
/// when that is too wide, in order: free-text (`grow`) columns shrink to
/// their minimum, `optional` columns are dropped (rightmost first), other
/// columns shrink (the one with most room first), `keep` columns (status)
/// shrink, and finally columns are dropped from the right (width 0).
/// Spare width goes to the growing column up to its content width, then
/// to columns cut below their content.
pub fn layout(cols: &[Column], rows: &[TableRow], area_width: u16) -> Vec<u16> {
    let content: Vec<u16> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let content = rows
                .iter()
                .filter_map(|r| r.cells.get(i))
                .map(|cell| width(&cell.text))
                .max()
                .unwrap_or(0)
                .max(width(c.title));
            content.min(u16::MAX as usize) as u16
        })
        .collect();
    let mut w: Vec<u16> = cols
        .iter()
        .zip(&content)
        .map(|(c, n)| (*n).clamp(c.min, c.max.max(c.min)))
        .collect();
    let avail = area_width.saturating_sub(MARK_WIDTH);
    let total = |w: &[u16]| -> u16 {
        let shown = w.iter().filter(|x| **x > 0).count() as u16;
        w.iter().sum::<u16>() + shown.saturating_sub(1)
    };
    // Shrink the columns `pick` allows, the one with most room first.
    let shrink = |w: &mut Vec<u16>, pick: &dyn Fn(&Column) -> bool| {
        while total(w) > avail {
            let best = (0..w.len())
                .filter(|&i| w[i] > cols[i].min && pick(&cols[i]))
                .max_by_key(|&i| w[i] - cols[i].min);
            match best {
                Some(i) => w[i] -= 1,
                None => break,
            }
        }
    };
    shrink(&mut w, &|c| c.grow);
    while total(&w) > avail {
        match (0..w.len()).rev().find(|&i| cols[i].optional && w[i] > 0) {
            Some(i) => w[i] = 0,
            None => break,
        }
    }
    shrink(&mut w, &|c| !c.keep);
    shrink(&mut w, &|_| true);
    while total(&w) > avail {
        match w.iter().rposition(|x| *x > 0) {
            Some(i) if i > 0 => w[i] = 0,
            Some(i) => {
                w[i] = avail;
                break;
            }
            None => break,
        }
    }
    let t = total(&w);
    if t < avail
        && let Some(i) = cols.iter().position(|c| c.grow)
        && w[i] > 0
    {
        let want = content[i].max(cols[i].max).max(w[i]);
        w[i] += (avail - t).min(want - w[i]);
    }
    // What is left goes to columns cut below their content (by `max`).
    for i in 0..w.len() {
        let t = total(&w);
        if t >= avail {
            break;
        }
        if w[i] > 0 && w[i] < content[i] {
            w[i] += (avail - t).min(content[i] - w[i]);
        }
    }
    w
}

/// Cursor mark and selection mark before each row.
const MARK_WIDTH: u16 = 2;

pub fn render(
    f: &mut Frame<'_>,
    area: Rect,
    cols: &[Column],
    view: &ListView,
    theme: &Theme,
    empty_text: &str,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let widths = layout(cols, &view.rows, area.width);
    let mut lines = Vec::with_capacity(area.height as usize);
    let mut header = vec![Span::styled(" ".repeat(MARK_WIDTH as usize), theme.header)];
    let mut first = true;
    for (c, w) in cols.iter().zip(&widths) {
        if *w == 0 {
            continue;
        }
        if !first {
            header.push(Span::styled(" ", theme.header));
        }
        first = false;
        header.push(Span::styled(
            fit(c.header(*w), *w as usize, c.right),
            theme.header,
        ));
    }
    lines.push(Line::from(header));
    if view.rows.is_empty() {
        let text = if view.searching {
            "searching…"
        } else {
            empty_text
        };
        lines.push(Line::from(Span::styled(format!("  {text}"), theme.dim)));
    }
    for (i, row) in view.rows.iter().enumerate() {
        let is_cursor = i == view.cursor;
        let is_sel = view.selected.contains_key(&row.id);
        let mark = format!(
            "{}{}",
            if is_cursor { "▶" } else { " " },
            if is_sel { "*" } else { " " }
        );
        let row_style = if is_cursor {
            theme.cursor
        } else if is_sel {
            theme.selected
        } else {
            theme.base
        };
        let mut spans = vec![Span::styled(mark, row_style)];
        let mut first = true;
        for ((c, w), cell) in cols.iter().zip(&widths).zip(row.cells.iter()) {
            if *w == 0 {
                continue;
            }
            if !first {
                spans.push(Span::styled(" ", row_style));
            }
            first = false;
            let style = if is_cursor || is_sel {
                row_style
            } else {
                cell.tone.style(theme)
            };
            spans.push(Span::styled(fit(&cell.text, *w as usize, c.right), style));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), area);
}

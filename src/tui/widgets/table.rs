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

/// How a column is laid out. Widths come from the terminal width and these
/// declarations alone, never from the rows on screen, so the header and every
/// column stay put while scrolling and between filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// The narrowest the column is ever shown (its cells' short form fits).
    pub min: u16,
    /// The width its cells' full form needs; given when there is room.
    pub ideal: u16,
    /// A wider form still, given on wide terminals after every column has
    /// its ideal width (e.g. a due time with its date).
    pub wide: u16,
    /// Higher is more important: the lowest is dropped first when the
    /// minimums do not fit, the highest widens first when there is room.
    pub priority: u8,
    /// Right-aligned (money, counts).
    pub right: bool,
    /// Free text: may widen part of the way, and takes what is left over
    /// (up to `wide`) once every column has its wide width.
    pub grow: bool,
    /// Header used when the column is narrower than `title`.
    pub short: Option<&'static str>,
}

impl Column {
    /// A column shown `min` to `ideal` wide, of middling priority.
    pub const fn new(title: &'static str, min: u16, ideal: u16) -> Column {
        let ideal = if ideal < min { min } else { ideal };
        Column {
            title,
            min,
            ideal,
            wide: ideal,
            priority: 50,
            right: false,
            grow: false,
            short: None,
        }
    }

    pub const fn priority(mut self, p: u8) -> Column {
        self.priority = p;
        self
    }

    /// Never dropped before the others (the row's key, its status).
    pub const fn keep(self) -> Column {
        self.priority(90)
    }

    /// Dropped first when space is short (the information is elsewhere).
    pub const fn optional(self) -> Column {
        self.priority(10)
    }

    pub const fn wide(mut self, w: u16) -> Column {
        self.wide = if w < self.ideal { self.ideal } else { w };
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
    /// The form that fits the column's minimum width ("11-22 13:23"); cut
    /// with `…` if even that is too wide.
    pub text: String,
    /// A fuller form shown when the column is wide enough for it
    /// ("2026-11-22 13:23", "on hold: risk review").
    pub long: Option<String>,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: super::text::one_line(&text.into()),
            long: None,
            tone: Tone::Normal,
        }
    }

    pub fn or_long(mut self, long: impl Into<String>) -> Cell {
        self.long = Some(super::text::one_line(&long.into()));
        self
    }

    /// The fullest form that fits `w` columns.
    pub fn text_for(&self, w: usize) -> &str {
        match &self.long {
            Some(l) if width(l) <= w => l,
            _ => &self.text,
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

/// Column widths for `area_width`, from the declarations alone (a dropped
/// column is 0 wide):
/// 1. while the minimums (and one space between columns) do not fit, the
///    column of lowest priority is dropped (the rightmost of equals);
/// 2. by priority, highest first, each column widens to its ideal width
///    where that fits whole (a free-text column takes what it can);
/// 3. the same again up to each column's wide width (free text waits);
/// 4. what is left goes to the free-text columns, up to their wide width.
pub fn layout(cols: &[Column], area_width: u16) -> Vec<u16> {
    let avail = area_width.saturating_sub(MARK_WIDTH);
    let mut w: Vec<u16> = cols.iter().map(|c| c.min).collect();
    let total = |w: &[u16]| -> u16 {
        let shown = w.iter().filter(|x| **x > 0).count() as u16;
        w.iter().fold(0u16, |a, x| a.saturating_add(*x)) + shown.saturating_sub(1)
    };
    while total(&w) > avail {
        let shown: Vec<usize> = (0..w.len()).filter(|&i| w[i] > 0).collect();
        if shown.len() <= 1 {
            if let Some(&i) = shown.first() {
                w[i] = avail;
            }
            break;
        }
        // Lowest priority; of equals, the rightmost.
        if let Some(&i) = shown
            .iter()
            .min_by_key(|&&i| (cols[i].priority, std::cmp::Reverse(i)))
        {
            w[i] = 0;
        }
    }
    let mut order: Vec<usize> = (0..cols.len()).filter(|&i| w[i] > 0).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(cols[i].priority), i));
    let targets: [fn(&Column) -> u16; 2] = [|c| c.ideal, |c| c.wide];
    for (pass, target) in targets.into_iter().enumerate() {
        for &i in &order {
            // Free text takes its wide width from what is left (step 4).
            if pass == 1 && cols[i].grow {
                continue;
            }
            let want = target(&cols[i]);
            if want <= w[i] {
                continue;
            }
            let spare = avail.saturating_sub(total(&w));
            if spare >= want - w[i] {
                w[i] = want;
            } else if cols[i].grow {
                w[i] += spare;
            }
        }
    }
    // What is left goes to the free-text columns, shared evenly.
    let grow: Vec<usize> = order.iter().copied().filter(|&i| cols[i].grow).collect();
    while !grow.is_empty() {
        let spare = avail.saturating_sub(total(&w));
        let open: Vec<usize> = grow.iter().copied().filter(|&i| w[i] < cols[i].wide).collect();
        if spare == 0 || open.is_empty() {
            break;
        }
        let share = (spare / open.len() as u16).max(1);
        for i in open {
            let spare = avail.saturating_sub(total(&w));
            w[i] += share.min(spare).min(cols[i].wide - w[i]);
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
    let widths = layout(cols, area.width);
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
            spans.push(Span::styled(
                fit(cell.text_for(*w as usize), *w as usize, c.right),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), area);
}

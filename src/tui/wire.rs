//! `Wire`: the terminal backend, written for slow links (SSH). It keeps a
//! copy of what the terminal shows and, for each frame ratatui hands it:
//! - scrolls a band of lines with a scroll region (DECSTBM + SU/SD) when the
//!   frame is the screen shifted by a few lines (a one-row scroll at the
//!   bottom of a list), so only the lines that really changed are written;
//! - writes the unchanged cells between two changes on a line when that is
//!   shorter than moving the cursor over them;
//! - never moves the cursor after a wide (CJK) character, and sets only the
//!   colour or attribute that changed.
//!
//! Its `io::Write` can be anything: the bytes benchmark counts them.

use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveTo, Show};
use crossterm::queue;
use crossterm::style::{
    Attribute, Color as CColor, Print, SetAttribute, SetBackgroundColor, SetForegroundColor,
};
use crossterm::terminal::{Clear, ClearType as CClear};
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// Cost of a cursor move in bytes, roughly (`ESC [ row ; col H`).
const MOVE_COST: usize = 8;
/// Fixed cost of a scroll: set the region, scroll, reset the region.
const SCROLL_COST: usize = 16;
/// Largest shift tried for a scroll region.
const MAX_SHIFT: usize = 3;

pub struct Wire<W: Write> {
    out: W,
    /// Fixed size (benchmarks, tests); else asked of the terminal.
    fixed: Option<Size>,
    /// What the terminal shows.
    screen: Buffer,
    /// Where the terminal's cursor is, when known.
    at: Option<(u16, u16)>,
    pen: Pen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const RESET: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(c: &Cell) -> Pen {
        Pen {
            fg: c.fg,
            bg: c.bg,
            modifier: c.modifier,
        }
    }
}

impl<W: Write> Wire<W> {
    /// A backend on the real terminal (size asked of it).
    pub fn new(out: W) -> Wire<W> {
        Wire::build(out, None)
    }

    /// A backend of a fixed size (off screen).
    pub fn fixed(out: W, width: u16, height: u16) -> Wire<W> {
        Wire::build(out, Some(Size { width, height }))
    }

    fn build(out: W, fixed: Option<Size>) -> Wire<W> {
        let size = fixed
            .or_else(|| {
                crossterm::terminal::size()
                    .ok()
                    .map(|(w, h)| Size { width: w, height: h })
            })
            .unwrap_or(Size {
                width: 80,
                height: 24,
            });
        Wire {
            out,
            fixed,
            screen: Buffer::empty(Rect::new(0, 0, size.width, size.height)),
            at: None,
            pen: Pen::RESET,
        }
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn set_pen(&mut self, to: Pen) -> io::Result<()> {
        if to == self.pen {
            return Ok(());
        }
        let removed = self.pen.modifier - to.modifier;
        let mut from = self.pen;
        if !removed.is_empty() {
            queue!(self.out, SetAttribute(Attribute::Reset))?;
            from = Pen::RESET;
        }
        for (m, a) in ATTRIBUTES {
            if to.modifier.contains(m) && !from.modifier.contains(m) {
                queue!(self.out, SetAttribute(a))?;
            }
        }
        if to.fg != from.fg {
            queue!(self.out, SetForegroundColor(color(to.fg)))?;
        }
        if to.bg != from.bg {
            queue!(self.out, SetBackgroundColor(color(to.bg)))?;
        }
        self.pen = to;
        Ok(())
    }

    fn move_to(&mut self, x: u16, y: u16) -> io::Result<()> {
        if self.at != Some((x, y)) {
            queue!(self.out, MoveTo(x, y))?;
            self.at = Some((x, y));
        }
        Ok(())
    }

    /// Fits the copy of the screen to the terminal's size (blank after a
    /// resize, as ratatui clears then).
    fn fit_screen(&mut self) {
        if let Ok(s) = self.size()
            && (s.width, s.height) != (self.screen.area.width, self.screen.area.height)
        {
            self.screen = Buffer::empty(Rect::new(0, 0, s.width, s.height));
        }
    }

    /// Scrolls lines `top..=bottom` by `k` (up when positive) and makes the
    /// copy of the screen follow.
    fn scroll(&mut self, top: u16, bottom: u16, k: i32) -> io::Result<()> {
        // Lines scrolled in are blank in the current background.
        self.set_pen(Pen::RESET)?;
        let n = k.unsigned_abs();
        write!(self.out, "\x1b[{};{}r", top + 1, bottom + 1)?;
        if k > 0 {
            write!(self.out, "\x1b[{n}S")?;
        } else {
            write!(self.out, "\x1b[{n}T")?;
        }
        write!(self.out, "\x1b[r")?;
        // Resetting the region homes the cursor.
        self.at = Some((0, 0));
        let w = self.screen.area.width as usize;
        let lines: Vec<Vec<Cell>> = (top..=bottom)
            .map(|y| {
                let s = y as usize * w;
                self.screen.content[s..s + w].to_vec()
            })
            .collect();
        let len = lines.len() as i32;
        for (i, y) in (top..=bottom).enumerate() {
            let from = i as i32 + k;
            let line = if (0..len).contains(&from) {
                lines[from as usize].clone()
            } else {
                vec![Cell::default(); w]
            };
            let s = y as usize * w;
            self.screen.content[s..s + w].clone_from_slice(&line);
        }
        Ok(())
    }

    /// Writes `next` over what the screen shows, line by line.
    fn paint(&mut self, next: &Buffer) -> io::Result<()> {
        let w = next.area.width as usize;
        for y in 0..next.area.height {
            let s = y as usize * w;
            let want = &next.content[s..s + w];
            let have = &self.screen.content[s..s + w];
            if want == have {
                continue;
            }
            let changed = changed_cells(have, want);
            let want = want.to_vec();
            self.paint_line(y, &want, &changed)?;
            self.screen.content[s..s + w].clone_from_slice(&want);
        }
        Ok(())
    }

    fn paint_line(&mut self, y: u16, want: &[Cell], changed: &[usize]) -> io::Result<()> {
        let starts = starts(want);
        let mut i = 0;
        while i < changed.len() {
            let x = changed[i];
            // Fill the gap from the cursor when that is shorter than a move.
            if let Some((cx, cy)) = self.at
                && cy == y
                && (cx as usize) < x
                && let Some(fill) = gap_cost(want, &starts, cx as usize, x, self.pen)
                && fill < MOVE_COST
            {
                let mut g = cx as usize;
                while g < x {
                    g += self.put(g as u16, y, &want[g])?;
                }
            }
            self.move_to(x as u16, y)?;
            let adv = self.put(x as u16, y, &want[x])?;
            let end = x + adv;
            while i < changed.len() && changed[i] < end {
                i += 1;
            }
        }
        Ok(())
    }

    /// Prints one cell at (x, y), the cursor being there; returns its width.
    fn put(&mut self, x: u16, y: u16, c: &Cell) -> io::Result<usize> {
        self.set_pen(Pen::of(c))?;
        let sym = c.symbol();
        let w = UnicodeWidthStr::width(sym).max(1);
        queue!(self.out, Print(sym))?;
        self.at = Some((x + w as u16, y));
        Ok(w)
    }

    /// The cheapest scroll that turns the screen towards `next`: lines
    /// `top..=bottom` shifted by `k`, if it saves bytes.
    fn best_scroll(&self, next: &Buffer) -> Option<(u16, u16, i32)> {
        let w = next.area.width as usize;
        let h = next.area.height as usize;
        fn line_of(b: &Buffer, w: usize, y: usize) -> &[Cell] {
            &b.content[y * w..(y + 1) * w]
        }
        let line = |b, y| line_of(b, w, y);
        let mut best: Option<(usize, (u16, u16, i32))> = None;
        for k in 1..=MAX_SHIFT.min(h.saturating_sub(1)) {
            for dir in [1i32, -1] {
                // The longest run of lines y with next[y] == screen[y + k*dir]
                // (and not already equal in place).
                let mut run: Option<(usize, usize)> = None;
                let mut start = None;
                for y in 0..h {
                    let from = y as i64 + (k as i64) * dir as i64;
                    let hit = (0..h as i64).contains(&from)
                        && line(next, y) == line(&self.screen, from as usize)
                        && line(next, y) != line(&self.screen, y);
                    match (hit, start) {
                        (true, None) => start = Some(y),
                        (false, Some(s)) => {
                            if run.is_none_or(|(a, b)| y - s > b + 1 - a) {
                                run = Some((s, y - 1));
                            }
                            start = None;
                        }
                        _ => {}
                    }
                }
                if let Some(s) = start
                    && run.is_none_or(|(a, b)| h - s > b + 1 - a)
                {
                    run = Some((s, h - 1));
                }
                let Some((a, b)) = run else { continue };
                if b + 1 - a < 2 {
                    continue;
                }
                let saved: usize = (a..=b)
                    .map(|y| line_cost(line(&self.screen, y), line(next, y)))
                    .sum();
                // The lines scrolled in are blank and must be written.
                let (top, bottom) = if dir > 0 { (a, b + k) } else { (a - k, b) };
                let blank = vec![Cell::default(); w];
                let fresh: std::ops::Range<usize> = if dir > 0 { b + 1..b + k + 1 } else { a - k..a };
                let extra: usize = fresh
                    .map(|y| {
                        line_cost(&blank, line(next, y))
                            .saturating_sub(line_cost(line(&self.screen, y), line(next, y)))
                    })
                    .sum();
                let gain = saved.saturating_sub(extra + SCROLL_COST);
                if gain > 0 && best.is_none_or(|(g, _)| gain > g) {
                    best = Some((gain, (top as u16, bottom as u16, k as i32 * dir)));
                }
            }
        }
        best.map(|(_, s)| s)
    }
}

const ATTRIBUTES: [(Modifier, Attribute); 9] = [
    (Modifier::BOLD, Attribute::Bold),
    (Modifier::DIM, Attribute::Dim),
    (Modifier::ITALIC, Attribute::Italic),
    (Modifier::UNDERLINED, Attribute::Underlined),
    (Modifier::SLOW_BLINK, Attribute::SlowBlink),
    (Modifier::RAPID_BLINK, Attribute::RapidBlink),
    (Modifier::REVERSED, Attribute::Reverse),
    (Modifier::HIDDEN, Attribute::Hidden),
    (Modifier::CROSSED_OUT, Attribute::CrossedOut),
];

fn color(c: Color) -> CColor {
    match c {
        Color::Reset => CColor::Reset,
        Color::Black => CColor::Black,
        Color::Red => CColor::DarkRed,
        Color::Green => CColor::DarkGreen,
        Color::Yellow => CColor::DarkYellow,
        Color::Blue => CColor::DarkBlue,
        Color::Magenta => CColor::DarkMagenta,
        Color::Cyan => CColor::DarkCyan,
        Color::Gray => CColor::Grey,
        Color::DarkGray => CColor::DarkGrey,
        Color::LightRed => CColor::Red,
        Color::LightGreen => CColor::Green,
        Color::LightBlue => CColor::Blue,
        Color::LightYellow => CColor::Yellow,
        Color::LightMagenta => CColor::Magenta,
        Color::LightCyan => CColor::Cyan,
        Color::White => CColor::White,
        Color::Indexed(i) => CColor::AnsiValue(i),
        Color::Rgb(r, g, b) => CColor::Rgb { r, g, b },
    }
}

/// For each column of a line, whether a character starts there (false under
/// the right half of a wide character).
fn starts(line: &[Cell]) -> Vec<bool> {
    let mut out = vec![false; line.len()];
    let mut x = 0;
    while x < line.len() {
        out[x] = true;
        x += UnicodeWidthStr::width(line[x].symbol()).max(1);
    }
    out
}

/// Blanks the cells under the right half of wide characters: ratatui does
/// not send them, so what they hold is stale and would make equal lines
/// look different.
fn canonical(b: &mut Buffer) {
    let w = b.area.width as usize;
    for line in b.content.chunks_mut(w.max(1)) {
        let mut x = 0;
        while x < line.len() {
            let n = UnicodeWidthStr::width(line[x].symbol()).max(1);
            for c in line.iter_mut().take((x + n).min(w)).skip(x + 1) {
                *c = Cell::default();
            }
            x += n;
        }
    }
}

/// The columns to write to turn `have` into `want`: where a character of
/// `want` starts and differs, or overwrites part of a wide one.
fn changed_cells(have: &[Cell], want: &[Cell]) -> Vec<usize> {
    let ws = starts(want);
    let hs = starts(have);
    let mut out = Vec::new();
    let mut x = 0;
    while x < want.len() {
        let w = UnicodeWidthStr::width(want[x].symbol()).max(1);
        let end = (x + w).min(want.len());
        // Differs if the cell differs, or the old line's characters do not
        // line up with this one (a wide character half overwritten).
        let same = want[x] == have[x]
            && hs[x] == ws[x]
            && (x + 1..end).all(|i| !hs[i])
            && (end >= have.len() || hs[end]);
        if !same {
            out.push(x);
        }
        x = end;
    }
    out
}

/// Bytes to write cells `from..to` of `want` as they are (a gap between
/// changes), or None when the gap cannot be written cell for cell (it
/// starts inside a wide character or needs another pen).
fn gap_cost(want: &[Cell], starts: &[bool], from: usize, to: usize, pen: Pen) -> Option<usize> {
    if !starts[from] {
        return None;
    }
    let mut n = 0;
    let mut x = from;
    while x < to {
        if Pen::of(&want[x]) != pen {
            return None;
        }
        n += want[x].symbol().len();
        x += UnicodeWidthStr::width(want[x].symbol()).max(1);
    }
    (x == to).then_some(n)
}

/// Rough bytes to turn one line into another: the changed characters plus a
/// move for each run of them.
fn line_cost(have: &[Cell], want: &[Cell]) -> usize {
    if have == want {
        return 0;
    }
    let changed = changed_cells(have, want);
    let mut cost = 0;
    let mut last: Option<usize> = None;
    for &x in &changed {
        if last.is_none_or(|l| x > l + 1 + 3) {
            cost += MOVE_COST;
        }
        cost += want[x].symbol().len();
        last = Some(x + UnicodeWidthStr::width(want[x].symbol()).max(1) - 1);
    }
    cost
}

impl<W: Write> Backend for Wire<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.fit_screen();
        // The next frame: the screen with ratatui's changes on it.
        let mut next = self.screen.clone();
        let area = next.area;
        let mut any = false;
        for (x, y, cell) in content {
            if x < area.width && y < area.height {
                next[(x, y)] = cell.clone();
                any = true;
            }
        }
        if !any {
            return Ok(());
        }
        canonical(&mut next);
        if let Some((top, bottom, k)) = self.best_scroll(&next) {
            self.scroll(top, bottom, k)?;
        }
        self.paint(&next)?;
        // Leave the terminal's pen plain for anything written after us.
        self.set_pen(Pen::RESET)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        queue!(self.out, Hide)
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        queue!(self.out, Show)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        if self.fixed.is_some() {
            let (x, y) = self.at.unwrap_or((0, 0));
            return Ok(Position { x, y });
        }
        crossterm::cursor::position().map(|(x, y)| Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.at = None;
        self.move_to(p.x, p.y)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.set_pen(Pen::RESET)?;
        queue!(self.out, Clear(CClear::All))?;
        self.fit_screen();
        self.screen.reset();
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.set_pen(Pen::RESET)?;
        let t = match clear_type {
            ClearType::All => CClear::All,
            ClearType::AfterCursor => CClear::FromCursorDown,
            ClearType::BeforeCursor => CClear::FromCursorUp,
            ClearType::CurrentLine => CClear::CurrentLine,
            ClearType::UntilNewLine => CClear::UntilNewLine,
        };
        queue!(self.out, Clear(t))?;
        // Only a full clear is tracked; anything else forgets the screen so
        // the next frame is written whole.
        self.screen.reset();
        if t != CClear::All {
            for c in self.screen.content.iter_mut() {
                c.set_symbol("\u{0}");
            }
        }
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(s) => Ok(s),
            None => crossterm::terminal::size().map(|(width, height)| Size { width, height }),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let columns_rows = self.size()?;
        match crossterm::terminal::window_size() {
            Ok(w) if self.fixed.is_none() => Ok(WindowSize {
                columns_rows,
                pixels: Size {
                    width: w.width,
                    height: w.height,
                },
            }),
            _ => Ok(WindowSize {
                columns_rows,
                pixels: Size::default(),
            }),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;

    /// A terminal emulator small enough for tests would be a crate of its
    /// own; instead each frame is checked against ratatui's own diff: the
    /// copy of the screen after drawing equals the frame drawn.
    fn draw(t: &mut Terminal<Wire<Vec<u8>>>, lines: &[String]) -> Buffer {
        let mut shown = None;
        t.draw(|f| {
            let text: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
            f.render_widget(Paragraph::new(text), f.area());
            shown = Some(f.buffer_mut().clone());
        })
        .unwrap();
        shown.unwrap()
    }

    #[test]
    fn a_one_line_scroll_uses_a_scroll_region_and_stays_in_step() {
        let mut t = Terminal::new(Wire::fixed(Vec::new(), 40, 12)).unwrap();
        let rows: Vec<String> = (0..40)
            .map(|i| format!("row {i:>3} 蓝牙耳机 item {}", i * 7))
            .collect();
        let frame = draw(&mut t, &rows[0..12]);
        assert_eq!(t.backend().screen, frame);
        let before = t.backend().writer().len();
        let frame = draw(&mut t, &rows[1..13]);
        assert_eq!(t.backend().screen, frame);
        let bytes = &t.backend().writer()[before..];
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("\x1b[1;12r"), "{text:?}");
        // Only the new bottom line is written.
        assert!(bytes.len() < 80, "{} bytes: {text:?}", bytes.len());
        let frame = draw(&mut t, &rows[0..12]);
        assert_eq!(t.backend().screen, frame);
    }

    #[test]
    fn cjk_runs_are_written_without_a_move_per_character() {
        let mut t = Terminal::new(Wire::fixed(Vec::new(), 30, 2)).unwrap();
        draw(&mut t, &["a 一二三四五 b".to_string()]);
        let before = t.backend().writer().len();
        let frame = draw(&mut t, &["a 六七八九十 c".to_string()]);
        assert_eq!(t.backend().screen, frame);
        let text = String::from_utf8_lossy(&t.backend().writer()[before..]).to_string();
        assert_eq!(text.matches('H').count(), 1, "{text:?}");
    }
}

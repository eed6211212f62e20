//! `shopdesk bench --bytes`: the bytes a frame costs over a slow link. It
//! drives the real App with scripted keys (j, k, PgDn, PgUp, Tab, ...) on
//! every list screen (Merchants, Products, Orders, Tickets) at 80x24 and 120x40 and counts what the
//! backend writes for each key's frame: once through `Wire` (the backend the
//! TUI uses) and once through ratatui's plain `CrosstermBackend`, for
//! comparison. Both write into a counting `io::Write`; nothing reaches a
//! terminal.

use std::io::{self, Write};
use std::path::Path;
use std::rc::Rc;

use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::app::App;
use super::keymap::Keymap;
use super::screens::Tab;
use super::theme::Theme;
use super::view;
use super::wire::Wire;
use crate::ops::Session;
use crate::{Error, Result};

/// Counts the bytes written through it (clones share the count).
#[derive(Debug, Default, Clone)]
pub struct Counter(Rc<std::cell::Cell<u64>>);

impl Counter {
    pub fn bytes(&self) -> u64 {
        self.0.get()
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.set(self.0.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Targets from issue 10: a one-row scroll at 120x40 and at 80x24.
pub const TARGETS: [((u16, u16), u64); 2] = [((120, 40), 2048), ((80, 24), 1024)];

/// The two backends side by side, drawing the same frames.
struct Pair {
    wire: Terminal<Wire<Counter>>,
    wire_n: Counter,
    plain: Terminal<CrosstermBackend<Counter>>,
    plain_n: Counter,
}

fn term_err(e: impl std::fmt::Display) -> Error {
    Error::input(format!("terminal: {e}"))
}

impl Pair {
    fn new(w: u16, h: u16) -> Result<Pair> {
        let (wire_n, plain_n) = (Counter::default(), Counter::default());
        let wire = Terminal::new(Wire::fixed(wire_n.clone(), w, h)).map_err(term_err)?;
        let plain = Terminal::with_options(
            CrosstermBackend::new(plain_n.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )
        .map_err(term_err)?;
        Ok(Pair {
            wire,
            wire_n,
            plain,
            plain_n,
        })
    }

    /// Draws one frame on both; returns (wire bytes, plain bytes).
    fn draw(&mut self, app: &App) -> Result<(u64, u64)> {
        let (a, b) = (self.wire_n.bytes(), self.plain_n.bytes());
        self.wire.draw(|f| view::render(f, app)).map_err(term_err)?;
        self.plain.draw(|f| view::render(f, app)).map_err(term_err)?;
        self.wire.backend_mut().flush().map_err(term_err)?;
        Ok((self.wire_n.bytes() - a, self.plain_n.bytes() - b))
    }
}

/// Bytes per key for one action: samples from both backends.
#[derive(Debug, Clone)]
pub struct Figure {
    pub size: (u16, u16),
    pub tab: Tab,
    pub action: &'static str,
    pub wire: Vec<u64>,
    pub plain: Vec<u64>,
}

pub fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

pub fn max(v: &[u64]) -> u64 {
    v.iter().copied().max().unwrap_or(0)
}

struct Run<'a> {
    app: &'a mut App,
    pair: Pair,
    size: (u16, u16),
    out: Vec<Figure>,
}

impl Run<'_> {
    fn key(&mut self, keys: &str) -> Result<(u64, u64)> {
        self.app.press(keys);
        self.app.wait_jobs();
        self.pair.draw(self.app)
    }

    fn sample(&mut self, tab: Tab, action: &'static str, keys: &str, n: usize) -> Result<()> {
        let mut wire = Vec::with_capacity(n);
        let mut plain = Vec::with_capacity(n);
        for _ in 0..n {
            let (a, b) = self.key(keys)?;
            wire.push(a);
            plain.push(b);
        }
        self.out.push(Figure {
            size: self.size,
            tab,
            action,
            wire,
            plain,
        });
        Ok(())
    }

    fn screen(&mut self, tab: Tab, n: usize) -> Result<()> {
        self.key(&(tab.index() + 1).to_string())?;
        self.key("x")?;
        self.key("g g")?;
        let page = self.app.page_size().max(2);
        // Within the page: the cursor moves, nothing scrolls.
        self.sample(tab, "j (cursor within page)", "j", (page - 1).min(n))?;
        for _ in 0..page {
            self.key("j")?;
        }
        self.sample(tab, "j (one-row scroll)", "j", n)?;
        for _ in 0..page {
            self.key("k")?;
        }
        self.sample(tab, "k (one-row scroll)", "k", n.min(page))?;
        self.sample(tab, "PgDn", "pagedown", n)?;
        self.sample(tab, "PgUp", "pageup", n.min(4))?;
        self.key("g g")?;
        Ok(())
    }
}

/// Runs the scripts on `db` (as `login`, else the OS login) and returns the
/// figures.
pub fn measure(db: &Path, login: Option<&str>, n: usize) -> Result<Vec<Figure>> {
    let mut out = Vec::new();
    for ((w, h), _) in TARGETS {
        let session = match login {
            Some(l) => Session::open_as(db, l)?,
            None => Session::open(db)?,
        };
        // The colour theme: what an SSH user sees, and the dearer to draw.
        let mut app = App::new(session, Keymap::defaults(), Vec::new(), Theme::new(false), None);
        app.start(w, h);
        let mut run = Run {
            app: &mut app,
            pair: Pair::new(w, h)?,
            size: (w, h),
            out: Vec::new(),
        };
        run.pair.draw(run.app)?;
        for tab in Tab::LISTS {
            run.screen(tab, n)?;
        }
        // Tab through the list screens.
        let first = Tab::LISTS[0];
        run.key(&(first.index() + 1).to_string())?;
        run.sample(first, "Tab (next screen)", "tab", 8)?;
        out.extend(run.out);
    }
    Ok(out)
}

/// The report `shopdesk bench --bytes` prints.
pub fn run(db: &Path, n: usize) -> Result<String> {
    let figures = measure(db, None, n.max(2))?;
    let mut s = format!(
        "shopdesk bench --bytes on {}: bytes written per key's frame\n\
         (wire = the TUI's backend; plain = ratatui's CrosstermBackend, for comparison)\n",
        db.display()
    );
    s.push_str(&format!(
        "{:<8} {:<10} {:<24} {:>5} {:>10} {:>9} {:>11} {:>10}\n",
        "size", "screen", "keys", "n", "wire p50", "wire max", "plain p50", "plain max"
    ));
    let mut verdicts = Vec::new();
    for f in &figures {
        s.push_str(&format!(
            "{:<8} {:<10} {:<24} {:>5} {:>10} {:>9} {:>11} {:>10}\n",
            format!("{}x{}", f.size.0, f.size.1),
            if f.action.starts_with("Tab") {
                "(all)"
            } else {
                f.tab.title()
            },
            f.action,
            f.wire.len(),
            median(&f.wire),
            max(&f.wire),
            median(&f.plain),
            max(&f.plain)
        ));
        if f.action == "j (one-row scroll)"
            && let Some((_, target)) = TARGETS.iter().find(|(sz, _)| *sz == f.size)
        {
            let worst = max(&f.wire);
            verdicts.push(format!(
                "{}x{} {:<9} one-row scroll: max {worst} B (target ≤ {target} B) {}",
                f.size.0,
                f.size.1,
                f.tab.title(),
                if worst <= *target { "ok" } else { "MISSED" }
            ));
        }
    }
    s.push('\n');
    for v in verdicts {
        s.push_str(&v);
        s.push('\n');
    }
    Ok(s)
}

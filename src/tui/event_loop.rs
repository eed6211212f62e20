//! The runtime loop: wait for input (or the once-a-second data_version poll),
//! drain every queued event, then draw once. No fixed-rate redraws: an idle
//! screen sends no bytes.

use std::time::{Duration, Instant};

use crossterm::event::{self, Event};
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::app::App;
use super::view;
use crate::{Error, Result};

/// How often other sessions' writes are looked for.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

fn io(e: impl std::fmt::Display) -> Error {
    Error::input(format!("terminal: {e}"))
}

/// Applies one terminal event; returns whether a redraw is needed.
pub fn handle_event(app: &mut App, ev: Event) -> bool {
    match ev {
        Event::Key(k) => app.handle_key(k),
        Event::Paste(s) => app.handle_paste(&s),
        Event::Resize(w, h) => {
            app.resize(w, h);
            true
        }
        Event::FocusGained => app.poll_external(),
        _ => false,
    }
}

pub fn run<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> Result<()>
where
    B::Error: std::fmt::Display,
{
    let mut dirty = true;
    let mut last_poll = Instant::now();
    // Test hook (docs/tui.md): panic after the first frame, to check that
    // the panic hook restores the terminal before the message is printed.
    let test_panic = std::env::var_os("SHOPDESK_TEST_PANIC").is_some_and(|v| v == "1");
    while !app.quit {
        if dirty {
            terminal.draw(|f| view::render(f, app)).map_err(io)?;
            dirty = false;
            if test_panic {
                panic!("SHOPDESK_TEST_PANIC=1: panicking after the first frame (test hook)");
            }
        }
        let wait = if app.has_jobs() {
            Duration::from_millis(5)
        } else {
            POLL_EVERY
        };
        let timeout = wait.saturating_sub(last_poll.elapsed());
        if event::poll(timeout).map_err(io)? {
            // Drain the burst: many keys, one frame.
            loop {
                dirty |= handle_event(app, event::read().map_err(io)?);
                if app.quit || !event::poll(Duration::ZERO).map_err(io)? {
                    break;
                }
            }
        }
        if last_poll.elapsed() >= wait {
            last_poll = Instant::now();
            dirty |= app.poll_external();
        }
    }
    Ok(())
}

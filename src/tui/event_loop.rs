//! The runtime loop: wait for input (or the once-a-second data_version poll),
//! drain every queued event, then draw once. No fixed-rate redraws: an idle
//! screen sends no bytes. Frames are written under `terminal::screen()`, so
//! the signal thread never restores the terminal in the middle of one.

use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};

use super::app::App;
use super::{terminal as term, view};
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

/// Ctrl-Z suspends, as it would in a cooked terminal: raw mode delivers it
/// as a key, so it is taken here, before the keymap.
fn is_ctrl_z(ev: &Event) -> bool {
    matches!(ev, Event::Key(k) if k.kind != KeyEventKind::Release
        && k.code == KeyCode::Char('z')
        && k.modifiers.contains(KeyModifiers::CONTROL))
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
        // After a stop the screen holds whatever the shell left: draw whole.
        if term::take_repaint() {
            let _screen = term::screen();
            // Not `Terminal::clear`: it asks the terminal where the cursor
            // is and fails when no answer comes. A blank screen and two blank
            // buffers make the next frame a whole one.
            terminal.backend_mut().clear_region(ClearType::All).map_err(io)?;
            terminal.swap_buffers();
            dirty = true;
        }
        if dirty {
            let screen = term::screen();
            if term::suspended() {
                // Stopped (SIGTSTP): the frame waits for SIGCONT's repaint.
                drop(screen);
            } else {
                terminal.draw(|f| view::render(f, app)).map_err(io)?;
                drop(screen);
                dirty = false;
            }
            if test_panic && !dirty {
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
                let ev = event::read().map_err(io)?;
                if is_ctrl_z(&ev) {
                    term::suspend();
                } else {
                    dirty |= handle_event(app, ev);
                }
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

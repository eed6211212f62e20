//! The terminal UI, in the Elm shape: the keymap turns keys into actions
//! (`keymap`, `action`), `update` changes the state in `app` and returns
//! effects, `runtime` executes them against `store::lists`, `view` draws.

pub mod action;
pub mod app;
pub mod bench;
pub mod bytes;
pub mod editor;
pub mod event_loop;
pub mod export;
pub mod fmt;
pub mod keymap;
pub mod overlays;
pub mod runtime;
pub mod screens;
pub mod search;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod verbs;
pub mod view;
pub mod widgets;
pub mod wire;
pub(crate) mod writer;

use crate::ops::Session;
use crate::{Error, Result};

pub struct Options {
    pub monochrome: bool,
}

/// Opens the TUI on `session` until the person quits.
pub fn run(session: Session, opts: Options) -> Result<()> {
    let (keymap, notes) = keymap::load_effective();
    for n in &notes {
        tracing::warn!("{n}");
    }
    let theme = theme::Theme::new(opts.monochrome);
    let mut app = app::App::new(session, keymap, notes, theme, None);
    app.background_search = true;
    app.start_writer();
    let (w, h) = crossterm::terminal::size().map_err(|e| Error::input(format!("terminal: {e}")))?;
    app.start(w, h);
    let mut guard = terminal::Guard::enter(false)?;
    let result = event_loop::run(&mut guard.terminal, &mut app);
    drop(guard);
    result
}

//! The terminal guard: raw mode, alternate screen, bracketed paste (and mouse
//! only when asked) are enabled together and restored together on drop, on
//! error, and from a panic hook installed before anything is changed.

use std::io::{Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::{Error, Result};

static MOUSE: AtomicBool = AtomicBool::new(false);
/// The terminal is in our modes. Restoring twice is not harmless: a second
/// "leave alternate screen" moves the cursor back to where the first "enter"
/// saved it (tmux, xterm), over the panic message just printed.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: std::sync::Once = std::sync::Once::new();

/// Puts the terminal back; only the first call after `Guard::enter` acts.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal before the default hook prints the panic message.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Guard {
    pub fn enter(mouse: bool) -> Result<Guard> {
        install_panic_hook();
        let io = |e: std::io::Error| Error::input(format!("terminal: {e}"));
        ACTIVE.store(true, Ordering::SeqCst);
        if let Err(e) = enable_raw_mode() {
            ACTIVE.store(false, Ordering::SeqCst);
            return Err(io(e));
        }
        let mut out = stdout();
        let entered = execute!(out, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide);
        if let Err(e) = entered {
            restore();
            return Err(io(e));
        }
        if mouse {
            MOUSE.store(true, Ordering::SeqCst);
            if let Err(e) = execute!(out, EnableMouseCapture) {
                restore();
                return Err(io(e));
            }
        }
        match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(terminal) => Ok(Guard { terminal }),
            Err(e) => {
                restore();
                Err(io(e))
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

//! The terminal guard: raw mode, alternate screen, bracketed paste (and mouse
//! only when asked) are enabled together and restored together on drop, on
//! error, from a panic hook installed before anything is changed, and from a
//! signal thread (SPEC §8):
//!
//! - SIGTERM, SIGHUP, SIGINT, SIGQUIT: restore, then die of the same signal
//!   (its default action), so the parent sees the conventional status.
//! - SIGTSTP (or Ctrl-Z, which raw mode delivers as a key): restore, stop;
//!   on SIGCONT (`fg`) enter the modes again and repaint the whole screen.
//!
//! The signal thread and the frames take [`screen`] in turn, so a restore
//! never lands in the middle of a frame and no frame follows it.

use std::io::{self, Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGWINCH};
use signal_hook::iterator::Signals;
use signal_hook::low_level;

use crate::{Error, Result};

static MOUSE: AtomicBool = AtomicBool::new(false);
/// The terminal is in our modes. Restoring twice is not harmless: a second
/// "leave alternate screen" moves the cursor back to where the first "enter"
/// saved it (tmux, xterm), over the panic message just printed.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Left for SIGTSTP; SIGCONT enters the modes again.
static SUSPENDED: AtomicBool = AtomicBool::new(false);
/// The screen may hold anything (we were stopped): the next frame must be
/// drawn whole.
static REPAINT: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();
static WATCH: Once = Once::new();
static SCREEN: Mutex<()> = Mutex::new(());

/// Held while a frame is written and while the signal thread changes the
/// terminal's modes.
pub fn screen() -> MutexGuard<'static, ()> {
    SCREEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the screen must be cleared and drawn whole (after a resume);
/// reading it clears it.
pub fn take_repaint() -> bool {
    REPAINT.swap(false, Ordering::SeqCst)
}

/// Stopped for SIGTSTP: no frame may be written until SIGCONT has put our
/// modes back (checked under [`screen`]).
pub fn suspended() -> bool {
    SUSPENDED.load(Ordering::SeqCst)
}

/// Ctrl-Z: raw mode turns off the terminal's own, so the key asks for the
/// stop the terminal would have sent. The signal thread does the rest.
pub fn suspend() {
    let _ = low_level::raise(SIGTSTP);
}

/// Runs `f` with the terminal as the shell had it (an editor, a pager), then
/// takes raw mode and the alternate screen back and asks for a whole
/// repaint. Without an active TUI (tests, the CLI) it just runs `f`.
pub fn outside<T>(f: impl FnOnce() -> T) -> T {
    let was_active = {
        let _screen = screen();
        let active = ACTIVE.load(Ordering::SeqCst);
        if active {
            restore();
        }
        active
    };
    let out = f();
    if was_active {
        let _screen = screen();
        ACTIVE.store(true, Ordering::SeqCst);
        if enter_modes().is_err() {
            restore();
        }
        REPAINT.store(true, Ordering::SeqCst);
    }
    out
}

/// Puts the terminal back; only the first call after `Guard::enter` acts.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Raw mode, alternate screen, bracketed paste, hidden cursor, and mouse if
/// it was asked for. The caller has set `ACTIVE`, so a failure is undone by
/// `restore`.
fn enter_modes() -> io::Result<()> {
    if let Err(e) = enable_raw_mode() {
        // Nothing changed yet: nothing to restore.
        ACTIVE.store(false, Ordering::SeqCst);
        return Err(e);
    }
    let mut out = stdout();
    execute!(out, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)?;
    if MOUSE.load(Ordering::SeqCst) {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
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

/// Starts the signal thread once; it lives as long as the process and acts
/// only while the guard is in force (else a signal has its default effect).
fn watch_signals() -> Result<()> {
    let mut result = Ok(());
    WATCH.call_once(|| {
        let signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT]);
        let spawned = signals.and_then(|mut signals| {
            std::thread::Builder::new().name("signals".into()).spawn(move || {
                for sig in signals.forever() {
                    on_signal(sig);
                }
            })
        });
        if let Err(e) = spawned {
            result = Err(Error::input(format!("terminal: cannot watch for signals: {e}")));
        }
    });
    result
}

fn on_signal(sig: i32) {
    let _screen = screen();
    match sig {
        SIGTSTP => {
            if ACTIVE.load(Ordering::SeqCst) {
                restore();
                SUSPENDED.store(true, Ordering::SeqCst);
            }
            // Stops the process here (SIGSTOP, which also works where the
            // terminal's SIGTSTP would be discarded); SIGCONT resumes it.
            let _ = low_level::emulate_default_handler(SIGTSTP);
        }
        SIGCONT => resume(),
        _ => {
            restore();
            // The default action of these is to terminate: this does not
            // return. Should it, the shell's convention is 128 + signal.
            let _ = low_level::emulate_default_handler(sig);
            std::process::exit(128 + sig);
        }
    }
}

/// Back from a stop: our modes again and a whole repaint. `bg` also sends
/// SIGCONT; in the background we wait for the `fg` that sends another.
fn resume() {
    if !in_foreground() {
        return;
    }
    if SUSPENDED.swap(false, Ordering::SeqCst) {
        ACTIVE.store(true, Ordering::SeqCst);
        if enter_modes().is_err() {
            restore();
            return;
        }
    } else if ACTIVE.load(Ordering::SeqCst) {
        // Stopped by SIGSTOP without our restore: the shell may have reset
        // the modes meanwhile. Both calls act: crossterm keeps our prior
        // (cooked) modes until the disable.
        let _ = disable_raw_mode();
        let _ = enable_raw_mode();
    } else {
        return;
    }
    REPAINT.store(true, Ordering::SeqCst);
    // The event loop waits in crossterm's poll, which wakes for SIGWINCH
    // (as a resize event) and then draws.
    let _ = low_level::raise(SIGWINCH);
}

fn in_foreground() -> bool {
    // SAFETY: plain queries on the standard output descriptor and our own
    // process group; no memory is passed.
    let (fg, own) = unsafe { (libc::tcgetpgrp(libc::STDOUT_FILENO), libc::getpgrp()) };
    fg < 0 || fg == own
}

pub struct Guard {
    pub terminal: Terminal<super::wire::Wire<Stdout>>,
}

impl Guard {
    pub fn enter(mouse: bool) -> Result<Guard> {
        install_panic_hook();
        watch_signals()?;
        let io = |e: std::io::Error| Error::input(format!("terminal: {e}"));
        let _screen = screen();
        MOUSE.store(mouse, Ordering::SeqCst);
        SUSPENDED.store(false, Ordering::SeqCst);
        ACTIVE.store(true, Ordering::SeqCst);
        if let Err(e) = enter_modes() {
            restore();
            return Err(io(e));
        }
        match Terminal::new(super::wire::Wire::new(stdout())) {
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
        let _screen = screen();
        SUSPENDED.store(false, Ordering::SeqCst);
        // ratatui shows the cursor again when the terminal drops, after our
        // restore; telling it now keeps `q` and a signal byte-for-byte alike.
        if ACTIVE.load(Ordering::SeqCst) {
            let _ = self.terminal.show_cursor();
        }
        restore();
    }
}

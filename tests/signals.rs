//! The terminal after a signal (issue 9, item 1; SPEC §8): the TUI runs under
//! a real pseudo-terminal, gets SIGTERM, SIGHUP, SIGINT or SIGQUIT, and must
//! leave the tty exactly as `q` does (the same termios as before it started,
//! the alternate screen left, the cursor shown) and die of that signal.
//! SIGTSTP (and Ctrl-Z) must give the shell a cooked terminal, and SIGCONT
//! must bring raw mode and the whole screen back.

mod cli_support;

use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for the TUI to react; a wait, not a speed requirement.
const PATIENCE: Duration = Duration::from_secs(30);
/// What `restore` writes last: bracketed paste off, main screen, cursor shown.
const RESTORED: &[u8] = b"\x1b[?2004l\x1b[?1049l\x1b[?25h";
const ENTERED: &[u8] = b"\x1b[?1049h";

struct Tui {
    master: OwnedFd,
    /// Kept open so the tty (and its modes) can be read after the child exits.
    slave: OwnedFd,
    pid: libc::pid_t,
    out: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    before: libc::termios,
}

/// Copies what the TUI writes into `out` until `stop` is set. A read that
/// was interrupted or found nothing is tried again; only EIO (every slave
/// descriptor closed) or end of file ends it early.
fn read_until_stopped(master: &OwnedFd, out: &Mutex<Vec<u8>>, stop: &AtomicBool) {
    let fd = master.as_raw_fd();
    let mut buf = [0u8; 8192];
    while !stop.load(Ordering::SeqCst) {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: poll and read on a descriptor this thread owns; the
        // buffer is ours.
        let n = unsafe {
            if libc::poll(&mut p, 1, 50) <= 0 {
                continue;
            }
            libc::read(fd, buf.as_mut_ptr().cast(), buf.len())
        };
        if n > 0 {
            out.lock().unwrap().extend_from_slice(&buf[..n as usize]);
            continue;
        }
        let again = n < 0
            && matches!(
                std::io::Error::last_os_error().raw_os_error(),
                Some(libc::EINTR | libc::EAGAIN)
            );
        if !again {
            break;
        }
    }
}

/// Keeps a descriptor out of every child: the tests run in parallel, and a
/// sibling test's TUI holding this pty's master or slave open keeps it
/// alive past its own test.
fn close_on_exec(fd: &OwnedFd) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFD);
        assert!(flags >= 0, "fcntl: {}", std::io::Error::last_os_error());
        assert_eq!(
            libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, flags | libc::FD_CLOEXEC),
            0
        );
    }
}

fn termios(fd: &OwnedFd) -> libc::termios {
    // SAFETY: tcgetattr fills the struct we own from a descriptor we hold.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(fd.as_raw_fd(), &mut t), 0, "tcgetattr");
        t
    }
}

fn modes(t: &libc::termios) -> (libc::tcflag_t, libc::tcflag_t, libc::tcflag_t, libc::tcflag_t) {
    (t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag)
}

fn is_raw(t: &libc::termios) -> bool {
    t.c_lflag & (libc::ICANON | libc::ECHO | libc::ISIG) == 0
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn shop(dir: &Path) -> String {
    cli_support::init(dir)
}

impl Tui {
    /// Starts `shopdesk --db DB` on a new pty, or says why it cannot.
    fn start(dir: &Path, db: &str) -> Option<Tui> {
        let (mut m, mut s) = (-1, -1);
        let ws = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into our ints; the name and
        // termios pointers may be null.
        let rc = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
        if rc != 0 {
            println!(
                "skipped: no pseudo-terminal available (openpty: {})",
                std::io::Error::last_os_error()
            );
            return None;
        }
        // SAFETY: both descriptors were just opened for us and are owned here.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        close_on_exec(&master);
        close_on_exec(&slave);
        let before = termios(&slave);
        let mut cmd = cli_support::command(dir, &["--db", db]);
        cmd.env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec: a new
        // session with the pty as its controlling terminal, and no core file
        // from SIGQUIT in the source tree.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let none = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &none);
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        let pid = child.id() as libc::pid_t;
        // Reaped with waitpid below (it must see stops too), not by `child`.
        drop(child);
        let out = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        // The reader owns its own descriptor of the master: were it to use
        // ours by number, a reader still running after this Tui is dropped
        // would read from whatever pty the next test opens under that
        // number, and steal its first frame.
        let mine = master.try_clone().unwrap();
        let (o, st) = (out.clone(), stop.clone());
        let reader = std::thread::spawn(move || read_until_stopped(&mine, &o, &st));
        Some(Tui {
            master,
            slave,
            pid,
            out,
            stop,
            reader: Some(reader),
            before,
        })
    }

    fn output(&self) -> Vec<u8> {
        self.out.lock().unwrap().clone()
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&Tui) -> bool) {
        let start = Instant::now();
        while !ok(self) {
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}; output so far:\n{:?}",
                String::from_utf8_lossy(&self.output())
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the first frame is up and the tty is raw.
    fn wait_running(&self, since: usize) {
        self.wait_for("the TUI's frame in raw mode", |t| {
            let out = t.output();
            let tail = &out[since.min(out.len())..];
            find(tail, ENTERED).is_some_and(|i| find(&tail[i..], "Merchants".as_bytes()).is_some())
                && is_raw(&termios(&t.slave))
        });
    }

    fn type_bytes(&self, bytes: &[u8]) {
        let mut f = std::fs::File::from(self.master.try_clone().unwrap());
        f.write_all(bytes).unwrap();
    }

    fn signal(&self, sig: i32) {
        // SAFETY: a signal to our own child.
        assert_eq!(unsafe { libc::kill(self.pid, sig) }, 0);
    }

    /// The next wait status (exit, death or stop).
    fn wait_status(&self) -> i32 {
        let start = Instant::now();
        loop {
            let mut status = 0;
            // SAFETY: waitpid on our own child, writing into our int.
            let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG | libc::WUNTRACED) };
            if r == self.pid {
                return status;
            }
            assert!(r == 0, "waitpid: {}", std::io::Error::last_os_error());
            assert!(
                start.elapsed() < PATIENCE,
                "the TUI neither exited nor stopped; the last output:\n{:?}",
                String::from_utf8_lossy(&self.output()[self.output().len().saturating_sub(400)..])
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// After the child is gone: everything it wrote has reached the master.
    fn final_output(&self) -> Vec<u8> {
        let start = Instant::now();
        let mut last = self.output().len();
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = self.output().len();
            if now == last || start.elapsed() > PATIENCE {
                return self.output();
            }
            last = now;
        }
    }

    /// The tty's modes are the ones it had before the TUI started, and the
    /// output ends with the restore sequence.
    fn assert_restored(&self, what: &str) {
        let after = termios(&self.slave);
        assert!(
            after.c_lflag & libc::ICANON != 0 && after.c_lflag & libc::ECHO != 0,
            "{what}: still raw"
        );
        assert_eq!(
            modes(&after),
            modes(&self.before),
            "{what}: tty modes differ from before the start"
        );
        let out = self.final_output();
        assert!(
            out.ends_with(RESTORED),
            "{what}: output does not end with the restore sequence:\n{:?}",
            String::from_utf8_lossy(&out[out.len().saturating_sub(200)..])
        );
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // SAFETY: kill and reap our own child if a failed test left it.
        unsafe {
            if libc::kill(self.pid, libc::SIGKILL) == 0 {
                let mut status = 0;
                libc::waitpid(self.pid, &mut status, 0);
            }
        }
        self.stop.store(true, Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

#[test]
fn q_restores_the_terminal_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let Some(tui) = Tui::start(dir.path(), &db) else {
        return;
    };
    tui.wait_running(0);
    tui.type_bytes(b"q");
    let status = tui.wait_status();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "status {status:#x}"
    );
    tui.assert_restored("q");
}

#[test]
fn each_terminating_signal_restores_the_terminal_and_kills_with_that_signal() {
    for (name, sig) in [
        ("SIGTERM", libc::SIGTERM),
        ("SIGHUP", libc::SIGHUP),
        ("SIGINT", libc::SIGINT),
        ("SIGQUIT", libc::SIGQUIT),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = shop(dir.path());
        let Some(tui) = Tui::start(dir.path(), &db) else {
            return;
        };
        tui.wait_running(0);
        tui.signal(sig);
        let status = tui.wait_status();
        assert!(
            libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == sig,
            "{name}: want death by the signal (shell status {}), got status {status:#x}",
            128 + sig
        );
        tui.assert_restored(name);
    }
}

#[test]
fn sigtstp_gives_a_cooked_terminal_and_sigcont_brings_raw_mode_and_the_screen_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let Some(tui) = Tui::start(dir.path(), &db) else {
        return;
    };
    tui.wait_running(0);
    // Once by the signal, once by Ctrl-Z typed (raw mode makes that a key).
    for how in ["SIGTSTP", "ctrl-z"] {
        if how == "SIGTSTP" {
            tui.signal(libc::SIGTSTP);
        } else {
            tui.type_bytes(b"\x1a");
        }
        eprintln!("{how}: waiting for the stop");
        let status = tui.wait_status();
        assert!(libc::WIFSTOPPED(status), "{how}: not stopped, status {status:#x}");
        tui.assert_restored(how);
        let mark = tui.output().len();
        tui.signal(libc::SIGCONT);
        // Raw again, alternate screen again, and a whole frame (the tab bar
        // is drawn again, not only what changed).
        tui.wait_running(mark);
        assert!(
            find(&tui.output()[mark..], b"\x1b[2J").is_some(),
            "{how}: no clear before the repaint"
        );
    }
    // And it still works: q quits as usual.
    tui.type_bytes(b"q");
    let status = tui.wait_status();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "status {status:#x}"
    );
    tui.assert_restored("q after resuming");
}

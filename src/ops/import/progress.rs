//! Progress of a long import on stderr, only when stderr is a terminal:
//! rows, rate and time left, redrawn in place a few times a second. Piped
//! or redirected, an import prints nothing extra.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::Report;

/// Nothing shows for an import that is done within this.
const QUIET_FOR: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(200);

pub(super) struct Progress {
    out: Option<Box<dyn Write>>,
    size: u64,
    started: Instant,
    last: Option<Instant>,
    writing_since: Option<Instant>,
    shown: bool,
}

impl Progress {
    /// For a file of `size` bytes; silent unless stderr is a terminal.
    pub fn to_stderr(size: u64) -> Progress {
        let out: Option<Box<dyn Write>> = std::io::stderr()
            .is_terminal()
            .then(|| Box::new(std::io::stderr()) as Box<dyn Write>);
        Progress::new(out, size, Instant::now())
    }

    fn new(out: Option<Box<dyn Write>>, size: u64, started: Instant) -> Progress {
        Progress {
            out,
            size,
            started,
            last: None,
            writing_since: None,
            shown: false,
        }
    }

    /// Whether it is time to redraw (and remembers that it did).
    fn due(&mut self, now: Instant) -> bool {
        if self.out.is_none() || now.duration_since(self.started) < QUIET_FOR {
            return false;
        }
        if self.last.is_some_and(|l| now.duration_since(l) < EVERY) {
            return false;
        }
        self.last = Some(now);
        true
    }

    /// `rows` read so far, `bytes` of the file.
    pub fn reading(&mut self, rows: u64, bytes: u64) {
        let now = Instant::now();
        if self.due(now) {
            let line = reading_line(rows, bytes, self.size, now.duration_since(self.started));
            self.draw(&line);
        }
    }

    /// `done` of `total` new orders written.
    pub fn writing(&mut self, done: usize, total: usize) {
        let now = Instant::now();
        let since = *self.writing_since.get_or_insert(now);
        if self.due(now) {
            let line = writing_line(done, total, now.duration_since(since));
            self.draw(&line);
        }
    }

    fn draw(&mut self, line: &str) {
        if let Some(out) = self.out.as_mut() {
            // \r and "erase line": the next redraw replaces this one.
            let _ = write!(out, "\r\x1b[2K{line}");
            let _ = out.flush();
            self.shown = true;
        }
    }

    /// Takes the progress line away (before the report prints).
    pub fn clear(&mut self) {
        if self.shown
            && let Some(out) = self.out.as_mut()
        {
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn left(secs: f64) -> String {
    if !secs.is_finite() {
        return "?".into();
    }
    let s = secs.ceil() as u64;
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

fn reading_line(rows: u64, bytes: u64, size: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = rows as f64 / secs;
    let remaining = size.saturating_sub(bytes) as f64 / (bytes as f64 / secs);
    let pct = (100 * bytes.min(size)).checked_div(size).unwrap_or(100);
    format!(
        "reading: {rows} rows ({pct}% of the file), {rate:.0} rows/s, about {} left to read",
        left(remaining)
    )
}

fn writing_line(done: usize, total: usize, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = done as f64 / secs;
    let remaining = total.saturating_sub(done) as f64 / rate;
    format!(
        "writing: {done} of {total} new orders, {rate:.0} orders/s, about {} left",
        left(remaining)
    )
}

/// One phase of an import: its wall time, and the CPU time of the thread
/// that ran it (what other processes on a shared machine do not inflate).
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub name: &'static str,
    pub wall: Duration,
    pub cpu: Duration,
}

/// CPU time of the calling thread.
pub(super) fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes into `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// Times consecutive phases into a report.
pub(super) struct Phases {
    last: Instant,
    last_cpu: Duration,
}

impl Phases {
    pub fn start() -> Phases {
        Phases {
            last: Instant::now(),
            last_cpu: thread_cpu(),
        }
    }

    /// Ends the phase running since the last call.
    pub fn done(&mut self, report: &mut Report, name: &'static str) {
        let (now, cpu) = (Instant::now(), thread_cpu());
        report.phases.push(Phase {
            name,
            wall: now.duration_since(self.last),
            cpu: cpu.saturating_sub(self.last_cpu),
        });
        self.last = now;
        self.last_cpu = cpu;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_say_rows_rate_and_time_left() {
        assert_eq!(
            reading_line(50_000, 10_000_000, 40_000_000, Duration::from_secs(1)),
            "reading: 50000 rows (25% of the file), 50000 rows/s, about 3s left to read"
        );
        assert_eq!(
            writing_line(25_000, 100_000, Duration::from_millis(500)),
            "writing: 25000 of 100000 new orders, 50000 orders/s, about 2s left"
        );
        assert_eq!(left(61.2), "1m02s");
    }

    #[test]
    fn silent_for_the_first_second_then_redrawn_and_cleared() {
        let buf = Shared::default();
        let started = Instant::now() - Duration::from_secs(2);
        let mut p = Progress::new(Some(Box::new(buf.clone())), 100, started);
        p.reading(10, 50);
        p.reading(20, 60); // within 200 ms of the last draw: skipped
        p.clear();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.matches("reading:").count(), 1, "{text:?}");
        assert!(text.ends_with("\r\x1b[2K"), "{text:?}");

        let quiet = Shared::default();
        let mut p = Progress::new(Some(Box::new(quiet.clone())), 100, Instant::now());
        p.reading(10, 50);
        p.writing(1, 2);
        drop(p);
        assert!(
            quiet.0.lock().unwrap().is_empty(),
            "nothing within the first second"
        );

        let mut off = Progress::new(None, 100, started);
        off.reading(10, 50); // no terminal: nothing to write to, no panic
    }
}

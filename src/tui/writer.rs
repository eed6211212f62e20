//! The writer worker: one thread with its own session (same login, own
//! connection) that runs verbs in the order they were asked for, so a save
//! waiting on another session's lock (busy timeout) never holds up the keys,
//! and a second write to the same record waits its turn. Each run reports
//! back as a `JobResult::Verb` on the app's results channel. Between writes it
//! applies scheduled effects (`ops::schedule`) at start and every minute and
//! reports them as `JobResult::Ticked` (the app re-reads what is on screen).
//! The hourly recompute of the product sales figures is not one of them: it
//! runs on [`start_stats`]'s thread, so a save never waits behind it.

use std::path::PathBuf;
use std::sync::mpsc;

use super::app::JobResult;
use super::verbs::VerbForm;
use crate::ops::Session;
use crate::ops::verbs::{Values, VerbSpec};

struct Request {
    verb: &'static VerbSpec,
    targets: Vec<(i64, Option<i64>)>,
    values: Values,
    /// Comes back with the results (a conflict reopens it).
    form: Option<Box<VerbForm>>,
}

/// How often the worker applies scheduled effects.
const TICK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

pub(crate) struct Writer {
    tx: mpsc::Sender<Request>,
    /// Dropped with the writer: the sales-figures worker then ends.
    _stats: mpsc::Sender<()>,
}

impl Writer {
    /// Starts the worker for `login` on `db`. A session that cannot be opened
    /// answers every request with the error, so nothing waits forever.
    pub(crate) fn start(db: PathBuf, login: String, results: mpsc::Sender<JobResult>) -> Writer {
        let (tx, rx) = mpsc::channel::<Request>();
        let (stats, stop) = mpsc::channel::<()>();
        start_stats(db.clone(), login.clone(), stop);
        std::thread::spawn(move || {
            let mut session = Session::open_as(&db, &login);
            let mut last_tick: Option<std::time::Instant> = None;
            loop {
                // Scheduled effects when the worker starts and every minute,
                // between writes (a read-only session has none to apply).
                if let Ok(s) = &mut session
                    && !s.read_only()
                    && last_tick.is_none_or(|t| t.elapsed() >= TICK_EVERY)
                {
                    last_tick = Some(std::time::Instant::now());
                    // Only the due effects: the sales figures are recomputed
                    // by their own worker (`stats`), so no save waits on them.
                    match s.now().and_then(|now| crate::ops::schedule::apply_due(s, now)) {
                        Ok(done) if done.is_empty() => {}
                        Ok(done) => {
                            done.iter().for_each(|d| tracing::info!("tick: {d}"));
                            if results.send(JobResult::Ticked(done)).is_err() {
                                break;
                            }
                        }
                        Err(e) => tracing::warn!("scheduled effects: {e}"),
                    }
                }
                let r = match rx.recv_timeout(TICK_EVERY) {
                    Ok(r) => r,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                let results_of = match &mut session {
                    Ok(s) => super::verbs::run_on(s, r.verb, &r.targets, &r.values),
                    Err(e) => {
                        let msg = format!("cannot save: {e}");
                        r.targets
                            .iter()
                            .map(|(id, _)| (*id, Err(crate::Error::Db(msg.clone()))))
                            .collect()
                    }
                };
                if results
                    .send(JobResult::Verb {
                        verb: r.verb,
                        results: results_of,
                        form: r.form,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        Writer { tx, _stats: stats }
    }

    /// Queues a run; false when the worker is gone.
    pub(crate) fn send(
        &self,
        verb: &'static VerbSpec,
        targets: Vec<(i64, Option<i64>)>,
        values: Values,
        form: Option<Box<VerbForm>>,
    ) -> bool {
        self.tx
            .send(Request {
                verb,
                targets,
                values,
                form,
            })
            .is_ok()
    }
}

/// How often the sales-figures worker looks whether the figures are due.
const STATS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts the worker that keeps the stored product sales figures fresh
/// (`ops::products::reports::refresh_stats_at`: recomputed when an hour
/// old). It has its own session: the recompute is a long read that blocks
/// no one in WAL, then one short write. It ends when `stop`'s sender (held
/// by the [`Writer`]) is dropped.
fn start_stats(db: PathBuf, login: String, stop: mpsc::Receiver<()>) {
    std::thread::spawn(move || {
        let Ok(mut s) = Session::open_as(&db, &login) else {
            return;
        };
        if s.read_only() || !crate::ops::schedule::may_write(s.role()) {
            return;
        }
        loop {
            let done = s
                .now()
                .and_then(|now| crate::ops::products::reports::refresh_stats_at(&mut s, now, false));
            match done {
                Ok(Some(line)) => tracing::info!("{line}"),
                Ok(None) => {}
                Err(e) => tracing::warn!("product sales figures: {e}"),
            }
            match stop.recv_timeout(STATS_EVERY) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                _ => break,
            }
        }
    });
}

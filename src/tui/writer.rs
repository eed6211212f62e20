//! The writer worker: one thread with its own session (same login, own
//! connection) that runs verbs in the order they were asked for, so a save
//! waiting on another session's lock (busy timeout) never holds up the keys,
//! and a second write to the same record waits its turn. Each run reports
//! back as a `JobResult::Verb` on the app's results channel.

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

pub(crate) struct Writer {
    tx: mpsc::Sender<Request>,
}

impl Writer {
    /// Starts the worker for `login` on `db`. A session that cannot be opened
    /// answers every request with the error, so nothing waits forever.
    pub(crate) fn start(db: PathBuf, login: String, results: mpsc::Sender<JobResult>) -> Writer {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::spawn(move || {
            let mut session = Session::open_as(&db, &login);
            while let Ok(r) = rx.recv() {
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
        Writer { tx }
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

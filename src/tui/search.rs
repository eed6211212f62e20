//! The background worker: one thread with its own (small-cache) connection
//! that resolves text filters (count and match set) and computes the slow
//! parts of detail views (a merchant's GMV), so queries that must read a whole index or hundreds of scattered
//! rows never hold up the keys. Only the newest request of each kind is
//! answered; answers to replaced requests are dropped.

use std::sync::mpsc;

use super::app::{App, JobResult};
use super::screens::{Later, Tab};
use crate::store::lists::Query;

pub(crate) enum Request {
    Search { tab: Tab, generation: u64, query: Query },
    Later { tab: Tab, id: i64, later: Later },
}

impl Request {
    /// Requests that replace each other.
    fn slot(&self) -> (u8, usize) {
        match self {
            Request::Search { tab, .. } => (0, tab.index()),
            Request::Later { tab, .. } => (1, tab.index()),
        }
    }

    fn dropped(self) -> JobResult {
        match self {
            Request::Search { tab, generation, .. } => JobResult::Search {
                tab,
                generation,
                result: Err("replaced by a newer search".into()),
            },
            Request::Later { .. } => JobResult::Skipped,
        }
    }
}

fn serve(db: std::path::PathBuf, rx: mpsc::Receiver<Request>, results: mpsc::Sender<JobResult>) {
    let conn = crate::store::lists::open_reader(&db);
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(r) = rx.try_recv() {
            batch.push(r);
        }
        let mut latest: Vec<Request> = Vec::new();
        for r in batch {
            match latest.iter().position(|l| l.slot() == r.slot()) {
                Some(i) => {
                    let old = std::mem::replace(&mut latest[i], r);
                    let _ = results.send(old.dropped());
                }
                None => latest.push(r),
            }
        }
        for r in latest {
            let done = match (r, &conn) {
                (
                    Request::Search {
                        tab,
                        generation,
                        query,
                    },
                    Ok(c),
                ) => JobResult::Search {
                    tab,
                    generation,
                    result: tab.screen().resolve(c, &query).map_err(|e| e.to_string()),
                },
                (Request::Later { tab, id, later }, Ok(c)) => JobResult::Later {
                    tab,
                    id,
                    what: later.what,
                    value: (later.run)(c, id).map_err(|e| e.to_string()),
                },
                (r, Err(e)) => match r {
                    Request::Search { tab, generation, .. } => JobResult::Search {
                        tab,
                        generation,
                        result: Err(e.to_string()),
                    },
                    Request::Later { tab, id, later } => JobResult::Later {
                        tab,
                        id,
                        what: later.what,
                        value: Err(e.to_string()),
                    },
                },
            };
            if results.send(done).is_err() {
                return;
            }
        }
    }
}

impl App {
    fn send_background(&mut self, req: Request) {
        if self.worker_tx.is_none() {
            let (tx, rx) = mpsc::channel::<Request>();
            let results = self.results_tx.clone();
            let db = self.session.path.clone();
            std::thread::spawn(move || serve(db, rx, results));
            self.worker_tx = Some(tx);
        }
        if let Some(tx) = &self.worker_tx
            && tx.send(req).is_ok()
        {
            self.pending_jobs += 1;
        }
    }

    /// Asks the worker for the slow part of the detail view of `id` on
    /// `tab`, if it has one (a merchant's GMV shows "computing…" until then).
    pub(crate) fn start_later(&mut self, tab: Tab, id: i64) {
        let later = self.details[tab.index()]
            .as_ref()
            .filter(|d| d.id == id)
            .and_then(|d| d.data.later());
        if let Some(later) = later {
            self.send_background(Request::Later { tab, id, later });
        }
    }

    /// Resolves the tab's text filter on the worker; the list shows
    /// "searching…" until the answer lands.
    pub(crate) fn start_search(&mut self, tab: Tab) {
        if !tab.is_list() {
            return;
        }
        let i = tab.index();
        self.search_generation[i] += 1;
        let lv = &mut self.lists[i];
        lv.searching = true;
        lv.loaded = true;
        lv.rows.clear();
        lv.cursor = 0;
        lv.offset = Some(0);
        let mut query = lv.query.clone();
        query.matches = None;
        let generation = self.search_generation[i];
        self.send_background(Request::Search {
            tab,
            generation,
            query,
        });
    }
}

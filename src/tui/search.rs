//! The search worker: resolves text filters (count and match set) on its own
//! connection, so a search that must read a whole index never holds up the
//! keys. The list shows "searching…" until the answer arrives; answers to
//! searches that were replaced in the meantime are dropped.

use std::sync::mpsc;

use super::app::{App, JobResult};
use super::screens::Tab;
use crate::store::lists::Query;

pub(crate) struct Request {
    tab: Tab,
    generation: u64,
    query: Query,
}

impl App {
    pub(crate) fn start_search(&mut self, tab: Tab) {
        if !tab.is_list() {
            return;
        }
        if self.search_tx.is_none() {
            let (tx, rx) = mpsc::channel::<Request>();
            let results = self.results_tx.clone();
            let db = self.session.path.clone();
            std::thread::spawn(move || {
                let conn = crate::store::open(&db);
                while let Ok(first) = rx.recv() {
                    // Only the newest request per tab is worth answering.
                    let mut batch = vec![first];
                    while let Ok(r) = rx.try_recv() {
                        batch.push(r);
                    }
                    let mut latest: Vec<Request> = Vec::new();
                    for r in batch {
                        if let Some(old) = latest.iter_mut().find(|l| l.tab == r.tab) {
                            let skipped = std::mem::replace(old, r);
                            let _ = results.send(JobResult::Search {
                                tab: skipped.tab,
                                generation: skipped.generation,
                                result: Err("replaced by a newer search".into()),
                            });
                        } else {
                            latest.push(r);
                        }
                    }
                    for r in latest {
                        let result = match &conn {
                            Ok(c) => r.tab.resolve(c, &r.query).map_err(|e| e.to_string()),
                            Err(e) => Err(e.to_string()),
                        };
                        let done = JobResult::Search {
                            tab: r.tab,
                            generation: r.generation,
                            result,
                        };
                        if results.send(done).is_err() {
                            return;
                        }
                    }
                }
            });
            self.search_tx = Some(tx);
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
        let req = Request {
            tab,
            generation: self.search_generation[i],
            query,
        };
        if let Some(tx) = &self.search_tx
            && tx.send(req).is_ok()
        {
            self.pending_jobs += 1;
        }
    }
}

//! The background worker: one thread with its own (small-cache) connection
//! that resolves text filters (count, match set and the first page) and
//! computes the slow parts of detail views (a merchant's GMV), so queries
//! that must read a whole index or hundreds of scattered rows never hold up
//! the keys. Only the newest request of each kind is answered; answers to
//! replaced requests are dropped.
//!
//! Also the text filter's life on screen: it filters as it is typed (each
//! change is a new request, the newest wins), Enter keeps it, Esc puts the
//! previous one back; a walk that stopped early says how far it looked and
//! Enter goes on looking (`SearchState`).

use std::sync::mpsc;

use super::app::{App, JobResult};
use super::fmt::Fmt;
use super::screens::{Later, Tab};
use super::widgets::table::{ListView, TableRow};
use crate::store::lists::{Cursor, Page, Query, Resolution, Seek};

pub(crate) enum Request {
    Search(Box<SearchRequest>),
    Later { tab: Tab, id: i64, later: Later },
}

pub(crate) struct SearchRequest {
    tab: Tab,
    generation: u64,
    query: Query,
    fmt: Fmt,
    limit: usize,
    /// Keep looking after this row (the resolution stays as it is).
    resume: Option<Cursor>,
}

/// What the worker found: the resolution (unless it went on looking) and
/// the first page.
pub(crate) struct Answer {
    resolution: Option<Resolution>,
    page: Page<TableRow>,
    resumed: bool,
}

impl Request {
    /// Requests that replace each other.
    fn slot(&self) -> (u8, usize) {
        match self {
            Request::Search(r) => (0, r.tab.index()),
            Request::Later { tab, .. } => (1, tab.index()),
        }
    }

    fn dropped(self) -> JobResult {
        match self {
            Request::Search(r) => JobResult::Search {
                tab: r.tab,
                generation: r.generation,
                result: Err("replaced by a newer search".into()),
            },
            Request::Later { .. } => JobResult::Skipped,
        }
    }
}

fn answer(conn: &crate::store::lists::Conn, r: &SearchRequest) -> crate::Result<Answer> {
    let screen = r.tab.screen();
    let mut q = r.query.clone();
    let resolution = match &r.resume {
        Some(_) => None,
        None => {
            q.matches = None;
            let res = screen.resolve(conn, &q)?;
            q.matches = res.1.clone();
            Some(res)
        }
    };
    let seek = match &r.resume {
        Some(c) => Seek::After(c.clone()),
        None => Seek::First,
    };
    let page = screen.fetch(conn, &r.fmt, &q, &seek, r.limit.max(1))?;
    Ok(Answer {
        resolution,
        page,
        resumed: r.resume.is_some(),
    })
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
                (Request::Search(r), Ok(c)) => JobResult::Search {
                    tab: r.tab,
                    generation: r.generation,
                    result: answer(c, &r).map_err(|e| e.to_string()),
                },
                (Request::Later { tab, id, later }, Ok(c)) => JobResult::Later {
                    tab,
                    id,
                    what: later.what,
                    value: (later.run)(c, id).map_err(|e| e.to_string()),
                },
                (r, Err(e)) => match r {
                    Request::Search(r) => JobResult::Search {
                        tab: r.tab,
                        generation: r.generation,
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

/// A walk of the sort index that stopped before it found a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stopped {
    /// Rows looked at since the top of the list.
    pub looked: u64,
    /// Rows in the list without the text filter.
    pub of: u64,
    /// The last row looked at: going on starts after it.
    pub resume: Cursor,
}

/// Where a list's text filter stands beyond its `ListView`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchState {
    /// The latest walk stopped early (cleared by any new search).
    pub stopped: Option<Stopped>,
    /// Rows the walks looked at since the top, while paging forward.
    pub looked: u64,
    /// While the `/` prompt is open: the list as it was, for Esc.
    pub before: Option<Box<(ListView, Option<Stopped>)>>,
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
        self.search[i].stopped = None;
        self.search[i].looked = 0;
        let limit = self.lists[i].page_size.max(1);
        let lv = &mut self.lists[i];
        // The previous rows stay until the answer lands (typing does not
        // blank the list at every key); the label says "searching…".
        lv.searching = true;
        lv.loaded = true;
        let mut query = lv.query.clone();
        query.matches = None;
        let generation = self.search_generation[i];
        let fmt = self.fmt.clone();
        self.send_background(Request::Search(Box::new(SearchRequest {
            tab,
            generation,
            query,
            fmt,
            limit,
            resume: None,
        })));
    }

    /// Enter on a search that stopped early: test the next
    /// `LOOK_FURTHER_ROWS` rows on the worker.
    pub(crate) fn keep_looking(&mut self, tab: Tab) -> bool {
        let i = tab.index();
        let Some(stopped) = self.stopped(tab).cloned() else {
            return false;
        };
        if self.lists[i].searching {
            return true;
        }
        self.search_generation[i] += 1;
        let limit = self.lists[i].page_size.max(1);
        let lv = &mut self.lists[i];
        lv.searching = true;
        let mut query = lv.query.clone();
        query.walk_rows = crate::store::lists::LOOK_FURTHER_ROWS;
        let generation = self.search_generation[i];
        let fmt = self.fmt.clone();
        if !self.background_search {
            // No worker (tests): look here, at once.
            let conn = &self.session.conn;
            let r = SearchRequest {
                tab,
                generation,
                query,
                fmt,
                limit,
                resume: Some(stopped.resume),
            };
            let result = answer(conn, &r).map_err(|e| e.to_string());
            self.search_done(tab, generation, result);
            return true;
        }
        self.send_background(Request::Search(Box::new(SearchRequest {
            tab,
            generation,
            query,
            fmt,
            limit,
            resume: Some(stopped.resume),
        })));
        true
    }

    /// The worker's answer to the newest search of `tab`.
    pub(crate) fn search_done(&mut self, tab: Tab, generation: u64, result: Result<Answer, String>) {
        if !tab.is_list() || generation != self.search_generation[tab.index()] {
            return;
        }
        let i = tab.index();
        let lv = &mut self.lists[i];
        lv.searching = false;
        let a = match result {
            Ok(a) => a,
            Err(e) => return self.warn(format!("search failed: {e}")),
        };
        if let Some((count, matches)) = a.resolution {
            lv.count = count;
            lv.query.matches = matches;
        }
        lv.loaded = true;
        lv.stale = false;
        let walked = a.page.looked;
        let (truncated, resume) = (a.page.truncated, a.page.resume.clone());
        if a.resumed && a.page.rows.is_empty() {
            // Nothing further on yet: keep what is on screen.
        } else {
            lv.rows = a.page.rows;
            lv.cursor = 0;
            // Going on happens from an empty screen, so the rows found
            // start where the (empty) window did.
            if !a.resumed {
                lv.offset = Some(0);
            }
        }
        let s = &mut self.search[i];
        s.looked = if a.resumed { s.looked + walked } else { walked };
        self.note_walk(tab, truncated, resume);
    }

    /// Records how a page walk ended (from `fetch` and the worker).
    pub(crate) fn note_walk(&mut self, tab: Tab, truncated: bool, resume: Option<Cursor>) {
        let i = tab.index();
        let of = self.total_rows(tab);
        let s = &mut self.search[i];
        s.stopped = match (truncated, resume) {
            (true, Some(resume)) => Some(Stopped {
                looked: s.looked.min(of),
                of,
                resume,
            }),
            _ => None,
        };
    }

    /// The list's rows without its text filter (status counts: no scan).
    fn total_rows(&self, tab: Tab) -> u64 {
        let lv = &self.lists[tab.index()];
        let mut q = lv.query.clone();
        q.text.clear();
        q.matches = None;
        tab.screen()
            .resolve(&self.session.conn, &q)
            .map(|(c, _)| c.n)
            .unwrap_or(0)
    }

    /// "looked at 20,000 of 1,000,735 — Enter keeps looking", for a search
    /// that stopped early.
    pub fn search_note(&self, tab: Tab) -> Option<String> {
        if !tab.is_list() {
            return None;
        }
        if self.lists[tab.index()].searching {
            return None;
        }
        let s = self.stopped(tab)?;
        Some(format!(
            "looked at {} of {} — Enter keeps looking",
            super::widgets::text::thousands(s.looked),
            super::widgets::text::thousands(s.of)
        ))
    }

    /// The walk that stopped early, unless the rows on screen already reach
    /// the exact count (then there is nothing further to find).
    fn stopped(&self, tab: Tab) -> Option<&Stopped> {
        let i = tab.index();
        let s = self.search[i].stopped.as_ref()?;
        let lv = &self.lists[i];
        let all_found = !lv.count.capped && lv.offset.is_some_and(|o| o + lv.rows.len() as u64 >= lv.count.n);
        (!all_found).then_some(s)
    }

    /// The `/` prompt opened: remember the list for Esc.
    pub(crate) fn prompt_opened(&mut self, tab: Tab) {
        if !tab.is_list() {
            return;
        }
        let i = tab.index();
        let saved = (self.lists[i].clone(), self.search[i].stopped.clone());
        self.search[i].before = Some(Box::new(saved));
    }

    /// The prompt's text changed: filter by it now (the newest text wins).
    pub(crate) fn prompt_changed(&mut self, input: &str) {
        let tab = self.tab;
        let Some(lv) = self.list_mut(tab) else { return };
        let text = input.trim().to_string();
        if lv.query.text == text {
            return;
        }
        lv.query.text = text;
        self.requery_text(tab);
    }

    /// Enter in the prompt: the filter stays.
    pub(crate) fn prompt_submitted(&mut self, input: &str) {
        let tab = self.tab;
        if !tab.is_list() {
            return;
        }
        self.search[tab.index()].before = None;
        let text = input.trim().to_string();
        let lv = &mut self.lists[tab.index()];
        // Already showing (or fetching) this text: nothing to redo.
        if lv.query.text == text && lv.loaded {
            return;
        }
        lv.query.text = text;
        self.requery_text(tab);
    }

    /// Esc in the prompt: the list as it was before `/`.
    pub(crate) fn prompt_cancelled(&mut self) {
        let tab = self.tab;
        if !tab.is_list() {
            return;
        }
        let i = tab.index();
        if let Some(before) = self.search[i].before.take() {
            let (lv, stopped) = *before;
            if lv.query.text == self.lists[i].query.text {
                // Nothing was typed: the list is as it was.
                return;
            }
            // Answers still on their way are for text no longer wanted.
            self.search_generation[i] += 1;
            self.lists[i] = lv;
            self.search[i].stopped = stopped;
            if self.lists[i].searching {
                // The old search itself had not landed: ask again.
                self.requery_text(tab);
            }
        }
    }

    fn requery_text(&mut self, tab: Tab) {
        self.run(vec![super::app::Effect::Requery(tab)]);
    }

    /// Enter on a list: keep looking when the search stopped early and
    /// nothing is on screen; false when Enter should open the row.
    pub(crate) fn enter_on_list(&mut self, tab: Tab) -> bool {
        let i = tab.index();
        if self.stopped(tab).is_some() && self.lists[i].rows.is_empty() {
            return self.keep_looking(tab);
        }
        false
    }

    /// The row to read forward from: after the last row looked at when the
    /// walk stopped, else after the last row on screen.
    pub(crate) fn forward_from(&self, tab: Tab) -> Option<Cursor> {
        let i = tab.index();
        match self.stopped(tab) {
            Some(s) => Some(s.resume.clone()),
            None => self.lists[i].rows.last().map(|r| r.cursor.clone()),
        }
    }

    /// Keeps the walk count across forward pages and resets it at the top.
    pub(crate) fn walked(&mut self, tab: Tab, seek: &Seek, looked: u64) {
        let s = &mut self.search[tab.index()];
        s.looked = match seek {
            Seek::First | Seek::Last => looked,
            Seek::After(_) => s.looked + looked,
            Seek::Before(_) | Seek::From(_) => s.looked,
        };
    }
}

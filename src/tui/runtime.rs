//! Executes effects: the only place the TUI reads the database (through
//! `store::lists`) or starts work. Every list move is one keyset query for
//! at most a page of rows.

use super::app::{App, DetailView, Effect, Nav, Overlay};
use super::screens::Tab;
use crate::Result;
use crate::store::lists::{Count, Seek, StatusFilter};

impl App {
    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Err(err) = self.run_one(e) {
                tracing::warn!("{err}");
                self.warn(err.to_string());
            }
        }
    }

    fn run_one(&mut self, e: Effect) -> Result<()> {
        match e {
            Effect::Quit => self.quit = true,
            Effect::Nav(tab, nav) => self.navigate(tab, nav)?,
            Effect::Requery(tab)
                if self.background_search && self.lists[tab.index()].query.text().is_some() =>
            {
                self.start_search(tab);
            }
            Effect::Requery(tab) => {
                self.search[tab.index()].stopped = None;
                self.search_generation[tab.index()] += 1;
                self.lists[tab.index()].searching = false;
                self.resolve(tab)?;
                let lv = &mut self.lists[tab.index()];
                lv.loaded = true;
                lv.stale = false;
                self.navigate(tab, Nav::First)?;
            }
            Effect::Chips(tab) => {
                let chips = tab.screen().chips(&self.session.conn, &self.fmt)?;
                let current = &self.lists[tab.index()].query.status;
                let selected = chips
                    .iter()
                    .position(|c| StatusFilter::same_chip(c.status.as_ref(), current.as_ref()))
                    .unwrap_or(0);
                self.overlay = Some(Overlay::Picker { chips, selected });
            }
            Effect::OpenDetail(tab, id) => match tab.screen().load_detail(&self.session.conn, id)? {
                Some(data) => {
                    self.details[tab.index()] = Some(DetailView { id, data, scroll: 0 });
                    self.start_later(tab, id);
                }
                None => {
                    self.warn(format!("{} {id} no longer exists", tab.screen().entity()));
                    self.navigate(tab, Nav::Reload)?;
                }
            },
            Effect::ReloadDetail(tab) => {
                let Some(d) = self.details[tab.index()].as_ref() else {
                    return Ok(());
                };
                let (id, scroll) = (d.id, d.scroll);
                match tab.screen().load_detail(&self.session.conn, id)? {
                    Some(data) => {
                        self.details[tab.index()] = Some(DetailView { id, data, scroll });
                        self.start_later(tab, id);
                    }
                    None => {
                        self.details[tab.index()] = None;
                        self.warn(format!(
                            "{} {id} was deleted by another session",
                            tab.screen().entity()
                        ));
                    }
                }
            }
            Effect::Export(tab, path) => self.start_export(tab, path)?,
            Effect::Verb(job) => self.run_verb_job(*job)?,
            Effect::Notices { unsent_only } => super::overlays::notices::open(self, unsent_only),
            Effect::Compute(tab) => tab.screen().compute(self),
        }
        Ok(())
    }

    /// Recounts the view and refreshes the match set of its text filter.
    fn resolve(&mut self, tab: Tab) -> Result<()> {
        let mut q = self.lists[tab.index()].query.clone();
        q.matches = None;
        let (count, matches) = tab.screen().resolve(&self.session.conn, &q)?;
        let lv = &mut self.lists[tab.index()];
        lv.count = count;
        lv.query.matches = matches;
        Ok(())
    }

    fn fetch(&mut self, tab: Tab, seek: &Seek, limit: usize) -> Result<Vec<super::widgets::table::TableRow>> {
        let q = &self.lists[tab.index()].query;
        let page = tab
            .screen()
            .fetch(&self.session.conn, &self.fmt, q, seek, limit.max(1))?;
        self.walked(tab, seek, page.looked);
        match seek {
            Seek::First | Seek::After(_) => self.note_walk(tab, page.truncated, page.resume.clone()),
            // Walking back from the end: "keep looking" goes forward only.
            Seek::Last => self.note_walk(tab, false, None),
            Seek::Before(_) | Seek::From(_) => {}
        }
        Ok(page.rows)
    }

    pub(crate) fn navigate(&mut self, tab: Tab, nav: Nav) -> Result<()> {
        self.move_window(tab, nav)?;
        if tab.is_list() {
            // A selected row acts at the version it shows now (it may have
            // been changed by this session's own batch, or another's).
            let lv = &mut self.lists[tab.index()];
            for r in &lv.rows {
                if let Some(v) = lv.selected.get_mut(&r.id) {
                    *v = r.version;
                }
            }
        }
        Ok(())
    }

    fn move_window(&mut self, tab: Tab, nav: Nav) -> Result<()> {
        if !tab.is_list() {
            return Ok(());
        }
        let i = tab.index();
        if self.lists[i].searching {
            // The rows arrive with the search's answer.
            return Ok(());
        }
        let ps = self.lists[i].page_size.max(1);
        match nav {
            Nav::First => {
                let rows = self.fetch(tab, &Seek::First, ps)?;
                let lv = &mut self.lists[i];
                lv.rows = rows;
                lv.offset = Some(0);
                lv.cursor = 0;
            }
            Nav::Last => {
                let rows = self.fetch(tab, &Seek::Last, ps)?;
                let lv = &mut self.lists[i];
                let len = rows.len() as u64;
                lv.rows = rows;
                lv.offset = (!lv.count.capped).then(|| lv.count.n.saturating_sub(len));
                lv.cursor = lv.rows.len().saturating_sub(1);
            }
            Nav::Forward(n) => {
                let Some(last) = self.forward_from(tab) else {
                    return self.navigate(tab, Nav::First);
                };
                let extra = self.fetch(tab, &Seek::After(last), n)?;
                let lv = &mut self.lists[i];
                if extra.is_empty() {
                    lv.cursor = lv.rows.len().saturating_sub(1);
                    return Ok(());
                }
                let old_cursor = lv.cursor;
                lv.rows.extend(extra);
                let drop = lv.rows.len().saturating_sub(ps);
                lv.rows.drain(..drop);
                lv.offset = lv.offset.map(|o| o + drop as u64);
                lv.cursor = (old_cursor + n).saturating_sub(drop);
                lv.clamp_cursor();
            }
            Nav::Backward(n) => {
                let Some(first) = self.lists[i].rows.first().map(|r| r.cursor.clone()) else {
                    return self.navigate(tab, Nav::First);
                };
                let extra = self.fetch(tab, &Seek::Before(first), n)?;
                let lv = &mut self.lists[i];
                let k = extra.len();
                if k == 0 {
                    lv.cursor = 0;
                    lv.offset = Some(0);
                    return Ok(());
                }
                let mut rows = extra;
                rows.append(&mut lv.rows);
                rows.truncate(ps);
                lv.rows = rows;
                lv.offset = lv.offset.map(|o| o.saturating_sub(k as u64));
                if k < n {
                    lv.offset = Some(0);
                }
                lv.cursor = (lv.cursor + k).saturating_sub(n);
                lv.clamp_cursor();
            }
            Nav::Reload => {
                // A text filter keeps its match set (re-searching is `r`'s
                // job, on the worker); the rows themselves are re-read.
                if self.lists[i].query.text().is_none() {
                    self.resolve(tab)?;
                }
                self.lists[i].stale = false;
                let Some(first) = self.lists[i].rows.first().map(|r| r.cursor.clone()) else {
                    return self.navigate(tab, Nav::First);
                };
                let keep_id = self.lists[i].current().map(|r| r.id);
                let keep_idx = self.lists[i].cursor;
                let mut rows = self.fetch(tab, &Seek::From(first), ps)?;
                let mut shift = 0;
                if rows.len() < ps {
                    let before = match rows.first() {
                        Some(r) => self.fetch(tab, &Seek::Before(r.cursor.clone()), ps - rows.len())?,
                        None => self.fetch(tab, &Seek::Last, ps)?,
                    };
                    shift = before.len();
                    if rows.is_empty() {
                        rows = before;
                    } else {
                        let mut b = before;
                        b.append(&mut rows);
                        rows = b;
                    }
                }
                let lv = &mut self.lists[i];
                lv.rows = rows;
                lv.offset = lv.offset.map(|o| o.saturating_sub(shift as u64));
                lv.cursor = keep_id
                    .and_then(|id| lv.rows.iter().position(|r| r.id == id))
                    .unwrap_or(keep_idx + shift);
                lv.clamp_cursor();
                fix_offset(lv);
            }
            Nav::Fill => {
                let lv = &mut self.lists[i];
                if lv.rows.len() > ps {
                    // Keep the cursor row visible: drop from the end, then the start.
                    let excess = lv.rows.len() - ps;
                    let after = lv.rows.len() - 1 - lv.cursor;
                    let from_end = excess.min(after);
                    lv.rows.truncate(lv.rows.len() - from_end);
                    let from_start = lv.rows.len().saturating_sub(ps);
                    lv.rows.drain(..from_start);
                    lv.cursor -= from_start;
                    lv.offset = lv.offset.map(|o| o + from_start as u64);
                } else if lv.rows.len() < ps {
                    let missing = ps - lv.rows.len();
                    let Some(last) = lv.rows.last().map(|r| r.cursor.clone()) else {
                        return self.navigate(tab, Nav::First);
                    };
                    let mut extra = self.fetch(tab, &Seek::After(last), missing)?;
                    self.lists[i].rows.append(&mut extra);
                    let still = ps.saturating_sub(self.lists[i].rows.len());
                    if still > 0
                        && let Some(first) = self.lists[i].rows.first().map(|r| r.cursor.clone())
                    {
                        let mut before = self.fetch(tab, &Seek::Before(first), still)?;
                        let lv = &mut self.lists[i];
                        let k = before.len();
                        before.append(&mut lv.rows);
                        lv.rows = before;
                        lv.cursor += k;
                        lv.offset = lv.offset.map(|o| o.saturating_sub(k as u64));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A window that reaches the end of an exactly counted list starts at
/// `count - len`; keeps the label honest after rows vanish.
fn fix_offset(lv: &mut super::widgets::table::ListView) {
    let Count { n, capped } = lv.count;
    if !capped && let Some(o) = lv.offset {
        let len = lv.rows.len() as u64;
        if o + len > n {
            lv.offset = Some(n.saturating_sub(len));
        }
    }
}

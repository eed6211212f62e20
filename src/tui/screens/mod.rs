//! The five screens. Each implements [`Screen`] (columns, sort keys, status
//! chips and queues, page fetch, detail, the verbs' entity, extras, export,
//! the text hint); [`Tab`] names a screen and [`Tab::screen`] is the one
//! place that maps a name to its screen. Shared code asks the screen and
//! never which screen it is.

pub mod dashboard;
mod dashboard_view;
pub mod doc;
pub mod history;
pub mod merchants;
pub mod orders;
pub mod products;
pub mod tickets;

use std::any::Any;

use crate::store::lists::Conn as Connection;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub use dashboard::{Board, Figures};

use super::action::Action;
use super::app::{App, Chip, Effect};
use super::fmt::Fmt;
use super::keymap::Context;
use super::theme::Theme;
use super::widgets::table::{Cell, Column, TableRow};
use crate::Result;
use crate::ops::verbs::Entity;
use crate::store::lists::{self, Count, Query, Seek, SortKey, Status, StatusFilter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Merchants,
    Products,
    Orders,
    Tickets,
    Dashboard,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Merchants,
        Tab::Products,
        Tab::Orders,
        Tab::Tickets,
        Tab::Dashboard,
    ];
    /// The list screens, first in `ALL`: `index()` of one is its slot in
    /// `App::lists` and `App::details`.
    pub const LISTS: [Tab; 4] = [Tab::Merchants, Tab::Products, Tab::Orders, Tab::Tickets];

    /// The screen this tab shows: the registry of screens.
    pub fn screen(self) -> &'static dyn Screen {
        match self {
            Tab::Merchants => &merchants::Merchants,
            Tab::Products => &products::Products,
            Tab::Orders => &orders::Orders,
            Tab::Tickets => &tickets::Tickets,
            Tab::Dashboard => &dashboard::Dashboard,
        }
    }

    pub fn title(self) -> &'static str {
        self.screen().title()
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn context(self) -> Context {
        self.screen().context()
    }

    pub fn is_list(self) -> bool {
        self.screen().is_list()
    }

    /// The entity whose verbs this screen offers (`ops::verbs`), if it has any.
    pub fn verb_entity(self) -> Option<Entity> {
        self.screen()
            .verb_entity()
            .filter(|e| crate::ops::verbs::of(*e).next().is_some())
    }

    /// The screen that lists `e`.
    pub fn of_entity(e: Entity) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| t.screen().verb_entity() == Some(e))
            .unwrap_or(Tab::Dashboard)
    }

    /// The action that switches to this screen.
    pub fn action(self) -> Action {
        match self {
            Tab::Merchants => Action::TabMerchants,
            Tab::Products => Action::TabProducts,
            Tab::Orders => Action::TabOrders,
            Tab::Tickets => Action::TabTickets,
            Tab::Dashboard => Action::TabDashboard,
        }
    }
}

/// A slow part of a detail view, computed on the background reader after
/// the view opens (a merchant's GMV) and handed to [`Detail::fill`].
#[derive(Clone, Copy)]
pub struct Later {
    /// What it computes, for an error message ("GMV").
    pub what: &'static str,
    pub run: fn(&Connection, i64) -> Result<Box<dyn Any + Send>>,
}

/// A loaded detail view.
pub trait Detail: Send {
    /// The record's version as shown (verbs act on it or report a conflict).
    fn version(&self) -> Option<i64> {
        None
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>>;

    /// What to compute in the background once the view is open.
    fn later(&self) -> Option<Later> {
        None
    }

    /// Takes the value [`Detail::later`] computed.
    fn fill(&mut self, _value: Box<dyn Any + Send>) {}

    /// The screen's own type, for tests that look inside.
    fn as_any(&self) -> &dyn Any;
}

/// One screen: what the app needs to show, page, filter, open and act on
/// its records. The defaults are a screen without a list.
pub trait Screen: Sync {
    fn title(&self) -> &'static str;

    /// Where its keys are looked up.
    fn context(&self) -> Context;

    /// The entity name in `status_counts`, exports and messages ("order").
    fn entity(&self) -> &'static str;

    /// Whether the screen is a list (the dashboard is not).
    fn is_list(&self) -> bool {
        true
    }

    /// Draws a screen that is not a list.
    fn render(&self, _f: &mut Frame<'_>, _area: Rect, _app: &App) {}

    /// A screen that is not a list was switched to: what to do first (its
    /// figures, when they are missing, stale or for another day).
    fn shown(&self, _app: &mut App) -> Vec<Effect> {
        Vec::new()
    }

    /// Computes (or asks a worker for) the figures of a screen that is not
    /// a list (`Effect::Compute`).
    fn compute(&self, _app: &mut App) {}

    /// Another session wrote to the file.
    fn data_changed(&self, _app: &mut App) {}

    /// An action on a screen that is not a list.
    fn key(&self, _app: &mut App, _a: Action) -> Vec<Effect> {
        Vec::new()
    }

    /// A key in the screen's own form (`Overlay::Period`). Boxed as the
    /// overlay holds it: the screen puts it back while it stays open.
    #[allow(clippy::boxed_local)]
    fn form_key(&self, _app: &mut App, _f: Box<super::overlays::form::Form>, _a: Action) -> Vec<Effect> {
        Vec::new()
    }

    fn columns(&self) -> &'static [Column] {
        &[]
    }

    fn sort_keys(&self) -> &'static [SortKey] {
        &[]
    }

    /// Every status, in workflow order.
    fn statuses(&self) -> Vec<Status> {
        Vec::new()
    }

    /// Every word the status column can show (each must fit at 80 columns).
    fn status_words(&self) -> Vec<String> {
        Vec::new()
    }

    /// The status picker: "all", each status with its count, and the
    /// screen's exception queues.
    fn chips(&self, conn: &Connection, _fmt: &Fmt) -> Result<Vec<Chip>> {
        status_chips(conn, self.entity(), &self.statuses())
    }

    /// What the text filter matches, for the prompt.
    fn text_hint(&self) -> &'static str {
        ""
    }

    fn fetch(
        &self,
        _conn: &Connection,
        _fmt: &Fmt,
        _q: &Query,
        _seek: &Seek,
        _limit: usize,
    ) -> Result<lists::Page<TableRow>> {
        Ok(lists::Page::complete(Vec::new()))
    }

    /// The count of the view and the ids of a selective text filter.
    fn resolve(&self, _conn: &Connection, _q: &Query) -> Result<lists::Resolution> {
        Ok((Count::default(), None))
    }

    fn load_detail(&self, _conn: &Connection, _id: i64) -> Result<Option<Box<dyn Detail>>> {
        Ok(None)
    }

    /// The entity whose verbs the screen offers on its records.
    fn verb_entity(&self) -> Option<Entity> {
        None
    }

    /// Actions of this screen that are not workflow verbs.
    fn extras(&self) -> &'static [Extra] {
        &[]
    }

    /// Runs one of [`Screen::extras`] on `ids`.
    fn run_extra(&self, _app: &mut App, _a: Action, _ids: Vec<i64>) -> Result<()> {
        Ok(())
    }

    /// Writes the files of an extra that asked where to save them
    /// (`export::Save::Extra`: the pick list) into `dir`.
    fn save_extra(&self, _app: &mut App, _a: Action, _ids: &[i64], _dir: &std::path::Path) {}

    /// Streams the filtered view as CSV rows (header first).
    fn export(
        &self,
        _conn: &Connection,
        _fmt: &Fmt,
        _q: &Query,
        _w: &mut dyn FnMut(Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        Ok(0)
    }

    /// What `shopdesk bench` times on a screen that is not a list: each a
    /// label and its steps; the last step is the one timed (keypress to
    /// frame, then to the frame with the worker's answer).
    fn bench_steps(&self, _today: chrono::NaiveDate) -> Vec<(String, Vec<BenchStep>)> {
        Vec::new()
    }

    /// Realistic text-filter terms taken from a row on screen (an ASCII
    /// one, a CJK one), for `shopdesk bench`.
    fn sample_terms(&self, _row: &TableRow) -> (Option<String>, Option<String>) {
        (None, None)
    }
}

/// One step of a [`Screen::bench_steps`] sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenchStep {
    /// The key the keymap binds to this action on the screen.
    Act(Action),
    /// A chord as the keymap writes it ("ctrl-u", "tab", "enter").
    Keys(&'static str),
    /// Text typed into an open form.
    Text(String),
}

/// "all" and one chip per status, counted from `status_counts`.
pub fn status_chips(conn: &Connection, entity: &str, statuses: &[Status]) -> Result<Vec<Chip>> {
    let counts = lists::status_counts(conn, entity)?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut chips = vec![Chip {
        status: None,
        label: "all".into(),
        n: total,
    }];
    for s in statuses {
        let n = counts
            .iter()
            .find(|(k, _)| k == s.as_str())
            .map_or(0, |(_, n)| *n);
        chips.push(Chip {
            status: Some(StatusFilter::Status(*s)),
            label: s.label().to_string(),
            n,
        });
    }
    Ok(chips)
}

/// A screen's action that is not a workflow verb (the pick list).
pub struct Extra {
    pub action: Action,
    pub label: &'static str,
    /// The menu entry for the selection; `None`: not a batch action.
    pub batch: Option<&'static str>,
    pub permission: crate::domain::Permission,
    /// Why its state does not allow it on this record now, if so.
    pub state_refusal: fn(&crate::ops::verbs::Target) -> Option<String>,
}

/// A page of list rows as table rows: each row's id and version (`ident`),
/// its cells, and where it sits in the order. Whether the read stopped
/// early travels along.
pub(crate) fn table_rows<R>(
    page: lists::Page<lists::Paged<R>>,
    ident: impl Fn(&R) -> (i64, Option<i64>),
    cells: impl Fn(&R) -> Vec<Cell>,
) -> lists::Page<TableRow> {
    page.map_rows(|rows| {
        rows.into_iter()
            .map(|p| {
                let (id, version) = ident(&p.row);
                TableRow {
                    id,
                    version,
                    cells: cells(&p.row),
                    cursor: p.cursor,
                }
            })
            .collect()
    })
}

/// The first `n` characters of a cell, for bench filter terms.
pub(crate) fn cell_prefix(row: &TableRow, col: usize, n: usize) -> Option<String> {
    row.cells.get(col).map(|c| c.text.chars().take(n).collect())
}

/// The first two CJK (non-ASCII alphanumeric) characters of a cell.
pub(crate) fn cell_cjk(row: &TableRow, col: usize) -> Option<String> {
    let w: String = row
        .cells
        .get(col)?
        .text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphanumeric())
        .take(2)
        .collect();
    (!w.is_empty()).then_some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::table::layout;
    use crate::tui::widgets::text::width;

    /// The status word (its short form) is never cut at 80 columns.
    #[test]
    fn status_fits_at_80_columns_on_every_list() {
        for tab in Tab::LISTS {
            let screen = tab.screen();
            let cols = screen.columns();
            let status = cols.iter().position(|c| c.title == "status").unwrap();
            let labels = screen.status_words();
            assert!(labels.len() >= screen.statuses().len(), "{tab:?}");
            let longest = labels.iter().map(|l| width(l)).max().unwrap();
            for w in [80u16, 120, 200] {
                let widths = layout(cols, w);
                assert!(
                    widths[status] as usize >= longest,
                    "{tab:?} at {w}: status {} < {longest}",
                    widths[status]
                );
            }
        }
    }

    /// Shared TUI code names no screen: it asks `Tab::screen()`. Adding a
    /// screen's verbs or queues then touches that screen alone.
    #[test]
    fn shared_tui_code_has_no_screen_special_cases() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    if !p.ends_with("screens") {
                        files(&p, out);
                    }
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut all = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui"),
            &mut all,
        );
        assert!(all.len() > 10, "{all:?}");
        let names = ["Merchants", "Products", "Orders", "Tickets", "Dashboard"];
        let mut bad = Vec::new();
        for p in all {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, line) in text.lines().enumerate() {
                let named = names.iter().any(|n| {
                    line.contains(&format!("Tab::{n}"))
                        || line.contains(&format!("screens::{}", n.to_lowercase()))
                });
                if named {
                    bad.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// Every list screen's tab finds its own screen back by entity.
    #[test]
    fn the_registry_is_one_to_one() {
        for tab in Tab::ALL {
            assert_eq!(tab.screen().is_list(), Tab::LISTS.contains(&tab));
            if let Some(e) = tab.screen().verb_entity() {
                assert_eq!(Tab::of_entity(e), tab);
            }
        }
    }
}

//! The five screens. The four list screens share the list widget and differ
//! in columns, queries and detail views; dispatch is a plain `match` on
//! [`Tab`].

pub mod dashboard;
pub mod doc;
pub mod merchants;
pub mod orders;
pub mod products;
pub mod tickets;

use crate::store::lists::Conn as Connection;

use ratatui::text::Line;

use super::action::Action;
use super::app::App;
use super::fmt::Fmt;
use super::keymap::Context;
use super::theme::Theme;
use super::widgets::table::{Cell, Column, TableRow};
use crate::Result;
use crate::ops::verbs::Entity;
use crate::store::lists::{self, Count, Query, Seek, SortKey};

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
    pub const LISTS: [Tab; 4] = [Tab::Merchants, Tab::Products, Tab::Orders, Tab::Tickets];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Merchants => "Merchants",
            Tab::Products => "Products",
            Tab::Orders => "Orders",
            Tab::Tickets => "Tickets",
            Tab::Dashboard => "Dashboard",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn context(self) -> Context {
        match self {
            Tab::Merchants => Context::Merchants,
            Tab::Products => Context::Products,
            Tab::Orders => Context::Orders,
            Tab::Tickets => Context::Tickets,
            Tab::Dashboard => Context::Dashboard,
        }
    }

    pub fn is_list(self) -> bool {
        self != Tab::Dashboard
    }

    /// The entity whose verbs this screen offers (`ops::verbs`).
    pub fn verb_entity(self) -> Option<Entity> {
        match self {
            Tab::Merchants => Some(Entity::Merchant),
            Tab::Products => Some(Entity::Product),
            Tab::Orders => Some(Entity::Order),
            Tab::Tickets => Some(Entity::Ticket),
            Tab::Dashboard => None,
        }
        .filter(|e| crate::ops::verbs::of(*e).next().is_some())
    }

    /// The screen that lists `e`.
    pub fn of_entity(e: Entity) -> Tab {
        match e {
            Entity::Merchant => Tab::Merchants,
            Entity::Product => Tab::Products,
            Entity::Order => Tab::Orders,
            Entity::Ticket => Tab::Tickets,
        }
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

    /// Actions of this screen that are not workflow verbs.
    pub fn extras(self) -> &'static [Extra] {
        match self {
            Tab::Orders => orders::EXTRAS,
            _ => &[],
        }
    }

    /// The entity name in `status_counts` and exports.
    pub fn entity(self) -> &'static str {
        match self {
            Tab::Merchants => lists::merchants::ENTITY,
            Tab::Products => lists::products::ENTITY,
            Tab::Orders => lists::orders::ENTITY,
            Tab::Tickets => lists::tickets::ENTITY,
            Tab::Dashboard => "dashboard",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Tab::Merchants => merchants::COLUMNS,
            Tab::Products => products::COLUMNS,
            Tab::Orders => orders::COLUMNS,
            Tab::Tickets => tickets::COLUMNS,
            Tab::Dashboard => &[],
        }
    }

    pub fn sort_keys(self) -> &'static [SortKey] {
        match self {
            Tab::Merchants => lists::merchants::SORT_KEYS,
            Tab::Products => lists::products::SORT_KEYS,
            Tab::Orders => lists::orders::SORT_KEYS,
            Tab::Tickets => lists::tickets::SORT_KEYS,
            Tab::Dashboard => &[],
        }
    }

    /// Every status (stored spelling, label) in workflow order.
    pub fn statuses(self) -> Vec<(&'static str, &'static str)> {
        use crate::domain::{merchant, order, product, ticket};
        match self {
            Tab::Merchants => merchant::MerchantStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            Tab::Products => product::ProductStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            Tab::Orders => order::OrderStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            Tab::Tickets => ticket::TicketStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            Tab::Dashboard => Vec::new(),
        }
    }

    /// What the text filter matches, for the prompt.
    pub fn text_hint(self) -> &'static str {
        match self {
            Tab::Merchants => "code or name",
            Tab::Products => "SKU, title or description (耳机 works)",
            Tab::Orders => "external id or customer name (start of)",
            Tab::Tickets => "subject, or #id",
            Tab::Dashboard => "",
        }
    }

    pub fn fetch(
        self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        seek: &Seek,
        limit: usize,
    ) -> Result<lists::Page<TableRow>> {
        match self {
            Tab::Merchants => merchants::fetch(conn, fmt, q, seek, limit),
            Tab::Products => products::fetch(conn, fmt, q, seek, limit),
            Tab::Orders => orders::fetch(conn, fmt, q, seek, limit),
            Tab::Tickets => tickets::fetch(conn, fmt, q, seek, limit),
            Tab::Dashboard => Ok(lists::Page::complete(Vec::new())),
        }
    }

    /// The count of the view and the ids of a selective text filter.
    pub fn resolve(self, conn: &Connection, q: &Query) -> Result<lists::Resolution> {
        match self {
            Tab::Merchants => lists::merchants::resolve(conn, q),
            Tab::Products => lists::products::resolve(conn, q),
            Tab::Orders => lists::orders::resolve(conn, q),
            Tab::Tickets => lists::tickets::resolve(conn, q),
            Tab::Dashboard => Ok((Count::default(), None)),
        }
    }

    pub fn load_detail(self, conn: &Connection, id: i64) -> Result<Option<DetailData>> {
        Ok(match self {
            Tab::Merchants => lists::merchants::detail(conn, id)?.map(|d| DetailData::Merchant(Box::new(d))),
            Tab::Products => lists::products::detail(conn, id)?.map(|d| DetailData::Product(Box::new(d))),
            Tab::Orders => match lists::orders::detail(conn, id)? {
                Some(d) => {
                    let history = crate::store::audit::history(conn, "order", id, 100)?;
                    Some(DetailData::Order(Box::new(d), history))
                }
                None => None,
            },
            Tab::Tickets => match lists::tickets::detail(conn, id)? {
                Some(d) => {
                    let order = match d.order_id {
                        Some(oid) => lists::orders::detail(conn, oid)?,
                        None => None,
                    };
                    Some(DetailData::Ticket(Box::new(d), order.map(Box::new)))
                }
                None => None,
            },
            Tab::Dashboard => None,
        })
    }

    /// Streams the filtered view as CSV rows (header first).
    pub fn export(
        self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        w: &mut dyn FnMut(Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        match self {
            Tab::Merchants => merchants::export(conn, fmt, q, w),
            Tab::Products => products::export(conn, fmt, q, w),
            Tab::Orders => orders::export(conn, fmt, q, w),
            Tab::Tickets => tickets::export(conn, fmt, q, w),
            Tab::Dashboard => Ok(0),
        }
    }
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

/// Runs a screen's extra action (see [`Tab::extras`]) on `ids`.
pub fn run_extra(app: &mut App, a: Action, ids: Vec<i64>) -> Result<()> {
    match app.tab {
        Tab::Orders => orders::run_extra(app, a, ids),
        _ => Ok(()),
    }
}

/// A loaded detail view.
#[derive(Debug, Clone)]
pub enum DetailData {
    Merchant(Box<lists::merchants::Detail>),
    Product(Box<lists::products::Detail>),
    Order(Box<lists::orders::Detail>, Vec<crate::store::audit::Row>),
    Ticket(Box<lists::tickets::Detail>, Option<Box<lists::orders::Detail>>),
}

impl DetailData {
    /// The record's version as shown (verbs act on it or report a conflict).
    pub fn version(&self) -> Option<i64> {
        match self {
            DetailData::Order(d, _) => Some(d.version),
            _ => None,
        }
    }

    pub fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        match self {
            DetailData::Merchant(d) => merchants::detail_lines(d, fmt, width, theme),
            DetailData::Product(d) => products::detail_lines(d, fmt, width, theme),
            DetailData::Order(d, h) => orders::detail_lines(d, h, fmt, width, theme),
            DetailData::Ticket(d, o) => tickets::detail_lines(d, o.as_deref(), fmt, width, theme),
        }
    }
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

/// A status word for people ("pending payment"), from the stored spelling.
/// The status word in a list cell: the label, shortened where it is long so
/// that the status column (the word that carries status without colour)
/// fits at 80 columns. Filters and detail views use [`status_label`].
pub fn status_short(tab: Tab, s: &str) -> String {
    match (tab, s) {
        (Tab::Orders, "pending_payment") => "pending pay".to_string(),
        (Tab::Products, "pending_review") => "in review".to_string(),
        (Tab::Tickets, "waiting_customer") => "wait customer".to_string(),
        (Tab::Tickets, "waiting_merchant") => "wait merchant".to_string(),
        _ => status_label(tab, s),
    }
}

/// "hold:stock": an order on hold with its reason, short enough for the list.
pub fn hold_short(reason: &str) -> String {
    let r = match reason {
        "insufficient_stock" => "stock",
        "address_problem" => "addr",
        "risk_review" => "risk",
        "customer_request" => "cust",
        other => other,
    };
    format!("hold:{r}")
}

pub fn status_label(tab: Tab, s: &str) -> String {
    if tab == Tab::Orders
        && let Some(l) = lists::order_queues::label(s)
    {
        return l;
    }
    tab.statuses()
        .into_iter()
        .find(|(k, _)| *k == s)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| s.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::lists::{Cursor, Key};
    use crate::tui::widgets::table::{Cell, layout};
    use crate::tui::widgets::text::width;

    /// The status word is never cut at 80 columns, however long the free
    /// text beside it.
    #[test]
    fn status_fits_at_80_columns_on_every_list() {
        for tab in Tab::LISTS {
            let cols = tab.columns();
            let status = cols.iter().position(|c| c.title == "status").unwrap();
            let mut labels: Vec<String> = tab.statuses().iter().map(|(k, _)| status_short(tab, k)).collect();
            if tab == Tab::Orders {
                for r in crate::domain::order::HoldReason::ALL {
                    labels.push(hold_short(r.as_str()));
                }
            }
            let rows: Vec<TableRow> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| TableRow {
                    id: i as i64,
                    version: None,
                    cursor: Cursor {
                        key: Key::Null,
                        id: i as i64,
                    },
                    cells: (0..cols.len())
                        .map(|c| {
                            if c == status {
                                Cell::new(l.clone())
                            } else {
                                Cell::new("长长的文字 long free text 长长的文字 long")
                            }
                        })
                        .collect(),
                })
                .collect();
            let longest = labels.iter().map(|l| width(l)).max().unwrap();
            for w in [80u16, 120, 200] {
                let widths = layout(cols, &rows, w);
                assert!(
                    widths[status] as usize >= longest,
                    "{tab:?} at {w}: status {} < {longest}",
                    widths[status]
                );
            }
        }
    }
}

//! Orders: the pipeline from payment to completion, with exceptions.
//!
//! The order verbs (approve, pick, pack, ship, hold, ...) come from the verb
//! table and run through the generic `tui::verbs`; this screen adds only
//! what is its own: the pick list (`EXTRAS`) and the exception queue chips.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Detail, Extra, Screen};
use crate::Result;
use crate::domain::order::{HoldReason, OrderStatus, is_late_to_ship};
use crate::domain::pii::PiiMask;
use crate::ops::verbs::Entity;
use crate::store::lists::orders::{self as store, Row};
use crate::store::lists::{OrderQueue, Page, Query, Resolution, Seek, SortKey, Status, StatusFilter};
use crate::tui::action::Action;
use crate::tui::app::{App, Chip};
use crate::tui::fmt::Fmt;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::verbs::short;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

/// The Orders screen.
pub struct Orders;

impl Screen for Orders {
    fn title(&self) -> &'static str {
        "Orders"
    }

    fn context(&self) -> Context {
        Context::Orders
    }

    fn entity(&self) -> &'static str {
        store::ENTITY
    }

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn sort_keys(&self) -> &'static [SortKey] {
        store::SORT_KEYS
    }

    fn statuses(&self) -> Vec<Status> {
        OrderStatus::ALL.into_iter().map(Status::Order).collect()
    }

    fn status_words(&self) -> Vec<String> {
        let mut w: Vec<String> = OrderStatus::ALL
            .into_iter()
            .map(|s| status_short(s).to_string())
            .collect();
        w.extend(HoldReason::ALL.into_iter().map(hold_short));
        w
    }

    /// The statuses, each hold reason right under "on hold", and "late to
    /// ship" (now) at the end.
    fn chips(&self, conn: &Connection, fmt: &Fmt) -> Result<Vec<Chip>> {
        let mut chips = super::status_chips(conn, self.entity(), &self.statuses())?;
        let now = crate::clock::stamp(fmt.now);
        let (held, late): (Vec<_>, Vec<_>) = crate::store::lists::order_queues::queues(conn, &now)?
            .into_iter()
            .partition(|(q, _)| matches!(q, OrderQueue::Held(_)));
        let on_hold = Some(StatusFilter::Status(Status::Order(OrderStatus::OnHold)));
        let at = chips
            .iter()
            .position(|c| c.status == on_hold)
            .map_or(chips.len(), |i| i + 1);
        let held = held.into_iter().map(|(q, n)| Chip {
            label: match &q {
                OrderQueue::Held(r) => format!("  ↳ {}", r.label()),
                other => other.label(),
            },
            status: Some(StatusFilter::Queue(q)),
            n,
        });
        chips.splice(at..at, held);
        chips.extend(late.into_iter().map(|(q, n)| Chip {
            label: q.label(),
            status: Some(StatusFilter::Queue(q)),
            n,
        }));
        Ok(chips)
    }

    fn text_hint(&self) -> &'static str {
        "order no., name (start) or phone (end)"
    }

    fn fetch(
        &self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        seek: &Seek,
        limit: usize,
    ) -> Result<Page<TableRow>> {
        let page = store::page(conn, q, seek, limit)?;
        Ok(super::table_rows(
            page,
            |r| (r.id, Some(r.version)),
            |r| cells(r, fmt),
        ))
    }

    fn resolve(&self, conn: &Connection, q: &Query) -> Result<Resolution> {
        store::resolve(conn, q)
    }

    fn load_detail(&self, conn: &Connection, id: i64) -> Result<Option<Box<dyn Detail>>> {
        // Unmasked here: the detail pane masks as it formats (`Fmt`, the
        // same `domain::pii` policy), since the reader thread has no role.
        let now = crate::clock::now()?;
        let d = crate::ops::orders::read_detail(conn, id, PiiMask::NONE, now, "")?;
        Ok(d.map(|d| Box::new(OrderDetail { d }) as Box<dyn Detail>))
    }

    fn verb_entity(&self) -> Option<Entity> {
        Some(Entity::Order)
    }

    fn extras(&self) -> &'static [Extra] {
        EXTRAS
    }

    fn run_extra(&self, app: &mut App, a: Action, ids: Vec<i64>) -> Result<()> {
        run_extra(app, a, ids)
    }

    fn save_extra(&self, app: &mut App, a: Action, ids: &[i64], dir: &std::path::Path) {
        if a == Action::OrderPrint {
            write_pick_list(app, ids, dir);
        }
    }

    fn export(
        &self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        w: &mut dyn FnMut(Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        export(conn, fmt, q, w)
    }

    fn sample_terms(&self, row: &TableRow) -> (Option<String>, Option<String>) {
        (super::cell_prefix(row, 0, 6), super::cell_cjk(row, 3))
    }
}

/// An order's detail view (the one order-detail loader's data, as `order show`).
pub struct OrderDetail {
    pub d: crate::ops::orders::OrderDetail,
}

impl Detail for OrderDetail {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn version(&self) -> Option<i64> {
        Some(self.d.order.version)
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        detail_lines(&self.d, fmt, width, theme)
    }
}

/// The status word in a list cell: the label, shortened where it is long so
/// that the status column fits at 80 columns.
fn status_short(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::PendingPayment => "pending pay",
        s => s.label(),
    }
}

/// "hold:stock": an order on hold with its reason, short enough for the list.
fn hold_short(reason: HoldReason) -> String {
    let r = match reason {
        HoldReason::InsufficientStock => "stock",
        HoldReason::AddressProblem => "addr",
        HoldReason::RiskReview => "risk",
        HoldReason::CustomerRequest => "cust",
        HoldReason::Other => "other",
    };
    format!("hold:{r}")
}

/// At 80 columns: external id, placed (month-day), customer, total, status
/// and ship-by; merchant, item count and channel (also in the id's prefix)
/// come in as the width allows; wide terminals get full dates, the hold
/// reason in words and the ship-by time beside its countdown.
pub const COLUMNS: &[Column] = &[
    Column::new("external id", 17, 17).priority(95),
    Column::new("chan", 6, 6).priority(10),
    Column::new("placed", 11, 16).priority(40),
    Column::new("customer", 12, 14)
        .wide(20)
        .grow()
        .priority(70)
        .short("cust"),
    Column::new("merchant", 8, 8).priority(30),
    Column::new("qty", 3, 3).right().priority(20),
    Column::new("total", 10, 10).right().priority(80),
    Column::new("status", 11, 11).wide(26).priority(90),
    Column::new("ship by", 12, 12).wide(29).priority(60),
];

fn late(r: &Row, fmt: &Fmt) -> bool {
    late_at(r.status, r.ship_by_at.as_deref(), fmt)
}

/// Not shipped and past its ship-by time, on the pane's clock.
fn late_at(status: OrderStatus, ship_by: Option<&str>, fmt: &Fmt) -> bool {
    let due = ship_by
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    is_late_to_ship(status, due, fmt.now)
}

fn ship_by_cell(r: &Row, fmt: &Fmt) -> Cell {
    if late(r, fmt) {
        let due = r.ship_by_at.as_deref().unwrap_or_default();
        let by = fmt.due(due).replace("OVERDUE ", "");
        return Cell::new(format!("LATE {by}"))
            .or_long(format!("LATE {} ({by})", fmt.time(due)))
            .tone(Tone::Bad);
    }
    // An unpaid order has no deadline yet.
    match &r.ship_by_at {
        Some(due) if r.status.is_open() && r.status != OrderStatus::PendingPayment => {
            let left = fmt.due(due).replace("due ", "");
            Cell::new(&left)
                .or_long(format!("{} ({left})", fmt.time(due)))
                .tone(Tone::Dim)
        }
        _ => Cell::new(""),
    }
}

fn status_cell(r: &Row) -> Cell {
    let label = status_short(r.status);
    match (r.hold_reason, r.status) {
        (Some(h), _) => Cell::new(hold_short(h))
            .or_long(format!("on hold: {}", h.label()))
            .tone(Tone::Warn),
        (None, s) if s.is_void() => Cell::new(label).or_long(s.label()).tone(Tone::Dim),
        (None, s @ (OrderStatus::Completed | OrderStatus::Delivered)) => {
            Cell::new(label).or_long(s.label()).tone(Tone::Good)
        }
        (None, s) => Cell::new(label).or_long(s.label()),
    }
}

fn cells(r: &Row, fmt: &Fmt) -> Vec<Cell> {
    let merchant = if r.merchants > 1 {
        format!("{} +{}", r.merchant_code, r.merchants - 1)
    } else {
        r.merchant_code.clone()
    };
    vec![
        Cell::new(&r.external_id),
        Cell::new(&r.channel),
        Cell::new(fmt.time_short(&r.placed_at)).or_long(fmt.time(&r.placed_at)),
        Cell::new(&r.customer_name),
        Cell::new(merchant),
        Cell::new(r.item_count.to_string()),
        Cell::new(fmt.money(r.total_minor)),
        status_cell(r),
        ship_by_cell(r, fmt),
    ]
}

fn export(
    conn: &Connection,
    fmt: &Fmt,
    q: &Query,
    w: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<u64> {
    w([
        "id",
        "channel",
        "external_id",
        "placed_at",
        "customer_name",
        "merchant_code",
        "merchants",
        "items",
        "total",
        "status",
        "hold_reason",
        "ship_by_at",
        "late",
    ]
    .map(String::from)
    .to_vec())?;
    store::stream(conn, q, &mut |r: Row| {
        let is_late = late(&r, fmt);
        w(vec![
            r.id.to_string(),
            r.channel,
            r.external_id,
            fmt.time(&r.placed_at),
            r.customer_name,
            r.merchant_code,
            r.merchants.to_string(),
            r.item_count.to_string(),
            crate::domain::money::Money(r.total_minor).plain(),
            r.status.to_string(),
            r.hold_reason.map(|h| h.to_string()).unwrap_or_default(),
            r.ship_by_at.map(|t| fmt.time(&t)).unwrap_or_default(),
            if is_late { "yes".into() } else { String::new() },
        ])
    })
}

fn detail_lines(
    d: &crate::ops::orders::OrderDetail,
    fmt: &Fmt,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.order;
    let history = &d.history;
    doc.title(&format!(
        "Order {} ({}) — {}",
        r.external_id,
        r.channel,
        r.status.label()
    ));
    if let Some(h) = r.hold_reason {
        doc.field_styled(
            "on hold",
            format!(
                "{} (returns to {} when released)",
                h.label(),
                r.held_from.map_or("?", |s| s.label())
            ),
            theme.warn,
        );
    }
    if let Some(c) = &r.cancel_reason {
        doc.field("cancel reason", c);
    }
    if let Some(m) = r.merged_into {
        doc.field("merged into", format!("order #{m}"));
    }
    doc.field("placed", fmt.time(&r.placed_at));
    for (label, t) in d.times() {
        doc.field(label, fmt.time(t));
    }
    if let Some(due) = &r.ship_by_at {
        if late_at(r.status, r.ship_by_at.as_deref(), fmt) {
            doc.field_styled(
                "ship by",
                format!("{} — LATE ({})", fmt.time(due), fmt.due(due)),
                theme.error,
            );
        } else {
            doc.field("ship by", fmt.time(due));
        }
    }
    doc.field(
        "total",
        format!(
            "{} = items {} + shipping {}",
            fmt.money(r.items_minor.saturating_add(r.shipping_minor)),
            fmt.money(r.items_minor),
            fmt.money(r.shipping_minor)
        ),
    );
    doc.section("Customer and address");
    let (name, customer_ref) = d
        .customer
        .as_ref()
        .map_or(("", ""), |c| (c.name.as_str(), c.external_ref.as_str()));
    doc.field("customer", format!("{name} ({customer_ref})"));
    doc.field("ship to", format!("{} {}", r.ship_name, fmt.phone(&r.ship_phone)));
    doc.field(
        "address",
        format!("{} {}", r.ship_city, fmt.address(&r.ship_address)),
    );
    if !fmt.sees_pii() {
        doc.note("phone and address are masked for your role");
    }
    doc.section("Lines");
    let rows = d
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line_no.to_string(),
                l.sku.clone(),
                l.merchant_code.clone(),
                l.qty.to_string(),
                fmt.money(l.unit_price_minor),
                fmt.money(l.unit_price_minor.saturating_mul(l.qty)),
                l.title.clone(),
            ]
        })
        .collect();
    doc.table(
        &[
            ("#", 2, true),
            ("sku", 14, false),
            ("merchant", 8, false),
            ("qty", 4, true),
            ("unit", 10, true),
            ("amount", 11, true),
            ("title", 10, false),
        ],
        rows,
    );
    doc.section("Shipment");
    doc.field(
        "carrier",
        format!(
            "{} {}{}",
            r.carrier.as_deref().unwrap_or("—"),
            r.tracking_no.as_deref().unwrap_or(""),
            r.weight_g.map(|g| format!(" ({g} g)")).unwrap_or_default()
        ),
    );
    let rows = d
        .events
        .iter()
        .map(|e| {
            vec![
                fmt.time(&e.at),
                e.status.clone(),
                format!("{} {}", e.location, e.note),
            ]
        })
        .collect();
    doc.table(
        &[("when", 16, false), ("status", 14, false), ("where", 10, false)],
        rows,
    );
    if !d.tickets.is_empty() {
        doc.section("Tickets");
        let rows = d
            .tickets
            .iter()
            .map(|t| {
                vec![
                    format!("#{}", t.id),
                    t.kind.clone(),
                    t.status.as_str().replace('_', " "),
                    t.subject.clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                ("id", 7, false),
                ("kind", 11, false),
                ("status", 16, false),
                ("subject", 10, false),
            ],
            rows,
        );
    }
    super::history::section(&mut doc, history, fmt, theme);
    doc.lines
}

/// The Orders screen's actions that are not verbs.
const EXTRAS: &[Extra] = &[Extra {
    action: Action::OrderPrint,
    label: "print pick list",
    batch: Some("print pick list + packing slips"),
    permission: crate::domain::Permission::ManageOrders,
    state_refusal: print_state,
}];

fn print_state(t: &crate::ops::verbs::Target) -> Option<String> {
    let ready = t
        .state
        .first()
        .and_then(|s| s.parse::<OrderStatus>().ok())
        .is_some_and(OrderStatus::is_pickable);
    (!ready).then(|| "needs approved or picking".to_string())
}

/// Asks where to write the pick list and packing slips for `ids`
/// (`order_print`); `write_pick_list` writes them there.
fn run_extra(app: &mut App, a: Action, ids: Vec<i64>) -> crate::Result<()> {
    let Some(e) = EXTRAS.iter().find(|e| e.action == a) else {
        return Ok(());
    };
    if let Err(r) = app.session.actor.role.require(e.permission) {
        app.warn(r.to_string());
        return Ok(());
    }
    let title = format!(
        "Pick list and packing slips for {} order{}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" }
    );
    crate::tui::export::ask(
        app,
        crate::tui::export::Save::Extra {
            action: a,
            ids,
            title,
        },
    );
    Ok(())
}

/// Writes the pick list and packing slips for `ids` into `dir`, and names
/// the files written in the message log.
fn write_pick_list(app: &mut App, ids: &[i64], dir: &std::path::Path) {
    match crate::ops::orders::pick_documents(&app.session, ids, dir) {
        Ok(r) => {
            let first = r
                .paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let mut msg = format!(
                "pick list for {} order{} written to {first} (+{} more files in {})",
                r.included.len(),
                if r.included.len() == 1 { "" } else { "s" },
                r.paths.len().saturating_sub(1),
                dir.display()
            );
            if let Some((_, why)) = r.skipped.first() {
                msg.push_str(&format!("; {} skipped: {}", r.skipped.len(), short(why)));
                app.warn(msg);
            } else {
                app.say(msg);
            }
        }
        Err(e) => app.warn(short(&e.to_string())),
    }
}

//! Orders: the pipeline from payment to completion, with exceptions.
//!
//! The order verbs (approve, pick, pack, ship, hold, ...) come from the verb
//! table and run through the generic `tui::verbs`; this screen adds only
//! what is its own: the pick list (`EXTRAS`) and the exception queue chips.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Tab, hold_short, status_label, status_short};
use crate::Result;
use crate::domain::order::{OrderStatus, is_late_to_ship};
use crate::store::lists::orders::{self as store, Detail, Row};
use crate::store::lists::{Page, Query, Seek};
use crate::tui::action::Action;
use crate::tui::app::{App, Chip};
use crate::tui::fmt::Fmt;
use crate::tui::theme::Theme;
use crate::tui::verbs::short;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

pub const COLUMNS: &[Column] = &[
    Column::new("external id", 10, 22).keep(),
    Column::new("chan", 4, 8).optional(),
    Column::new("placed", 14, 14),
    Column::new("customer", 6, 12).grow().short("cust"),
    Column::new("merchant", 6, 10).short("mrch"),
    Column::new("qty", 3, 5).right().optional(),
    Column::new("total", 9, 12).right(),
    Column::new("status", 9, 26).keep(),
    Column::new("ship by", 9, 13),
];

fn late(r: &Row, fmt: &Fmt) -> bool {
    let status = r.status.parse::<OrderStatus>().ok();
    let due = r
        .ship_by_at
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    status.is_some_and(|s| is_late_to_ship(s, due, fmt.now))
}

fn ship_by_cell(r: &Row, fmt: &Fmt) -> Cell {
    if late(r, fmt) {
        return Cell::new("LATE").tone(Tone::Bad);
    }
    match (r.status.as_str(), &r.ship_by_at) {
        ("paid" | "approved" | "picking" | "packed" | "on_hold", Some(due)) => {
            Cell::new(fmt.due(due).replace("due ", "")).tone(Tone::Dim)
        }
        _ => Cell::new(""),
    }
}

fn status_cell(r: &Row) -> Cell {
    let label = status_short(Tab::Orders, &r.status);
    match (&r.hold_reason, r.status.as_str()) {
        (Some(h), _) => Cell::new(hold_short(h)).tone(Tone::Warn),
        (None, "cancelled" | "merged") => Cell::new(label).tone(Tone::Dim),
        (None, "completed" | "delivered") => Cell::new(label).tone(Tone::Good),
        _ => Cell::new(label),
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
        Cell::new(fmt.time_short(&r.placed_at)),
        Cell::new(&r.customer_name),
        Cell::new(merchant),
        Cell::new(r.item_count.to_string()),
        Cell::new(fmt.money(r.total_minor)),
        status_cell(r),
        ship_by_cell(r, fmt),
    ]
}

pub fn fetch(conn: &Connection, fmt: &Fmt, q: &Query, seek: &Seek, limit: usize) -> Result<Page<TableRow>> {
    let page = store::page(conn, q, seek, limit)?;
    Ok(super::table_rows(
        page,
        |r| (r.id, Some(r.version)),
        |r| cells(r, fmt),
    ))
}

pub fn export(
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
            r.status,
            r.hold_reason.unwrap_or_default(),
            r.ship_by_at.map(|t| fmt.time(&t)).unwrap_or_default(),
            if is_late { "yes".into() } else { String::new() },
        ])
    })
}

pub fn detail_lines(
    d: &Detail,
    history: &[crate::store::audit::Row],
    fmt: &Fmt,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!(
        "Order {} ({}) — {}",
        r.external_id,
        r.channel,
        status_label(Tab::Orders, &r.status)
    ));
    if let Some(h) = &r.hold_reason {
        doc.field_styled(
            "on hold",
            format!(
                "{} (returns to {} when released)",
                h.replace('_', " "),
                d.held_from.as_deref().unwrap_or("?").replace('_', " ")
            ),
            theme.warn,
        );
    }
    if let Some(c) = &d.cancel_reason {
        doc.field("cancel reason", c);
    }
    if let Some(m) = d.merged_into {
        doc.field("merged into", format!("order #{m}"));
    }
    doc.field("placed", fmt.time(&r.placed_at));
    for (label, t) in &d.times {
        doc.field(label, fmt.time(t));
    }
    if let Some(due) = &r.ship_by_at {
        if late(r, fmt) {
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
            fmt.money(d.items_minor.saturating_add(d.shipping_minor)),
            fmt.money(d.items_minor),
            fmt.money(d.shipping_minor)
        ),
    );
    doc.section("Customer and address");
    doc.field("customer", format!("{} ({})", r.customer_name, d.customer_ref));
    doc.field("ship to", format!("{} {}", d.ship_name, fmt.phone(&d.ship_phone)));
    doc.field(
        "address",
        format!("{} {}", d.ship_city, fmt.address(&d.ship_address)),
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
            d.carrier.as_deref().unwrap_or("—"),
            d.tracking_no.as_deref().unwrap_or(""),
            d.weight_g.map(|g| format!(" ({g} g)")).unwrap_or_default()
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
                    t.status.replace('_', " "),
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
    doc.section("History");
    let rows = history
        .iter()
        .map(|h| vec![fmt.time(&h.at), h.actor.clone(), h.action.clone()])
        .collect();
    doc.table(
        &[("when", 16, false), ("who", 12, false), ("action", 10, false)],
        rows,
    );
    doc.lines
}

/// The Orders screen's actions that are not verbs.
pub const EXTRAS: &[super::Extra] = &[super::Extra {
    action: Action::OrderPrint,
    label: "print pick list",
    batch: Some("print pick list + packing slips"),
    permission: crate::domain::Permission::ManageOrders,
    state_refusal: print_state,
}];

fn print_state(t: &crate::ops::verbs::Target) -> Option<String> {
    let ready = [OrderStatus::Approved.as_str(), OrderStatus::Picking.as_str()];
    (!t.state.first().is_some_and(|s| ready.contains(&s.as_str())))
        .then(|| "needs approved or picking".to_string())
}

/// Writes the pick list and packing slips for `ids` (`order_print`).
pub fn run_extra(app: &mut App, a: Action, ids: Vec<i64>) -> crate::Result<()> {
    let Some(e) = EXTRAS.iter().find(|e| e.action == a) else {
        return Ok(());
    };
    if let Err(r) = app.session.actor.role.require(e.permission) {
        app.warn(r.to_string());
        return Ok(());
    }
    let dir = app.export_dir.clone().unwrap_or_else(crate::config::output_dir);
    match crate::ops::orders::pick_documents(&app.session, &ids, &dir) {
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
    Ok(())
}

/// Adds the exception queues to the Orders status chips: each hold reason
/// right under "on hold", and "late to ship" (now) at the end.
pub fn add_queue_chips(app: &App, chips: &mut Vec<Chip>) -> crate::Result<()> {
    let now = crate::clock::stamp(app.fmt.now);
    let mut queues = crate::store::lists::order_queues::chips(&app.session.conn, &now)?;
    let late = queues.pop();
    let at = chips
        .iter()
        .position(|c| c.status.as_deref() == Some(crate::domain::order::OrderStatus::OnHold.as_str()))
        .map_or(chips.len(), |i| i + 1);
    let held = queues.into_iter().map(|(status, label, n)| Chip {
        status: Some(status),
        label: format!("  ↳ {}", label.trim_start_matches("on hold: ")),
        n,
    });
    chips.splice(at..at, held);
    if let Some((status, label, n)) = late {
        chips.push(Chip {
            status: Some(status),
            label,
            n,
        });
    }
    Ok(())
}

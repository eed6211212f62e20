//! Tickets: after-sales and disputes.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Tab, status_label, status_short};
use crate::Result;
use crate::domain::ticket::{TicketStatus, is_open, sla_paused};
use crate::store::lists::orders::Detail as OrderDetail;
use crate::store::lists::tickets::{self as store, Detail, Row};
use crate::store::lists::{Page, Query, Seek};
use crate::tui::fmt::Fmt;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

pub const COLUMNS: &[Column] = &[
    Column::new("id", 4, 9).right().keep(),
    Column::new("kind", 7, 11),
    Column::new("status", 9, 20).keep(),
    Column::new("order", 8, 20).optional(),
    Column::new("assignee", 5, 10).short("who"),
    Column::new("prio", 6, 6),
    Column::new("SLA", 9, 14),
    Column::new("opened", 14, 14).optional(),
    Column::new("subject", 8, 40).grow(),
];

/// The deadline that matters now: the audit deadline while new, the
/// resolution deadline while open; "paused" while waiting for the customer.
fn sla(r: &Row) -> Option<(&str, bool)> {
    let status = r.status.parse::<TicketStatus>().ok()?;
    if !is_open(status) {
        return None;
    }
    if sla_paused(status) {
        return Some(("", true));
    }
    match status {
        TicketStatus::New => r.audit_due_at.as_deref().map(|d| (d, false)),
        _ => r.resolve_due_at.as_deref().map(|d| (d, false)),
    }
}

fn sla_cell(r: &Row, fmt: &Fmt) -> Cell {
    match sla(r) {
        Some((_, true)) => Cell::new("paused").tone(Tone::Dim),
        Some((due, false)) => {
            // The stored due time is moved on by the pause when it ends.
            let tone = if fmt.is_overdue(due) {
                Tone::Bad
            } else {
                Tone::Normal
            };
            Cell::new(fmt.due(due).replace("due ", "")).tone(tone)
        }
        None => Cell::new(""),
    }
}

fn priority_cell(p: &str) -> Cell {
    match p {
        "urgent" => Cell::new("URGENT").tone(Tone::Bad),
        "high" => Cell::new("high").tone(Tone::Warn),
        other => Cell::new(other),
    }
}

fn cells(r: &Row, fmt: &Fmt) -> Vec<Cell> {
    vec![
        Cell::new(format!("#{}", r.id)),
        Cell::new(r.kind.replace('_', " ")),
        Cell::new(status_short(Tab::Tickets, &r.status)),
        Cell::new(r.order_external_id.as_deref().unwrap_or("—")),
        Cell::new(r.assignee.as_deref().unwrap_or("—")),
        priority_cell(&r.priority),
        sla_cell(r, fmt),
        Cell::new(fmt.time_short(&r.opened_at)),
        Cell::new(&r.subject),
    ]
}

pub fn fetch(conn: &Connection, fmt: &Fmt, q: &Query, seek: &Seek, limit: usize) -> Result<Page<TableRow>> {
    let page = store::page(conn, q, seek, limit)?;
    Ok(super::table_rows(page, |r| (r.id, None), |r| cells(r, fmt)))
}

pub fn export(
    conn: &Connection,
    fmt: &Fmt,
    q: &Query,
    w: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<u64> {
    w([
        "id",
        "kind",
        "status",
        "order_external_id",
        "assignee",
        "priority",
        "sla_due_at",
        "opened_at",
        "subject",
    ]
    .map(String::from)
    .to_vec())?;
    store::stream(conn, q, &mut |r: Row| {
        let due = sla(&r)
            .and_then(|(d, paused)| (!paused).then(|| fmt.time(d)))
            .unwrap_or_default();
        w(vec![
            r.id.to_string(),
            r.kind,
            r.status,
            r.order_external_id.unwrap_or_default(),
            r.assignee.unwrap_or_default(),
            r.priority,
            due,
            fmt.time(&r.opened_at),
            r.subject,
        ])
    })
}

pub fn detail_lines(
    d: &Detail,
    order: Option<&OrderDetail>,
    fmt: &Fmt,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!("Ticket #{} — {}", r.id, r.subject));
    doc.field("kind", r.kind.replace('_', " "));
    doc.field("status", status_label(Tab::Tickets, &r.status));
    doc.field("priority", &r.priority);
    doc.field("assignee", r.assignee.as_deref().unwrap_or("— (unclaimed)"));
    match sla(r) {
        Some((_, true)) => doc.field("SLA", "paused while waiting for the customer"),
        Some((due, false)) => {
            let style = if fmt.is_overdue(due) {
                theme.error
            } else {
                theme.base
            };
            doc.field_styled("SLA", format!("{} ({})", fmt.due(due), fmt.time(due)), style);
        }
        None => {}
    }
    doc.field("opened", fmt.time(&r.opened_at));
    if let Some(t) = &d.approved_at {
        doc.field("approved", fmt.time(t));
    }
    if let Some(t) = &d.resolved_at {
        doc.field("resolved", fmt.time(t));
    }
    if let Some(t) = &d.closed_at {
        doc.field("closed", fmt.time(t));
    }
    if let Some(res) = &d.resolution {
        let refund = if d.refund_minor > 0 {
            format!(", refund {}", fmt.money(d.refund_minor))
        } else {
            String::new()
        };
        doc.field("resolution", format!("{}{refund}", res.replace('_', " ")));
    }
    if let Some(x) = &d.reject_reason {
        doc.field("reject reason", x);
    }
    if let Some(s) = d.satisfaction {
        doc.field("satisfaction", format!("{s}/5"));
    }
    if d.quality_issue {
        doc.field("quality issue", "yes (not bound by the return window)");
    }
    if let (Some(c), Some(e)) = (&d.channel, &d.external_id) {
        doc.field("source", format!("{c} {e}"));
    }
    doc.field("customer", d.customer_name.as_deref().unwrap_or("—"));
    doc.field("merchant", d.merchant_code.as_deref().unwrap_or("—"));
    doc.section("Description");
    doc.para(&d.description);
    doc.section("Conversation");
    if d.messages.is_empty() {
        doc.note("(no messages)");
    }
    for m in &d.messages {
        let who = format!(
            "{} {} ({}){}",
            fmt.time(&m.created_at),
            m.author,
            m.author_kind,
            if m.internal { " — INTERNAL NOTE" } else { "" }
        );
        doc.field_styled("", who, if m.internal { theme.warn } else { theme.dim });
        doc.para(&format!("    {}", m.body));
    }
    doc.section("Order");
    match order {
        None => doc.note("(no order)"),
        Some(o) => {
            let or = &o.row;
            doc.field(
                "order",
                format!(
                    "{} ({}) — {}",
                    or.external_id,
                    or.channel,
                    status_label(Tab::Orders, &or.status)
                ),
            );
            doc.field("placed", fmt.time(&or.placed_at));
            doc.field("total", fmt.money(or.total_minor));
            doc.field("ship to", format!("{} {}", o.ship_name, fmt.phone(&o.ship_phone)));
            doc.field(
                "address",
                format!("{} {}", o.ship_city, fmt.address(&o.ship_address)),
            );
            for l in &o.lines {
                doc.field(
                    "",
                    format!(
                        "{} × {} {} @ {}",
                        l.qty,
                        l.sku,
                        l.title,
                        fmt.money(l.unit_price_minor)
                    ),
                );
            }
        }
    }
    doc.lines
}

//! Tickets: after-sales and disputes.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Detail, Screen};
use crate::Result;
use crate::domain::ticket::{Priority, TicketStatus, sla_paused};
use crate::ops::verbs::Entity;
use crate::store::lists::orders::Detail as OrderDetail;
use crate::store::lists::ticket_queues;
use crate::store::lists::tickets::{self as store, Row};
use crate::store::lists::{Page, Query, Resolution, Seek, SortKey, Status, StatusFilter, TicketQueue};
use crate::tui::app::Chip;
use crate::tui::fmt::Fmt;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

/// The Tickets screen.
pub struct Tickets;

impl Screen for Tickets {
    fn title(&self) -> &'static str {
        "Tickets"
    }

    fn context(&self) -> Context {
        Context::Tickets
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
        TicketStatus::ALL.into_iter().map(Status::Ticket).collect()
    }

    /// "open, by SLA due" first after "all" (every ticket whose SLA clock
    /// runs, overdue first), then the support queues: needs me, unassigned,
    /// overdue (now), waiting, escalated; each opens by SLA due.
    fn chips(&self, conn: &Connection, fmt: &Fmt) -> Result<Vec<Chip>> {
        let mut chips = super::status_chips(conn, self.entity(), &self.statuses())?;
        let queue = TicketQueue::SlaRunning;
        let held = queue.statuses();
        let n = chips
            .iter()
            .filter(|c| {
                c.status
                    .as_ref()
                    .and_then(StatusFilter::status)
                    .is_some_and(|s| matches!(s, Status::Ticket(t) if held.contains(&t)))
            })
            .map(|c| c.n)
            .sum();
        let now = crate::clock::stamp(fmt.now);
        let mut queues = vec![Chip {
            label: queue.label().to_string(),
            status: Some(StatusFilter::Tickets(queue)),
            n,
        }];
        queues.extend(
            ticket_queues::queues(conn, fmt.me, &now)?
                .into_iter()
                .map(|(q, n)| Chip {
                    label: format!("  ↳ {}", q.label()),
                    status: Some(StatusFilter::Tickets(q)),
                    n,
                }),
        );
        let at = 1.min(chips.len());
        chips.splice(at..at, queues);
        Ok(chips)
    }

    fn status_words(&self) -> Vec<String> {
        TicketStatus::ALL
            .into_iter()
            .map(|s| status_short(s).to_string())
            .collect()
    }

    fn text_hint(&self) -> &'static str {
        "subject, #id, order no., name, phone"
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
        Ok(super::table_rows(page, |r| (r.id, None), |r| cells(r, fmt)))
    }

    fn resolve(&self, conn: &Connection, q: &Query) -> Result<Resolution> {
        store::resolve(conn, q)
    }

    /// The ticket with its order (if any).
    fn load_detail(&self, conn: &Connection, id: i64) -> Result<Option<Box<dyn Detail>>> {
        let Some(d) = store::detail(conn, id)? else {
            return Ok(None);
        };
        let order = match d.order_id {
            Some(oid) => crate::store::lists::orders::detail(conn, oid)?,
            None => None,
        };
        let timeline = crate::ops::tickets::read_timeline(conn, id, crate::clock::now()?)?;
        let history = crate::ops::history::of(conn, "ticket", id, HISTORY_ROWS)?;
        Ok(Some(Box::new(TicketDetail {
            d,
            order,
            timeline,
            history,
        })))
    }

    fn verb_entity(&self) -> Option<Entity> {
        Some(Entity::Ticket)
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

    /// The whole "#id" and two CJK characters of the subject.
    fn sample_terms(&self, row: &TableRow) -> (Option<String>, Option<String>) {
        (super::cell_prefix(row, 0, usize::MAX), super::cell_cjk(row, 8))
    }
}

struct TicketDetail {
    d: store::Detail,
    order: Option<OrderDetail>,
    /// The SLA clock from the status log, and schema 6's columns.
    timeline: Option<crate::ops::tickets::Timeline>,
    /// Who did what when, with reasons and fields before → after (the
    /// newest `HISTORY_ROWS` audit rows, oldest first).
    history: Vec<crate::ops::history::Row>,
}

/// Audit rows a ticket's detail shows at most.
const HISTORY_ROWS: usize = 50;

impl Detail for TicketDetail {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        let mut lines = detail_lines(&self.d, self.order.as_ref(), fmt, width, theme);
        if let Some(t) = &self.timeline {
            lines.extend(timeline_lines(t, fmt, width, theme));
        }
        let mut doc = Doc::new(width, theme);
        // A ticket's image holds no personal data (ids only; a test checks).
        super::history::section_with(&mut doc, &self.history, fmt, theme, false);
        lines.extend(doc.lines);
        lines
    }
}

/// The status word in a list cell, shortened to fit at 80 columns.
fn status_short(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::WaitingCustomer => "wait customer",
        TicketStatus::WaitingMerchant => "wait merchant",
        s => s.label(),
    }
}

/// At 80 columns: number, kind, status, who, priority, SLA and the subject;
/// the order and the opening time come in as the width allows, then full
/// status words and the SLA's due time.
pub const COLUMNS: &[Column] = &[
    Column::new("id", 7, 7).right().priority(95),
    Column::new("kind", 11, 11).priority(50),
    Column::new("status", 13, 13).wide(20).priority(90),
    Column::new("order", 17, 17).priority(35),
    Column::new("assignee", 5, 8).priority(45).short("who"),
    Column::new("prio", 6, 6).priority(60),
    Column::new("SLA", 12, 15).wide(33).priority(70),
    Column::new("opened", 11, 16).priority(30),
    Column::new("subject", 16, 40).wide(80).grow().priority(80),
];

/// The deadline that matters now: the audit deadline while new, the
/// resolution deadline while open; "paused" while waiting for the customer.
fn sla(r: &Row) -> Option<(&str, bool)> {
    let status = r.status;
    if !status.is_open() {
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
            let left = fmt.due(due).replace("due ", "");
            // One word for overdue in the narrow form, whatever the span.
            let short = left.replace("OVERDUE ", "late ");
            Cell::new(short)
                .or_long(format!("{} ({left})", fmt.time(due)))
                .tone(tone)
        }
        None => Cell::new(""),
    }
}

fn priority_cell(p: Priority) -> Cell {
    match p {
        Priority::Urgent => Cell::new("URGENT").tone(Tone::Bad),
        Priority::High => Cell::new(p.as_str()).tone(Tone::Warn),
        other => Cell::new(other.as_str()),
    }
}

fn cells(r: &Row, fmt: &Fmt) -> Vec<Cell> {
    vec![
        Cell::new(format!("#{}", r.id)),
        Cell::new(r.kind.replace('_', " ")),
        Cell::new(status_short(r.status)).or_long(r.status.label()),
        Cell::new(r.order_external_id.as_deref().unwrap_or("—")),
        Cell::new(r.assignee.as_deref().unwrap_or("—")),
        priority_cell(r.priority),
        sla_cell(r, fmt),
        Cell::new(fmt.time_short(&r.opened_at)).or_long(fmt.time(&r.opened_at)),
        Cell::new(&r.subject),
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
            r.status.to_string(),
            r.order_external_id.unwrap_or_default(),
            r.assignee.unwrap_or_default(),
            r.priority.to_string(),
            due,
            fmt.time(&r.opened_at),
            r.subject,
        ])
    })
}

fn detail_lines(
    d: &store::Detail,
    order: Option<&OrderDetail>,
    fmt: &Fmt,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!("Ticket #{} — {}", r.id, r.subject));
    doc.field("kind", r.kind.replace('_', " "));
    doc.field("status", r.status.label());
    doc.field("priority", r.priority.as_str());
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
                format!("{} ({}) — {}", or.external_id, or.channel, or.status.label()),
            );
            doc.field("placed", fmt.time(&or.placed_at));
            doc.field("total", fmt.money(or.total_minor));
            // Revealed in this session (the `reveal` verb, audited): shown as stored.
            let revealed = crate::ops::tickets::is_revealed(r.id);
            let (phone, address) = if revealed {
                (o.ship_phone.clone(), o.ship_address.clone())
            } else {
                (fmt.phone(&o.ship_phone), fmt.address(&o.ship_address))
            };
            doc.field("ship to", format!("{} {phone}", o.ship_name));
            doc.field("address", format!("{} {address}", o.ship_city));
            if !revealed && !fmt.sees_pii() {
                doc.note("(phone and address masked for your role; V reveals them, audited)");
            }
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

/// The SLA clock and the status log: due times, paused spans, first
/// response, the reason, a refund awaiting an owner, the dispute's state.
fn timeline_lines(
    t: &crate::ops::tickets::Timeline,
    fmt: &Fmt,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let k = &t.ticket;
    let sla = &t.sla;
    doc.section("SLA and timeline");
    doc.field("reason", k.reason.as_deref().unwrap_or("—"));
    let late = |yes: bool| if yes { " — LATE" } else { "" };
    doc.field(
        "audit due",
        format!("{}{}", fmt.time(&sla.audit_due_at), late(sla.audit_late)),
    );
    match (&sla.resolve_due_at, sla.paused) {
        (_, true) => doc.field("resolve due", "paused while waiting for the customer"),
        (Some(d), false) => doc.field(
            "resolve due",
            format!("{}{}", fmt.time(d), late(sla.resolve_late)),
        ),
        (None, false) => {}
    }
    doc.field(
        "time used",
        format!(
            "{}h {:02}m of {}h (business hours, waits excluded)",
            sla.used_business_secs / 3600,
            sla.used_business_secs % 3600 / 60,
            sla.budget_business_secs / 3600
        ),
    );
    doc.field(
        "first reply",
        sla.first_response_at
            .as_deref()
            .map(|x| fmt.time(x))
            .unwrap_or_else(|| "— (none yet)".into()),
    );
    for (a, b) in &sla.paused_spans {
        let end = b.as_deref().map(|x| fmt.time(x)).unwrap_or_else(|| "now".into());
        doc.field("paused", format!("{} – {end}", fmt.time(a)));
    }
    if let Some(p) = k.pending_refund_minor {
        doc.field_styled(
            "refund",
            format!(
                "{} awaits an owner (asked by {}; Y approves)",
                fmt.money(p),
                k.pending_by.as_deref().unwrap_or("—")
            ),
            theme.warn,
        );
    }
    if let Some(p) = &k.return_shipping {
        doc.field("return ship", format!("paid by the {p}"));
    }
    if k.kind == "dispute" {
        let due = k
            .respond_due_at
            .as_deref()
            .map(|x| format!("response due {}", fmt.time(x)))
            .unwrap_or_else(|| "no response deadline".into());
        let answered = k
            .responded_at
            .as_deref()
            .map(|x| format!("responded {}", fmt.time(x)))
            .unwrap_or_else(|| "not yet responded".into());
        doc.field("merchant", format!("{due}, {answered}"));
        if let Some(p) = &k.ruling_payer {
            doc.field(
                "ruling",
                format!("{p} pays; merchant's share {}", fmt.money(k.merchant_share_minor)),
            );
        }
    }
    for e in &t.log {
        doc.field(
            "",
            format!("{}  {}  {}", fmt.time(&e.at), e.status.replace('_', " "), e.actor),
        );
    }
    doc.lines
}

//! Tickets, their status log, conversation, canned replies, reason
//! taxonomy and refunds: the SQL behind the ticket workflows
//! (`ops::tickets`). Statuses are stored text; the workflow layer parses them.

pub mod import;
mod talk;

pub use talk::*;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One `tickets` row as the workflows load and write it back (and as
/// serialised into the audit log: the keys are the columns, so `check`
/// can compare the image with the row).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ticket {
    pub id: i64,
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub order_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub merchant_id: Option<i64>,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub subject: String,
    pub description: String,
    pub quality_issue: bool,
    pub assignee_id: Option<i64>,
    pub opened_at: String,
    pub audit_due_at: Option<String>,
    pub approved_at: Option<String>,
    pub resolve_due_at: Option<String>,
    pub paused_since: Option<String>,
    pub paused_secs: i64,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub resolution: Option<String>,
    pub refund_minor: i64,
    pub restock: bool,
    pub reject_reason: Option<String>,
    pub sat_attitude: Option<i64>,
    pub sat_speed: Option<i64>,
    pub sat_resolution: Option<i64>,
    pub sat_overall: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    pub reason: Option<String>,
    pub return_shipping: Option<String>,
    pub first_response_at: Option<String>,
    pub respond_due_at: Option<String>,
    pub responded_at: Option<String>,
    pub ruling_payer: Option<String>,
    pub merchant_share_minor: i64,
    pub pending_refund_minor: Option<i64>,
    pub pending_restock: bool,
    pub pending_by: Option<String>,
    /// What a verb did beside the row (a message, a refund), for the audit
    /// image only; never a column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<serde_json::Value>,
}

const COLUMNS: &str = "id, channel, external_id, order_id, customer_id, merchant_id, kind, status, priority,
    subject, description, quality_issue, assignee_id, opened_at, audit_due_at, approved_at, resolve_due_at,
    paused_since, paused_secs, resolved_at, closed_at, resolution, refund_minor, restock, reject_reason,
    sat_attitude, sat_speed, sat_resolution, sat_overall, created_at, updated_at, version, reason,
    return_shipping, first_response_at, respond_due_at, responded_at, ruling_payer, merchant_share_minor,
    pending_refund_minor, pending_restock, pending_by";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: r.get(0)?,
        channel: r.get(1)?,
        external_id: r.get(2)?,
        order_id: r.get(3)?,
        customer_id: r.get(4)?,
        merchant_id: r.get(5)?,
        kind: r.get(6)?,
        status: r.get(7)?,
        priority: r.get(8)?,
        subject: r.get(9)?,
        description: r.get(10)?,
        quality_issue: r.get(11)?,
        assignee_id: r.get(12)?,
        opened_at: r.get(13)?,
        audit_due_at: r.get(14)?,
        approved_at: r.get(15)?,
        resolve_due_at: r.get(16)?,
        paused_since: r.get(17)?,
        paused_secs: r.get(18)?,
        resolved_at: r.get(19)?,
        closed_at: r.get(20)?,
        resolution: r.get(21)?,
        refund_minor: r.get(22)?,
        restock: r.get(23)?,
        reject_reason: r.get(24)?,
        sat_attitude: r.get(25)?,
        sat_speed: r.get(26)?,
        sat_resolution: r.get(27)?,
        sat_overall: r.get(28)?,
        created_at: r.get(29)?,
        updated_at: r.get(30)?,
        version: r.get(31)?,
        reason: r.get(32)?,
        return_shipping: r.get(33)?,
        first_response_at: r.get(34)?,
        respond_due_at: r.get(35)?,
        responded_at: r.get(36)?,
        ruling_payer: r.get(37)?,
        merchant_share_minor: r.get(38)?,
        pending_refund_minor: r.get(39)?,
        pending_restock: r.get(40)?,
        pending_by: r.get(41)?,
        change: None,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Ticket>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tickets WHERE id = ?1"))?
        .query_row([id], map)
        .optional()?)
}

pub fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM tickets WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Writes every column a workflow changes if the row is still at
/// `expected_version`; false when it moved on.
pub fn update(conn: &Connection, t: &Ticket, expected_version: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE tickets SET status = ?1, priority = ?2, assignee_id = ?3, audit_due_at = ?4, approved_at = ?5,
                resolve_due_at = ?6, paused_since = ?7, paused_secs = ?8, resolved_at = ?9, closed_at = ?10,
                resolution = ?11, refund_minor = ?12, restock = ?13, reject_reason = ?14, sat_attitude = ?15,
                sat_speed = ?16, sat_resolution = ?17, sat_overall = ?18, updated_at = ?19, reason = ?20,
                return_shipping = ?21, first_response_at = ?22, respond_due_at = ?23, responded_at = ?24,
                ruling_payer = ?25, merchant_share_minor = ?26, pending_refund_minor = ?27,
                pending_restock = ?28, pending_by = ?29, quality_issue = ?30, version = version + 1
             WHERE id = ?31 AND version = ?32",
        )?
        .execute(params![
            t.status,
            t.priority,
            t.assignee_id,
            t.audit_due_at,
            t.approved_at,
            t.resolve_due_at,
            t.paused_since,
            t.paused_secs,
            t.resolved_at,
            t.closed_at,
            t.resolution,
            t.refund_minor,
            t.restock,
            t.reject_reason,
            t.sat_attitude,
            t.sat_speed,
            t.sat_resolution,
            t.sat_overall,
            t.updated_at,
            t.reason,
            t.return_shipping,
            t.first_response_at,
            t.respond_due_at,
            t.responded_at,
            t.ruling_payer,
            t.merchant_share_minor,
            t.pending_refund_minor,
            t.pending_restock,
            t.pending_by,
            t.quality_issue,
            t.id,
            expected_version
        ])?;
    Ok(n == 1)
}

/// A ticket to open (`ticket open`, `import tickets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket<'a> {
    pub channel: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub order_id: i64,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub kind: &'a str,
    pub status: &'a str,
    pub subject: &'a str,
    pub description: &'a str,
    pub reason: Option<&'a str>,
    pub quality_issue: bool,
    pub opened_at: &'a str,
    pub audit_due_at: Option<&'a str>,
    pub resolve_due_at: Option<&'a str>,
    pub respond_due_at: Option<&'a str>,
    pub at: &'a str,
}

pub fn insert(conn: &Connection, t: &NewTicket<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO tickets (channel, external_id, order_id, customer_id, merchant_id, kind, status, subject,
             description, reason, quality_issue, opened_at, audit_due_at, resolve_due_at, respond_due_at,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
    )?
    .execute(params![
        t.channel,
        t.external_id,
        t.order_id,
        t.customer_id,
        t.merchant_id,
        t.kind,
        t.status,
        t.subject,
        t.description,
        t.reason,
        t.quality_issue,
        t.opened_at,
        t.audit_due_at,
        t.resolve_due_at,
        t.respond_due_at,
        t.at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// One status a ticket entered, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEntry {
    pub at: String,
    pub status: String,
    pub actor: String,
}

pub fn log_status(conn: &Connection, ticket_id: i64, at: &str, status: &str, actor: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO ticket_log (ticket_id, at, status, actor) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![ticket_id, at, status, actor])?;
    Ok(())
}

/// The status log, oldest first.
pub fn log(conn: &Connection, ticket_id: i64) -> Result<Vec<LogEntry>> {
    super::rows_of(
        conn,
        "SELECT at, status, actor FROM ticket_log WHERE ticket_id = ?1 ORDER BY id",
        ticket_id,
        |r| {
            Ok(LogEntry {
                at: r.get(0)?,
                status: r.get(1)?,
                actor: r.get(2)?,
            })
        },
    )
}

/// Staff id and login by login (active staff only), for assignment.
pub fn staff_by_login(conn: &Connection, login: &str) -> Result<Option<(i64, String, bool)>> {
    Ok(conn
        .prepare_cached("SELECT id, role, active FROM staff WHERE login = ?1")?
        .query_row([login], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

pub fn login_of(conn: &Connection, staff_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT login FROM staff WHERE id = ?1")?
        .query_row([staff_id], |r| r.get(0))
        .optional()?)
}

/// Refunds recorded on an order so far (any source), checked arithmetic.
pub fn refunded_on_order(conn: &Connection, order_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE order_id = ?1")?
        .query_row([order_id], |r| r.get(0))?)
}

pub fn insert_refund(
    conn: &Connection,
    order_id: i64,
    ticket_id: i64,
    amount_minor: i64,
    reason: &str,
    actor: &str,
    at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO refunds (order_id, ticket_id, amount_minor, reason, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order_id, ticket_id, amount_minor, reason, actor, at])
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("more than it was paid") => {
            crate::Error::refused(format!("order {order_id}: {m}"))
        }
        e => e.into(),
    })?;
    Ok(conn.last_insert_rowid())
}

/// The dispute response days setting (schema 6).
pub fn dispute_response_days(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT dispute_response_days FROM ticket_settings WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// The order a ticket is opened on: what the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub id: i64,
    pub channel: String,
    pub external_id: String,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub status: String,
    pub paid_minor: i64,
    pub paid_at: Option<String>,
    pub delivered_at: Option<String>,
    pub shipped_at: Option<String>,
    pub customer_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub customer_email: String,
}

pub fn order_facts(conn: &Connection, order_id: i64) -> Result<Option<OrderFacts>> {
    Ok(conn
        .prepare_cached(
            "SELECT o.id, o.channel, o.external_id, o.customer_id, o.merchant_id, o.status,
                    o.items_minor + o.shipping_minor, o.paid_at, o.delivered_at, o.shipped_at,
                    coalesce(nullif(o.ship_name, ''), c.name), o.ship_phone, o.ship_address, o.ship_city, c.email
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
        )?
        .query_row([order_id], |r| {
            Ok(OrderFacts {
                id: r.get(0)?,
                channel: r.get(1)?,
                external_id: r.get(2)?,
                customer_id: r.get(3)?,
                merchant_id: r.get(4)?,
                status: r.get(5)?,
                paid_minor: r.get(6)?,
                paid_at: r.get(7)?,
                delivered_at: r.get(8)?,
                shipped_at: r.get(9)?,
                customer_name: r.get(10)?,
                ship_phone: r.get(11)?,
                ship_address: r.get(12)?,
                ship_city: r.get(13)?,
                customer_email: r.get(14)?,
            })
        })
        .optional()?)
}

/// ("MERCHANT:SKU title", warranty months) of each distinct product on an
/// order, for the repair warranty rule.
pub fn order_warranties(conn: &Connection, order_id: i64) -> Result<Vec<(String, i64)>> {
    super::rows_of(
        conn,
        "SELECT m.code || ':' || p.sku || ' ' || p.title, p.warranty_months
         FROM (SELECT DISTINCT product_id FROM order_lines WHERE order_id = ?1) l
         JOIN products p ON p.id = l.product_id JOIN merchants m ON m.id = p.merchant_id
         ORDER BY p.id",
        order_id,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// (product, qty) of each line of an order, to restock a return.
pub fn order_lines(conn: &Connection, order_id: i64) -> Result<Vec<(i64, i64)>> {
    super::rows_of(
        conn,
        "SELECT product_id, qty FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        order_id,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The reason taxonomy: (code, parent, label), parents first.
pub fn reasons(conn: &Connection) -> Result<Vec<(String, Option<String>, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT code, parent, label FROM ticket_reasons ORDER BY coalesce(parent, code), parent IS NOT NULL, code",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn reason_exists(conn: &Connection, code: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM ticket_reasons WHERE code = ?1")?
        .query_row([code], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Tickets opened in `[from, to)` by reason (unset as ""), most first.
pub fn by_reason(conn: &Connection, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT coalesce(reason, ''), count(*) FROM tickets INDEXED BY tickets_opened
         WHERE opened_at >= ?1 AND opened_at < ?2 GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Disputes whose merchant response is overdue at `now` and not yet escalated.
pub fn due_responses(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM tickets INDEXED BY tickets_respond_due
         WHERE responded_at IS NULL AND respond_due_at IS NOT NULL AND respond_due_at < ?1
           AND status IN ('new', 'approved', 'in_progress', 'waiting_customer', 'waiting_merchant', 'reopened')
         ORDER BY respond_due_at",
    )?;
    let rows = st.query_map([now], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Up to `limit` resolved tickets resolved before `cutoff` (an RFC 3339
/// stamp), oldest first: the ones whose reopen window has passed.
pub fn due_closures(conn: &Connection, cutoff: &str, limit: usize) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM tickets INDEXED BY tickets_resolved
         WHERE status = 'resolved' AND resolved_at < ?1 ORDER BY resolved_at, id LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = st.query_map(rusqlite::params![cutoff, limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

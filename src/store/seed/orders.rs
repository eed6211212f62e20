//! The order side of the seed: orders and their lines, refunds, tracking,
//! reviews, tickets and their messages, daily traffic. One row struct and
//! one insert per table, as in `catalog`.

use rusqlite::params;

use super::Load;
use crate::Result;

/// An order line to write: the import's struct (the same columns).
pub use crate::store::import::orders::NewLine as OrderLine;

/// An order; `created_at` is its `placed_at`.
pub struct Order<'a> {
    pub id: i64,
    pub channel: &'a str,
    pub external_id: &'a str,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub status: &'a str,
    pub hold_reason: Option<&'a str>,
    pub held_from: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
    pub merged_into: Option<i64>,
    pub ship_name: &'a str,
    pub ship_phone: &'a str,
    pub ship_address: &'a str,
    pub ship_city: &'a str,
    pub line_count: i64,
    pub item_count: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub weight_g: Option<i64>,
    pub carrier: Option<&'a str>,
    pub tracking_no: Option<&'a str>,
    pub placed_at: &'a str,
    pub paid_at: Option<&'a str>,
    pub approved_at: Option<&'a str>,
    pub shipped_at: Option<&'a str>,
    pub delivered_at: Option<&'a str>,
    pub completed_at: Option<&'a str>,
    pub cancelled_at: Option<&'a str>,
    pub promised_at: &'a str,
    pub ship_by_at: Option<&'a str>,
    pub updated_at: &'a str,
}

pub struct Refund<'a> {
    pub order_id: i64,
    pub ticket_id: Option<i64>,
    pub amount_minor: i64,
    pub reason: &'a str,
    pub actor: &'a str,
    pub created_at: &'a str,
}

pub struct ShipmentEvent<'a> {
    pub order_id: i64,
    pub at: &'a str,
    pub status: &'a str,
    pub location: &'a str,
    pub note: &'a str,
}

pub struct Review<'a> {
    pub order_id: i64,
    pub score: i64,
    pub comment: &'a str,
    pub created_at: &'a str,
}

/// A ticket; `created_at` is its `opened_at`.
pub struct Ticket<'a> {
    pub id: i64,
    pub channel: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub order_id: i64,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub kind: &'a str,
    pub status: &'a str,
    pub priority: &'a str,
    pub subject: &'a str,
    /// A `ticket_reasons` code.
    pub reason: Option<&'a str>,
    pub description: &'a str,
    pub quality_issue: bool,
    pub assignee_id: Option<i64>,
    pub opened_at: &'a str,
    pub audit_due_at: &'a str,
    pub approved_at: Option<&'a str>,
    pub resolve_due_at: Option<&'a str>,
    pub paused_since: Option<&'a str>,
    pub paused_secs: i64,
    pub resolved_at: Option<&'a str>,
    pub closed_at: Option<&'a str>,
    pub resolution: Option<&'a str>,
    pub refund_minor: i64,
    pub restock: bool,
    pub reject_reason: Option<&'a str>,
    /// Attitude, speed, resolution, overall.
    pub satisfaction: Option<(i64, i64, i64, i64)>,
    pub updated_at: &'a str,
}

pub struct TicketMessage<'a> {
    pub ticket_id: i64,
    pub author: &'a str,
    pub author_kind: &'a str,
    pub internal: bool,
    pub body: &'a str,
    pub created_at: &'a str,
}

impl Load<'_> {
    pub fn order(&self, o: &Order<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO orders (id, channel, external_id, customer_id, merchant_id, status, hold_reason, held_from,
                     cancel_reason, merged_into, ship_name, ship_phone, ship_address, ship_city, line_count, item_count,
                     items_minor, shipping_minor, weight_g, carrier, tracking_no, placed_at, paid_at, approved_at,
                     shipped_at, delivered_at, completed_at, cancelled_at, promised_at, ship_by_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                         ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?22, ?31)",
            )?
            .execute(params![
                o.id,
                o.channel,
                o.external_id,
                o.customer_id,
                o.merchant_id,
                o.status,
                o.hold_reason,
                o.held_from,
                o.cancel_reason,
                o.merged_into,
                o.ship_name,
                o.ship_phone,
                o.ship_address,
                o.ship_city,
                o.line_count,
                o.item_count,
                o.items_minor,
                o.shipping_minor,
                o.weight_g,
                o.carrier,
                o.tracking_no,
                o.placed_at,
                o.paid_at,
                o.approved_at,
                o.shipped_at,
                o.delivered_at,
                o.completed_at,
                o.cancelled_at,
                o.promised_at,
                o.ship_by_at,
                o.updated_at,
            ])?;
        Ok(())
    }

    /// An order whose completion moved because a ticket was open at it:
    /// completed at `completed_at`, or (none yet) delivered.
    pub fn order_completion(&self, order_id: i64, completed_at: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE orders SET status = CASE WHEN ?2 IS NULL THEN 'delivered' ELSE 'completed' END,
                     completed_at = ?2, updated_at = max(updated_at, coalesce(?2, updated_at))
                 WHERE id = ?1",
            )?
            .execute(params![order_id, completed_at])?;
        Ok(())
    }

    pub fn order_line(&self, order_id: i64, l: &OrderLine) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO order_lines (order_id, line_no, product_id, merchant_id, qty, unit_price_minor,
                     shipping_minor, reserved_qty)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                order_id,
                l.line_no,
                l.product_id,
                l.merchant_id,
                l.qty,
                l.unit_price_minor,
                l.shipping_minor,
                l.reserved_qty
            ])?;
        Ok(())
    }

    pub fn refund(&self, r: &Refund<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO refunds (order_id, ticket_id, amount_minor, reason, actor, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                r.order_id,
                r.ticket_id,
                r.amount_minor,
                r.reason,
                r.actor,
                r.created_at
            ])?;
        Ok(())
    }

    pub fn shipment_event(&self, e: &ShipmentEvent<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO shipment_events (order_id, at, status, location, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![e.order_id, e.at, e.status, e.location, e.note])?;
        Ok(())
    }

    pub fn review(&self, r: &Review<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO reviews (order_id, score, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![r.order_id, r.score, r.comment, r.created_at])?;
        Ok(())
    }

    pub fn ticket(&self, t: &Ticket<'_>) -> Result<()> {
        let sat = t.satisfaction;
        self.conn
            .prepare_cached(
                "INSERT INTO tickets (id, channel, external_id, order_id, customer_id, merchant_id, kind, status, priority,
                     subject, description, quality_issue, assignee_id, opened_at, audit_due_at, approved_at, resolve_due_at,
                     paused_since, paused_secs, resolved_at, closed_at, resolution, refund_minor, restock, reject_reason,
                     sat_attitude, sat_speed, sat_resolution, sat_overall, created_at, updated_at, order_external_id,
                     customer_name, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?14, ?30,
                         (SELECT external_id FROM orders WHERE id = ?4), (SELECT name FROM customers WHERE id = ?5), ?31)",
            )?
            .execute(params![
                t.id,
                t.channel,
                t.external_id,
                t.order_id,
                t.customer_id,
                t.merchant_id,
                t.kind,
                t.status,
                t.priority,
                t.subject,
                t.description,
                t.quality_issue,
                t.assignee_id,
                t.opened_at,
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
                sat.map(|x| x.0),
                sat.map(|x| x.1),
                sat.map(|x| x.2),
                sat.map(|x| x.3),
                t.updated_at,
                t.reason,
            ])?;
        Ok(())
    }

    pub fn ticket_message(&self, m: &TicketMessage<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO ticket_messages (ticket_id, author, author_kind, internal, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                m.ticket_id,
                m.author,
                m.author_kind,
                m.internal,
                m.body,
                m.created_at
            ])?;
        Ok(())
    }

    pub fn traffic(&self, date: &str, channel: &str, visits: i64) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO traffic_daily (date, channel, visits) VALUES (?1, ?2, ?3)")?
            .execute(params![date, channel, visits])?;
        Ok(())
    }
}

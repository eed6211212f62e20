//! The order detail: the order with its customer, lines, tracking timeline,
//! refunds, tickets and audit history, with phone numbers and addresses
//! masked for roles that may not see them.
//!
//! `read` is the one loader: `order show` (text and JSON) and the TUI's
//! order detail pane both read an order through it. It lives in ops, not in
//! the store, because what a face gets is a policy (the PII mask, lateness
//! against the clock) over several store reads; the store keeps one read
//! per table.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::domain::order::{self as rules, OrderStatus};
use crate::domain::pii::PiiMask;
use crate::store::audit;
use crate::store::lists::orders::TicketRef;
use crate::store::orders::{Customer, Line, Order, Refund, ShipmentEvent};
use crate::{Error, Result, clock, store};

use super::super::Session;
use super::{label, status_of};

/// How many audit rows the detail shows (the newest).
const HISTORY_ROWS: usize = 100;

#[derive(Debug, Clone)]
pub struct OrderDetail {
    /// `ship_phone` and `ship_address` are masked when `pii_masked`.
    pub order: Order,
    pub status: OrderStatus,
    pub merchant_code: String,
    /// Masked like the order when `pii_masked`.
    pub customer: Option<Customer>,
    pub lines: Vec<Line>,
    pub events: Vec<ShipmentEvent>,
    pub refunds: Vec<Refund>,
    /// After-sales tickets on the order (the first 50 by id).
    pub tickets: Vec<TicketRef>,
    /// Oldest first; before/after JSON removed when `pii_masked` (it holds addresses).
    pub history: Vec<audit::Row>,
    /// Not shipped and past its ship-by deadline.
    pub late: bool,
    pub pii_masked: bool,
    pub currency: String,
}

pub fn detail(s: &Session, id: i64) -> Result<OrderDetail> {
    detail_at(s, id, s.now()?)
}

/// Anyone may read an order; roles without `SeePii` get PII masked.
pub fn detail_at(s: &Session, id: i64, now: DateTime<Utc>) -> Result<OrderDetail> {
    let mask = PiiMask::for_role(s.role());
    read(&s.conn, id, mask, now, &s.settings.currency)?.ok_or_else(|| Error::not_found("order", id))
}

/// The order detail as `mask` lets its reader see it, `late` against
/// `now`; none when there is no such order.
pub fn read(
    conn: &Connection,
    id: i64,
    mask: PiiMask,
    now: DateTime<Utc>,
    currency: &str,
) -> Result<Option<OrderDetail>> {
    let Some(mut order) = store::orders::get(conn, id)? else {
        return Ok(None);
    };
    let (status, _) = status_of(&order);
    let ship_by = order.ship_by_at.as_deref().map(clock::parse_stamp).transpose()?;
    let late = rules::is_late_to_ship(status, ship_by, now);
    let mut customer = store::orders::customer(conn, order.customer_id)?;
    let mut history = audit::history(conn, "order", id, HISTORY_ROWS)?;
    let pii_masked = mask.is_on();
    order.ship_phone = mask.phone(&order.ship_phone);
    order.ship_address = mask.address(&order.ship_address);
    if let Some(c) = customer.as_mut() {
        c.phone = mask.phone(&c.phone);
        c.address = mask.address(&c.address);
        c.email = mask.email(&c.email);
    }
    for h in &mut history {
        h.before_json = mask.audit_json(h.before_json.take());
        h.after_json = mask.audit_json(h.after_json.take());
    }
    Ok(Some(OrderDetail {
        merchant_code: store::orders::merchant_code(conn, order.merchant_id)?.unwrap_or_default(),
        lines: store::orders::lines(conn, id)?,
        events: store::orders::events(conn, id)?,
        refunds: store::orders::refunds(conn, id)?,
        tickets: store::lists::orders::tickets(conn, id)?,
        order,
        status,
        customer,
        history,
        late,
        pii_masked,
        currency: currency.to_string(),
    }))
}

impl OrderDetail {
    pub fn label(&self) -> String {
        label(&self.order)
    }

    pub fn total_minor(&self) -> i64 {
        self.order.items_minor.saturating_add(self.order.shipping_minor)
    }

    /// (label, time) for paid, approved, shipped, delivered, completed,
    /// cancelled and promised, the ones that happened.
    pub fn times(&self) -> Vec<(&'static str, &str)> {
        let o = &self.order;
        [
            ("paid", &o.paid_at),
            ("approved", &o.approved_at),
            ("shipped", &o.shipped_at),
            ("delivered", &o.delivered_at),
            ("completed", &o.completed_at),
            ("cancelled", &o.cancelled_at),
            ("promised", &o.promised_at),
        ]
        .into_iter()
        .filter_map(|(label, t)| t.as_deref().map(|t| (label, t)))
        .collect()
    }

    /// The stable `order show --json` object (documented in docs/orders.md).
    pub fn to_json(&self) -> Value {
        let o = &self.order;
        let customer = self.customer.as_ref().map(|c| {
            json!({
                "id": c.id, "ref": c.external_ref, "name": c.name, "phone": c.phone,
                "email": c.email, "address": c.address, "city": c.city,
            })
        });
        let lines: Vec<Value> = self
            .lines
            .iter()
            .map(|l| {
                json!({
                    "line_no": l.line_no, "sku": l.sku, "title": l.title, "qty": l.qty,
                    "unit_price_minor": l.unit_price_minor, "shipping_minor": l.shipping_minor,
                    "reserved_qty": l.reserved_qty, "merchant_code": l.merchant_code,
                })
            })
            .collect();
        let events: Vec<Value> = self
            .events
            .iter()
            .map(|e| json!({"at": e.at, "status": e.status, "location": e.location, "note": e.note}))
            .collect();
        let refunds: Vec<Value> = self
            .refunds
            .iter()
            .map(|r| {
                json!({"amount_minor": r.amount_minor, "reason": r.reason, "ticket_id": r.ticket_id,
                       "actor": r.actor, "at": r.created_at})
            })
            .collect();
        json!({
            "id": o.id,
            "channel": o.channel,
            "external_id": o.external_id,
            "status": o.status,
            "hold_reason": o.hold_reason,
            "held_from": o.held_from,
            "cancel_reason": o.cancel_reason,
            "merged_into": o.merged_into,
            "merchant": {"id": o.merchant_id, "code": self.merchant_code},
            "customer": customer,
            "ship": {"name": o.ship_name, "phone": o.ship_phone, "address": o.ship_address, "city": o.ship_city},
            "lines": lines,
            "line_count": o.line_count,
            "item_count": o.item_count,
            "items_minor": o.items_minor,
            "shipping_minor": o.shipping_minor,
            "total_minor": self.total_minor(),
            "currency": self.currency,
            "times": {
                "placed_at": o.placed_at, "paid_at": o.paid_at, "approved_at": o.approved_at,
                "shipped_at": o.shipped_at, "delivered_at": o.delivered_at,
                "completed_at": o.completed_at, "cancelled_at": o.cancelled_at,
                "promised_at": o.promised_at,
            },
            "ship_by_at": o.ship_by_at,
            "late": self.late,
            "carrier": o.carrier,
            "tracking_no": o.tracking_no,
            "weight_g": o.weight_g,
            "events": events,
            "refunds": refunds,
            "pii_masked": self.pii_masked,
            "version": o.version,
        })
    }
}

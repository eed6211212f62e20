//! Orders, their lines, shipment events and refunds: the SQL behind the order
//! workflows (`ops::orders`). Status, hold reason and the status a hold
//! returns to are the domain's types, read from their stored spelling (an
//! unknown one is an error naming the order).

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::order::{HoldReason, OrderStatus};
use crate::{Error, Result};

/// One `orders` row, as loaded and written back by the workflows (and as
/// serialised into the audit log's before/after JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Order {
    pub id: i64,
    pub channel: String,
    pub external_id: String,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub status: OrderStatus,
    pub hold_reason: Option<HoldReason>,
    pub held_from: Option<OrderStatus>,
    pub cancel_reason: Option<String>,
    pub merged_into: Option<i64>,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub line_count: i64,
    pub item_count: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub weight_g: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub approved_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub completed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub promised_at: Option<String>,
    pub ship_by_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const ORDER_COLUMNS: &str =
    "id, channel, external_id, customer_id, merchant_id, status, hold_reason, held_from,
    cancel_reason, merged_into, ship_name, ship_phone, ship_address, ship_city, line_count, item_count,
    items_minor, shipping_minor, weight_g, carrier, tracking_no, placed_at, paid_at, approved_at, shipped_at,
    delivered_at, completed_at, cancelled_at, promised_at, ship_by_at, created_at, updated_at, version";

fn map_order(r: &rusqlite::Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        channel: r.get(1)?,
        external_id: r.get(2)?,
        customer_id: r.get(3)?,
        merchant_id: r.get(4)?,
        status: super::enums::get(r, 5, "orders")?,
        hold_reason: super::enums::get(r, 6, "orders")?,
        held_from: super::enums::get(r, 7, "orders")?,
        cancel_reason: r.get(8)?,
        merged_into: r.get(9)?,
        ship_name: r.get(10)?,
        ship_phone: r.get(11)?,
        ship_address: r.get(12)?,
        ship_city: r.get(13)?,
        line_count: r.get(14)?,
        item_count: r.get(15)?,
        items_minor: r.get(16)?,
        shipping_minor: r.get(17)?,
        weight_g: r.get(18)?,
        carrier: r.get(19)?,
        tracking_no: r.get(20)?,
        placed_at: r.get(21)?,
        paid_at: r.get(22)?,
        approved_at: r.get(23)?,
        shipped_at: r.get(24)?,
        delivered_at: r.get(25)?,
        completed_at: r.get(26)?,
        cancelled_at: r.get(27)?,
        promised_at: r.get(28)?,
        ship_by_at: r.get(29)?,
        created_at: r.get(30)?,
        updated_at: r.get(31)?,
        version: r.get(32)?,
    })
}

/// One order line with what the documents and messages need from its
/// product and merchant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub id: i64,
    pub order_id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub merchant_id: i64,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
    pub reserved_qty: i64,
    pub sku: String,
    pub title: String,
    pub merchant_code: String,
    pub merchant_name: String,
}

/// A tracking-timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShipmentEvent {
    pub id: i64,
    pub order_id: i64,
    pub at: String,
    pub status: String,
    pub location: String,
    pub note: String,
}

/// The customer an order belongs to, for the detail view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Customer {
    pub id: i64,
    pub external_ref: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
}

/// A refund row (cancelled paid orders write one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub ticket_id: Option<i64>,
    pub amount_minor: i64,
    pub reason: String,
    pub actor: String,
    pub created_at: String,
}

/// An order's totals as its lines add them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub line_count: i64,
    pub item_count: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Order>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"))?
        .query_row([id], map_order)
        .optional()?)
}

/// The order's id from its channel and the channel's order number.
pub fn id_by_external(conn: &Connection, channel: &str, external_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM orders WHERE channel = ?1 AND external_id = ?2")?
        .query_row(params![channel, external_id], |r| r.get(0))
        .optional()?)
}

/// The orders with this external id on any channel: (id, channel), at most
/// `limit` (the `orders_external` index).
pub fn ids_by_external_id(conn: &Connection, external_id: &str, limit: usize) -> Result<Vec<(i64, String)>> {
    let rows = conn
        .prepare_cached("SELECT id, channel FROM orders WHERE external_id = ?1 ORDER BY channel LIMIT ?2")?
        .query_map(params![external_id, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Writes every field the workflows change, if the row is still at
/// `expected_version`; bumps the version. `false` when someone else got there first.
pub fn update(conn: &Connection, o: &Order, expected_version: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE orders SET status = ?1, hold_reason = ?2, held_from = ?3, cancel_reason = ?4,
                merged_into = ?5, ship_name = ?6, ship_phone = ?7, ship_address = ?8, ship_city = ?9,
                line_count = ?10, item_count = ?11, items_minor = ?12, shipping_minor = ?13,
                weight_g = ?14, carrier = ?15, tracking_no = ?16, paid_at = ?17, approved_at = ?18,
                shipped_at = ?19, delivered_at = ?20, completed_at = ?21, cancelled_at = ?22,
                ship_by_at = ?23, updated_at = ?24, version = version + 1
             WHERE id = ?25 AND version = ?26",
        )?
        .execute(params![
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
            o.paid_at,
            o.approved_at,
            o.shipped_at,
            o.delivered_at,
            o.completed_at,
            o.cancelled_at,
            o.ship_by_at,
            o.updated_at,
            o.id,
            expected_version
        ])?;
    Ok(n == 1)
}

const LINE_SELECT: &str = "SELECT l.id, l.order_id, l.line_no, l.product_id, l.merchant_id, l.qty,
        l.unit_price_minor, l.shipping_minor, l.reserved_qty, p.sku, p.title, m.code, m.name
     FROM order_lines l
     JOIN products p ON p.id = l.product_id
     JOIN merchants m ON m.id = l.merchant_id";

fn map_line(r: &rusqlite::Row<'_>) -> rusqlite::Result<Line> {
    Ok(Line {
        id: r.get(0)?,
        order_id: r.get(1)?,
        line_no: r.get(2)?,
        product_id: r.get(3)?,
        merchant_id: r.get(4)?,
        qty: r.get(5)?,
        unit_price_minor: r.get(6)?,
        shipping_minor: r.get(7)?,
        reserved_qty: r.get(8)?,
        sku: r.get(9)?,
        title: r.get(10)?,
        merchant_code: r.get(11)?,
        merchant_name: r.get(12)?,
    })
}

/// An order's lines in line order.
pub fn lines(conn: &Connection, order_id: i64) -> Result<Vec<Line>> {
    super::rows_of(
        conn,
        &format!("{LINE_SELECT} WHERE l.order_id = ?1 ORDER BY l.line_no"),
        order_id,
        map_line,
    )
}

/// Records how many of a line's units are held in `products.stock_reserved`.
/// Call only together with the matching `store::stock` movement.
pub fn set_reserved(conn: &Connection, line_id: i64, reserved_qty: i64) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE order_lines SET reserved_qty = ?2 WHERE id = ?1")?
        .execute(params![line_id, reserved_qty])?;
    if n != 1 {
        return Err(Error::Db(format!("order line {line_id} does not exist")));
    }
    Ok(())
}

/// Units of a product on hand and not reserved.
pub fn available(conn: &Connection, product_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT stock_on_hand - stock_reserved FROM products WHERE id = ?1")?
        .query_row([product_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// What the order's lines add up to.
pub fn totals(conn: &Connection, order_id: i64) -> Result<Totals> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(qty), 0), coalesce(sum(qty * unit_price_minor), 0),
                    coalesce(sum(shipping_minor), 0)
             FROM order_lines WHERE order_id = ?1",
        )?
        .query_row([order_id], |r| {
            Ok(Totals {
                line_count: r.get(0)?,
                item_count: r.get(1)?,
                items_minor: r.get(2)?,
                shipping_minor: r.get(3)?,
            })
        })?)
}

/// Moves every line of `from` to the end of `to`, renumbering them after
/// `to`'s last line in their old order. Reservations (`reserved_qty`) move
/// with the lines, so product stock totals do not change. Returns the count.
pub fn move_lines(conn: &Connection, from: i64, to: i64) -> Result<usize> {
    let last: i64 = conn
        .prepare_cached("SELECT coalesce(max(line_no), 0) FROM order_lines WHERE order_id = ?1")?
        .query_row([to], |r| r.get(0))?;
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM order_lines WHERE order_id = ?1 ORDER BY line_no")?
        .query_map([from], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut st = conn.prepare_cached("UPDATE order_lines SET order_id = ?2, line_no = ?3 WHERE id = ?1")?;
    for (i, id) in ids.iter().enumerate() {
        st.execute(params![id, to, last + 1 + i as i64])?;
    }
    Ok(ids.len())
}

pub fn insert_event(
    conn: &Connection,
    order_id: i64,
    at: &str,
    status: &str,
    location: &str,
    note: &str,
) -> Result<ShipmentEvent> {
    conn.prepare_cached(
        "INSERT INTO shipment_events (order_id, at, status, location, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![order_id, at, status, location, note])?;
    Ok(ShipmentEvent {
        id: conn.last_insert_rowid(),
        order_id,
        at: at.to_string(),
        status: status.to_string(),
        location: location.to_string(),
        note: note.to_string(),
    })
}

/// The tracking timeline, oldest first.
pub fn events(conn: &Connection, order_id: i64) -> Result<Vec<ShipmentEvent>> {
    super::rows_of(
        conn,
        "SELECT id, order_id, at, status, location, note FROM shipment_events
         WHERE order_id = ?1 ORDER BY at, id",
        order_id,
        |r| {
            Ok(ShipmentEvent {
                id: r.get(0)?,
                order_id: r.get(1)?,
                at: r.get(2)?,
                status: r.get(3)?,
                location: r.get(4)?,
                note: r.get(5)?,
            })
        },
    )
}

pub fn insert_refund(
    conn: &Connection,
    order_id: i64,
    amount_minor: i64,
    reason: &str,
    actor: &str,
    at: &str,
) -> Result<Refund> {
    conn.prepare_cached(
        "INSERT INTO refunds (order_id, amount_minor, reason, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![order_id, amount_minor, reason, actor, at])?;
    Ok(Refund {
        id: conn.last_insert_rowid(),
        order_id,
        ticket_id: None,
        amount_minor,
        reason: reason.to_string(),
        actor: actor.to_string(),
        created_at: at.to_string(),
    })
}

pub fn refunds(conn: &Connection, order_id: i64) -> Result<Vec<Refund>> {
    super::rows_of(
        conn,
        "SELECT id, order_id, ticket_id, amount_minor, reason, actor, created_at FROM refunds
         WHERE order_id = ?1 ORDER BY id",
        order_id,
        |r| {
            Ok(Refund {
                id: r.get(0)?,
                order_id: r.get(1)?,
                ticket_id: r.get(2)?,
                amount_minor: r.get(3)?,
                reason: r.get(4)?,
                actor: r.get(5)?,
                created_at: r.get(6)?,
            })
        },
    )
}

/// After-sales tickets on the order that are not finished
/// (status other than resolved, closed or rejected).
pub fn open_tickets(conn: &Connection, order_id: i64) -> Result<usize> {
    use crate::domain::ticket::TicketStatus;
    let done: Vec<TicketStatus> = TicketStatus::ALL.into_iter().filter(|s| !s.is_open()).collect();
    let done = super::enums::literals(&done, TicketStatus::as_str);
    let n: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM tickets WHERE order_id = ?1 AND status NOT IN ({done})"
        ))?
        .query_row([order_id], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Delivered orders delivered at or before `cutoff` with no open ticket,
/// the earliest first (the scheduled completion, `ops::orders::due`).
pub fn due_completions(conn: &Connection, cutoff: &str, limit: usize) -> Result<Vec<i64>> {
    use crate::domain::ticket::TicketStatus;
    let done: Vec<TicketStatus> = TicketStatus::ALL.into_iter().filter(|s| !s.is_open()).collect();
    let done = super::enums::literals(&done, TicketStatus::as_str);
    let mut st = conn.prepare_cached(&format!(
        "SELECT o.id FROM orders o WHERE o.status = 'delivered' AND o.delivered_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id AND t.status NOT IN ({done}))
         ORDER BY o.delivered_at, o.id LIMIT ?2"
    ))?;
    let rows = st.query_map(
        rusqlite::params![cutoff, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn customer(conn: &Connection, id: i64) -> Result<Option<Customer>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, external_ref, name, phone, email, address, city FROM customers WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Customer {
                id: r.get(0)?,
                external_ref: r.get(1)?,
                name: r.get(2)?,
                phone: r.get(3)?,
                email: r.get(4)?,
                address: r.get(5)?,
                city: r.get(6)?,
            })
        })
        .optional()?)
}

/// The merchant's code (for labels and documents).
pub fn merchant_code(conn: &Connection, merchant_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT code FROM merchants WHERE id = ?1")?
        .query_row([merchant_id], |r| r.get(0))
        .optional()?)
}

/// An order another may be merged into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeCandidate {
    pub id: i64,
    pub channel: String,
    pub external_id: String,
    pub status: String,
    /// Items plus shipping, minor units.
    pub total_minor: i64,
}

/// Orders that `id` may be merged into, newest first: the same customer,
/// merchant and shipping address, paid or approved, not `id` itself (the
/// merge's own rules, checked again when it runs). (id, channel, external
/// id, status, items + shipping in minor units.)
pub fn merge_candidates(conn: &Connection, id: i64, limit: usize) -> Result<Vec<MergeCandidate>> {
    let mut st = conn.prepare_cached(
        "SELECT c.id, c.channel, c.external_id, c.status, c.items_minor + c.shipping_minor
         FROM orders o JOIN orders c ON c.customer_id = o.customer_id
         WHERE o.id = ?1 AND c.id <> o.id AND c.merchant_id = o.merchant_id
           AND c.status IN ('paid', 'approved')
           AND trim(c.ship_name) = trim(o.ship_name) AND trim(c.ship_phone) = trim(o.ship_phone)
           AND trim(c.ship_address) = trim(o.ship_address) AND trim(c.ship_city) = trim(o.ship_city)
         ORDER BY c.placed_at DESC, c.id DESC LIMIT ?2",
    )?;
    let rows = st.query_map(params![id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(MergeCandidate {
            id: r.get(0)?,
            channel: r.get(1)?,
            external_id: r.get(2)?,
            status: r.get(3)?,
            total_minor: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<MergeCandidate>>>()?)
}

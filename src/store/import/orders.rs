//! Orders, their lines and customers, as imports write and compare them.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// A new order row. Times are stored stamps (`clock::stamp`).
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub channel: &'a str,
    pub external_id: &'a str,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub status: &'a str,
    /// (hold_reason, held_from) when the order arrives on hold.
    pub hold: Option<(&'a str, &'a str)>,
    pub cancel_reason: Option<&'a str>,
    pub ship_name: &'a str,
    pub ship_phone: &'a str,
    pub ship_address: &'a str,
    pub ship_city: &'a str,
    pub line_count: i64,
    pub item_count: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub carrier: Option<&'a str>,
    pub tracking_no: Option<&'a str>,
    pub placed_at: &'a str,
    pub paid_at: Option<&'a str>,
    pub shipped_at: Option<&'a str>,
    pub delivered_at: Option<&'a str>,
    pub promised_at: Option<&'a str>,
    pub ship_by_at: Option<&'a str>,
    pub now: &'a str,
}

pub fn insert_order(conn: &Connection, o: &NewOrder<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO orders (channel, external_id, customer_id, merchant_id, status, hold_reason, held_from,
            cancel_reason, ship_name, ship_phone, ship_address, ship_city, line_count, item_count, items_minor,
            shipping_minor, carrier, tracking_no, placed_at, paid_at, shipped_at, delivered_at, promised_at,
            ship_by_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?25)",
    )?
    .execute(params![
        o.channel,
        o.external_id,
        o.customer_id,
        o.merchant_id,
        o.status,
        o.hold.map(|h| h.0),
        o.hold.map(|h| h.1),
        o.cancel_reason,
        o.ship_name,
        o.ship_phone,
        o.ship_address,
        o.ship_city,
        o.line_count,
        o.item_count,
        o.items_minor,
        o.shipping_minor,
        o.carrier,
        o.tracking_no,
        o.placed_at,
        o.paid_at,
        o.shipped_at,
        o.delivered_at,
        o.promised_at,
        o.ship_by_at,
        o.now,
    ])?;
    Ok(conn.last_insert_rowid())
}

#[derive(Debug, Clone, Copy)]
pub struct NewLine {
    pub line_no: i64,
    pub product_id: i64,
    pub merchant_id: i64,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
    pub reserved_qty: i64,
}

pub fn insert_line(conn: &Connection, order_id: i64, l: &NewLine) -> Result<()> {
    conn.prepare_cached(
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

/// Units of a product that can still be reserved.
pub fn available(conn: &Connection, product_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT stock_on_hand - stock_reserved FROM products WHERE id = ?1")?
        .query_row([product_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub fn customer_by_ref(conn: &Connection, external_ref: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM customers WHERE external_ref = ?1")?
        .query_row([external_ref], |r| r.get(0))
        .optional()?)
}

#[derive(Debug, Clone, Copy)]
pub struct NewCustomer<'a> {
    pub external_ref: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub now: &'a str,
}

pub fn insert_customer(conn: &Connection, c: &NewCustomer<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO customers (external_ref, name, phone, address, city, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![c.external_ref, c.name, c.phone, c.address, c.city, c.now])?;
    Ok(conn.last_insert_rowid())
}

pub fn order_id(conn: &Connection, channel: &str, external_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM orders WHERE channel = ?1 AND external_id = ?2")?
        .query_row(params![channel, external_id], |r| r.get(0))
        .optional()?)
}

/// An order as stored, in the terms of orders.csv, for "already present /
/// changed" comparisons.
#[derive(Debug, Clone, Default)]
pub struct StoredOrder {
    pub id: i64,
    pub status: String,
    pub hold_reason: Option<String>,
    pub held_from: Option<String>,
    pub customer_ref: String,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub promised_at: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub lines: Vec<StoredLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub merchant_code: String,
    pub sku: String,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
}

pub fn load_order(conn: &Connection, id: i64) -> Result<Option<StoredOrder>> {
    let head = conn
        .prepare_cached(
            "SELECT o.id, o.status, o.hold_reason, o.held_from, c.external_ref, o.ship_name, o.ship_phone,
                    o.ship_address, o.ship_city, o.placed_at, o.paid_at, o.shipped_at, o.delivered_at,
                    o.promised_at, o.carrier, o.tracking_no
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(StoredOrder {
                id: r.get(0)?,
                status: r.get(1)?,
                hold_reason: r.get(2)?,
                held_from: r.get(3)?,
                customer_ref: r.get(4)?,
                ship_name: r.get(5)?,
                ship_phone: r.get(6)?,
                ship_address: r.get(7)?,
                ship_city: r.get(8)?,
                placed_at: r.get(9)?,
                paid_at: r.get(10)?,
                shipped_at: r.get(11)?,
                delivered_at: r.get(12)?,
                promised_at: r.get(13)?,
                carrier: r.get(14)?,
                tracking_no: r.get(15)?,
                lines: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut head) = head else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(
        "SELECT m.code, p.sku, l.qty, l.unit_price_minor, l.shipping_minor
         FROM order_lines l JOIN products p ON p.id = l.product_id JOIN merchants m ON m.id = l.merchant_id
         WHERE l.order_id = ?1 ORDER BY l.line_no",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(StoredLine {
            merchant_code: r.get(0)?,
            sku: r.get(1)?,
            qty: r.get(2)?,
            unit_price_minor: r.get(3)?,
            shipping_minor: r.get(4)?,
        })
    })?;
    head.lines = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(head))
}

/// Orders placed in `[from, to)` (stored stamps), optionally of one channel.
pub fn count_placed(conn: &Connection, from: &str, to: &str, channel: Option<&str>) -> Result<i64> {
    Ok(match channel {
        Some(c) => conn
            .prepare_cached(
                "SELECT count(*) FROM orders WHERE placed_at >= ?1 AND placed_at < ?2 AND channel = ?3",
            )?
            .query_row(params![from, to, c], |r| r.get(0))?,
        None => conn
            .prepare_cached("SELECT count(*) FROM orders WHERE placed_at >= ?1 AND placed_at < ?2")?
            .query_row(params![from, to], |r| r.get(0))?,
    })
}

//! Orders, their lines and customers, as imports write and compare them.

use rusqlite::{Connection, OptionalExtension, params};

use super::batch::{self, Batch, int, opt_owned_text, owned_text};

use super::batch::Field::{self, OptText as opt_own, Text as own};

fn v(x: rusqlite::types::ToSqlOutput<'static>) -> Field<'static> {
    Field::Value(x)
}
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
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub promised_at: Option<String>,
    pub ship_by_at: Option<String>,
    pub now: &'a str,
    /// The import that creates it (`imports`).
    pub import_id: i64,
}

/// Buffers new customers, orders and lines and writes them in multi-row
/// batches, with ids assigned here (the write transaction is held, so they
/// are free). Nothing is written until `flush`, which writes parents before
/// children; flush before anything refers to a buffered order by id, before
/// reading rows back, and before commit. The rows own their text, so the
/// writer outlives the drafts it was given (an import writes orders while
/// it still reads the file).
pub struct OrderWriter {
    next_order: i64,
    next_customer: i64,
    first_customer: i64,
    orders: Batch<'static>,
    lines: Batch<'static>,
    customers: Batch<'static>,
}

impl OrderWriter {
    pub fn start(conn: &Connection) -> Result<OrderWriter> {
        Ok(OrderWriter {
            next_order: batch::next_id(conn, "orders")?,
            next_customer: batch::next_id(conn, "customers")?,
            first_customer: batch::next_id(conn, "customers")?,
            orders: Batch::new(
                "INSERT INTO orders (id, channel, external_id, customer_id, merchant_id, status, hold_reason,
                    held_from, cancel_reason, ship_name, ship_phone, ship_address, ship_city, line_count,
                    item_count, items_minor, shipping_minor, carrier, tracking_no, placed_at, paid_at,
                    shipped_at, delivered_at, promised_at, ship_by_at, created_at, updated_at, import_id) VALUES ",
                28,
            ),
            lines: Batch::new(
                "INSERT INTO order_lines (order_id, line_no, product_id, merchant_id, qty, unit_price_minor,
                    shipping_minor, reserved_qty) VALUES ",
                8,
            ),
            customers: Batch::new(
                "INSERT INTO customers (id, external_ref, name, phone, address, city, created_at) VALUES ",
                7,
            ),
        })
    }

    /// Whether the shop had customers before this import: when it had
    /// none, every customer not created here is new (no lookup needed).
    pub fn had_customers(&self) -> bool {
        self.first_customer > 1
    }

    /// Whether customer `id` was created by this import.
    pub fn is_new_customer(&self, id: i64) -> bool {
        id >= self.first_customer
    }

    /// The first customer id this import gives out.
    pub fn first_new_customer(&self) -> i64 {
        self.first_customer
    }

    /// The id the next order will get.
    pub fn next_order_id(&self) -> i64 {
        self.next_order
    }

    /// Orders buffered since the last flush.
    pub fn buffered_orders(&self) -> usize {
        self.orders.rows()
    }

    pub fn customer(&mut self, c: &NewCustomer<'_>) -> i64 {
        let id = self.next_customer;
        self.next_customer += 1;
        self.customers.push_copied([
            v(int(id)),
            own(c.external_ref),
            own(c.name),
            own(c.phone),
            own(c.address),
            own(c.city),
            own(c.now),
        ]);
        id
    }

    pub fn order(&mut self, o: NewOrder<'_>) -> i64 {
        let id = self.next_order;
        self.next_order += 1;
        self.orders.push_copied([
            v(int(id)),
            own(o.channel),
            own(o.external_id),
            v(int(o.customer_id)),
            v(int(o.merchant_id)),
            own(o.status),
            opt_own(o.hold.map(|h| h.0)),
            opt_own(o.hold.map(|h| h.1)),
            opt_own(o.cancel_reason),
            own(o.ship_name),
            own(o.ship_phone),
            own(o.ship_address),
            own(o.ship_city),
            v(int(o.line_count)),
            v(int(o.item_count)),
            v(int(o.items_minor)),
            v(int(o.shipping_minor)),
            opt_own(o.carrier),
            opt_own(o.tracking_no),
            v(owned_text(o.placed_at)),
            v(opt_owned_text(o.paid_at)),
            v(opt_owned_text(o.shipped_at)),
            v(opt_owned_text(o.delivered_at)),
            v(opt_owned_text(o.promised_at)),
            v(opt_owned_text(o.ship_by_at)),
            own(o.now),
            own(o.now),
            v(int(o.import_id)),
        ]);
        id
    }

    pub fn line(&mut self, order_id: i64, l: &NewLine) {
        self.lines.push([
            int(order_id),
            int(l.line_no),
            int(l.product_id),
            int(l.merchant_id),
            int(l.qty),
            int(l.unit_price_minor),
            int(l.shipping_minor),
            int(l.reserved_qty),
        ]);
    }

    /// Writes everything buffered (customers and orders before lines).
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        self.customers.flush(conn)?;
        self.orders.flush(conn)?;
        self.lines.flush(conn)
    }
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
    head.lines = crate::store::rows_of(
        conn,
        "SELECT m.code, p.sku, l.qty, l.unit_price_minor, l.shipping_minor
         FROM order_lines l JOIN products p ON p.id = l.product_id JOIN merchants m ON m.id = l.merchant_id
         WHERE l.order_id = ?1 ORDER BY l.line_no",
        id,
        |r| {
            Ok(StoredLine {
                merchant_code: r.get(0)?,
                sku: r.get(1)?,
                qty: r.get(2)?,
                unit_price_minor: r.get(3)?,
                shipping_minor: r.get(4)?,
            })
        },
    )?;
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

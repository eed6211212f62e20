//! Streaming export queries: one SELECT per export, each row handed to the
//! caller as it is read, so a million rows never sit in memory. One statement
//! reads one consistent snapshot (WAL), however long the export takes.

use rusqlite::{Connection, params_from_iter};

use super::catalog::{self, MerchantRow, ProductRow};
use crate::Result;

/// What to export: a status and a `[from, to)` range of stored stamps on the
/// entity's date column (applied_at, created_at, placed_at, opened_at).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Filter {
    /// " WHERE ..." over `status_col` and `time_col`, with its parameters.
    fn clause(&self, status_col: &str, time_col: &str) -> (String, Vec<String>) {
        let mut parts = Vec::new();
        let mut params = Vec::new();
        if let Some(s) = &self.status {
            params.push(s.clone());
            parts.push(format!("{status_col} = ?{}", params.len()));
        }
        if let Some(f) = &self.from {
            params.push(f.clone());
            parts.push(format!("{time_col} >= ?{}", params.len()));
        }
        if let Some(t) = &self.to {
            params.push(t.clone());
            parts.push(format!("{time_col} < ?{}", params.len()));
        }
        if parts.is_empty() {
            (String::new(), params)
        } else {
            (format!(" WHERE {}", parts.join(" AND ")), params)
        }
    }
}

fn stream<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<String>,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut each: impl FnMut(&T) -> Result<()>,
) -> Result<u64> {
    let mut st = conn.prepare(sql)?;
    let mut rows = st.query(params_from_iter(params))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(&map(r)?)?;
        n += 1;
    }
    Ok(n)
}

/// Each merchant with its stored credit score (computed, so exported but
/// never imported).
pub fn merchants(
    conn: &Connection,
    f: &Filter,
    each: impl FnMut(&(MerchantRow, i64)) -> Result<()>,
) -> Result<u64> {
    let (w, p) = f.clause("status", "applied_at");
    let sql = format!(
        "SELECT code, name, legal_name, contact_name, phone, email, address, city, license_no, tax_id,
                cooperation_mode, commission_bp, status, applied_at, credit_score
         FROM merchants{w} ORDER BY applied_at, id"
    );
    let map = |r: &rusqlite::Row<'_>| Ok((catalog::map_merchant(r)?, r.get(14)?));
    stream(conn, &sql, p, map, each)
}

pub fn products(conn: &Connection, f: &Filter, each: impl FnMut(&ProductRow) -> Result<()>) -> Result<u64> {
    let (w, p) = f.clause("p.status", "p.created_at");
    let sql = format!("{}{w} ORDER BY p.id", catalog::PRODUCT_SELECT);
    stream(conn, &sql, p, catalog::map_product, each)
}

/// One order line with its order's fields, in the terms of orders.csv.
#[derive(Debug, Clone, Default)]
pub struct OrderLineRow {
    pub channel: String,
    pub external_id: String,
    pub placed_at: String,
    pub status: String,
    pub customer_ref: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub merchant_code: String,
    pub sku: String,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub promised_at: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
}

pub fn order_lines(
    conn: &Connection,
    f: &Filter,
    each: impl FnMut(&OrderLineRow) -> Result<()>,
) -> Result<u64> {
    let (w, p) = f.clause("o.status", "o.placed_at");
    let sql = format!(
        "SELECT o.channel, o.external_id, o.placed_at, o.status, c.external_ref, o.ship_name, o.ship_phone,
                o.ship_address, o.ship_city, m.code, pr.sku, l.qty, l.unit_price_minor, l.shipping_minor,
                o.paid_at, o.shipped_at, o.delivered_at, o.promised_at, o.carrier, o.tracking_no
         FROM orders o
         JOIN customers c ON c.id = o.customer_id
         JOIN order_lines l ON l.order_id = o.id
         JOIN products pr ON pr.id = l.product_id
         JOIN merchants m ON m.id = l.merchant_id{w}
         ORDER BY o.placed_at, o.id, l.line_no"
    );
    let map = |r: &rusqlite::Row<'_>| {
        Ok(OrderLineRow {
            channel: r.get(0)?,
            external_id: r.get(1)?,
            placed_at: r.get(2)?,
            status: r.get(3)?,
            customer_ref: r.get(4)?,
            customer_name: r.get(5)?,
            customer_phone: r.get(6)?,
            ship_address: r.get(7)?,
            ship_city: r.get(8)?,
            merchant_code: r.get(9)?,
            sku: r.get(10)?,
            qty: r.get(11)?,
            unit_price_minor: r.get(12)?,
            shipping_minor: r.get(13)?,
            paid_at: r.get(14)?,
            shipped_at: r.get(15)?,
            delivered_at: r.get(16)?,
            promised_at: r.get(17)?,
            carrier: r.get(18)?,
            tracking_no: r.get(19)?,
        })
    };
    stream(conn, &sql, p, map, each)
}

#[derive(Debug, Clone, Default)]
pub struct TicketRow {
    pub id: i64,
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub order_channel: Option<String>,
    pub order_external_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub opened_at: String,
    pub subject: String,
    pub description: String,
    pub resolution: Option<String>,
    pub refund_minor: i64,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
}

pub fn tickets(conn: &Connection, f: &Filter, each: impl FnMut(&TicketRow) -> Result<()>) -> Result<u64> {
    let (w, p) = f.clause("t.status", "t.opened_at");
    let sql = format!(
        "SELECT t.id, t.channel, t.external_id, o.channel, o.external_id, t.kind, t.status, t.priority,
                t.opened_at, t.subject, t.description, t.resolution, t.refund_minor, t.resolved_at, t.closed_at
         FROM tickets t LEFT JOIN orders o ON o.id = t.order_id{w}
         ORDER BY t.opened_at, t.id"
    );
    let map = |r: &rusqlite::Row<'_>| {
        Ok(TicketRow {
            id: r.get(0)?,
            channel: r.get(1)?,
            external_id: r.get(2)?,
            order_channel: r.get(3)?,
            order_external_id: r.get(4)?,
            kind: r.get(5)?,
            status: r.get(6)?,
            priority: r.get(7)?,
            opened_at: r.get(8)?,
            subject: r.get(9)?,
            description: r.get(10)?,
            resolution: r.get(11)?,
            refund_minor: r.get(12)?,
            resolved_at: r.get(13)?,
            closed_at: r.get(14)?,
        })
    };
    stream(conn, &sql, p, map, each)
}

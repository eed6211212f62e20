//! The KPI queries (SPEC §6 "Definitions"), each over one period given as
//! UTC stamps `[from, to)` (the caller turns the shop's local dates into
//! instants). Orders belong to the period of their `placed_at`; merged
//! orders are never counted. The sums are read straight from the base
//! tables: exact by construction, and the reference the faster paths of the
//! dashboard must equal.

use rusqlite::{Connection, params};

use crate::Result;

/// "A paid order": has `paid_at` and is not cancelled (merged ones are
/// filtered out by every query already).
const PAID: &str = "o.paid_at IS NOT NULL AND o.status <> 'cancelled'";

/// The order-level sums of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderSums {
    pub orders: i64,
    pub paid_orders: i64,
    pub cancelled_orders: i64,
    pub gmv_minor: i64,
    pub shipping_minor: i64,
    pub delivered_orders: i64,
    /// Σ (delivered_at − placed_at) in seconds over delivered orders.
    pub delivery_secs: i64,
    /// Delivered orders that have a promised time, and those delivered after it.
    pub promised_delivered: i64,
    pub late_delivered: i64,
}

pub fn order_sums(conn: &Connection, from: &str, to: &str) -> Result<OrderSums> {
    let sql = format!(
        "SELECT count(*),
                coalesce(sum({PAID}), 0),
                coalesce(sum(o.status = 'cancelled'), 0),
                coalesce(sum(CASE WHEN {PAID} THEN o.items_minor END), 0),
                coalesce(sum(CASE WHEN {PAID} THEN o.shipping_minor END), 0),
                coalesce(sum(o.delivered_at IS NOT NULL), 0),
                coalesce(sum(unixepoch(o.delivered_at) - unixepoch(o.placed_at)), 0),
                coalesce(sum(o.delivered_at IS NOT NULL AND o.promised_at IS NOT NULL), 0),
                coalesce(sum(o.delivered_at > o.promised_at), 0)
         FROM orders o INDEXED BY orders_placed
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![from, to], |r| {
        Ok(OrderSums {
            orders: r.get(0)?,
            paid_orders: r.get(1)?,
            cancelled_orders: r.get(2)?,
            gmv_minor: r.get(3)?,
            shipping_minor: r.get(4)?,
            delivered_orders: r.get(5)?,
            delivery_secs: r.get(6)?,
            promised_delivered: r.get(7)?,
            late_delivered: r.get(8)?,
        })
    })?)
}

/// One day of the daily series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaySums {
    pub orders: i64,
    pub paid_orders: i64,
    pub gmv_minor: i64,
}

pub fn day_sums(conn: &Connection, from: &str, to: &str) -> Result<DaySums> {
    let sql = format!(
        "SELECT count(*), coalesce(sum({PAID}), 0), coalesce(sum(CASE WHEN {PAID} THEN o.items_minor END), 0)
         FROM orders o INDEXED BY orders_placed
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![from, to], |r| {
        Ok(DaySums {
            orders: r.get(0)?,
            paid_orders: r.get(1)?,
            gmv_minor: r.get(2)?,
        })
    })?)
}

/// Distinct customers with a paid order in the period, those with two or
/// more, and those whose first paid order ever falls in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerSums {
    pub customers: i64,
    pub repeat_customers: i64,
    pub new_customers: i64,
}

pub fn customer_sums(conn: &Connection, from: &str, to: &str) -> Result<CustomerSums> {
    let sql = format!(
        "WITH c AS (
             SELECT o.customer_id AS id, count(*) AS n
             FROM orders o INDEXED BY orders_placed
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged' AND {PAID}
             GROUP BY o.customer_id)
         SELECT count(*), coalesce(sum(n >= 2), 0),
                coalesce(sum(NOT EXISTS (
                    SELECT 1 FROM orders o INDEXED BY orders_customer
                    WHERE o.customer_id = c.id AND o.placed_at < ?1 AND o.status <> 'merged' AND {PAID})), 0)
         FROM c"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![from, to], |r| {
        Ok(CustomerSums {
            customers: r.get(0)?,
            repeat_customers: r.get(1)?,
            new_customers: r.get(2)?,
        })
    })?)
}

/// Refunds issued on tickets of the period's orders.
pub fn ticket_refunds(conn: &Connection, from: &str, to: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(r.amount_minor), 0)
             FROM orders o INDEXED BY orders_placed JOIN refunds r ON r.order_id = o.id
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged' AND r.ticket_id IS NOT NULL",
        )?
        .query_row(params![from, to], |r| r.get(0))?)
}

/// Reviews of the period's orders: count, Σ score, and how many scored ≤ 2.
pub fn review_sums(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(v.score), 0), coalesce(sum(v.score <= 2), 0)
             FROM orders o INDEXED BY orders_placed JOIN reviews v ON v.order_id = o.id
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'",
        )?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// Visits over the local dates `[from, to)` (`YYYY-MM-DD`), and whether any
/// traffic was recorded for them at all.
pub fn visits(conn: &Connection, from_date: &str, to_date: &str) -> Result<(i64, bool)> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(visits), 0), count(*) FROM traffic_daily WHERE date >= ?1 AND date < ?2",
        )?
        .query_row(params![from_date, to_date], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? > 0))
        })?)
}

/// Tickets of a period: opened in it, and resolved in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketSums {
    pub opened: i64,
    /// Complaints opened in the period.
    pub complaints: i64,
    pub resolved: i64,
    /// Resolved tickets that had a resolution due time, and those resolved by it.
    pub with_due: i64,
    pub sla_met: i64,
    /// Tickets opened in the period with a first public staff reply, and
    /// the Σ of seconds to it.
    pub responded: i64,
    pub response_secs: i64,
    /// Per CSAT score (attitude, speed, resolution, overall): how many
    /// tickets resolved in the period gave it, and its Σ.
    pub csat: [(i64, i64); 4],
}

pub fn ticket_sums(conn: &Connection, from: &str, to: &str) -> Result<TicketSums> {
    let (opened, complaints) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(kind = 'complaint'), 0) FROM tickets
             WHERE opened_at >= ?1 AND opened_at < ?2",
        )?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (responded, response_secs) = conn
        .prepare_cached(
            "SELECT count(f), coalesce(sum(unixepoch(f) - unixepoch(opened_at)), 0) FROM (
                 SELECT t.opened_at,
                        (SELECT min(m.created_at) FROM ticket_messages m
                         WHERE m.ticket_id = t.id AND m.author_kind = 'staff' AND m.internal = 0) AS f
                 FROM tickets t WHERE t.opened_at >= ?1 AND t.opened_at < ?2)",
        )?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut s = conn
        .prepare_cached(
            "SELECT count(*),
                    coalesce(sum(resolve_due_at IS NOT NULL), 0),
                    coalesce(sum(resolved_at <= resolve_due_at), 0),
                    count(sat_attitude), coalesce(sum(sat_attitude), 0),
                    count(sat_speed), coalesce(sum(sat_speed), 0),
                    count(sat_resolution), coalesce(sum(sat_resolution), 0),
                    count(sat_overall), coalesce(sum(sat_overall), 0)
             FROM tickets WHERE resolved_at >= ?1 AND resolved_at < ?2",
        )?
        .query_row(params![from, to], |r| {
            Ok(TicketSums {
                resolved: r.get(0)?,
                with_due: r.get(1)?,
                sla_met: r.get(2)?,
                csat: [
                    (r.get(3)?, r.get(4)?),
                    (r.get(5)?, r.get(6)?),
                    (r.get(7)?, r.get(8)?),
                    (r.get(9)?, r.get(10)?),
                ],
                ..TicketSums::default()
            })
        })?;
    s.opened = opened;
    s.complaints = complaints;
    s.responded = responded;
    s.response_secs = response_secs;
    Ok(s)
}

/// Tickets opened in the period by kind, most first.
pub fn tickets_by_kind(conn: &Connection, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, count(*) AS n FROM tickets WHERE opened_at >= ?1 AND opened_at < ?2
         GROUP BY kind ORDER BY n DESC, kind",
    )?;
    let rows = st.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Listed products at or under their low-stock line now (not a period figure).
pub fn low_stock_products(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM products
             WHERE status = 'listed' AND stock_on_hand - stock_reserved <= low_stock_threshold",
        )?
        .query_row([], |r| r.get(0))?)
}

/// One row of a top list: its key and name, units and GMV of paid orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Top {
    pub key: String,
    pub name: String,
    pub units: i64,
    pub gmv_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopBy {
    Merchant,
    Category,
    Product,
}

/// The `limit` biggest merchants, categories or products of the period by
/// the GMV of their lines on paid orders (ties by key).
pub fn top(conn: &Connection, by: TopBy, from: &str, to: &str, limit: i64) -> Result<Vec<Top>> {
    let (key, name, join, group) = match by {
        TopBy::Merchant => (
            "m.code",
            "m.name",
            "JOIN merchants m ON m.id = l.merchant_id",
            "l.merchant_id",
        ),
        TopBy::Category => (
            "coalesce(c.path, '(none)')",
            "coalesce(c.path, '(none)')",
            "JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = p.category_id",
            "p.category_id",
        ),
        TopBy::Product => (
            "p.sku",
            "p.title",
            "JOIN products p ON p.id = l.product_id",
            "l.product_id",
        ),
    };
    let sql = format!(
        "SELECT {key}, {name}, sum(l.qty), sum(l.qty * l.unit_price_minor) AS g
         FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id {join}
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged' AND {PAID}
         GROUP BY {group} ORDER BY g DESC, 1 LIMIT ?3"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![from, to, limit], |r| {
        Ok(Top {
            key: r.get(0)?,
            name: r.get(1)?,
            units: r.get(2)?,
            gmv_minor: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

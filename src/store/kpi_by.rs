//! The KPI sums per group for `kpi --by channel|merchant|category`, read
//! from the base tables (the period's orders by `orders_placed`). A group
//! holds an order when the order is of that channel, or has a line of that
//! merchant or of a product in that category. Order-level figures (counts,
//! refunds, reviews, delivery, customers, tickets) count an order in every
//! group it is in; GMV and shipping of a merchant or category are those of
//! its own lines. By channel the groups split the orders exactly.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Channel,
    Merchant,
    Category,
}

/// What one group's orders, lines, customers, tickets and traffic add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSums {
    pub name: String,
    pub orders: i64,
    pub paid_orders: i64,
    pub cancelled_orders: i64,
    pub gmv_minor: i64,
    pub shipping_minor: i64,
    pub delivered_orders: i64,
    pub delivery_secs: i64,
    pub promised_delivered: i64,
    pub late_delivered: i64,
    pub reviews: i64,
    pub review_score: i64,
    pub negative_reviews: i64,
    pub refund_minor: i64,
    pub customers: i64,
    pub repeat_customers: i64,
    pub tickets_opened: i64,
    pub complaints: i64,
    /// Visits of the channel (None: no traffic row for it, or not by channel).
    pub visits: Option<i64>,
}

/// `order_id, k, name` of the orders placed in `[?1, ?2)` and their groups.
fn members(by: By) -> &'static str {
    match by {
        By::Channel => {
            "SELECT o.id AS order_id, o.channel AS k, o.channel AS name
             FROM orders o INDEXED BY orders_placed
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'"
        }
        By::Merchant => {
            "SELECT DISTINCT l.order_id AS order_id, m.code AS k, m.name AS name
             FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id
             JOIN merchants m ON m.id = l.merchant_id
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'"
        }
        By::Category => {
            "SELECT DISTINCT l.order_id AS order_id, coalesce(c.path, '(none)') AS k, coalesce(c.path, '(none)') AS name
             FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = p.category_id
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged'"
        }
    }
}

/// The group key of a line (`l`, its product `p`) or order (`o`).
fn key_expr(by: By) -> &'static str {
    match by {
        By::Channel => "o.channel",
        By::Merchant => "m.code",
        By::Category => "coalesce(c.path, '(none)')",
    }
}

/// The joins from `order_lines l` that `key_expr` needs.
fn line_joins(by: By) -> &'static str {
    match by {
        By::Channel => "",
        By::Merchant => "JOIN merchants m ON m.id = l.merchant_id",
        By::Category => {
            "JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = p.category_id"
        }
    }
}

const PAID: &str = "o.paid_at IS NOT NULL AND o.status <> 'cancelled'";

/// The sums of every group with an order placed in `[from, to)` (UTC
/// stamps) or a ticket opened in it; traffic over the local dates
/// `[from_date, to_date)` by channel.
pub fn group_sums(
    conn: &Connection,
    by: By,
    (from, to): (&str, &str),
    (from_date, to_date): (&str, &str),
) -> Result<BTreeMap<String, GroupSums>> {
    let mut out: BTreeMap<String, GroupSums> = BTreeMap::new();
    let m = members(by);
    let sql = format!(
        "WITH g AS ({m})
         SELECT g.k, max(g.name), sum(f.orders), sum(f.paid_orders), sum(f.cancelled_orders),
                sum(f.gmv_minor), sum(f.shipping_minor), sum(f.delivered_orders), sum(f.delivery_secs),
                sum(f.promised_delivered), sum(f.late_delivered), sum(f.reviews), sum(f.review_score),
                sum(f.negative_reviews), sum(f.refund_minor)
         FROM g JOIN kpi_order_facts f ON f.id = g.order_id GROUP BY g.k"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let g = out.entry(r.get(0)?).or_default();
        g.name = r.get(1)?;
        g.orders = r.get(2)?;
        g.paid_orders = r.get(3)?;
        g.cancelled_orders = r.get(4)?;
        g.gmv_minor = r.get(5)?;
        g.shipping_minor = r.get(6)?;
        g.delivered_orders = r.get(7)?;
        g.delivery_secs = r.get(8)?;
        g.promised_delivered = r.get(9)?;
        g.late_delivered = r.get(10)?;
        g.reviews = r.get(11)?;
        g.review_score = r.get(12)?;
        g.negative_reviews = r.get(13)?;
        g.refund_minor = r.get(14)?;
    }
    if by != By::Channel {
        // A merchant's or category's GMV and shipping are its own lines'.
        let (k, j) = (key_expr(by), line_joins(by));
        let sql = format!(
            "SELECT {k}, sum(l.qty * l.unit_price_minor), sum(l.shipping_minor)
             FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id {j}
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged' AND {PAID}
             GROUP BY 1"
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let g = out.entry(r.get(0)?).or_default();
            g.gmv_minor = r.get(1)?;
            g.shipping_minor = r.get(2)?;
        }
    }
    let sql = format!(
        "WITH g AS ({m})
         SELECT k, count(*), coalesce(sum(n >= 2), 0) FROM (
             SELECT g.k AS k, o.customer_id, count(*) AS n
             FROM g JOIN orders o ON o.id = g.order_id WHERE {PAID} GROUP BY g.k, o.customer_id)
         GROUP BY k"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let g = out.entry(r.get(0)?).or_default();
        g.customers = r.get(1)?;
        g.repeat_customers = r.get(2)?;
    }
    // Tickets opened in the period, in the groups of their order (one
    // without an order is in none).
    let sql = match by {
        By::Channel => "SELECT o.channel, count(*), coalesce(sum(t.kind = 'complaint'), 0)
             FROM tickets t JOIN orders o ON o.id = t.order_id
             WHERE t.opened_at >= ?1 AND t.opened_at < ?2 GROUP BY 1"
            .to_string(),
        _ => format!(
            "SELECT {}, count(DISTINCT t.id), count(DISTINCT CASE WHEN t.kind = 'complaint' THEN t.id END)
             FROM tickets t JOIN order_lines l ON l.order_id = t.order_id {}
             WHERE t.opened_at >= ?1 AND t.opened_at < ?2 GROUP BY 1",
            key_expr(by),
            line_joins(by)
        ),
    };
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let g = out.entry(r.get(0)?).or_default();
        g.tickets_opened = r.get(1)?;
        g.complaints = r.get(2)?;
    }
    if by == By::Channel {
        let mut st = conn.prepare(
            "SELECT channel, sum(visits) FROM traffic_daily WHERE date >= ?1 AND date < ?2 GROUP BY channel",
        )?;
        let mut rows = st.query(params![from_date, to_date])?;
        while let Some(r) = rows.next()? {
            let g = out.entry(r.get(0)?).or_default();
            g.visits = Some(r.get(1)?);
        }
    }
    // A group seen only through its tickets or traffic is named by its key
    // (a merchant's name is looked up).
    for (k, g) in out.iter_mut().filter(|(_, g)| g.name.is_empty()) {
        g.name = match by {
            By::Merchant => conn
                .prepare_cached("SELECT name FROM merchants WHERE code = ?1")?
                .query_row([k], |r| r.get(0))
                .optional()?
                .unwrap_or_else(|| k.clone()),
            _ => k.clone(),
        };
    }
    Ok(out)
}

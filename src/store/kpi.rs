//! The KPI queries (SPEC §6 "Definitions"), each over one period given as
//! UTC stamps `[from, to)` (the caller turns the shop's local dates into
//! instants). Orders belong to the period of their `placed_at`; merged
//! orders are never counted. The sums are read straight from the base
//! tables: exact by construction, and the reference the faster paths of the
//! dashboard must equal.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::{Result, clock};

/// "A paid order": has `paid_at` and is not cancelled (merged ones are
/// filtered out by every query already).
const PAID: &str = "o.paid_at IS NOT NULL AND o.status <> 'cancelled'";

/// What a period's orders add up to (the columns of `kpi_hours` and of the
/// `kpi_order_facts` view, schema.sql).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
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
    pub reviews: i64,
    pub review_score: i64,
    pub negative_reviews: i64,
    /// Refunds issued on tickets of these orders.
    pub refund_minor: i64,
}

impl Facts {
    fn add(&mut self, o: &Facts) {
        self.orders += o.orders;
        self.paid_orders += o.paid_orders;
        self.cancelled_orders += o.cancelled_orders;
        self.gmv_minor += o.gmv_minor;
        self.shipping_minor += o.shipping_minor;
        self.delivered_orders += o.delivered_orders;
        self.delivery_secs += o.delivery_secs;
        self.promised_delivered += o.promised_delivered;
        self.late_delivered += o.late_delivered;
        self.reviews += o.reviews;
        self.review_score += o.review_score;
        self.negative_reviews += o.negative_reviews;
        self.refund_minor += o.refund_minor;
    }
}

const SUMS: &str =
    "coalesce(sum(orders), 0), coalesce(sum(paid_orders), 0), coalesce(sum(cancelled_orders), 0),
    coalesce(sum(gmv_minor), 0), coalesce(sum(shipping_minor), 0), coalesce(sum(delivered_orders), 0),
    coalesce(sum(delivery_secs), 0), coalesce(sum(promised_delivered), 0), coalesce(sum(late_delivered), 0),
    coalesce(sum(reviews), 0), coalesce(sum(review_score), 0), coalesce(sum(negative_reviews), 0),
    coalesce(sum(refund_minor), 0)";

fn facts_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Facts> {
    Ok(Facts {
        orders: r.get(0)?,
        paid_orders: r.get(1)?,
        cancelled_orders: r.get(2)?,
        gmv_minor: r.get(3)?,
        shipping_minor: r.get(4)?,
        delivered_orders: r.get(5)?,
        delivery_secs: r.get(6)?,
        promised_delivered: r.get(7)?,
        late_delivered: r.get(8)?,
        reviews: r.get(9)?,
        review_score: r.get(10)?,
        negative_reviews: r.get(11)?,
        refund_minor: r.get(12)?,
    })
}

/// The facts of orders placed in `[from, to)`: whole UTC hours from the
/// rollups, a part hour at either end (a zone at :30 or :45) from the
/// orders themselves through the same view.
pub fn facts(conn: &Connection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Facts> {
    let h = super::kpi_tickets::hours(from, to.max(from));
    let mut f = Facts::default();
    if h.whole.0 < h.whole.1 {
        f = conn
            .prepare_cached(&format!(
                "SELECT {SUMS} FROM kpi_hours WHERE hour >= ?1 AND hour < ?2"
            ))?
            .query_row(params![h.whole.0, h.whole.1], facts_row)?;
    }
    for (a, b) in [h.head, h.tail] {
        if a < b {
            f.add(&base_facts(conn, a, b)?);
        }
    }
    Ok(f)
}

/// The same sums read from the orders (`placed_at` index) instead of the
/// rollups: for part hours, and for `check`.
pub fn base_facts(conn: &Connection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Facts> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SUMS} FROM kpi_order_facts WHERE placed_at >= ?1 AND placed_at < ?2"
        ))?
        .query_row(params![clock::stamp(from), clock::stamp(to)], facts_row)?)
}

/// Distinct customers with a paid order in the period, those with two or
/// more, and those whose first paid order ever falls in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerSums {
    pub customers: i64,
    pub repeat_customers: i64,
    pub new_customers: i64,
}

/// Exact, from the chain day rollups (store/kpi_chain.rs).
pub fn customer_sums(conn: &Connection, from: &str, to: &str) -> Result<CustomerSums> {
    super::kpi_chain::customer_sums(conn, from, to)
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

pub use super::kpi_tickets::{ticket_sums, tickets_by_reason};

/// Listed products at or under their low-stock line now (not a period figure).
pub fn low_stock_products(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            // The low-stock queue's partial index holds these and the
            // drafts: a few thousand rows instead of every listed product.
            "SELECT count(*) FROM products INDEXED BY products_low
             WHERE stock_on_hand - stock_reserved - low_stock_threshold <= 0 AND status NOT IN ('delisted', 'rejected')
               AND status = 'listed'",
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

/// The three top lists of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tops {
    pub merchants: Vec<Top>,
    pub categories: Vec<Top>,
    pub products: Vec<Top>,
}

/// The `limit` biggest merchants, categories and products of the period by
/// the GMV of their lines on paid orders (ties by key). One pass groups the
/// period's lines by product; a product's merchant and category give the
/// other two lists (a line's merchant is its product's).
pub fn tops(conn: &Connection, from: &str, to: &str, limit: usize) -> Result<Tops> {
    let sql = format!(
        "SELECT l.product_id, sum(l.qty), sum(l.qty * l.unit_price_minor)
         FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'merged' AND {PAID}
         GROUP BY l.product_id"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let sold: Vec<(i64, i64, i64)> = st
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut info = conn.prepare_cached(
        "SELECT p.sku, p.title, m.code, m.name, coalesce(c.path, '(none)')
         FROM products p JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id
         WHERE p.id = ?1",
    )?;
    let mut products = Vec::with_capacity(sold.len());
    let mut merchants: std::collections::HashMap<String, Top> = std::collections::HashMap::new();
    let mut categories: std::collections::HashMap<String, Top> = std::collections::HashMap::new();
    for (id, units, gmv) in sold {
        let (sku, title, code, mname, path): (String, String, String, String, String) = info
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
        for (map, key, name) in [
            (&mut merchants, code, mname),
            (&mut categories, path.clone(), path),
        ] {
            let t = map.entry(key.clone()).or_insert(Top {
                key,
                name,
                units: 0,
                gmv_minor: 0,
            });
            t.units += units;
            t.gmv_minor += gmv;
        }
        products.push(Top {
            key: sku,
            name: title,
            units,
            gmv_minor: gmv,
        });
    }
    let rank = |mut v: Vec<Top>| {
        v.sort_by(|a, b| b.gmv_minor.cmp(&a.gmv_minor).then_with(|| a.key.cmp(&b.key)));
        v.truncate(limit);
        v
    };
    Ok(Tops {
        merchants: rank(merchants.into_values().collect()),
        categories: rank(categories.into_values().collect()),
        products: rank(products),
    })
}

/// The KPI columns, in `kpi_hours` order.
const KPI_COLUMNS: [&str; 13] = [
    "orders",
    "paid_orders",
    "cancelled_orders",
    "gmv_minor",
    "shipping_minor",
    "delivered_orders",
    "delivery_secs",
    "promised_delivered",
    "late_delivered",
    "reviews",
    "review_score",
    "negative_reviews",
    "refund_minor",
];

/// Every hour whose rollup differs from a recomputation from the orders,
/// named in shop time with the figures that differ (for `check`).
pub fn rollup_differences(conn: &Connection, limit: usize) -> Result<Vec<String>> {
    let tz: chrono_tz::Tz = super::settings::load(conn)?
        .timezone
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let sums: Vec<String> = KPI_COLUMNS.iter().map(|c| format!("sum({c}) AS {c}")).collect();
    let zero = |t: &str| {
        KPI_COLUMNS
            .iter()
            .map(|c| format!("{t}.{c} = 0"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let differ: Vec<String> = KPI_COLUMNS
        .iter()
        .map(|c| format!("coalesce(f.{c}, 0) <> coalesce(k.{c}, 0)"))
        .collect();
    let pick: Vec<String> = KPI_COLUMNS
        .iter()
        .map(|c| format!("coalesce(f.{c}, 0), coalesce(k.{c}, 0)"))
        .collect();
    // Both directions: an hour the orders have and the rollups lack (or
    // hold wrong), and a non-zero rollup hour no order explains.
    let sql = format!(
        "WITH f AS (SELECT hour, {} FROM kpi_order_facts GROUP BY hour)
         SELECT f.hour, {} FROM f LEFT JOIN kpi_hours k ON k.hour = f.hour WHERE {}
         UNION ALL
         SELECT k.hour, {} FROM kpi_hours k LEFT JOIN f ON f.hour = k.hour WHERE f.hour IS NULL AND NOT ({})
         ORDER BY 1",
        sums.join(", "),
        pick.join(", "),
        differ.join(" OR "),
        pick.join(", "),
        zero("k"),
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if out.len() >= limit {
            break;
        }
        let hour: String = r.get(0)?;
        let at = DateTime::parse_from_rfc3339(&format!("{hour}:00:00Z"))
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| hour.clone());
        let mut what = Vec::new();
        for (i, c) in KPI_COLUMNS.iter().enumerate() {
            let (want, have): (i64, i64) = (r.get(1 + 2 * i)?, r.get(2 + 2 * i)?);
            if want != have {
                what.push(format!("{c} {have} (the orders say {want})"));
            }
        }
        out.push(format!("KPI hour from {at} shop time: {}", what.join(", ")));
    }
    Ok(out)
}

/// Paid orders whose chain row is missing, stale or left over (for `check`).
pub fn chain_differences(conn: &Connection, limit: usize) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT order_id, 'is paid but has no chain row, or a stale one' FROM (
             SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain
             EXCEPT SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_orders)
         UNION ALL
         SELECT order_id, 'has a chain row but is not a paid order, or it is stale' FROM (
             SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_orders
             EXCEPT SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain)
         ORDER BY 1 LIMIT ?1",
    )?;
    let rows = st.query_map([limit as i64], |r| {
        Ok(format!(
            "order {}: {}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

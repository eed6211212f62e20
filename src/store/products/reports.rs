//! The figures behind the inventory reports: delistings by reason and
//! category, sales per product over rolling windows (computed in one read,
//! stored in `product_stats` for the screens), and the products at or under
//! their warning line.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// Delistings of one reason in one category over a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DelistCount {
    pub reason: String,
    pub category: Option<String>,
    pub n: i64,
}

/// Delistings with `from <= at < to` (RFC 3339 stamps), by reason then category.
pub fn delist_report(conn: &Connection, from: &str, to: &str) -> Result<Vec<DelistCount>> {
    let mut st = conn.prepare_cached(
        "SELECT d.reason, c.path, count(*) FROM product_delistings d
         LEFT JOIN categories c ON c.id = d.category_id
         WHERE d.at >= ?1 AND d.at < ?2
         GROUP BY d.reason, c.path ORDER BY d.reason, c.path",
    )?;
    let rows = st.query_map([from, to], |r| {
        Ok(DelistCount {
            reason: r.get(0)?,
            category: r.get(1)?,
            n: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One product's sales and stock figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stat {
    pub product_id: i64,
    pub units_30d: i64,
    pub units_90d: i64,
    pub revenue_90d: i64,
    pub avg_on_hand: f64,
    pub last_sold_at: Option<String>,
    /// Filled by the caller from the domain's ABC rule.
    pub abc: char,
}

/// Every product's figures as of now: units and revenue of paid orders
/// (not cancelled or merged away) placed on or after UTC day `day30` /
/// `day90` (`YYYY-MM-DD`), the last sale ever, and the average on hand over
/// the 90 days (today's and the one re-derived from the ledger for `day90`,
/// halved), read from the lines themselves: seconds on the large demo, so
/// it is the reference the rollup is checked against, not what screens use.
pub fn compute_stats(conn: &Connection, day30: &str, day90: &str) -> Result<Vec<Stat>> {
    stats_with(conn, super::sales::FROM_LINES, day30, day90)
}

/// The same figures from the trigger-kept rollup (`product_sales_days`):
/// one row per product and day with a sale, no order line read.
pub fn rollup_stats(conn: &Connection, day30: &str, day90: &str) -> Result<Vec<Stat>> {
    stats_with(conn, super::sales::FROM_ROLLUP, day30, day90)
}

/// `sales` is a query of (product_id, day, units, revenue_minor, last_at).
fn stats_with(conn: &Connection, sales: &str, day30: &str, day90: &str) -> Result<Vec<Stat>> {
    let mut st = conn.prepare(&format!(
        "WITH src AS ({sales}),
         sales AS (
            SELECT product_id AS pid,
                   sum(CASE WHEN day >= ?1 THEN units ELSE 0 END) AS u30,
                   sum(CASE WHEN day >= ?2 THEN units ELSE 0 END) AS u90,
                   sum(CASE WHEN day >= ?2 THEN revenue_minor ELSE 0 END) AS r90,
                   max(last_at) AS last
            FROM src GROUP BY product_id),
         moved AS (
            SELECT product_id AS pid, sum(on_hand_delta) AS d FROM stock_movements
            WHERE created_at >= ?2 || 'T00:00:00Z' GROUP BY product_id)
         SELECT p.id, coalesce(s.u30, 0), coalesce(s.u90, 0), coalesce(s.r90, 0),
                p.stock_on_hand, coalesce(m.d, 0), s.last
         FROM products p LEFT JOIN sales s ON s.pid = p.id LEFT JOIN moved m ON m.pid = p.id
         ORDER BY p.id"
    ))?;
    let rows = st.query_map([day30, day90], |r| {
        let on_hand: i64 = r.get(4)?;
        let moved: i64 = r.get(5)?;
        let then = (on_hand - moved).max(0);
        Ok(Stat {
            product_id: r.get(0)?,
            units_30d: r.get(1)?,
            units_90d: r.get(2)?,
            revenue_90d: r.get(3)?,
            avg_on_hand: (on_hand + then) as f64 / 2.0,
            last_sold_at: r.get(6)?,
            abc: 'C',
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the stored figures (inside the caller's transaction), writing
/// only the rows whose figures changed: most products' do not between two
/// refreshes, and the write holds the lock every save waits for.
pub fn store_stats(tx: &Connection, stats: &[Stat], at: &str) -> Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO product_stats (product_id, units_30d, units_90d, revenue_90d, avg_on_hand, last_sold_at, abc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (product_id) DO UPDATE SET units_30d = excluded.units_30d, units_90d = excluded.units_90d,
             revenue_90d = excluded.revenue_90d, avg_on_hand = excluded.avg_on_hand,
             last_sold_at = excluded.last_sold_at, abc = excluded.abc
         WHERE (units_30d, units_90d, revenue_90d, avg_on_hand, last_sold_at, abc)
             IS NOT (excluded.units_30d, excluded.units_90d, excluded.revenue_90d, excluded.avg_on_hand,
                     excluded.last_sold_at, excluded.abc)",
    )?;
    for s in stats {
        st.execute(params![
            s.product_id,
            s.units_30d,
            s.units_90d,
            s.revenue_90d,
            s.avg_on_hand,
            s.last_sold_at,
            s.abc.to_string()
        ])?;
    }
    let n = |c: char| stats.iter().filter(|s| s.abc == c).count() as i64;
    tx.execute(
        "UPDATE inventory_settings SET stats_at = ?1, abc_a = ?2, abc_b = ?3, abc_c = ?4 WHERE id = 1",
        params![at, n('A'), n('B'), n('C')],
    )?;
    Ok(())
}

/// When the stored figures were computed.
pub fn stats_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT stats_at FROM inventory_settings WHERE id = 1")?
        .query_row([], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// One product's stored figures, if computed.
pub fn stored_stat(conn: &Connection, id: i64) -> Result<Option<Stat>> {
    Ok(conn
        .prepare_cached(
            "SELECT product_id, units_30d, units_90d, revenue_90d, avg_on_hand, last_sold_at, abc
             FROM product_stats WHERE product_id = ?1",
        )?
        .query_row([id], |r| {
            let abc: String = r.get(6)?;
            Ok(Stat {
                product_id: r.get(0)?,
                units_30d: r.get(1)?,
                units_90d: r.get(2)?,
                revenue_90d: r.get(3)?,
                avg_on_hand: r.get(4)?,
                last_sold_at: r.get(5)?,
                abc: abc.chars().next().unwrap_or('C'),
            })
        })
        .optional()?)
}

/// A product as the inventory reports list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StockLine {
    pub id: i64,
    pub merchant_code: String,
    pub merchant_name: String,
    pub sku: String,
    pub title: String,
    pub category: Option<String>,
    pub status: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub threshold: i64,
}

const LINE_COLS: &str = "p.id, m.code, m.name, p.sku, p.title, c.path, p.status, p.stock_on_hand, \
     p.stock_reserved, p.low_stock_threshold";

fn line(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockLine> {
    Ok(StockLine {
        id: r.get(0)?,
        merchant_code: r.get(1)?,
        merchant_name: r.get(2)?,
        sku: r.get(3)?,
        title: r.get(4)?,
        category: r.get(5)?,
        status: r.get(6)?,
        on_hand: r.get(7)?,
        reserved: r.get(8)?,
        threshold: r.get(9)?,
    })
}

/// Products at or under their warning line (available <= threshold), not
/// delisted or rejected, by merchant code then SKU (the partial index
/// `products_low` holds exactly these rows).
pub fn low_stock(conn: &Connection) -> Result<Vec<StockLine>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {LINE_COLS} FROM products p INDEXED BY products_low
         JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id
         WHERE p.stock_on_hand - p.stock_reserved - p.low_stock_threshold <= 0 AND p.status NOT IN ('delisted', 'rejected')
         ORDER BY m.code, p.sku"
    ))?;
    let rows = st.query_map([], line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every product (for ABC, slow movers and turnover), by id.
pub fn all_lines(conn: &Connection) -> Result<Vec<StockLine>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {LINE_COLS} FROM products p
         JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id
         ORDER BY p.id"
    ))?;
    let rows = st.query_map([], line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Units of paid orders (not cancelled or merged away) placed since
/// `since`, for each of `ids` (through order_lines_product: a few rows each).
pub fn units_since(
    conn: &Connection,
    since: &str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>> {
    let mut st = conn.prepare_cached(
        "SELECT coalesce(sum(l.qty), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.product_id = ?1 AND o.placed_at >= ?2 AND o.paid_at IS NOT NULL
           AND o.status NOT IN ('cancelled', 'merged')",
    )?;
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for id in ids {
        let n: i64 = st.query_row(params![id, since], |r| r.get(0))?;
        out.insert(*id, n);
    }
    Ok(out)
}

//! The product sales rollup (`product_sales_days`, schema.sql): each
//! product's paid units and revenue per UTC day, kept by the
//! `product_sales_*` triggers in the same transaction as every order and
//! order-line write. Bulk loads set the triggers aside and rebuild it in one
//! pass ([`REBUILD`], `store::bulk::PRODUCT_SALES`); `check` compares it
//! with a recomputation from the lines ([`differences`]).

use rusqlite::Connection;

use crate::Result;

/// The sales as (product_id, day, units, revenue_minor, last_at), from the
/// order lines themselves (the definition, `product_sale_facts`).
pub const FROM_LINES: &str =
    "SELECT product_id, day, sum(units) AS units, sum(revenue_minor) AS revenue_minor,
            max(placed_at) AS last_at
     FROM product_sale_facts GROUP BY product_id, day";

/// The same from the rollup.
pub const FROM_ROLLUP: &str = "SELECT product_id, day, units, revenue_minor, last_at FROM product_sales_days";

/// Recomputes the rollup from the lines (a migration, a bulk load's end).
///
/// The lines are read in table order (`NOT INDEXED`), which follows the
/// orders, and sorted once: walking `order_lines_product` instead looks
/// each line's order up at random (large demo: 16.6 s against about 12).
/// The same rows as `product_sale_facts`.
pub const REBUILD: &str = "DELETE FROM product_sales_days;
     INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)
     SELECT l.product_id, substr(o.placed_at, 1, 10), sum(l.qty), sum(l.qty * l.unit_price_minor), max(o.placed_at)
     FROM order_lines l NOT INDEXED JOIN orders o ON o.id = l.order_id
     WHERE o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'merged')
     GROUP BY l.product_id, substr(o.placed_at, 1, 10);";

/// Every trigger that keeps the rollup, as schema.sql names them.
pub const TRIGGERS: [&str; 6] = [
    "product_sales_line_ai",
    "product_sales_line_bd",
    "product_sales_line_bu",
    "product_sales_line_au",
    "product_sales_order_bu",
    "product_sales_order_au",
];

/// Where the rollup differs from a recomputation from the lines, at most
/// `max` lines, each naming the product, the day and both figures.
pub fn differences(conn: &Connection, max: usize) -> Result<Vec<String>> {
    let mut st = conn.prepare(&format!(
        "WITH want AS ({FROM_LINES})
         SELECT coalesce(w.product_id, h.product_id), coalesce(w.day, h.day),
                w.units, w.revenue_minor, w.last_at, h.units, h.revenue_minor, h.last_at
         FROM want w FULL OUTER JOIN product_sales_days h ON h.product_id = w.product_id AND h.day = w.day
         WHERE w.units IS NOT h.units OR w.revenue_minor IS NOT h.revenue_minor OR w.last_at IS NOT h.last_at
         ORDER BY 1, 2 LIMIT ?1"
    ))?;
    let rows = st.query_map([max as i64], |r| {
        let fig = |u: Option<i64>, rev: Option<i64>, at: Option<String>| match (u, rev) {
            (Some(u), Some(rev)) => format!("{u} units, {rev} minor, last {}", at.unwrap_or_default()),
            _ => "nothing".to_string(),
        };
        Ok(format!(
            "product {} on {}: the orders say {}, product_sales_days says {}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            fig(r.get(2)?, r.get(3)?, r.get(4)?),
            fig(r.get(5)?, r.get(6)?, r.get(7)?)
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! Distinct, repeat and new customers of any period from day rollups of
//! the paid-order chains (schema.sql `kpi_chain_days`), exact: whole UTC
//! days from the rollup, the part days at either end from `kpi_paid_orders`
//! itself. Without this a period's count read every paid order in it
//! (the whole history of the large demo: a million index entries).
//!
//! In `[F, T)`, with `N` the paid orders placed there and
//! `G(c) = #{paid orders with c >= F placed before T}` for `c` the placed
//! time of the previous (`prev_at`) or the one-before (`prev2_at`) paid
//! order of the same customer (an order with `c >= F` is itself placed at
//! or after F):
//!
//! - customers = N − G(prev): each customer once, on its first order there;
//! - repeat customers = G(prev) − G(prev2): a customer on its second order;
//! - new customers: orders there with no previous paid order at all.
//!
//! `G` is a dominance count over (c, placed); the rollup counts orders per
//! (UTC day placed, UTC day of c), so whole days of both come from it.

use chrono::{DateTime, Days, NaiveTime, Utc};
use rusqlite::{Connection, params};

use super::kpi::CustomerSums;
use crate::{Result, clock};

/// The UTC midnight at or before `t`, and the first one after `t` unless
/// `t` is one.
fn midnights(t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let floor = t.date_naive().and_time(NaiveTime::MIN).and_utc();
    let ceil = if floor == t {
        t
    } else {
        floor.checked_add_days(Days::new(1)).unwrap_or(floor)
    };
    (floor, ceil)
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Paid orders placed in `[from, to)` (`kpi_paid_orders` by its placed
/// index), all and those without a previous paid order.
fn placed_in(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64)> {
    if from >= to {
        return Ok((0, 0));
    }
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(prev_at IS NULL), 0)
             FROM kpi_paid_orders INDEXED BY kpi_paid_orders_placed
             WHERE placed_at >= ?1 AND placed_at < ?2",
        )?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Up to this long a period is read in one pass over its chains: the part
/// days' lookups of the day path cost more than a short pass (large demo,
/// benches/kpi.rs: 1 day 1 ms one pass against 74 ms, 7 days 17 against
/// 38, 30 days 83 against 52).
const ONE_PASS_DAYS: i64 = 14;

/// The customer figures of `[from, to)`; `from` and `to` are stored stamps.
pub fn customer_sums(conn: &Connection, from: &str, to: &str) -> Result<CustomerSums> {
    match (clock::parse_stamp(from), clock::parse_stamp(to)) {
        (Ok(f), Ok(t)) if (t - f).num_days() > ONE_PASS_DAYS => customer_sums_days(conn, from, to),
        _ => customer_sums_base(conn, from, to),
    }
}

/// The figures from the day rollups and the part days (any period; what
/// `customer_sums` uses for long ones).
pub fn customer_sums_days(conn: &Connection, from: &str, to: &str) -> Result<CustomerSums> {
    let (Ok(f), Ok(t)) = (clock::parse_stamp(from), clock::parse_stamp(to)) else {
        return customer_sums_base(conn, from, to);
    };
    if f >= t {
        return Ok(CustomerSums::default());
    }
    let (_, f_up) = midnights(f);
    let (t_down, _) = midnights(t);
    let s = clock::stamp;
    // Whole UTC days [f_up, t_down) from the rollup (none when the period
    // lies within one day), the part days from the orders.
    let (mut n, mut z) = (0, 0);
    for (a, b) in [(f, f_up.min(t)), (t_down.max(f_up), t)] {
        let (pn, pz) = placed_in(conn, &s(a), &s(b))?;
        n += pn;
        z += pz;
    }
    let (days_n, days_z, g_days) = if f_up < t_down {
        conn.prepare_cached(
            "SELECT coalesce(sum(prev), 0), coalesce(sum(CASE WHEN back = '' THEN prev END), 0),
                    coalesce(sum(CASE WHEN back >= ?1 THEN prev END), 0),
                    coalesce(sum(CASE WHEN back >= ?1 THEN prev2 END), 0)
             FROM kpi_chain_days WHERE day >= ?1 AND day < ?2",
        )?
        .query_row(params![day(f_up), day(t_down)], |r| {
            Ok((r.get(0)?, r.get(1)?, [r.get::<_, i64>(2)?, r.get(3)?]))
        })?
    } else {
        (0, 0, [0, 0])
    };
    n += days_n;
    z += days_z;
    // G(c) = #{c >= F, placed < T}: c in the part day [F, f_up) (through
    // the customers who ordered then), c from f_up on with placed before
    // t_down (the rollup: every such order is placed on a whole day), and
    // c from f_up on with placed in the part day [t_down, T).
    let mut g = [0i64; 2];
    for (i, col) in ["prev_at", "prev2_at"].iter().enumerate() {
        let early: i64 = if f < f_up {
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM kpi_paid_orders c INDEXED BY kpi_paid_orders_customer
                 WHERE c.customer_id IN (SELECT customer_id FROM kpi_paid_orders INDEXED BY kpi_paid_orders_placed
                                         WHERE placed_at >= ?1 AND placed_at < ?2)
                   AND c.{col} >= ?1 AND c.{col} < ?2 AND c.placed_at < ?3"
            ))?
            .query_row(params![from, s(f_up), to], |r| r.get(0))?
        } else {
            0
        };
        let late: i64 = if t_down < t && f_up < t {
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM kpi_paid_orders INDEXED BY kpi_paid_orders_placed
                 WHERE placed_at >= ?1 AND placed_at < ?2 AND {col} >= ?3"
            ))?
            .query_row(params![s(t_down.max(f_up)), to, s(f_up)], |r| r.get(0))?
        } else {
            0
        };
        g[i] = early + g_days[i] + late;
    }
    Ok(CustomerSums {
        customers: n - g[0],
        repeat_customers: g[0] - g[1],
        new_customers: z,
    })
}

/// The same figures from one pass over the period's paid orders: the
/// reference `customer_sums` must equal (tests), and the short way for a
/// stamp that does not parse.
pub fn customer_sums_base(conn: &Connection, from: &str, to: &str) -> Result<CustomerSums> {
    // Each customer is counted on its first order in the period, a repeat
    // customer again on its second, a new one on its first ever.
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(prev_at IS NULL OR prev_at < ?1), 0),
                    coalesce(sum(prev_at >= ?1 AND (prev2_at IS NULL OR prev2_at < ?1)), 0),
                    coalesce(sum(prev_at IS NULL), 0)
             FROM kpi_paid_orders INDEXED BY kpi_paid_orders_placed
             WHERE placed_at >= ?1 AND placed_at < ?2",
        )?
        .query_row(params![from, to], |r| {
            Ok(CustomerSums {
                customers: r.get(0)?,
                repeat_customers: r.get(1)?,
                new_customers: r.get(2)?,
            })
        })?)
}

/// The chain rows grouped as the rollup counts them, with a filter on
/// `kpi_paid_orders` (a literal, possibly empty).
macro_rules! chain_day_rows {
    ($filter:literal) => {
        concat!(
            "SELECT day, back, sum(prev) AS prev, sum(prev2) AS prev2 FROM (
                 SELECT substr(placed_at, 1, 10) AS day, coalesce(substr(prev_at, 1, 10), '') AS back,
                        1 AS prev, 0 AS prev2 FROM kpi_paid_orders ",
            $filter,
            "
                 UNION ALL
                 SELECT substr(placed_at, 1, 10), coalesce(substr(prev2_at, 1, 10), ''), 0, 1
                 FROM kpi_paid_orders ",
            $filter,
            ")
             GROUP BY day, back"
        )
    };
}

/// The rollup recomputed from the chains, grouped, for the bulk rebuild.
pub const CHAIN_DAYS_REBUILD: &str = concat!(
    "DELETE FROM kpi_chain_days;
     INSERT INTO kpi_chain_days (day, back, prev, prev2) ",
    chain_day_rows!(""),
    ";"
);

/// Takes the chain rows of the customers in `temp.kpi_touched` out of the
/// rollup (`sign` -1, before they are deleted) or puts them in (+1, after
/// they are written): grouped, instead of the row triggers' two upserts a
/// row (a bulk import sets those aside).
pub fn touched_chain_days(tx: &Connection, sign: i64) -> Result<()> {
    tx.prepare_cached(concat!(
        "INSERT INTO kpi_chain_days (day, back, prev, prev2) SELECT day, back, ?1 * prev, ?1 * prev2 FROM (",
        chain_day_rows!("WHERE customer_id IN (SELECT customer_id FROM temp.kpi_touched)"),
        ") WHERE true ON CONFLICT (day, back) DO UPDATE SET prev = prev + excluded.prev, prev2 = prev2 + excluded.prev2"
    ))?
    .execute([sign])?;
    Ok(())
}

/// Every (day, back) pair whose rollup differs from the chains, named by
/// its days (for `check`).
pub fn chain_day_differences(conn: &Connection, limit: usize) -> Result<Vec<String>> {
    let mut st = conn.prepare(concat!(
        "WITH f AS (",
        chain_day_rows!(""),
        ")
         SELECT f.day, f.back, f.prev, f.prev2, coalesce(k.prev, 0), coalesce(k.prev2, 0)
         FROM f LEFT JOIN kpi_chain_days k ON k.day = f.day AND k.back = f.back
         WHERE f.prev <> coalesce(k.prev, 0) OR f.prev2 <> coalesce(k.prev2, 0)
         UNION ALL
         SELECT k.day, k.back, 0, 0, k.prev, k.prev2 FROM kpi_chain_days k
         WHERE (k.prev <> 0 OR k.prev2 <> 0)
           AND NOT EXISTS (SELECT 1 FROM f WHERE f.day = k.day AND f.back = k.back)
         ORDER BY 1, 2 LIMIT ?1"
    ))?;
    let rows = st.query_map([limit as i64], |r| {
        let back: String = r.get(1)?;
        let back = if back.is_empty() {
            "no earlier paid order".to_string()
        } else {
            format!("an earlier one on {back}")
        };
        Ok(format!(
            "KPI customer day {} (UTC), {back}: {} and {} one-before (the chains say {} and {})",
            r.get::<_, String>(0)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

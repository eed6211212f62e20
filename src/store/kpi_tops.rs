//! The KPI top lists from rollups (docs/kpi.md "top lists"): the exact top
//! products by the threshold algorithm over the product month lists
//! (`kpi_top_months`, read in GMV order), each candidate summed exactly
//! from the product sales days; merchants and categories summed from their
//! day and month rows (`kpi_group_sales`). A shop's midnight is not UTC
//! midnight: a part day up to 12 hours is added from its lines, a longer
//! one is read as its whole UTC day less the other hours' lines, so no end
//! reads more than 12 hours of lines. `store::kpi::tops` (one pass over
//! the lines) stays the reference the tests compare with.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use rusqlite::{Connection, params};

use super::kpi::{Top, Tops};
use crate::{Result, clock};

/// Every trigger that keeps the top-list rollups, as schema.sql names them.
pub const TRIGGERS: [&str; 4] = [
    "kpi_tops_sales_ai",
    "kpi_tops_sales_ad",
    "kpi_tops_sales_au",
    "kpi_tops_products_au",
];

macro_rules! want_months {
    () => {
        "SELECT product_id, substr(day, 1, 7) AS month, sum(units) AS units, sum(revenue_minor) AS revenue_minor
         FROM product_sales_days GROUP BY product_id, month"
    };
}

macro_rules! want_groups {
    () => {
        "WITH days AS (
             SELECT 'merchant' AS grp, 'd' AS grain, d.day AS period, p.merchant_id AS key,
                    sum(d.units) AS units, sum(d.revenue_minor) AS revenue_minor
             FROM product_sales_days d JOIN products p ON p.id = d.product_id GROUP BY d.day, p.merchant_id
             UNION ALL
             SELECT 'category', 'd', d.day, coalesce(p.category_id, 0), sum(d.units), sum(d.revenue_minor)
             FROM product_sales_days d JOIN products p ON p.id = d.product_id
             GROUP BY d.day, coalesce(p.category_id, 0))
         SELECT grp, grain, period, key, units, revenue_minor FROM days
         UNION ALL
         SELECT grp, 'm', substr(period, 1, 7), key, sum(units), sum(revenue_minor)
         FROM days GROUP BY grp, substr(period, 1, 7), key"
    };
}

/// Recomputes the rollups from the product sales days (a migration, a bulk
/// load's end, after the product sales rollup itself).
pub const REBUILD: &str = concat!(
    "DELETE FROM kpi_top_months;
     INSERT INTO kpi_top_months (product_id, month, units, revenue_minor) ",
    want_months!(),
    ";
     DELETE FROM kpi_group_sales;
     INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor) ",
    want_groups!(),
    ";"
);

/// Where the rollups differ from a recomputation from the product sales
/// days (zero rows count as absent), at most `max` lines naming the product
/// and month, or the merchant or category and the day or month.
pub fn differences(conn: &Connection, max: usize) -> Result<Vec<String>> {
    // EXCEPT both ways sorts each side once; a join of two unindexed CTEs
    // would not.
    let mut st = conn.prepare(concat!(
        "WITH want AS (",
        want_months!(),
        "), have AS (SELECT product_id, month, units, revenue_minor FROM kpi_top_months
                     WHERE units <> 0 OR revenue_minor <> 0)
         SELECT * FROM (SELECT *, 'the sales days say' FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
                        UNION ALL
                        SELECT *, 'kpi_top_months says' FROM (SELECT * FROM have EXCEPT SELECT * FROM want))
         ORDER BY 1, 2 LIMIT ?1"
    ))?;
    let rows = st.query_map([max as i64], |r| {
        Ok(format!(
            "KPI top products: product {} in {} (UTC): {} {} (the other differs)",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(4)?,
            figure(r.get(2)?, r.get(3)?),
        ))
    })?;
    let mut out: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(concat!(
        "WITH want AS (",
        want_groups!(),
        "), have AS (SELECT grp, grain, period, key, units, revenue_minor FROM kpi_group_sales
                     WHERE units <> 0 OR revenue_minor <> 0)
         SELECT * FROM (SELECT *, 'the sales days say' FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
                        UNION ALL
                        SELECT *, 'kpi_group_sales says' FROM (SELECT * FROM have EXCEPT SELECT * FROM want))
         ORDER BY 1, 3, 4 LIMIT ?1"
    ))?;
    let rows = st.query_map([max as i64], |r| {
        Ok(format!(
            "KPI top {}s: {} {} on {} (UTC): {} {} (the other differs)",
            r.get::<_, String>(0)?,
            r.get::<_, String>(0)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(6)?,
            figure(r.get(4)?, r.get(5)?),
        ))
    })?;
    out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    out.truncate(max);
    Ok(out)
}

fn figure(units: Option<i64>, revenue: Option<i64>) -> String {
    match (units, revenue) {
        (Some(u), Some(r)) => format!("{u} units, {r} minor"),
        _ => "nothing".to_string(),
    }
}

/// A product's share of the part-day lines: units, GMV, merchant, category.
#[derive(Default, Clone, Copy)]
struct Part {
    units: i64,
    gmv: i64,
    /// The GMV of the added ranges alone (a bound for the threshold).
    added: i64,
    merchant: i64,
    category: i64,
}

/// How a period splits: whole UTC days `[d0, d1)` from the rollups, and
/// line ranges added (+1) or taken away (−1).
struct Split {
    d0: NaiveDate,
    d1: NaiveDate,
    lines: Vec<(DateTime<Utc>, DateTime<Utc>, i64)>,
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

/// `None` when the period lies within one UTC day (read from its lines).
fn split(f: DateTime<Utc>, t: DateTime<Utc>) -> Option<Split> {
    let half = TimeDelta::hours(12);
    let (f0, t0) = (f.date_naive(), t.date_naive());
    if f0 == t0 {
        return None;
    }
    let mut lines = Vec::new();
    let d0 = if f == midnight(f0) {
        f0
    } else if midnight(next_day(f0)) - f <= half {
        lines.push((f, midnight(next_day(f0)), 1));
        next_day(f0)
    } else {
        lines.push((midnight(f0), f, -1));
        f0
    };
    let d1 = if t == midnight(t0) {
        t0
    } else if t - midnight(t0) <= half {
        lines.push((midnight(t0), t, 1));
        t0
    } else {
        lines.push((t, midnight(next_day(t0)), -1));
        next_day(t0)
    };
    Some(Split { d0, d1, lines })
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    month_start(d)
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(d)
}

fn day_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// Whole months inside `[d0, d1)` as `[m0, m1)` (first days; `m0 == m1`
/// when there are none).
fn whole_months(d0: NaiveDate, d1: NaiveDate) -> (NaiveDate, NaiveDate) {
    let m0 = if d0 == month_start(d0) { d0 } else { next_month(d0) };
    let m1 = month_start(d1);
    if m0 < m1 { (m0, m1) } else { (d0, d0) }
}

/// The part-day lines of the split, per product, signed.
fn parts(conn: &Connection, s: &Split) -> Result<HashMap<i64, Part>> {
    let mut st = conn.prepare_cached(
        "SELECT l.product_id, p.merchant_id, coalesce(p.category_id, 0), sum(l.qty), sum(l.qty * l.unit_price_minor)
         FROM orders o INDEXED BY orders_placed JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status NOT IN ('merged', 'cancelled')
             AND o.paid_at IS NOT NULL
         GROUP BY l.product_id",
    )?;
    let mut out: HashMap<i64, Part> = HashMap::new();
    for (a, b, sign) in &s.lines {
        let rows = st.query_map(params![clock::stamp(*a), clock::stamp(*b)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            let (id, merchant, category, units, gmv) = row?;
            let e = out.entry(id).or_insert(Part {
                merchant,
                category,
                ..Part::default()
            });
            e.units += sign * units;
            e.gmv += sign * gmv;
            if *sign > 0 {
                e.added += gmv;
            }
        }
    }
    Ok(out)
}

/// List rows read per list per round.
const CHUNK: i64 = 64;

/// A month with at most this many whole days of the period is bounded by
/// its days' lists rather than by its month list.
const DAY_LISTS_UP_TO: i64 = 10;

/// One ranked list of the threshold algorithm.
enum List {
    /// A product's paid GMV in a UTC month (`kpi_top_months`).
    Month(String),
    /// In a UTC day (`product_sales_days`).
    Day(String),
    /// In the added part days (the lines, summed in memory).
    Added,
}

/// The `limit` biggest merchants, categories and products of `[from, to)`
/// by the GMV of their paid lines (ties by key), as `store::kpi::tops`.
pub fn tops(conn: &Connection, from: &str, to: &str, limit: usize) -> Result<Tops> {
    let (f, t) = (clock::parse_stamp(from)?, clock::parse_stamp(to)?);
    if f >= t || limit == 0 {
        return Ok(Tops::default());
    }
    let Some(s) = split(f, t) else {
        return super::kpi::tops(conn, from, to, limit);
    };
    let parts = parts(conn, &s)?;
    let (m0, m1) = whole_months(s.d0, s.d1);
    // Whole days outside the whole months, as day-key ranges.
    let edges: Vec<(String, String)> = if m0 < m1 {
        vec![(day_key(s.d0), day_key(m0)), (day_key(m1), day_key(s.d1))]
    } else {
        vec![(day_key(s.d0), day_key(s.d1))]
    };
    let months = (month_key(m0), month_key(m1));
    Ok(Tops {
        products: products(conn, &s, &parts, &edges, &months, limit)?,
        merchants: groups(conn, "merchant", &s, &parts, &edges, &months, limit)?,
        categories: groups(conn, "category", &s, &parts, &edges, &months, limit)?,
    })
}

fn rank(mut v: Vec<Top>, limit: usize) -> Vec<Top> {
    v.sort_by(|a, b| b.gmv_minor.cmp(&a.gmv_minor).then_with(|| a.key.cmp(&b.key)));
    v.truncate(limit);
    v
}

/// Exact top products by the threshold algorithm: every product's sum over
/// the period is at most the sum of its rows in the months the period
/// touches, so reading those months' lists in GMV order and summing each
/// product seen exactly can stop once the `limit`-th exact sum exceeds the
/// sum of the lists' current values.
fn products(
    conn: &Connection,
    s: &Split,
    parts: &HashMap<i64, Part>,
    edges: &[(String, String)],
    months: &(String, String),
    limit: usize,
) -> Result<Vec<Top>> {
    // Every product's sum is at most the sum of its values in lists that
    // cover every whole day of the period, plus what the added part days
    // give it (kept in memory, in GMV order). A month with many of the
    // period's days gives its month list; one with few (a week, the end of
    // a 30-day period) gives a list per day, which bounds them tightly
    // instead of by a whole month's sales.
    let mut lists: Vec<List> = Vec::new();
    if s.d0 < s.d1 {
        let mut m = month_start(s.d0);
        while m < s.d1 && lists.len() < 1200 {
            let (a, b) = (s.d0.max(m), s.d1.min(next_month(m)));
            if (b - a).num_days() <= DAY_LISTS_UP_TO {
                let mut d = a;
                while d < b {
                    lists.push(List::Day(day_key(d)));
                    d = next_day(d);
                }
            } else {
                lists.push(List::Month(month_key(m)));
            }
            m = next_month(m);
        }
    }
    let mut added: Vec<(i64, i64)> = parts
        .iter()
        .filter(|(_, p)| p.added > 0)
        .map(|(id, p)| (*id, p.added))
        .collect();
    added.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    lists.push(List::Added);
    let mut month_list = conn.prepare_cached(
        "SELECT product_id, revenue_minor FROM kpi_top_months INDEXED BY kpi_top_months_rank
         WHERE month = ?1 ORDER BY revenue_minor DESC, product_id LIMIT ?2 OFFSET ?3",
    )?;
    let mut day_list = conn.prepare_cached(
        "SELECT product_id, revenue_minor FROM product_sales_days INDEXED BY product_sales_days_rank
         WHERE day = ?1 ORDER BY revenue_minor DESC, product_id LIMIT ?2 OFFSET ?3",
    )?;
    // A round's new candidates are summed exactly in one statement per
    // range (a JSON array of ids): one statement per candidate cost more
    // than the seeks themselves.
    let mut in_months = conn.prepare_cached(
        "SELECT product_id, sum(units), sum(revenue_minor) FROM kpi_top_months
         WHERE product_id IN (SELECT value FROM json_each(?1)) AND month >= ?2 AND month < ?3
         GROUP BY product_id",
    )?;
    let mut in_days = conn.prepare_cached(
        "SELECT product_id, sum(units), sum(revenue_minor) FROM product_sales_days
         WHERE product_id IN (SELECT value FROM json_each(?1)) AND day >= ?2 AND day < ?3
         GROUP BY product_id",
    )?;
    let mut seen: HashSet<i64> = HashSet::new();
    let mut found: Vec<(i64, i64, i64)> = Vec::new();
    let mut gmvs: Vec<i64> = Vec::new();
    let mut fresh: Vec<i64> = Vec::new();
    let mut depth = 0;
    loop {
        let mut threshold = 0i64;
        let mut more = false;
        for list in &lists {
            let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
            let rows: Vec<(i64, i64)> = match list {
                List::Month(month) => month_list
                    .query_map(params![month, CHUNK, depth], row)?
                    .collect::<rusqlite::Result<_>>()?,
                List::Day(day) => day_list
                    .query_map(params![day, CHUNK, depth], row)?
                    .collect::<rusqlite::Result<_>>()?,
                List::Added => added
                    .iter()
                    .skip(usize::try_from(depth).unwrap_or(usize::MAX))
                    .take(CHUNK as usize)
                    .copied()
                    .collect(),
            };
            if rows.len() as i64 == CHUNK {
                more = true;
                threshold = threshold.saturating_add(rows.last().map_or(0, |r| r.1));
            }
            fresh.extend(rows.into_iter().map(|r| r.0).filter(|id| seen.insert(*id)));
        }
        let mut sums: HashMap<i64, (i64, i64)> = fresh.iter().map(|id| (*id, (0, 0))).collect();
        let ids =
            serde_json::to_string(&fresh).map_err(|e| crate::Error::Db(format!("top products: {e}")))?;
        let whole = std::iter::once((&mut in_months, months)).filter(|(_, (a, b))| a < b);
        let mut add = |st: &mut rusqlite::CachedStatement<'_>, (a, b): &(String, String)| -> Result<()> {
            let rows = st.query_map(params![ids, a, b], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })?;
            for row in rows {
                let (id, u, g) = row?;
                let e = sums.entry(id).or_default();
                e.0 += u;
                e.1 += g;
            }
            Ok(())
        };
        for (st, range) in whole {
            add(st, range)?;
        }
        for range in edges.iter().filter(|(a, b)| a < b) {
            add(&mut in_days, range)?;
        }
        for id in fresh.drain(..) {
            let (mut units, mut gmv) = sums.get(&id).copied().unwrap_or_default();
            if let Some(p) = parts.get(&id) {
                units += p.units;
                gmv += p.gmv;
            }
            if units > 0 {
                found.push((id, units, gmv));
                gmvs.push(gmv);
            }
        }
        depth += CHUNK;
        if !more {
            break;
        }
        if gmvs.len() >= limit {
            gmvs.sort_unstable_by(|a, b| b.cmp(a));
            gmvs.truncate(limit);
            if gmvs.last().is_some_and(|&g| g > threshold) {
                break;
            }
        }
    }
    // Names for every product that can still make the list (ties by SKU).
    let mut info = conn.prepare_cached("SELECT sku, title FROM products WHERE id = ?1")?;
    named(found, limit, |id| {
        Ok(info.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?)
    })
}

/// Exact top merchants or categories. Every group's sum is at most its
/// rows in the months the whole days touch plus what the added part days
/// give it; groups are summed exactly (whole months, the edge days one
/// seek each, the part days) in the order of that bound until the
/// `limit`-th exact sum exceeds the next bound. Summing every merchant's
/// edge days instead read 70,000 rows for a 30-day period.
fn groups(
    conn: &Connection,
    grp: &str,
    s: &Split,
    parts: &HashMap<i64, Part>,
    edges: &[(String, String)],
    months: &(String, String),
    limit: usize,
) -> Result<Vec<Top>> {
    // key -> (bound, whole months' units, whole months' GMV)
    let mut by: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    if s.d0 < s.d1 {
        let last = s.d1.pred_opt().unwrap_or(s.d1);
        let mut st = conn.prepare_cached(
            "SELECT key, period, units, revenue_minor FROM kpi_group_sales
             WHERE grp = ?1 AND grain = 'm' AND period >= ?2 AND period < ?3",
        )?;
        let rows = st.query_map(params![grp, month_key(s.d0), month_key(next_month(last))], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (key, month, u, g) = row?;
            let e = by.entry(key).or_default();
            e.0 += g;
            if months.0 <= month && month < months.1 {
                e.1 += u;
                e.2 += g;
            }
        }
    }
    let group_of = |p: &Part| if grp == "merchant" { p.merchant } else { p.category };
    for p in parts.values() {
        by.entry(group_of(p)).or_default().0 += p.added;
    }
    let mut order: Vec<(i64, i64)> = by.iter().map(|(k, v)| (*k, v.0)).collect();
    order.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let days: Vec<String> = edges
        .iter()
        .flat_map(|(a, b)| {
            let (Ok(mut d), Ok(end)) = (
                NaiveDate::parse_from_str(a, "%Y-%m-%d"),
                NaiveDate::parse_from_str(b, "%Y-%m-%d"),
            ) else {
                return Vec::new();
            };
            let mut v = Vec::new();
            while d < end {
                v.push(day_key(d));
                d = next_day(d);
            }
            v
        })
        .collect();
    let days = serde_json::to_string(&days).map_err(|e| crate::Error::Db(format!("top {grp}s: {e}")))?;
    let mut in_days = conn.prepare_cached(
        "SELECT key, sum(units), sum(revenue_minor) FROM kpi_group_sales
         WHERE grp = ?1 AND grain = 'd' AND period IN (SELECT value FROM json_each(?2))
           AND key IN (SELECT value FROM json_each(?3))
         GROUP BY key",
    )?;
    // Each group's part-day share.
    let mut part_of: HashMap<i64, (i64, i64)> = HashMap::new();
    for p in parts.values() {
        let e = part_of.entry(group_of(p)).or_default();
        e.0 += p.units;
        e.1 += p.gmv;
    }
    let mut found: Vec<(i64, i64, i64)> = Vec::new();
    let mut gmvs: Vec<i64> = Vec::new();
    for (i, chunk) in order.chunks(CHUNK as usize).enumerate() {
        let keys: Vec<i64> = chunk.iter().map(|c| c.0).collect();
        let ids = serde_json::to_string(&keys).map_err(|e| crate::Error::Db(format!("top {grp}s: {e}")))?;
        let mut edge: HashMap<i64, (i64, i64)> = HashMap::new();
        for row in in_days.query_map(params![grp, days, ids], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })? {
            let (k, u, g) = row?;
            edge.insert(k, (u, g));
        }
        for k in keys {
            let whole = by.get(&k).copied().unwrap_or_default();
            let e = edge.get(&k).copied().unwrap_or_default();
            let p = part_of.get(&k).copied().unwrap_or_default();
            let (units, gmv) = (whole.1 + e.0 + p.0, whole.2 + e.1 + p.1);
            if units > 0 {
                found.push((k, units, gmv));
                gmvs.push(gmv);
            }
        }
        let next = order.get((i + 1) * CHUNK as usize).map(|c| c.1);
        if gmvs.len() >= limit {
            gmvs.sort_unstable_by(|a, b| b.cmp(a));
            gmvs.truncate(limit);
            if next.is_none_or(|n| gmvs.last().is_some_and(|&g| g > n)) {
                break;
            }
        }
    }
    let mut merchant = conn.prepare_cached("SELECT code, name FROM merchants WHERE id = ?1")?;
    let mut category = conn.prepare_cached("SELECT path FROM categories WHERE id = ?1")?;
    named(found, limit, |id| {
        Ok(if grp == "merchant" {
            merchant.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        } else if id == 0 {
            ("(none)".to_string(), "(none)".to_string())
        } else {
            let path: String = category.query_row([id], |r| r.get(0))?;
            (path.clone(), path)
        })
    })
}

/// The top `limit` of `(id, units, gmv)`, named by `name` (key and name)
/// for every row that can still make the list: ties at the cut rank by key.
fn named(
    mut found: Vec<(i64, i64, i64)>,
    limit: usize,
    mut name: impl FnMut(i64) -> Result<(String, String)>,
) -> Result<Vec<Top>> {
    found.sort_by_key(|r| std::cmp::Reverse(r.2));
    let cut = found.get(limit.saturating_sub(1)).map_or(i64::MIN, |r| r.2);
    let mut out = Vec::new();
    for (id, units, gmv) in found.into_iter().take_while(|r| r.2 >= cut) {
        let (key, name) = name(id)?;
        out.push(Top {
            key,
            name,
            units,
            gmv_minor: gmv,
        });
    }
    Ok(rank(out, limit))
}

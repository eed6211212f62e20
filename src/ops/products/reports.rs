//! The inventory reports (SPEC §4.2): delistings by reason and category,
//! the restock list, ABC classes, slow movers and turnover; and the
//! scheduled refresh of the stored sales figures the screens read.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::calendar::BusinessCalendar;
use crate::domain::product::{abc_classes, available, restock_quantity, turnover};
use crate::ops::Session;
use crate::store::products::{self as db, DelistCount, Stat, StockLine};
use crate::{Error, Result, clock, store};

/// The days a delist report covers when no start is given (ending today).
pub const DELIST_REPORT_DAYS: i64 = 30;

/// Delistings by reason and category over whole shop days (the CLI's
/// `product delist-report` and the Products screen's view).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DelistReport {
    pub from: NaiveDate,
    /// Included.
    pub to: NaiveDate,
    /// By reason, then category.
    pub rows: Vec<DelistCount>,
}

impl DelistReport {
    /// Each reason with its total and its categories' rows, in order.
    pub fn by_reason(&self) -> Vec<(&str, i64, Vec<&DelistCount>)> {
        let mut out: Vec<(&str, i64, Vec<&DelistCount>)> = Vec::new();
        for r in &self.rows {
            match out.last_mut() {
                Some((reason, total, rows)) if *reason == r.reason => {
                    *total += r.n;
                    rows.push(r);
                }
                _ => out.push((&r.reason, r.n, vec![r])),
            }
        }
        out
    }

    pub fn total(&self) -> i64 {
        self.rows.iter().map(|r| r.n).sum()
    }
}

/// A report day as typed (`YYYY-MM-DD`); `what` names the input in the error.
pub fn report_day(what: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::input(format!("{what}: {s:?} is not a date (YYYY-MM-DD)")))
}

/// Delistings from shop day `from` to `to` (both included; default: the
/// [`DELIST_REPORT_DAYS`] days ending today, or ending `to`).
pub fn delist_report(
    conn: &rusqlite::Connection,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<DelistReport> {
    let to = to.unwrap_or(cal.local_date(now));
    let from = from.unwrap_or(to - Duration::days(DELIST_REPORT_DAYS - 1));
    if from > to {
        return Err(Error::input(format!("from {from} is after to {to}")));
    }
    let start = clock::stamp(cal.local_day_bounds(from).0);
    let end = clock::stamp(cal.local_day_bounds(to).1);
    Ok(DelistReport {
        from,
        to,
        rows: db::delist_report(conn, &start, &end)?,
    })
}

/// How old the stored figures may get before the scheduled effect
/// recomputes them.
pub const STATS_MAX_AGE_MINUTES: i64 = 60;

/// The first UTC days of the 30- and 90-day windows ending today (UTC):
/// the rollup keeps days, so "the last 30 days" is today and the 29 before.
pub fn windows(now: DateTime<Utc>) -> (String, String) {
    let day = |d: i64| {
        (now.date_naive() - Duration::days(d - 1))
            .format("%Y-%m-%d")
            .to_string()
    };
    (day(30), day(90))
}

/// Every product's figures now from the sales rollup, ABC classes filled
/// in (one read of the rollup, no order line).
pub fn stats_now(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Vec<Stat>> {
    let (d30, d90) = windows(now);
    Ok(with_classes(db::rollup_stats(conn, &d30, &d90)?))
}

/// The same figures recomputed from the order lines (what the rollup must
/// equal; seconds on the large demo).
pub fn stats_recomputed(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Vec<Stat>> {
    let (d30, d90) = windows(now);
    Ok(with_classes(db::compute_stats(conn, &d30, &d90)?))
}

fn with_classes(mut stats: Vec<Stat>) -> Vec<Stat> {
    let revenue: Vec<(i64, i64)> = stats.iter().map(|s| (s.product_id, s.revenue_90d)).collect();
    for (s, (_, class)) in stats.iter_mut().zip(abc_classes(&revenue)) {
        s.abc = class;
    }
    stats
}

/// Recomputes the stored figures when they are missing or older than
/// [`STATS_MAX_AGE_MINUTES`] (the computing is a read; only the write of
/// the result takes the write lock). Returns a line when it did.
pub fn refresh_stats_at(s: &mut Session, now: DateTime<Utc>, force: bool) -> Result<Option<String>> {
    let fresh = db::stats_at(&s.conn)?
        .and_then(|t| clock::parse_stamp(&t).ok())
        .is_some_and(|t| now - t < Duration::minutes(STATS_MAX_AGE_MINUTES) && t <= now);
    if fresh && !force {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let stats = stats_now(&s.conn, now)?;
    let read = started.elapsed();
    let tx = store::write_tx(&mut s.conn)?;
    db::store_stats(&tx, &stats, &clock::stamp(now))?;
    tx.commit()?;
    // The write holds the lock (saves wait behind it): said, to be measured.
    Ok(Some(format!(
        "product sales figures recomputed ({} products; read {} ms, write {} ms)",
        stats.len(),
        read.as_millis(),
        (started.elapsed() - read).as_millis()
    )))
}

/// One line of the restock list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restock {
    pub merchant_code: String,
    pub merchant_name: String,
    pub sku: String,
    pub title: String,
    pub available: i64,
    pub threshold: i64,
    pub units_30d: i64,
    pub suggested: i64,
}

/// Every product at or under its warning line with its suggested quantity
/// (30 days' units per day × the lead time − available), by merchant.
pub fn restock_list(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Vec<Restock>> {
    let lead = db::restock_lead_days(conn)?;
    let low = db::low_stock(conn)?;
    let since = clock::stamp(now - Duration::days(30));
    let units = db::units_since(conn, &since, &low.iter().map(|l| l.id).collect::<Vec<_>>())?;
    Ok(low
        .into_iter()
        .map(|l| {
            let avail = available(l.on_hand, l.reserved);
            let u = units.get(&l.id).copied().unwrap_or(0);
            Restock {
                merchant_code: l.merchant_code,
                merchant_name: l.merchant_name,
                sku: l.sku,
                title: l.title,
                available: avail,
                threshold: l.threshold,
                units_30d: u,
                suggested: restock_quantity(u, lead, avail),
            }
        })
        .collect())
}

/// One product's ABC line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AbcLine {
    pub merchant_code: String,
    pub sku: String,
    pub title: String,
    pub class: char,
    pub revenue_90d_minor: i64,
    pub units_90d: i64,
    pub turnover_90d: Option<f64>,
    pub avg_on_hand: f64,
    pub last_sold_at: Option<String>,
    pub status: String,
    pub available: i64,
    pub category: Option<String>,
}

/// Every product with its class and figures, best sellers first.
pub fn abc(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Vec<AbcLine>> {
    let stats: HashMap<i64, Stat> = stats_now(conn, now)?
        .into_iter()
        .map(|s| (s.product_id, s))
        .collect();
    let mut out: Vec<AbcLine> = db::all_lines(conn)?
        .into_iter()
        .map(|l: StockLine| {
            let s = stats.get(&l.id);
            AbcLine {
                merchant_code: l.merchant_code,
                sku: l.sku,
                title: l.title,
                class: s.map_or('C', |s| s.abc),
                revenue_90d_minor: s.map_or(0, |s| s.revenue_90d),
                units_90d: s.map_or(0, |s| s.units_90d),
                turnover_90d: s.and_then(|s| turnover(s.units_90d, s.avg_on_hand)),
                avg_on_hand: s.map_or(0.0, |s| s.avg_on_hand),
                last_sold_at: s.and_then(|s| s.last_sold_at.clone()),
                status: l.status,
                available: available(l.on_hand, l.reserved),
                category: l.category,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.revenue_90d_minor
            .cmp(&a.revenue_90d_minor)
            .then_with(|| a.merchant_code.cmp(&b.merchant_code))
            .then_with(|| a.sku.cmp(&b.sku))
    });
    Ok(out)
}

/// Listed products with stock available and no sale in `days` days.
pub fn slow_movers(conn: &rusqlite::Connection, now: DateTime<Utc>, days: i64) -> Result<Vec<AbcLine>> {
    let cutoff = clock::stamp(now - Duration::days(days));
    let mut out: Vec<AbcLine> = abc(conn, now)?
        .into_iter()
        .filter(|l| {
            l.status == "listed"
                && l.available > 0
                && l.last_sold_at.as_deref().is_none_or(|t| t < cutoff.as_str())
        })
        .collect();
    out.sort_by(|a, b| {
        a.last_sold_at
            .cmp(&b.last_sold_at)
            .then_with(|| a.merchant_code.cmp(&b.merchant_code))
            .then_with(|| a.sku.cmp(&b.sku))
    });
    Ok(out)
}

/// Turnover per category: units sold in 90 days ÷ the category's average
/// on hand (the sum of its products' averages), by category path.
pub fn category_turnover(lines: &[AbcLine]) -> Vec<(String, i64, Option<f64>)> {
    let mut by: HashMap<String, (i64, f64)> = HashMap::new();
    for l in lines {
        let e = by
            .entry(l.category.clone().unwrap_or_else(|| "(none)".into()))
            .or_default();
        e.0 += l.units_90d;
        e.1 += l.avg_on_hand;
    }
    let mut out: Vec<(String, i64, Option<f64>)> = by
        .into_iter()
        .map(|(c, (u, avg))| (c, u, turnover(u, avg)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

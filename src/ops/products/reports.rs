//! The inventory reports (SPEC §4.2): delistings by reason and category,
//! the restock list, ABC classes, slow movers and turnover; and the
//! scheduled refresh of the stored sales figures the screens read.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::domain::product::{abc_classes, available, restock_quantity, turnover};
use crate::ops::Session;
use crate::store::products::{self as db, Stat, StockLine};
use crate::{Result, clock, store};

/// How old the stored figures may get before the scheduled effect
/// recomputes them.
pub const STATS_MAX_AGE_MINUTES: i64 = 60;

/// Every product's figures now, ABC classes filled in (one read).
pub fn stats_now(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Vec<Stat>> {
    let since = |d: i64| clock::stamp(now - Duration::days(d));
    let mut stats = db::compute_stats(conn, &since(30), &since(90))?;
    let revenue: Vec<(i64, i64)> = stats.iter().map(|s| (s.product_id, s.revenue_90d)).collect();
    for (s, (_, class)) in stats.iter_mut().zip(abc_classes(&revenue)) {
        s.abc = class;
    }
    Ok(stats)
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
    let stats = stats_now(&s.conn, now)?;
    let tx = store::write_tx(&mut s.conn)?;
    db::store_stats(&tx, &stats, &clock::stamp(now))?;
    tx.commit()?;
    Ok(Some(format!(
        "product sales figures recomputed ({} products)",
        stats.len()
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

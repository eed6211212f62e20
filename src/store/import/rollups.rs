//! What an import's new orders add to the rollups, summed in memory as the
//! orders are written and then written once per key: the KPI hours, the
//! product sales days and the top lists fed by them, and the paid-order
//! chains of the customers the import created. Re-reading the new rows in
//! SQL (the view per hour, the sales view per product and day with the top
//! triggers firing per row, a window over the chains) took a sixth of an
//! import (benches/import.rs, 2026-12-02). New orders have no reviews or
//! refunds yet, so only their own columns count. Each sum follows the view
//! it stands for (schema.sql `kpi_order_facts`, `product_sale_facts`,
//! `kpi_paid_chain`), and `shopdesk check` compares every rollup with them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::batch::{Batch, int, opt_text, text};
use crate::{Error, Result};

/// A new order as the rollups see it (stored stamps and final status).
pub struct OrderFacts<'s> {
    pub id: i64,
    pub customer_id: i64,
    /// Created by this import: all of its orders are new, so its chain is
    /// computed here; an existing customer's is recomputed in SQL.
    pub new_customer: bool,
    pub status: &'s str,
    pub placed_at: &'s str,
    pub placed: DateTime<Utc>,
    pub paid_at: Option<&'s str>,
    pub delivered: Option<DateTime<Utc>>,
    pub delivered_at: Option<&'s str>,
    pub promised_at: Option<&'s str>,
    pub items_minor: i64,
    pub shipping_minor: i64,
}

/// `kpi_hours`' order columns, in the table's order (orders .. late_delivered).
const HOUR_COLS: usize = 9;

#[derive(Default)]
struct Sale {
    units: i64,
    revenue_minor: i64,
    last_at: String,
}

/// An hour ("2026-10-01T09") or a day ("2026-10-01") of a stamp, kept
/// without an allocation per order or line.
type Hour = [u8; 13];
type Day = [u8; 10];

#[derive(Default)]
pub struct Rollups {
    hours: BTreeMap<Hour, [i64; HOUR_COLS]>,
    sales: BTreeMap<(i64, Day), Sale>,
    /// New customers' paid orders: (placed_at, order id).
    chains: HashMap<i64, Vec<(String, i64)>>,
}

fn add(a: &mut i64, b: i64) -> Result<()> {
    *a = a
        .checked_add(b)
        .ok_or_else(|| Error::Db("a rollup sum of the import passed the integer range".into()))?;
    Ok(())
}

/// The first `n` characters of a stamp (SQL `substr(s, 1, n)`; stamps are ASCII).
fn head(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// The first `N` bytes of a stored stamp, which is ASCII and longer.
fn key<const N: usize>(stamp: &str) -> Result<[u8; N]> {
    stamp
        .as_bytes()
        .get(..N)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .filter(|_| stamp.is_char_boundary(N))
        .ok_or_else(|| Error::Db(format!("the stamp {stamp:?} is shorter than its hour")))
}

/// The day of an earlier paid order, '' for none (`kpi_chain_days.back`).
fn back(p: Option<&str>) -> &str {
    p.map_or("", |p| head(p, 10))
}

/// A key back as text (ASCII by `key`).
fn text_of(k: &[u8]) -> &str {
    std::str::from_utf8(k).unwrap_or_default()
}

impl Rollups {
    /// Adds one order and its lines (product id, qty, unit price).
    pub fn order(&mut self, o: &OrderFacts<'_>, lines: impl Iterator<Item = (i64, i64, i64)>) -> Result<()> {
        // kpi_order_facts; an import never writes a merged order.
        let paid = o.paid_at.is_some() && o.status != "cancelled";
        let delivered = o.delivered_at.is_some();
        let row = [
            1,
            i64::from(paid),
            i64::from(o.status == "cancelled"),
            if paid { o.items_minor } else { 0 },
            if paid { o.shipping_minor } else { 0 },
            i64::from(delivered),
            o.delivered.map_or(0, |d| d.timestamp() - o.placed.timestamp()),
            i64::from(delivered && o.promised_at.is_some()),
            // Text comparison, as the view's `delivered_at > promised_at`.
            match (o.delivered_at, o.promised_at) {
                (Some(d), Some(p)) => i64::from(d > p),
                _ => 0,
            },
        ];
        let sums = self.hours.entry(key::<13>(o.placed_at)?).or_default();
        for (s, v) in sums.iter_mut().zip(row) {
            add(s, v)?;
        }
        // product_sale_facts and kpi_paid_chain: paid, not cancelled or merged.
        if o.paid_at.is_none() || o.status == "cancelled" {
            return Ok(());
        }
        let day = key::<10>(o.placed_at)?;
        for (product_id, qty, unit_price) in lines {
            let revenue = qty
                .checked_mul(unit_price)
                .ok_or_else(|| Error::Db("a line's revenue passed the integer range".into()))?;
            let s = self.sales.entry((product_id, day)).or_default();
            add(&mut s.units, qty)?;
            add(&mut s.revenue_minor, revenue)?;
            if *s.last_at < *o.placed_at {
                s.last_at.clear();
                s.last_at.push_str(o.placed_at);
            }
        }
        if o.new_customer {
            self.chains
                .entry(o.customer_id)
                .or_default()
                .push((o.placed_at.to_string(), o.id));
        }
        Ok(())
    }

    /// Writes the sums, one upsert per key, inside the import's transaction
    /// (with `bulk::NEW_ORDER_KPIS` set aside, whose work this is).
    /// `bulk`: the import is large against the shop (its indexes were set
    /// aside), so the chain table's are too.
    pub fn write(self, tx: &Connection, bulk: bool) -> Result<()> {
        let mut st = tx.prepare_cached(
            "INSERT INTO kpi_hours (hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor,
                 delivered_orders, delivery_secs, promised_delivered, late_delivered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (hour) DO UPDATE SET
                 orders = orders + excluded.orders, paid_orders = paid_orders + excluded.paid_orders,
                 cancelled_orders = cancelled_orders + excluded.cancelled_orders,
                 gmv_minor = gmv_minor + excluded.gmv_minor,
                 shipping_minor = shipping_minor + excluded.shipping_minor,
                 delivered_orders = delivered_orders + excluded.delivered_orders,
                 delivery_secs = delivery_secs + excluded.delivery_secs,
                 promised_delivered = promised_delivered + excluded.promised_delivered,
                 late_delivered = late_delivered + excluded.late_delivered",
        )?;
        for (hour, s) in &self.hours {
            st.execute(params![
                text_of(hour),
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                s[6],
                s[7],
                s[8]
            ])?;
        }
        self.write_sales(tx)?;
        write_chains(tx, self.chains, bulk)
    }

    /// The product sales days, and what their rows add to the top lists
    /// (the `kpi_tops_sales_*` triggers' work: the rows' changes under the
    /// product's current merchant and category).
    fn write_sales(&self, tx: &Connection) -> Result<()> {
        let mut st = tx.prepare_cached(
            "INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (product_id, day) DO UPDATE SET units = units + excluded.units,
                 revenue_minor = revenue_minor + excluded.revenue_minor,
                 last_at = max(last_at, excluded.last_at)",
        )?;
        let mut owner =
            tx.prepare_cached("SELECT merchant_id, coalesce(category_id, 0) FROM products WHERE id = ?1")?;
        let mut owners: HashMap<i64, Option<(i64, i64)>> = HashMap::new();
        let mut months: BTreeMap<(i64, &str), (i64, i64)> = BTreeMap::new();
        let mut groups: BTreeMap<(&str, &str, &str, i64), (i64, i64)> = BTreeMap::new();
        for ((product_id, day), s) in &self.sales {
            let day = text_of(day);
            st.execute(params![product_id, day, s.units, s.revenue_minor, s.last_at])?;
            let month = head(day, 7);
            let m = months.entry((*product_id, month)).or_default();
            add(&mut m.0, s.units)?;
            add(&mut m.1, s.revenue_minor)?;
            let who = match owners.get(product_id) {
                Some(w) => *w,
                None => {
                    let w = match owner.query_row([product_id], |r| Ok((r.get(0)?, r.get(1)?))) {
                        Ok(w) => Some(w),
                        Err(rusqlite::Error::QueryReturnedNoRows) => None,
                        Err(e) => return Err(e.into()),
                    };
                    owners.insert(*product_id, w);
                    w
                }
            };
            // The trigger joins the product: none, no group rows.
            let Some((merchant, category)) = who else { continue };
            for key in [
                ("merchant", "d", day, merchant),
                ("merchant", "m", month, merchant),
                ("category", "d", day, category),
                ("category", "m", month, category),
            ] {
                let g = groups.entry(key).or_default();
                add(&mut g.0, s.units)?;
                add(&mut g.1, s.revenue_minor)?;
            }
        }
        let mut st = tx.prepare_cached(
            "INSERT INTO kpi_top_months (product_id, month, units, revenue_minor) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (product_id, month) DO UPDATE SET units = units + excluded.units,
                 revenue_minor = revenue_minor + excluded.revenue_minor",
        )?;
        for ((product_id, month), (units, revenue)) in months {
            st.execute(params![product_id, month, units, revenue])?;
        }
        let mut st = tx.prepare_cached(
            "INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
                 revenue_minor = revenue_minor + excluded.revenue_minor",
        )?;
        for ((grp, grain, period, key), (units, revenue)) in groups {
            st.execute(params![grp, grain, period, key, units, revenue])?;
        }
        Ok(())
    }
}

/// A `kpi_paid_orders` row: (order id, customer id, placed_at, prev_at,
/// prev2_at), borrowed from the chains.
type ChainRow<'s> = (i64, i64, &'s str, Option<&'s str>, Option<&'s str>);

/// The new customers' chains (`kpi_paid_chain`: each paid order with the
/// placed times of the customer's previous two, by placed time then id),
/// written in order id order, and their counts per (day, earlier day) into
/// `kpi_chain_days` (the `kpi_paid_orders_*` triggers' work). `bulk`: the
/// chain table's indexes are set aside and rebuilt (the import adds at
/// least as many rows as the shop had orders).
fn write_chains(tx: &Connection, mut chains: HashMap<i64, Vec<(String, i64)>>, bulk: bool) -> Result<()> {
    let mut rows: Vec<ChainRow<'_>> = Vec::new();
    let mut days: BTreeMap<(Day, &str), (i64, i64)> = BTreeMap::new();
    for orders in chains.values_mut() {
        orders.sort_unstable();
    }
    for (&customer_id, orders) in &chains {
        for (i, (placed_at, order_id)) in orders.iter().enumerate() {
            let at = |back: usize| i.checked_sub(back).map(|j| orders[j].0.as_str());
            let (prev, prev2) = (at(1), at(2));
            let day = key::<10>(placed_at)?;
            days.entry((day, back(prev))).or_default().0 += 1;
            days.entry((day, back(prev2))).or_default().1 += 1;
            rows.push((*order_id, customer_id, placed_at, prev, prev2));
        }
    }
    rows.sort_unstable_by_key(|r| r.0);
    let aside = if bulk {
        Some(crate::store::bulk::set_aside(tx, &["kpi_paid_orders"], &[])?)
    } else {
        None
    };
    let mut batch = Batch::new(
        "INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at) VALUES ",
        5,
    );
    for (order_id, customer_id, placed_at, prev, prev2) in rows {
        batch.push([
            int(order_id),
            int(customer_id),
            text(placed_at),
            opt_text(prev),
            opt_text(prev2),
        ]);
        if batch.is_full() {
            batch.flush(tx)?;
        }
    }
    batch.flush(tx)?;
    if let Some(aside) = aside {
        aside.restore(tx)?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO kpi_chain_days (day, back, prev, prev2) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (day, back) DO UPDATE SET prev = prev + excluded.prev, prev2 = prev2 + excluded.prev2",
    )?;
    for ((day, back), (prev, prev2)) in days {
        st.execute(params![text_of(&day), back, prev, prev2])?;
    }
    Ok(())
}

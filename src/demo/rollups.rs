//! The paid-order chains, the product sales days and the KPI top lists,
//! summed while the orders are made instead of by the load's rebuild at
//! the end (a window over a million orders and GROUP BYs over 2.5 million
//! lines: about a minute of CPU on the large demo). The same rows as the
//! definitions: `kpi_paid_chain`, `product_sale_facts` and
//! `kpi_tops::REBUILD`, which `check` compares them with.
//!
//! Only the orders phase writes orders, and nothing after it changes what
//! these read (whether an order was paid, cancelled or merged, when it was
//! placed, its lines): a completion moves an order from delivered to
//! completed, which counts the same.

use std::collections::{BTreeMap, HashMap};

use super::fulfil::Order;
use super::util::{DAY, ts};
use crate::domain::order::OrderStatus;
use crate::store::seed::{GroupSales, Load, PaidOrder, SalesDay, TopMonth};
use crate::{Error, Result};

/// (order id, customer, placed, the customer's previous two placings).
type Link = (i64, i64, i64, Option<i64>, Option<i64>);

#[derive(Default)]
pub struct Rollups {
    /// (customer, placed, order id) of every paid order that counts.
    paid: Vec<(i64, i64, i64)>,
    /// (product id, UTC day number) → (units, revenue, last placed).
    sales: HashMap<(i64, i64), (i64, i64, i64)>,
}

fn overflow() -> Error {
    Error::Db("demo: a sales rollup overflowed".into())
}

fn add(a: &mut i64, b: i64) -> Result<()> {
    *a = a.checked_add(b).ok_or_else(overflow)?;
    Ok(())
}

impl Rollups {
    /// Counts an order as written (`product_sale_facts`, `kpi_paid_chain`:
    /// paid, and neither cancelled nor merged).
    pub fn add(&mut self, o: &Order) -> Result<()> {
        if o.at(1).is_none() || matches!(o.status, OrderStatus::Cancelled | OrderStatus::Merged) {
            return Ok(());
        }
        let placed = o.t[0];
        self.paid.push((o.customer, placed, o.id));
        let day = placed.div_euclid(DAY);
        for l in &o.lines {
            let e = self
                .sales
                .entry((i64::from(l.product) + 1, day))
                .or_insert((0, 0, i64::MIN));
            add(&mut e.0, l.qty)?;
            add(&mut e.1, l.qty.checked_mul(l.price).ok_or_else(overflow)?)?;
            e.2 = e.2.max(placed);
        }
        Ok(())
    }

    /// Writes every rollup row, each table in its key order.
    pub fn write(self, l: &Load<'_>) -> Result<()> {
        let mut out = l.rollups();
        // The chains: each customer's orders by (placed_at, id), as the
        // view's window orders them (the stamps sort as the seconds do).
        let mut paid = self.paid;
        paid.sort_unstable();
        let mut chain: Vec<Link> = Vec::with_capacity(paid.len());
        let mut back: (Option<i64>, Option<i64>) = (None, None);
        let mut customer = None;
        for (c, placed, id) in paid {
            if customer != Some(c) {
                customer = Some(c);
                back = (None, None);
            }
            chain.push((id, c, placed, back.0, back.1));
            back = (Some(placed), back.0);
        }
        chain.sort_unstable_by_key(|r| r.0);
        for (id, c, placed, prev, prev2) in chain {
            let (placed, prev, prev2) = (ts(placed), prev.map(ts), prev2.map(ts));
            l.paid_order(
                &mut out,
                &PaidOrder {
                    order_id: id,
                    customer_id: c,
                    placed_at: &placed,
                    prev_at: prev.as_deref(),
                    prev2_at: prev2.as_deref(),
                },
            )?;
        }

        let mut sales: Vec<_> = self.sales.into_iter().collect();
        sales.sort_unstable_by_key(|(k, _)| *k);
        let groups = l.product_groups()?;
        // (grp, grain, period, key): grp 0 category, 1 merchant; grain 0
        // day, 1 month; the period a day or month number, which sort as
        // their stamps do.
        let mut by_group: BTreeMap<(u8, u8, i64, i64), (i64, i64)> = BTreeMap::new();
        let mut month: Option<((i64, i64), (i64, i64))> = None;
        for ((product, day), (units, revenue, last)) in &sales {
            let stamp = ts(day * DAY);
            l.sales_day(
                &mut out,
                &SalesDay {
                    product_id: *product,
                    day: stamp.get(..10).unwrap_or(&stamp),
                    units: *units,
                    revenue_minor: *revenue,
                    last_at: &ts(*last),
                },
            )?;
            let m = month_number(&stamp);
            match &mut month {
                Some((k, sum)) if *k == (*product, m) => {
                    add(&mut sum.0, *units)?;
                    add(&mut sum.1, *revenue)?;
                }
                _ => {
                    if let Some((k, sum)) = month.take() {
                        top_month(l, &mut out, k, sum)?;
                    }
                    month = Some(((*product, m), (*units, *revenue)));
                }
            }
            let Ok(at) = groups.binary_search_by_key(product, |g| g.0) else {
                continue;
            };
            let Some((_, merchant, category)) = groups.get(at).copied() else {
                continue;
            };
            for (grp, key) in [(0u8, category), (1u8, merchant)] {
                for (grain, period) in [(0u8, *day), (1u8, m)] {
                    let e = by_group.entry((grp, grain, period, key)).or_insert((0, 0));
                    add(&mut e.0, *units)?;
                    add(&mut e.1, *revenue)?;
                }
            }
        }
        if let Some((k, sum)) = month {
            top_month(l, &mut out, k, sum)?;
        }
        for ((grp, grain, period, key), (units, revenue)) in by_group {
            let period = if grain == 0 {
                ts(period * DAY).get(..10).unwrap_or_default().to_string()
            } else {
                month_stamp(period)
            };
            l.group_sales(
                &mut out,
                &GroupSales {
                    grp: if grp == 0 { "category" } else { "merchant" },
                    grain: if grain == 0 { "d" } else { "m" },
                    period: &period,
                    key,
                    units,
                    revenue_minor: revenue,
                },
            )?;
        }
        l.finish_rollups(out)
    }
}

fn top_month(
    l: &Load<'_>,
    out: &mut crate::store::seed::Rollups,
    (product, m): (i64, i64),
    (units, revenue): (i64, i64),
) -> Result<()> {
    l.top_month(
        out,
        &TopMonth {
            product_id: product,
            month: &month_stamp(m),
            units,
            revenue_minor: revenue,
        },
    )
}

/// `YYYY-MM` of a stamp as year × 12 + month − 1.
fn month_number(stamp: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| stamp.get(r).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    n(0..4) * 12 + n(5..7) - 1
}

fn month_stamp(m: i64) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

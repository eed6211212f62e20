//! Demo data: a realistic marketplace (merchants, catalog, orders, tickets,
//! traffic) written straight into a fresh database as a bulk seed, through
//! `store::seed` (this module decides the values and holds no SQL).
//!
//! Deterministic: the same seed and the same `now` give a byte-identical
//! file. Every random choice comes from a ChaCha8 stream per phase, every
//! timestamp from `now`, and nothing iterates a hash map into the output.
//!
//! The seed bypasses the workflows; once every record is final, `history`
//! appends the audit rows of the steps that led there (every merchant, the
//! recent orders) to the chain `init` started, so detail views have a
//! history and `shopdesk check` verifies it. Orders already shipped, delivered,
//! completed, cancelled or merged are history and move no stock; paid to
//! packed orders reserve theirs, so `shopdesk check` finds every ledger exact.

mod catalog;
mod customers;
mod days;
mod fulfil;
mod goods;
mod history;
mod merchants;
mod names;
mod orders;
mod rollups;
mod talk;
mod tickets;
mod util;

use crate::Result;
use crate::domain::calendar::BusinessCalendar;
use crate::domain::merchant::{CreditInputs, credit_score};
use crate::store::seed::{self, Conn, Load};
use crate::store::settings::Settings;
use chrono::{DateTime, NaiveDate, Utc};

use catalog::{ProductInfo, StaffIds};
use merchants::MerchantInfo;
use orders::MerchantStats;
use util::{Dice, Sla, grouped};

pub use crate::store::seed::DEMO_SHOP_NAME;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub owner: String,
}

/// The headline counts of what was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub merchants: i64,
    pub products: i64,
    pub customers: i64,
    pub orders: i64,
    pub order_lines: i64,
    pub tickets: i64,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} merchants, {} products, {} orders ({} lines), {} tickets",
            grouped(self.merchants),
            grouped(self.products),
            grouped(self.orders),
            grouped(self.order_lines),
            grouped(self.tickets)
        )
    }
}

/// How much of everything a scale makes.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    merchants: usize,
    products: usize,
    customers: usize,
    orders: usize,
    tickets: usize,
}

impl Scale {
    fn sizes(self) -> Sizes {
        match self {
            Scale::Small => Sizes {
                merchants: 30,
                products: 600,
                customers: 1_500,
                orders: 5_000,
                tickets: 400,
            },
            Scale::Medium => Sizes {
                merchants: 300,
                products: 6_000,
                customers: 15_000,
                orders: 50_000,
                tickets: 4_000,
            },
            Scale::Large => Sizes {
                merchants: 5_000,
                products: 100_000,
                customers: 250_000,
                orders: 1_000_000,
                tickets: 200_000,
            },
        }
    }
}

// One random stream per phase.
const STREAM_MERCHANTS: u64 = 1;
const STREAM_PRODUCTS: u64 = 2;
const STREAM_CUSTOMERS: u64 = 3;
const STREAM_ORDERS: u64 = 4;
const STREAM_TICKETS: u64 = 5;
const STREAM_POOLS: u64 = 6;
const STREAM_TRAFFIC: u64 = 7;

/// What every phase reads.
struct Ctx<'a> {
    seed: u64,
    /// Unix seconds.
    now: i64,
    /// The shop-local date of `now`.
    today: NaiveDate,
    owner: &'a str,
    settings: &'a Settings,
    sla: Sla,
    staff: StaffIds,
}

/// The catalog the order and ticket phases sell from (indexes are id − 1).
struct Catalog {
    merchants: Vec<MerchantInfo>,
    products: Vec<ProductInfo>,
    /// Listed products, in popularity order (open orders buy these).
    listed: Vec<u32>,
    /// Listed and delisted products (history orders may name either).
    sellable: Vec<u32>,
    merchant_listed: Vec<Vec<u32>>,
    merchant_sellable: Vec<Vec<u32>>,
    /// Products whose stock the later phases changed.
    changed: Vec<bool>,
}

/// Fills the database `init` just made. The CLI refuses to run it on
/// anything but a fresh demo file.
pub fn generate(conn: &mut Conn, opts: &DemoOptions) -> Result<DemoSummary> {
    let started = std::time::Instant::now();
    seed::load(conn, |l| load(l, opts))?;
    lap(started, "load");
    seed::analyze(conn)?;
    lap(started, "analyze");
    seed::checkpoint(conn)?;
    lap(started, "checkpoint");
    summary(conn)
}

/// Phase timings go to the log (never the output: the file stays deterministic).
fn lap(started: std::time::Instant, phase: &str) {
    tracing::info!("demo: {phase} done at {:.1}s", started.elapsed().as_secs_f64());
}

fn load(l: &mut Load<'_>, opts: &DemoOptions) -> Result<()> {
    let started = std::time::Instant::now();
    let settings = &l.settings()?;
    let sizes = opts.scale.sizes();
    let now = opts.now.timestamp();
    let plain = calendar(settings, Vec::new())?;
    let today = plain.local_date(opts.now);

    l.begin()?;
    let aside = l.set_aside()?;
    catalog::holidays(l, today)?;
    let sla = Sla {
        cal: calendar(settings, l.holidays()?)?,
    };
    let staff = catalog::staff(l, &opts.owner, now)?;
    let ctx = Ctx {
        seed: opts.seed,
        now,
        today,
        owner: &opts.owner,
        settings,
        sla,
        staff,
    };
    let merchants = merchants::generate(l, &ctx, sizes.merchants)?;
    let leaf_ids = catalog::categories(l)?;
    let products = catalog::products(l, &ctx, &merchants, &leaf_ids, sizes.products)?;
    customers::generate(l, &ctx, sizes.customers)?;
    l.commit()?;
    lap(started, "catalog and customers");

    let mut cat = pools(&ctx, merchants, products);
    let mut out = orders::generate(l, &ctx, &mut cat, sizes.orders, sizes.customers, sizes.tickets)?;
    lap(started, "orders");

    l.begin()?;
    let seeds = std::mem::take(&mut out.seeds);
    tickets::generate(l, &ctx, &mut cat, seeds, &mut out.stats)?;
    lap(started, "tickets");
    catalog::write_stock(l, &cat.products, &cat.changed)?;
    credit(l, &cat.merchants, &out.stats)?;
    traffic(l, &ctx, &out.per_day)?;
    let audited = history::write(l, &ctx, history::full_window(sizes.orders))?;
    lap(started, &format!("history ({audited} audit rows)"));
    std::mem::take(&mut out.rollups).write(l)?;
    lap(started, "chains and sales rollups");
    l.restore(aside)?;
    lap(started, "triggers and indexes");
    l.commit()?;
    lap(started, "commit");
    Ok(())
}

fn calendar(s: &Settings, holidays: Vec<NaiveDate>) -> Result<BusinessCalendar> {
    Ok(BusinessCalendar::new(
        &s.timezone,
        &s.business_days,
        &s.business_start,
        &s.business_end,
        holidays,
    )?)
}

fn pools(ctx: &Ctx<'_>, merchants: Vec<MerchantInfo>, products: Vec<ProductInfo>) -> Catalog {
    let mut d = Dice::new(ctx.seed, STREAM_POOLS);
    let mut merchant_listed = vec![Vec::new(); merchants.len()];
    let mut merchant_sellable = vec![Vec::new(); merchants.len()];
    let mut listed = Vec::new();
    let mut sellable = Vec::new();
    for (i, p) in products.iter().enumerate() {
        let i = i as u32;
        let m = p.merchant as usize;
        if p.listed {
            listed.push(i);
            if let Some(v) = merchant_listed.get_mut(m) {
                v.push(i);
            }
        }
        if p.listed || p.delisted {
            sellable.push(i);
            if let Some(v) = merchant_sellable.get_mut(m) {
                v.push(i);
            }
        }
    }
    d.shuffle(&mut listed);
    d.shuffle(&mut sellable);
    let changed = vec![false; products.len()];
    Catalog {
        merchants,
        products,
        listed,
        sellable,
        merchant_listed,
        merchant_sellable,
        changed,
    }
}

/// The credit score from the history just written (formula in `domain::merchant`).
fn credit(l: &Load<'_>, merchants: &[MerchantInfo], stats: &[MerchantStats]) -> Result<()> {
    for (i, (m, s)) in merchants.iter().zip(stats).enumerate() {
        let rate = |a: i64, b: i64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let score = credit_score(&CreditInputs {
            review_avg: (s.reviews > 0).then(|| rate(s.review_sum, s.reviews)),
            dispute_rate: rate(s.disputes, s.orders),
            late_shipment_rate: rate(s.late, s.shipped),
            violation_points: m.violation_points,
        });
        l.merchant_credit(i as i64 + 1, i64::from(score))?;
    }
    Ok(())
}

/// Daily visits per channel, from that day's orders and a plausible conversion.
fn traffic(l: &Load<'_>, ctx: &Ctx<'_>, per_day: &[(NaiveDate, [i64; 3])]) -> Result<()> {
    let mut d = Dice::new(ctx.seed, STREAM_TRAFFIC);
    for (date, counts) in per_day {
        for ((channel, _, _), n) in orders::CHANNELS.iter().zip(counts) {
            let base = match *channel {
                "tmall" => 0.032,
                "jd" => 0.027,
                _ => 0.016,
            };
            let conv = base * (0.8 + 0.4 * d.unit());
            let visits = if *n > 0 {
                (*n as f64 / conv).round() as i64
            } else {
                d.range(100, 500)
            };
            l.traffic(&date.format("%Y-%m-%d").to_string(), channel, visits)?;
        }
    }
    Ok(())
}

/// Only the headline tables: counting every table read the whole 3 GB
/// large demo once more (about 20 s), for figures nobody printed.
fn summary(conn: &Conn) -> Result<DemoSummary> {
    let count = |table| seed::row_count(conn, table);
    Ok(DemoSummary {
        merchants: count("merchants")?,
        products: count("products")?,
        customers: count("customers")?,
        orders: count("orders")?,
        order_lines: count("order_lines")?,
        tickets: count("tickets")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_like_a_sentence() {
        let s = DemoSummary {
            merchants: 30,
            products: 600,
            orders: 5000,
            order_lines: 12_480,
            tickets: 400,
            ..Default::default()
        };
        assert_eq!(
            s.to_string(),
            "30 merchants, 600 products, 5,000 orders (12,480 lines), 400 tickets"
        );
    }
}

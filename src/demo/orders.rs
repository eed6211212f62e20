//! Orders over the last 120 days, streamed in time order: each order's lines,
//! stock reservations, tracking events, review and cancellation refund are
//! written as it is made, so a million orders never sit in memory.

use chrono::{Datelike, NaiveDate};

use super::catalog::ProductInfo;
use super::customers;
use super::days;
use super::fulfil::{self, Line, Order, STAGES, ShipTo, TicketSeed};
use super::names;
use super::rollups::Rollups;
use super::util::{DAY, Dice, HOUR, MINUTE};
use super::{Catalog, Ctx, STREAM_ORDERS};
use crate::Result;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::store::seed::Load;

/// (channel, external id prefix, share of orders).
pub const CHANNELS: [(&str, &str, u32); 3] = [("tmall", "TM", 50), ("jd", "JD", 30), ("web", "WEB", 20)];

const UNPAID_CANCEL: &str = "超时未支付 / payment timed out";
const PAID_CANCELS: &[&str] = &[
    "买家不想要了 / customer changed their mind",
    "拍错了/多拍了 / ordered by mistake",
    "地址填写错误 / wrong address, reordered",
    "重复下单 / duplicate order",
    "商家缺货 / merchant out of stock",
];

/// Something the last orders must show if the stream has not produced it yet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Stage(usize),
    Hold(HoldReason),
    Cancelled,
    Merged,
}

/// Per-merchant history for the credit score.
#[derive(Debug, Clone, Default)]
pub struct MerchantStats {
    pub orders: i64,
    pub shipped: i64,
    pub late: i64,
    pub review_sum: i64,
    pub reviews: i64,
    pub disputes: i64,
}

pub struct Outcome {
    pub seeds: Vec<TicketSeed>,
    pub stats: Vec<MerchantStats>,
    /// Orders per local day and channel, for traffic.
    pub per_day: Vec<(NaiveDate, [i64; 3])>,
    /// The chains and sales the orders add up to.
    pub rollups: Rollups,
}

struct Gen<'a, 'c> {
    ctx: &'a Ctx<'c>,
    cat: &'a mut Catalog,
    d: Dice,
    next_id: i64,
    customers: usize,
    ticket_p: f64,
    seen: [bool; 11],
    held: [bool; 5],
    /// Per channel: (local date, orders so far that day) for external ids.
    ext: [(Option<NaiveDate>, i64); 3],
    out: Outcome,
}

pub fn generate(
    l: &mut Load<'_>,
    ctx: &Ctx<'_>,
    cat: &mut Catalog,
    orders: usize,
    customers: usize,
    tickets: usize,
) -> Result<Outcome> {
    let plan = days::plan(ctx, orders);
    // About 80% of orders end up delivered; a ticket each for a share of them.
    let ticket_p = (tickets as f64 / (orders.max(1) as f64 * 0.8)).min(1.0);
    let merchants = cat.merchants.len();
    let mut g = Gen {
        ctx,
        d: Dice::new(ctx.seed, STREAM_ORDERS),
        cat,
        next_id: 1,
        customers: customers.max(1),
        ticket_p,
        seen: [false; 11],
        held: [false; 5],
        ext: [(None, 0); 3],
        out: Outcome {
            seeds: Vec::with_capacity(tickets + tickets / 5),
            stats: vec![MerchantStats::default(); merchants],
            per_day: Vec::new(),
            rollups: Rollups::default(),
        },
    };
    let total: usize = plan.iter().map(|p| p.orders).sum();
    // The last orders make sure every state shows up at least once.
    let force_from = total.saturating_sub(total.min(80));
    let mut index = 0usize;
    let mut since_commit = 0usize;
    l.begin()?;
    for day in &plan {
        let mut times: Vec<i64> = (0..day.orders).map(|_| day.sample(&mut g.d)).collect();
        times.sort_unstable();
        g.out.per_day.push((day.date, [0; 3]));
        for placed in times {
            let want = if index >= force_from {
                g.missing(ctx.now - placed)
            } else {
                None
            };
            g.order(l, placed, want)?;
            index += 1;
            since_commit += 1;
        }
        if since_commit >= 50_000 {
            l.commit()?;
            l.begin()?;
            since_commit = 0;
        }
    }
    l.commit()?;
    Ok(g.out)
}

impl<'a, 'c> Gen<'a, 'c> {
    /// The first recent state the stream has not produced yet (an unpaid
    /// order only when placed within the last 12 hours: they time out).
    fn missing(&self, age: i64) -> Option<Want> {
        let status_seen = |s: OrderStatus| {
            OrderStatus::ALL
                .iter()
                .position(|x| *x == s)
                .and_then(|i| self.seen.get(i).copied())
                .unwrap_or(true)
        };
        for (i, s) in STAGES.iter().enumerate().take(5) {
            if !status_seen(*s) && (i > 0 || age < 12 * HOUR) {
                return Some(Want::Stage(i));
            }
        }
        for (i, r) in HoldReason::ALL.iter().enumerate() {
            if !self.held.get(i).copied().unwrap_or(true) {
                return Some(Want::Hold(*r));
            }
        }
        if !status_seen(OrderStatus::Cancelled) {
            return Some(Want::Cancelled);
        }
        if !status_seen(OrderStatus::Merged) {
            return Some(Want::Merged);
        }
        None
    }

    fn note_status(&mut self, o: &Order) {
        if let Some(i) = OrderStatus::ALL.iter().position(|x| *x == o.status)
            && let Some(s) = self.seen.get_mut(i)
        {
            *s = true;
        }
        if let Some(r) = o.hold
            && let Some(i) = HoldReason::ALL.iter().position(|x| *x == r)
            && let Some(h) = self.held.get_mut(i)
        {
            *h = true;
        }
    }

    /// The natural milestones of an order placed at `placed`.
    fn timeline(&mut self, placed: i64) -> [i64; 8] {
        let d = &mut self.d;
        let paid = placed + d.range(30, 30 * MINUTE);
        let ship = if d.chance(0.88) {
            paid + d.range(20 * HOUR, 47 * HOUR)
        } else {
            paid + d.range(49 * HOUR, 72 * HOUR)
        };
        let approved = paid + d.range(2 * MINUTE, (4 * HOUR).min((ship - paid) / 3));
        let picking = approved + ((ship - approved) as f64 * (0.2 + 0.3 * d.unit())) as i64;
        let packed = picking + ((ship - picking) as f64 * (0.3 + 0.5 * d.unit())) as i64;
        let delivered = ship + d.range(DAY, 2 * DAY) + d.range(0, 3 * DAY) * i64::from(d.chance(0.4));
        let window = self.ctx.settings.return_window_days * DAY;
        let completed = delivered + window + d.range(HOUR, 2 * DAY);
        [
            placed, paid, approved, picking, packed, ship, delivered, completed,
        ]
    }

    fn order(&mut self, l: &Load<'_>, placed: i64, want: Option<Want>) -> Result<()> {
        let now = self.ctx.now;
        let mut t = self.timeline(placed);
        let reached = t.iter().rposition(|x| *x <= now).unwrap_or(0);
        let age = now - placed;
        let mut o = Order::new(self.next_id, placed, t);
        let r = self.d.unit();
        match want {
            Some(Want::Stage(s)) => {
                fit(&mut t, s, placed, now);
                o.t = t;
                o.set_stage(s);
            }
            Some(Want::Hold(reason)) => {
                let s = self.hold_stage(reason, 4);
                fit(&mut t, s, placed, now);
                o.t = t;
                o.hold(reason, s);
            }
            Some(Want::Cancelled) => {
                fit(&mut t, 1, placed, now);
                o.t = t;
                o.cancel(1, PAID_CANCELS[0], (placed + now) / 2 + 1);
            }
            Some(Want::Merged) => {
                fit(&mut t, 1, placed, now);
                o.t = t;
                o.set_stage(1);
            }
            None if r < 0.03 => {
                let at = placed + self.d.range(30 * MINUTE, DAY);
                if at > now {
                    o.set_stage(0);
                } else {
                    o.cancel(0, UNPAID_CANCEL, at);
                }
            }
            None if r < 0.055 => {
                let at = t[1] + self.d.range(10 * MINUTE, 20 * HOUR).min(t[5] - t[1] - MINUTE);
                if at <= now {
                    let stage = t.iter().take(5).rposition(|x| *x <= at).unwrap_or(1).max(1);
                    o.cancel(stage, self.d.pick(PAID_CANCELS), at);
                } else {
                    o.set_stage(reached);
                }
            }
            None if r < 0.085 && (2 * DAY..9 * DAY).contains(&age) => {
                // Stuck before shipping: late to ship, sometimes held.
                let s = self.d.range(1, 3) as usize;
                if self.d.chance(0.4) {
                    let reason = HoldReason::ALL[self.d.weighted(&[25, 20, 20, 25, 10])];
                    let s = self.hold_stage(reason, s);
                    o.hold(reason, s);
                } else {
                    o.set_stage(s);
                }
            }
            None if (1..=4).contains(&reached) && self.d.chance(0.10) => {
                let reason = HoldReason::ALL[self.d.weighted(&[25, 20, 20, 25, 10])];
                let s = self.hold_stage(reason, reached);
                o.hold(reason, s);
            }
            None if reached == 7 && self.d.chance(0.02) => o.set_stage(6),
            None => o.set_stage(reached),
        }
        let mut merge = want == Some(Want::Merged)
            || (want.is_none()
                && o.hold.is_none()
                && matches!(o.status, OrderStatus::Paid | OrderStatus::Approved)
                && self.d.chance(0.15));
        self.fill_lines(&mut o);
        self.ship_to(&mut o);
        // An earlier paid order of the same buyer, merchant and address,
        // merged into this one: its lines (and their reservations) moved here
        // and it keeps nothing but the pointer (docs/orders.md, Merge).
        let own = o.lines.len();
        let mut m = Order::new(o.id + 1, placed - self.d.range(10 * MINUTE, 3 * HOUR), o.t);
        if merge {
            m.t[1] = (m.t[0] + self.d.range(MINUTE, 20 * MINUTE)).min(now);
            m.status = OrderStatus::Merged;
            m.stage = 1;
            m.merged_into = Some(o.id);
            m.customer = o.customer;
            m.channel = o.channel;
            m.merchant = o.merchant;
            m.ship = o.ship.clone();
            self.lines_from(&mut m, None);
            o.ship_by = Some(m.t[1].min(o.t[1]) + self.ctx.settings.ship_by_hours * HOUR);
            o.lines.append(&mut m.lines);
        }
        if o.reserves() {
            let mut ok = self.reserve(&o);
            if !ok && merge {
                merge = false;
                o.lines.truncate(own);
                o.ship_by = None;
                ok = self.reserve(&o);
            }
            if ok {
                for l in o.lines.iter_mut() {
                    l.reserved = l.qty;
                }
            } else {
                o.hold(HoldReason::InsufficientStock, 1);
            }
        } else if merge {
            merge = false;
            o.lines.truncate(own);
            o.ship_by = None;
        }
        self.write(l, &o)?;
        if merge {
            self.write(l, &m)?;
        }
        Ok(())
    }

    /// The buyer's address, now and then to someone else; held for an
    /// address problem, it is really incomplete.
    fn ship_to(&mut self, o: &mut Order) {
        let c = customers::derive(self.ctx.seed, o.customer, self.ctx.now);
        let d = &mut self.d;
        let mut ship = ShipTo {
            name: if d.chance(0.08) {
                names::person(d)
            } else {
                c.name.clone()
            },
            phone: c.phone.clone(),
            address: c.address(),
            city: c.city.name,
        };
        if o.hold == Some(HoldReason::AddressProblem) {
            if d.chance(0.5) {
                ship.address = d.pick(c.city.districts).to_string();
            } else {
                ship.phone = ship.phone.chars().take(6).collect();
            }
        }
        o.ship = ship;
    }

    /// The state a hold for `reason` was taken from: audit-time holds come
    /// straight after payment.
    fn hold_stage(&mut self, reason: HoldReason, natural: usize) -> usize {
        match reason {
            HoldReason::InsufficientStock | HoldReason::AddressProblem | HoldReason::RiskReview => 1,
            HoldReason::CustomerRequest | HoldReason::Other => natural.clamp(1, 4),
        }
    }

    /// Picks the buyer and the lines: a popular product, then more from the
    /// same merchant.
    fn fill_lines(&mut self, o: &mut Order) {
        o.customer = self.d.skewed(self.customers, 1.6) as i64 + 1;
        o.channel = self.d.weighted(&CHANNELS.map(|c| c.2));
        let history = o.status.is_final() || o.stage >= 5;
        o.history = history;
        let pool = if history {
            &self.cat.sellable
        } else {
            &self.cat.listed
        };
        let first = pool.get(self.d.skewed(pool.len(), 2.0)).copied().unwrap_or(0);
        o.merchant = self
            .cat
            .products
            .get(first as usize)
            .map(|p| p.merchant)
            .unwrap_or(0);
        self.lines_from(o, Some(first));
    }

    fn lines_from(&mut self, o: &mut Order, first: Option<u32>) {
        let m = o.merchant as usize;
        let list = if o.history {
            self.cat.merchant_sellable.get(m)
        } else {
            self.cat.merchant_listed.get(m)
        };
        let Some(list) = list else { return };
        let want = 1 + self.d.weighted(&[30, 25, 20, 15, 10]);
        let mut chosen: Vec<u32> = first.into_iter().collect();
        let mut tries = 0;
        while chosen.len() < want.min(list.len()) && tries < 20 {
            tries += 1;
            let p = list.get(self.d.below(list.len())).copied().unwrap_or(0);
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        let festival = {
            let date = self.ctx.sla.local_date(o.t[0]);
            matches!((date.month(), date.day()), (11, 10..=12) | (12, 12) | (6, 18))
        };
        o.lines = chosen
            .into_iter()
            .map(|p| {
                let price = self.cat.products.get(p as usize).map(|x| x.price).unwrap_or(0);
                let price = if festival {
                    price * 85 / 100 / 10 * 10
                } else if self.d.chance(0.1) {
                    price * 95 / 100 / 10 * 10
                } else {
                    price
                };
                Line {
                    product: p,
                    qty: 1 + self.d.weighted(&[70, 20, 6, 3, 1]) as i64,
                    price,
                    shipping: 0,
                    reserved: 0,
                    origin: (o.id, o.t[1]),
                }
            })
            .collect();
        // Free shipping from ¥99; the fee is split over the lines.
        let items: i64 = o.lines.iter().map(|l| l.qty * l.price).sum();
        let fee = if items >= 9_900 {
            0
        } else {
            self.d.pick(&[600i64, 800, 1_000, 1_200])
        };
        let n = o.lines.len().max(1) as i64;
        for (i, l) in o.lines.iter_mut().enumerate() {
            l.shipping = fee / n + if i == 0 { fee % n } else { 0 };
        }
    }

    /// Reserves every line or none (the order is then held for stock).
    fn reserve(&mut self, o: &Order) -> bool {
        let mut need: Vec<(u32, i64)> = Vec::with_capacity(o.lines.len());
        for l in &o.lines {
            match need.iter_mut().find(|(p, _)| *p == l.product) {
                Some((_, q)) => *q += l.qty,
                None => need.push((l.product, l.qty)),
            }
        }
        let ok = need.iter().all(|(p, q)| {
            self.cat
                .products
                .get(*p as usize)
                .is_some_and(|p| p.on_hand - p.reserved >= *q)
        });
        if ok {
            for l in &o.lines {
                if let Some(p) = self.cat.products.get_mut(l.product as usize) {
                    p.reserved += l.qty;
                }
                if let Some(c) = self.cat.changed.get_mut(l.product as usize) {
                    *c = true;
                }
            }
        }
        ok
    }

    fn next_external(&mut self, channel: usize, placed: i64) -> String {
        let date = self.ctx.sla.local_date(placed);
        let (prefix, slot) = match (CHANNELS.get(channel), self.ext.get_mut(channel)) {
            (Some(c), Some(s)) => (c.1, s),
            _ => return format!("X{}", self.next_id),
        };
        // A later date restarts the day's counter; an earlier one (a merged
        // order placed before midnight) keeps counting so ids stay unique.
        if slot.0.is_none_or(|d| d < date) {
            *slot = (Some(date), 0);
        }
        slot.1 += 1;
        let day = slot.0.unwrap_or(date);
        let n = 100_000 + slot.1 * 31 + self.d.range(0, 30);
        format!("{prefix}{}{n:06}", day.format("%Y%m%d"))
    }

    fn write(&mut self, l: &Load<'_>, o: &Order) -> Result<()> {
        let ctx = self.ctx;
        let external = self.next_external(o.channel, o.t[0]);
        let cust = customers::derive(ctx.seed, o.customer, ctx.now);
        let products: &[ProductInfo] = &self.cat.products;
        let merchant_city = self
            .cat
            .merchants
            .get(o.merchant as usize)
            .and_then(|m| names::CITIES.get(m.city))
            .unwrap_or(&names::CITIES[0]);
        fulfil::write_order(l, ctx, &mut self.d, o, &external, &cust, products, merchant_city)?;
        self.out.rollups.add(o)?;
        if let Some(day) = self.out.per_day.last_mut()
            && let Some(c) = day.1.get_mut(o.channel)
        {
            *c += 1;
        }
        if let Some(s) = self.out.stats.get_mut(o.merchant as usize) {
            s.orders += 1;
            if o.stage >= 5 && o.status != OrderStatus::Cancelled {
                s.shipped += 1;
                if o.t[5] > o.t[1] + ctx.settings.ship_by_hours * HOUR {
                    s.late += 1;
                }
            }
        }
        if let Some(score) = fulfil::review(l, ctx, &mut self.d, o)?
            && let Some(s) = self.out.stats.get_mut(o.merchant as usize)
        {
            s.review_sum += score;
            s.reviews += 1;
        }
        if matches!(o.status, OrderStatus::Delivered | OrderStatus::Completed)
            && self.d.chance(self.ticket_p)
            && let Some(seed) = fulfil::ticket_seed(&mut self.d, ctx.now, o)
        {
            self.out.seeds.push(seed);
        }
        self.note_status(o);
        self.next_id += 1;
        Ok(())
    }
}

/// Moves the milestones up to `stage` into `[placed, now]` when they would
/// otherwise lie in the future.
fn fit(t: &mut [i64; 8], stage: usize, placed: i64, now: i64) {
    let stage = stage.min(7);
    if t[stage] <= now {
        return;
    }
    let span = (now - placed).max(0);
    for (k, x) in t.iter_mut().enumerate().take(stage + 1).skip(1) {
        *x = placed + span * k as i64 / (stage as i64 + 1);
    }
}

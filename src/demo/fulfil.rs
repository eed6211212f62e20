//! Writing one order: the row, its lines and reservations, the courier's
//! tracking events, the buyer's review and a cancelled order's refund.

use super::Ctx;
use super::catalog::ProductInfo;
use super::customers::Customer;
use super::names::{CARRIERS, City};
use super::util::{DAY, Dice, HOUR, MINUTE, ts};
use crate::Result;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::domain::ticket::TicketKind;
use crate::store::seed::{self, Load};

/// The main line of the order workflow, by stage number.
pub const STAGES: [OrderStatus; 8] = [
    OrderStatus::PendingPayment,
    OrderStatus::Paid,
    OrderStatus::Approved,
    OrderStatus::Picking,
    OrderStatus::Packed,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
    OrderStatus::Completed,
];

#[derive(Debug, Clone)]
pub struct Line {
    pub product: u32,
    pub qty: i64,
    pub price: i64,
    /// This line's share of the order's shipping fee.
    pub shipping: i64,
    pub reserved: i64,
    /// The order whose payment reserved the line, and when it paid (another
    /// order than the one holding the line after a merge).
    pub origin: (i64, i64),
}

/// Where an order goes.
#[derive(Debug, Clone, Default)]
pub struct ShipTo {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub city: &'static str,
}

/// An order being made. `t` holds the milestones placed, paid, approved,
/// picking, packed, shipped, delivered, completed; `stage` says how many of
/// them happened (for a hold, the state it was taken from; for a
/// cancellation, the state it was cancelled in).
#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub t: [i64; 8],
    pub stage: usize,
    pub status: OrderStatus,
    pub hold: Option<HoldReason>,
    pub cancel: Option<(&'static str, i64)>,
    pub merged_into: Option<i64>,
    pub customer: i64,
    pub channel: usize,
    pub merchant: u32,
    /// History (final or shipped) orders may name delisted products.
    pub history: bool,
    pub lines: Vec<Line>,
    pub ship: ShipTo,
    /// The ship-by deadline when not paid + ship-by hours (a merge keeps the
    /// earlier one).
    pub ship_by: Option<i64>,
}

impl Order {
    pub fn new(id: i64, placed: i64, mut t: [i64; 8]) -> Self {
        t[0] = placed;
        Order {
            id,
            t,
            stage: 0,
            status: OrderStatus::PendingPayment,
            hold: None,
            cancel: None,
            merged_into: None,
            customer: 1,
            channel: 0,
            merchant: 0,
            history: false,
            lines: Vec::new(),
            ship: ShipTo::default(),
            ship_by: None,
        }
    }

    pub fn set_stage(&mut self, s: usize) {
        self.stage = s.min(7);
        self.status = STAGES[self.stage];
        self.hold = None;
    }

    pub fn hold(&mut self, reason: HoldReason, from: usize) {
        self.stage = from.min(4);
        self.status = OrderStatus::OnHold;
        self.hold = Some(reason);
    }

    pub fn cancel(&mut self, from: usize, reason: &'static str, at: i64) {
        self.stage = from.min(4);
        self.status = OrderStatus::Cancelled;
        self.cancel = Some((reason, at));
    }

    /// Paid but not shipped (and not held for lack of stock): its lines hold stock.
    pub fn reserves(&self) -> bool {
        match self.status {
            OrderStatus::Paid | OrderStatus::Approved | OrderStatus::Picking | OrderStatus::Packed => true,
            OrderStatus::OnHold => {
                self.hold != Some(HoldReason::InsufficientStock) && (1..=4).contains(&self.stage)
            }
            _ => false,
        }
    }

    /// When milestone `k` happened, if it did.
    pub fn at(&self, k: usize) -> Option<i64> {
        (self.stage >= k).then(|| self.t.get(k).copied()).flatten()
    }

    pub fn items(&self) -> i64 {
        self.lines.iter().map(|l| l.qty * l.price).sum()
    }

    pub fn shipping(&self) -> i64 {
        self.lines.iter().map(|l| l.shipping).sum()
    }
}

/// What the ticket phase needs of an order that gets an after-sales ticket.
#[derive(Debug, Clone)]
pub struct TicketSeed {
    pub order_id: i64,
    pub customer: i64,
    pub merchant: u32,
    pub channel: usize,
    pub delivered: i64,
    pub total: i64,
    pub product: u32,
    pub qty: i64,
    pub opened: i64,
    pub completed: Option<i64>,
    pub kind: TicketKind,
}

fn tracking(d: &mut Dice, code: &str) -> String {
    match code {
        "SF" => format!("SF{}", d.digits(13)),
        "ZTO" => format!("78{}", d.digits(12)),
        "YTO" => format!("YT{}", d.digits(13)),
        "YD" => format!("43{}", d.digits(13)),
        "JD" => format!("JDVA{}", d.digits(11)),
        _ => format!("11{}", d.digits(11)),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn write_order(
    l: &Load<'_>,
    ctx: &Ctx<'_>,
    d: &mut Dice,
    o: &Order,
    external: &str,
    cust: &Customer,
    products: &[ProductInfo],
    origin: &City,
) -> Result<()> {
    let now = ctx.now;
    let placed = o.t[0];
    let shipping = o.shipping();
    let paid = o.at(1);
    let shipped = o.at(5);
    let delivered = o.at(6);
    let cancelled = o.cancel.map(|c| c.1);
    let items = o.items();
    let weight = (o.stage >= 4).then(|| {
        let goods: i64 = o
            .lines
            .iter()
            .map(|l| l.qty * products.get(l.product as usize).map(|p| p.grams).unwrap_or(300))
            .sum();
        goods + d.range(50, 300)
    });
    let (carrier, code) = d.pick(CARRIERS);
    let (carrier, tracking_no) = if shipped.is_some() {
        (Some(carrier), Some(tracking(d, code)))
    } else {
        (None, None)
    };
    let updated = (0..=o.stage)
        .filter_map(|k| o.at(k))
        .chain(cancelled)
        .max()
        .unwrap_or(placed)
        .min(now);
    l.order(&seed::Order {
        id: o.id,
        channel: super::orders::CHANNELS
            .get(o.channel)
            .map(|c| c.0)
            .unwrap_or("web"),
        external_id: external,
        customer_id: o.customer,
        merchant_id: o.merchant as i64 + 1,
        status: o.status.as_str(),
        hold_reason: o.hold.map(|h| h.as_str()),
        held_from: o.hold.map(|_| STAGES[o.stage.min(4)].as_str()),
        cancel_reason: o.cancel.map(|c| c.0),
        merged_into: o.merged_into,
        ship_name: &o.ship.name,
        ship_phone: &o.ship.phone,
        ship_address: &o.ship.address,
        ship_city: o.ship.city,
        line_count: o.lines.len() as i64,
        item_count: o.lines.iter().map(|l| l.qty).sum::<i64>(),
        items_minor: items,
        shipping_minor: shipping,
        weight_g: weight,
        carrier,
        tracking_no: tracking_no.as_deref(),
        placed_at: &ts(placed),
        paid_at: paid.map(ts).as_deref(),
        approved_at: o.at(2).map(ts).as_deref(),
        shipped_at: shipped.map(ts).as_deref(),
        delivered_at: delivered.map(ts).as_deref(),
        completed_at: o.at(7).map(ts).as_deref(),
        cancelled_at: cancelled.map(ts).as_deref(),
        promised_at: &ts(placed + 5 * DAY),
        ship_by_at: o
            .ship_by
            .or_else(|| paid.map(|p| p + ctx.settings.ship_by_hours * HOUR))
            .map(ts)
            .as_deref(),
        updated_at: &ts(updated),
    })?;
    for (i, line) in o.lines.iter().enumerate() {
        let merchant = products
            .get(line.product as usize)
            .map(|p| p.merchant)
            .unwrap_or(o.merchant);
        l.order_line(
            o.id,
            &seed::OrderLine {
                line_no: i as i64 + 1,
                product_id: line.product as i64 + 1,
                merchant_id: merchant as i64 + 1,
                qty: line.qty,
                unit_price_minor: line.price,
                shipping_minor: line.shipping,
                reserved_qty: line.reserved,
            },
        )?;
    }
    for line in o.lines.iter().filter(|l| l.reserved > 0) {
        l.stock_movement(&seed::StockMovement {
            product_id: line.product as i64 + 1,
            kind: "reserve",
            on_hand_delta: 0,
            reserved_delta: line.reserved,
            order_id: Some(line.origin.0),
            ticket_id: None,
            note: "付款锁定库存 / reserved on payment",
            actor: "system",
            created_at: &ts(line.origin.1),
        })?;
    }
    if let Some(ship) = shipped {
        events(l, d, o.id, ship, delivered, now, origin, cust)?;
    }
    if let (Some((reason, at)), Some(_)) = (o.cancel, paid) {
        let when = (at + d.range(MINUTE, 2 * HOUR)).min(now);
        l.refund(&seed::Refund {
            order_id: o.id,
            ticket_id: None,
            amount_minor: items + shipping,
            reason: &format!("cancelled: {reason}"),
            actor: &ctx.staff.operator,
            created_at: &ts(when),
        })?;
    }
    Ok(())
}

/// 3–5 tracking events from pick-up to signature (only those already past).
#[allow(clippy::too_many_arguments)]
fn events(
    l: &Load<'_>,
    d: &mut Dice,
    order: i64,
    ship: i64,
    delivered: Option<i64>,
    now: i64,
    origin: &City,
    cust: &Customer,
) -> Result<()> {
    let end = delivered.unwrap_or(ship + 3 * DAY);
    let span = (end - ship).max(HOUR) as f64;
    let at = |f: f64| ship + (span * f) as i64;
    let dest = cust.city.name;
    let district = d.pick(cust.city.districts);
    let mut list: Vec<(i64, &str, String, &str)> = vec![(
        at(0.02 + 0.08 * d.unit()),
        "已揽收",
        format!("{}{}", origin.name, d.pick(origin.districts)),
        "picked up",
    )];
    if d.chance(0.6) {
        list.push((
            at(0.15 + 0.25 * d.unit()),
            "运输中",
            format!("{}转运中心", origin.name),
            "in transit",
        ));
    }
    if origin.name != dest || d.chance(0.5) {
        list.push((
            at(0.45 + 0.25 * d.unit()),
            "运输中",
            format!("{dest}转运中心"),
            "arrived at hub",
        ));
    }
    list.push((
        at(0.9 + 0.08 * d.unit()),
        "派送中",
        format!("{dest}{district}"),
        "out for delivery",
    ));
    if let Some(t) = delivered {
        list.push((t, "已签收", format!("{dest}{district}"), "delivered"));
    }
    for (i, (t, status, location, note)) in list.into_iter().enumerate() {
        // The first scan always exists once an order has shipped.
        if t > now && i > 0 {
            break;
        }
        l.shipment_event(&seed::ShipmentEvent {
            order_id: order,
            at: &ts(t.min(now)),
            status,
            location: &location,
            note,
        })?;
    }
    Ok(())
}

const GOOD: &[&str] = &[
    "物流很快，包装完好，好评！",
    "质量不错，和描述一致。",
    "Great quality, fast delivery.",
    "第二次购买了，一如既往的好。",
    "Exactly as described, would buy again.",
    "性价比很高，推荐。",
];
const MEH: &[&str] = &[
    "还行吧，一般般。",
    "It's okay for the price.",
    "包装有点简陋，东西还可以。",
];
const BAD: &[&str] = &[
    "质量差，用了两天就坏了。",
    "和图片严重不符，失望。",
    "Arrived damaged and support was slow.",
    "客服态度很差，不会再买。",
];

/// About 30% of delivered orders get a review (about 10% of them negative).
pub fn review(l: &Load<'_>, ctx: &Ctx<'_>, d: &mut Dice, o: &Order) -> Result<Option<i64>> {
    let Some(delivered) = o.at(6) else { return Ok(None) };
    if !matches!(o.status, OrderStatus::Delivered | OrderStatus::Completed) || !d.chance(0.3) {
        return Ok(None);
    }
    let at = delivered + d.range(HOUR, 6 * DAY);
    if at > ctx.now {
        return Ok(None);
    }
    let score = 1 + d.weighted(&[5, 5, 8, 22, 60]) as i64;
    let comment = match score {
        1 | 2 => d.pick(BAD),
        3 => d.pick(MEH),
        _ if d.chance(0.3) => "",
        _ => d.pick(GOOD),
    };
    l.review(&seed::Review {
        order_id: o.id,
        score,
        comment,
        created_at: &ts(at),
    })?;
    Ok(Some(score))
}

/// Decides the kind and opening time of an after-sales ticket for a
/// delivered order (none when it would open in the future).
pub fn ticket_seed(d: &mut Dice, now: i64, o: &Order) -> Option<TicketSeed> {
    let (shipped, delivered) = (o.at(5)?, o.at(6)?);
    let first = o.lines.first()?;
    let kind = TicketKind::ALL[d.weighted(&[25, 12, 8, 15, 10, 7, 13, 10])];
    let after = |d: &mut Dice, lo: i64, hi: i64| delivered + d.range(lo, hi);
    let opened = match kind {
        TicketKind::Return => after(d, 2 * HOUR, 6 * DAY),
        TicketKind::Repair => after(d, 3 * DAY, 40 * DAY),
        TicketKind::Dispute => after(d, DAY, 12 * DAY),
        TicketKind::Logistics => shipped + ((delivered - shipped) as f64 * (0.3 + 0.6 * d.unit())) as i64,
        _ => after(d, HOUR, 10 * DAY),
    };
    if opened > now - 5 * MINUTE {
        return None;
    }
    Some(TicketSeed {
        order_id: o.id,
        customer: o.customer,
        merchant: o.merchant,
        channel: o.channel,
        delivered,
        total: o.items() + o.shipping(),
        product: first.product,
        qty: first.qty,
        opened,
        completed: o.at(7),
        kind,
    })
}

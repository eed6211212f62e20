//! Staff, holidays, the category tree and the products with their opening stock.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::goods::{LEAVES, PERKS};
use super::merchants::MerchantInfo;
use super::util::{DAY, Dice, HOUR, quota, ts};
use super::{Ctx, STREAM_PRODUCTS};
use crate::Result;
use crate::domain::merchant::MerchantStatus;
use crate::domain::product::{DelistReason, ProductStatus};
use crate::store::seed::{self, Load};

/// Staff logins the generators name as actors and assignees.
#[derive(Debug, Clone)]
pub struct StaffIds {
    pub owner: i64,
    pub operator: String,
    pub operator_id: i64,
    /// (id, login) of the support agents.
    pub support: Vec<(i64, String)>,
}

/// Adds the demo team next to the owner `init` made (no audit rows: a seed).
pub fn staff(l: &Load<'_>, owner: &str, now: i64) -> Result<StaffIds> {
    let owner_id = l.staff_id(owner)?;
    let mut ids = BTreeMap::new();
    for (login, name, role) in [
        ("lin", "林晓 Lin", "operator"),
        ("mei", "梅 Mei", "support"),
        ("omar", "Omar", "support"),
        ("guest", "Guest", "viewer"),
    ] {
        if login == owner {
            ids.insert(login, owner_id);
            continue;
        }
        let id = l.staff(&seed::Staff {
            login,
            display_name: name,
            role,
            created_at: &ts(now - 90 * DAY),
        })?;
        ids.insert(login, id);
    }
    let id = |l: &str| ids.get(l).copied().unwrap_or(owner_id);
    Ok(StaffIds {
        owner: owner_id,
        operator: "lin".into(),
        operator_id: id("lin"),
        support: vec![(id("mei"), "mei".into()), (id("omar"), "omar".into())],
    })
}

/// Public holidays around `today` (the fixed-date ones, and Spring Festival
/// where the dates are known), so SLA clocks skip them.
pub fn holidays(l: &Load<'_>, today: NaiveDate) -> Result<()> {
    let mut days: BTreeMap<NaiveDate, &str> = BTreeMap::new();
    for y in today.year() - 1..=today.year() + 1 {
        let mut span = |m: u32, from: u32, to: u32, name: &'static str| {
            for dd in from..=to {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, dd) {
                    days.insert(date, name);
                }
            }
        };
        span(1, 1, 1, "元旦 New Year");
        span(5, 1, 5, "劳动节 Labour Day");
        span(10, 1, 7, "国庆节 National Day");
        match y {
            2025 => {
                span(1, 28, 31, "春节 Spring Festival");
                span(2, 1, 4, "春节 Spring Festival");
            }
            2026 => span(2, 15, 23, "春节 Spring Festival"),
            _ => {}
        }
    }
    for (date, name) in days {
        l.holiday(&seed::Holiday {
            date: &date.format("%Y-%m-%d").to_string(),
            name,
        })?;
    }
    Ok(())
}

/// The category tree from the leaf paths; returns the id of each leaf.
pub fn categories(l: &Load<'_>) -> Result<Vec<i64>> {
    let mut ids: BTreeMap<String, i64> = BTreeMap::new();
    let mut next = 1i64;
    let mut leaf_ids = Vec::with_capacity(LEAVES.len());
    for leaf in LEAVES {
        let parts: Vec<&str> = leaf.path.split(" > ").collect();
        let mut parent: Option<i64> = None;
        for depth in 0..parts.len() {
            let path = parts[..=depth].join(" > ");
            let id = match ids.get(&path) {
                Some(id) => *id,
                None => {
                    let id = next;
                    next += 1;
                    let is_leaf = depth + 1 == parts.len();
                    l.category(&seed::Category {
                        id,
                        parent_id: parent,
                        name: parts[depth],
                        path: &path,
                        commission_bp: if is_leaf { leaf.commission_bp } else { None },
                    })?;
                    ids.insert(path, id);
                    id
                }
            };
            parent = Some(id);
        }
        leaf_ids.push(parent.unwrap_or(0));
    }
    Ok(leaf_ids)
}

/// A product as the order generator needs it (id = index + 1).
pub struct ProductInfo {
    pub merchant: u32,
    pub price: i64,
    pub grams: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub listed: bool,
    pub delisted: bool,
}

const ACTIVE_SHARES: &[(ProductStatus, u32)] = &[
    (ProductStatus::Listed, 78),
    (ProductStatus::Draft, 5),
    (ProductStatus::PendingReview, 7),
    (ProductStatus::Rejected, 3),
    (ProductStatus::Delisted, 7),
];

/// The note on a product's first delivery.
const OPENING_STOCK: &str = "初始入库 / opening stock";

const REJECTS: &[&str] = &[
    "主图含违规文字 / main image has prohibited text",
    "类目错放 / wrong category",
    "缺少品牌授权 / brand authorisation missing",
    "Price looks wrong compared with similar items",
];

/// How many products each merchant gets: skewed, none for merchants not yet approved.
fn allocation(d: &mut Dice, merchants: &[MerchantInfo], target: usize) -> Vec<usize> {
    use MerchantStatus as S;
    let weights: Vec<f64> = merchants
        .iter()
        .map(|m| match m.status {
            S::Active | S::Suspended | S::Terminated => 0.2 + d.unit().powi(2) * 3.0,
            S::Approved => 0.1,
            _ => 0.0,
        })
        .collect();
    let total: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut acc = 0.0;
    let mut given = 0usize;
    weights
        .iter()
        .zip(merchants)
        .map(|(w, m)| {
            acc += w;
            let upto = (acc / total * target as f64).round() as usize;
            let n = upto.saturating_sub(given);
            given = upto.max(given);
            match m.status {
                S::Active => n.max(3),
                S::Approved | S::Suspended | S::Terminated => n.max(1),
                _ => 0,
            }
        })
        .collect()
}

pub fn products(
    l: &Load<'_>,
    ctx: &Ctx<'_>,
    merchants: &[MerchantInfo],
    leaf_ids: &[i64],
    target: usize,
) -> Result<Vec<ProductInfo>> {
    let mut d = Dice::new(ctx.seed, STREAM_PRODUCTS);
    let counts = allocation(&mut d, merchants, target);
    // Statuses are dealt per merchant status so every one appears.
    let mut group_size: BTreeMap<MerchantStatus, usize> = BTreeMap::new();
    for (m, n) in merchants.iter().zip(&counts) {
        *group_size.entry(m.status).or_default() += n;
    }
    let mut decks: BTreeMap<MerchantStatus, Vec<ProductStatus>> = BTreeMap::new();
    for (status, n) in &group_size {
        let deck = match status {
            MerchantStatus::Active => quota(&mut d, *n, ACTIVE_SHARES),
            MerchantStatus::Approved => quota(
                &mut d,
                *n,
                &[(ProductStatus::Draft, 60), (ProductStatus::PendingReview, 40)],
            ),
            _ => vec![ProductStatus::Delisted; *n],
        };
        decks.insert(*status, deck);
    }
    let mut out = Vec::with_capacity(target + merchants.len());
    let now = ctx.now;
    for (mi, (m, n)) in merchants.iter().zip(&counts).enumerate() {
        for seq in 0..*n {
            let id = out.len() as i64 + 1;
            let status = decks
                .get_mut(&m.status)
                .and_then(|v| v.pop())
                .unwrap_or(ProductStatus::Draft);
            let li = m.leaves.get(d.below(m.leaves.len())).copied().unwrap_or(0);
            let leaf = &LEAVES[li.min(LEAVES.len() - 1)];
            let ii = d.below(leaf.items.len());
            let Some(item) = leaf.items.get(ii) else { continue };
            let variant = d.pick(leaf.variants);
            let title = match &m.brand {
                Some(b) => format!("{b} {} {variant}", item.title),
                None => format!("{} {variant}", item.title),
            };
            let title = title.trim_end();
            let english = item.desc.is_ascii();
            let perk = d.pick(PERKS);
            let mut description = if english {
                format!("{}. {perk}", item.desc)
            } else {
                format!("{}。{perk}", item.desc)
            };
            let mut yuan = d.range(item.price.0, item.price.1);
            if yuan >= 20 {
                yuan = yuan / 10 * 10 + 9;
            }
            let mut price = yuan * 100 - d.pick(&[0i64, 0, 10, 100]);
            let incomplete = status == ProductStatus::Draft && d.chance(0.3);
            if incomplete {
                description.clear();
                price = 0;
            }
            let spec = if english {
                format!("Variant: {variant}; Weight: {}g", item.grams)
            } else {
                format!("规格: {variant}; 重量: {}g", item.grams)
            };
            let (delist, reject) = match status {
                ProductStatus::Delisted => (
                    Some(match m.status {
                        MerchantStatus::Suspended => DelistReason::Violation,
                        MerchantStatus::Terminated => DelistReason::MerchantRequest,
                        _ => DelistReason::ALL[d.weighted(&[30, 25, 5, 15, 15, 10])],
                    }),
                    None,
                ),
                ProductStatus::Rejected => (None, Some(d.pick(REJECTS))),
                _ => (None, None),
            };
            let on_hand = match delist {
                Some(DelistReason::OutOfStock) => 0,
                _ => match d.weighted(&[70, 20, 8, 2]) {
                    0 => d.range(50, 500),
                    1 => d.range(10, 50),
                    2 => d.range(1, 10),
                    _ => 0,
                },
            };
            let threshold = d.pick(&[5i64, 5, 10, 10, 10, 20]);
            let old = matches!(status, ProductStatus::Listed | ProductStatus::Delisted);
            let earliest = m.decided + DAY;
            let created = if old {
                let latest = (now - 121 * DAY).max(earliest);
                d.range(earliest, latest.max(earliest)).min(now - HOUR)
            } else {
                d.range((now - 30 * DAY).max(earliest), now - HOUR)
                    .max(earliest)
                    .min(now - HOUR)
            };
            let updated = d.range(created, now - HOUR).max(created);
            let list_at = match status {
                ProductStatus::Draft | ProductStatus::PendingReview if d.chance(0.2) => {
                    Some(ts(now + d.range(HOUR, 14 * DAY)))
                }
                _ => None,
            };
            let delist_at =
                (status == ProductStatus::Listed && d.chance(0.04)).then(|| ts(now + d.range(DAY, 30 * DAY)));
            l.product(&seed::Product {
                id,
                merchant_id: mi as i64 + 1,
                category_id: leaf_ids.get(li).copied(),
                sku: &format!("{}{:02}-{:04}", leaf.code, ii + 1, seq + 1),
                title,
                description: &description,
                spec: &spec,
                origin: d.pick(leaf.origin),
                brand: m.brand.as_deref(),
                price_minor: price,
                stock_on_hand: on_hand,
                low_stock_threshold: threshold,
                status: status.as_str(),
                delist_reason: delist.map(|r| r.as_str()),
                reject_reason: reject,
                list_at: list_at.as_deref(),
                delist_at: delist_at.as_deref(),
                created_at: &ts(created),
                updated_at: &ts(updated),
            })?;
            // The opening stock, sometimes in two deliveries; an empty shelf
            // was counted down by a stocktake. All of it by the owner.
            let movement = |kind: &str, delta: i64, note: &str, at: i64| {
                l.stock_movement(&seed::StockMovement {
                    product_id: id,
                    kind,
                    on_hand_delta: delta,
                    reserved_delta: 0,
                    order_id: None,
                    ticket_id: None,
                    note,
                    actor: ctx.owner,
                    created_at: &ts(at),
                })
            };
            if on_hand == 0 {
                let had = d.range(5, 40);
                movement("receive", had, OPENING_STOCK, created)?;
                let at = d.range(created, now - HOUR);
                movement("adjust", -had, "盘点报损 / stocktake write-off", at)?;
            } else if on_hand > 20 && d.chance(0.15) {
                let first = on_hand / 2;
                movement("receive", first, OPENING_STOCK, created)?;
                let at = d.range(created, now - HOUR);
                movement("receive", on_hand - first, "补货入库 / restock", at)?;
            } else {
                movement("receive", on_hand, OPENING_STOCK, created)?;
            }
            out.push(ProductInfo {
                merchant: mi as u32,
                price,
                grams: item.grams,
                on_hand,
                reserved: 0,
                listed: status == ProductStatus::Listed,
                delisted: status == ProductStatus::Delisted,
            });
        }
    }
    Ok(out)
}

/// Writes back the stock the order and ticket phases changed.
pub fn write_stock(l: &Load<'_>, products: &[ProductInfo], changed: &[bool]) -> Result<()> {
    for (i, p) in products.iter().enumerate() {
        if changed.get(i).copied().unwrap_or(false) {
            l.product_stock(i as i64 + 1, p.on_hand, p.reserved)?;
        }
    }
    Ok(())
}

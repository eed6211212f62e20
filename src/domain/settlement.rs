//! Merchant settlement (SPEC §4.6, docs/settlement.md): the statement's
//! state machine and the money rules, pure (no SQL, no terminal).
//!
//! A statement is `draft → confirmed → paid`. Its figures obey
//! `payable = sales − commission − refunds − fee + carried_in`, every term
//! an exact count of fen computed with checked arithmetic.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::money::{Money, apply_bp};
use super::ticket::{RulingPayer, merchant_share};
use super::{Refusal, text_enum};

text_enum! {
    /// Where a statement stands.
    pub enum StatementStatus ("statement status") {
        /// Recomputed by every `settlement run` over its period.
        Draft = "draft", "draft";
        /// Frozen: its lines and totals no longer change.
        Confirmed = "confirmed", "confirmed";
        /// The payout went out (bank reference recorded).
        Paid = "paid", "paid";
    }
}

/// What people do to a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementAction {
    Confirm,
    Pay,
}

impl StatementAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementAction::Confirm => "confirm",
            StatementAction::Pay => "pay",
        }
    }
}

/// Every allowed transition; anything else is refused naming the state.
pub fn next(from: StatementStatus, action: StatementAction) -> Result<StatementStatus, Refusal> {
    use StatementAction as A;
    use StatementStatus as S;
    let to = match (from, action) {
        (S::Draft, A::Confirm) => Some(S::Confirmed),
        (S::Confirmed, A::Pay) => Some(S::Paid),
        _ => None,
    };
    to.ok_or_else(|| {
        Refusal::wrong_state(action.as_str(), "statement", from, &S::ALL, |s| {
            matches!((s, action), (S::Draft, A::Confirm) | (S::Confirmed, A::Pay))
        })
    })
}

text_enum! {
    /// Where a line's commission rate came from.
    pub enum RateSource ("commission source") {
        Merchant = "merchant", "merchant's rate";
        Category = "category", "category's rate";
        Default = "default", "shop default";
    }
}

/// The rate for a line: the merchant's, else the nearest category up the
/// tree that has one (`category_chain` is the product's category first,
/// then its parents), else the shop default.
pub fn commission_rate(
    merchant_bp: Option<i64>,
    category_chain: &[Option<i64>],
    default_bp: i64,
) -> (i64, RateSource) {
    if let Some(bp) = merchant_bp {
        return (bp, RateSource::Merchant);
    }
    match category_chain.iter().flatten().next() {
        Some(bp) => (*bp, RateSource::Category),
        None => (default_bp, RateSource::Default),
    }
}

/// One order line's figures: sales are goods plus the line's shipping;
/// commission is charged on the goods, rounded half up per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMoney {
    pub goods_minor: i64,
    pub sales_minor: i64,
    pub commission_minor: i64,
}

pub fn line_money(
    qty: i64,
    unit_price_minor: i64,
    shipping_minor: i64,
    bp: i64,
) -> Result<LineMoney, Refusal> {
    let overflow = || Refusal::new("a settlement line's amount overflows");
    let goods = qty.checked_mul(unit_price_minor).ok_or_else(overflow)?;
    let sales = goods.checked_add(shipping_minor).ok_or_else(overflow)?;
    if !(0..=10_000).contains(&bp) || goods < 0 {
        return Err(Refusal::new(format!(
            "commission rate {bp} bp is outside 0..=10000"
        )));
    }
    let commission = apply_bp(Money(goods), bp).0;
    Ok(LineMoney {
        goods_minor: goods,
        sales_minor: sales,
        commission_minor: commission,
    })
}

/// The part of one refund the merchants of the order bear: all of an
/// ordinary ticket refund; by the ruling for a dispute (`payer`).
pub fn charged_part(amount_minor: i64, payer: Option<RulingPayer>) -> i64 {
    match payer {
        None => amount_minor,
        Some(p) => merchant_share(amount_minor, p),
    }
}

/// Splits `charge` among the merchants of one order in proportion to each
/// one's sales on it (`sales` by merchant id). The fen left by rounding
/// down go one each to the largest remainders (ties: the larger sales,
/// then the lower merchant id), so the parts add up to `charge` exactly.
/// An order whose lines are all free splits by line count instead: equal
/// weights.
pub fn allocate(charge: i64, sales: &BTreeMap<i64, i64>) -> BTreeMap<i64, i64> {
    let mut out = BTreeMap::new();
    if sales.is_empty() || charge <= 0 {
        return out;
    }
    let total: i128 = sales.values().map(|v| i128::from(*v)).sum();
    let weights: Vec<(i64, i128)> = if total > 0 {
        sales.iter().map(|(m, v)| (*m, i128::from(*v))).collect()
    } else {
        sales.keys().map(|m| (*m, 1)).collect()
    };
    let total: i128 = weights.iter().map(|(_, w)| w).sum();
    let c = i128::from(charge);
    let mut parts: Vec<(i64, i128, i128, i128)> = weights
        .iter()
        .map(|(m, w)| (*m, c * w / total, c * w % total, *w))
        .collect();
    let given: i128 = parts.iter().map(|p| p.1).sum();
    let mut left = c - given;
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(b.3.cmp(&a.3)).then(a.0.cmp(&b.0)));
    for p in parts.iter_mut() {
        if left == 0 {
            break;
        }
        p.1 += 1;
        left -= 1;
    }
    for (m, part, _, _) in parts {
        // Each part is at most `charge`, which is an i64.
        if let Ok(v) = i64::try_from(part)
            && v > 0
        {
            out.insert(m, v);
        }
    }
    out
}

/// A statement's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub line_count: i64,
    pub sales_minor: i64,
    pub commission_minor: i64,
    pub refunds_minor: i64,
    pub fee_minor: i64,
    pub carried_in_minor: i64,
    pub payable_minor: i64,
}

/// `sales − commission − refunds − fee + carried_in`, checked.
pub fn payable(sales: i64, commission: i64, refunds: i64, fee: i64, carried_in: i64) -> Option<i64> {
    sales
        .checked_sub(commission)?
        .checked_sub(refunds)?
        .checked_sub(fee)?
        .checked_add(carried_in)
}

/// The platform fee a statement deducts: what of the (annual) fee is not
/// yet paid through the fee ledger nor deducted by another statement.
pub fn fee_due(fee_minor: i64, paid_in_ledger: i64, on_other_statements: i64) -> i64 {
    fee_minor
        .saturating_sub(paid_in_ledger)
        .saturating_sub(on_other_statements)
        .max(0)
}

/// Checks a period: `from` on or before `to`, at most 366 days.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), String> {
    if from > to {
        return Err(format!("the period starts {from}, after it ends {to}"));
    }
    if (to - from).num_days() > 366 {
        return Err(format!("the period {from} – {to} is longer than a year"));
    }
    Ok(())
}

/// Why a draft may not be confirmed yet: the period is not over (`today`
/// in the shop's time zone on or before `to`).
pub fn confirm_blocker(to: NaiveDate, today: NaiveDate) -> Option<String> {
    (today <= to).then(|| format!("the period ends {to} and is not over yet (today is {today})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_goes_forward_only() {
        use StatementAction as A;
        use StatementStatus as S;
        assert_eq!(next(S::Draft, A::Confirm), Ok(S::Confirmed));
        assert_eq!(next(S::Confirmed, A::Pay), Ok(S::Paid));
        assert!(next(S::Draft, A::Pay).is_err());
        assert!(next(S::Confirmed, A::Confirm).is_err());
        assert!(next(S::Paid, A::Pay).is_err());
        let msg = next(S::Draft, A::Pay).unwrap_err().to_string();
        assert!(msg.contains("draft") && msg.contains("confirmed"), "{msg}");
    }

    #[test]
    fn rate_comes_from_merchant_then_nearest_category_then_default() {
        assert_eq!(
            commission_rate(Some(300), &[Some(800)], 500),
            (300, RateSource::Merchant)
        );
        assert_eq!(
            commission_rate(None, &[None, Some(800), Some(900)], 500),
            (800, RateSource::Category)
        );
        assert_eq!(
            commission_rate(None, &[None, None], 500),
            (500, RateSource::Default)
        );
        assert_eq!(
            commission_rate(Some(0), &[Some(800)], 500),
            (0, RateSource::Merchant)
        );
    }

    #[test]
    fn commission_rounds_half_up_per_line_on_goods() {
        // 3 × 1.15 = 3.45; 5% = 17.25 fen → 17; 2.5% of 3.50 = 8.75 → 9.
        let m = line_money(3, 115, 1000, 500).unwrap();
        assert_eq!(
            m,
            LineMoney {
                goods_minor: 345,
                sales_minor: 1345,
                commission_minor: 17
            }
        );
        assert_eq!(line_money(1, 350, 0, 250).unwrap().commission_minor, 9);
        assert_eq!(line_money(1, 10, 0, 5000).unwrap().commission_minor, 5);
        assert_eq!(line_money(1, 1, 0, 5000).unwrap().commission_minor, 1);
        assert!(line_money(i64::MAX, 2, 0, 500).is_err());
    }

    #[test]
    fn allocation_adds_up_and_gives_odd_fen_to_largest_remainder() {
        let sales = BTreeMap::from([(1, 100), (2, 200)]);
        let a = allocate(100, &sales);
        assert_eq!(a, BTreeMap::from([(1, 33), (2, 67)]));
        let even = BTreeMap::from([(1, 100), (2, 100)]);
        assert_eq!(allocate(101, &even), BTreeMap::from([(1, 51), (2, 50)]));
        let free = BTreeMap::from([(4, 0), (5, 0)]);
        assert_eq!(allocate(3, &free).values().sum::<i64>(), 3);
        assert!(allocate(0, &sales).is_empty());
    }

    #[test]
    fn charged_part_follows_the_ruling() {
        assert_eq!(charged_part(1001, None), 1001);
        assert_eq!(charged_part(1001, Some(RulingPayer::Merchant)), 1001);
        assert_eq!(charged_part(1001, Some(RulingPayer::Split)), 500);
        assert_eq!(charged_part(1001, Some(RulingPayer::Platform)), 0);
    }

    #[test]
    fn payable_and_fee_and_period() {
        assert_eq!(payable(10_000, 500, 2_000, 1_000, -300), Some(6_200));
        assert_eq!(payable(i64::MIN, 1, 0, 0, 0), None);
        assert_eq!(fee_due(5_000, 2_000, 1_000), 2_000);
        assert_eq!(fee_due(5_000, 6_000, 0), 0);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(check_period(d("2026-11-30"), d("2026-11-01")).is_err());
        assert!(check_period(d("2026-11-01"), d("2026-11-30")).is_ok());
        assert!(confirm_blocker(d("2026-11-30"), d("2026-11-30")).is_some());
        assert!(confirm_blocker(d("2026-11-30"), d("2026-12-01")).is_none());
    }
}

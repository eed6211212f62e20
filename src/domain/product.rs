//! Product listing (SPEC 4.2): the listing state machine, the review
//! checklist, stock arithmetic and ABC classes.

use super::{Refusal, step, text_enum};

text_enum! {
    pub enum ProductStatus ("product status") {
        Draft = "draft", "draft";
        PendingReview = "pending_review", "pending review";
        Listed = "listed", "listed";
        Rejected = "rejected", "rejected";
        Delisted = "delisted", "delisted";
    }
}

impl ProductStatus {
    /// Waiting for a reviewer's decision.
    pub fn awaits_review(self) -> bool {
        self == ProductStatus::PendingReview
    }

    /// None: a rejected product can be redrafted and a delisted one relisted.
    pub fn is_final(self) -> bool {
        false
    }
}

text_enum! {
    /// Why a product was taken off sale.
    pub enum DelistReason ("delist reason") {
        OutOfStock = "out_of_stock", "out of stock";
        Seasonal = "seasonal", "seasonal";
        Violation = "violation", "violation";
        MerchantRequest = "merchant_request", "merchant request";
        Replaced = "replaced", "replaced";
        Other = "other", "other";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductAction {
    Submit,
    Approve,
    Reject { reason: String },
    Redraft,
    Delist { reason: DelistReason },
    Relist,
}

impl ProductAction {
    /// The action's name in the audit log and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            ProductAction::Submit => "submit",
            ProductAction::Approve => "approve",
            ProductAction::Reject { .. } => "reject",
            ProductAction::Redraft => "redraft",
            ProductAction::Delist { .. } => "delist",
            ProductAction::Relist => "relist",
        }
    }
}

/// The transition table: every allowed (state, action) pair, nothing else.
fn transition(from: ProductStatus, action: &ProductAction) -> Option<ProductStatus> {
    use ProductAction as A;
    use ProductStatus as S;
    match (from, action) {
        (S::Draft, A::Submit) => Some(S::PendingReview),
        (S::PendingReview, A::Approve) => Some(S::Listed),
        (S::PendingReview, A::Reject { .. }) => Some(S::Rejected),
        (S::Rejected, A::Redraft) => Some(S::Draft),
        (S::Listed, A::Delist { .. }) => Some(S::Delisted),
        // Relisting goes through review again.
        (S::Delisted, A::Relist) => Some(S::PendingReview),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or a refusal naming both. The
/// listing checklist is separate ([`listing_blockers`]).
pub fn next(from: ProductStatus, action: &ProductAction) -> Result<ProductStatus, Refusal> {
    let to = step(action.name(), "product", from, &ProductStatus::ALL, |s| {
        transition(s, action)
    })?;
    if let ProductAction::Reject { reason } = action
        && reason.trim().is_empty()
    {
        return Err(Refusal::cannot("reject", "product", "a reason is required"));
    }
    Ok(to)
}

/// What the listing review looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListingCheck<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub price_minor: i64,
    pub has_category: bool,
    pub merchant_active: bool,
    pub branded: bool,
    /// The brand is the merchant's own (a direct-mode brand store): no
    /// authorisation needed.
    pub brand_owned: bool,
    pub brand_authorisation_verified: bool,
}

/// Why a product may not be listed yet; empty means it may.
pub fn listing_blockers(check: &ListingCheck<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if check.title.trim().is_empty() {
        out.push("the title is empty".to_string());
    }
    if check.description.trim().is_empty() {
        out.push("the description is empty".to_string());
    }
    if check.price_minor <= 0 {
        out.push("the price must be greater than 0".to_string());
    }
    if !check.has_category {
        out.push("no category is set".to_string());
    }
    if !check.merchant_active {
        out.push("the merchant is not active".to_string());
    }
    if check.branded && !check.brand_owned && !check.brand_authorisation_verified {
        out.push(
            "the brand authorisation is not verified (a branded product whose brand is not the merchant's own)"
                .to_string(),
        );
    }
    out
}

/// Whether an approval lists the product now or waits for its scheduled
/// listing time (`list_at`, an RFC 3339 stamp).
pub fn lists_on_approval(list_at: Option<&str>, now: &str) -> bool {
    list_at.is_none_or(|t| t <= now)
}

/// A master-data edit of a listed product that changes what was reviewed
/// (its category or brand) sends it back to review.
pub fn edit_needs_review(status: ProductStatus, category_changed: bool, brand_changed: bool) -> bool {
    status == ProductStatus::Listed && (category_changed || brand_changed)
}

/// The `adjust` delta of a shelf count, or a refusal: a count may not leave
/// on hand below what orders have reserved.
pub fn count_delta(on_hand: i64, reserved: i64, counted: i64) -> Result<i64, Refusal> {
    if counted < 0 {
        return Err(Refusal::cannot(
            "count",
            "product",
            "the counted quantity cannot be negative",
        ));
    }
    if counted < reserved {
        return Err(Refusal::cannot(
            "count",
            "product",
            format!(
                "{counted} counted is below the {reserved} reserved for orders (ship or release them first)"
            ),
        ));
    }
    Ok(counted - on_hand)
}

/// The restock suggestion: the last 30 days' units per day × the lead time,
/// less what is available, rounded up to whole units and never below 0.
pub fn restock_quantity(units_30d: i64, lead_days: i64, available: i64) -> i64 {
    let need = (units_30d.max(0) * lead_days.max(0) + 29) / 30;
    (need - available.max(0)).max(0)
}

/// Price less purchase cost, where the cost is known.
pub fn margin(price_minor: i64, cost_minor: Option<i64>) -> Option<i64> {
    cost_minor.map(|c| price_minor - c)
}

/// Units sold ÷ average on hand; None with nothing on hand on average.
pub fn turnover(units: i64, avg_on_hand: f64) -> Option<f64> {
    (avg_on_hand > 0.0).then(|| units as f64 / avg_on_hand)
}

/// Units that can still be sold: on hand minus reserved, never negative.
pub fn available(on_hand: i64, reserved: i64) -> i64 {
    on_hand.saturating_sub(reserved).max(0)
}

/// Low stock when what is available has fallen to the threshold.
pub fn is_low_stock(available: i64, threshold: i64) -> bool {
    available <= threshold
}

/// ABC classes from revenue, returned in the input order. Products are ranked
/// by revenue (ties by id, ascending); a product is A while the revenue ranked
/// above it is under 80 % of the total (so the top seller is always A), B while
/// under 95 %, else C. Zero or negative revenue is always C.
pub fn abc_classes(revenues: &[(i64, i64)]) -> Vec<(i64, char)> {
    let total: i128 = revenues.iter().map(|(_, r)| i128::from((*r).max(0))).sum();
    let mut ranked: Vec<(i64, i64)> = revenues.to_vec();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut class_of = std::collections::HashMap::with_capacity(ranked.len());
    let mut before: i128 = 0;
    for (id, revenue) in ranked {
        let class = if revenue <= 0 || total == 0 {
            'C'
        } else if before * 100 < total * 80 {
            'A'
        } else if before * 100 < total * 95 {
            'B'
        } else {
            'C'
        };
        class_of.entry(id).or_insert(class);
        before += i128::from(revenue.max(0));
    }
    revenues
        .iter()
        .map(|(id, _)| (*id, class_of.get(id).copied().unwrap_or('C')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::machine_tests::{every_pair_matches, walk_stays_in_table};
    use ProductStatus as S;
    use proptest::prelude::*;

    const ALLOWED: &[(ProductStatus, &str, ProductStatus)] = &[
        (S::Draft, "submit", S::PendingReview),
        (S::PendingReview, "approve", S::Listed),
        (S::PendingReview, "reject", S::Rejected),
        (S::Rejected, "redraft", S::Draft),
        (S::Listed, "delist", S::Delisted),
        (S::Delisted, "relist", S::PendingReview),
    ];

    fn samples() -> Vec<ProductAction> {
        vec![
            ProductAction::Submit,
            ProductAction::Approve,
            ProductAction::Reject {
                reason: "blurry photos".into(),
            },
            ProductAction::Redraft,
            ProductAction::Delist {
                reason: DelistReason::Seasonal,
            },
            ProductAction::Relist,
        ]
    }

    #[test]
    fn every_state_and_action_matches_the_table() {
        every_pair_matches(
            ALLOWED,
            &ProductStatus::ALL,
            &samples(),
            ProductAction::name,
            next,
        );
    }

    #[test]
    fn refusals_and_reasons() {
        let e = next(S::Draft, &ProductAction::Approve).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot approve product: it is draft (approve needs pending_review)"
        );
        let e = next(S::Listed, &ProductAction::Relist).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot relist product: it is listed (relist needs delisted)"
        );
        let e = next(S::PendingReview, &ProductAction::Reject { reason: " ".into() }).unwrap_err();
        assert!(e.to_string().contains("reason is required"));
    }

    #[test]
    fn statuses_round_trip() {
        for s in ProductStatus::ALL {
            assert_eq!(s.as_str().parse::<ProductStatus>(), Ok(s));
            assert!(!s.is_final());
        }
        for r in DelistReason::ALL {
            assert_eq!(r.to_string().parse::<DelistReason>(), Ok(r));
        }
        assert!(
            "gone"
                .parse::<DelistReason>()
                .unwrap_err()
                .to_string()
                .contains("out_of_stock")
        );
    }

    #[test]
    fn listing_checklist() {
        let good = ListingCheck {
            title: "蓝牙耳机",
            description: "降噪",
            price_minor: 19_900,
            has_category: true,
            merchant_active: true,
            branded: true,
            brand_owned: false,
            brand_authorisation_verified: true,
        };
        assert!(listing_blockers(&good).is_empty());
        // The merchant's own brand needs no authorisation.
        assert!(
            listing_blockers(&ListingCheck {
                brand_owned: true,
                brand_authorisation_verified: false,
                ..good
            })
            .is_empty()
        );
        assert_eq!(
            listing_blockers(&ListingCheck {
                branded: false,
                brand_authorisation_verified: false,
                ..good
            })
            .len(),
            0
        );
        assert_eq!(listing_blockers(&ListingCheck::default()).len(), 5);
        let b = listing_blockers(&ListingCheck {
            brand_authorisation_verified: false,
            price_minor: 0,
            ..good
        });
        assert_eq!(b.len(), 2);
        assert!(b[1].contains("brand authorisation"));
    }

    #[test]
    fn counts_restock_margin_and_schedule() {
        assert_eq!(count_delta(10, 3, 7), Ok(-3));
        assert_eq!(count_delta(10, 3, 12), Ok(2));
        assert!(
            count_delta(10, 3, 2)
                .unwrap_err()
                .to_string()
                .contains("below the 3 reserved")
        );
        assert!(count_delta(10, 0, -1).is_err());
        // 45 units in 30 days = 1.5 a day; 7 days = 10.5, so 11, less 4 available.
        assert_eq!(restock_quantity(45, 7, 4), 7);
        assert_eq!(restock_quantity(0, 7, 4), 0);
        assert_eq!(restock_quantity(30, 7, 100), 0);
        assert_eq!(margin(1000, Some(600)), Some(400));
        assert_eq!(margin(1000, None), None);
        assert_eq!(turnover(90, 30.0), Some(3.0));
        assert_eq!(turnover(5, 0.0), None);
        assert!(lists_on_approval(None, "2026-01-01T00:00:00Z"));
        assert!(!lists_on_approval(
            Some("2026-01-02T00:00:00Z"),
            "2026-01-01T00:00:00Z"
        ));
        assert!(edit_needs_review(ProductStatus::Listed, true, false));
        assert!(!edit_needs_review(ProductStatus::Draft, true, true));
        assert!(!edit_needs_review(ProductStatus::Listed, false, false));
    }

    #[test]
    fn stock() {
        assert_eq!(available(10, 3), 7);
        assert_eq!(available(3, 10), 0);
        assert_eq!(available(i64::MIN, i64::MAX), 0);
        assert!(is_low_stock(5, 5));
        assert!(!is_low_stock(6, 5));
    }

    #[test]
    fn abc() {
        let r = [(1, 500), (2, 300), (3, 100), (4, 60), (5, 40), (6, 0)];
        assert_eq!(
            abc_classes(&r),
            vec![(1, 'A'), (2, 'A'), (3, 'B'), (4, 'B'), (5, 'C'), (6, 'C')]
        );
        // One dominant product is still A; ties break by id; input order is kept.
        assert_eq!(
            abc_classes(&[(9, 5), (3, 90), (7, 5)]),
            vec![(9, 'C'), (3, 'A'), (7, 'B')]
        );
        assert_eq!(abc_classes(&[(1, 0), (2, 0)]), vec![(1, 'C'), (2, 'C')]);
        assert!(abc_classes(&[]).is_empty());
    }

    fn action_strategy() -> impl Strategy<Value = ProductAction> {
        prop_oneof![
            Just(ProductAction::Submit),
            Just(ProductAction::Approve),
            prop_oneof![Just(String::new()), "[a-z]{1,6}"]
                .prop_map(|reason| ProductAction::Reject { reason }),
            Just(ProductAction::Redraft),
            prop::sample::select(DelistReason::ALL.to_vec())
                .prop_map(|reason| ProductAction::Delist { reason }),
            Just(ProductAction::Relist),
        ]
    }

    proptest! {
        #[test]
        fn random_walks_stay_in_the_table(actions in prop::collection::vec(action_strategy(), 0..200)) {
            walk_stays_in_table(ALLOWED, S::Draft, &actions, ProductAction::name, next, S::is_final, |a| {
                !matches!(a, ProductAction::Reject { reason } if reason.trim().is_empty())
            })?;
        }

        #[test]
        fn abc_never_panics_and_keeps_ids(rev in prop::collection::vec((0i64..50, -10i64..i64::MAX), 0..40)) {
            let out = abc_classes(&rev);
            prop_assert_eq!(out.len(), rev.len());
            for ((id, _), (oid, class)) in rev.iter().zip(&out) {
                prop_assert_eq!(id, oid);
                prop_assert!(matches!(class, 'A' | 'B' | 'C'));
            }
        }
    }
}

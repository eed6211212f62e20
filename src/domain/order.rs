//! Order handling (SPEC 4.3): the order state machine with its side states
//! (on hold, cancelled, merged), and the pure checks around it.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Refusal, text_enum};

text_enum! {
    pub enum OrderStatus ("order status") {
        PendingPayment = "pending_payment", "pending payment";
        Paid = "paid", "paid";
        Approved = "approved", "approved";
        Picking = "picking", "picking";
        Packed = "packed", "packed";
        Shipped = "shipped", "shipped";
        Delivered = "delivered", "delivered";
        Completed = "completed", "completed";
        OnHold = "on_hold", "on hold";
        Cancelled = "cancelled", "cancelled";
        Merged = "merged", "merged";
    }
}

impl OrderStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Completed | OrderStatus::Cancelled | OrderStatus::Merged
        )
    }
}

text_enum! {
    /// Why an order is on hold.
    pub enum HoldReason ("hold reason") {
        InsufficientStock = "insufficient_stock", "insufficient stock";
        AddressProblem = "address_problem", "address problem";
        RiskReview = "risk_review", "risk review";
        CustomerRequest = "customer_request", "customer request";
        Other = "other", "other";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderAction {
    Pay,
    Approve,
    Hold(HoldReason),
    Release,
    Pick,
    Pack {
        weight_g: u32,
    },
    Ship {
        carrier: String,
        tracking: String,
    },
    Deliver,
    Complete,
    Cancel {
        reason: String,
    },
    /// Absorb this order into the order with this id.
    MergeInto(i64),
    /// Changing the address keeps the state; it is an action so it is checked and audited.
    ChangeAddress,
}

impl OrderAction {
    /// The action's name in the audit log and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            OrderAction::Pay => "pay",
            OrderAction::Approve => "approve",
            OrderAction::Hold(_) => "hold",
            OrderAction::Release => "release",
            OrderAction::Pick => "pick",
            OrderAction::Pack { .. } => "pack",
            OrderAction::Ship { .. } => "ship",
            OrderAction::Deliver => "deliver",
            OrderAction::Complete => "complete",
            OrderAction::Cancel { .. } => "cancel",
            OrderAction::MergeInto(_) => "merge",
            OrderAction::ChangeAddress => "change_address",
        }
    }

    /// What is wrong with the action's own data, if anything.
    fn argument_problem(&self) -> Option<&'static str> {
        match self {
            OrderAction::Pack { weight_g: 0 } => Some("the parcel weight in grams must be greater than 0"),
            OrderAction::Ship { carrier, .. } if carrier.trim().is_empty() => Some("a carrier is required"),
            OrderAction::Ship { tracking, .. } if tracking.trim().is_empty() => {
                Some("a tracking number is required")
            }
            OrderAction::Cancel { reason } if reason.trim().is_empty() => Some("a reason is required"),
            OrderAction::MergeInto(id) if *id <= 0 => Some("the id of the order to merge into is required"),
            _ => None,
        }
    }
}

/// States an order may be put on hold from (and so may return to).
pub fn holdable_from(s: OrderStatus) -> bool {
    use OrderStatus as S;
    matches!(
        s,
        S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed
    )
}

/// The transition table: every allowed (state, action) pair, nothing else.
/// `held_from` is where an on-hold order returns when released.
fn transition(
    from: OrderStatus,
    held_from: Option<OrderStatus>,
    action: &OrderAction,
) -> Option<OrderStatus> {
    use OrderAction as A;
    use OrderStatus as S;
    match (from, action) {
        (S::PendingPayment, A::Pay) => Some(S::Paid),
        (S::Paid, A::Approve) => Some(S::Approved),
        (S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed, A::Hold(_)) => Some(S::OnHold),
        (S::OnHold, A::Release) => held_from.filter(|h| holdable_from(*h)),
        (S::Approved, A::Pick) => Some(S::Picking),
        (S::Picking, A::Pack { .. }) => Some(S::Packed),
        (S::Packed, A::Ship { .. }) => Some(S::Shipped),
        (S::Shipped, A::Deliver) => Some(S::Delivered),
        (S::Delivered, A::Complete) => Some(S::Completed),
        (
            S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold,
            A::Cancel { .. },
        ) => Some(S::Cancelled),
        (S::Paid | S::Approved, A::MergeInto(_)) => Some(S::Merged),
        (
            S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold,
            A::ChangeAddress,
        ) => Some(from),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or a refusal naming both.
/// Stock, address and merge-partner checks belong to the caller.
pub fn next(
    from: OrderStatus,
    held_from: Option<OrderStatus>,
    action: &OrderAction,
) -> Result<OrderStatus, Refusal> {
    let name = action.name();
    let Some(to) = transition(from, held_from, action) else {
        if from == OrderStatus::OnHold && *action == OrderAction::Release {
            let was = held_from.map_or("nothing".to_string(), |h| h.to_string());
            return Err(Refusal::cannot(
                name,
                "order",
                format!("it is on_hold but the state to return to is {was}"),
            ));
        }
        // Any holdable state as the dummy `held_from`, so `release` lists on_hold.
        return Err(Refusal::wrong_state(
            name,
            "order",
            from,
            &OrderStatus::ALL,
            |s| transition(s, Some(OrderStatus::Paid), action).is_some(),
        ));
    };
    if let Some(problem) = action.argument_problem() {
        return Err(Refusal::cannot(name, "order", problem));
    }
    Ok(to)
}

/// Whether an order in this state normally has its lines' stock reserved:
/// paid through packed, or on hold from one of those. (An order held for
/// insufficient stock may hold only part of it; the lines' `reserved_qty` is
/// the ledger's truth.)
pub fn holds_stock(s: OrderStatus, held_from: Option<OrderStatus>) -> bool {
    use OrderStatus as S;
    let reserving = |s: OrderStatus| matches!(s, S::Paid | S::Approved | S::Picking | S::Packed);
    match s {
        S::OnHold => held_from.is_some_and(reserving),
        s => reserving(s),
    }
}

/// What makes a shipping address unusable; empty means it looks complete.
pub fn address_problems(name: &str, phone: &str, address: &str, city: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.trim().is_empty() {
        out.push("the recipient name is empty".to_string());
    }
    if phone.trim().is_empty() {
        out.push("the phone number is empty".to_string());
    } else if phone.chars().filter(char::is_ascii_digit).count() < 7 {
        out.push(format!(
            "the phone number {} has fewer than 7 digits",
            super::limits::quote(phone.trim())
        ));
    }
    let address_len = address.trim().chars().count();
    if address_len == 0 {
        out.push("the address is empty".to_string());
    } else if address_len < 5 {
        out.push(format!(
            "the address {} is shorter than 5 characters",
            super::limits::quote(address.trim())
        ));
    }
    if city.trim().is_empty() {
        out.push("the city is empty".to_string());
    }
    out
}

/// The ship-by deadline: payment time plus `ship_by_hours` of wall-clock time
/// (couriers collect at weekends too).
pub fn ship_by(paid_at: DateTime<Utc>, ship_by_hours: i64) -> DateTime<Utc> {
    TimeDelta::try_hours(ship_by_hours)
        .and_then(|d| paid_at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Not yet shipped (and not cancelled or merged) after its ship-by deadline.
pub fn is_late_to_ship(status: OrderStatus, ship_by_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    use OrderStatus as S;
    let unshipped = matches!(
        status,
        S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold
    );
    unshipped && ship_by_at.is_some_and(|due| now > due)
}

/// Why `delivered → completed` must wait: no delivery time, the return window
/// still open, or after-sales tickets still open.
pub fn completion_blocker(
    delivered_at: Option<DateTime<Utc>>,
    return_window_days: i64,
    now: DateTime<Utc>,
    open_tickets: usize,
    tz: chrono_tz::Tz,
) -> Option<String> {
    let Some(delivered) = delivered_at else {
        return Some("the order has no delivery time recorded".to_string());
    };
    let window_ends = TimeDelta::try_days(return_window_days)
        .and_then(|d| delivered.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if now < window_ends {
        return Some(format!(
            "the {return_window_days}-day return window is open until {}",
            super::calendar::shop_minute(window_ends, tz)
        ));
    }
    match open_tickets {
        0 => None,
        1 => Some("1 after-sales ticket is still open".to_string()),
        n => Some(format!("{n} after-sales tickets are still open")),
    }
}

/// "13812345678" → "138****5678": the first 3 and last 4 characters. Shorter
/// values show less (5–7 characters: first 1 and last 2; up to 4: nothing), so
/// masking never reveals most of a short number. Works on characters, not bytes.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let (head, tail) = match chars.len() {
        0 => return String::new(),
        1..=4 => (0, 0),
        5..=7 => (1, 2),
        _ => (3, 4),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str("****");
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// The first 6 characters (or half of a shorter address) then "****":
/// enough to recognise the city and district, not the door.
pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let keep = 6.min(chars.len() / 2);
    let mut out: String = chars[..keep].iter().collect();
    out.push_str("****");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus as S;
    use proptest::prelude::*;

    /// The allowed transitions, written out independently of `transition`.
    const ALLOWED: &[(OrderStatus, &str, OrderStatus)] = &[
        (S::PendingPayment, "pay", S::Paid),
        (S::Paid, "approve", S::Approved),
        (S::PendingPayment, "hold", S::OnHold),
        (S::Paid, "hold", S::OnHold),
        (S::Approved, "hold", S::OnHold),
        (S::Picking, "hold", S::OnHold),
        (S::Packed, "hold", S::OnHold),
        (S::OnHold, "release", S::PendingPayment),
        (S::OnHold, "release", S::Paid),
        (S::OnHold, "release", S::Approved),
        (S::OnHold, "release", S::Picking),
        (S::OnHold, "release", S::Packed),
        (S::Approved, "pick", S::Picking),
        (S::Picking, "pack", S::Packed),
        (S::Packed, "ship", S::Shipped),
        (S::Shipped, "deliver", S::Delivered),
        (S::Delivered, "complete", S::Completed),
        (S::PendingPayment, "cancel", S::Cancelled),
        (S::Paid, "cancel", S::Cancelled),
        (S::Approved, "cancel", S::Cancelled),
        (S::Picking, "cancel", S::Cancelled),
        (S::Packed, "cancel", S::Cancelled),
        (S::OnHold, "cancel", S::Cancelled),
        (S::Paid, "merge", S::Merged),
        (S::Approved, "merge", S::Merged),
        (S::PendingPayment, "change_address", S::PendingPayment),
        (S::Paid, "change_address", S::Paid),
        (S::Approved, "change_address", S::Approved),
        (S::Picking, "change_address", S::Picking),
        (S::Packed, "change_address", S::Packed),
        (S::OnHold, "change_address", S::OnHold),
    ];

    fn in_table(from: OrderStatus, name: &str, to: OrderStatus) -> bool {
        ALLOWED.contains(&(from, name, to))
    }

    fn samples() -> Vec<OrderAction> {
        vec![
            OrderAction::Pay,
            OrderAction::Approve,
            OrderAction::Hold(HoldReason::RiskReview),
            OrderAction::Release,
            OrderAction::Pick,
            OrderAction::Pack { weight_g: 350 },
            OrderAction::Ship {
                carrier: "SF".into(),
                tracking: "SF1234".into(),
            },
            OrderAction::Deliver,
            OrderAction::Complete,
            OrderAction::Cancel {
                reason: "buyer asked".into(),
            },
            OrderAction::MergeInto(7),
            OrderAction::ChangeAddress,
        ]
    }

    #[test]
    fn every_state_and_action_matches_the_table() {
        for from in OrderStatus::ALL {
            for held in [None, Some(S::PendingPayment), Some(S::Paid), Some(S::Packed)] {
                for action in samples() {
                    let listed = ALLOWED.iter().any(|(f, n, _)| *f == from && *n == action.name());
                    match next(from, held, &action) {
                        Ok(to) => assert!(
                            in_table(from, action.name(), to),
                            "{from} {} → {to}",
                            action.name()
                        ),
                        Err(e) => {
                            let release_without_origin = action == OrderAction::Release && held.is_none();
                            assert!(
                                !listed || release_without_origin,
                                "{from} refused {}: {e}",
                                action.name()
                            );
                            assert!(
                                e.to_string().contains(from.as_str())
                                    && e.to_string().contains(action.name()),
                                "{e}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn release_returns_where_it_was() {
        for h in S::ALL.into_iter().filter(|s| holdable_from(*s)) {
            assert_eq!(next(S::OnHold, Some(h), &OrderAction::Release), Ok(h));
        }
        let e = next(S::OnHold, None, &OrderAction::Release).unwrap_err();
        assert!(
            e.to_string().contains("release") && e.to_string().contains("on_hold"),
            "{e}"
        );
        assert!(next(S::OnHold, Some(S::Shipped), &OrderAction::Release).is_err());
    }

    #[test]
    fn refusals_name_state_and_action() {
        let ship = OrderAction::Ship {
            carrier: "SF".into(),
            tracking: "1".into(),
        };
        let e = next(S::PendingPayment, None, &ship).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot ship order: it is pending_payment (ship needs packed)"
        );
        let e = next(S::Shipped, None, &OrderAction::Cancel { reason: "x".into() }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot cancel order: it is shipped (cancel needs pending_payment, paid, approved, picking, packed or on_hold)"
        );
        let e = next(S::Shipped, None, &OrderAction::ChangeAddress).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot change_address order: it is shipped")
        );
        let e = next(S::Paid, None, &OrderAction::Release).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot release order: it is paid (release needs on_hold)"
        );
    }

    #[test]
    fn arguments_are_checked() {
        let e = next(S::Picking, None, &OrderAction::Pack { weight_g: 0 }).unwrap_err();
        assert!(e.to_string().contains("weight"));
        let blank = |c: &str, t: &str| OrderAction::Ship {
            carrier: c.into(),
            tracking: t.into(),
        };
        assert!(
            next(S::Packed, None, &blank(" ", "1"))
                .unwrap_err()
                .to_string()
                .contains("carrier")
        );
        assert!(
            next(S::Packed, None, &blank("SF", ""))
                .unwrap_err()
                .to_string()
                .contains("tracking")
        );
        assert!(
            next(S::Paid, None, &OrderAction::Cancel { reason: "\n".into() })
                .unwrap_err()
                .to_string()
                .contains("reason")
        );
        assert!(next(S::Paid, None, &OrderAction::MergeInto(0)).is_err());
    }

    #[test]
    fn stock_holding_states() {
        assert!(!holds_stock(S::PendingPayment, None));
        assert!(holds_stock(S::Paid, None));
        assert!(holds_stock(S::Packed, None));
        assert!(!holds_stock(S::Shipped, None));
        assert!(holds_stock(S::OnHold, Some(S::Approved)));
        assert!(!holds_stock(S::OnHold, Some(S::PendingPayment)));
        assert!(!holds_stock(S::OnHold, None));
        assert!(!holds_stock(S::Cancelled, Some(S::Paid)));
    }

    #[test]
    fn addresses_and_masks() {
        assert!(address_problems("李雷", "138 1234 5678", "朝阳区建国路88号", "北京").is_empty());
        let p = address_problems(" ", "12-34", "路1号", "");
        assert_eq!(p.len(), 4, "{p:?}");
        assert_eq!(address_problems("a", "", "", "c").len(), 2);
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86****5678");
        assert_eq!(mask_phone("1234567"), "1****67");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("电话一二三四五六七八"), "电话一****五六七八");
        assert_eq!(mask_address("北京市朝阳区建国路88号"), "北京市朝阳区****");
        assert_eq!(mask_address("路1号"), "路****");
        assert_eq!(mask_address(""), "");
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn deadlines() {
        let paid = t("2026-03-06T10:00:00Z");
        assert_eq!(ship_by(paid, 48), t("2026-03-08T10:00:00Z"));
        assert_eq!(ship_by(paid, i64::MAX), DateTime::<Utc>::MAX_UTC);
        let due = Some(ship_by(paid, 48));
        assert!(is_late_to_ship(S::Approved, due, t("2026-03-08T10:00:01Z")));
        assert!(!is_late_to_ship(S::Approved, due, t("2026-03-08T10:00:00Z")));
        assert!(is_late_to_ship(S::OnHold, due, t("2026-03-09T00:00:00Z")));
        for s in [S::Shipped, S::Delivered, S::Cancelled, S::Merged] {
            assert!(!is_late_to_ship(s, due, t("2027-01-01T00:00:00Z")));
        }
        assert!(!is_late_to_ship(S::Paid, None, t("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn completion() {
        let delivered = Some(t("2026-03-01T08:00:00Z"));
        let sh = chrono_tz::Asia::Shanghai;
        let e = completion_blocker(delivered, 7, t("2026-03-05T00:00:00Z"), 0, sh).unwrap();
        // In shop time: 08:00 UTC is 16:00 in Shanghai.
        assert!(e.contains("2026-03-08 16:00"), "{e}");
        assert!(!e.contains("UTC"), "{e}");
        assert_eq!(
            completion_blocker(delivered, 7, t("2026-03-08T08:00:00Z"), 0, sh),
            None
        );
        assert!(
            completion_blocker(delivered, 7, t("2026-03-09T00:00:00Z"), 2, sh)
                .unwrap()
                .contains("2 after-sales")
        );
        assert!(completion_blocker(None, 7, t("2026-03-09T00:00:00Z"), 0, sh).is_some());
    }

    fn action_strategy() -> impl Strategy<Value = OrderAction> {
        let text = prop_oneof![Just(String::new()), Just(" ".to_string()), "[A-Z0-9]{1,8}"];
        prop_oneof![
            Just(OrderAction::Pay),
            Just(OrderAction::Approve),
            prop::sample::select(HoldReason::ALL.to_vec()).prop_map(OrderAction::Hold),
            Just(OrderAction::Release),
            Just(OrderAction::Pick),
            prop_oneof![Just(0u32), 1u32..50_000].prop_map(|weight_g| OrderAction::Pack { weight_g }),
            (text.clone(), text.clone())
                .prop_map(|(carrier, tracking)| OrderAction::Ship { carrier, tracking }),
            Just(OrderAction::Deliver),
            Just(OrderAction::Complete),
            text.prop_map(|reason| OrderAction::Cancel { reason }),
            (-1i64..5).prop_map(OrderAction::MergeInto),
            Just(OrderAction::ChangeAddress),
        ]
    }

    proptest! {
        #[test]
        fn random_walks_stay_in_the_table(actions in prop::collection::vec(action_strategy(), 0..200)) {
            let mut state = S::PendingPayment;
            let mut held: Option<OrderStatus> = None;
            for action in &actions {
                let result = next(state, held, action);
                if state.is_final() {
                    prop_assert!(result.is_err());
                }
                match result {
                    Ok(to) => {
                        prop_assert!(in_table(state, action.name(), to), "{} --{}--> {}", state, action.name(), to);
                        prop_assert!(action.argument_problem().is_none());
                        if *action == OrderAction::Release {
                            prop_assert_eq!(Some(to), held);
                        }
                        match action {
                            OrderAction::Hold(_) => held = Some(state),
                            OrderAction::Release => held = None,
                            _ => {}
                        }
                        state = to;
                    }
                    Err(_) => {
                        let listed = ALLOWED.iter().any(|(f, n, _)| *f == state && *n == action.name());
                        prop_assert!(!listed || action.argument_problem().is_some());
                    }
                }
            }
        }
    }
}

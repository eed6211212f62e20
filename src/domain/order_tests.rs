//! Tests of the order state machine and its status sets.
use super::*;
use OrderStatus as S;
use proptest::prelude::*;

/// Open, shipped and void split the statuses: each is in exactly one,
/// and a final status is never open.
#[test]
fn open_shipped_and_void_partition_the_statuses() {
    for s in S::ALL {
        let sets = [s.is_open(), s.is_shipped(), s.is_void()];
        assert_eq!(sets.iter().filter(|x| **x).count(), 1, "{s}");
        assert!(!(s.is_final() && s.is_open()), "{s}");
        assert!(!s.is_pickable() || s.is_open(), "{s}");
        assert!(!s.has_tracking() || s.is_shipped(), "{s}");
        assert!(!s.needs_attention() || s.is_open(), "{s}");
    }
    assert_eq!(S::names_where(S::is_pickable), ["approved", "picking"]);
    assert_eq!(S::names_where(S::has_tracking), ["shipped", "delivered"]);
}

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
                            e.to_string().contains(from.as_str()) && e.to_string().contains(action.name()),
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
        (text.clone(), text.clone()).prop_map(|(carrier, tracking)| OrderAction::Ship { carrier, tracking }),
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

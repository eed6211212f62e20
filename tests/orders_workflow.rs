//! Order workflows on real temp-file SQLite: every transition, every refusal,
//! stock and money effects, audit rows, roles, and version races.

mod orders_support;

use orders_support::*;
use shopdesk::Error;
use shopdesk::domain::order::{HoldReason, OrderAction, OrderStatus};
use shopdesk::ops::orders::{self, AddressChange, NewEvent};
use shopdesk::store;

struct Fixture {
    shop: Shop,
    merchant: i64,
    cust: i64,
    ear: i64,
    cable: i64,
}

/// Earbuds (蓝牙耳机, 10 in stock, 199.00) and a cable (2 in stock, 15.00).
fn fixture() -> Fixture {
    let shop = Shop::new();
    let p = &shop.path;
    let merchant = merchant(p, "M001", "星辰电子");
    let ear = product(p, merchant, "BT-01", "蓝牙耳机", 19900, 10);
    let cable = product(p, merchant, "CB-02", "USB-C 数据线", 1500, 2);
    let cust = customer(p, "C001", "李雷");
    Fixture {
        shop,
        merchant,
        cust,
        ear,
        cable,
    }
}

impl Fixture {
    fn order(&self, ext: &str, lines: &[(i64, i64)]) -> i64 {
        order(&self.shop.path, ext, self.cust, self.merchant, lines, &GOOD)
    }

    fn act(&self, login: &str, id: i64, action: OrderAction) -> shopdesk::Result<orders::Outcome> {
        orders::act_at(&mut self.shop.session(login), id, None, &action, now())
    }

    fn ok(&self, id: i64, action: OrderAction) -> orders::Outcome {
        self.act("lin", id, action).unwrap()
    }

    /// pay → approve → pick → pack → ship.
    fn shipped(&self, ext: &str, lines: &[(i64, i64)]) -> i64 {
        let id = self.order(ext, lines);
        for a in [
            OrderAction::Pay,
            OrderAction::Approve,
            OrderAction::Pick,
            OrderAction::Pack { weight_g: 350 },
            ship_action(),
        ] {
            self.ok(id, a);
        }
        id
    }
}

fn ship_action() -> OrderAction {
    OrderAction::Ship {
        carrier: "SF".into(),
        tracking: "SF100200".into(),
    }
}

fn refused(r: shopdesk::Result<orders::Outcome>) -> String {
    match r {
        Err(Error::Refused(m)) => m.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn audit_actions(f: &Fixture, id: i64) -> Vec<String> {
    store::audit::history(&f.shop.conn(), "order", id, 100)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[test]
fn pay_reserves_stock_sets_ship_by_and_the_ledger_adds_up() {
    let f = fixture();
    let id = f.order("A1", &[(f.ear, 3), (f.cable, 1)]);
    let out = f.ok(id, OrderAction::Pay);
    assert_eq!(out.status, OrderStatus::Paid);
    assert!(!out.held());
    assert_eq!(stock(&f.shop.path, f.ear), (10, 3));
    assert_eq!(stock(&f.shop.path, f.cable), (2, 1));
    let conn = f.shop.conn();
    let o = store::orders::get(&conn, id).unwrap().unwrap();
    assert_eq!(o.paid_at.as_deref(), Some(NOW));
    assert_eq!(o.ship_by_at.as_deref(), Some("2026-11-22T10:00:00Z"));
    assert_eq!(o.version, 1);
    let lines = store::orders::lines(&conn, id).unwrap();
    assert!(lines.iter().all(|l| l.reserved_qty == l.qty));
    assert_eq!(audit_actions(&f, id), ["pay"]);
    let h = store::audit::history(&conn, "order", id, 1).unwrap();
    assert!(h[0].before_json.as_deref().unwrap().contains("pending_payment"));
    assert!(
        h[0].after_json
            .as_deref()
            .unwrap()
            .contains("\"status\":\"paid\"")
    );
    assert_checks_pass(&f.shop.path);
}

#[test]
fn pay_short_of_stock_holds_with_nothing_reserved_and_release_retries() {
    let f = fixture();
    let id = f.order("A2", &[(f.ear, 2), (f.cable, 5)]);
    let out = f.ok(id, OrderAction::Pay);
    assert_eq!(out.status, OrderStatus::OnHold);
    assert_eq!(out.hold_reason, Some(HoldReason::InsufficientStock));
    assert!(out.held());
    assert!(
        out.message.contains("CB-02") && out.message.contains("needs 5, 2 available"),
        "{}",
        out.message
    );
    assert_eq!(stock(&f.shop.path, f.ear), (10, 0), "nothing reserved");
    assert_eq!(stock(&f.shop.path, f.cable), (2, 0));
    let moves: i64 = f
        .shop
        .conn()
        .query_row(
            "SELECT count(*) FROM stock_movements WHERE order_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        moves, 0,
        "the partial reservation was rolled back, not reserved and released"
    );
    let o = store::orders::get(&f.shop.conn(), id).unwrap().unwrap();
    assert_eq!(o.held_from, Some(OrderStatus::Paid));
    assert!(o.paid_at.is_some());
    assert_checks_pass(&f.shop.path);

    let m = refused(f.act("lin", id, OrderAction::Release));
    assert!(
        m.starts_with(&format!(
            "order {id} (web:A2): cannot release: still short of stock"
        )),
        "{m}"
    );
    assert_eq!(
        stock(&f.shop.path, f.ear),
        (10, 0),
        "a refused release reserves nothing"
    );

    receive(&f.shop.path, f.cable, 3);
    let out = f.ok(id, OrderAction::Release);
    assert_eq!(out.status, OrderStatus::Paid);
    assert_eq!(stock(&f.shop.path, f.cable), (5, 5));
    assert_eq!(stock(&f.shop.path, f.ear), (10, 2));
    assert_checks_pass(&f.shop.path);
}

#[test]
fn approve_checks_the_address_and_holds_an_incomplete_one() {
    let f = fixture();
    let bad = Addr {
        phone: "123",
        city: "",
        ..GOOD
    };
    let id = order(&f.shop.path, "A3", f.cust, f.merchant, &[(f.ear, 1)], &bad);
    f.ok(id, OrderAction::Pay);
    let out = f.ok(id, OrderAction::Approve);
    assert_eq!(out.status, OrderStatus::OnHold);
    assert_eq!(out.hold_reason, Some(HoldReason::AddressProblem));
    assert!(
        out.message.contains("phone") && out.message.contains("city"),
        "{}",
        out.message
    );
    assert_eq!(stock(&f.shop.path, f.ear), (10, 1), "the reservation stays");

    let change = AddressChange {
        phone: Some("13900001111".into()),
        city: Some("上海".into()),
        ..Default::default()
    };
    let mut s = f.shop.session("mei");
    let out = orders::change_address_at(&mut s, id, None, &change, now()).unwrap();
    assert!(out.message.contains("release"), "{}", out.message);
    let out = f.ok(id, OrderAction::Release);
    assert_eq!(out.status, OrderStatus::Paid);
    assert_eq!(f.ok(id, OrderAction::Approve).status, OrderStatus::Approved);
    assert_eq!(
        audit_actions(&f, id),
        ["pay", "approve", "change_address", "release", "approve"]
    );
}

#[test]
fn hold_and_release_return_to_the_prior_state() {
    let f = fixture();
    let id = f.order("A4", &[(f.ear, 1)]);
    f.ok(id, OrderAction::Pay);
    f.ok(id, OrderAction::Approve);
    f.ok(id, OrderAction::Pick);
    let out = f.ok(id, OrderAction::Hold(HoldReason::RiskReview));
    assert_eq!(out.status, OrderStatus::OnHold);
    let o = store::orders::get(&f.shop.conn(), id).unwrap().unwrap();
    assert_eq!(o.held_from, Some(OrderStatus::Picking));
    assert_eq!(o.hold_reason, Some(HoldReason::RiskReview));
    let m = refused(f.act("lin", id, OrderAction::Pack { weight_g: 10 }));
    assert!(m.contains("it is on_hold (pack needs picking)"), "{m}");
    assert_eq!(f.ok(id, OrderAction::Release).status, OrderStatus::Picking);
    assert_eq!(stock(&f.shop.path, f.ear), (10, 1));

    // A pending order held on request goes back to pending, reserving nothing.
    let p = f.order("A4b", &[(f.ear, 1)]);
    f.ok(p, OrderAction::Hold(HoldReason::CustomerRequest));
    assert_eq!(f.ok(p, OrderAction::Release).status, OrderStatus::PendingPayment);
    assert_eq!(stock(&f.shop.path, f.ear), (10, 1));
    assert_checks_pass(&f.shop.path);
}

#[test]
fn pack_and_ship_consume_stock_then_events_deliver_and_complete() {
    let f = fixture();
    let id = f.order("A5", &[(f.ear, 2), (f.cable, 1)]);
    f.ok(id, OrderAction::Pay);
    f.ok(id, OrderAction::Approve);
    let m = refused(f.act("lin", id, ship_action()));
    assert_eq!(
        m,
        format!("order {id} (web:A5): cannot ship: it is approved (ship needs packed)")
    );
    f.ok(id, OrderAction::Pick);
    let m = refused(f.act("lin", id, ship_action()));
    assert!(
        m.contains("cannot ship: it is picking (ship needs packed)"),
        "{m}"
    );
    let m = refused(f.act("lin", id, OrderAction::Pack { weight_g: 0 }));
    assert!(m.contains("weight"), "{m}");
    f.ok(id, OrderAction::Pack { weight_g: 420 });
    assert_eq!(stock(&f.shop.path, f.ear), (10, 2));
    let out = f.ok(id, ship_action());
    assert_eq!(out.status, OrderStatus::Shipped);
    assert_eq!(stock(&f.shop.path, f.ear), (8, 0));
    assert_eq!(stock(&f.shop.path, f.cable), (1, 0));
    let conn = f.shop.conn();
    let o = store::orders::get(&conn, id).unwrap().unwrap();
    assert_eq!(o.weight_g, Some(420));
    assert_eq!(o.carrier.as_deref(), Some("SF"));
    assert_eq!(o.tracking_no.as_deref(), Some("SF100200"));
    assert!(
        store::orders::lines(&conn, id)
            .unwrap()
            .iter()
            .all(|l| l.reserved_qty == 0)
    );
    assert_checks_pass(&f.shop.path);

    let ev = NewEvent {
        at: t("2026-11-20T18:00:00Z"),
        status: "已揽收".into(),
        location: "深圳".into(),
        note: String::new(),
    };
    let mut s = f.shop.session("lin");
    orders::add_event(&mut s, id, None, &ev).unwrap();
    assert_eq!(store::orders::events(&conn, id).unwrap()[0].location, "深圳");
    let m = refused(f.act("lin", id, OrderAction::Complete));
    assert!(m.contains("cannot complete: it is shipped"), "{m}");
    f.ok(id, OrderAction::Deliver);

    // Inside the 7-day return window.
    let in_window = t("2026-11-25T10:00:00Z");
    let r = orders::act_at(&mut s, id, None, &OrderAction::Complete, in_window);
    let m = refused(r);
    assert!(m.contains("return window is open until 2026-11-27"), "{m}");

    // After the window but with an open ticket.
    conn.execute(
        "INSERT INTO tickets (order_id, kind, status, opened_at, created_at, updated_at)
         VALUES (?1, 'return', 'in_progress', ?2, ?2, ?2)",
        rusqlite::params![id, NOW],
    )
    .unwrap();
    let later = t("2026-11-28T10:00:00Z");
    let m = refused(orders::act_at(&mut s, id, None, &OrderAction::Complete, later));
    assert!(m.contains("1 after-sales ticket is still open"), "{m}");
    conn.execute("UPDATE tickets SET status = 'rejected', reject_reason = 'x'", [])
        .unwrap();
    let out = orders::act_at(&mut s, id, None, &OrderAction::Complete, later).unwrap();
    assert_eq!(out.status, OrderStatus::Completed);
    assert_eq!(
        audit_actions(&f, id),
        [
            "pay", "approve", "pick", "pack", "ship", "event", "deliver", "complete"
        ]
    );
    assert_checks_pass(&f.shop.path);
}

#[test]
fn events_need_a_shipped_order() {
    let f = fixture();
    let id = f.order("A6", &[(f.ear, 1)]);
    let ev = NewEvent {
        at: now(),
        status: "in transit".into(),
        location: String::new(),
        note: String::new(),
    };
    let r = orders::add_event(&mut f.shop.session("lin"), id, None, &ev);
    let m = refused(r);
    assert!(
        m.contains("it is pending_payment (events need shipped or delivered)"),
        "{m}"
    );
}

#[test]
fn cancel_releases_stock_and_refunds_a_paid_order() {
    let f = fixture();
    let id = f.order("A7", &[(f.ear, 2)]);
    f.ok(id, OrderAction::Pay);
    f.ok(id, OrderAction::Approve);
    assert_eq!(stock(&f.shop.path, f.ear), (10, 2));
    let m = refused(f.act("lin", id, OrderAction::Cancel { reason: " ".into() }));
    assert!(m.contains("reason"), "{m}");
    let out = f.ok(
        id,
        OrderAction::Cancel {
            reason: "buyer changed mind".into(),
        },
    );
    assert_eq!(out.status, OrderStatus::Cancelled);
    assert_eq!(stock(&f.shop.path, f.ear), (10, 0));
    let refunds = store::orders::refunds(&f.shop.conn(), id).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount_minor, 2 * 19900 + 1000);
    assert_eq!(refunds[0].reason, "cancelled: buyer changed mind");

    // Unpaid: no refund.
    let p = f.order("A7b", &[(f.ear, 1)]);
    f.ok(
        p,
        OrderAction::Cancel {
            reason: "spam".into(),
        },
    );
    assert!(store::orders::refunds(&f.shop.conn(), p).unwrap().is_empty());

    // Shipped: too late.
    let s = f.shipped("A7c", &[(f.ear, 1)]);
    let m = refused(f.act(
        "lin",
        s,
        OrderAction::Cancel {
            reason: "late".into(),
        },
    ));
    assert!(m.contains("cannot cancel: it is shipped"), "{m}");
    assert_checks_pass(&f.shop.path);
}

#[test]
fn merge_moves_lines_and_their_reservations() {
    let f = fixture();
    let a = f.order("M-A", &[(f.ear, 1), (f.cable, 1)]);
    let b = f.order("M-B", &[(f.ear, 2)]);
    f.ok(a, OrderAction::Pay);
    f.ok(b, OrderAction::Pay);
    f.ok(b, OrderAction::Approve);
    assert_eq!(stock(&f.shop.path, f.ear), (10, 3));

    let mut s = f.shop.session("lin");
    let out = orders::merge_at(&mut s, a, b, None, now()).unwrap();
    assert_eq!(out.status, OrderStatus::Merged);
    let conn = f.shop.conn();
    let gone = store::orders::get(&conn, a).unwrap().unwrap();
    assert_eq!(gone.merged_into, Some(b));
    assert_eq!(gone.line_count, 0);
    let kept = store::orders::get(&conn, b).unwrap().unwrap();
    assert_eq!((kept.line_count, kept.item_count), (3, 4));
    assert_eq!(kept.items_minor, 3 * 19900 + 1500);
    assert_eq!(kept.shipping_minor, 2000);
    assert_eq!(kept.status, OrderStatus::Approved);
    let lines = store::orders::lines(&conn, b).unwrap();
    let nos: Vec<(i64, &str, i64)> = lines
        .iter()
        .map(|l| (l.line_no, l.sku.as_str(), l.reserved_qty))
        .collect();
    assert_eq!(nos, [(1, "BT-01", 2), (2, "BT-01", 1), (3, "CB-02", 1)]);
    assert_eq!(
        stock(&f.shop.path, f.ear),
        (10, 3),
        "reservations moved, totals unchanged"
    );
    assert_eq!(audit_actions(&f, a), ["pay", "merge"]);
    assert_eq!(audit_actions(&f, b), ["pay", "approve", "merge"]);
    assert_checks_pass(&f.shop.path);

    // Refusals: a different address, a picking survivor, itself.
    let other = Addr {
        address: "海淀区中关村大街1号",
        ..GOOD
    };
    let c = order(&f.shop.path, "M-C", f.cust, f.merchant, &[(f.ear, 1)], &other);
    f.ok(c, OrderAction::Pay);
    let m = refused(orders::merge_at(&mut s, c, b, None, now()));
    assert!(m.contains("shipping addresses differ (address)"), "{m}");
    let d = f.order("M-D", &[(f.ear, 1)]);
    f.ok(d, OrderAction::Pay);
    f.ok(b, OrderAction::Pick);
    let m = refused(orders::merge_at(&mut s, d, b, None, now()));
    assert!(
        m.starts_with(&format!("order {b} (web:M-B): cannot merge: it is picking")),
        "{m}"
    );
    let e = orders::merge_at(&mut s, d, d, None, now()).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn address_change_is_audited_with_before_and_after() {
    let f = fixture();
    let id = f.order("A8", &[(f.ear, 1)]);
    let change = AddressChange {
        address: Some("浦东新区世纪大道100号".into()),
        city: Some("上海".into()),
        ..Default::default()
    };
    let mut s = f.shop.session("mei");
    orders::change_address_at(&mut s, id, None, &change, now()).unwrap();
    let h = store::audit::history(&f.shop.conn(), "order", id, 10).unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("change_address", "mei")
    );
    assert!(last.before_json.as_deref().unwrap().contains("朝阳区建国路88号"));
    assert!(
        last.after_json
            .as_deref()
            .unwrap()
            .contains("浦东新区世纪大道100号")
    );
    let e = orders::change_address_at(&mut s, id, None, &AddressChange::default(), now()).unwrap_err();
    assert_eq!(e.exit_code(), 2);

    let shipped = f.shipped("A8b", &[(f.ear, 1)]);
    let m = refused(orders::change_address_at(&mut s, shipped, None, &change, now()));
    assert!(m.contains("cannot change_address: it is shipped"), "{m}");
}

#[test]
fn support_may_hold_and_change_address_only_viewer_nothing() {
    let f = fixture();
    let id = f.order("A9", &[(f.ear, 1)]);
    f.ok(id, OrderAction::Pay);
    let m = refused(f.act("mei", id, OrderAction::Approve));
    assert_eq!(m, "the support role may not change orders");
    let out = f
        .act("mei", id, OrderAction::Hold(HoldReason::CustomerRequest))
        .unwrap();
    assert_eq!(out.status, OrderStatus::OnHold);
    refused(f.act("mei", id, OrderAction::Release));
    for a in [
        OrderAction::Hold(HoldReason::Other),
        OrderAction::Release,
        OrderAction::Pay,
    ] {
        let m = refused(f.act("vic", id, a));
        assert!(m.starts_with("the viewer role may not"), "{m}");
    }
    let change = AddressChange {
        name: Some("韩梅梅".into()),
        ..Default::default()
    };
    let m = refused(orders::change_address_at(
        &mut f.shop.session("vic"),
        id,
        None,
        &change,
        now(),
    ));
    assert!(m.contains("viewer"), "{m}");

    // Reading is allowed, masked for support and viewer.
    let d = orders::detail_at(&f.shop.session("mei"), id, now()).unwrap();
    assert!(d.pii_masked);
    assert_eq!(d.order.ship_phone, "138****5678");
    assert!(d.history.iter().all(|h| h.after_json.is_none()));
    let d = orders::detail_at(&f.shop.session("lin"), id, now()).unwrap();
    assert_eq!(d.order.ship_phone, "13812345678");
}

#[test]
fn a_stale_version_is_a_conflict_naming_who_changed_it() {
    let f = fixture();
    let id = f.order("B1", &[(f.ear, 1)]);
    let mut s = f.shop.session("lin");
    let out = orders::act_at(&mut s, id, Some(0), &OrderAction::Pay, now()).unwrap();
    assert_eq!(out.version, 1);
    let e = orders::act_at(&mut s, id, Some(0), &OrderAction::Approve, now()).unwrap_err();
    match e {
        // Typed: who changed which record, not a sentence to parse.
        Error::Conflict(c) => {
            assert_eq!((c.entity.as_str(), c.id), ("order", id), "{c}");
            assert_eq!(c.by.as_ref().map(|(who, _)| who.as_str()), Some("lin"), "{c}");
        }
        e => panic!("{e:?}"),
    }
    orders::act_at(&mut s, id, Some(1), &OrderAction::Approve, now()).unwrap();
}

#[test]
fn two_connections_ship_the_same_order_exactly_one_wins() {
    let f = fixture();
    let id = f.order("B2", &[(f.ear, 2)]);
    for a in [
        OrderAction::Pay,
        OrderAction::Approve,
        OrderAction::Pick,
        OrderAction::Pack { weight_g: 100 },
    ] {
        f.ok(id, a);
    }
    let version = store::orders::get(&f.shop.conn(), id).unwrap().unwrap().version;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = ["ana", "lin"]
        .into_iter()
        .map(|login| {
            let mut s = f.shop.session(login);
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                orders::act_at(&mut s, id, Some(version), &ship_action(), now())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Conflict(_))))
        .count();
    assert_eq!((wins, conflicts), (1, 1), "{results:?}");
    assert_eq!(stock(&f.shop.path, f.ear), (8, 0), "shipped once");
    assert_checks_pass(&f.shop.path);
}

#[test]
fn batch_approve_and_pick_are_one_transaction_each() {
    let f = fixture();
    let good = f.order("C1", &[(f.ear, 1)]);
    let unpaid = f.order("C2", &[(f.ear, 1)]);
    let good2 = f.order("C3", &[(f.cable, 1)]);
    f.ok(good, OrderAction::Pay);
    f.ok(good2, OrderAction::Pay);
    let mut s = f.shop.session("lin");
    let r = orders::approve_many(&mut s, &[good, unpaid, good2]);
    assert!(r[0].1.is_ok() && r[2].1.is_ok());
    assert!(
        matches!(&r[1].1, Err(Error::Refused(m)) if m.to_string().contains("cannot approve: it is pending_payment"))
    );
    assert!(
        matches!(&r[1].1, Err(Error::Refused(shopdesk::domain::Refusal::WrongState { from, needs, .. }))
        if from == "pending_payment" && needs == &["paid".to_string()])
    );
    let r = orders::pick_many(&mut s, &[good, good2]);
    assert!(
        r.iter()
            .all(|(_, x)| x.as_ref().is_ok_and(|o| o.status == OrderStatus::Picking))
    );
}

#[test]
fn late_flag_after_ship_by() {
    let f = fixture();
    let id = f.order("D1", &[(f.ear, 1)]);
    f.ok(id, OrderAction::Pay);
    let s = f.shop.session("lin");
    assert!(!orders::detail_at(&s, id, t("2026-11-22T10:00:00Z")).unwrap().late);
    assert!(orders::detail_at(&s, id, t("2026-11-22T10:00:01Z")).unwrap().late);
}

/// Messages people read give times in shop time (Asia/Shanghai here), not
/// stored UTC stamps.
#[test]
fn messages_give_times_in_shop_time() {
    let f = fixture();
    let id = f.order("TZ1", &[(f.ear, 1)]);
    let o = f.ok(id, OrderAction::Pay);
    let due = shopdesk::domain::order::ship_by(now(), 48).with_timezone(&chrono_tz::Asia::Shanghai);
    assert!(
        o.message
            .contains(&due.format("ship by %Y-%m-%d %H:%M").to_string()),
        "{}",
        o.message
    );
    assert!(
        !o.message.contains(":00Z") && !o.message.contains("UTC"),
        "{}",
        o.message
    );
}

//! Tickets through the verb engine (issue 13): every transition, the SLA
//! clock from the status log, the windows, refund caps and limits with the
//! owner's approval, restock, ownership, conversation, macros, CSAT, the
//! reveal's audit row, disputes with the response deadline and ruling.

mod tickets_support;

use shopdesk::ops::{schedule, tickets};
use tickets_support::*;

const PAID: &str = "2026-11-09T02:00:00Z";
const DELIVERED: &str = "2026-11-16T02:00:00Z";
/// Wednesday 2026-11-18 10:00 Shanghai.
const NOW: &str = "2026-11-18T02:00:00Z";

fn status(shop: &Shop, id: i64) -> String {
    text(shop, &format!("SELECT status FROM tickets WHERE id = {id}"))
}

#[test]
fn every_state_and_verb_and_what_each_leaves_behind() {
    let shop = Shop::new();
    let (o, p) = order(&shop, "W1", 2, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    let now = t(NOW);
    let id = open(&mut mei, o, "return", "other.no_reason", now).unwrap();
    assert_eq!(status(&shop, id), "new");
    ok(&mut mei, id, "claim", &[], now);
    ok(&mut mei, id, "priority", &[("priority", "high")], now);
    let a = ok(&mut mei, id, "approve", &[], now);
    assert!(a.message.contains("resolution due"), "{}", a.message);
    ok(&mut mei, id, "start", &[], now);
    ok(&mut mei, id, "reply", &[("body", "您好，请寄回商品。")], now);
    ok(&mut mei, id, "note", &[("body", "客户很着急")], now);
    ok(&mut mei, id, "wait_customer", &[], now);
    assert_eq!(status(&shop, id), "waiting_customer");
    ok(&mut mei, id, "resume", &[], t("2026-11-18T04:00:00Z"));
    ok(&mut mei, id, "wait_merchant", &[], now);
    ok(&mut mei, id, "resume", &[], now);
    ok(&mut mei, id, "escalate", &[], now);
    assert_eq!(status(&shop, id), "escalated");
    let r = ok(
        &mut mei,
        id,
        "resolve",
        &[
            ("resolution", "refund"),
            ("refund", "40.00"),
            ("restock", "yes"),
            ("shipping", "buyer"),
        ],
        now,
    );
    assert!(
        r.message.contains("refunded ¥40.00") && r.message.contains("restocked"),
        "{}",
        r.message
    );
    assert_eq!(
        one(
            &shop,
            &format!("SELECT sum(amount_minor) FROM refunds WHERE ticket_id = {id}")
        ),
        4000
    );
    assert_eq!(
        one(
            &shop,
            &format!(
                "SELECT sum(on_hand_delta) FROM stock_movements WHERE ticket_id = {id} AND kind = 'return' AND product_id = {p}"
            )
        ),
        2
    );
    ok(
        &mut mei,
        id,
        "csat",
        &[
            ("attitude", "5"),
            ("speed", "4"),
            ("resolution", "4"),
            ("overall", "5"),
        ],
        now,
    );
    ok(&mut mei, id, "reopen", &[], now);
    ok(&mut mei, id, "start", &[], now);
    ok(&mut mei, id, "resolve", &[("resolution", "no_action")], now);
    ok(&mut mei, id, "close", &[], now);
    assert_eq!(status(&shop, id), "closed");
    // Every change has its log entry, audit row and the customer's notices.
    let log: Vec<String> = {
        let c = shop.conn();
        let mut st = c
            .prepare(&format!(
                "SELECT status FROM ticket_log WHERE ticket_id = {id} ORDER BY id"
            ))
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    assert_eq!(
        log,
        [
            "new",
            "approved",
            "in_progress",
            "waiting_customer",
            "in_progress",
            "waiting_merchant",
            "in_progress",
            "escalated",
            "resolved",
            "reopened",
            "in_progress",
            "resolved",
            "closed"
        ]
    );
    assert_eq!(
        one(
            &shop,
            &format!("SELECT count(*) FROM notices WHERE entity = 'ticket' AND entity_id = {id}")
        ),
        3
    );
    assert_eq!(
        one(
            &shop,
            &format!("SELECT count(*) FROM audit_log WHERE entity = 'ticket' AND entity_id = {id}")
        ),
        18
    );
    let d = tickets::detail_at(&mei, id, now).unwrap();
    assert_eq!(d.assignee.as_deref(), Some("mei"));
    assert!(d.sla.first_response_at.is_some());
    assert!(d.messages.iter().any(|m| m.internal) && d.messages.iter().any(|m| !m.internal));
    assert_eq!(d.ticket.priority, "high");
    // A closed ticket is final: nothing more.
    refused(&mut mei, id, "reopen", &[], now);
    refused(&mut mei, id, "reply", &[("body", "x")], now);
    assert_checks_pass(&shop.path);
}

#[test]
fn wrong_states_are_refused_naming_the_state() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W2", 1, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    let now = t(NOW);
    let id = open(&mut mei, o, "complaint", "service.attitude", now).unwrap();
    let e = refused(&mut mei, id, "start", &[], now);
    assert!(
        e.contains("it is new") && e.contains("start needs approved"),
        "{e}"
    );
    let e = refused(&mut mei, id, "resolve", &[("resolution", "no_action")], now);
    assert!(e.contains("resolve needs"), "{e}");
    let e = refused(
        &mut mei,
        id,
        "csat",
        &[
            ("attitude", "5"),
            ("speed", "5"),
            ("resolution", "5"),
            ("overall", "5"),
        ],
        now,
    );
    assert!(e.contains("after resolution"), "{e}");
    let e = refused(&mut mei, id, "respond", &[("body", "we disagree")], now);
    assert!(e.contains("only a dispute"), "{e}");
    ok(&mut mei, id, "reject", &[("reason", "不在售后范围")], now);
    assert_eq!(
        text(
            &shop,
            &format!("SELECT reject_reason FROM tickets WHERE id = {id}")
        ),
        "不在售后范围"
    );
    refused(&mut mei, id, "approve", &[], now);
    // A viewer may not change tickets at all.
    let mut vic = shop.session("vic");
    assert!(verb(&mut vic, id, "claim", &[], now).is_err());
}

#[test]
fn the_return_window_and_the_reopen_window_name_their_dates() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W3", 1, PAID, Some("2026-11-01T02:00:00Z"));
    let mut mei = shop.session("mei");
    let now = t(NOW);
    let before = one(&shop, "SELECT count(*) FROM tickets");
    for kind in ["return", "exchange"] {
        let e = open(&mut mei, o, kind, "other.no_reason", now)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("7-day no-reason")
                && e.contains("2026-11-08 10:00")
                && e.contains("delivered 2026-11-01"),
            "{e}"
        );
    }
    assert_eq!(
        one(&shop, "SELECT count(*) FROM tickets"),
        before,
        "nothing written"
    );
    // A quality problem is not bound by the window.
    let id = open(&mut mei, o, "return", "quality.damaged", now).unwrap();
    assert_eq!(
        one(
            &shop,
            &format!("SELECT quality_issue FROM tickets WHERE id = {id}")
        ),
        1
    );
    ok(&mut mei, id, "approve", &[], now);
    ok(&mut mei, id, "start", &[], now);
    ok(&mut mei, id, "resolve", &[("resolution", "replace")], now);
    let e = refused(&mut mei, id, "reopen", &[], t("2026-11-25T02:00:01Z"));
    assert!(
        e.contains("within 7 days") && e.contains("2026-11-18 10:00"),
        "{e}"
    );
    ok(&mut mei, id, "reopen", &[], t("2026-11-25T01:00:00Z"));
    // An unknown reason code names the known ones.
    let e = open(&mut mei, o, "return", "quality.smelly", now)
        .unwrap_err()
        .to_string();
    assert!(e.contains("quality.damaged"), "{e}");
}

#[test]
fn refunds_never_exceed_what_is_left_and_above_the_limit_need_an_owner() {
    let shop = Shop::new();
    // 4 × 50.00 + 10.00 shipping = 210.00 paid; the support limit is 200.00.
    let (o, _) = order(&shop, "W4", 4, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    let now = t(NOW);
    let id = open(&mut mei, o, "refund_only", "price.overcharged", now).unwrap();
    ok(&mut mei, id, "approve", &[], now);
    ok(&mut mei, id, "start", &[], now);
    let audits = one(&shop, "SELECT count(*) FROM audit_log");
    let e = refused(
        &mut mei,
        id,
        "resolve",
        &[("resolution", "refund"), ("refund", "205.00")],
        now,
    );
    assert!(
        e.contains("above your limit of 200.00") && e.contains("needs an owner"),
        "{e}"
    );
    let e = refused(
        &mut mei,
        id,
        "resolve",
        &[("resolution", "refund"), ("refund", "211.00")],
        now,
    );
    assert!(e.contains("210.00 still refundable"), "{e}");
    assert_eq!(
        one(&shop, "SELECT count(*) FROM audit_log"),
        audits,
        "nothing written"
    );
    assert_eq!(one(&shop, "SELECT count(*) FROM refunds"), 0);
    // Sent to an owner, who approves it as its own verb.
    let r = ok(&mut mei, id, "request_refund", &[("refund", "205.00")], now);
    assert!(r.message.contains("awaits an owner"), "{}", r.message);
    assert!(
        verb(&mut mei, id, "approve_refund", &[], now)
            .unwrap_err()
            .to_string()
            .contains("support role may not")
    );
    let mut lin = shop.session("lin");
    assert!(
        verb(&mut lin, id, "approve_refund", &[], now).is_err(),
        "an operator is not an owner"
    );
    let mut ana = shop.session("ana");
    let a = ok(&mut ana, id, "approve_refund", &[], now);
    assert!(a.message.contains("requested by mei"), "{}", a.message);
    assert_eq!(status(&shop, id), "resolved");
    assert_eq!(
        one(
            &shop,
            &format!("SELECT sum(amount_minor) FROM refunds WHERE order_id = {o}")
        ),
        20500
    );
    assert_eq!(
        one(
            &shop,
            "SELECT count(*) FROM audit_log WHERE action = 'approve_refund' AND actor = 'ana'"
        ),
        1
    );
    // A second ticket on the order has 5.00 left, named.
    let id2 = open(&mut mei, o, "complaint", "service.slow", now).unwrap();
    ok(&mut mei, id2, "approve", &[], now);
    ok(&mut mei, id2, "start", &[], now);
    let e = refused(
        &mut mei,
        id2,
        "resolve",
        &[("resolution", "compensation"), ("refund", "6.00")],
        now,
    );
    assert!(
        e.contains("5.00 still refundable") && e.contains("already refunded 205.00"),
        "{e}"
    );
    ok(
        &mut mei,
        id2,
        "resolve",
        &[("resolution", "compensation"), ("refund", "5.00")],
        now,
    );
    // The schema refuses more, whatever writes it.
    let c = shop.conn();
    let err = c
        .execute(
            &format!(
                "INSERT INTO refunds (order_id, amount_minor, actor, created_at) VALUES ({o}, 1, 'x', 'y')"
            ),
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("more than it was paid"), "{err}");
    assert_checks_pass(&shop.path);
}

#[test]
fn two_claims_one_wins_and_the_other_is_told_who() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W5", 1, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    let mut lin = shop.session("lin");
    let now = t(NOW);
    let id = open(&mut mei, o, "inquiry", "other.changed_mind", now).unwrap();
    ok(&mut mei, id, "claim", &[], now);
    let e = refused(&mut lin, id, "claim", &[], now);
    assert!(e.contains("mei already holds it"), "{e}");
    assert!(
        ok(&mut mei, id, "claim", &[], now)
            .message
            .contains("already yours")
    );
    let r = ok(&mut lin, id, "assign", &[("to", "lin")], now);
    assert!(r.message.contains("reassigned from mei to lin"), "{}", r.message);
    let e = verb(&mut lin, id, "assign", &[("to", "vic")], now)
        .unwrap_err()
        .to_string();
    assert!(e.contains("vic cannot work on tickets"), "{e}");
    // Two agents resolving from the same shown version: one wins.
    ok(&mut lin, id, "approve", &[], now);
    ok(&mut lin, id, "start", &[], now);
    let v = shopdesk::ops::verbs::find(shopdesk::ops::verbs::Entity::Ticket, "resolve").unwrap();
    let shown = one(&shop, &format!("SELECT version FROM tickets WHERE id = {id}"));
    let raw = vec![("resolution", "no_action".to_string())];
    let values = shopdesk::ops::verbs::Values::parse(v, &raw, "UTC").unwrap();
    shopdesk::ops::verbs::run_at(&mut lin, v, id, Some(shown), &values, now).unwrap();
    let e = shopdesk::ops::verbs::run_at(&mut mei, v, id, Some(shown), &values, now).unwrap_err();
    assert!(matches!(e, shopdesk::Error::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("lin"), "{e}");
}

#[test]
fn the_sla_clock_comes_from_the_log_pauses_while_waiting_and_follows_new_holidays() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W6", 1, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    // Monday 2026-11-16 15:00 Shanghai.
    let opened = t("2026-11-16T07:00:00Z");
    let id = open(&mut mei, o, "return", "quality.defective", opened).unwrap();
    let d = tickets::detail_at(&mei, id, opened).unwrap();
    assert_eq!(d.sla.audit_due_at, "2026-11-17T07:00:00Z");
    assert_eq!(d.sla.resolve_due_at.as_deref(), Some("2026-11-19T07:00:00Z"));
    ok(&mut mei, id, "approve", &[], t("2026-11-16T08:00:00Z"));
    ok(&mut mei, id, "start", &[], t("2026-11-16T09:00:00Z"));
    // Waiting Tuesday 10:00 to Wednesday 10:00: nine working hours not counted.
    ok(&mut mei, id, "wait_customer", &[], t("2026-11-17T02:00:00Z"));
    let d = tickets::detail_at(&mei, id, t("2026-11-17T05:00:00Z")).unwrap();
    assert!(d.sla.paused && d.sla.resolve_due_at.is_none());
    assert_eq!(
        one(
            &shop,
            &format!("SELECT resolve_due_at IS NULL FROM tickets WHERE id = {id}")
        ),
        1
    );
    ok(&mut mei, id, "resume", &[], t("2026-11-18T02:00:00Z"));
    let d = tickets::detail_at(&mei, id, t("2026-11-18T03:00:00Z")).unwrap();
    assert_eq!(d.sla.resolve_due_at.as_deref(), Some("2026-11-20T07:00:00Z"));
    assert_eq!(
        d.sla.paused_spans,
        vec![(
            "2026-11-17T02:00:00Z".to_string(),
            Some("2026-11-18T02:00:00Z".to_string())
        )]
    );
    // A holiday added on Thursday moves the due time a day, with no verb run.
    shop.conn()
        .execute("INSERT INTO holidays (date, name) VALUES ('2026-11-19', 'x')", [])
        .unwrap();
    let d = tickets::detail_at(&mei, id, t("2026-11-18T03:00:00Z")).unwrap();
    assert_eq!(d.sla.resolve_due_at.as_deref(), Some("2026-11-23T07:00:00Z"));
    // The queues: mine soonest due first, waiting, overdue.
    let conn = shop.conn();
    let (mine, n) = shopdesk::store::lists::tickets::queue(
        &conn,
        shopdesk::store::lists::tickets::TicketQueue::Unassigned,
        0,
        "2026-11-18T03:00:00Z",
        10,
    )
    .unwrap();
    assert_eq!((mine.len(), n), (1, 1));
    let (late, _) = shopdesk::store::lists::tickets::queue(
        &conn,
        shopdesk::store::lists::tickets::TicketQueue::Overdue,
        0,
        "2026-11-30T00:00:00Z",
        10,
    )
    .unwrap();
    assert_eq!(late.len(), 1);
    ok(&mut mei, id, "claim", &[], t("2026-11-18T03:00:00Z"));
    let me = one(&shop, "SELECT id FROM staff WHERE login = 'mei'");
    let (mine, _) = shopdesk::store::lists::tickets::queue(
        &conn,
        shopdesk::store::lists::tickets::TicketQueue::NeedsMe,
        me,
        "2026-11-18T03:00:00Z",
        10,
    )
    .unwrap();
    assert_eq!(mine.first().map(|r| r.id), Some(id));
}

#[test]
fn conversation_macros_csat_and_the_audited_reveal() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W7", 1, PAID, Some(DELIVERED));
    let mut ana = shop.session("ana");
    tickets::set_macro(
        &mut ana,
        "refunded",
        "您好 {customer}，订单 {order} 已退款 {refund}，工单 {ticket}。",
    )
    .unwrap();
    let mut mei = shop.session("mei");
    assert!(
        tickets::set_macro(&mut mei, "x", "y").is_err(),
        "macros are the owner's"
    );
    let now = t(NOW);
    let id = open(&mut mei, o, "return", "other.no_reason", now).unwrap();
    ok(&mut mei, id, "approve", &[], now);
    ok(&mut mei, id, "start", &[], now);
    ok(
        &mut mei,
        id,
        "resolve",
        &[("resolution", "refund"), ("refund", "12.50")],
        now,
    );
    ok(&mut mei, id, "macro", &[("name", "refunded")], now);
    let body = text(
        &shop,
        &format!("SELECT body FROM ticket_messages WHERE ticket_id = {id} ORDER BY id DESC LIMIT 1"),
    );
    assert_eq!(
        body,
        format!("您好 李雷，订单 web:W7 已退款 ¥12.50，工单 #{id}。")
    );
    assert!(
        verb(&mut mei, id, "reply", &[("body", "   ")], now).is_err(),
        "an empty reply"
    );
    assert!(
        verb(
            &mut mei,
            id,
            "csat",
            &[
                ("attitude", "6"),
                ("speed", "5"),
                ("resolution", "5"),
                ("overall", "5")
            ],
            now
        )
        .is_err()
    );
    assert!(
        verb(
            &mut mei,
            id,
            "csat",
            &[
                ("attitude", "0"),
                ("speed", "5"),
                ("resolution", "5"),
                ("overall", "5")
            ],
            now
        )
        .is_err()
    );
    assert_eq!(
        one(
            &shop,
            &format!("SELECT sat_attitude IS NULL FROM tickets WHERE id = {id}")
        ),
        1
    );
    ok(
        &mut mei,
        id,
        "csat",
        &[
            ("attitude", "4"),
            ("speed", "3"),
            ("resolution", "5"),
            ("overall", "4"),
        ],
        now,
    );
    // Support sees the phone masked until a reveal, which is audited with its reason.
    let d = tickets::detail_at(&mei, id, now).unwrap();
    assert_eq!(d.order.as_ref().unwrap().phone, "138****5678");
    let r = ok(&mut mei, id, "reveal", &[("reason", "客户要求回电")], now);
    assert!(r.message.contains("13812345678"), "{}", r.message);
    let why = text(
        &shop,
        &format!(
            "SELECT after_json FROM audit_log WHERE entity = 'ticket' AND entity_id = {id} AND action = 'reveal'"
        ),
    );
    assert!(
        why.contains("客户要求回电") && why.contains("\"revealed\""),
        "{why}"
    );
    assert_eq!(
        one(
            &shop,
            "SELECT count(*) FROM audit_log WHERE action = 'reveal' AND actor = 'mei'"
        ),
        1
    );
    assert_eq!(
        tickets::detail_at(&mei, id, now).unwrap().order.unwrap().phone,
        "13812345678"
    );
    let mut vic = shop.session("vic");
    assert!(
        verb(&mut vic, id, "reveal", &[("reason", "curious")], now).is_err(),
        "viewers never see them"
    );
    assert_checks_pass(&shop.path);
}

#[test]
fn a_dispute_response_deadline_escalates_and_the_ruling_splits_the_refund() {
    let shop = Shop::new();
    let (o, _) = order(&shop, "W8", 2, PAID, Some(DELIVERED));
    let mut mei = shop.session("mei");
    // Wednesday 10:00: the merchant's response is due Friday 10:00.
    let now = t(NOW);
    let id = open(&mut mei, o, "dispute", "description.not_as_described", now).unwrap();
    assert_eq!(
        text(
            &shop,
            &format!("SELECT respond_due_at FROM tickets WHERE id = {id}")
        ),
        "2026-11-20T02:00:00Z"
    );
    ok(&mut mei, id, "approve", &[], now);
    ok(&mut mei, id, "start", &[], now);
    assert!(
        schedule::tick(&mut mei, t("2026-11-20T01:59:00Z"))
            .unwrap()
            .is_empty()
    );
    let done = schedule::tick(&mut mei, t("2026-11-20T02:01:00Z")).unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(status(&shop, id), "escalated");
    assert!(
        schedule::tick(&mut mei, t("2026-11-20T03:00:00Z"))
            .unwrap()
            .is_empty(),
        "twice changes nothing"
    );
    assert_eq!(
        text(
            &shop,
            &format!(
                "SELECT actor FROM audit_log WHERE entity = 'ticket' AND entity_id = {id} ORDER BY id DESC LIMIT 1"
            )
        ),
        "system"
    );
    ok(
        &mut mei,
        id,
        "respond",
        &[("body", "买家使用不当")],
        t("2026-11-20T03:00:00Z"),
    );
    assert!(
        verb(&mut mei, id, "rule", &[("refund", "30.01")], now).is_err(),
        "a refund needs its payer"
    );
    let r = ok(
        &mut mei,
        id,
        "rule",
        &[("refund", "30.01"), ("payer", "split")],
        t("2026-11-20T04:00:00Z"),
    );
    assert!(r.message.contains("split"), "{}", r.message);
    assert_eq!(
        one(
            &shop,
            &format!("SELECT merchant_share_minor FROM tickets WHERE id = {id}")
        ),
        1500
    );
    assert_eq!(
        text(
            &shop,
            &format!("SELECT ruling_payer FROM tickets WHERE id = {id}")
        ),
        "split"
    );
    assert_eq!(status(&shop, id), "resolved");
    assert_checks_pass(&shop.path);
}

//! The support queues as chips on the Tickets screen (issue 13 item 2):
//! needs me, unassigned, overdue, waiting, escalated, each with its count
//! and read soonest due first; the same queues as `ticket queue`.

mod tui_support;

use shopdesk::store::lists::tickets::{self as lists, TicketQueue as Cli};
use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{NOW, app_as, screen, shop};

/// The statuses whose SLA clock runs (open, not waiting for the customer).
const RUNNING: &str = "('new', 'approved', 'in_progress', 'waiting_merchant', 'escalated', 'reopened')";
const DUE: &str = "CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END";

fn ids(path: &std::path::Path, cond: &str) -> Vec<i64> {
    let c = shopdesk::store::open(path).unwrap();
    let mut st = c
        .prepare(&format!("SELECT id FROM tickets WHERE {cond} ORDER BY {DUE}, id"))
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<i64>, _>>()
        .unwrap()
}

/// Chooses the chip labelled `label` in the `f` picker; returns its count.
fn choose(a: &mut App, label: &str) -> u64 {
    a.press("f");
    let Some(Overlay::Picker { chips, .. }) = &a.overlay else {
        panic!("no picker")
    };
    let at = chips
        .iter()
        .position(|c| c.label.trim_start_matches("  ↳ ") == label)
        .unwrap_or_else(|| {
            panic!(
                "no chip {label}: {:?}",
                chips.iter().map(|c| &c.label).collect::<Vec<_>>()
            )
        });
    let n = chips[at].n;
    a.press("g g");
    for _ in 0..at {
        a.press("j");
    }
    a.press("enter");
    n
}

#[test]
fn the_queues_are_chips_with_counts_read_by_sla_due() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    // Lin (support) holds every third ticket; a few wait for the merchant.
    let c = shopdesk::store::open(&path).unwrap();
    c.execute_batch(
        "UPDATE tickets SET assignee_id = (SELECT id FROM staff WHERE login = 'lin') WHERE id % 3 = 0;
         UPDATE tickets SET status = 'waiting_merchant' WHERE id IN (9, 10, 11);",
    )
    .unwrap();
    drop(c);
    let lin = "(SELECT id FROM staff WHERE login = 'lin')";
    let want = [
        (
            "needs me",
            format!("assignee_id = {lin} AND status IN {RUNNING}"),
            Cli::NeedsMe,
        ),
        (
            "unassigned",
            format!("assignee_id IS NULL AND status IN {RUNNING}"),
            Cli::Unassigned,
        ),
        (
            "overdue",
            format!("status IN {RUNNING} AND {DUE} < '{NOW}'"),
            Cli::Overdue,
        ),
        (
            "waiting",
            "status IN ('waiting_customer', 'waiting_merchant')".to_string(),
            Cli::Waiting,
        ),
        ("escalated", "status = 'escalated'".to_string(), Cli::Escalated),
    ];
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("4");
    let me: i64 = shopdesk::store::open(&path)
        .unwrap()
        .query_row(&format!("SELECT {lin}"), [], |r| r.get(0))
        .unwrap();
    for (label, cond, cli) in &want {
        let expected = ids(&path, cond);
        assert!(!expected.is_empty(), "{label}: the fixture has some");
        let n = choose(&mut a, label);
        assert_eq!(n, expected.len() as u64, "{label}: the chip's count");
        let lv = a.list(Tab::Tickets).unwrap();
        assert_eq!(lv.count.n, n, "{label}: the list's count");
        let shown: Vec<i64> = lv.rows.iter().map(|r| r.id).collect();
        assert_eq!(shown, expected[..shown.len()], "{label}: soonest due first");
        assert!(
            screen(&mut a, 120, 40).contains(&format!("status: {label}")),
            "{label}: the filter is named"
        );
        // `ticket queue` is the same queue.
        let conn = shopdesk::store::open(&path).unwrap();
        let (rows, total) = lists::queue(&conn, *cli, me, NOW, 500).unwrap();
        assert_eq!(total as usize, expected.len(), "{label}: ticket queue count");
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            expected,
            "{label}: ticket queue rows"
        );
    }
    // Claiming an unassigned ticket moves it from "unassigned" to "needs me" at once.
    let unassigned = choose(&mut a, "unassigned");
    let first = a.list(Tab::Tickets).unwrap().current().unwrap().id;
    a.press("C");
    assert_eq!(a.list(Tab::Tickets).unwrap().count.n, unassigned - 1);
    choose(&mut a, "needs me");
    assert!(
        a.list(Tab::Tickets).unwrap().rows.iter().any(|r| r.id == first),
        "claimed #{first} is mine now"
    );
}

/// At 80 columns the picker with the queue chips fits and reads.
#[test]
fn the_picker_shows_the_queues_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 80, 24);
    a.press("4");
    a.press("f");
    let s = screen(&mut a, 80, 24);
    for l in [
        "open, by SLA due",
        "↳ needs me",
        "↳ unassigned",
        "↳ overdue",
        "↳ waiting",
        "↳ escalated",
    ] {
        assert!(s.contains(l), "{l}:\n{s}");
    }
}

/// Issue 10 item 10: the ticket's detail shows its history: who, when, the
/// action, its reason, and the fields it changed before → after.
#[test]
fn the_ticket_detail_shows_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("4");
    // The first `new` ticket: claim it, then reject it with a reason.
    let c = shopdesk::store::open(&path).unwrap();
    let id: i64 = c
        .query_row("SELECT min(id) FROM tickets WHERE status = 'new'", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(c);
    a.press("/");
    a.type_text(&format!("#{id}"));
    a.press("enter");
    a.press("C");
    a.press("J");
    a.type_text("超出退货期限");
    a.press("enter");
    if matches!(a.overlay, Some(Overlay::Confirm { .. })) {
        a.press("y");
    }
    a.press("enter");
    let mut text = String::new();
    for _ in 0..6 {
        text.push_str(&screen(&mut a, 120, 40));
        a.press("pagedown");
    }
    assert!(text.contains("History"), "{text}");
    assert!(text.contains("lin") && text.contains("claim"), "{text}");
    assert!(text.contains("reject: 超出退货期限"), "{text}");
    assert!(text.contains("status: new → rejected"), "{text}");
    // Support sees the changes: a ticket's audit image holds no personal
    // data (the customer and order by id, no phone, address or email).
    let c = shopdesk::store::open(&path).unwrap();
    let mut st = c
        .prepare("SELECT coalesce(before_json, '') || coalesce(after_json, '') FROM audit_log WHERE entity = 'ticket'")
        .unwrap();
    let images: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!images.is_empty());
    for img in images {
        for key in ["phone\":", "address\":", "email\":", "\"ship_"] {
            assert!(!img.contains(key), "{key} in a ticket image: {img}");
        }
    }
}

/// Issue 13: "open ticket" is an order verb, so the same verb works from
/// its key on the Orders screen, the `a` menu and the palette: the kind as
/// a choice, the reason from the two-level taxonomy, the subject, the
/// description as long text.
#[test]
fn open_ticket_is_an_order_verb_from_key_menu_and_palette() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let tickets = |p: &std::path::Path| -> i64 {
        shopdesk::store::open(p)
            .unwrap()
            .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
            .unwrap()
    };
    let before = tickets(&path);
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("3");
    let order = a.list(Tab::Orders).unwrap().current().unwrap().id;
    // From its key: a complaint (the fifth kind), the first reason offered.
    a.press("O");
    let Some(Overlay::Form(f)) = &a.overlay else {
        panic!("O opens the form: {:?}", a.message)
    };
    assert_eq!(f.verb.name, "open_ticket");
    let s = screen(&mut a, 120, 40);
    assert!(
        s.contains("description › not as described"),
        "the taxonomy is offered:\n{s}"
    );
    a.type_text("5");
    a.press("tab");
    a.press("tab");
    a.type_text("客服态度差");
    a.press("tab");
    a.type_text("买家说客服不回消息。");
    a.press("enter");
    assert!(a.overlay.is_none(), "{:?}", a.message);
    let msg = a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(msg.contains("(complaint) opened on order"), "{msg}");
    assert_eq!(tickets(&path), before + 1);
    let c = shopdesk::store::open(&path).unwrap();
    let (kind, reason, subject, order_id): (String, String, String, i64) = c
        .query_row(
            "SELECT kind, reason, subject, order_id FROM tickets ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), reason.as_str(), subject.as_str(), order_id),
        ("complaint", "description.not_as_described", "客服态度差", order)
    );
    // The `a` menu and the palette offer the same verb.
    a.press("a");
    assert!(screen(&mut a, 120, 40).contains("open ticket…"));
    a.press("esc");
    let found = shopdesk::tui::update::palette_matches("open ticket");
    let verb = shopdesk::ops::verbs::find(shopdesk::ops::verbs::Entity::Order, "open_ticket").unwrap();
    let action = shopdesk::tui::action::Action::of_verb(verb).unwrap();
    assert_eq!(action.name(), "order_open_ticket");
    assert!(found.contains(&action), "{found:?}");
}

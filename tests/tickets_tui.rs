//! Ticket verbs from the TUI through the real keymap and the verb engine
//! (no ticket-specific key code): every transition by its default key, the
//! forms (reject reason, resolve, reply, satisfaction), the reveal, a wrong
//! state refused with the reason shown, and escalate on a selection.

mod tui_support;

use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app_as, shop};

fn current(a: &App) -> i64 {
    a.list(Tab::Tickets).unwrap().current().unwrap().id
}

fn stored(path: &std::path::Path, id: i64, col: &str) -> String {
    let c = shopdesk::store::open(path).unwrap();
    c.query_row(
        &format!("SELECT coalesce(CAST({col} AS TEXT), '') FROM tickets WHERE id = ?1"),
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

/// Makes ticket `id` a fresh unassigned `new` one (test setup).
fn fresh(path: &std::path::Path, id: i64) {
    let c = shopdesk::store::open(path).unwrap();
    c.execute(
        "UPDATE tickets SET status = 'new', assignee_id = NULL, resolution = NULL, resolved_at = NULL,
                reject_reason = NULL, closed_at = NULL, refund_minor = 0 WHERE id = ?1",
        [id],
    )
    .unwrap();
}

#[track_caller]
fn key(a: &mut App, path: &std::path::Path, id: i64, k: &str, want: &str) {
    a.press(k);
    assert_eq!(stored(path, id, "status"), want, "after {k}: {}", message(a));
}

#[test]
fn every_transition_by_its_key_as_support() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("4");
    let id = current(&a);
    fresh(&path, id);
    a.press("r");
    a.press("C");
    assert_eq!(
        stored(&path, id, "assignee_id"),
        stored(&path, id, "(SELECT id FROM staff WHERE login = 'lin')")
    );
    key(&mut a, &path, id, "B", "new"); // start before approval: refused
    assert!(message(&a).contains("needs approved"), "{}", message(&a));
    key(&mut a, &path, id, "A", "approved");
    key(&mut a, &path, id, "B", "in_progress");
    key(&mut a, &path, id, "W", "waiting_customer");
    key(&mut a, &path, id, "U", "in_progress");
    key(&mut a, &path, id, "M", "waiting_merchant");
    key(&mut a, &path, id, "U", "in_progress");
    // A reply through its form.
    a.press("R");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))), "a form opens");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Form(_))),
        "an empty reply is refused"
    );
    a.type_text("您好，已安排退货。");
    a.press("enter");
    assert!(a.overlay.is_none(), "{}", message(&a));
    assert_ne!(stored(&path, id, "first_response_at"), "");
    key(&mut a, &path, id, "X", "escalated");
    // Resolve: the form's first field is the resolution; 5 picks no action.
    a.press("D");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))));
    a.press("5");
    a.press("enter");
    assert_eq!(stored(&path, id, "status"), "resolved", "{}", message(&a));
    assert_eq!(stored(&path, id, "resolution"), "no_action");
    assert_eq!(stored(&path, id, "restock"), "0", "restock starts on no");
    key(&mut a, &path, id, "O", "reopened");
    key(&mut a, &path, id, "B", "in_progress");
    a.press("D");
    a.press("5");
    a.press("enter");
    assert_eq!(stored(&path, id, "status"), "resolved", "{}", message(&a));
    key(&mut a, &path, id, "Z", "closed");

    // Reject with its reason, on another ticket.
    a.press("j");
    let other = current(&a);
    fresh(&path, other);
    a.press("r");
    a.press("J");
    a.type_text("超出售后期");
    a.press("enter");
    if matches!(a.overlay, Some(Overlay::Confirm { .. })) {
        a.press("y");
    }
    assert_eq!(stored(&path, other, "status"), "rejected", "{}", message(&a));
    assert_eq!(stored(&path, other, "reject_reason"), "超出售后期");
}

#[test]
fn escalate_acts_on_the_selection_and_reveal_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("4");
    let first = current(&a);
    fresh(&path, first);
    a.press("j");
    let second = current(&a);
    fresh(&path, second);
    a.press("r");
    a.press("g");
    a.press("g");
    a.press("space");
    a.press("space");
    a.press("X");
    for id in [first, second] {
        assert_eq!(stored(&path, id, "status"), "escalated", "{}", message(&a));
    }
    a.press("g");
    a.press("g");
    a.press("V");
    a.type_text("客户来电核对地址");
    a.press("enter");
    let c = shopdesk::store::open(&path).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'reveal' AND actor = 'lin' AND after_json LIKE '%核对地址%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let has_order: bool = c
        .query_row(
            "SELECT order_id IS NOT NULL FROM tickets WHERE id = ?1",
            [first],
            |r| r.get(0),
        )
        .unwrap();
    assert!(has_order, "the fixture's tickets are on orders");
    assert_eq!(n, 1, "{}", message(&a));
}

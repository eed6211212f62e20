//! Order actions from the TUI, driven by keys through the real keymap,
//! update and runtime on a temp shop: the lifecycle with forms, hold and
//! release, cancel and merge behind y/n, batch approve/pick/print, a
//! conflict with another session, the support role, and snapshots of the
//! ship form and the action menu.

mod tui_support;

use shopdesk::domain::order::HoldReason;
use shopdesk::ops::Session;
use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use shopdesk::tui::screens::orders::OrderDetail;
use tui_support::{app, app_as, screen, shop};

fn snap(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

fn current(a: &App) -> i64 {
    a.list(Tab::Orders).unwrap().current().unwrap().id
}

/// The status cell of order `id` in the visible page.
fn row_status(a: &App, id: i64) -> String {
    let lv = a.list(Tab::Orders).unwrap();
    let row = lv.rows.iter().find(|r| r.id == id).unwrap();
    row.cells[7].text.clone()
}

/// The open detail view as text.
fn detail_text(a: &App) -> String {
    let d = a.detail(Tab::Orders).expect("detail open");
    d.data
        .lines(&a.fmt, 120, &a.theme)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn detail_status(a: &App) -> String {
    match a
        .detail(Tab::Orders)
        .unwrap()
        .data
        .as_any()
        .downcast_ref::<OrderDetail>()
    {
        Some(d) => d.d.order.status.to_string(),
        None => panic!("not an order"),
    }
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

fn stored_status(path: &std::path::Path, id: i64) -> String {
    let conn = shopdesk::store::open(path).unwrap();
    shopdesk::store::lists::orders::detail(&conn, id)
        .unwrap()
        .unwrap()
        .row
        .status
        .to_string()
}

fn form_problem(a: &App) -> Option<String> {
    match &a.overlay {
        Some(Overlay::Form(f)) => f.form.shown_problem(f.form.focus),
        _ => panic!("no form open"),
    }
}

#[test]
fn paid_order_through_approve_pick_pack_ship_event_deliver() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    assert_eq!(current(&a), 1);
    assert_eq!(row_status(&a, 1), "paid");

    // From the list: approve, pick.
    a.press("A");
    assert_eq!(row_status(&a, 1), "approved", "{}", message(&a));
    assert!(message(&a).contains("approved"), "{}", message(&a));
    a.press("P");
    assert_eq!(row_status(&a, 1), "picking", "{}", message(&a));

    // From the detail view: pack with a form that refuses "abc".
    a.press("enter");
    assert_eq!(detail_status(&a), "picking");
    a.press("K");
    a.type_text("abc");
    assert!(form_problem(&a).unwrap().contains("not a whole number"));
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Form(_))),
        "enter refused while invalid"
    );
    assert_eq!(stored_status(&path, 1), "picking");
    a.press("ctrl-u");
    a.type_text("850");
    assert_eq!(form_problem(&a), None);
    a.press("enter");
    assert!(a.overlay.is_none());
    assert_eq!(detail_status(&a), "packed", "{}", message(&a));
    assert!(detail_text(&a).contains("(850 g)"));

    // Ship: carrier from the list, tracking without spaces.
    a.press("T");
    a.press("right");
    a.press("tab");
    a.type_text("JD 42");
    assert_eq!(form_problem(&a).as_deref(), Some("no spaces allowed"));
    a.press("enter");
    assert_eq!(stored_status(&path, 1), "packed");
    a.press("ctrl-u");
    a.type_text("JD0042");
    a.press("enter");
    assert_eq!(detail_status(&a), "shipped", "{}", message(&a));
    assert!(
        message(&a).contains("shipped with JD Logistics 京东 JD0042"),
        "{}",
        message(&a)
    );
    assert!(detail_text(&a).contains("JD Logistics 京东 JD0042"));

    // A tracking event lands in the timeline.
    a.press("E");
    a.type_text("运输中");
    a.press("tab");
    a.type_text("杭州转运中心");
    a.press("enter");
    let text = detail_text(&a);
    assert!(text.contains("运输中") && text.contains("杭州转运中心"), "{text}");

    a.press("D");
    assert_eq!(detail_status(&a), "delivered", "{}", message(&a));
    let text = detail_text(&a);
    for action in ["approve", "pick", "pack", "ship", "event", "deliver"] {
        assert!(text.contains(action), "history lacks {action}: {text}");
    }
    // Completing now is refused (return window), with the refusal shown.
    a.press("C");
    assert!(a.message.as_ref().unwrap().error);
    assert!(message(&a).contains("cannot complete"), "{}", message(&a));
    assert_eq!(detail_status(&a), "delivered");

    a.press("esc");
    assert_eq!(row_status(&a, 1), "delivered");
}

#[test]
fn hold_with_a_reason_then_release() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("j");
    assert_eq!(current(&a), 2);
    assert_eq!(row_status(&a, 2), "approved");
    a.press("H");
    assert!(matches!(a.overlay, Some(Overlay::Menu(_))));
    // insufficient stock, address problem, risk review
    a.press("j j enter");
    assert_eq!(row_status(&a, 2), "hold:risk", "{}", message(&a));
    assert!(message(&a).contains("risk review"));
    assert!(
        !a.message.as_ref().unwrap().error,
        "a hold asked for is no warning"
    );
    a.press("R");
    assert_eq!(row_status(&a, 2), "approved", "{}", message(&a));
    // The same through the action menu, choosing entries by their keys.
    a.press("a");
    a.press("H");
    a.press("4");
    assert_eq!(row_status(&a, 2), "hold:cust", "{}", message(&a));
    a.press("R");
    assert_eq!(row_status(&a, 2), "approved", "{}", message(&a));
    assert!(message(&a).contains("released"));
}

#[test]
fn cancel_asks_first_and_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("X");
    a.press("enter");
    assert!(form_problem(&a).unwrap().contains("required"));
    a.type_text("买家不要了");
    a.press("enter");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    a.press("n");
    assert!(a.overlay.is_none());
    assert_eq!(row_status(&a, 1), "paid");
    assert_eq!(stored_status(&path, 1), "paid");

    a.press("X");
    a.type_text("买家不要了");
    a.press("enter");
    a.press("y");
    assert_eq!(row_status(&a, 1), "cancelled", "{}", message(&a));
    assert!(message(&a).contains("refund"), "{}", message(&a));
    a.press("enter");
    assert!(detail_text(&a).contains("买家不要了"));
}

#[test]
fn merge_two_orders_after_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    // Order 2 (approved) gets order 1's customer, merchant and address.
    let conn = shopdesk::store::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE orders SET (customer_id, merchant_id, ship_name, ship_phone, ship_address, ship_city) =
           (SELECT customer_id, merchant_id, ship_name, ship_phone, ship_address, ship_city FROM orders WHERE id = 1)
         WHERE id = 2;
         UPDATE order_lines SET merchant_id = (SELECT merchant_id FROM orders WHERE id = 1) WHERE order_id IN (1, 2);",
    )
    .unwrap();
    drop(conn);
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("M");
    // The form offers the orders it may go into: order 2, then "Other…".
    let Some(Overlay::Form(f)) = &a.overlay else {
        panic!("no form")
    };
    let Some(shopdesk::tui::overlays::form::Kind::Choice(opts)) =
        f.form.fields.first().map(|f| f.kind.clone())
    else {
        panic!("no pick list")
    };
    assert_eq!(opts.len(), 2, "{opts:?}");
    assert!(
        opts[0].starts_with("order 2 (") && opts[0].contains("approved"),
        "{opts:?}"
    );
    // Typing a key by hand: its own id is refused as itself.
    a.type_text("2");
    a.press("tab");
    a.type_text("1");
    a.press("enter");
    assert!(form_problem(&a).is_none());
    assert!(
        matches!(&a.overlay, Some(Overlay::Form(f)) if f.form.error.as_deref().is_some_and(|e| e.contains("itself")))
    );
    // Back to the pick list's first entry.
    a.press("shift-tab");
    a.type_text("1");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Confirm { .. })),
        "{:?}",
        message(&a)
    );
    a.press("y");
    assert_eq!(row_status(&a, 1), "merged", "{}", message(&a));
    a.press("j enter");
    assert_eq!(current(&a), 2);
    let lines = a
        .detail(Tab::Orders)
        .unwrap()
        .data
        .as_any()
        .downcast_ref::<OrderDetail>()
        .map_or(0, |d| d.d.lines.len());
    assert!(lines >= 3, "order 2 holds both orders' lines: {lines}");
}

#[test]
fn batch_approve_pick_and_print_on_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    // Select orders 1 (paid), 2 (approved) and 12, 23 (paid).
    let select = |a: &mut App| {
        a.press("g g");
        a.press("space space");
        for _ in 0..9 {
            a.press("j");
        }
        assert_eq!(current(a), 12);
        a.press("space");
        for _ in 0..10 {
            a.press("j");
        }
        assert_eq!(current(a), 23);
        a.press("space");
        assert_eq!(a.list(Tab::Orders).unwrap().selected.len(), 4);
    };
    select(&mut a);
    a.press("A");
    let m = message(&a);
    assert!(m.starts_with("approved 3 of 4; 1 refused: order 2"), "{m}");
    for id in [1, 12, 23] {
        assert_eq!(stored_status(&path, id), "approved");
    }
    // The batch is done with its selection; picking is a new choice.
    assert!(a.list(Tab::Orders).unwrap().selected.is_empty());
    select(&mut a);
    a.press("P");
    assert!(
        message(&a).starts_with("moved to picking 4 of 4"),
        "{}",
        message(&a)
    );
    assert_eq!(row_status(&a, 23), "picking");
    select(&mut a);
    a.press("p");
    // The folder prompt offers the export folder; Enter takes it.
    a.press("enter");
    let m = message(&a);
    assert!(m.contains("pick list for 4 orders written to"), "{m}");
    assert!(m.contains(&dir.path().display().to_string()), "{m}");
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("pick-list-") && f.ends_with(".txt")),
        "{files:?}"
    );
    assert_eq!(
        files.iter().filter(|f| f.starts_with("packing-slip-")).count(),
        4,
        "{files:?}"
    );
}

#[test]
fn a_change_by_someone_else_is_a_conflict_and_r_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("enter");
    assert_eq!(detail_status(&a), "paid");
    // lin (support) holds it from another session.
    let mut other = Session::open_as(&path, "lin").unwrap();
    shopdesk::ops::orders::hold(&mut other, 1, None, HoldReason::CustomerRequest).unwrap();
    a.press("A");
    let m = message(&a);
    assert!(
        m.contains("was changed by lin at") && m.ends_with("r reloads"),
        "{m}"
    );
    assert!(a.message.as_ref().unwrap().error);
    assert_eq!(detail_status(&a), "paid", "the screen stays as it was");
    assert_eq!(stored_status(&path, 1), "on_hold");
    a.press("r");
    assert_eq!(detail_status(&a), "on_hold");
    assert!(detail_text(&a).contains("customer request"));
}

/// From the list too, an action acts on the order as its row showed it: a
/// change since (another session, before the next refresh) is a conflict,
/// nothing is written, and `r` shows the order as it is now.
#[test]
fn a_list_action_on_a_row_changed_since_it_was_shown_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    let row = a.list(Tab::Orders).unwrap().current().unwrap().clone();
    assert_eq!(row.id, 1);
    let mut other = Session::open_as(&path, "lin").unwrap();
    let change = shopdesk::ops::orders::AddressChange {
        address: Some("滨江区 2 号".into()),
        ..Default::default()
    };
    shopdesk::ops::orders::change_address(&mut other, 1, None, &change).unwrap();
    a.press("A");
    let m = message(&a);
    assert!(
        m.contains("order 1 was changed by lin at") && m.ends_with("r reloads"),
        "{m}"
    );
    assert_eq!(stored_status(&path, 1), "paid", "nothing was approved");
    a.press("r");
    a.press("A");
    assert_eq!(stored_status(&path, 1), "approved", "{}", message(&a));
}

#[test]
fn support_may_hold_and_change_address_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("3");
    a.press("A");
    assert!(
        message(&a).contains("the support role may not change orders"),
        "{}",
        message(&a)
    );
    a.press("K");
    assert!(message(&a).contains("may not change orders"), "{}", message(&a));
    assert!(a.overlay.is_none());
    a.press("a");
    let Some(Overlay::Menu(m)) = &a.overlay else {
        panic!("no menu")
    };
    let avail: Vec<&str> = m
        .menu
        .items
        .iter()
        .filter(|i| i.pick.is_some() && i.unavailable.is_none())
        .map(|i| i.label.as_str())
        .collect();
    // Support works on tickets, so it may open one on an order.
    assert_eq!(avail, ["hold…", "change address…", "open ticket…"]);
    a.press("esc");
    // The address form: masked fields start empty and are kept when left so.
    a.press("W");
    a.press("tab tab tab");
    a.press("ctrl-u");
    a.type_text("杭州市");
    a.press("enter");
    assert!(message(&a).contains("address changed"), "{}", message(&a));
    let conn = shopdesk::store::open(&path).unwrap();
    let d = shopdesk::store::lists::orders::detail(&conn, 1).unwrap().unwrap();
    assert_eq!(d.ship_city, "杭州市");
    assert!(d.ship_phone.starts_with("138") && d.ship_address.starts_with("幸福路"));
}

#[test]
fn snapshots_of_the_ship_form_and_the_action_menu() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("3");
    a.press("j j j j");
    assert_eq!(current(&a), 5);
    a.press("space");
    a.press("k k");
    assert_eq!(current(&a), 4);
    a.press("a");
    snap("order_action_menu_80x24", screen(&mut a, 80, 24));
    a.press("esc");
    assert_eq!(current(&a), 4);
    a.press("T");
    a.press("tab");
    a.type_text("SF 1");
    snap("order_ship_form_80x24", screen(&mut a, 80, 24));
}

#[test]
fn status_chips_include_the_hold_queues_and_late_to_ship() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("f");
    let Some(Overlay::Picker { chips, .. }) = &a.overlay else {
        panic!("no picker")
    };
    let labels: Vec<&str> = chips.iter().map(|c| c.label.as_str()).collect();
    let at = |l: &str| labels.iter().position(|x| *x == l).unwrap();
    let (hold, late) = (at("  ↳ address problem"), at("late to ship"));
    assert_eq!(chips[hold].n, 18, "orders 8, 19, …, 195");
    let (late_n, chips_len) = (chips[late].n, chips.len());
    assert!(late_n > 0);
    for _ in 0..hold {
        a.press("j");
    }
    a.press("enter");
    let lv = a.list(Tab::Orders).unwrap();
    assert_eq!(lv.count.n, 18);
    assert!(lv.rows.iter().all(|r| r.cells[7].text == "hold:addr"));
    assert!(screen(&mut a, 120, 40).contains("status: on hold: address problem"));
    // Releasing one takes it out of the queue at once.
    a.press("R");
    assert_eq!(a.list(Tab::Orders).unwrap().count.n, 17, "{}", message(&a));

    // "late to ship" is the last chip: G jumps there (g g back to "all").
    assert_eq!(late, chips_len - 1);
    a.press("f");
    a.press("g g");
    a.press("G");
    a.press("enter");
    let lv = a.list(Tab::Orders).unwrap();
    assert_eq!(lv.count.n, late_n);
    assert!(
        lv.rows.iter().all(|r| r.cells[8].text.starts_with("LATE ")),
        "{:?}",
        lv.rows[0].cells
    );
}

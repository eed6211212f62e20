//! Selections the verbs respect (issue 10, items 3 and 4): a one-record
//! verb with rows selected acts on the selection (merge with two selected
//! merges them), a reference field takes the external id the screen shows,
//! and a selection partly out of view says so, in the filter bar and in
//! the action menu, which names what it acts on.

mod tui_support;

use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, screen, shop};

fn current(a: &App) -> i64 {
    a.list(Tab::Orders).unwrap().current().unwrap().id
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

fn stored_status(path: &std::path::Path, id: i64) -> String {
    let conn = shopdesk::store::open(path).unwrap();
    conn.query_row("SELECT status FROM orders WHERE id = ?1", [id], |r| r.get(0))
        .unwrap()
}

/// Orders 1 (paid) and 2 (approved) get the same customer, merchant and
/// address, so either may go into the other.
fn mergeable(path: &std::path::Path) {
    let conn = shopdesk::store::open(path).unwrap();
    conn.execute_batch(
        "UPDATE orders SET (customer_id, merchant_id, ship_name, ship_phone, ship_address, ship_city) =
           (SELECT customer_id, merchant_id, ship_name, ship_phone, ship_address, ship_city FROM orders WHERE id = 1)
         WHERE id = 2;
         UPDATE order_lines SET merchant_id = (SELECT merchant_id FROM orders WHERE id = 1) WHERE order_id IN (1, 2);",
    )
    .unwrap();
}

#[test]
fn merge_with_two_rows_selected_merges_the_selection_not_the_cursor_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    mergeable(&path);
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("space space");
    // The cursor is on order 3, which is not selected.
    assert_eq!(current(&a), 3);
    a.press("M");
    let Some(Overlay::Form(f)) = &a.overlay else {
        panic!("no merge form: {}", message(&a))
    };
    // The newer of the two goes into the older, and the pick list points
    // at it already.
    assert!(f.form.title.contains("order 2 ("), "{}", f.form.title);
    let shopdesk::tui::overlays::form::Kind::Choice(opts) = &f.form.fields[0].kind else {
        panic!("no pick list")
    };
    let chosen = &opts[f.form.fields[0].choice];
    assert!(chosen.starts_with("order 1 ("), "{opts:?} chose {chosen}");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Confirm { .. })),
        "{}",
        message(&a)
    );
    a.press("y");
    assert_eq!(stored_status(&path, 2), "merged", "{}", message(&a));
    assert_eq!(stored_status(&path, 1), "paid");
    // The cursor's row was not touched.
    assert_eq!(stored_status(&path, 3), "picking");
}

#[test]
fn the_merge_key_field_takes_the_external_id_the_screen_shows() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    mergeable(&path);
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("M");
    // "Other…", then the external id as the list shows it (no channel).
    a.type_text("2");
    a.press("tab");
    a.type_text("DY00000002");
    a.press("enter");
    assert!(
        matches!(&a.overlay, Some(Overlay::Confirm { prompt, .. }) if prompt.contains("DY00000002")),
        "not accepted: {}",
        message(&a)
    );
    a.press("y");
    assert_eq!(stored_status(&path, 1), "merged", "{}", message(&a));
}

#[test]
fn merge_refuses_more_than_two_selected_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("space space space");
    a.press("M");
    let m = message(&a);
    assert!(a.overlay.is_none(), "{m}");
    assert!(
        m.contains("merge into works on one order or two selected orders: 3 selected")
            && m.contains("u clears it"),
        "{m}"
    );
    for id in [1, 2, 3, 4] {
        assert_ne!(stored_status(&path, id), "merged");
    }
}

#[test]
fn a_selection_out_of_view_says_so_and_the_menu_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("space space");
    assert!(screen(&mut a, 120, 40).contains("2 selected"));
    // Filter down to order 2 alone: order 1 is selected but not shown.
    a.press("/");
    a.type_text("DY00000002");
    a.press("enter");
    a.wait_jobs();
    let text = screen(&mut a, 120, 40);
    assert!(text.contains("2 selected, 1 not shown"), "{text}");
    a.press("a");
    let Some(Overlay::Menu(m)) = &a.overlay else {
        panic!("no menu")
    };
    let heading = &m.menu.items[0].label;
    assert!(
        heading.starts_with("2 selected, 1 not shown: order 1 (TM00000001)")
            || heading.starts_with("2 selected, 1 not shown: order 1 (JD00000001)"),
        "{heading}"
    );
    assert!(heading.contains("order 2 (DY00000002)"), "{heading}");
}

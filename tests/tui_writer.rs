//! Writes run on the writer worker: while another session holds the write
//! lock, a verb shows "saving…", keys still move, and the save lands when
//! the lock goes; two writes to one record run in turn.

mod tui_support;

use std::time::{Duration, Instant};

use shopdesk::tui::screens::Tab;
use tui_support::{app, screen, shop};

fn stored_status(path: &std::path::Path, id: i64) -> String {
    let conn = shopdesk::store::open(path).unwrap();
    shopdesk::store::lists::orders::detail(&conn, id)
        .unwrap()
        .unwrap()
        .row
        .status
        .to_string()
}

/// Polls the app (as the event loop does) until no write is in flight.
fn settle(a: &mut shopdesk::tui::app::App) {
    let start = Instant::now();
    while a.saving > 0 && start.elapsed() < Duration::from_secs(20) {
        a.poll_external();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_save_behind_another_sessions_lock_keeps_the_keys_moving() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.start_writer();
    a.press("3");
    assert_eq!(a.list(Tab::Orders).unwrap().current().unwrap().id, 1);

    // Another process holds a write transaction open.
    let locker = rusqlite::Connection::open(&path).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();

    a.press("A");
    assert_eq!(a.saving, 1, "the approve waits on the writer");
    assert!(screen(&mut a, 120, 40).contains("saving…"));
    let before = a.list(Tab::Orders).unwrap().cursor;
    a.press("j");
    assert_eq!(a.list(Tab::Orders).unwrap().cursor, before + 1, "keys still move");
    a.press("k");
    std::thread::sleep(Duration::from_millis(300));
    a.poll_external();
    assert_eq!(a.saving, 1, "still waiting for the lock");
    assert_eq!(stored_status(&path, 1), "paid");

    locker.execute_batch("COMMIT").unwrap();
    settle(&mut a);
    assert_eq!(a.saving, 0);
    assert_eq!(stored_status(&path, 1), "approved");
    let m = a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(m.contains("approved"), "{m}");
    assert!(!screen(&mut a, 120, 40).contains("saving…"));
}

#[test]
fn two_writes_to_one_order_run_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.start_writer();
    a.press("3");
    // Approve, then pick the same order before the approve is answered: the
    // pick was asked on the row as shown (paid), so it is refused as a
    // conflict or a wrong state, never applied to an order it did not see.
    a.press("A");
    a.press("P");
    settle(&mut a);
    assert_eq!(stored_status(&path, 1), "approved");
    a.press("P");
    settle(&mut a);
    assert_eq!(stored_status(&path, 1), "picking");
}

/// A conflict on a form's save keeps what was typed: the form comes back on
/// the order as it is now, naming who changed it, and Enter saves again.
#[test]
fn a_conflict_keeps_the_form_and_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("W");
    a.press("tab tab tab");
    a.press("ctrl-u");
    a.type_text("宁波市");
    // lin holds the order from another session before Enter.
    let mut other = shopdesk::ops::Session::open_as(&path, "lin").unwrap();
    shopdesk::ops::orders::hold(
        &mut other,
        1,
        None,
        shopdesk::domain::order::HoldReason::CustomerRequest,
    )
    .unwrap();
    a.press("enter");
    let Some(shopdesk::tui::app::Overlay::Form(f)) = &a.overlay else {
        panic!("the form closed: {:?}", a.message)
    };
    let err = f.form.error.clone().unwrap_or_default();
    assert!(
        err.contains("was changed by lin") && err.contains("kept"),
        "{err}"
    );
    assert!(
        f.form.note.contains("on hold"),
        "the header shows the order as it is now: {}",
        f.form.note
    );
    assert!(
        f.form.fields.iter().any(|x| x.value == "宁波市"),
        "typed text kept"
    );
    a.press("enter");
    assert!(a.overlay.is_none(), "{:?}", a.message);
    let conn = shopdesk::store::open(&path).unwrap();
    let d = shopdesk::store::lists::orders::detail(&conn, 1).unwrap().unwrap();
    assert_eq!(d.ship_city, "宁波市");
    assert_eq!(
        d.row.status,
        shopdesk::domain::order::OrderStatus::OnHold,
        "lin's hold stands"
    );
}

/// After a batch the selection is cleared: what it acted on may have left
/// the view.
#[test]
fn a_batch_clears_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("space space");
    assert_eq!(a.list(Tab::Orders).unwrap().selected.len(), 2);
    a.press("A");
    assert!(a.list(Tab::Orders).unwrap().selected.is_empty());
}

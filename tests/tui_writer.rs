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

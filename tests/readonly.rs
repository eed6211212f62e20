//! A shop file the login may read but not write (issue 9, item 5): read
//! commands work, writes are refused with exit 3 and a message saying why,
//! the file is left as it was, and no `-wal`/`-shm` owned by the reader is
//! left beside it (the owner could not write those afterwards).
//!
//! Root ignores file permissions, so the commands run as a second OS user
//! (created here if missing, run through `setpriv`); without root or
//! `setpriv` the tests say why and skip.

#[path = "cli_support/mod.rs"]
mod cli;
#[path = "data/os_user.rs"]
mod os_user;
#[path = "data/import_support.rs"]
mod support;
mod tui_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use cli::{ok, text, write};
use os_user::{READER, as_reader, reader};

/// A shop with orders, the reader on its staff as `role`, the file mode 644
/// (readable by the reader, writable only by root) and the directory set to
/// `dir_mode`.
fn shop(d: &Path, role: &str, dir_mode: u32) -> String {
    let db = cli::init(d);
    let m = write(d, "m.csv", support::merchants_csv(2));
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(d, "p.csv", support::products_csv(2, 3, 100));
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let o = d.join("o.csv");
    support::write_orders(&o, 1000, 40, 2, 3);
    ok(d, &["--db", &db, "import", "orders", o.to_str().unwrap()]);
    ok(d, &["--db", &db, "staff", "add", READER, "--role", role]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(dir_mode)).unwrap();
    db
}

fn reads_work_and_writes_are_refused(d: &Path, db: &str, uid: u32) {
    let before = std::fs::read(db).unwrap();
    let out = as_reader(d, db, &["whoami"]);
    assert!(out.status.success(), "whoami: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), format!("{READER} owner"));
    for args in [
        &["order", "show", "1"][..],
        &["order", "show", "1", "--json"],
        &["export", "orders"],
        &["staff", "list"],
        &["check"],
        &["keys"],
    ] {
        let out = as_reader(d, db, args);
        assert!(
            out.status.success(),
            "{args:?} on a read-only file: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    let out = as_reader(d, db, &["export", "orders"]);
    assert!(text(&out.stdout).lines().count() > 40, "{}", text(&out.stdout));

    for args in [
        &["staff", "add", "mei", "--role", "support"][..],
        &["order", "hold", "1", "--reason", "customer_request"],
        &["order", "cancel", "2", "--reason", "customer asked"],
    ] {
        let out = as_reader(d, db, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("is read-only for this login"), "{args:?}: {err}");
        assert!(err.contains("nothing was changed"), "{args:?}: {err}");
    }
    assert!(std::fs::read(db).unwrap() == before, "the file changed");
    for suffix in ["-wal", "-shm"] {
        let side = format!("{db}{suffix}");
        if let Ok(m) = std::fs::metadata(&side) {
            assert_ne!(m.uid(), uid, "{side} left owned by the reader");
        }
    }
}

#[test]
fn a_read_only_file_in_a_directory_the_reader_cannot_write() {
    let Some(uid) = reader() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "owner", 0o755);
    reads_work_and_writes_are_refused(d, &db, uid);
}

#[test]
fn a_read_only_file_in_a_directory_the_reader_can_write() {
    let Some(uid) = reader() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "owner", 0o1777);
    reads_work_and_writes_are_refused(d, &db, uid);
    // The reader (an owner by role) may back it up to a directory it can write.
    let copy = d.join("reader-copy.db");
    let out = as_reader(d, &db, &["backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    cli::check_ok(d, copy.to_str().unwrap());
    // The owner still writes after the reader was there.
    ok(d, &["--db", &db, "staff", "add", "mei", "--role", "support"]);
}

/// A reader's `check` still sees a broken CHECK constraint: it checks a
/// private copy, since SQLite skips CHECKs on a read-only connection.
#[test]
fn a_readers_check_still_sees_broken_check_constraints() {
    let Some(_) = reader() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "owner", 0o755);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("PRAGMA ignore_check_constraints = 1; UPDATE orders SET status = 'stolen' WHERE id = 3;")
        .unwrap();
    drop(c);
    let out = as_reader(d, &db, &["check"]);
    assert_ne!(out.status.code(), Some(0));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains("orders row 3") && all.contains("CHECK constraint failed"),
        "{all}"
    );
}

#[test]
fn a_read_only_file_while_the_owner_has_it_open() {
    let Some(uid) = reader() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "owner", 0o755);
    // A writer's connection: the -wal and -shm exist (root's, mode 644).
    let owner = rusqlite::Connection::open(&db).unwrap();
    let _: i64 = owner
        .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))
        .unwrap();
    reads_work_and_writes_are_refused(d, &db, uid);
    // Through the owner's -wal and -shm the reader sees commits made since.
    ok(d, &["--db", &db, "staff", "add", "mei", "--role", "viewer"]);
    let out = as_reader(d, &db, &["staff", "list"]);
    assert!(text(&out.stdout).contains("mei"), "{}", text(&out.stdout));
    drop(owner);
}

#[test]
fn the_tui_says_read_only_in_the_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let path = tui_support::shop(dir.path());
    // Root can always write, so the session is built on a read-only
    // connection, as `store::open` makes for a login that cannot.
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let session = shopdesk::ops::Session {
        actor: shopdesk::store::staff::by_login(&conn, "owner").unwrap().unwrap(),
        settings: shopdesk::store::settings::load(&conn).unwrap(),
        conn,
        path: path.clone(),
    };
    let mut app = shopdesk::tui::app::App::new(
        session,
        shopdesk::tui::keymap::Keymap::defaults(),
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(tui_support::now()),
    );
    app.start(120, 40);
    let screen = tui_support::screen(&mut app, 120, 40);
    let status = screen.lines().last().unwrap();
    assert!(status.contains("read-only"), "{status}");
    // A hold from the Orders list is refused, saying why; nothing changes.
    let status_of_2 = || -> String {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("SELECT status FROM orders WHERE id = 2", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(status_of_2(), "approved");
    app.press("3 j H j j enter");
    let msg = app.message.as_ref().expect("a message");
    assert!(msg.error, "{}", msg.text);
    assert!(msg.text.contains("is read-only for this login"), "{}", msg.text);
    assert_eq!(status_of_2(), "approved");

    let mut rw = tui_support::app(&path, 120, 40);
    let screen = tui_support::screen(&mut rw, 120, 40);
    assert!(!screen.lines().last().unwrap().contains("read-only"));
}

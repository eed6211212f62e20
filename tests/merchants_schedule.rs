//! Scheduled effects applied when a command opens the database (SPEC §4.7,
//! `ops::schedule::on_open`): a writing role's command applies what is due
//! before it runs; a viewer's session and a read-only file apply nothing;
//! a writer holding the lock leaves the effects for the next process
//! without failing the command.

mod cli_support;

use cli_support::{check_ok, count, init, ok, run_at, text, write};
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};

const LATER: &str = "2026-12-05T10:00:00Z";

/// A shop with M1 whose business licence expires on 2026-12-01.
fn shop(d: &std::path::Path) -> String {
    let db = init(d);
    let csv = write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,杭州好物,agency,submitted\n",
    );
    ok(d, &["--db", &db, "import", "merchants", csv.to_str().unwrap()]);
    ok(
        d,
        &[
            "--db",
            &db,
            "merchant",
            "doc",
            "add",
            "M1",
            "--kind",
            "business_licence",
            "--number",
            "L-1",
            "--expires",
            "2026-12-01",
        ],
    );
    db
}

fn expired(db: &str) -> i64 {
    count(
        db,
        "SELECT count(*) FROM merchant_documents WHERE check_status = 'expired'",
    )
}

fn system_rows(db: &str) -> i64 {
    count(db, "SELECT count(*) FROM audit_log WHERE actor = 'system'")
}

#[test]
fn a_command_applies_what_is_due_when_it_opens_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    // Before the expiry date nothing is due and nothing is written.
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    ok(d, &["--db", &db, "whoami"]);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
    // After it, a read command (show) applies it first and shows it applied.
    let out = run_at(d, LATER, &["--db", &db, "merchant", "show", "M1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown
            .lines()
            .any(|l| l.contains("business_licence") && l.contains("expired")),
        "{shown}"
    );
    assert_eq!((expired(&db), system_rows(&db)), (1, 1));
    // Applying twice changes nothing.
    let out = run_at(d, LATER, &["--db", &db, "export", "merchants"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(system_rows(&db), 1);
    check_ok(d, &db);
}

#[test]
fn a_viewer_applies_nothing_and_a_held_lock_leaves_it_for_later() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let path = std::path::Path::new(&db);
    {
        let login = shopdesk::identity::os_login().unwrap();
        let mut owner = Session::open_as(path, &login).unwrap();
        ops::staff::add(&mut owner, "vic", Role::Viewer).unwrap();
    }
    // The viewer's session at a time when the expiry is due writes nothing.
    let now = chrono::DateTime::parse_from_rfc3339(LATER).unwrap().to_utc();
    let mut vic = Session::open_as(path, "vic").unwrap();
    assert!(ops::schedule::any_due(&vic, now).unwrap());
    assert_eq!(
        ops::schedule::on_open_at(&mut vic, now).unwrap(),
        Some(Vec::new())
    );
    assert_eq!((expired(&db), system_rows(&db)), (0, 0));
    // Another writer holds the lock: the command still runs (reads in WAL),
    // the effect is left for later.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let out = run_at(d, LATER, &["--db", &db, "merchant", "show", "M1", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(expired(&db), 0);
    holder.execute_batch("ROLLBACK;").unwrap();
    // The next command applies it.
    let out = run_at(d, LATER, &["--db", &db, "whoami"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!((expired(&db), system_rows(&db)), (1, 1));
    check_ok(d, &db);
}

/// The re-verification queue: documents expiring within the window (the
/// setting, 30 days) or past their date, of merchants still open.
#[test]
fn documents_expiring_soon_are_in_the_reverification_queue() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let out = ok(d, &["--db", &db, "merchant", "reverify"]);
    assert!(
        out.contains("M1") && out.contains("business_licence") && out.contains("expires in 11d"),
        "{out}"
    );
    let out = run_at(
        d,
        cli_support::NOW,
        &["--db", &db, "merchant", "reverify", "--days", "5"],
    );
    assert!(out.status.success());
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    // Past its date it stays in the queue (now expired).
    let out = run_at(d, LATER, &["--db", &db, "merchant", "reverify", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(rows[0]["code"], "M1");
    assert_eq!(rows[0]["check_status"], "expired");
    // A terminated merchant's documents are not re-verified.
    ok(d, &["--db", &db, "merchant", "start-review", "M1"]);
    ok(d, &["--db", &db, "merchant", "reject", "M1", "--reason", "no"]);
    let out = ok(d, &["--db", &db, "merchant", "reverify"]);
    assert!(out.trim().is_empty(), "{out}");
}

//! Issue 13's last pieces from the command line, running the binary: a
//! repair only within the product's warranty months (refusals name the
//! rule and the dates), `--restock` as SPEC §6 writes it (a flag), resolved
//! tickets closing themselves after the reopen window (`shopdesk tick`,
//! idempotent, audited as `system`), and the ticket's history in `show`.

mod cli_support;
mod tickets_cli_support;

use std::path::Path;

use cli_support::{count, expect_code, ok, run_at};
use tickets_cli_support::{shop, t, t_fails};

fn open(dir: &Path, db: &str, order: &str, kind: &str, reason: &str) -> String {
    t(
        dir,
        db,
        &[
            "open",
            "--order",
            order,
            "--kind",
            kind,
            "--reason",
            reason,
            "--subject",
            "耳机不响",
        ],
    )
}

/// `ticket ... N` as the given clock sees it.
fn t_at(dir: &Path, db: &str, now: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--db", db, "ticket"];
    all.extend_from_slice(args);
    run_at(dir, now, &all)
}

#[test]
fn a_repair_is_accepted_only_within_the_warranty_months_from_delivery() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    // Never entered (the column's 0): opened, and said to be unchecked.
    let out = open(dir, &db, "TM:TM1", "repair", "quality.defective");
    assert!(
        out.contains("warranty not checked") && out.contains("M1:A 蓝牙耳机"),
        "{out}"
    );
    ok(
        dir,
        &["--db", &db, "product", "edit", "M1:A", "--warranty-months", "12"],
    );
    // TM2 was delivered 2026-11-18 10:00 (shop time): covered until 2027-11-18 10:00.
    let inside = t_at(
        dir,
        &db,
        "2027-11-18T01:59:00Z",
        &[
            "open",
            "--order",
            "TM:TM2",
            "--kind",
            "repair",
            "--reason",
            "quality.defective",
            "--subject",
            "x",
        ],
    );
    let text = cli_support::expect_ok(&inside, &"repair inside the warranty");
    assert!(!text.contains("not checked"), "{text}");
    let before = count(&db, "SELECT count(*) FROM tickets");
    let late = t_at(
        dir,
        &db,
        "2027-11-18T02:01:00Z",
        &[
            "open",
            "--order",
            "TM:TM3",
            "--kind",
            "repair",
            "--reason",
            "quality.defective",
            "--subject",
            "x",
        ],
    );
    let e = expect_code(&late, &"repair after the warranty", 1);
    assert!(
        e.contains("warranty months from delivery")
            && e.contains("12-month warranty of M1:A 蓝牙耳机 ended 2027-11-18 10:00")
            && e.contains("delivered 2026-11-18 10:00"),
        "{e}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM tickets"),
        before,
        "nothing written"
    );
    // The order verb (the TUI's "open ticket") is the same call with the same rule.
    let via_order = run_at(
        dir,
        "2027-11-18T02:01:00Z",
        &[
            "--db",
            &db,
            "order",
            "open-ticket",
            "TM:TM3",
            "--kind",
            "repair",
            "--reason",
            "quality.defective",
            "--subject",
            "x",
        ],
    );
    let e2 = expect_code(&via_order, &"order open-ticket after the warranty", 1);
    assert!(
        e2.contains("12-month warranty of M1:A 蓝牙耳机 ended 2027-11-18 10:00"),
        "{e2}"
    );
    let ok_order = ok(
        dir,
        &[
            "--db",
            &db,
            "order",
            "open-ticket",
            "TM:TM3",
            "--kind",
            "complaint",
            "--reason",
            "service.slow",
            "--subject",
            "回复太慢",
        ],
    );
    assert!(
        ok_order.contains("(complaint) opened on order TM:TM3"),
        "{ok_order}"
    );
    // A return is the return window's business, not the warranty's.
    let e = t_fails(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM4",
            "--kind",
            "return",
            "--reason",
            "other.no_reason",
            "--subject",
            "x",
        ],
        1,
    );
    assert!(!e.contains("warranty"), "{e}");
}

/// SPEC §6: `resolve --resolution R [--refund A] [--restock]`. The flag
/// alone restocks; `--restock yes|no` (the earlier form) still works.
#[test]
fn restock_is_a_flag_and_the_value_form_still_works() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    for order in ["TM:TM1", "TM:TM2", "TM:TM3"] {
        open(dir, &db, order, "return", "quality.damaged");
    }
    for n in ["1", "2", "3"] {
        t(dir, &db, &["approve", n]);
        t(dir, &db, &["start", n]);
    }
    let moved = |id: i64| {
        count(
            &db,
            &format!(
                "SELECT coalesce(sum(on_hand_delta), 0) FROM stock_movements WHERE kind = 'return' AND ticket_id = {id}"
            ),
        )
    };
    // The flag alone, last on the line and before another flag.
    let r = t(
        dir,
        &db,
        &[
            "resolve",
            "1",
            "--resolution",
            "refund",
            "--refund",
            "10.00",
            "--restock",
        ],
    );
    assert!(r.contains("restocked"), "{r}");
    assert_eq!(moved(1), 2, "TM1's two pieces back in stock");
    let r = t(
        dir,
        &db,
        &["resolve", "2", "--restock", "--resolution", "replace"],
    );
    assert!(r.contains("restocked"), "{r}");
    assert_eq!(moved(2), 5);
    let r = t(
        dir,
        &db,
        &["resolve", "3", "--resolution", "replace", "--restock", "no"],
    );
    assert!(!r.contains("restocked"), "{r}");
    assert_eq!(moved(3), 0);
    let help = t(dir, &db, &["resolve", "--help"]);
    assert!(
        help.contains("--restock [<yes|no>]") && help.contains("alone means yes"),
        "{help}"
    );
    t_fails(
        dir,
        &db,
        &["resolve", "3", "--resolution", "replace", "--restock", "maybe"],
        2,
    );
}

/// SPEC §4.7: a resolved ticket closes by itself once the reopen window
/// (7 days) has passed: by `system`, audited, in batches, and a second
/// application changes nothing.
#[test]
fn resolved_tickets_close_after_the_reopen_window_once_by_system() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    open(dir, &db, "TM:TM1", "return", "quality.damaged");
    t(dir, &db, &["approve", "1"]);
    t(dir, &db, &["start", "1"]);
    t(dir, &db, &["resolve", "1", "--resolution", "replace"]);
    // More than one batch of them (the same ticket copied, as an upgraded
    // shop would have many at once).
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
         INSERT INTO tickets (id, order_id, customer_id, merchant_id, kind, status, subject, opened_at,
                              audit_due_at, approved_at, resolve_due_at, resolved_at, resolution, created_at, updated_at, reason)
         SELECT i, order_id, customer_id, merchant_id, kind, status, subject, opened_at, audit_due_at, approved_at,
                resolve_due_at, resolved_at, resolution, created_at, updated_at, reason FROM tickets, n WHERE id = 1;",
    )
    .unwrap();
    drop(c);
    let closed = || count(&db, "SELECT count(*) FROM tickets WHERE status = 'closed'");
    let tick = |now: &str| run_at(dir, now, &["--db", &db, "tick"]);
    // Resolved 2026-11-20 10:00 UTC: inside the window a minute before its end.
    // (The orders, delivered 2026-11-18, complete at this tick: their
    // return window has passed, which is another effect.)
    let out = tick("2026-11-27T09:59:00Z");
    let stdout = cli_support::text(&out.stdout);
    assert!(!stdout.contains("reopen window has passed"), "{stdout}");
    assert_eq!(closed(), 0);
    let after = "2026-11-27T10:01:00Z";
    let mut lines = 0;
    for _ in 0..50 {
        let out = tick(after);
        let stdout = cli_support::text(&out.stdout);
        lines += stdout
            .lines()
            .filter(|l| l.contains("reopen window has passed"))
            .count();
        if cli_support::text(&out.stderr).contains("nothing due") {
            break;
        }
    }
    assert_eq!(closed(), 250, "every one closed");
    assert_eq!(lines, 250, "one line per ticket closed");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE entity = 'ticket' AND action = 'close' AND actor = 'system'
               AND after_json LIKE '%reopen window ended%'"
        ),
        250,
        "each close audited once, by system, with its cause"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM ticket_log WHERE status = 'closed' AND actor = 'system'"
        ),
        250
    );
    // Applying again (any later command applies due effects first) changes nothing.
    let audits = count(&db, "SELECT count(*) FROM audit_log");
    assert!(cli_support::text(&tick("2026-12-05T00:00:00Z").stderr).contains("nothing due"));
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audits);
    let e = expect_code(
        &t_at(dir, &db, after, &["reopen", "1"]),
        &"reopen a closed ticket",
        1,
    );
    assert!(e.contains("within 7 days of resolution"), "{e}");
    // `ticket show` lists the history: who, when, what.
    let show = t(dir, &db, &["show", "1"]);
    let history = show.split("history\n").nth(1).unwrap_or("");
    assert!(
        history.contains("open")
            && history
                .lines()
                .any(|l| l.contains("system") && l.contains("close")),
        "{show}"
    );
    cli_support::check_ok(dir, &db);
}

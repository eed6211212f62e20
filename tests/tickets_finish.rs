//! Issue 13's last pieces from the command line, running the binary: a
//! repair only within the product's warranty months (refusals name the
//! rule and the dates), `--restock` as SPEC §6 writes it (a flag), resolved
//! tickets closing themselves after the reopen window (`shopdesk tick`,
//! idempotent, audited as `system`), and the ticket's history in `show`.

mod cli_support;
mod tickets_support;

use std::path::Path;

use cli_support::{count, expect_code, ok, run_at};
use tickets_support::{shop, t, t_fails};

fn open(dir: &Path, db: &str, order: &str, kind: &str, reason: &str) -> String {
    t(
        dir,
        db,
        &[
            "open", "--order", order, "--kind", kind, "--reason", reason, "--subject", "耳机不响",
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
    ok(dir, &["--db", &db, "product", "edit", "M1:A", "--warranty-months", "12"]);
    // TM2 was delivered 2026-11-18 10:00 (shop time): covered until 2027-11-18 10:00.
    let inside = t_at(
        dir,
        &db,
        "2027-11-18T01:59:00Z",
        &["open", "--order", "TM:TM2", "--kind", "repair", "--reason", "quality.defective", "--subject", "x"],
    );
    let text = cli_support::expect_ok(&inside, &"repair inside the warranty");
    assert!(!text.contains("not checked"), "{text}");
    let before = count(&db, "SELECT count(*) FROM tickets");
    let late = t_at(
        dir,
        &db,
        "2027-11-18T02:01:00Z",
        &["open", "--order", "TM:TM3", "--kind", "repair", "--reason", "quality.defective", "--subject", "x"],
    );
    let e = expect_code(&late, &"repair after the warranty", 1);
    assert!(
        e.contains("warranty months from delivery")
            && e.contains("12-month warranty of M1:A 蓝牙耳机 ended 2027-11-18 10:00")
            && e.contains("delivered 2026-11-18 10:00"),
        "{e}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM tickets"), before, "nothing written");
    // A return is the return window's business, not the warranty's.
    let e = t_fails(
        dir,
        &db,
        &["open", "--order", "TM:TM4", "--kind", "return", "--reason", "other.no_reason", "--subject", "x"],
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
            &format!("SELECT coalesce(sum(on_hand_delta), 0) FROM stock_movements WHERE kind = 'return' AND ticket_id = {id}"),
        )
    };
    // The flag alone, last on the line and before another flag.
    let r = t(dir, &db, &["resolve", "1", "--resolution", "refund", "--refund", "10.00", "--restock"]);
    assert!(r.contains("restocked"), "{r}");
    assert_eq!(moved(1), 2, "TM1's two pieces back in stock");
    let r = t(dir, &db, &["resolve", "2", "--restock", "--resolution", "replace"]);
    assert!(r.contains("restocked"), "{r}");
    assert_eq!(moved(2), 5);
    let r = t(dir, &db, &["resolve", "3", "--resolution", "replace", "--restock", "no"]);
    assert!(!r.contains("restocked"), "{r}");
    assert_eq!(moved(3), 0);
    let help = t(dir, &db, &["resolve", "--help"]);
    assert!(help.contains("--restock [<yes|no>]") && help.contains("alone means yes"), "{help}");
    t_fails(dir, &db, &["resolve", "3", "--resolution", "replace", "--restock", "maybe"], 2);
}

//! Stock under real concurrent processes on one file: receives from several
//! operators at once all land and the ledger adds up; an order paying for
//! the last unit while an operator counts the shelf never oversells, and
//! `check` stays clean.

#[path = "cli_support/mod.rs"]
mod cli;
mod orders_support;

use std::path::Path;
use std::process::{Child, Stdio};

use orders_support::*;

fn spawn(dir: &Path, db: &Path, args: &[&str]) -> Child {
    let mut c = cli::command(dir, &[]);
    c.arg("--db").arg(db).args(args);
    c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn cli_shop() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let out = cli::run(dir.path(), &["--db", db.to_str().unwrap(), "init"]);
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    (dir, db)
}

#[test]
fn receives_from_eight_processes_at_once_all_land() {
    let (dir, db) = cli_shop();
    let m = merchant(&db, "M1", "星辰电子");
    let p = product(&db, m, "A", "茶杯", 1200, 3);
    let children: Vec<Child> = (1..=8)
        .map(|i| {
            let qty = i.to_string();
            let note = format!("DN-{i}");
            spawn(
                dir.path(),
                &db,
                &[
                    "product", "stock", "receive", "M1:A", "--qty", &qty, "--note", &note,
                ],
            )
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", cli::text(&o.stderr));
    }
    // 3 + (1 + 2 + ... + 8).
    assert_eq!(stock(&db, p), (39, 0));
    let c = shopdesk::store::open(&db).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM stock_movements WHERE product_id = ?1 AND kind = 'receive'",
            [p],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 9);
    assert_checks_pass(&db);
}

#[test]
fn paying_for_the_last_unit_while_counting_the_shelf_never_oversells() {
    let (dir, db) = cli_shop();
    let m = merchant(&db, "M1", "星辰电子");
    let cust = customer(&db, "C1", "李雷");
    let mut outcomes = Vec::new();
    for round in 0..6 {
        let sku = format!("R{round}");
        let p = product(&db, m, &sku, "最后一件", 1200, 1);
        let o = order(&db, &format!("W{round}"), cust, m, &[(p, 1)], &GOOD).to_string();
        let key = format!("M1:{sku}");
        let pay = spawn(dir.path(), &db, &["order", "pay", &o]);
        let count = spawn(
            dir.path(),
            &db,
            &[
                "product",
                "stock",
                "count",
                &key,
                "--counted",
                "0",
                "--reason",
                "shelf empty",
            ],
        );
        let (pay, count) = (pay.wait_with_output().unwrap(), count.wait_with_output().unwrap());
        assert!(pay.status.success(), "pay: {}", cli::text(&pay.stderr));
        let (on_hand, reserved) = stock(&db, p);
        assert!(
            reserved <= on_hand,
            "oversold: {on_hand} on hand, {reserved} reserved"
        );
        match count.status.code() {
            // Count first: the shelf is empty and the payment is held for stock.
            Some(0) => {
                assert_eq!((on_hand, reserved), (0, 0));
                assert_eq!(status(&db, o.parse().unwrap()), "on_hold");
                outcomes.push("count first");
            }
            // Pay first: the unit is reserved and a count of 0 is refused.
            Some(2) => {
                assert_eq!((on_hand, reserved), (1, 1));
                let e = cli::text(&count.stderr);
                assert!(e.contains("below the 1 reserved"), "{e}");
                outcomes.push("pay first");
            }
            other => panic!("count exited {other:?}: {}", cli::text(&count.stderr)),
        }
    }
    eprintln!("orders of arrival: {outcomes:?}");
    assert_checks_pass(&db);
}

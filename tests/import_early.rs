//! `import orders` into a shop with no orders writes each order while the
//! file is still read; a file whose lines of one order are apart (past the
//! parser's first batch of rows) falls back to writing after the whole
//! file. Both ways give the same orders, ids, import record and checks.

#[path = "cli_support/mod.rs"]
mod cli;

use cli::{ORDERS_HEADER as HEADER, check_ok, count, ok, order_row, order_shop as shop, run, write};
use sha2::{Digest, Sha256};

/// More orders than the parser sends in one batch (4,096 rows).
const ORDERS: usize = 5000;

/// The orders file, with `last` appended (a second line of TM0, or nothing).
fn file(last: &str) -> String {
    let mut s = format!("{HEADER}\n");
    for k in 0..ORDERS {
        s.push_str(&order_row(k));
    }
    s.push_str(last);
    s
}

fn import_and_check(last: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let body = file(last);
    let f = write(d, "orders.csv", &body);
    ok(d, &["--db", &db, "import", "orders", f.to_str().unwrap()]);
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), ORDERS as i64);
    // Ids in file order, each order naming the one import.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM orders WHERE id = CAST(substr(external_id, 3) AS INTEGER) + 1 AND import_id = 1"
        ),
        ORDERS as i64
    );
    let sha = hex::encode(Sha256::digest(body.as_bytes())).to_uppercase();
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM imports WHERE hex(file_sha256) = '{sha}' AND orders_new = {ORDERS}"
            )
        ),
        1
    );
    // 500 paid orders reserve one each.
    assert_eq!(
        count(&db, "SELECT stock_reserved FROM products WHERE sku = 'A'"),
        500
    );
    check_ok(d, &db);
    (dir, db)
}

#[test]
fn orders_written_as_the_file_is_read() {
    let (_dir, db) = import_and_check("");
    assert_eq!(count(&db, "SELECT count(*) FROM order_lines"), ORDERS as i64);
}

#[test]
fn a_late_line_of_an_order_already_written_rolls_back_and_writes_after_the_file() {
    let late = order_row(0).replace(",M1,A,1,12.50,", ",M1,B,2,3.00,");
    let (_dir, db) = import_and_check(&late);
    assert_eq!(count(&db, "SELECT count(*) FROM order_lines"), ORDERS as i64 + 1);
    assert_eq!(
        count(&db, "SELECT line_count FROM orders WHERE external_id = 'TM0'"),
        2
    );
    assert_eq!(
        count(&db, "SELECT stock_reserved FROM products WHERE sku = 'B'"),
        2
    );
}

#[test]
fn a_late_line_that_disagrees_rejects_its_order_written_early() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let late = order_row(0).replace(",杭州,", ",苏州,");
    let f = write(d, "orders.csv", file(&late));
    let f = f.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = cli::text(&out.stderr);
    let line = ORDERS + 2;
    assert!(
        err.contains(&format!(
            "{f}:{line}: ship_city: \"苏州\" disagrees with \"杭州\" on line 2 of the same order TM:TM0"
        )),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM imports"), 0);
    ok(d, &["--db", &db, "import", "orders", f, "--skip-invalid"]);
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), ORDERS as i64 - 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE external_id = 'TM0'"),
        0
    );
    check_ok(d, &db);
}

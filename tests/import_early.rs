//! `import orders` into a shop with no orders writes each order while the
//! file is still read; a file whose lines of one order are apart (past the
//! parser's first batch of rows) falls back to writing after the whole
//! file. Both ways give the same orders, ids, import record and checks.

#[path = "cli_support/mod.rs"]
mod cli;

use std::path::Path;

use cli::{check_ok, count, init, ok, run, write};
use sha2::{Digest, Sha256};

const HEADER: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at,shipped_at,delivered_at,promised_at,carrier,tracking_no";

/// More orders than the parser sends in one batch (4,096 rows).
const ORDERS: usize = 5000;

fn shop(dir: &Path) -> String {
    let db = init(dir);
    let m = write(
        dir,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,一号店,direct,active\n",
    );
    ok(dir, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        dir,
        "p.csv",
        "merchant_code,sku,title,price,stock\nM1,A,蓝牙耳机,12.50,1000\nM1,B,Cable,3.00,1000\n",
    );
    ok(dir, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    db
}

/// One single-line order: mostly completed history, every tenth paid.
fn order_row(k: usize) -> String {
    let (status, shipped, delivered, carrier, tracking) = if k.is_multiple_of(10) {
        ("paid", "", "", "", String::new())
    } else {
        (
            "completed",
            "2026-11-02 10:00:00",
            "2026-11-03T18:00:00+08:00",
            "SF",
            format!("SF{k}"),
        )
    };
    format!(
        "TM,TM{k},2026-11-01 10:00:00,{status},c{},顾客{},1380000{:04},西湖区{k}号,杭州,M1,A,1,12.50,0,2026-11-01 10:05:00,{shipped},{delivered},,{carrier},{tracking}\n",
        k % 50,
        k % 50,
        k % 100
    )
}

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

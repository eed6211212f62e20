//! The one way the tests run the built binary (`mod cli_support;`, or
//! `#[path = "cli_support/mod.rs"] mod cli;`): a private HOME and XDG
//! directories under the test's temp dir, the clock pinned, and nothing
//! taken from the caller's SHOPDESK_DB or SHOPDESK_LOG.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NOW: &str = "2026-11-20T10:00:00Z";

/// `shopdesk args...` in `dir` at `NOW`, not yet started.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    command_at(dir, NOW, args)
}

/// `shopdesk args...` in `dir` with the clock at `now`, not yet started.
pub fn command_at(dir: &Path, now: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopdesk"));
    c.args(args)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .env("SHOPDESK_NOW", now)
        .env_remove("SHOPDESK_DB")
        .env_remove("SHOPDESK_LOG");
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    run_at(dir, NOW, args)
}

pub fn run_at(dir: &Path, now: &str, args: &[&str]) -> Output {
    output(command_at(dir, now, args))
}

/// Runs a prepared command and waits for it.
#[track_caller]
pub fn output(mut c: Command) -> Output {
    match c.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run {c:?}: {e}"),
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Insists that `out` (of `what`) succeeded; returns its stdout.
#[track_caller]
pub fn expect_ok(out: &Output, what: &dyn std::fmt::Debug) -> String {
    assert!(
        out.status.success(),
        "{what:?} failed ({:?}):\n{}{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Insists that `out` (of `what`) exited with `code`; returns its stderr.
#[track_caller]
pub fn expect_code(out: &Output, what: &dyn std::fmt::Debug, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what:?}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

/// Runs and insists on success; returns stdout.
#[track_caller]
pub fn ok(dir: &Path, args: &[&str]) -> String {
    expect_ok(&run(dir, args), &args)
}

/// Runs and insists on exit `code`; returns stderr.
#[track_caller]
pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    expect_code(&run(dir, args), &args, code)
}

/// A new shop in `dir` (the OS login is its owner); returns the --db path.
pub fn init(dir: &Path) -> String {
    let db = dir.join("shop.db").display().to_string();
    ok(dir, &["--db", &db, "init"]);
    db
}

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

pub fn count(db: &str, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Row counts of every table an import writes.
pub fn counts(db: &str) -> Vec<(String, i64)> {
    [
        "merchants",
        "categories",
        "products",
        "customers",
        "orders",
        "order_lines",
        "stock_movements",
        "audit_log",
    ]
    .iter()
    .map(|t| (t.to_string(), count(db, &format!("SELECT count(*) FROM {t}"))))
    .collect()
}

/// `shopdesk check` passes.
pub fn check_ok(dir: &Path, db: &str) {
    let out = run(dir, &["--db", db, "check"]);
    assert!(
        out.status.success(),
        "check failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Every table, index and trigger of the file by name, with its SQL.
pub fn schema(db: impl AsRef<Path>) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The orders file's columns (SPEC §7) as the import tests write them.
pub const ORDERS_HEADER: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at,shipped_at,delivered_at,promised_at,carrier,tracking_no";

/// For the order import tests: a shop with merchants M1, M2 and products M1/A, M1/B (1000 each), M2/C (5).
pub fn order_shop(dir: &Path) -> String {
    let db = init(dir);
    let m = write(
        dir,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,一号店,direct,active\nM2,二号店,agency,active\n",
    );
    ok(dir, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        dir,
        "p.csv",
        "merchant_code,sku,title,price,stock\nM1,A,蓝牙耳机,12.50,1000\nM1,B,Cable,3.00,1000\nM2,C,Mug,8.00,5\n",
    );
    ok(dir, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    db
}

/// One single-line order per row: mostly completed history, every tenth paid.
pub fn order_row(k: usize) -> String {
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

//! Running the built binary on a temp shop (included with `#[path]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NOW: &str = "2026-11-20T10:00:00Z";

pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopdesk"));
    c.args(args)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .env("SHOPDESK_NOW", NOW)
        .env_remove("SHOPDESK_DB");
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs and insists on success; returns stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}):\n{}{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
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

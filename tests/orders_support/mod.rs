//! A small shop on a temp file for the order tests: merchants, products with
//! received stock (through the ledger, so `check` adds up), customers and
//! pending orders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};
use shopdesk::store;

pub const NOW: &str = "2026-11-20T10:00:00Z";

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn now() -> DateTime<Utc> {
    t(NOW)
}

pub struct Addr {
    pub name: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub city: &'static str,
}

pub const GOOD: Addr = Addr {
    name: "李雷",
    phone: "13812345678",
    address: "朝阳区建国路88号",
    city: "北京",
};

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Shop {
    /// A new shop owned by "ana", with lin (operator), mei (support) and vic (viewer).
    pub fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        ops::staff::init(&path, "ana", "test shop", "CNY", "Asia/Shanghai").unwrap();
        let mut s = Session::open_as(&path, "ana").unwrap();
        ops::staff::add(&mut s, "lin", Role::Operator).unwrap();
        ops::staff::add(&mut s, "mei", Role::Support).unwrap();
        ops::staff::add(&mut s, "vic", Role::Viewer).unwrap();
        Shop { dir, path }
    }

    pub fn session(&self, login: &str) -> Session {
        Session::open_as(&self.path, login).unwrap()
    }

    pub fn conn(&self) -> Connection {
        store::open(&self.path).unwrap()
    }
}

pub fn merchant(path: &Path, code: &str, name: &str) -> i64 {
    let c = store::open(path).unwrap();
    c.execute(
        "INSERT INTO merchants (code, name, cooperation_mode, status, deposit_paid, agreement_signed,
                                applied_at, created_at, updated_at)
         VALUES (?1, ?2, 'direct', 'active', 1, 1, ?3, ?3, ?3)",
        params![code, name, NOW],
    )
    .unwrap();
    c.last_insert_rowid()
}

/// A listed product with `stock` units received through the ledger.
pub fn product(path: &Path, merchant: i64, sku: &str, title: &str, price: i64, stock: i64) -> i64 {
    let c = store::open(path).unwrap();
    c.execute(
        "INSERT INTO products (merchant_id, sku, title, price_minor, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'listed', ?5, ?5)",
        params![merchant, sku, title, price, NOW],
    )
    .unwrap();
    let id = c.last_insert_rowid();
    receive(path, id, stock);
    id
}

pub fn receive(path: &Path, product: i64, qty: i64) {
    let c = store::open(path).unwrap();
    let o = store::stock::Origin {
        note: "test stock",
        actor: "ana",
        at: NOW,
        ..Default::default()
    };
    store::stock::adjust_on_hand(&c, product, "receive", qty, &o).unwrap();
}

pub fn customer(path: &Path, ext: &str, name: &str) -> i64 {
    let c = store::open(path).unwrap();
    c.execute(
        "INSERT INTO customers (external_ref, name, created_at) VALUES (?1, ?2, ?3)",
        params![ext, name, NOW],
    )
    .unwrap();
    c.last_insert_rowid()
}

/// A pending_payment order on channel "web" with one line per (product, qty)
/// at the product's price and 10.00 shipping on the first line.
pub fn order(path: &Path, ext: &str, customer: i64, merchant: i64, lines: &[(i64, i64)], a: &Addr) -> i64 {
    let c = store::open(path).unwrap();
    c.execute(
        "INSERT INTO orders (channel, external_id, customer_id, merchant_id, status, ship_name, ship_phone,
                             ship_address, ship_city, placed_at, created_at, updated_at)
         VALUES ('web', ?1, ?2, ?3, 'pending_payment', ?4, ?5, ?6, ?7, ?8, ?8, ?8)",
        params![ext, customer, merchant, a.name, a.phone, a.address, a.city, NOW],
    )
    .unwrap();
    let id = c.last_insert_rowid();
    for (i, (product, qty)) in lines.iter().enumerate() {
        let (price, pm): (i64, i64) = c
            .query_row(
                "SELECT price_minor, merchant_id FROM products WHERE id = ?1",
                [product],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let ship = if i == 0 { 1000 } else { 0 };
        c.execute(
            "INSERT INTO order_lines (order_id, line_no, product_id, merchant_id, qty, unit_price_minor, shipping_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, i as i64 + 1, product, pm, qty, price, ship],
        )
        .unwrap();
    }
    let t = store::orders::totals(&c, id).unwrap();
    c.execute(
        "UPDATE orders SET line_count = ?2, item_count = ?3, items_minor = ?4, shipping_minor = ?5 WHERE id = ?1",
        params![id, t.line_count, t.item_count, t.items_minor, t.shipping_minor],
    )
    .unwrap();
    id
}

/// (on hand, reserved) of a product.
pub fn stock(path: &Path, product: i64) -> (i64, i64) {
    store::open(path)
        .unwrap()
        .query_row(
            "SELECT stock_on_hand, stock_reserved FROM products WHERE id = ?1",
            [product],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

pub fn status(path: &Path, order: i64) -> String {
    store::orders::get(&store::open(path).unwrap(), order)
        .unwrap()
        .unwrap()
        .status
        .to_string()
}

/// Every `shopdesk check` finding passes.
pub fn assert_checks_pass(path: &Path) {
    let results = store::check::run_all(&store::open(path).unwrap()).unwrap();
    let bad: Vec<String> = results
        .iter()
        .filter(|r| !r.ok())
        .map(|r| format!("{}: {:?}", r.name, r.problems))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

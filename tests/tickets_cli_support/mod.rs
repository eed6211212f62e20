//! The small shop the ticket CLI tests run on (one merchant, one product,
//! four delivered orders) and the `shopdesk ticket ...` runners.
#![allow(dead_code)]

use std::path::Path;

use super::cli_support::{ORDERS_HEADER, fails, init, ok, write};

pub fn shop(dir: &Path) -> String {
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
        "merchant_code,sku,title,price,stock\nM1,A,蓝牙耳机,50.00,100\n",
    );
    ok(dir, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let mut o = format!("{ORDERS_HEADER}\n");
    for (k, qty, day) in [(1, 2, 10), (2, 5, 10), (3, 1, 10), (4, 1, 25)] {
        // Delivered 2026-11-18, except TM4: placed in October, delivered 2026-11-01.
        let (month, delivered) = if day == 25 {
            (10, "2026-11-01")
        } else {
            (11, "2026-11-18")
        };
        o.push_str(&format!(
            "TM,TM{k},2026-{month}-{day} 10:00:00,delivered,c{k},王芳,1381234567{k},西湖区文三路{k}号,杭州,M1,A,{qty},50.00,10.00,2026-{month}-{day} 10:05:00,2026-{month}-{} 10:00:00,{delivered} 10:00:00,,SF,SF{k}\n",
            day + 1
        ));
    }
    let f = write(dir, "o.csv", o);
    ok(dir, &["--db", &db, "import", "orders", f.to_str().unwrap()]);
    db
}

pub fn t(dir: &Path, db: &str, args: &[&str]) -> String {
    let mut all = vec!["--db", db, "ticket"];
    all.extend_from_slice(args);
    ok(dir, &all)
}

pub fn t_fails(dir: &Path, db: &str, args: &[&str], code: i32) -> String {
    let mut all = vec!["--db", db, "ticket"];
    all.extend_from_slice(args);
    fails(dir, &all, code)
}

/// The OS login running the tests gets `role` (test setup: one login runs
/// every process here).
pub fn become_role(db: &str, role: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute("UPDATE staff SET role = ?1", [role]).unwrap();
}

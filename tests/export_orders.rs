//! `shopdesk export`: CSV that re-imports, JSON with stable keys, filters.

#[path = "cli_support/mod.rs"]
mod cli;
#[path = "data/import_support.rs"]
mod support;

use std::path::Path;

use cli::{check_ok, count, ok, run, write};

fn shop(d: &Path, name: &str) -> String {
    let db = d.join(name).display().to_string();
    ok(d, &["--db", &db, "init"]);
    let m = write(d, "m.csv", support::merchants_csv(5));
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(d, "p.csv", support::products_csv(5, 20, 10_000));
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    db
}

#[test]
fn exported_orders_reimport_into_a_fresh_shop_as_the_same_orders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = shop(d, "a.db");
    let orders = d.join("o.csv");
    // Every status a channel sends: history, open, cancelled, pending.
    let (lines, n) = support::write_orders(&orders, 1000, 300, 5, 20);
    ok(d, &["--db", &a, "import", "orders", orders.to_str().unwrap()]);
    assert_eq!(count(&a, "SELECT count(*) FROM order_lines"), lines as i64);
    assert_eq!(count(&a, "SELECT count(DISTINCT status) FROM orders"), 9);

    let exported = d.join("export.csv");
    ok(
        d,
        &["--db", &a, "export", "orders", "-o", exported.to_str().unwrap()],
    );
    assert!(!d.join("export.csv.partial").exists());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(text.lines().count(), lines + 1, "one row per order line");
    assert!(text.starts_with(support::ORDER_HEADER), "orders.csv's columns");

    let b = shop(d, "b.db");
    let out = ok(d, &["--db", &b, "import", "orders", exported.to_str().unwrap()]);
    assert!(
        out.contains(&format!("{n} new, 0 already present, 0 changed")),
        "{out}"
    );
    // Same orders: the two shops export identically.
    let again = ok(d, &["--db", &b, "export", "orders"]);
    assert_eq!(again, text);
    check_ok(d, &b);
    // And the export is "already present" in the shop it came from.
    let out = ok(d, &["--db", &a, "import", "orders", exported.to_str().unwrap()]);
    assert!(
        out.contains(&format!("0 new, {n} already present, 0 changed")),
        "{out}"
    );

    // Products and merchants round-trip the same way.
    let products = d.join("products.csv");
    ok(
        d,
        &["--db", &a, "export", "products", "-o", products.to_str().unwrap()],
    );
    let merchants = d.join("merchants.csv");
    ok(
        d,
        &[
            "--db",
            &a,
            "export",
            "merchants",
            "-o",
            merchants.to_str().unwrap(),
        ],
    );
    let out = ok(
        d,
        &["--db", &b, "import", "merchants", merchants.to_str().unwrap()],
    );
    assert!(out.contains("0 new, 5 already present, 0 changed"), "{out}");
    // Exported stock is on-hand, which reservations do not change.
    let out = ok(d, &["--db", &b, "import", "products", products.to_str().unwrap()]);
    assert!(out.contains("0 new, 100 already present, 0 changed"), "{out}");
}

#[test]
fn json_export_has_stable_keys_and_exact_money() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "s.db");
    let orders = d.join("o.csv");
    let (lines, _) = support::write_orders(&orders, 1000, 40, 5, 20);
    ok(d, &["--db", &db, "import", "orders", orders.to_str().unwrap()]);
    let out = ok(d, &["--db", &db, "export", "orders", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), lines);
    let keys: Vec<&str> = support::ORDER_HEADER.split(',').collect();
    for r in rows {
        let obj = r.as_object().unwrap();
        assert_eq!(obj.len(), keys.len());
        for k in &keys {
            assert!(obj.contains_key(*k), "{k}");
        }
    }
    // Key order is the column order in the text too.
    let first = out.lines().nth(1).unwrap();
    assert!(
        first.starts_with("{\"channel\":\"TM\",\"external_id\":\"TM1000\",\"placed_at\":"),
        "{first}"
    );
    assert!(
        rows[0]["unit_price"].is_string(),
        "money stays exact decimal text"
    );
    assert!(rows[0]["qty"].is_number());
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "export",
            "merchants",
            "--format",
            "json",
            "--status",
            "submitted",
        ],
    );
    assert_eq!(out, "[]\n");
    let out = ok(d, &["--db", &db, "export", "tickets", "--format", "json"]);
    assert_eq!(out, "[]\n");
    let out = ok(d, &["--db", &db, "export", "tickets"]);
    assert!(out.starts_with("id,channel,external_id,order_channel,order_external_id,kind,status"));
}

#[test]
fn status_and_shop_local_day_filters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d, "s.db");
    let f = write(
        d,
        "o.csv",
        format!(
            "{}\n\
             TM,E1,2026-10-31 23:59:59,pending_payment,c1,Li,138,Road,City,M0,S0,1,10.00,0,,,,,,\n\
             TM,E2,2026-11-01 00:00:00,pending_payment,c1,Li,138,Road,City,M0,S0,1,10.00,0,,,,,,\n\
             TM,E3,2026-11-01T15:59:59Z,pending_payment,c1,Li,138,Road,City,M0,S0,1,10.00,0,,,,,,\n\
             TM,E4,2026-11-02 00:00:00,pending_payment,c1,Li,138,Road,City,M0,S0,1,10.00,0,,,,,,\n\
             TM,E5,2026-11-01 12:00:00,cancelled,c1,Li,138,Road,City,M0,S0,1,10.00,0,,,,,,\n",
            support::ORDER_HEADER
        ),
    );
    ok(d, &["--db", &db, "import", "orders", f.to_str().unwrap()]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--db", db.as_str(), "export", "orders"];
        a.extend_from_slice(args);
        ok(d, &a)
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().to_string())
            .collect()
    };
    // 2026-11-01 in Shanghai is [2026-10-31T16:00Z, 2026-11-01T16:00Z).
    assert_eq!(
        ids(&["--from", "2026-11-01", "--to", "2026-11-02"]),
        ["E2", "E5", "E3"]
    );
    assert_eq!(
        ids(&[
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
            "--status",
            "pending_payment"
        ]),
        ["E2", "E3"]
    );
    assert_eq!(ids(&["--to", "2026-11-01"]), ["E1"]);
    assert_eq!(ids(&["--from", "2026-11-02"]), ["E4"]);
    let out = run(d, &["--db", &db, "export", "orders", "--status", "lost"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        d,
        &[
            "--db",
            &db,
            "export",
            "orders",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(d, &["--db", &db, "export", "orders", "--from", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
}

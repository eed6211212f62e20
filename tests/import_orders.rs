//! `shopdesk import orders` on the built binary: one transaction, every bad
//! row named, reject files, idempotent re-imports, stock reservations and the
//! sync report.

#[path = "cli_support/mod.rs"]
mod cli;

use std::fmt::Write as _;

use cli::{
    ORDERS_HEADER as HEADER, check_ok, count, counts, ok, order_row, order_shop as shop, run, schema, text,
    write,
};

fn orders_file(n: usize, edit: impl Fn(usize, String) -> String) -> String {
    let mut s = format!("{HEADER}\n");
    for k in 0..n {
        s.push_str(&edit(k, order_row(k)));
    }
    s
}

#[test]
fn one_bad_row_writes_nothing_then_skip_invalid_rejects_it_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let before = counts(&db);
    // Physical line 501 is order 499 (line 1 is the header).
    let bad = write(
        d,
        "bad.csv",
        orders_file(1000, |k, row| {
            if k == 499 {
                row.replace(",12.50,", ",12.505,")
            } else {
                row
            }
        }),
    );
    let bad_s = bad.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", bad_s]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{bad_s}:501: unit_price: not a money amount: \"12.505\" (more than 2 decimal places)"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(counts(&db), before, "a failed import writes nothing");

    let rejects = d.join("rejects.csv");
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            bad_s,
            "--skip-invalid",
            "--reject-file",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(out.contains("999 new"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM order_lines"), 999);
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 999);
    let r = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines.len(), 2, "{r}");
    assert_eq!(lines[0], format!("{HEADER},reason"));
    assert!(lines[1].starts_with("TM,TM499,"), "{r}");
    assert!(lines[1].contains("unit_price: not a money amount"), "{r}");
    // One audit row for the import, none per order; every order names it.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE entity = 'import' AND action = 'import'"
        ),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log WHERE entity = 'order'"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM orders o JOIN imports i ON i.id = o.import_id WHERE i.rows_rejected = 1"
        ),
        999
    );
    check_ok(d, &db);

    let good = write(d, "good.csv", orders_file(1000, |_, row| row));
    let good_s = good.to_str().unwrap();
    let out = ok(d, &["--db", &db, "import", "orders", good_s]);
    assert!(out.contains("1 new, 999 already present, 0 changed"), "{out}");
    let after_first = counts(&db);
    let out = ok(d, &["--db", &db, "import", "orders", good_s]);
    assert!(out.contains("0 new, 1000 already present, 0 changed"), "{out}");
    assert_eq!(counts(&db), after_first, "re-importing changes nothing");

    let changed = write(
        d,
        "changed.csv",
        orders_file(1000, |k, row| {
            if k == 11 {
                row.replace(",SF11\n", ",SF-NEW\n")
            } else {
                row
            }
        }),
    );
    let out = ok(d, &["--db", &db, "import", "orders", changed.to_str().unwrap()]);
    assert!(out.contains("0 new, 999 already present, 1 changed"), "{out}");
    assert!(out.contains("not overwritten"), "{out}");
    assert!(
        out.contains("TM:TM11: tracking_no (file \"SF-NEW\", shopdesk \"SF11\")"),
        "{out}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE tracking_no = 'SF11'"),
        1,
        "nothing is overwritten"
    );
    check_ok(d, &db);
}

#[test]
fn every_bad_row_is_listed_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let f = write(
        d,
        "o.csv",
        orders_file(20, |k, row| match k {
            3 => row.replace(",M1,A,", ",M1,NOPE,"),
            7 => row.replace(",M1,A,", ",M9,A,"),
            9 => row.replace("2026-11-01 10:00:00,completed", "2026-11-31 10:00:00,completed"),
            12 => row.replace(",completed,", ",shiped,"),
            _ => row,
        }),
    );
    let f = f.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for want in [
        format!("{f}:5: sku: merchant M1 has no product with SKU \"NOPE\""),
        format!("{f}:9: merchant_code: no merchant has code \"M9\""),
        format!("{f}:11: placed_at: \"2026-11-31 10:00:00\" is not a time"),
        format!("{f}:14: status: unknown order status \"shiped\""),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 0);
}

#[test]
fn repeated_order_fields_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let f = write(
        d,
        "o.csv",
        format!(
            "{HEADER}\n\
             JD,J1,2026-11-01 10:00:00,paid,c1,Li,13800001111,Road 1,Hangzhou,M1,A,1,12.50,5,2026-11-01 10:01:00,,,,,\n\
             JD,J1,2026-11-01 10:00:00,paid,c1,Li,13800001111,Road 1,Suzhou,M1,B,2,3.00,0,2026-11-01 10:01:00,,,,,\n"
        ),
    );
    let f = f.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{f}:3: ship_city: \"Suzhou\" disagrees with \"Hangzhou\" on line 2 of the same order JD:J1"
        )),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 0);
}

/// Lines repeating their order's fields are not parsed again; an unknown
/// SKU on the first line still rejects the whole order, every line named,
/// and an order's later line that disagrees is still caught.
#[test]
fn an_unknown_sku_on_the_first_line_rejects_the_order_with_all_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let row = |id: &str, sku: &str, city: &str| {
        format!(
            "JD,{id},2026-11-01 10:00:00,paid,c1,Li,13800001111,Road 1,{city},M1,{sku},1,12.50,0,2026-11-01 10:01:00,,,,,\n"
        )
    };
    let f = write(
        d,
        "o.csv",
        format!(
            "{HEADER}\n{}{}{}{}{}{}",
            row("J1", "NOPE", "Hangzhou"),
            row("J1", "A", "Hangzhou"),
            row("J1", "B", "Hangzhou"),
            row("J2", "A", "Hangzhou"),
            row("J2", "B", "Hangzhou"),
            row("J2", "A", "Suzhou"),
        ),
    );
    let rejects = d.join("r.csv");
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            f.to_str().unwrap(),
            "--skip-invalid",
            "--reject-file",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(out.contains("0 new"), "{out}");
    let r = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines.len(), 7, "{r}");
    assert!(lines[1].contains("merchant M1 has no product with SKU"), "{r}");
    assert!(
        lines[2].contains("order JD:J1 is rejected because of line 2"),
        "{r}"
    );
    assert!(
        lines[3].contains("order JD:J1 is rejected because of line 2"),
        "{r}"
    );
    assert!(
        lines[6].contains("disagrees with") && lines[6].contains("on line 5 of the same order JD:J2"),
        "{r}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 0);
}

#[test]
fn open_orders_reserve_stock_short_ones_are_held_history_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    // C has 5 units: X1 reserves 3, X2 (3 more) is short and held, X3 is
    // history, X4 spans two lines and two products and reserves both.
    let f = write(
        d,
        "o.csv",
        format!(
            "{HEADER}\n\
             TB,X1,2026-11-01 10:00:00,approved,c1,Li,13800001111,Road 1,Hangzhou,M2,C,3,8.00,0,2026-11-01 10:01:00,,,,,\n\
             TB,X2,2026-11-01 11:00:00,paid,c2,Wang,13800002222,Road 2,Hangzhou,M2,C,3,8.00,0,2026-11-01 11:01:00,,,,,\n\
             TB,X3,2026-10-01 11:00:00,completed,c2,Wang,13800002222,Road 2,Hangzhou,M2,C,10,8.00,0,2026-10-01 11:01:00,2026-10-02 09:00:00,2026-10-03 09:00:00,,YTO,Y1\n\
             TB,X4,2026-11-01 12:00:00,packed,c1,Li,13800001111,Road 1,Hangzhou,M1,A,2,12.50,6,2026-11-01 12:01:00,,,,,\n\
             TB,X4,2026-11-01 12:00:00,packed,c1,Li,13800001111,Road 1,Hangzhou,M1,B,1,3.00,4,2026-11-01 12:01:00,,,,,\n"
        ),
    );
    let f = f.to_str().unwrap();
    let out = ok(d, &["--db", &db, "import", "orders", f]);
    assert!(out.contains("4 new"), "{out}");
    assert!(
        out.contains("1 open orders imported on_hold (insufficient_stock)"),
        "{out}"
    );
    assert!(out.contains("TB:X2: C (need 3, available 2)"), "{out}");
    let q = |sql: &str| count(&db, sql);
    assert_eq!(q("SELECT stock_reserved FROM products WHERE sku = 'C'"), 3);
    assert_eq!(q("SELECT stock_on_hand FROM products WHERE sku = 'C'"), 5);
    assert_eq!(q("SELECT stock_reserved FROM products WHERE sku = 'A'"), 2);
    assert_eq!(q("SELECT stock_reserved FROM products WHERE sku = 'B'"), 1);
    assert_eq!(
        q(
            "SELECT count(*) FROM orders WHERE external_id = 'X2' AND status = 'on_hold'
           AND hold_reason = 'insufficient_stock' AND held_from = 'paid'"
        ),
        1
    );
    assert_eq!(
        q(
            "SELECT sum(reserved_qty) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.external_id = 'X2'"
        ),
        0
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM stock_movements m JOIN orders o ON o.id = m.order_id WHERE o.external_id IN ('X2', 'X3')"
        ),
        0,
        "held and history orders move no stock"
    );
    // The order row's totals.
    assert_eq!(
        q(
            "SELECT line_count * 1000000 + item_count * 10000 + shipping_minor FROM orders WHERE external_id = 'X4'"
        ),
        2 * 1_000_000 + 3 * 10_000 + 1000
    );
    assert_eq!(q("SELECT items_minor FROM orders WHERE external_id = 'X4'"), 2800);
    assert_eq!(
        q("SELECT count(*) FROM orders WHERE external_id = 'X4' AND ship_by_at = '2026-11-03T04:01:00Z'"),
        1,
        "ship_by = paid + 48h"
    );
    assert_eq!(q("SELECT count(*) FROM customers"), 2);
    check_ok(d, &db);

    let out = ok(d, &["--db", &db, "import", "orders", f]);
    assert!(out.contains("0 new, 4 already present, 0 changed"), "{out}");
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let f = write(d, "o.csv", orders_file(30, |_, r| r));
    let before = counts(&db);
    let out = ok(
        d,
        &["--db", &db, "import", "orders", f.to_str().unwrap(), "--dry-run"],
    );
    assert!(out.starts_with("dry run: "), "{out}");
    assert!(out.contains("30 new"), "{out}");
    assert!(out.contains("dry run: nothing was written"), "{out}");
    assert_eq!(counts(&db), before);
    check_ok(d, &db);
}

/// An import that at least doubles the orders table rebuilds its indexes
/// and status counts after writing; a smaller one keeps them up to date
/// row by row. Either way the schema ends as it was and `check` (integrity,
/// status counts) is clean.
#[test]
fn bulk_and_incremental_imports_leave_schema_and_counts_sound() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let before = schema(&db);
    let counts_by_status = "SELECT count(*) FROM status_counts c
        WHERE c.entity = 'order' AND c.n <> (SELECT count(*) FROM orders o WHERE o.status = c.status)";

    let first = write(d, "first.csv", orders_file(300, |_, r| r));
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            first.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(out.contains("300 new"), "{out}");
    assert_eq!(schema(&db), before, "a dry run puts everything back");

    ok(d, &["--db", &db, "import", "orders", first.to_str().unwrap()]);
    assert_eq!(schema(&db), before, "indexes and triggers rebuilt as they were");
    assert_eq!(count(&db, counts_by_status), 0);
    assert_eq!(
        count(&db, "SELECT sum(n) FROM status_counts WHERE entity = 'order'"),
        300
    );
    check_ok(d, &db);

    let more = write(d, "more.csv", orders_file(310, |_, r| r));
    let out = ok(d, &["--db", &db, "import", "orders", more.to_str().unwrap()]);
    assert!(out.contains("10 new, 300 already present"), "{out}");
    assert_eq!(schema(&db), before);
    assert_eq!(count(&db, counts_by_status), 0);
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE status = 'paid'"),
        31
    );
    check_ok(d, &db);
}

#[test]
fn unknown_and_missing_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let mut body = String::new();
    for k in 0..3 {
        let row = order_row(k);
        writeln!(body, "{},extra", row.trim_end()).unwrap();
    }
    let f = write(d, "o.csv", format!("{HEADER},note\n{body}"));
    let f = f.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{f}:1: note: unknown column")), "{err}");
    assert!(err.contains("--ignore-unknown"), "{err}");
    let out = ok(d, &["--db", &db, "import", "orders", f, "--ignore-unknown"]);
    assert!(out.contains("3 new"), "{out}");

    let header = HEADER.replace(",sku,", ",").replace(",qty,", ",");
    let g = write(d, "g.csv", format!("{header}\n"));
    let g = g.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "orders", g]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{g}:1: sku: missing required column")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{g}:1: qty: missing required column")),
        "{err}"
    );

    let out = run(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            d.join("nope.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(d, &["--db", &db, "import", "orders", f, "--reject-file", "r.csv"]);
    assert_eq!(out.status.code(), Some(2), "--reject-file needs --skip-invalid");
}

#[test]
fn expect_range_lists_missing_numbers_and_empty_days() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let mut s = format!("{HEADER}\n");
    for n in (1000..1010).filter(|n| *n != 1004 && *n != 1007) {
        let day = if n < 1005 { "01" } else { "03" };
        writeln!(
            s,
            "TM,TM{n},2026-11-{day} 10:00:00,pending_payment,c1,Li,13800001111,Road 1,Hangzhou,M1,A,1,12.50,0,,,,,,"
        )
        .unwrap();
    }
    let f = write(d, "o.csv", s);
    let f = f.to_str().unwrap();
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            f,
            "--expect-range",
            "TM1000..TM1009",
        ],
    );
    assert!(
        out.contains("expected TM1000..TM1009 on TM (10 ids): 2 missing from shopdesk: TM1004, TM1007"),
        "{out}"
    );
    assert!(out.contains("sync TM: 8 orders in the file"), "{out}");
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "orders",
            f,
            "--expect-range",
            "2026-11-01..2026-11-03",
        ],
    );
    assert!(out.contains("0 new, 8 already present"), "{out}");
    assert!(out.contains("  2026-11-01         4            4"), "{out}");
    assert!(out.contains("  2026-11-02         0            0  NONE"), "{out}");
    assert!(
        out.contains("days with no orders in shopdesk: 2026-11-02"),
        "{out}"
    );
    let out = run(
        d,
        &["--db", &db, "import", "orders", f, "--expect-range", "TM9..JD1"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// Row counts of every ordinary table that has foreign keys.
fn tables_with_references(db: &str) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let names: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_schema s WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
                 AND EXISTS (SELECT 1 FROM pragma_foreign_key_list(s.name)) ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    names
        .into_iter()
        .map(|t| {
            let n = c
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

/// An orders import writes with SQLite's per-row reference checks off and
/// looks the references of the rows it added up once, before commit
/// (`store::import::refs`). Every table with foreign keys that an import
/// grows must be one it looks at: into an empty shop (indexes set aside,
/// orders written as the file is read) and into one with orders (row by
/// row, indexes live).
#[test]
fn every_table_an_orders_import_grows_has_its_references_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let checked = shopdesk::store::import::refs::ORDER_IMPORT_TABLES;
    for (name, ks) in [("first.csv", 0..600), ("second.csv", 600..650)] {
        let before = tables_with_references(&db);
        let mut body = format!("{HEADER}\n");
        ks.clone().for_each(|k| body.push_str(&order_row(k)));
        let f = write(d, name, body);
        let out = ok(d, &["--db", &db, "import", "orders", f.to_str().unwrap()]);
        assert!(out.contains(&format!("{} new", ks.len())), "{out}");
        let grown: Vec<String> = tables_with_references(&db)
            .into_iter()
            .zip(&before)
            .filter(|((_, after), (_, was))| after > was)
            .map(|((t, _), _)| t)
            .collect();
        assert!(grown.iter().any(|t| t == "order_lines"), "{grown:?}");
        for t in &grown {
            assert!(
                checked.contains(&t.as_str()),
                "{name}: the import grew {t} but does not check its references"
            );
        }
    }
    check_ok(d, &db);
}

/// The session's own connection checks references row by row again after
/// an orders import, whether the import landed or failed.
#[test]
fn an_orders_import_gives_the_session_its_reference_checks_back() {
    use shopdesk::ops::import::{Kind, Options, import};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("shop.db");
    shopdesk::ops::staff::init(&db, "lin", "Lin", "CNY", "Asia/Shanghai").unwrap();
    let mut s = shopdesk::ops::Session::open_as(&db, "lin").unwrap();
    let opts = Options::default();
    let m = write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,一号店,direct,active\n",
    );
    import(&mut s, Kind::Merchants, &m, &opts).unwrap();
    let p = write(
        d,
        "p.csv",
        "merchant_code,sku,title,price,stock\nM1,A,蓝牙耳机,12.50,1000\n",
    );
    import(&mut s, Kind::Products, &p, &opts).unwrap();
    let enforced = |s: &shopdesk::ops::Session| {
        s.conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get::<_, bool>(0))
            .unwrap()
    };
    assert!(enforced(&s));
    let good = write(d, "good.csv", format!("{HEADER}\n{}", order_row(1)));
    assert_eq!(import(&mut s, Kind::Orders, &good, &opts).unwrap().new, 1);
    assert!(enforced(&s), "after an import that landed");
    let bad = write(
        d,
        "bad.csv",
        format!("{HEADER}\n{}", order_row(2).replace(",M1,A,", ",M1,NOPE,")),
    );
    let e = import(&mut s, Kind::Orders, &bad, &opts).unwrap_err().to_string();
    assert!(e.contains("no product with SKU \"NOPE\""), "{e}");
    assert!(enforced(&s), "after an import that failed");
}

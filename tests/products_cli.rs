//! Product listing and stock from the command line alone, running the
//! binary: a branded draft refused by the checklist until the brand
//! authorisation is verified, approved and listed, delisted with a reason,
//! a delisting scheduled two minutes ahead and applied by `tick` with the
//! clock moved, stock received and counted with the ledger shown, the
//! reports, and bad input that exits 2 and writes nothing.

mod cli_support;

use std::path::Path;

use cli_support::{check_ok, count, expect_code, expect_ok, init, ok, run_at, write};

fn p(dir: &Path, db: &str, args: &[&str]) -> String {
    let mut all = vec!["--db", db, "product"];
    all.extend_from_slice(args);
    ok(dir, &all)
}

fn p_at(dir: &Path, db: &str, now: &str, args: &[&str]) -> String {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    expect_ok(&run_at(dir, now, &all), &all)
}

fn p_fails(dir: &Path, db: &str, args: &[&str], code: i32) -> String {
    let mut all = vec!["--db", db, "product"];
    all.extend_from_slice(args);
    expect_code(&cli_support::run(dir, &all), &all, code)
}

/// An agency merchant M1 (active) with a draft branded product BT-01 and a
/// listed one CUP-1.
fn shop(dir: &Path) -> String {
    let db = init(dir);
    let m = write(
        dir,
        "m.csv",
        "code,name,contact_name,email,phone,cooperation_mode,status\n\
         M1,杭州好物,张三,m1@example.com,13800000001,agency,active\n",
    );
    ok(dir, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let csv = write(
        dir,
        "p.csv",
        "merchant_code,sku,title,category,price,stock,low_stock_threshold,status,description\n\
         M1,BT-01,索尼降噪蓝牙耳机,Electronics > Audio,1299.00,0,3,draft,头戴式 降噪\n\
         M1,CUP-1,青花瓷茶杯,Home > Kitchen,12.00,50,5,draft,景德镇\n",
    );
    ok(dir, &["--db", &db, "import", "products", csv.to_str().unwrap()]);
    db
}

#[test]
fn a_listing_from_draft_to_delisted_and_its_stock_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let out = p(
        dir,
        &db,
        &[
            "edit",
            "M1:BT-01",
            "--brand",
            "Sony",
            "--branded",
            "yes",
            "--cost",
            "800.00",
        ],
    );
    assert!(out.contains("brand") && out.contains("cost"), "{out}");
    assert!(p(dir, &db, &["submit", "M1:BT-01"]).contains("the brand authorisation is not verified"));
    let e = p_fails(dir, &db, &["approve", "M1:BT-01"], 1);
    assert!(
        e.contains("cannot approve") && e.contains("brand authorisation"),
        "{e}"
    );
    ok(
        dir,
        &[
            "--db",
            &db,
            "merchant",
            "doc",
            "add",
            "M1",
            "--kind",
            "brand_authorisation",
            "--number",
            "SONY-2026",
        ],
    );
    ok(
        dir,
        &[
            "--db",
            &db,
            "merchant",
            "doc",
            "verify",
            "M1",
            "brand_authorisation",
        ],
    );
    assert!(p(dir, &db, &["approve", "M1:BT-01"]).contains("approved and listed"));
    let show = p(dir, &db, &["show", "M1:BT-01"]);
    assert!(show.contains("margin") && show.contains("¥499.00"), "{show}");
    assert!(show.contains("checklist        passes"), "{show}");

    // Delist with a reason; relisting goes through review again.
    p_fails(dir, &db, &["delist", "M1:BT-01"], 2);
    p_fails(dir, &db, &["delist", "M1:BT-01", "--reason", "gone"], 2);
    assert!(
        p(dir, &db, &["delist", "M1:BT-01", "--reason", "out_of_stock"]).contains("delisted (out of stock)")
    );
    assert!(p(dir, &db, &["relist", "M1:BT-01"]).contains("review"));
    p(dir, &db, &["approve", "M1:BT-01"]);

    // A delisting two minutes ahead, in shop time (Asia/Shanghai, UTC+8).
    let out = p(
        dir,
        &db,
        &[
            "schedule",
            "M1:BT-01",
            "--delist-at",
            "2026-11-20 18:02",
            "--reason",
            "replaced",
        ],
    );
    assert!(out.contains("2026-11-20T10:02:00Z"), "{out}");
    let e = expect_code(
        &run_at(dir, "2026-11-20T10:01:00Z", &["--db", &db, "tick"]),
        &"tick",
        0,
    );
    assert!(e.contains("nothing due"), "{e}");
    let out = p_at(dir, &db, "2026-11-20T10:02:30Z", &["tick"]);
    assert!(
        out.contains("M1:BT-01") && out.contains("delisted as scheduled (replaced)"),
        "{out}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE sku = 'BT-01' AND status = 'delisted'"
        ),
        1
    );

    // The bulk path: submit and approve two at once.
    p(dir, &db, &["relist", "M1:BT-01"]);
    p(dir, &db, &["submit", "M1:CUP-1"]);
    let out = p(dir, &db, &["approve", "M1:BT-01", "M1:CUP-1"]);
    assert_eq!(out.matches("approved and listed").count(), 2, "{out}");

    // Stock: receive, count with a difference, the ledger.
    p(
        dir,
        &db,
        &[
            "stock",
            "receive",
            "M1:BT-01",
            "--qty",
            "10",
            "--note",
            "DN-20261120",
        ],
    );
    let out = p(
        dir,
        &db,
        &[
            "stock",
            "count",
            "M1:BT-01",
            "--counted",
            "8",
            "--reason",
            "2 damaged in transit",
        ],
    );
    assert!(out.contains("counted 8 (-2 adjusted"), "{out}");
    let show = p(dir, &db, &["show", "M1:BT-01"]);
    assert!(show.contains("8 on hand, 0 reserved, 8 available"), "{show}");
    assert!(
        show.contains("adjust") && show.contains("2 damaged in transit") && show.contains("DN-20261120"),
        "{show}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&p(dir, &db, &["show", "M1:BT-01", "--json"])).unwrap();
    assert_eq!(json["available"], 8);
    assert_eq!(json["movements"].as_array().unwrap().len(), 2);

    // Restock: CUP-1 at 50 of a line of 5 is fine; a line of 60 puts it on the list.
    p(dir, &db, &["edit", "M1:CUP-1", "--threshold", "60"]);
    let out = p(dir, &db, &["restock-list"]);
    assert!(
        out.contains("M1 杭州好物") && out.contains("CUP-1") && !out.contains("BT-01"),
        "{out}"
    );
    let csv = p(dir, &db, &["restock-list", "--csv"]);
    assert!(
        csv.starts_with(
            "merchant_code,merchant_name,sku,title,available,low_stock_threshold,units_30d,suggested_qty\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("M1,杭州好物,CUP-1,青花瓷茶杯,50,60,0,0"), "{csv}");
    p(dir, &db, &["restock-list", "-o", dir.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(dir.join("restock.csv"))
            .unwrap()
            .contains("CUP-1")
    );

    let abc: serde_json::Value = serde_json::from_str(&p(dir, &db, &["abc", "--json"])).unwrap();
    assert_eq!(abc.as_array().unwrap().len(), 2);
    assert!(p(dir, &db, &["slow", "--days", "30"]).contains("CUP-1"));
    assert!(p(dir, &db, &["turnover"]).contains("Home > Kitchen"));
    let rep: serde_json::Value = serde_json::from_str(&p(dir, &db, &["delist-report", "--json"])).unwrap();
    let rows = rep["rows"].as_array().unwrap();
    let reasons: Vec<&str> = rows.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["out_of_stock", "replaced"], "{rep}");
    assert!(p(dir, &db, &["delist-report"]).contains("Electronics > Audio"));
    check_ok(dir, &db);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let before =
        count(&db, "SELECT count(*) FROM audit_log") + count(&db, "SELECT count(*) FROM stock_movements");
    for args in [
        vec!["stock", "receive", "M1:CUP-1", "--qty", "-1"],
        vec!["stock", "receive", "M1:CUP-1", "--qty", "1.5"],
        vec!["stock", "receive", "M1:CUP-1", "--qty", "0"],
        vec!["stock", "count", "M1:CUP-1", "--counted", "2.5", "--reason", "x"],
        vec!["stock", "count", "M1:CUP-1", "--counted", "3"],
        vec!["edit", "M1:CUP-1", "--price", "1.234"],
        vec!["edit", "M1:CUP-1", "--price", "-1"],
        vec!["edit", "M1:CUP-1", "--category", "No > Such"],
        vec!["edit", "M1:CUP-1", "--category", "Home > > Kitchen"],
        vec!["schedule", "M1:CUP-1", "--list-at", "yesterday"],
        vec!["schedule", "M1:CUP-1", "--list-at", "2020-01-01 00:00"],
        vec!["schedule", "M1:CUP-1"],
        vec!["submit", "M9:NOPE"],
    ] {
        p_fails(dir, &db, &args, 2);
    }
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log") + count(&db, "SELECT count(*) FROM stock_movements"),
        before
    );
    check_ok(dir, &db);
}

#[test]
fn import_products_takes_the_master_data_columns_all_or_nothing() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let head = "merchant_code,sku,title,category,price,status,description,model,brand,branded,cost,warranty_months\n";
    // One bad row (warranty and cost): nothing of the file is written.
    let bad = write(
        dir,
        "bad.csv",
        format!(
            "{head}M1,TV-1,电视机,Electronics > TV,3999.00,draft,55 寸,X55,Sony,yes,2999.00,24\n\
             M1,TV-2,电视机 二,Electronics > TV,3999.00,draft,65 寸,X65,Sony,maybe,12.345,2000\n"
        ),
    );
    let before = count(&db, "SELECT count(*) FROM products");
    let e = expect_code(
        &cli_support::run(dir, &["--db", &db, "import", "products", bad.to_str().unwrap()]),
        &"import",
        2,
    );
    assert!(
        e.contains("branded") && e.contains("cost") && e.contains("warranty_months"),
        "{e}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM products"), before);
    // A branded product cannot arrive listed (its brand authorisation is reviewed).
    let listed = write(
        dir,
        "listed.csv",
        format!("{head}M1,TV-3,电视机,Electronics > TV,3999.00,listed,55 寸,X55,Sony,yes,2999.00,24\n"),
    );
    let e = expect_code(
        &cli_support::run(
            dir,
            &["--db", &db, "import", "products", listed.to_str().unwrap()],
        ),
        &"import",
        2,
    );
    assert!(e.contains("brand authorisation"), "{e}");
    let good = write(
        dir,
        "good.csv",
        format!(
            "{head}M1,TV-1,电视机,Electronics > TV,3999.00,pending_review,55 寸,X55,Sony,yes,2999.00,24\n"
        ),
    );
    ok(dir, &["--db", &db, "import", "products", good.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&p(dir, &db, &["show", "M1:TV-1", "--json"])).unwrap();
    assert_eq!(
        (
            &json["model"],
            &json["brand"],
            &json["branded"],
            &json["cost_minor"],
            &json["warranty_months"],
            &json["status"]
        ),
        (
            &serde_json::json!("X55"),
            &serde_json::json!("Sony"),
            &serde_json::json!(true),
            &serde_json::json!(299900),
            &serde_json::json!(24),
            &serde_json::json!("pending_review")
        )
    );
    assert_eq!(json["margin_minor"], 100000);
    check_ok(dir, &db);
}

#[test]
fn a_scheduled_time_is_cleared_from_the_command_line_and_audited() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let times = || {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row(
            "SELECT list_at, delist_at, delist_reason FROM products WHERE sku = 'CUP-1'",
            [],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            },
        )
        .unwrap()
    };
    p(
        dir,
        &db,
        &[
            "schedule",
            "M1:CUP-1",
            "--list-at",
            "2099-01-01 09:00",
            "--delist-at",
            "2099-02-01 09:00",
            "--reason",
            "replaced",
        ],
    );
    let (list, delist, reason) = times();
    assert!(list.is_some() && delist.is_some() && reason.as_deref() == Some("replaced"));

    // Setting and clearing one time at once contradicts itself: nothing written.
    let audits = count(&db, "SELECT count(*) FROM audit_log");
    p_fails(
        dir,
        &db,
        &[
            "schedule",
            "M1:CUP-1",
            "--clear",
            "list",
            "--list-at",
            "2099-03-01 09:00",
        ],
        2,
    );
    p_fails(dir, &db, &["schedule", "M1:CUP-1", "--clear", "soon"], 2);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audits);

    let out = p(dir, &db, &["schedule", "M1:CUP-1", "--clear", "list"]);
    assert!(out.contains("scheduled listing cleared"), "{out}");
    let (list, delist, _) = times();
    assert_eq!(list, None);
    assert!(delist.is_some(), "only the listing time went");

    let out = p(dir, &db, &["schedule", "M1:CUP-1", "--clear", "delist"]);
    assert!(out.contains("scheduled delisting cleared"), "{out}");
    assert_eq!(
        times(),
        (None, None, None),
        "the scheduled reason goes with its time"
    );

    // Nothing left to clear: refused (exit 1), nothing written.
    let audits = count(&db, "SELECT count(*) FROM audit_log");
    p_fails(dir, &db, &["schedule", "M1:CUP-1", "--clear", "both"], 1);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audits);

    // Each clearing is an audit row whose images show the time going.
    let c = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String, String)> = c
        .prepare(
            "SELECT action, before_json, after_json FROM audit_log
             WHERE entity = 'product' AND action = 'schedule' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), 3, "set, clear list, clear delist");
    let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    assert!(!json(&rows[1].1)["list_at"].is_null() && json(&rows[1].2)["list_at"].is_null());
    assert!(!json(&rows[2].1)["delist_at"].is_null() && json(&rows[2].2)["delist_at"].is_null());
    check_ok(dir, &db);
}

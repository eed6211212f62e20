//! `shopdesk check` against a file edited behind shopdesk's back (issue 9,
//! items 6 and 7): broken CHECK constraints, direct edits that leave no
//! audit row, a truncated or rewritten audit chain, rows forged with the
//! public hash formula, with and without an audit key.

mod cli_support;
mod orders_support;

use std::path::Path;
use std::process::Output;

use cli_support::{ok, run, text};
use orders_support::GOOD;
use rusqlite::{Connection, params};
use shopdesk::store::audit;

/// A shop made through the CLI (the OS login owns it) with `sdtest` as
/// support and one order, paid; returns (--db path, order id).
fn shop(dir: &Path) -> (String, i64) {
    let db = cli_support::init(dir);
    ok(dir, &["--db", &db, "staff", "add", "sdtest", "--role", "support"]);
    let path = Path::new(&db);
    let m = orders_support::merchant(path, "M1", "Shop One");
    let p = orders_support::product(path, m, "SKU-1", "Kettle", 12_900, 10);
    let c = orders_support::customer(path, "C1", "李雷");
    let o = orders_support::order(path, "W1", c, m, &[(p, 2)], &GOOD);
    ok(dir, &["--db", &db, "order", "pay", &o.to_string()]);
    (db, o)
}

fn sql(db: &str, batch: &str) {
    Connection::open(db).unwrap().execute_batch(batch).unwrap();
}

fn check(dir: &Path, db: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--db", db, "check"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// `check` failed (exit 3) with a FAIL line for `name` and a problem
/// containing every one of `words`; returns stdout.
fn fails(out: &Output, name: &str, words: &[&str]) -> String {
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{s}{}", text(&out.stderr));
    assert!(s.contains(&format!("FAIL  {name}")), "no FAIL {name}:\n{s}");
    assert!(
        s.lines().any(|l| words.iter().all(|w| l.contains(w))),
        "no line with {words:?}:\n{s}"
    );
    s
}

fn head(dir: &Path, db: &str) -> String {
    ok(dir, &["--db", db, "audit", "head"]).trim().to_string()
}

#[test]
fn a_row_breaking_a_check_constraint_is_named_with_its_table_row_and_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    cli_support::check_ok(dir.path(), &db);
    sql(
        &db,
        &format!("PRAGMA ignore_check_constraints = 1; UPDATE orders SET status = 'stolen' WHERE id = {o};"),
    );
    let out = check(dir.path(), &db, &[]);
    fails(
        &out,
        "integrity",
        &[
            &format!("orders row {o}"),
            "CHECK constraint failed",
            "status = 'pending_payment' OR status = 'paid' OR status = 'approved' OR status = 'picking'",
        ],
    );
    // The probe wrote nothing: the bad row is still there, and nothing else.
    assert_eq!(
        cli_support::count(&db, "SELECT count(*) FROM orders"),
        1,
        "the probe left a row behind"
    );
}

#[test]
fn a_direct_role_change_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    sql(&db, "UPDATE staff SET role = 'owner' WHERE login = 'sdtest'");
    let out = check(dir.path(), &db, &[]);
    fails(
        &out,
        "audit images",
        &["staff 2 (sdtest)", "role is \"owner\"", "\"support\""],
    );
    // Re-enabling by hand is named too.
    sql(
        &db,
        "UPDATE staff SET role = 'support', active = 0 WHERE login = 'sdtest'",
    );
    fails(
        &check(dir.path(), &db, &[]),
        "audit images",
        &["(sdtest)", "active is 0"],
    );
}

#[test]
fn a_direct_change_of_an_orders_amounts_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    cli_support::check_ok(dir.path(), &db);
    sql(
        &db,
        &format!("UPDATE orders SET items_minor = 100 WHERE id = {o}"),
    );
    fails(
        &check(dir.path(), &db, &[]),
        "audit images",
        &[
            &format!("order {o} was changed without an audit row"),
            "items_minor is 100",
        ],
    );
}

#[test]
fn a_direct_edit_that_bumps_the_version_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    sql(
        &db,
        &format!("UPDATE orders SET version = version + 1 WHERE id = {o}"),
    );
    fails(
        &check(dir.path(), &db, &[]),
        "audit images",
        &[&format!("order {o}"), "version is 2"],
    );
}

#[test]
fn a_deleted_refund_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    ok(
        dir.path(),
        &[
            "--db",
            &db,
            "order",
            "cancel",
            &o.to_string(),
            "--reason",
            "buyer asked",
        ],
    );
    cli_support::check_ok(dir.path(), &db);
    sql(&db, "DELETE FROM refunds");
    fails(
        &check(dir.path(), &db, &[]),
        "refunds",
        &[&format!("order {o}: cancelled after payment"), "refunds total 0"],
    );
}

#[test]
fn deleting_the_newest_audit_rows_is_named_and_the_recorded_head_shows_the_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    ok(
        dir.path(),
        &["--db", &db, "staff", "set-role", "sdtest", "--role", "operator"],
    );
    let recorded = head(dir.path(), &db);
    let len: i64 = recorded.split(':').next().unwrap().parse().unwrap();
    ok(dir.path(), &["--db", &db, "check", "--expect-head", &recorded]);
    sql(&db, &format!("DELETE FROM audit_log WHERE id = {len}"));
    // The staff row is ahead of its last remaining audit row.
    fails(
        &check(dir.path(), &db, &[]),
        "audit images",
        &["staff 2 (sdtest)", "role is \"operator\""],
    );
    let out = check(dir.path(), &db, &["--expect-head", &recorded]);
    fails(&out, "audit head", &["truncated", &format!("{} rows", len - 1)]);
}

#[test]
fn deleting_every_audit_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    sql(&db, "DELETE FROM audit_log");
    let s = fails(
        &check(dir.path(), &db, &[]),
        "audit images",
        &["settings 1 has no audit row"],
    );
    assert!(s.contains("staff 1 has no audit row"), "{s}");
    assert!(
        s.contains(&format!("order {o} is at version 1 but has no audit row")),
        "{s}"
    );
}

/// Rewrites audit rows `from..` as someone with write access would: new
/// content, hashes recomputed with the public (unkeyed) formula.
fn rewrite_from(db: &str, from: i64) {
    let c = Connection::open(db).unwrap();
    let mut prev: audit::Hash = c
        .query_row("SELECT hash FROM audit_log WHERE id = ?1", [from - 1], |r| {
            r.get(0)
        })
        .unwrap();
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM audit_log WHERE id >= ?1 ORDER BY id")
        .unwrap()
        .query_map([from], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for id in ids {
        let mut row = c
            .query_row(
                "SELECT id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash
                 FROM audit_log WHERE id = ?1",
                [id],
                |r| {
                    Ok(audit::Row {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        entity: r.get(3)?,
                        entity_id: r.get(4)?,
                        action: r.get(5)?,
                        before_json: r.get(6)?,
                        after_json: r.get(7)?,
                        prev_hash: r.get(8)?,
                        hash: r.get(9)?,
                    })
                },
            )
            .unwrap();
        row.actor = "someone-else".into();
        row.prev_hash = prev;
        row.hash = audit::row_hash(&prev, &row);
        c.execute(
            "UPDATE audit_log SET actor = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
            params![id, row.actor, row.prev_hash, row.hash],
        )
        .unwrap();
        prev = row.hash;
    }
}

/// Appends a row for staff 2 with the public formula.
fn append_forged(db: &str) -> i64 {
    let c = Connection::open(db).unwrap();
    let (last, prev): (i64, audit::Hash) = c
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut row = audit::Row {
        id: last + 1,
        at: cli_support::NOW.into(),
        actor: "someone-else".into(),
        entity: "ticket".into(),
        entity_id: 99,
        action: "note".into(),
        before_json: None,
        after_json: None,
        prev_hash: prev,
        hash: [0; 32],
    };
    row.hash = audit::row_hash(&prev, &row);
    c.execute(
        "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, ?7, ?8)",
        params![row.id, row.at, row.actor, row.entity, row.entity_id, row.action, row.prev_hash, row.hash],
    )
    .unwrap();
    row.id
}

/// Enough changes for a chain of 60 rows and more.
fn many_changes(dir: &Path, db: &str) {
    for i in 0..56 {
        let role = if i % 2 == 0 { "operator" } else { "support" };
        ok(dir, &["--db", db, "staff", "set-role", "sdtest", "--role", role]);
    }
}

#[test]
fn without_a_key_a_rewritten_tail_is_caught_only_by_the_recorded_head() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    many_changes(dir.path(), &db);
    let recorded = head(dir.path(), &db);
    let out = ok(dir.path(), &["--db", &db, "check"]);
    assert!(out.contains("not keyed"), "{out}");
    rewrite_from(&db, 50);
    // The chain verifies again: the limit INTEGRITY.md states.
    ok(dir.path(), &["--db", &db, "check"]);
    let len = recorded.split(':').next().unwrap();
    fails(
        &check(dir.path(), &db, &["--expect-head", &recorded]),
        "audit head",
        &[&format!("audit_log row {len} was rewritten")],
    );
}

#[test]
fn with_a_key_an_appended_or_rewritten_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // The key is there before the shop, as the shared install makes it.
    std::fs::write(dir.path().join("audit.key"), [7u8; 32]).unwrap();
    let (db, _) = shop(dir.path());
    many_changes(dir.path(), &db);
    let out = ok(dir.path(), &["--db", &db, "check"]);
    assert!(out.contains("audit chain keyed with"), "{out}");

    let backup = dir.path().join("before.db");
    std::fs::copy(&db, &backup).unwrap();
    let id = append_forged(&db);
    fails(
        &check(dir.path(), &db, &[]),
        "audit chain",
        &[&format!("audit_log row {id}"), "does not match its hash"],
    );

    std::fs::copy(&backup, &db).unwrap();
    ok(dir.path(), &["--db", &db, "check"]);
    rewrite_from(&db, 50);
    fails(
        &check(dir.path(), &db, &[]),
        "audit chain",
        &["audit_log row 50", "does not match its hash"],
    );
}

#[test]
fn an_unreadable_key_is_an_error_not_a_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_support::init(dir.path());
    std::fs::write(dir.path().join("audit.key"), b"short").unwrap();
    let out = run(dir.path(), &["--db", &db, "whoami"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("audit.key"), "{}", text(&out.stderr));
}

#[test]
fn audit_head_prints_len_and_hash_and_expect_head_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_support::init(dir.path());
    let h = head(dir.path(), &db);
    let (len, hash) = h.split_once(':').unwrap();
    assert_eq!(len, "2", "init writes two audit rows: {h}");
    assert_eq!(hash.len(), 64, "{h}");
    let stored: audit::Hash = Connection::open(&db)
        .unwrap()
        .query_row("SELECT hash FROM audit_log WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(hash, hex::encode(stored));
    let out = check(dir.path(), &db, &["--expect-head", "2:nothex"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // A head from another chain (or an earlier rewrite) fails.
    let other = format!("2:{}", "a".repeat(64));
    fails(
        &check(dir.path(), &db, &["--expect-head", &other]),
        "audit head",
        &["row 2 was rewritten"],
    );
}

#[test]
fn an_order_imported_as_cancelled_after_payment_needs_no_refund_row() {
    // The channel refunded it; only a cancel made in shopdesk writes one.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = cli_support::init(d);
    let m = cli_support::write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,一号店,direct,active\n",
    );
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = cli_support::write(
        d,
        "p.csv",
        "merchant_code,sku,title,price,stock\nM1,A,Cable,3.00,100\n",
    );
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let o = cli_support::write(
        d,
        "o.csv",
        "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at\n\
         TM,TM1,2026-11-01 10:00:00,cancelled,c1,顾客,13800000000,西湖区1号,杭州,M1,A,1,3.00,0,2026-11-01 10:05:00\n",
    );
    ok(d, &["--db", &db, "import", "orders", o.to_str().unwrap()]);
    assert_eq!(
        cli_support::count(
            &db,
            "SELECT count(*) FROM orders WHERE status = 'cancelled' AND paid_at IS NOT NULL"
        ),
        1
    );
    cli_support::check_ok(d, &db);
}

#[test]
fn refunds_past_what_an_order_was_worth_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, o) = shop(dir.path());
    // The schema refuses it on insert...
    let c = Connection::open(&db).unwrap();
    let err = c
        .execute(
            "INSERT INTO refunds (order_id, amount_minor, actor, created_at) VALUES (?1, 99999999, 'x', '2026-11-20T00:00:00Z')",
            [o],
        )
        .unwrap_err();
    assert!(err.to_string().contains("more than it was paid"), "{err}");
    // ...and a bulk load sets that trigger aside, so `check` looks too.
    sql(
        &db,
        &format!(
            "DROP TRIGGER refunds_within_paid;
             INSERT INTO refunds (order_id, amount_minor, actor, created_at) VALUES ({o}, 99999999, 'x', '2026-11-20T00:00:00Z');"
        ),
    );
    fails(
        &check(dir.path(), &db, &[]),
        "refunds",
        &[&format!("order {o}: refunds total 99999999")],
    );
}

#[test]
fn a_title_search_index_out_of_step_with_the_titles_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    // The triggers keep it as titles change.
    sql(
        &db,
        "UPDATE products SET title = '电热 Kettle' WHERE sku = 'SKU-1'",
    );
    cli_support::check_ok(dir.path(), &db);
    sql(
        &db,
        "DELETE FROM products_bigrams WHERE bigram = '电热';
         INSERT INTO products_bigrams (bigram, product_id) VALUES ('耳机', 1);",
    );
    let s = fails(
        &check(dir.path(), &db, &[]),
        "product title search index",
        &["lacks pair \"电热\" for product 1"],
    );
    assert!(s.contains("has a stray pair \"耳机\" for product 1"), "{s}");
}

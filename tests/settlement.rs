//! Merchant settlement (issue 15, docs/settlement.md) on a hand-made shop:
//! every total is compared with a figure worked out by hand below.

#[path = "orders_support/mod.rs"]
mod orders_support;
#[path = "settlement_support/mod.rs"]
mod settlement_support;

use std::path::Path;

use orders_support::*;
use settlement_support::*;
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};
use shopdesk::store::settlement as db;
use shopdesk::{Error, store};

fn audit_rows(path: &Path) -> i64 {
    store::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

fn refused(e: Error, needle: &str) {
    match &e {
        Error::Refused(_) => assert!(e.to_string().contains(needle), "{e}"),
        other => panic!("expected a refusal with {needle:?}, got {other:?}"),
    }
}

fn totals(s: &db::Statement) -> [i64; 7] {
    [
        s.line_count,
        s.sales_minor,
        s.commission_minor,
        s.refunds_minor,
        s.fee_minor,
        s.carried_in_minor,
        s.payable_minor,
    ]
}

#[test]
fn a_hand_made_shop_settles_to_the_fen() {
    let b = build();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    let report = ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T02:00:00Z"),
    )
    .unwrap();
    assert_eq!(report.statements.len(), 3, "{report:?}");

    // M1: O1 3 × 19.99 + 10.00 shipping = 69.97; 3% of the goods 59.97 =
    // 1.7991 → 1.80; the partial refund 15.00; no fee.
    // 69.97 − 1.80 − 15.00 = 53.17.
    let s1 = statement_of(&p, b.m1, "2026-11-01");
    assert_eq!(totals(&s1), [1, 6997, 180, 1500, 0, 0, 5317]);

    // M2: O2 line 1, 2 × 33.33 + 10.00 = 76.66; 8% (食品, the parent of
    // 茶叶) of 66.66 = 5.3328 → 5.33. Its part of O2's 10.00 refund: by
    // sales 76.66 : 12.50, 10.00 × 7666/8916 = 8.598 → 8.59 and 1.40 for
    // M3, the odd fen to the larger remainder (M2): 8.60. Fee: 50.00 − 20.00
    // paid = 30.00. 76.66 − 5.33 − 8.60 − 30.00 = 32.73.
    let s2 = statement_of(&p, b.m2, "2026-11-01");
    assert_eq!(totals(&s2), [1, 7666, 533, 860, 3000, 0, 3273]);

    // M3: O2 line 2, 12.50, 5% default = 0.625 → 0.63 (half up); O3 2 ×
    // 12.50 + 10.00 = 35.00, 5% of 25.00 = 1.25. Refunds: half of the
    // 10.01 dispute ruling (split: the odd fen is the platform's) = 5.00,
    // and 1.40 of O2's. 47.50 − 1.88 − 6.40 = 39.22.
    let s3 = statement_of(&p, b.m3, "2026-11-01");
    assert_eq!(totals(&s3), [2, 4750, 188, 640, 0, 0, 3922]);
    let sources: Vec<String> = db::lines_of(&b.shop.conn(), s1.id)
        .unwrap()
        .into_iter()
        .chain(db::lines_of(&b.shop.conn(), s2.id).unwrap())
        .chain(db::lines_of(&b.shop.conn(), s3.id).unwrap())
        .map(|l| l.line.commission_source)
        .collect();
    assert_eq!(sources, ["merchant", "category", "default", "default"]);

    // Recomputing an unchanged draft changes nothing.
    let again = ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T03:00:00Z"),
    )
    .unwrap();
    assert!(again.changed_nothing(), "{again:?}");

    for s in [&s1, &s2, &s3] {
        ops::settlement::confirm_at(&mut ana, s.id, Some(s.version), t("2026-12-01T04:00:00Z")).unwrap();
    }
    // A second run over the confirmed period changes nothing and says so.
    let rows = audit_rows(&p);
    let frozen = ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T05:00:00Z"),
    )
    .unwrap();
    assert!(frozen.changed_nothing());
    assert!(frozen.statements.iter().all(|l| l.outcome == "frozen"));
    assert_eq!(audit_rows(&p), rows);

    // A refund in December on O3, settled in November: on December's
    // statement, which goes negative (−20.00) and carries into January.
    refund(&p, b.o3, 2000, "2026-12-03T02:00:00Z", None);
    ops::settlement::run_at(
        &mut ana,
        d("2026-12-01"),
        d("2026-12-31"),
        t("2027-01-01T02:00:00Z"),
    )
    .unwrap();
    let dec = statement_of(&p, b.m3, "2026-12-01");
    assert_eq!(totals(&dec), [0, 0, 0, 2000, 0, 0, -2000]);
    assert_eq!(
        db::list(&b.shop.conn(), None, Some("draft")).unwrap().len(),
        1,
        "only M3 had activity"
    );
    ops::settlement::confirm_at(&mut ana, dec.id, None, t("2027-01-01T03:00:00Z")).unwrap();
    let e = ops::settlement::pay_at(&mut ana, dec.id, None, "B1", t("2027-01-01T03:00:00Z")).unwrap_err();
    refused(e, "nothing is owed");

    // January: O5 (4 × 12.50 + 10.00 = 60.00, 5% of 50.00 = 2.50) less the
    // −20.00 carried in: 60.00 − 2.50 − 20.00 = 37.50.
    deliver(&p, b.o5, "2026-12-28T02:00:00Z");
    ops::schedule::tick(&mut ana, t("2027-01-05T02:00:00Z")).unwrap();
    ops::settlement::run_at(
        &mut ana,
        d("2027-01-01"),
        d("2027-01-31"),
        t("2027-02-01T02:00:00Z"),
    )
    .unwrap();
    let jan = statement_of(&p, b.m3, "2027-01-01");
    assert_eq!(totals(&jan), [1, 6000, 250, 0, 0, -2000, 3750]);
    assert_eq!(jan.carried_from, Some(dec.id));

    // Paying November's M1 statement; the open balance is what is confirmed
    // and unpaid (a carried negative balance no longer counts).
    ops::settlement::pay_at(
        &mut ana,
        s1.id,
        None,
        "ICBC-20261205-001",
        t("2026-12-05T02:00:00Z"),
    )
    .unwrap();
    let c = b.shop.conn();
    assert_eq!(db::get(&c, s1.id).unwrap().unwrap().status, "paid");
    assert_eq!(ops::settlement::open_balance(&c, b.m1).unwrap(), 0);
    assert_eq!(ops::settlement::open_balance(&c, b.m2).unwrap(), 3273);
    assert_eq!(ops::settlement::open_balance(&c, b.m3).unwrap(), 3922);
    let bad: Vec<String> = db::problems(&c).unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    assert_checks_pass(&p);
}

#[test]
fn bad_periods_and_wrong_states_are_refused_with_nothing_written() {
    let b = build();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    let now = t("2026-12-01T02:00:00Z");
    match ops::settlement::run_at(&mut ana, d("2026-11-30"), d("2026-11-01"), now) {
        Err(Error::Input(m)) => assert!(m.contains("after it ends"), "{m}"),
        other => panic!("{other:?}"),
    }
    ops::settlement::run_at(&mut ana, d("2026-11-01"), d("2026-11-30"), now).unwrap();
    let s1 = statement_of(&p, b.m1, "2026-11-01");
    // Only an owner confirms or pays.
    let mut lin = b.shop.session("lin");
    refused(
        ops::settlement::confirm_at(&mut lin, s1.id, None, now).unwrap_err(),
        "may not confirm",
    );
    // A period not yet over cannot be confirmed.
    refused(
        ops::settlement::confirm_at(&mut ana, s1.id, None, t("2026-11-30T02:00:00Z")).unwrap_err(),
        "not over yet",
    );
    refused(
        ops::settlement::pay_at(&mut ana, s1.id, None, "X1", now).unwrap_err(),
        &format!("statement {}", s1.id),
    );
    ops::settlement::confirm_at(&mut ana, s1.id, None, now).unwrap();
    let e = ops::settlement::confirm_at(&mut ana, s1.id, None, now).unwrap_err();
    refused(e, "it is confirmed");
    // A period overlapping the confirmed one: refused naming it, nothing written.
    let rows = audit_rows(&p);
    let e = ops::settlement::run_at(&mut ana, d("2026-11-15"), d("2026-12-15"), now).unwrap_err();
    refused(
        e,
        &format!("statement {} (M1 2026-11-01 – 2026-11-30, confirmed)", s1.id),
    );
    assert_eq!(audit_rows(&p), rows);
    assert_eq!(db::list(&b.shop.conn(), None, None).unwrap().len(), 3);
    // A stale draft (a refund issued after it was run) is not confirmed.
    let s3 = statement_of(&p, b.m3, "2026-11-01");
    refund(&p, b.o3, 100, "2026-11-29T02:00:00Z", None);
    refused(
        ops::settlement::confirm_at(&mut ana, s3.id, None, now).unwrap_err(),
        "out of date",
    );
    // The schema refuses what the workflow would: a confirmed statement's
    // figures, lines and existence are frozen.
    let c = b.shop.conn();
    assert!(c.execute("UPDATE settlement_statements SET sales_minor = sales_minor + 1, payable_minor = payable_minor + 1 WHERE id = ?1", [s1.id]).is_err());
    assert!(
        c.execute("DELETE FROM settlement_lines WHERE statement_id = ?1", [s1.id])
            .is_err()
    );
    assert!(
        c.execute("DELETE FROM settlement_statements WHERE id = ?1", [s1.id])
            .is_err()
    );
    assert!(
        c.execute(
            "INSERT INTO settlement_statements (merchant_id, period_from, period_to, computed_at, created_at, updated_at)
             VALUES (?1, '2026-11-20', '2026-12-20', 'x', 'x', 'x')",
            [b.m1]
        )
        .is_err(),
        "overlap"
    );
}

#[test]
fn two_owners_confirming_at_once_one_wins() {
    let b = shop_with_drafts();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    ops::staff::add(&mut ana, "olga", Role::Owner).unwrap();
    let s = statement_of(&p, b.m2, "2026-11-01");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = ["ana", "olga"]
        .into_iter()
        .map(|login| {
            let (path, barrier) = (p.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut s1 = Session::open_as(&path, login).unwrap();
                barrier.wait();
                ops::settlement::confirm_at(&mut s1, s.id, Some(s.version), t("2026-12-01T03:00:00Z"))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    let lost = results.into_iter().find_map(|r| r.err()).unwrap();
    assert!(matches!(lost, Error::Conflict(_) | Error::Refused(_)), "{lost:?}");
    let c = b.shop.conn();
    let after = db::get(&c, s.id).unwrap().unwrap();
    assert_eq!(
        (after.status.as_str(), after.version),
        ("confirmed", s.version + 1)
    );
    let confirms: i64 = c
        .query_row(
            "SELECT count(*) FROM audit_log WHERE entity = 'settlement' AND entity_id = ?1 AND action = 'confirm'",
            [s.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(confirms, 1);
}

#[test]
fn check_names_a_tampered_statement() {
    let b = shop_with_drafts();
    let p = b.shop.path.clone();
    let s = statement_of(&p, b.m1, "2026-11-01");
    let c = b.shop.conn();
    assert!(db::problems(&c).unwrap().is_empty());
    // A draft's line edited behind the workflow's back: its totals no
    // longer add up; a payable written past its CHECK: the formula fails.
    c.execute(
        "UPDATE settlement_lines SET commission_minor = commission_minor + 1 WHERE statement_id = ?1",
        [s.id],
    )
    .unwrap();
    c.execute_batch(&format!(
        "PRAGMA ignore_check_constraints = ON; UPDATE settlement_statements SET payable_minor = payable_minor + 7 WHERE id = {};",
        s.id
    ))
    .unwrap();
    let found = db::problems(&c).unwrap().join("\n");
    assert!(found.contains(&format!("statement {}: totals", s.id)), "{found}");
    assert!(found.contains(&format!("statement {}: payable", s.id)), "{found}");
    let results = store::check::run_all(&c).unwrap();
    assert!(results.iter().any(|r| r.name == "settlement" && !r.ok()));
}

#[test]
fn the_cli_speaks_json_and_exit_codes() {
    let b = build();
    let p = b.shop.path.clone();
    let me = shopdesk::identity::os_login().unwrap();
    let mut ana = b.shop.session("ana");
    ops::staff::add(&mut ana, &me, Role::Owner).unwrap();
    let run = |now: &str, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk"))
            .arg("--db")
            .arg(&p)
            .args(args)
            .env("SHOPDESK_NOW", now)
            .env_remove("SHOPDESK_DB")
            .output()
            .unwrap()
    };
    let now = "2026-12-01T02:00:00Z";
    let out = run(
        now,
        &[
            "settlement",
            "run",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["statements"].as_array().unwrap().len(), 3);
    let list: serde_json::Value =
        serde_json::from_slice(&run(now, &["settlement", "list", "--merchant", "M3", "--json"]).stdout)
            .unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["payable_minor"], 3922);
    assert_eq!(list[0]["merchant_code"], "M3");
    let show: serde_json::Value =
        serde_json::from_slice(&run(now, &["settlement", "show", &id.to_string(), "--json"]).stdout).unwrap();
    assert_eq!(show["lines"].as_array().unwrap().len(), 2);
    assert_eq!(show["charges"].as_array().unwrap().len(), 2);
    assert_eq!(show["lines"][0]["commission_source"], "default");
    // Exit codes: 2 bad usage, 1 refused.
    let bad = run(
        now,
        &["settlement", "run", "--from", "2026-11-30", "--to", "2026-11-01"],
    );
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let draft = run(now, &["settlement", "pay", &id.to_string(), "--ref", "X"]);
    assert_eq!(draft.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&draft.stderr).contains(&format!("statement {id}")));
    assert!(
        run(now, &["settlement", "confirm", &id.to_string()])
            .status
            .success()
    );
    let twice = run(now, &["settlement", "confirm", &id.to_string()]);
    assert_eq!(twice.status.code(), Some(1));
    assert_eq!(
        run(now, &["settlement", "show", "999", "--json"]).status.code(),
        Some(2)
    );
    // The bank file: the one confirmed payable.
    let bank = b.shop.dir.path().join("bank.csv");
    assert!(
        run(
            now,
            &["settlement", "export", "--bank", "-o", bank.to_str().unwrap()]
        )
        .status
        .success()
    );
    let text = std::fs::read_to_string(&bank).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("M3,丙店") && text.contains("39.22,CNY"), "{text}");
}

fn schema_of(path: &Path) -> Vec<(String, String, Option<String>)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut st = c
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A schema 11 file (no settlement tables, the audit log without the
/// `settlement` entity) opens as exactly the shape of a new one, keeping
/// its audit rows.
#[test]
fn a_version_11_file_is_migrated_to_the_schema_of_a_new_one() {
    let shop = Shop::new();
    let fresh = schema_of(&shop.path);
    let c = rusqlite::Connection::open(&shop.path).unwrap();
    let rows: i64 = c
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let mut sql = String::new();
    for (kind, name, _) in &fresh {
        if name.starts_with("settlement_") && kind == "trigger" {
            sql.push_str(&format!("DROP TRIGGER {name};"));
        }
    }
    sql.push_str(
        "DROP TABLE settlement_charges; DROP TABLE settlement_lines; DROP TABLE settlement_statements;
         DROP INDEX orders_completed; DROP INDEX orders_delivered; DROP INDEX refunds_created;",
    );
    c.execute_batch(&sql).unwrap();
    let v11: String = c
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let v11 = v11.replace(", 'settlement')", ")");
    c.execute_batch("PRAGMA writable_schema = ON;").unwrap();
    c.execute(
        "UPDATE sqlite_schema SET sql = ?1 WHERE name = 'audit_log'",
        [&v11],
    )
    .unwrap();
    let v: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0)).unwrap();
    c.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF; PRAGMA user_version = 11;",
        v + 1
    ))
    .unwrap();
    drop(c);
    assert_ne!(schema_of(&shop.path), fresh);
    drop(store::open(&shop.path).unwrap());
    assert_eq!(schema_of(&shop.path), fresh);
    let c = shop.conn();
    let after: i64 = c
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, rows);
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION);
    assert_checks_pass(&shop.path);
}

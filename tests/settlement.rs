//! Merchant settlement (issue 15, docs/settlement.md) on a hand-made shop:
//! every total is compared with a figure worked out by hand below.

#[path = "orders_support/mod.rs"]
mod orders_support;

use std::path::Path;

use chrono::NaiveDate;
use orders_support::*;
use rusqlite::params;
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};
use shopdesk::store::settlement as db;
use shopdesk::{Error, store};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Marks an order delivered at `at` (shipped the day before).
fn deliver(path: &Path, order: i64, at: &str) {
    store::open(path)
        .unwrap()
        .execute(
            "UPDATE orders SET status = 'delivered', carrier = 'SF', tracking_no = 'SF' || id, paid_at = ?2,
                shipped_at = ?2, delivered_at = ?2 WHERE id = ?1",
            params![order, at],
        )
        .unwrap();
}

/// A resolved ticket on `order` that refunded `amount` at `at`; a dispute
/// ruling names its payer.
fn refund(path: &Path, order: i64, amount: i64, at: &str, payer: Option<&str>) -> i64 {
    let c = store::open(path).unwrap();
    let share = match payer {
        Some("merchant") => amount,
        Some("split") => amount / 2,
        _ => 0,
    };
    c.execute(
        "INSERT INTO tickets (order_id, kind, status, subject, opened_at, resolved_at, resolution, refund_minor,
                              ruling_payer, merchant_share_minor, created_at, updated_at)
         VALUES (?1, ?2, 'resolved', 'refund', ?3, ?3, 'refund', ?4, ?5, ?6, ?3, ?3)",
        params![order, if payer.is_some() { "dispute" } else { "return" }, at, amount, payer, share],
    )
    .unwrap();
    let ticket = c.last_insert_rowid();
    c.execute(
        "INSERT INTO refunds (order_id, ticket_id, amount_minor, reason, actor, created_at) VALUES (?1, ?2, ?3, 'test', 'ana', ?4)",
        params![order, ticket, amount, at],
    )
    .unwrap();
    ticket
}

struct Built {
    shop: Shop,
    m1: i64,
    m2: i64,
    m3: i64,
    o3: i64,
    o5: i64,
}

/// Three merchants; a rate from each of the three sources:
/// - M1 has its own 3%;
/// - M2 sells in 茶叶, whose parent 食品 has 8% (茶叶 has none);
/// - M3 sells in 杂货 (no rate): the shop default 5%.
///
/// M2's platform fee is 50.00, of which 20.00 is paid through the ledger.
fn build() -> Built {
    let shop = Shop::new();
    let p = shop.path.clone();
    let m1 = merchant(&p, "M1", "甲店");
    let m2 = merchant(&p, "M2", "乙店");
    let m3 = merchant(&p, "M3", "丙店");
    let c = shop.conn();
    c.execute_batch(&format!(
        "UPDATE merchants SET commission_bp = 300 WHERE id = {m1};
         UPDATE merchants SET platform_fee_minor = 5000 WHERE id = {m2};
         INSERT INTO merchant_ledger (merchant_id, account, kind, amount_minor, created_at, created_by)
             VALUES ({m2}, 'fee', 'pay', 2000, '{NOW}', 'ana');
         INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (1, NULL, '食品', '食品', 800);
         INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (2, 1, '茶叶', '食品/茶叶', NULL);
         INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (3, NULL, '杂货', '杂货', NULL);"
    ))
    .unwrap();
    let p1 = product(&p, m1, "P1", "杯子", 1999, 100);
    let p2 = product(&p, m2, "P2", "龙井", 3333, 100);
    let p3 = product(&p, m3, "P3", "毛巾", 1250, 100);
    c.execute_batch(&format!(
        "UPDATE products SET category_id = 3 WHERE id IN ({p1}, {p3}); UPDATE products SET category_id = 2 WHERE id = {p2};"
    ))
    .unwrap();
    let cu = customer(&p, "C1", "韩梅梅");
    let o1 = order(&p, "O1", cu, m1, &[(p1, 3)], &GOOD);
    let o2 = order(&p, "O2", cu, m2, &[(p2, 2), (p3, 1)], &GOOD);
    let o3 = order(&p, "O3", cu, m3, &[(p3, 2)], &GOOD);
    let o4 = order(&p, "O4", cu, m1, &[(p1, 1)], &GOOD);
    let o5 = order(&p, "O5", cu, m3, &[(p3, 4)], &GOOD);
    for o in [o1, o2, o3] {
        deliver(&p, o, "2026-10-25T02:00:00Z");
    }
    // A cancelled paid order's refund is not the merchant's to bear.
    c.execute(
        "UPDATE orders SET status = 'cancelled', cancel_reason = 'customer', paid_at = ?2, cancelled_at = ?2 WHERE id = ?1",
        params![o4, "2026-11-03T02:00:00Z"],
    )
    .unwrap();
    c.execute(
        "INSERT INTO refunds (order_id, amount_minor, reason, actor, created_at) VALUES (?1, 2999, 'cancelled', 'ana', ?2)",
        params![o4, "2026-11-03T02:00:00Z"],
    )
    .unwrap();
    // The return window (7 days) passed on 11-01: the scheduled completion
    // completes them when it next runs, on 11-05 (shop time 10:00).
    let mut s = shop.session("ana");
    let done = ops::schedule::tick(&mut s, t("2026-11-05T02:00:00Z")).unwrap();
    assert!(done.iter().any(|l| l.contains("3 orders")), "{done:?}");
    assert!(
        ops::schedule::tick(&mut s, t("2026-11-05T02:01:00Z"))
            .unwrap()
            .is_empty()
    );
    // November refunds: a partial refund (M1), a dispute split (M3), a
    // refund on the two-merchant order (allocated by sales).
    refund(&p, o1, 1500, "2026-11-10T02:00:00Z", None);
    refund(&p, o3, 1001, "2026-11-12T02:00:00Z", Some("split"));
    refund(&p, o2, 1000, "2026-11-14T02:00:00Z", None);
    Built {
        shop,
        m1,
        m2,
        m3,
        o3,
        o5,
    }
}

fn statement_of(path: &Path, merchant: i64, from: &str) -> db::Statement {
    let c = store::open(path).unwrap();
    db::list(&c, Some(merchant), None)
        .unwrap()
        .into_iter()
        .find(|l| l.statement.period_from == from)
        .unwrap_or_else(|| panic!("no statement of merchant {merchant} from {from}"))
        .statement
}

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
    let b = build();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    ops::staff::add(&mut ana, "olga", Role::Owner).unwrap();
    ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T02:00:00Z"),
    )
    .unwrap();
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
    let b = build();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T02:00:00Z"),
    )
    .unwrap();
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
fn the_settlement_view_confirms_and_pays_from_keys_and_the_menu() {
    use shopdesk::tui::app::{App, Overlay};
    let b = build();
    let p = b.shop.path.clone();
    let mut ana = b.shop.session("ana");
    ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T02:00:00Z"),
    )
    .unwrap();
    let s2 = statement_of(&p, b.m2, "2026-11-01");
    let mut a = App::new(
        b.shop.session("ana"),
        shopdesk::tui::keymap::Keymap::defaults(),
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(t("2026-12-01T04:00:00Z")),
    );
    a.export_dir = Some(b.shop.dir.path().to_path_buf());
    a.start(80, 24);
    // `$` on Merchants opens the view; the statements by period and state.
    a.press("$");
    assert!(matches!(a.overlay, Some(Overlay::Settlement(_))));
    let text = shopdesk::tui::bench::render_text(&mut a, 80, 24).unwrap();
    assert!(
        text.contains("2026-11-01 – 2026-11-30") && text.contains("乙店"),
        "{text}"
    );
    // The second row is M2's; Enter opens it: totals and the line.
    a.press("j");
    a.press("enter");
    let text = shopdesk::tui::bench::render_text(&mut a, 200, 50).unwrap();
    assert!(
        text.contains("¥32.73") && text.contains("-¥30.00") && text.contains("web:O2#1"),
        "{text}"
    );
    // c asks, y confirms.
    a.press("c");
    a.press("y");
    assert_eq!(
        db::get(&b.shop.conn(), s2.id).unwrap().unwrap().status,
        "confirmed"
    );
    // The action menu's pay: the reference is typed (letters the list
    // keys use go into it), Enter records it.
    a.press("a");
    a.press("j");
    a.press("enter");
    a.type_text("jk-qg-001");
    a.press("enter");
    let row = db::get(&b.shop.conn(), s2.id).unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.pay_ref.as_deref()),
        ("paid", Some("jk-qg-001"))
    );
    // e writes the merchant's CSV beside the exports.
    a.press("e");
    let csv = std::fs::read_to_string(b.shop.dir.path().join(format!("statement-{}.csv", s2.id))).unwrap();
    assert!(
        csv.starts_with("kind,order,line") && csv.contains("payable") && csv.contains("32.73"),
        "{csv}"
    );
    a.press("esc");
    a.press("esc");
    assert!(a.overlay.is_none());
    // The palette reaches it; an operator sees it but may not confirm.
    let mut op = App::new(
        b.shop.session("lin"),
        shopdesk::tui::keymap::Keymap::defaults(),
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(t("2026-12-01T04:00:00Z")),
    );
    op.start(80, 24);
    op.press(":");
    op.type_text("settlement");
    op.press("enter");
    assert!(matches!(op.overlay, Some(Overlay::Settlement(_))));
    op.press("c");
    let text = shopdesk::tui::bench::render_text(&mut op, 80, 24).unwrap();
    assert!(text.contains("may not confirm"), "{text}");
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

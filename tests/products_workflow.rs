//! Product verbs at the ops level: every listing transition through the
//! verb engine, the checklist naming every failing item, refusals that
//! write nothing, master data edits, scheduling with the clock moved
//! forward, stock arithmetic, the merchant's standing and the delist
//! report. The restock arithmetic and the upgrade: products_reports.rs.

mod orders_support;

use orders_support::*;
use rusqlite::params;
use shopdesk::Error;
use shopdesk::ops::verbs::{self, Entity, Value, Values};
use shopdesk::ops::{self, Session};
use shopdesk::store;

fn values(pairs: &[(&'static str, Value)]) -> Values {
    let mut v = Values::default();
    for (n, x) in pairs {
        v.set(n, x.clone());
    }
    v
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn run_at(s: &mut Session, verb: &str, id: i64, v: &Values, at: &str) -> shopdesk::Result<verbs::Outcome> {
    let spec = verbs::find(Entity::Product, verb).unwrap();
    verbs::run_at(s, spec, id, None, v, t(at))
}

fn run(s: &mut Session, verb: &str, id: i64, v: &Values) -> shopdesk::Result<verbs::Outcome> {
    run_at(s, verb, id, v, NOW)
}

fn one(shop: &Shop, sql: &str) -> i64 {
    shop.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn status(shop: &Shop, id: i64) -> String {
    shop.conn()
        .query_row("SELECT status FROM products WHERE id = ?1", [id], |r| r.get(0))
        .unwrap()
}

/// A category path, created.
fn category(shop: &Shop, path: &str) -> i64 {
    let c = shop.conn();
    let name = path.rsplit(" > ").next().unwrap();
    c.execute(
        "INSERT INTO categories (name, path) VALUES (?1, ?2)",
        [name, path],
    )
    .unwrap();
    c.last_insert_rowid()
}

/// A draft that passes the checklist (merchant M1 is direct and active).
fn draft(shop: &Shop, merchant: i64, sku: &str, cat: i64) -> i64 {
    let c = shop.conn();
    c.execute(
        "INSERT INTO products (merchant_id, category_id, sku, title, description, price_minor, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, '蓝牙耳机 ' || ?3, '降噪，续航 30 小时', 19900, 'draft', ?4, ?4)",
        params![merchant, cat, sku, NOW],
    )
    .unwrap();
    c.last_insert_rowid()
}

#[test]
fn every_listing_transition_from_the_verb_engine() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let cat = category(&shop, "Electronics > Audio");
    let p = draft(&shop, m, "BT-01", cat);
    let mut s = shop.session("lin");
    let none = Values::default();
    assert!(
        run(&mut s, "submit", p, &none)
            .unwrap()
            .message
            .contains("submitted")
    );
    assert_eq!(status(&shop, p), "pending_review");
    let o = run(&mut s, "approve", p, &none).unwrap();
    assert_eq!((o.status, o.message.contains("listed")), ("listed", true));
    let o = run(
        &mut s,
        "delist",
        p,
        &values(&[("reason", text("seasonal")), ("note", text("winter"))]),
    )
    .unwrap();
    assert_eq!(o.status, "delisted");
    let reason: String = shop
        .conn()
        .query_row("SELECT delist_reason FROM products WHERE id = ?1", [p], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(reason, "seasonal");
    // Relisting is reviewed again.
    assert_eq!(run(&mut s, "relist", p, &none).unwrap().status, "pending review");
    let o = run(
        &mut s,
        "reject",
        p,
        &values(&[("reason", text("photos are blurry"))]),
    )
    .unwrap();
    assert_eq!(o.status, "rejected");
    assert_eq!(run(&mut s, "redraft", p, &none).unwrap().status, "draft");
    // Every change has its audit row under the verb's name.
    let actions: Vec<String> = shop
        .conn()
        .prepare("SELECT action FROM audit_log WHERE entity = 'product' AND entity_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([p], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        actions,
        ["submit", "approve", "delist", "relist", "reject", "redraft"]
    );
    // The rejection left the merchant a notice.
    assert_eq!(
        one(
            &shop,
            "SELECT count(*) FROM notices WHERE subject LIKE 'Listing not approved: BT-01%'"
        ),
        0
    );
    // (M1 has neither email nor phone: no notice; with a phone, one.)
    shop.conn()
        .execute("UPDATE merchants SET phone = '13800000000' WHERE id = ?1", [m])
        .unwrap();
    run(&mut s, "submit", p, &none).unwrap();
    run(
        &mut s,
        "reject",
        p,
        &values(&[("reason", text("no warranty card"))]),
    )
    .unwrap();
    let body: String = shop
        .conn()
        .query_row(
            "SELECT body FROM notices WHERE subject LIKE 'Listing not approved: BT-01%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(body.contains("no warranty card"), "{body}");
    // The delisting is on record with its reason and category.
    assert_eq!(
        one(
            &shop,
            &format!(
                "SELECT count(*) FROM product_delistings WHERE product_id = {p} AND reason = 'seasonal' AND category_id = {cat}"
            )
        ),
        1
    );
    assert_checks_pass(&shop.path);
}

#[test]
fn wrong_states_and_roles_are_refused_and_write_nothing() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let cat = category(&shop, "Home");
    let p = draft(&shop, m, "A", cat);
    let before = one(&shop, "SELECT count(*) FROM audit_log");
    let mut s = shop.session("lin");
    let e = run(&mut s, "approve", p, &Values::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("it is draft (approve needs pending review)")
            || e.to_string().contains("approve needs"),
        "{e}"
    );
    let e = run(&mut s, "delist", p, &values(&[("reason", text("other"))])).unwrap_err();
    assert!(e.to_string().contains("delist needs listed"), "{e}");
    let e = run(&mut shop.session("mei"), "submit", p, &Values::default()).unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e}");
    assert_eq!(one(&shop, "SELECT count(*) FROM audit_log"), before);
    assert_eq!(status(&shop, p), "draft");
}

#[test]
fn the_checklist_names_every_failing_item() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let c = shop.conn();
    // An agency merchant, suspended; a branded product with nothing filled in.
    c.execute(
        "UPDATE merchants SET cooperation_mode = 'agency', status = 'suspended' WHERE id = ?1",
        [m],
    )
    .unwrap();
    c.execute(
        "INSERT INTO products (merchant_id, sku, branded, brand, status, created_at, updated_at)
         VALUES (?1, 'X', 1, 'Sony', 'pending_review', ?2, ?2)",
        params![m, NOW],
    )
    .unwrap();
    let p = c.last_insert_rowid();
    let before = one(&shop, "SELECT count(*) FROM audit_log");
    let mut s = shop.session("lin");
    let e = run(&mut s, "approve", p, &Values::default())
        .unwrap_err()
        .to_string();
    for item in [
        "the title is empty",
        "the description is empty",
        "the price must be greater than 0",
        "no category is set",
        "the merchant is not active",
        "the brand authorisation is not verified",
    ] {
        assert!(e.contains(item), "{item:?} missing from: {e}");
    }
    assert_eq!(one(&shop, "SELECT count(*) FROM audit_log"), before);
    // Fixed one by one: only the brand authorisation is left, then nothing.
    let cat = category(&shop, "Electronics");
    c.execute(
        "UPDATE products SET title = '耳机', description = 'd', price_minor = 100, category_id = ?2 WHERE id = ?1",
        params![p, cat],
    )
    .unwrap();
    c.execute("UPDATE merchants SET status = 'active' WHERE id = ?1", [m])
        .unwrap();
    let e = run(&mut s, "approve", p, &Values::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("brand authorisation") && !e.contains("title"), "{e}");
    c.execute(
        "INSERT INTO merchant_documents (merchant_id, kind, check_status) VALUES (?1, 'brand_authorisation', 'verified')",
        [m],
    )
    .unwrap();
    assert_eq!(
        run(&mut s, "approve", p, &Values::default()).unwrap().status,
        "listed"
    );
    // A direct merchant's own brand needs no authorisation.
    let m2 = merchant(&shop.path, "M2", "索尼直营");
    let q = draft(&shop, m2, "Y", cat);
    c.execute(
        "UPDATE products SET branded = 1, brand = 'Sony', status = 'pending_review' WHERE id = ?1",
        [q],
    )
    .unwrap();
    assert_eq!(
        run(&mut s, "approve", q, &Values::default()).unwrap().status,
        "listed"
    );
}

#[test]
fn master_data_edits_and_what_sends_a_listed_product_back() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let audio = category(&shop, "Electronics > Audio");
    category(&shop, "Home > Kitchen");
    let p = draft(&shop, m, "A", audio);
    let mut s = shop.session("lin");
    run(&mut s, "submit", p, &Values::default()).unwrap();
    run(&mut s, "approve", p, &Values::default()).unwrap();
    let o = run(
        &mut s,
        "edit",
        p,
        &values(&[
            ("price", Value::Money(25000)),
            ("cost", Value::Money(16000)),
            ("model", text("WH-1000")),
        ]),
    )
    .unwrap();
    assert_eq!(o.status, "listed", "{}", o.message);
    let row = store::products::get(&shop.conn(), p).unwrap().unwrap();
    assert_eq!(
        (row.price_minor, row.cost_minor, row.model.as_str()),
        (25000, Some(16000), "WH-1000")
    );
    assert_eq!(
        shopdesk::domain::product::margin(row.price_minor, row.cost_minor),
        Some(9000)
    );
    // An unknown path is bad input, and nothing is written.
    let v = row.version;
    let e = run(&mut s, "edit", p, &values(&[("category", text("No > Such"))])).unwrap_err();
    assert!(matches!(e, Error::Input(_)), "{e}");
    assert_eq!(store::products::get(&shop.conn(), p).unwrap().unwrap().version, v);
    // The same values again change nothing (no audit row).
    let n = one(&shop, "SELECT count(*) FROM audit_log");
    run(&mut s, "edit", p, &values(&[("price", Value::Money(25000))])).unwrap();
    assert_eq!(one(&shop, "SELECT count(*) FROM audit_log"), n);
    // A new category sends it back to review; so does a brand.
    let o = run(&mut s, "edit", p, &values(&[("category", text("Home >Kitchen"))])).unwrap();
    assert_eq!(o.status, "pending review", "{}", o.message);
    run(&mut s, "approve", p, &Values::default()).unwrap();
    let o = run(&mut s, "edit", p, &values(&[("brand", text("Sony"))])).unwrap();
    assert_eq!(o.status, "pending review");
}

#[test]
fn scheduled_listing_waits_for_approval_and_its_time() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let cat = category(&shop, "Home");
    let p = draft(&shop, m, "A", cat);
    let q = draft(&shop, m, "B", cat);
    let mut s = shop.session("lin");
    let later = "2026-11-20T12:00:00Z";
    for id in [p, q] {
        run(
            &mut s,
            "schedule",
            id,
            &values(&[("list_at", Value::Time(t(later)))]),
        )
        .unwrap();
        run(&mut s, "submit", id, &Values::default()).unwrap();
    }
    // p is approved before its time: it waits; q is never approved.
    let o = run(&mut s, "approve", p, &Values::default()).unwrap();
    assert_eq!(o.status, "pending review", "{}", o.message);
    assert!(
        ops::schedule::tick(&mut s, t("2026-11-20T11:59:00Z"))
            .unwrap()
            .is_empty()
    );
    let done = ops::schedule::tick(&mut s, t("2026-11-20T12:00:30Z")).unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert!(done[0].contains("listed as scheduled"), "{done:?}");
    assert_eq!(
        (status(&shop, p), status(&shop, q)),
        ("listed".into(), "pending_review".into())
    );
    let actor: String = shop
        .conn()
        .query_row(
            "SELECT actor FROM audit_log WHERE entity = 'product' AND entity_id = ?1 ORDER BY id DESC LIMIT 1",
            [p],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actor, "system");
    // A delisting two minutes later, with its reason; applying twice changes nothing.
    let at = "2026-11-20T12:05:00Z";
    run_at(
        &mut s,
        "schedule",
        p,
        &values(&[
            ("delist_at", Value::Time(t("2026-11-20T12:07:00Z"))),
            ("reason", text("replaced")),
        ]),
        at,
    )
    .unwrap();
    assert!(
        ops::schedule::tick(&mut s, t("2026-11-20T12:06:59Z"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ops::schedule::tick(&mut s, t("2026-11-20T12:07:01Z"))
            .unwrap()
            .len(),
        1
    );
    assert!(
        ops::schedule::tick(&mut s, t("2026-11-20T12:08:00Z"))
            .unwrap()
            .is_empty()
    );
    let (st, reason): (String, String) = shop
        .conn()
        .query_row(
            "SELECT status, delist_reason FROM products WHERE id = ?1",
            [p],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((st.as_str(), reason.as_str()), ("delisted", "replaced"));
    // An approved listing whose checklist fails at its time is not listed:
    // its approval is withdrawn, said once.
    let r = draft(&shop, m, "C", cat);
    run_at(
        &mut s,
        "schedule",
        r,
        &values(&[("list_at", Value::Time(t("2026-11-20T13:00:00Z")))]),
        at,
    )
    .unwrap();
    run_at(&mut s, "submit", r, &Values::default(), at).unwrap();
    run_at(&mut s, "approve", r, &Values::default(), at).unwrap();
    shop.conn()
        .execute("UPDATE products SET description = '' WHERE id = ?1", [r])
        .unwrap();
    let done = ops::schedule::tick(&mut s, t("2026-11-20T13:00:01Z")).unwrap();
    assert!(
        done.len() == 1 && done[0].contains("approval withdrawn: the description is empty"),
        "{done:?}"
    );
    assert!(
        ops::schedule::tick(&mut s, t("2026-11-20T13:01:01Z"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(status(&shop, r), "pending_review");
    // A time in the past is bad input.
    let e = run_at(
        &mut s,
        "schedule",
        q,
        &values(&[("list_at", Value::Time(t(NOW)))]),
        later,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Input(_)), "{e}");
    assert_checks_pass(&shop.path);
}

#[test]
fn stock_receive_and_count_add_up_in_the_ledger() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let p = product(&shop.path, m, "A", "茶杯", 1200, 10);
    let cust = customer(&shop.path, "C1", "李雷");
    let o = order(&shop.path, "W1", cust, m, &[(p, 4)], &GOOD);
    let mut s = shop.session("lin");
    ops::orders::act(&mut s, o, None, &shopdesk::domain::order::OrderAction::Pay).unwrap();
    assert_eq!(stock(&shop.path, p), (10, 4));
    run(
        &mut s,
        "stock_receive",
        p,
        &values(&[("qty", Value::Int(5)), ("note", text("DN-7"))]),
    )
    .unwrap();
    assert_eq!(stock(&shop.path, p), (15, 4));
    let o = run(
        &mut s,
        "stock_count",
        p,
        &values(&[("counted", Value::Int(12)), ("reason", text("2 broken, 1 lost"))]),
    )
    .unwrap();
    assert!(o.message.contains("-3"), "{}", o.message);
    assert_eq!(stock(&shop.path, p), (12, 4));
    // Below what is reserved: refused, nothing written.
    let n = one(&shop, "SELECT count(*) FROM stock_movements");
    let e = run(
        &mut s,
        "stock_count",
        p,
        &values(&[("counted", Value::Int(3)), ("reason", text("x"))]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Input(m) if m.contains("below the 4 reserved")),
        "{e}"
    );
    assert_eq!(one(&shop, "SELECT count(*) FROM stock_movements"), n);
    // A count that matches writes no movement but is audited.
    run(
        &mut s,
        "stock_count",
        p,
        &values(&[("counted", Value::Int(12)), ("reason", text("weekly"))]),
    )
    .unwrap();
    assert_eq!(one(&shop, "SELECT count(*) FROM stock_movements"), n);
    let kinds: Vec<(String, i64, String)> = shop
        .conn()
        .prepare("SELECT kind, on_hand_delta, note FROM stock_movements WHERE product_id = ?1 AND kind IN ('receive', 'adjust') ORDER BY id")
        .unwrap()
        .query_map([p], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        kinds,
        [
            ("receive".into(), 10, "test stock".into()),
            ("receive".into(), 5, "DN-7".into()),
            ("adjust".into(), -3, "2 broken, 1 lost".into())
        ]
    );
    assert_checks_pass(&shop.path);
}

#[test]
fn suspension_hides_products_and_termination_delists_them() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let cat = category(&shop, "Home");
    let p = draft(&shop, m, "A", cat);
    let mut s = shop.session("lin");
    run(&mut s, "submit", p, &Values::default()).unwrap();
    run(&mut s, "approve", p, &Values::default()).unwrap();
    let mv = |name: &str, v: &Values, s: &mut Session| {
        let spec = verbs::find(Entity::Merchant, name).unwrap();
        verbs::run_at(s, spec, m, None, v, now()).unwrap()
    };
    mv("suspend", &values(&[("reason", text("audit"))]), &mut s);
    assert_eq!(status(&shop, p), "delisted");
    let row = store::products::get(&shop.conn(), p).unwrap().unwrap();
    assert!(store::products::listing_facts(&shop.conn(), &row).unwrap().hidden);
    // Not approvable while the merchant is suspended.
    run(&mut s, "relist", p, &Values::default()).unwrap();
    let e = run(&mut s, "approve", p, &Values::default()).unwrap_err();
    assert!(e.to_string().contains("the merchant is not active"), "{e}");
    mv("reinstate", &Values::default(), &mut s);
    run(&mut s, "approve", p, &Values::default()).unwrap();
    mv(
        "terminate",
        &values(&[("reason", text("fraud")), ("cause", text("violation"))]),
        &mut s,
    );
    let reason: String = shop
        .conn()
        .query_row("SELECT delist_reason FROM products WHERE id = ?1", [p], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(reason, "violation");
    // The report counts every path that delisted it.
    let rows =
        store::products::delist_report(&shop.conn(), "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z").unwrap();
    let by: Vec<(String, i64)> = rows.iter().map(|r| (r.reason.clone(), r.n)).collect();
    assert_eq!(by, [("other".to_string(), 1), ("violation".to_string(), 1)]);
    assert_eq!(rows[0].category.as_deref(), Some("Home"));
}

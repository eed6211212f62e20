//! The inventory figures on a small hand-made history (restock
//! suggestion, ABC, slow movers, the stored figures the screens read) and
//! the schema 5 → 6 upgrade.

mod orders_support;

use orders_support::*;
use rusqlite::params;
use shopdesk::ops::Session;
use shopdesk::ops::products::{self as products, reports};
use shopdesk::ops::verbs::{self, Entity, Value, Values};
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

fn run(s: &mut Session, verb: &str, id: i64, v: &Values) -> shopdesk::Result<verbs::Outcome> {
    let spec = verbs::find(Entity::Product, verb).unwrap();
    verbs::run_at(s, spec, id, None, v, now())
}

/// A hand-made history: 45 units paid in the last 30 days (and 100 more
/// before, which do not count), lead time 7 days.
#[test]
fn restock_arithmetic_on_a_small_history() {
    let shop = Shop::new();
    let m = merchant(&shop.path, "M1", "星辰电子");
    let p = product(&shop.path, m, "A", "茶杯", 1000, 200);
    let other = product(&shop.path, m, "B", "茶壶", 5000, 200);
    let cust = customer(&shop.path, "C1", "李雷");
    let c = shop.conn();
    let mut n = 0;
    for (qty, placed) in [
        (20, "2026-11-01T08:00:00Z"),
        (25, "2026-11-19T08:00:00Z"),
        (100, "2026-09-01T08:00:00Z"),
    ] {
        n += 1;
        let o = order(&shop.path, &format!("H{n}"), cust, m, &[(p, qty)], &GOOD);
        c.execute(
            "UPDATE orders SET status = 'completed', placed_at = ?2, paid_at = ?2, shipped_at = ?2, delivered_at = ?2,
                    carrier = 'SF', tracking_no = 'SF' || id WHERE id = ?1",
            params![o, placed],
        )
        .unwrap();
    }
    // A cancelled order does not count.
    let x = order(&shop.path, "HX", cust, m, &[(p, 50)], &GOOD);
    c.execute(
        "UPDATE orders SET status = 'cancelled', cancel_reason = 'x', paid_at = placed_at WHERE id = ?1",
        [x],
    )
    .unwrap();
    // Under the line: 4 available of a line of 5 (stock taken out by a count).
    let mut s = shop.session("lin");
    run(
        &mut s,
        "stock_count",
        p,
        &values(&[("counted", Value::Int(4)), ("reason", text("shrink"))]),
    )
    .unwrap();
    run(&mut s, "edit", p, &values(&[("threshold", Value::Int(5))])).unwrap();
    let list = reports::restock_list(&s.conn, now()).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    // 45 units / 30 days × 7 = 10.5 → 11, less 4 available = 7.
    assert_eq!(
        (
            list[0].sku.as_str(),
            list[0].units_30d,
            list[0].available,
            list[0].suggested
        ),
        ("A", 45, 4, 7)
    );
    c.execute("UPDATE inventory_settings SET restock_lead_days = 14", [])
        .unwrap();
    assert_eq!(
        reports::restock_list(&s.conn, now()).unwrap()[0].suggested,
        21 - 4
    );
    // ABC: A sold 100 + 45 units of ¥10 within 90 days (1 September is 80 days back); B nothing.
    let abc = reports::abc(&s.conn, now()).unwrap();
    assert_eq!(abc[0].sku, "A");
    assert_eq!(abc[0].class, 'A');
    assert_eq!(abc[0].revenue_90d_minor, 145 * 1000);
    assert_eq!(abc.iter().find(|l| l.sku == "B").unwrap().class, 'C');
    // Slow movers: B is listed, in stock and never sold; A sold yesterday.
    let slow = reports::slow_movers(&s.conn, now(), 30).unwrap();
    assert_eq!(slow.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(), ["B"]);
    let _ = other;
    // The stored figures the screens read agree with the report.
    reports::refresh_stats_at(&mut s, now(), true).unwrap();
    let st = store::products::stored_stat(&s.conn, p).unwrap().unwrap();
    assert_eq!((st.units_30d, st.units_90d, st.abc), (45, 145, 'A'));
    let counts: (i64, i64, i64) = shop
        .conn()
        .query_row("SELECT abc_a, abc_b, abc_c FROM inventory_settings", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(counts, (1, 0, 1), "the chips' counts are kept with the figures");
    let _ = products::label(&s.conn, p).unwrap();
}

#[test]
fn a_schema_5_file_is_upgraded_to_the_schema_of_a_new_one() {
    let shop = Shop::new();
    let fresh = {
        let c = shop.conn();
        let mut st = c
            .prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let m = merchant(&shop.path, "M1", "星辰电子");
    let p = product(&shop.path, m, "A", "茶杯", 1000, 5);
    {
        let c = rusqlite::Connection::open(&shop.path).unwrap();
        c.execute_batch(
            "DROP TRIGGER products_delisted; DROP TABLE product_delistings; DROP TABLE product_stats;
             DROP TABLE inventory_settings; DROP INDEX products_list_at; DROP INDEX products_delist_at;
             DROP INDEX products_low;
             ALTER TABLE products DROP COLUMN approved_at; ALTER TABLE products DROP COLUMN after_sales;
             ALTER TABLE products DROP COLUMN warranty_months; ALTER TABLE products DROP COLUMN cost_minor;
             ALTER TABLE products DROP COLUMN branded; ALTER TABLE products DROP COLUMN model;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let c = store::open(&shop.path).unwrap();
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION);
    let mut st = c
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
        .unwrap();
    let now_schema: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(now_schema, fresh);
    let row = store::products::get(&c, p).unwrap().unwrap();
    assert_eq!(
        (row.after_sales.as_str(), row.stock_on_hand),
        ("7-day no-reason return", 5)
    );
}

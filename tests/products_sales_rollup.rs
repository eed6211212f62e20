//! The product sales rollup (`product_sales_days`) after order writes of
//! every kind equals a recomputation from the order lines: paying,
//! cancelling, merging, a line's quantity, price, product and order
//! changed, a line deleted, an order moved to another day, lines inserted
//! into a paid order. The figures the ABC class, slow movers and turnover
//! read (`reports::stats_now`) equal the ones recomputed from the lines,
//! and `check` passes.

mod orders_support;

use orders_support::*;
use rusqlite::params;
use shopdesk::domain::order::OrderAction;
use shopdesk::ops::orders;
use shopdesk::ops::products::reports;
use shopdesk::store;

fn assert_rollup_is_the_lines(shop: &Shop, what: &str) {
    let conn = shop.conn();
    let diff = store::products::sales::differences(&conn, 50).unwrap();
    assert!(diff.is_empty(), "after {what}:\n{}", diff.join("\n"));
    let kept = reports::stats_now(&conn, now()).unwrap();
    let fresh = reports::stats_recomputed(&conn, now()).unwrap();
    assert_eq!(kept, fresh, "after {what}");
}

fn units(shop: &Shop, product: i64) -> i64 {
    shop.conn()
        .query_row(
            "SELECT coalesce(sum(units), 0) FROM product_sales_days WHERE product_id = ?1",
            [product],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_rollup_follows_every_order_write() {
    let shop = Shop::new();
    let p = &shop.path;
    let m = merchant(p, "M001", "星辰电子");
    let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 100);
    let cable = product(p, m, "CB-02", "USB-C 数据线", 1500, 100);
    let mug = product(p, m, "MG-03", "青花瓷茶杯", 1200, 100);
    let c = customer(p, "C001", "李雷");
    let act = |id: i64, a: OrderAction| {
        orders::act_at(&mut shop.session("lin"), id, None, &a, now()).unwrap();
    };

    // Unpaid orders are no sales.
    let a = order(p, "W1", c, m, &[(ear, 2), (cable, 1)], &GOOD);
    let b = order(p, "W2", c, m, &[(ear, 1)], &GOOD);
    let x = order(p, "W3", c, m, &[(mug, 3)], &GOOD);
    assert_rollup_is_the_lines(&shop, "unpaid orders");
    assert_checks_pass(p);
    assert_eq!(units(&shop, ear), 0);

    act(a, OrderAction::Pay);
    act(b, OrderAction::Pay);
    act(x, OrderAction::Pay);
    assert_rollup_is_the_lines(&shop, "paying");
    assert_eq!(units(&shop, ear), 3);

    // A merge moves the lines and the merged-away order stops counting.
    orders::merge_at(&mut shop.session("lin"), a, b, None, now()).unwrap();
    assert_rollup_is_the_lines(&shop, "a merge");
    assert_eq!(units(&shop, ear), 3, "the same units, now on one order");

    act(
        x,
        OrderAction::Cancel {
            reason: "买家取消".into(),
        },
    );
    assert_rollup_is_the_lines(&shop, "a cancellation");
    assert_eq!(units(&shop, mug), 0);
    assert_checks_pass(p);

    // Writes the verbs do not make, straight to the tables (an import, a
    // repair by hand): every one is followed too.
    let conn = shop.conn();
    let line = |order: i64| -> i64 {
        conn.query_row(
            "SELECT min(id) FROM order_lines WHERE order_id = ?1",
            [order],
            |r| r.get(0),
        )
        .unwrap()
    };
    let bl = line(b);
    conn.execute("UPDATE order_lines SET qty = 5 WHERE id = ?1", [bl])
        .unwrap();
    assert_rollup_is_the_lines(&shop, "a quantity changed");
    conn.execute(
        "UPDATE order_lines SET unit_price_minor = 100 WHERE id = ?1",
        [bl],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "a price changed");
    conn.execute(
        "UPDATE order_lines SET product_id = ?2 WHERE id = ?1",
        params![bl, mug],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "a line's product changed");
    // Another day, then back into the cancelled order (which does not count).
    conn.execute(
        "UPDATE orders SET placed_at = '2026-10-01T23:59:59Z' WHERE id = ?1",
        [b],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "an order moved to another day");
    conn.execute(
        "UPDATE order_lines SET order_id = ?2 WHERE id = ?1",
        params![bl, x],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "a line moved to a cancelled order");
    conn.execute(
        "INSERT INTO order_lines (order_id, line_no, product_id, merchant_id, qty, unit_price_minor)
         VALUES (?1, 90, ?2, ?3, 4, 1500), (?1, 91, ?2, ?3, 1, 1400)",
        params![b, cable, m],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "lines added to a paid order");
    // The later of two sales that day goes: the last sale is the other.
    conn.execute(
        "DELETE FROM order_lines WHERE order_id = ?1 AND line_no = 91",
        [b],
    )
    .unwrap();
    assert_rollup_is_the_lines(&shop, "a line deleted");
    conn.execute("DELETE FROM order_lines WHERE order_id = ?1", [x])
        .unwrap();
    assert_rollup_is_the_lines(&shop, "a cancelled order's lines deleted");
    drop(conn);

    // `check` agrees (the hand edits above upset other checks: stock
    // reservations, audit images), and reports a rollup edited by hand.
    let rollup_check = || {
        store::check::run_all(&shop.conn())
            .unwrap()
            .into_iter()
            .find(|r| r.name == "product sales rollup")
            .expect("the check runs")
    };
    assert!(rollup_check().ok(), "{:?}", rollup_check().problems);
    shop.conn()
        .execute(
            "UPDATE product_sales_days SET units = units + 1 WHERE product_id = ?1",
            [cable],
        )
        .unwrap();
    let bad = rollup_check();
    assert!(!bad.ok(), "{:?}", bad.problems);
    assert!(
        bad.problems[0].contains(&format!("product {cable} on ")),
        "{:?}",
        bad.problems
    );
}

#[test]
fn a_rebuild_gives_what_the_triggers_kept() {
    let shop = Shop::new();
    let p = &shop.path;
    let m = merchant(p, "M001", "星辰电子");
    let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 100);
    let c = customer(p, "C001", "李雷");
    for i in 0..5 {
        let id = order(p, &format!("W{i}"), c, m, &[(ear, 1 + i)], &GOOD);
        orders::act_at(&mut shop.session("lin"), id, None, &OrderAction::Pay, now()).unwrap();
    }
    let conn = shop.conn();
    let read = || -> Vec<(i64, String, i64, i64, String)> {
        conn.prepare(
            "SELECT product_id, day, units, revenue_minor, last_at FROM product_sales_days ORDER BY 1, 2",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    };
    let kept = read();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].2, 15);
    conn.execute_batch(store::products::sales::REBUILD).unwrap();
    assert_eq!(read(), kept);
}

#[test]
fn a_schema_11_file_gets_the_rollup_summed_from_its_orders() {
    let shop = Shop::new();
    let p = &shop.path;
    let m = merchant(p, "M001", "星辰电子");
    let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 100);
    let c = customer(p, "C001", "李雷");
    for i in 0..3 {
        let id = order(p, &format!("W{i}"), c, m, &[(ear, 2)], &GOOD);
        orders::act_at(&mut shop.session("lin"), id, None, &OrderAction::Pay, now()).unwrap();
    }
    let schema = |conn: &rusqlite::Connection| -> Vec<(String, Option<String>)> {
        conn.prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let fresh = schema(&shop.conn());
    // What schema 11 had: none of the rollup.
    let mut old = String::new();
    for t in store::products::sales::TRIGGERS {
        old.push_str(&format!("DROP TRIGGER {t};"));
    }
    old.push_str("DROP VIEW product_sale_facts; DROP TABLE product_sales_days; PRAGMA user_version = 11;");
    rusqlite::Connection::open(p)
        .unwrap()
        .execute_batch(&old)
        .unwrap();
    let conn = shop.conn();
    assert_eq!(schema(&conn), fresh, "upgraded to exactly the new shape");
    assert!(store::products::sales::differences(&conn, 10).unwrap().is_empty());
    assert_eq!(units(&shop, ear), 6, "summed from the orders already there");
}

//! The hand-made shop the settlement tests share (tests/settlement.rs,
//! tests/settlement_view.rs): three merchants, a commission rate from each
//! source, refunds of every kind.
#![allow(dead_code)]

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::params;
use shopdesk::ops;
use shopdesk::store;
use shopdesk::store::settlement as db;

use super::orders_support::*;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Marks an order delivered at `at` (shipped the day before).
pub fn deliver(path: &Path, order: i64, at: &str) {
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
pub fn refund(path: &Path, order: i64, amount: i64, at: &str, payer: Option<&str>) -> i64 {
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

pub struct Built {
    pub shop: Shop,
    pub m1: i64,
    pub m2: i64,
    pub m3: i64,
    pub o3: i64,
    pub o5: i64,
}

/// Three merchants; a rate from each of the three sources:
/// - M1 has its own 3%;
/// - M2 sells in 茶叶, whose parent 食品 has 8% (茶叶 has none);
/// - M3 sells in 杂货 (no rate): the shop default 5%.
///
/// M2's platform fee is 50.00, of which 20.00 is paid through the ledger.
pub fn build() -> Built {
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

pub fn statement_of(path: &Path, merchant: i64, from: &str) -> db::Statement {
    let c = store::open(path).unwrap();
    db::list(&c, Some(merchant), None)
        .unwrap()
        .into_iter()
        .find(|l| l.statement.period_from == from)
        .unwrap_or_else(|| panic!("no statement of merchant {merchant} from {from}"))
        .statement
}

/// The shop with November's drafts run (as an owner, on 12-01).
pub fn shop_with_drafts() -> Built {
    let b = build();
    let mut ana = b.shop.session("ana");
    ops::settlement::run_at(
        &mut ana,
        d("2026-11-01"),
        d("2026-11-30"),
        t("2026-12-01T02:00:00Z"),
    )
    .unwrap();
    b
}

//! The KPI rollups (`kpi_hours`) always equal a recomputation from the
//! orders, whatever sequence of workflow calls, reviews and refunds came
//! before: a property test over random sequences, checked with the same
//! comparison `shopdesk check` runs.

mod orders_support;

use orders_support::*;
use proptest::prelude::*;
use rusqlite::params;
use shopdesk::domain::order::{HoldReason, OrderAction};
use shopdesk::ops::orders;
use shopdesk::store;

const ORDERS: usize = 8;

/// Periods over the days the orders' placed times range across.
const PERIODS: [(&str, &str); 10] = [
    ("2026-11-18T16:00:00Z", "2026-11-21T16:00:00Z"),
    ("2026-11-19T16:00:00Z", "2026-11-20T16:00:00Z"),
    ("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"),
    ("2026-11-19T18:30:00Z", "2026-11-21T18:30:00Z"),
    ("2026-11-20T03:00:00Z", "2026-11-20T09:00:00Z"),
    ("2026-11-19T12:00:00Z", "2026-11-20T00:00:00Z"),
    ("2026-11-20T00:00:00Z", "2026-11-20T11:00:00Z"),
    ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    // November whole, from the top-list month rollups.
    ("2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"),
    ("2026-11-01T00:00:00Z", "2026-11-20T20:00:00Z"),
];

#[derive(Debug, Clone)]
enum Step {
    Act(usize, u8),
    Merge(usize, usize),
    Review(usize, i64),
    DropReview(usize),
    Refund(usize, i64, bool),
    Replace(usize, u8),
    /// A message on the n-th ticket, `hours` after NOW: staff or not, public or not.
    Reply(usize, u8, bool, bool),
    /// A change to the n-th ticket at an hour of the two days around NOW:
    /// resolved (with a due time and scores), reopened, its kind and
    /// reason changed, its opening moved, or deleted.
    Ticket(usize, u8, u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..ORDERS, 0u8..11).prop_map(|(o, a)| Step::Act(o, a)),
        1 => (0..ORDERS, 0..ORDERS).prop_map(|(a, b)| Step::Merge(a, b)),
        2 => (0..ORDERS, 1i64..=5).prop_map(|(o, s)| Step::Review(o, s)),
        1 => (0..ORDERS).prop_map(Step::DropReview),
        // Small enough that forty of them stay within what an order is
        // worth (refunds_within_paid refuses more).
        1 => (0..ORDERS, 1i64..500, any::<bool>()).prop_map(|(o, a, t)| Step::Refund(o, a, t)),
        1 => (0..ORDERS, 0u8..48).prop_map(|(o, h)| Step::Replace(o, h)),
        2 => (0..ORDERS, 0u8..48, any::<bool>(), any::<bool>()).prop_map(|(n, h, s, i)| Step::Reply(n, h, s, i)),
        2 => (0..ORDERS, 0u8..48, 0u8..5).prop_map(|(n, h, k)| Step::Ticket(n, h, k)),
    ]
}

fn action(a: u8) -> OrderAction {
    match a {
        0 => OrderAction::Pay,
        1 => OrderAction::Approve,
        2 => OrderAction::Hold(HoldReason::CustomerRequest),
        3 => OrderAction::Release,
        4 => OrderAction::Pick,
        5 => OrderAction::Pack { weight_g: 500 },
        6 => OrderAction::Ship {
            carrier: "SF".into(),
            tracking: "SF1".into(),
        },
        7 => OrderAction::Deliver,
        8 => OrderAction::Complete,
        _ => OrderAction::Cancel {
            reason: "客户取消".into(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn rollups_equal_a_recomputation_after_any_sequence(steps in prop::collection::vec(step(), 1..40)) {
        let shop = Shop::new();
        let p = &shop.path;
        let m = merchant(p, "M001", "星辰电子");
        let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 100);
        let cable = product(p, m, "CB-02", "USB-C 数据线", 1500, 100);
        let custs = [customer(p, "C001", "李雷"), customer(p, "C002", "韩梅梅")];
        let ids: Vec<i64> = (0..ORDERS)
            .map(|i| order(p, &format!("W{i}"), custs[i % 3 / 2], m, &[(ear, 1 + i as i64 % 2), (cable, 1)], &GOOD))
            .collect();
        let mut s = shop.session("ana");
        let conn = shop.conn();
        let mut reviews: Vec<i64> = Vec::new();
        for st in &steps {
            match st {
                // Refusals (a wrong state) are part of the sequence: they
                // must leave the rollups alone too.
                Step::Act(o, a) => {
                    let _ = orders::act(&mut s, ids[*o], None, &action(*a));
                }
                Step::Merge(a, b) => {
                    let _ = orders::act(&mut s, ids[*a], None, &OrderAction::MergeInto(ids[*b]));
                }
                Step::Review(o, score) => {
                    conn.execute(
                        "INSERT INTO reviews (order_id, score, created_at) VALUES (?1, ?2, ?3)",
                        params![ids[*o], score, NOW],
                    )
                    .unwrap();
                    reviews.push(conn.last_insert_rowid());
                }
                Step::DropReview(i) => {
                    if let Some(id) = reviews.get(*i).copied() {
                        conn.execute("DELETE FROM reviews WHERE id = ?1", [id]).unwrap();
                    }
                }
                Step::Refund(o, amount, on_ticket) => {
                    let ticket: Option<i64> = on_ticket.then(|| {
                        conn.execute(
                            "INSERT INTO tickets (order_id, kind, opened_at, created_at, updated_at)
                             VALUES (?1, 'return', ?2, ?2, ?2)",
                            params![ids[*o], NOW],
                        )
                        .unwrap();
                        conn.last_insert_rowid()
                    });
                    // Past what the order is worth (a merged order is worth
                    // nothing of its own) the schema refuses the refund and
                    // writes nothing: a refusal, like a verb's.
                    let res = conn.execute(
                        "INSERT INTO refunds (order_id, ticket_id, amount_minor, actor, created_at)
                         VALUES (?1, ?2, ?3, 'ana', ?4)",
                        params![ids[*o], ticket, amount, NOW],
                    );
                    if let Err(e) = res {
                        prop_assert!(e.to_string().contains("more than it was paid"), "{e}");
                    }
                }
                // An order's placed time moved to another hour (two days of
                // hours either side of the shop's midnight).
                Step::Reply(n, h, staff, internal) => {
                    let ticket: Option<i64> = conn
                        .query_row("SELECT id FROM tickets ORDER BY id LIMIT 1 OFFSET ?1", [*n as i64], |r| r.get(0))
                        .ok();
                    if let Some(t) = ticket {
                        let at = format!("2026-11-{:02}T{:02}:10:00Z", 21 + h / 24, h % 24);
                        conn.execute(
                            "INSERT INTO ticket_messages (ticket_id, author, author_kind, internal, body, created_at)
                             VALUES (?1, 'ana', ?2, ?3, 'hi', ?4)",
                            params![t, if *staff { "staff" } else { "customer" }, *internal as i64, at],
                        )
                        .unwrap();
                    }
                }
                Step::Ticket(n, h, k) => {
                    let ticket: Option<i64> = conn
                        .query_row("SELECT id FROM tickets ORDER BY id LIMIT 1 OFFSET ?1", [*n as i64], |r| r.get(0))
                        .ok();
                    let at = format!("2026-11-{:02}T{:02}:20:00Z", 19 + h / 24, h % 24);
                    let due = format!("2026-11-{:02}T{:02}:00:00Z", 19 + (h + 7) / 24 % 3, (h + 7) % 24);
                    if let Some(t) = ticket {
                        let sql = match k {
                            0 => "UPDATE tickets SET resolved_at = ?2, resolve_due_at = ?3,
                                      sat_attitude = 1 + length(?2) % 5, sat_overall = 4 WHERE id = ?1",
                            1 => "UPDATE tickets SET resolved_at = NULL, sat_attitude = NULL, sat_overall = NULL
                                  WHERE id = ?1 AND length(?2 || ?3) > 0",
                            2 => "UPDATE tickets SET kind = CASE kind WHEN 'complaint' THEN 'return' ELSE 'complaint' END,
                                      reason = CASE WHEN reason IS NULL THEN 'quality.damaged' END
                                  WHERE id = ?1 AND length(?2 || ?3) > 0",
                            3 => "UPDATE tickets SET opened_at = ?2 WHERE id = ?1 AND length(?3) > 0",
                            // Refused while a refund names it: a refusal
                            // must leave the rollups alone too.
                            _ => "DELETE FROM tickets WHERE id = ?1 AND length(?2 || ?3) > 0",
                        };
                        match conn.execute(sql, params![t, at, due]) {
                            Ok(_) => {}
                            Err(e) if *k == 4 && e.to_string().contains("FOREIGN KEY") => {}
                            Err(e) => prop_assert!(false, "{sql}: {e}"),
                        }
                    }
                }
                Step::Replace(o, h) => {
                    let at = format!("2026-11-{:02}T{:02}:30:00Z", 19 + h / 24, h % 24);
                    conn.execute("UPDATE orders SET placed_at = ?2 WHERE id = ?1", params![ids[*o], at]).unwrap();
                }
            }
        }
        let mut differences = store::kpi::rollup_differences(&conn, 10).unwrap();
        differences.extend(store::kpi::chain_differences(&conn, 10).unwrap());
        differences.extend(store::kpi_chain::chain_day_differences(&conn, 10).unwrap());
        differences.extend(store::kpi_tops::differences(&conn, 10).unwrap());
        differences.extend(store::kpi_tickets::differences(&conn, 10).unwrap());
        differences.extend(store::kpi_tickets::count_differences(&conn, 10).unwrap());
        prop_assert!(differences.is_empty(), "{differences:#?}");
        // The customer figures from the day rollups equal one pass over the
        // chains, for periods with whole days and part days at either end
        // (the shop's midnight is 16:00 UTC; :30 for a zone like +05:30).
        for (from, to) in PERIODS {
            // The ticket figures from the hour rollups equal the tickets'.
            prop_assert_eq!(
                store::kpi_tickets::ticket_sums(&conn, from, to).unwrap(),
                store::kpi_tickets::ticket_sums_base(&conn, from, to).unwrap(),
                "{} to {}", from, to
            );
            prop_assert_eq!(
                store::kpi_tickets::tickets_by_reason(&conn, from, to).unwrap(),
                store::kpi_tickets::tickets_by_reason_base(&conn, from, to).unwrap(),
                "{} to {}", from, to
            );
            let want = store::kpi_chain::customer_sums_base(&conn, from, to).unwrap();
            prop_assert_eq!(store::kpi_chain::customer_sums_days(&conn, from, to).unwrap(), want, "{} to {}", from, to);
            prop_assert_eq!(store::kpi::customer_sums(&conn, from, to).unwrap(), want, "{} to {}", from, to);
            // The top lists from the rollups equal one pass over the lines,
            // for a short list too (where the threshold stops early).
            for limit in [1, 10] {
                let want = store::kpi::tops(&conn, from, to, limit).unwrap();
                prop_assert_eq!(store::kpi_tops::tops(&conn, from, to, limit).unwrap(), want, "{} to {}", from, to);
            }
        }
    }
}

#[test]
fn a_rollup_that_drifted_is_named_by_its_shop_hour() {
    let shop = Shop::new();
    let p = &shop.path;
    let m = merchant(p, "M001", "星辰电子");
    let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 10);
    let cust = customer(p, "C001", "李雷");
    order(p, "W1", cust, m, &[(ear, 1)], &GOOD);
    let conn = shop.conn();
    assert!(store::kpi::rollup_differences(&conn, 10).unwrap().is_empty());
    conn.execute_batch("UPDATE kpi_hours SET orders = orders + 1")
        .unwrap();
    let found = store::kpi::rollup_differences(&conn, 10).unwrap();
    // NOW is 10:00 UTC: 18:00 in Asia/Shanghai.
    assert_eq!(
        found,
        vec!["KPI hour from 2026-11-20 18:00 shop time: orders 2 (the orders say 1)".to_string()]
    );
}

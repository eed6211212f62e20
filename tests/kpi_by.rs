//! `shopdesk kpi --by channel|merchant|category --json` against an
//! independent computation on the hand-made shop of tests/kpi_support: the
//! raw rows are read here and grouped in plain Rust with the shop's time
//! zone (an order is in a merchant's or category's group when it has a line
//! of it; GMV and shipping of those groups are their own lines'), then every
//! key of every group is compared, and the order of the groups (GMV, most
//! first, then key).

mod cli_support;
mod kpi_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use cli_support::ok;
use kpi_support::shop;
use rusqlite::Connection;
use serde_json::{Value, json};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rate(n: i64, d: i64) -> Value {
    if d == 0 {
        Value::Null
    } else {
        json!(((n as f64 / d as f64) * 10_000.0).round() / 10_000.0)
    }
}

fn mean(sum: f64, n: i64) -> Value {
    if n == 0 {
        Value::Null
    } else {
        json!((sum / n as f64 * 10_000.0).round() / 10_000.0)
    }
}

struct Order {
    channel: String,
    status: String,
    placed: DateTime<Utc>,
    paid: bool,
    delivered: Option<DateTime<Utc>>,
    promised: Option<DateTime<Utc>>,
    customer: i64,
    shipping: i64,
}

struct Line {
    order: i64,
    merchant: (String, String),
    category: String,
    qty: i64,
    price: i64,
    shipping: i64,
}

#[derive(Default)]
struct Acc {
    name: String,
    orders: BTreeSet<i64>,
    gmv: i64,
    shipping: i64,
    tickets: BTreeSet<i64>,
    complaints: BTreeSet<i64>,
    visits: Option<i64>,
}

/// The groups of `by` for local dates `[from, to)`, each as the JSON
/// `kpi --by` should print, in the order it should print them.
fn expected(db: &Path, by: &str, from: NaiveDate, to: NaiveDate) -> Vec<Value> {
    let c = Connection::open(db).unwrap();
    let tz: Tz = c
        .query_row("SELECT timezone FROM settings", [], |r| r.get::<_, String>(0))
        .unwrap()
        .parse()
        .unwrap();
    let inside = |ts: DateTime<Utc>| (from..to).contains(&ts.with_timezone(&tz).date_naive());
    let opt = |s: Option<String>| s.map(|s| t(&s));
    let all: HashMap<i64, Order> = c
        .prepare("SELECT id, channel, status, placed_at, paid_at, delivered_at, promised_at, customer_id, shipping_minor FROM orders")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                Order {
                    channel: r.get(1)?,
                    status: r.get(2)?,
                    placed: t(&r.get::<_, String>(3)?),
                    paid: r.get::<_, Option<String>>(4)?.is_some(),
                    delivered: opt(r.get(5)?),
                    promised: opt(r.get(6)?),
                    customer: r.get(7)?,
                    shipping: r.get(8)?,
                },
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lines: Vec<Line> = c
        .prepare(
            "SELECT l.order_id, m.code, m.name, coalesce(c.path, '(none)'), l.qty, l.unit_price_minor, l.shipping_minor
             FROM order_lines l JOIN merchants m ON m.id = l.merchant_id
             JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = p.category_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok(Line {
                order: r.get(0)?,
                merchant: (r.get(1)?, r.get(2)?),
                category: r.get(3)?,
                qty: r.get(4)?,
                price: r.get(5)?,
                shipping: r.get(6)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let paid = |o: &Order| o.paid && o.status != "cancelled";
    let counted = |id: &i64| {
        all.get(id)
            .is_some_and(|o| o.status != "merged" && inside(o.placed))
    };
    // The groups an order is in, with their names.
    let groups_of = |id: i64| -> Vec<(String, String)> {
        match by {
            "channel" => vec![(all[&id].channel.clone(), all[&id].channel.clone())],
            _ => {
                let mut v: Vec<(String, String)> = lines
                    .iter()
                    .filter(|l| l.order == id)
                    .map(|l| match by {
                        "merchant" => l.merchant.clone(),
                        _ => (l.category.clone(), l.category.clone()),
                    })
                    .collect();
                v.sort();
                v.dedup();
                v
            }
        }
    };
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for id in all.keys().filter(|id| counted(id)) {
        for (k, name) in groups_of(*id) {
            let a = acc.entry(k).or_default();
            a.name = name;
            a.orders.insert(*id);
        }
    }
    for l in &lines {
        if counted(&l.order) && paid(&all[&l.order]) && by != "channel" {
            let k = if by == "merchant" {
                &l.merchant.0
            } else {
                &l.category
            };
            let a = acc.get_mut(k).unwrap();
            a.gmv += l.qty * l.price;
            a.shipping += l.shipping;
        }
        if by == "channel" && counted(&l.order) && paid(&all[&l.order]) {
            acc.get_mut(&all[&l.order].channel).unwrap().gmv += l.qty * l.price;
        }
    }
    if by == "channel" {
        for (id, o) in &all {
            if counted(id) && paid(o) {
                acc.get_mut(&o.channel).unwrap().shipping += o.shipping;
            }
        }
    }
    let tickets: Vec<(i64, Option<i64>, String, DateTime<Utc>)> = c
        .prepare("SELECT id, order_id, kind, opened_at FROM tickets")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, t(&r.get::<_, String>(3)?)))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (tid, order, kind, opened) in &tickets {
        let Some(order) = order else { continue };
        if !inside(*opened) {
            continue;
        }
        for (k, name) in groups_of(*order) {
            let a = acc.entry(k).or_default();
            if a.name.is_empty() {
                a.name = name;
            }
            a.tickets.insert(*tid);
            if kind == "complaint" {
                a.complaints.insert(*tid);
            }
        }
    }
    if by == "channel" {
        let mut st = c
            .prepare("SELECT date, channel, visits FROM traffic_daily")
            .unwrap();
        for row in st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .unwrap()
        {
            let (d, ch, v) = row.unwrap();
            if (from..to).contains(&NaiveDate::parse_from_str(&d, "%Y-%m-%d").unwrap()) {
                let a = acc.entry(ch.clone()).or_default();
                if a.name.is_empty() {
                    a.name = ch;
                }
                *a.visits.get_or_insert(0) += v;
            }
        }
    }
    let refunds: Vec<(i64, i64)> = c
        .prepare("SELECT order_id, amount_minor FROM refunds WHERE ticket_id IS NOT NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let reviews: Vec<(i64, i64)> = c
        .prepare("SELECT order_id, score FROM reviews")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out: Vec<(i64, String, Value)> = Vec::new();
    for (k, a) in acc {
        let os: Vec<&Order> = a.orders.iter().map(|id| &all[id]).collect();
        let paid_n = os.iter().filter(|o| paid(o)).count() as i64;
        let mut per_customer: HashMap<i64, i64> = HashMap::new();
        for o in os.iter().filter(|o| paid(o)) {
            *per_customer.entry(o.customer).or_default() += 1;
        }
        let repeat = per_customer.values().filter(|n| **n >= 2).count() as i64;
        let refund: i64 = refunds
            .iter()
            .filter(|(o, _)| a.orders.contains(o))
            .map(|(_, m)| m)
            .sum();
        let rv: Vec<i64> = reviews
            .iter()
            .filter(|(o, _)| a.orders.contains(o))
            .map(|(_, s)| *s)
            .collect();
        let delivered: Vec<&&Order> = os.iter().filter(|o| o.delivered.is_some()).collect();
        let secs: i64 = delivered
            .iter()
            .map(|o| (o.delivered.unwrap() - o.placed).num_seconds())
            .sum();
        let promised: Vec<&&&Order> = delivered.iter().filter(|o| o.promised.is_some()).collect();
        let late = promised
            .iter()
            .filter(|o| o.delivered.unwrap() > o.promised.unwrap())
            .count() as i64;
        let aov = if paid_n == 0 {
            Value::Null
        } else {
            json!(((a.gmv as f64) / paid_n as f64).round() as i64)
        };
        let g = json!({
            "key": k,
            "name": a.name,
            "orders": os.len(),
            "paid_orders": paid_n,
            "cancelled_orders": os.iter().filter(|o| o.status == "cancelled").count(),
            "gmv_minor": a.gmv,
            "shipping_minor": a.shipping,
            "aov_minor": aov,
            "refund_minor": refund,
            "refund_rate": rate(refund, a.gmv),
            "customers": per_customer.len(),
            "repeat_customers": repeat,
            "repurchase_rate": rate(repeat, per_customer.len() as i64),
            "visits": a.visits,
            "conversion_rate": a.visits.map_or(Value::Null, |v| rate(paid_n, v)),
            "reviews": rv.len(),
            "avg_review_score": mean(rv.iter().sum::<i64>() as f64, rv.len() as i64),
            "negative_review_share": rate(rv.iter().filter(|s| **s <= 2).count() as i64, rv.len() as i64),
            "delivered_orders": delivered.len(),
            "avg_delivery_days": mean(secs as f64 / 86_400.0, delivered.len() as i64),
            "late_delivery_share": rate(late, promised.len() as i64),
            "tickets_opened": a.tickets.len(),
            "complaint_rate": rate(a.complaints.len() as i64, paid_n),
        });
        out.push((a.gmv, k, g));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    out.into_iter().map(|(_, _, g)| g).collect()
}

fn kpi_by(dir: &Path, db: &Path, by: &str, from: &str, to: &str) -> Value {
    let out = ok(
        dir,
        &[
            "--db",
            db.to_str().unwrap(),
            "kpi",
            "--json",
            "--by",
            by,
            "--from",
            from,
            "--to",
            to,
        ],
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn every_group_key_equals_an_independent_computation() {
    for tz in ["Asia/Shanghai", "Asia/Kolkata"] {
        let dir = tempfile::tempdir().unwrap();
        let db = shop(dir.path(), tz);
        for (from, to) in [("2026-11-01", "2026-12-01"), ("2026-11-05", "2026-11-12")] {
            for by in ["channel", "merchant", "category"] {
                let got = kpi_by(dir.path(), &db, by, from, to);
                assert_eq!(got["by"], by);
                assert_eq!(got["period"]["from"], from);
                let want = expected(&db, by, date(from), date(to));
                let groups = got["groups"].as_array().unwrap();
                assert!(!want.is_empty(), "{tz} {by} {from}: no groups in the test shop");
                let keys = |v: &[Value]| v.iter().map(|g| g["key"].clone()).collect::<Vec<_>>();
                assert_eq!(
                    keys(groups),
                    keys(&want),
                    "{tz} {by} {from}..{to}: groups or their order"
                );
                for (g, w) in groups.iter().zip(&want) {
                    for (k, v) in w.as_object().unwrap() {
                        assert_eq!(&g[k], v, "{tz} {by} {from}..{to} group {}: {k}", w["key"]);
                    }
                }
            }
        }
    }
}

#[test]
fn channels_add_up_to_the_whole_shop() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "Asia/Shanghai");
    let d = db.to_str().unwrap();
    let args = [
        "--db",
        d,
        "kpi",
        "--json",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
    ];
    let total: Value = serde_json::from_str(&ok(dir.path(), &args)).unwrap();
    let by = kpi_by(dir.path(), &db, "channel", "2026-11-01", "2026-12-01");
    for key in [
        "orders",
        "paid_orders",
        "cancelled_orders",
        "gmv_minor",
        "shipping_minor",
        "refund_minor",
        "reviews",
    ] {
        let sum: i64 = by["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g[key].as_i64().unwrap())
            .sum();
        assert_eq!(json!(sum), total[key], "{key}");
    }
    // The text form names each group with its figures.
    let text = ok(
        dir.path(),
        &[
            "--db",
            d,
            "kpi",
            "--by",
            "merchant",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
        ],
    );
    assert!(
        text.contains("KPIs by merchant 2026-11-01 to 2026-11-30"),
        "{text}"
    );
    assert!(text.contains("M1 甲商户"), "{text}");
}

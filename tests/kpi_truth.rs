//! `shopdesk kpi --json` against an independent computation (SPEC §6
//! "Definitions") on a hand-made shop: orders imported through the CLI
//! (cancelled, unpaid, multi-line, multi-merchant, placed on both sides of
//! the shop's midnight), one merge, reviews, tickets with messages and
//! scores, refunds with and without a ticket, and traffic. The expected
//! figures are computed here from the raw rows in plain Rust with the
//! shop's time zone, not with the production queries.

mod cli_support;
mod kpi_support;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use cli_support::{expect_code, ok, run};
use kpi_support::shop;
use rusqlite::Connection;
use serde_json::Value;

struct Order {
    status: String,
    placed: DateTime<Utc>,
    paid: bool,
    delivered: Option<DateTime<Utc>>,
    promised: Option<DateTime<Utc>>,
    customer: i64,
    shipping: i64,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn local(ts: DateTime<Utc>, tz: Tz) -> NaiveDate {
    ts.with_timezone(&tz).date_naive()
}

fn rate(n: i64, d: i64) -> Value {
    if d == 0 {
        Value::Null
    } else {
        let x = ((n as f64 / d as f64) * 10_000.0).round() / 10_000.0;
        serde_json::json!(x)
    }
}

/// Every scalar key of SPEC §6 for local dates `[from, to)`, from the raw rows.
fn expected(db: &Path, from: NaiveDate, to: NaiveDate) -> HashMap<&'static str, Value> {
    let c = Connection::open(db).unwrap();
    let tz: Tz = c
        .query_row("SELECT timezone FROM settings", [], |r| r.get::<_, String>(0))
        .unwrap()
        .parse()
        .unwrap();
    let inside = |ts: DateTime<Utc>| (from..to).contains(&local(ts, tz));
    let mut orders: HashMap<i64, Order> = HashMap::new();
    let mut st = c
        .prepare("SELECT id, status, placed_at, paid_at, delivered_at, promised_at, customer_id, shipping_minor FROM orders")
        .unwrap();
    let rows = st
        .query_map([], |r| {
            let opt = |s: Option<String>| s.map(|s| t(&s));
            Ok((
                r.get::<_, i64>(0)?,
                Order {
                    status: r.get(1)?,
                    placed: t(&r.get::<_, String>(2)?),
                    paid: r.get::<_, Option<String>>(3)?.is_some(),
                    delivered: opt(r.get(4)?),
                    promised: opt(r.get(5)?),
                    customer: r.get(6)?,
                    shipping: r.get(7)?,
                },
            ))
        })
        .unwrap();
    for row in rows {
        let (id, o) = row.unwrap();
        if o.status != "merged" && inside(o.placed) {
            orders.insert(id, o);
        }
    }
    let is_paid = |o: &Order| o.paid && o.status != "cancelled";
    let mut gmv = 0i64;
    let mut st = c
        .prepare("SELECT order_id, qty, unit_price_minor FROM order_lines")
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })
        .unwrap()
    {
        let (oid, qty, price) = row.unwrap();
        if orders.get(&oid).is_some_and(is_paid) {
            gmv += qty * price;
        }
    }
    let paid: Vec<&Order> = orders.values().filter(|o| is_paid(o)).collect();
    let mut per_customer: HashMap<i64, i64> = HashMap::new();
    for o in &paid {
        *per_customer.entry(o.customer).or_default() += 1;
    }
    // New: no paid order of the customer placed before the period.
    let mut before: HashSet<i64> = HashSet::new();
    let mut st = c
        .prepare("SELECT customer_id, placed_at, paid_at IS NOT NULL, status FROM orders")
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap()
    {
        let (cust, placed, has_paid, status) = row.unwrap();
        if has_paid && status != "cancelled" && status != "merged" && local(t(&placed), tz) < from {
            before.insert(cust);
        }
    }
    let delivered: Vec<&Order> = orders.values().filter(|o| o.delivered.is_some()).collect();
    let delivery_secs: i64 = delivered
        .iter()
        .map(|o| (o.delivered.unwrap() - o.placed).num_seconds())
        .sum();
    let promised: Vec<&&Order> = delivered.iter().filter(|o| o.promised.is_some()).collect();
    let late = promised
        .iter()
        .filter(|o| o.delivered.unwrap() > o.promised.unwrap())
        .count() as i64;

    let mut refund = 0i64;
    let mut st = c
        .prepare("SELECT order_id, amount_minor, ticket_id IS NOT NULL FROM refunds")
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?))
        })
        .unwrap()
    {
        let (oid, amount, on_ticket) = row.unwrap();
        if on_ticket && orders.contains_key(&oid) {
            refund += amount;
        }
    }
    let (mut reviews, mut score_sum, mut negative) = (0i64, 0i64, 0i64);
    let mut st = c.prepare("SELECT order_id, score FROM reviews").unwrap();
    for row in st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
    {
        let (oid, score) = row.unwrap();
        if orders.contains_key(&oid) {
            reviews += 1;
            score_sum += score;
            negative += (score <= 2) as i64;
        }
    }
    let visits: i64 = {
        let mut st = c.prepare("SELECT date, visits FROM traffic_daily").unwrap();
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .filter(|(d, _)| (from..to).contains(&NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()))
            .map(|(_, v)| v)
            .sum()
    };
    let (mut opened, mut complaints, mut resolved, mut with_due, mut met) = (0, 0, 0, 0, 0);
    let (mut responded, mut response_secs) = (0i64, 0i64);
    let mut st = c
        .prepare(
            "SELECT t.kind, t.opened_at, t.resolved_at, t.resolve_due_at,
                    (SELECT min(created_at) FROM ticket_messages m WHERE m.ticket_id = t.id AND author_kind = 'staff' AND internal = 0)
             FROM tickets t",
        )
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                t(&r.get::<_, String>(1)?),
                r.get::<_, Option<String>>(2)?.map(|s| t(&s)),
                r.get::<_, Option<String>>(3)?.map(|s| t(&s)),
                r.get::<_, Option<String>>(4)?.map(|s| t(&s)),
            ))
        })
        .unwrap()
    {
        let (kind, open, res, due, first) = row.unwrap();
        if inside(open) {
            opened += 1;
            complaints += (kind == "complaint") as i64;
            if let Some(f) = first {
                responded += 1;
                response_secs += (f - open).num_seconds();
            }
        }
        if let Some(r) = res.filter(|r| inside(*r)) {
            resolved += 1;
            if let Some(d) = due {
                with_due += 1;
                met += (r <= d) as i64;
            }
        }
    }
    let round4 = |x: f64| serde_json::json!((x * 10_000.0).round() / 10_000.0);
    let n = |x: i64| serde_json::json!(x);
    let paid_n = paid.len() as i64;
    let customers = per_customer.len() as i64;
    let repeat = per_customer.values().filter(|&&k| k >= 2).count() as i64;
    HashMap::from([
        ("orders", n(orders.len() as i64)),
        ("paid_orders", n(paid_n)),
        (
            "cancelled_orders",
            n(orders.values().filter(|o| o.status == "cancelled").count() as i64),
        ),
        ("gmv_minor", n(gmv)),
        ("shipping_minor", n(paid.iter().map(|o| o.shipping).sum())),
        (
            "aov_minor",
            if paid_n == 0 {
                Value::Null
            } else {
                n((gmv * 2 + paid_n) / (2 * paid_n))
            },
        ),
        ("refund_minor", n(refund)),
        ("refund_rate", rate(refund, gmv)),
        ("customers", n(customers)),
        ("repeat_customers", n(repeat)),
        ("repurchase_rate", rate(repeat, customers)),
        (
            "new_customers",
            n(per_customer.keys().filter(|c| !before.contains(c)).count() as i64),
        ),
        ("visits", n(visits)),
        ("conversion_rate", rate(paid_n, visits)),
        ("reviews", n(reviews)),
        (
            "avg_review_score",
            if reviews == 0 {
                Value::Null
            } else {
                round4(score_sum as f64 / reviews as f64)
            },
        ),
        ("negative_review_share", rate(negative, reviews)),
        ("delivered_orders", n(delivered.len() as i64)),
        (
            "avg_delivery_days",
            if delivered.is_empty() {
                Value::Null
            } else {
                round4(delivery_secs as f64 / 86_400.0 / delivered.len() as f64)
            },
        ),
        ("late_delivery_share", rate(late, promised.len() as i64)),
        ("tickets_opened", n(opened)),
        ("tickets_resolved", n(resolved)),
        ("ticket_sla_met_share", rate(met, with_due)),
        ("complaint_rate", rate(complaints, paid_n)),
        (
            "first_response_hours_avg",
            if responded == 0 {
                Value::Null
            } else {
                round4(response_secs as f64 / 3600.0 / responded as f64)
            },
        ),
    ])
}

fn kpi(dir: &Path, db: &Path, from: &str, to: &str) -> Value {
    let out = ok(
        dir,
        &[
            "--db",
            db.to_str().unwrap(),
            "kpi",
            "--json",
            "--from",
            from,
            "--to",
            to,
        ],
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("kpi --json is not JSON ({e}):\n{out}"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[track_caller]
fn assert_scalars(got: &Value, want: &HashMap<&'static str, Value>, what: &str) {
    for (key, value) in want {
        assert_eq!(&got[*key], value, "{what}: key {key}");
    }
}

#[test]
fn every_scalar_key_equals_an_independent_computation() {
    // Shanghai: days of whole UTC hours; Kolkata (+05:30): every day
    // starts and ends in the middle of an hour.
    for tz in ["Asia/Shanghai", "Asia/Kolkata"] {
        scalars_match(tz);
    }
}

fn scalars_match(tz: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), tz);
    for (from, to) in [
        ("2026-11-01", "2026-12-01"),
        ("2026-11-05", "2026-11-12"),
        ("2026-11-10", "2026-11-11"),
        ("2026-11-20", "2026-11-27"),
    ] {
        let got = kpi(dir.path(), &db, from, to);
        let want = expected(&db, date(from), date(to));
        assert_scalars(&got, &want, &format!("{tz} {from}..{to}"));
        assert_eq!(got["period"]["from"], from);
        assert_eq!(got["period"]["to"], to);
        // `previous` is the same length, just before.
        let days = (date(to) - date(from)).num_days();
        let prev_from = date(from) - chrono::Duration::days(days);
        let prev = expected(&db, prev_from, date(from));
        assert_scalars(&got["previous"], &prev, &format!("{tz} previous of {from}..{to}"));
    }
    // `check` recomputes every rollup hour from the orders.
    ok(dir.path(), &["--db", db.to_str().unwrap(), "check"]);
    // The whole month really holds the shop: the comparison is not of zeros.
    let month = kpi(dir.path(), &db, "2026-11-01", "2026-12-01");
    assert!(month["orders"].as_i64().unwrap() >= 45, "{month}");
    assert!(month["cancelled_orders"].as_i64().unwrap() > 0);
    assert!(month["refund_minor"].as_i64().unwrap() > 0);
    assert!(month["repeat_customers"].as_i64().unwrap() > 0);
    assert!(month["late_delivery_share"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_daily_series_splits_at_the_shops_midnight_and_sums_to_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "Asia/Shanghai");
    let got = kpi(dir.path(), &db, "2026-11-01", "2026-12-01");
    let daily = got["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 30);
    let sum = |k: &str| daily.iter().map(|d| d[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!(sum("orders"), got["orders"].as_i64().unwrap());
    assert_eq!(sum("paid_orders"), got["paid_orders"].as_i64().unwrap());
    assert_eq!(sum("gmv_minor"), got["gmv_minor"].as_i64().unwrap());
    for d in daily {
        let day = date(d["date"].as_str().unwrap());
        let one = expected(&db, day, day.succ_opt().unwrap());
        assert_eq!(d["orders"], one["orders"], "{day}");
        assert_eq!(d["gmv_minor"], one["gmv_minor"], "{day}");
    }
}

#[test]
fn top_lists_rank_by_the_gmv_of_paid_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "Asia/Shanghai");
    let got = kpi(dir.path(), &db, "2026-11-01", "2026-12-01");
    let c = Connection::open(&db).unwrap();
    let (from, to) = ("2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z");
    let mut by_merchant: HashMap<String, i64> = HashMap::new();
    let mut st = c
        .prepare(
            "SELECT m.code, l.qty * l.unit_price_minor, o.placed_at, o.status, o.paid_at IS NOT NULL
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN merchants m ON m.id = l.merchant_id",
        )
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .unwrap()
    {
        let (code, g, placed, status, paid) = row.unwrap();
        if paid
            && status != "cancelled"
            && status != "merged"
            && placed.as_str() >= from
            && placed.as_str() < to
        {
            *by_merchant.entry(code).or_default() += g;
        }
    }
    let mut want: Vec<(String, i64)> = by_merchant.into_iter().collect();
    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top: Vec<(String, i64)> = got["top_merchants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["code"].as_str().unwrap().to_string(),
                m["gmv_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(top, want);
    let products_gmv: i64 = got["top_products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["gmv_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(
        products_gmv,
        got["gmv_minor"].as_i64().unwrap(),
        "six products: the top ten is all of them"
    );
}

#[test]
fn an_empty_shop_gives_zeros_and_nulls_and_bad_periods_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let d = db.to_str().unwrap();
    ok(dir.path(), &["--db", d, "init"]);
    let got = kpi(dir.path(), &db, "2026-11-01", "2026-12-01");
    assert_eq!(got["orders"], 0);
    assert_eq!(got["gmv_minor"], 0);
    for key in [
        "aov_minor",
        "refund_rate",
        "repurchase_rate",
        "conversion_rate",
        "avg_review_score",
        "ticket_sla_met_share",
    ] {
        assert_eq!(got[key], Value::Null, "{key}");
    }
    let text = ok(
        dir.path(),
        &["--db", d, "kpi", "--from", "2026-11-01", "--to", "2026-12-01"],
    );
    assert!(text.contains("GMV") && !text.contains("NaN"), "{text}");
    let err = expect_code(
        &run(
            dir.path(),
            &["--db", d, "kpi", "--from", "2026-11-30", "--to", "2026-11-01"],
        ),
        &"from after to",
        2,
    );
    assert!(err.contains("2026-11-30") && err.contains("2026-11-01"), "{err}");
    let err = expect_code(
        &run(dir.path(), &["--db", d, "kpi", "--from", "2026-02-30"]),
        &"no such day",
        2,
    );
    assert!(err.contains("2026-02-30"), "{err}");
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let d = db.to_str().unwrap();
    ok(dir.path(), &["--db", d, "init"]);
    // Twenty years of daily rows: far more than a pipe holds.
    let mut c = cli_support::command(
        dir.path(),
        &[
            "--db",
            d,
            "kpi",
            "--json",
            "--from",
            "2006-01-01",
            "--to",
            "2026-01-01",
        ],
    );
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is closed here, like `| head` exiting.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

//! A shop with delivered orders for the ticket tests, on top of the order
//! tests' shop (ana owner, lin operator, mei support, vic viewer).
#![allow(dead_code)]

#[path = "../orders_support/mod.rs"]
pub mod shop;

use chrono::{DateTime, Utc};
use shopdesk::domain::order::OrderAction;
use shopdesk::ops::Session;
use shopdesk::ops::orders::act_at;
use shopdesk::ops::tickets::{self, NewTicketArgs};
use shopdesk::ops::verbs::{self, Entity, Outcome, Values};
use shopdesk::{Error, Result};

pub use shop::{GOOD, Shop, assert_checks_pass, t};

/// One order of `qty` × 茶杯 (50.00) + 10.00 shipping = 60.00 × qty..., paid
/// at `paid`, and delivered at `delivered` when given. Returns (order, product).
pub fn order(shop: &Shop, ext: &str, qty: i64, paid: &str, delivered: Option<&str>) -> (i64, i64) {
    let m = shop::merchant(&shop.path, &format!("M{ext}"), "杭州好物");
    let p = shop::product(&shop.path, m, &format!("SKU{ext}"), "茶杯", 5000, 20);
    let c = shop::customer(&shop.path, &format!("C{ext}"), "王芳");
    let o = shop::order(&shop.path, ext, c, m, &[(p, qty)], &GOOD);
    let mut s = shop.session("ana");
    let at = t(paid);
    act_at(&mut s, o, None, &OrderAction::Pay, at).unwrap();
    if let Some(d) = delivered {
        act_at(&mut s, o, None, &OrderAction::Approve, at).unwrap();
        act_at(&mut s, o, None, &OrderAction::Pick, at).unwrap();
        act_at(&mut s, o, None, &OrderAction::Pack { weight_g: 300 }, at).unwrap();
        let ship = OrderAction::Ship {
            carrier: "SF".into(),
            tracking: format!("SF{ext}"),
        };
        act_at(&mut s, o, None, &ship, at).unwrap();
        act_at(&mut s, o, None, &OrderAction::Deliver, t(d)).unwrap();
    }
    (o, p)
}

pub fn open(s: &mut Session, order: i64, kind: &str, reason: &str, now: DateTime<Utc>) -> Result<i64> {
    let a = NewTicketArgs {
        order: order.to_string(),
        kind: kind.into(),
        reason: reason.into(),
        subject: "七天无理由退货".into(),
        body: Some("不想要了".into()),
    };
    tickets::open_at(s, &a, now).map(|(id, _)| id)
}

/// Runs ticket verb `name` with `fields` (as typed) at `now`.
pub fn verb(
    s: &mut Session,
    id: i64,
    name: &str,
    fields: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let v = verbs::find(Entity::Ticket, name).unwrap_or_else(|| panic!("no ticket verb {name}"));
    let raw: Vec<(&str, String)> = fields.iter().map(|(k, x)| (*k, x.to_string())).collect();
    let values = Values::parse(v, &raw, "Asia/Shanghai")?;
    verbs::run_at(s, v, id, None, &values, now)
}

#[track_caller]
pub fn ok(s: &mut Session, id: i64, name: &str, fields: &[(&str, &str)], now: DateTime<Utc>) -> Outcome {
    match verb(s, id, name, fields, now) {
        Ok(o) => o,
        Err(e) => panic!("ticket {name} {id}: {e}"),
    }
}

#[track_caller]
pub fn refused(s: &mut Session, id: i64, name: &str, fields: &[(&str, &str)], now: DateTime<Utc>) -> String {
    match verb(s, id, name, fields, now) {
        Ok(o) => panic!("ticket {name} {id} should be refused, got: {}", o.message),
        Err(e) => {
            assert!(
                matches!(e, Error::Refused(_) | Error::Conflict(_)),
                "{name}: {e:?}"
            );
            e.to_string()
        }
    }
}

pub fn one(shop: &Shop, sql: &str) -> i64 {
    shop.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

pub fn text(shop: &Shop, sql: &str) -> String {
    shop.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

//! The order exception queues as status chips: on hold by reason
//! (`on_hold:<reason>`) and late to ship (`late:<cutoff stamp>`). A chip's
//! key goes in `Query::status` like a plain status; `status_cond` turns it
//! into SQL that reads a partial index alone, for counts and (walking placed
//! times) pages: `orders_hold (hold_reason, placed_at) WHERE status =
//! 'on_hold'` and `orders_open (placed_at, ship_by_at)` for late to ship.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::Result;
use crate::domain::order::HoldReason;

pub const HOLD_PREFIX: &str = "on_hold:";
pub const LATE_PREFIX: &str = "late:";

/// Statuses in which an order can be late (not shipped, not finished).
/// Word for word the WHERE of the `orders_open` index in schema.sql:
/// SQLite uses a partial index only for a query that repeats its condition.
const OPEN: &str = "'pending_payment', 'paid', 'approved', 'picking', 'packed', 'on_hold'";

/// The WHERE condition and parameters for a status or queue key.
pub(crate) fn status_cond(status: &str) -> (String, Vec<Value>) {
    if let Some(reason) = status.strip_prefix(HOLD_PREFIX) {
        return (
            "o.hold_reason = ? AND o.status = 'on_hold'".into(),
            vec![Value::Text(reason.to_string())],
        );
    }
    if let Some(cutoff) = status.strip_prefix(LATE_PREFIX) {
        return (
            format!("o.status IN ({OPEN}) AND o.ship_by_at < ?"),
            vec![Value::Text(cutoff.to_string())],
        );
    }
    ("o.status = ?".into(), vec![Value::Text(status.to_string())])
}

/// The index a queue's pages and count read, when it has its own.
pub(crate) fn queue_index(status: &str) -> Option<&'static str> {
    if status.starts_with(HOLD_PREFIX) {
        Some("orders_hold")
    } else if status.starts_with(LATE_PREFIX) {
        Some("orders_open")
    } else {
        None
    }
}

pub fn is_queue(status: &str) -> bool {
    status.starts_with(HOLD_PREFIX) || status.starts_with(LATE_PREFIX)
}

/// The chip's label: "on hold: risk review", "late to ship".
pub fn label(status: &str) -> Option<String> {
    if let Some(r) = status.strip_prefix(HOLD_PREFIX) {
        let r = r
            .parse::<HoldReason>()
            .map_or(r.replace('_', " "), |h| h.label().to_string());
        return Some(format!("on hold: {r}"));
    }
    status
        .strip_prefix(LATE_PREFIX)
        .map(|_| "late to ship".to_string())
}

/// The number of orders in a queue (`None` for a plain status).
pub fn count(conn: &Connection, status: &str) -> Result<Option<u64>> {
    if !is_queue(status) {
        return Ok(None);
    }
    let (cond, params) = status_cond(status);
    let hint = queue_index(status).map_or(String::new(), |i| format!("INDEXED BY {i}"));
    let sql = format!("SELECT count(*) FROM orders o {hint} WHERE {cond}");
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(Some(n.max(0) as u64))
}

/// Every queue with its key, label and count: one per hold reason, then
/// late to ship at `now` (an RFC 3339 stamp).
pub fn chips(conn: &Connection, now: &str) -> Result<Vec<(String, String, u64)>> {
    let mut out = Vec::new();
    for r in HoldReason::ALL {
        let key = format!("{HOLD_PREFIX}{}", r.as_str());
        let n = count(conn, &key)?.unwrap_or(0);
        out.push((key.clone(), label(&key).unwrap_or(key), n));
    }
    let key = format!("{LATE_PREFIX}{now}");
    let n = count(conn, &key)?.unwrap_or(0);
    out.push((key, "late to ship".to_string(), n));
    Ok(out)
}

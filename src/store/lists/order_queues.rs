//! The order exception queues as status chips: on hold by reason and late
//! to ship ([`OrderQueue`]). A queue goes in `Query::status` like a plain
//! status; `status_cond` turns it into SQL that reads a partial index alone,
//! for counts and (walking placed times) pages: `orders_hold (hold_reason,
//! placed_at) WHERE status = 'on_hold'` and `orders_open (placed_at,
//! ship_by_at)` for late to ship.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::{OrderQueue, Status, StatusFilter};
use crate::Result;
use crate::domain::order::{HoldReason, OrderStatus};

/// `o.status = 'pending_payment' OR o.status = 'paid' OR …` for `column`
/// `o.status`: the open statuses (`OrderStatus::is_open`) as SQL literals,
/// an OR chain (an IN list is tested through a temporary index, schema
/// 20). With `status` for `column`, word for word the WHERE of the
/// `orders_open` and `orders_late` indexes in schema.sql (a test checks):
/// SQLite uses a partial index only for a query that repeats its
/// condition, so these cannot be parameters.
pub(crate) fn open_cond(column: &str) -> String {
    OrderStatus::all_where(OrderStatus::is_open)
        .iter()
        .map(|s| format!("{column} = '{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The WHERE condition and parameters for an orders status filter.
pub(crate) fn status_cond(sf: &StatusFilter) -> (String, Vec<Value>) {
    match sf {
        StatusFilter::Queue(OrderQueue::Held(reason)) => (
            format!(
                "o.hold_reason = ? AND o.status = '{}'",
                OrderStatus::OnHold.as_str()
            ),
            vec![Value::Text(reason.as_str().to_string())],
        ),
        StatusFilter::Queue(OrderQueue::LateToShip { cutoff }) => (
            format!("({}) AND o.ship_by_at < ?", open_cond("o.status")),
            vec![Value::Text(cutoff.clone())],
        ),
        StatusFilter::Status(Status::Order(s)) => {
            ("o.status = ?".into(), vec![Value::Text(s.as_str().to_string())])
        }
        // Another entity's status or queue: nothing here has it.
        StatusFilter::Status(_)
        | StatusFilter::Merchants(_)
        | StatusFilter::Products(_)
        | StatusFilter::Tickets(_) => ("0".into(), Vec::new()),
    }
}

/// The index a queue's pages and count read, when it has its own, for the
/// sort key named `sort` (None: the count). Late to ship read by ship-by
/// (late first) walks `orders_late (ship_by_at)` over open orders alone.
pub(crate) fn queue_index(sf: &StatusFilter, sort: Option<&str>) -> Option<&'static str> {
    match sf {
        StatusFilter::Queue(OrderQueue::Held(_)) => Some("orders_hold"),
        StatusFilter::Queue(OrderQueue::LateToShip { .. }) if sort == Some("ship by") => Some("orders_late"),
        StatusFilter::Queue(OrderQueue::LateToShip { .. }) => Some("orders_open"),
        StatusFilter::Status(_)
        | StatusFilter::Merchants(_)
        | StatusFilter::Products(_)
        | StatusFilter::Tickets(_) => None,
    }
}

/// The number of orders in a queue.
pub fn count(conn: &Connection, q: &OrderQueue) -> Result<u64> {
    let sf = StatusFilter::Queue(q.clone());
    let (cond, params) = status_cond(&sf);
    let hint = queue_index(&sf, None).map_or(String::new(), |i| format!("INDEXED BY {i}"));
    let sql = format!("SELECT count(*) FROM orders o {hint} WHERE {cond}");
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Every queue with its count: one per hold reason, then late to ship at
/// `now` (an RFC 3339 stamp).
pub fn queues(conn: &Connection, now: &str) -> Result<Vec<(OrderQueue, u64)>> {
    let mut out = Vec::new();
    for r in HoldReason::ALL {
        let q = OrderQueue::Held(r);
        let n = count(conn, &q)?;
        out.push((q, n));
    }
    let q = OrderQueue::LateToShip {
        cutoff: now.to_string(),
    };
    let n = count(conn, &q)?;
    out.push((q, n));
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The late-to-ship condition repeats the WHERE of the `orders_open`
    /// and `orders_late` indexes (else SQLite will not use them).
    #[test]
    fn the_open_condition_is_the_open_indexes_condition() {
        let schema = include_str!("../../../schema.sql");
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let want = format!("WHERE {};", super::open_cond("status"));
        for name in ["orders_open", "orders_late"] {
            let index = schema
                .split(&format!("CREATE INDEX {name} "))
                .nth(1)
                .and_then(|s| s.split(';').next())
                .unwrap_or("");
            assert!(
                words(&format!("{index};")).contains(&want),
                "{index:?} vs {want:?}"
            );
        }
    }
}

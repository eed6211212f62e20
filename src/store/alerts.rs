//! The counts behind the dashboard's and `kpi --format text`'s alerts. Each
//! is the condition of the list queue the alert opens (`store::lists`), so
//! the number on the alert is the number of rows Enter shows at the top of
//! that list.

use rusqlite::Connection;

use super::lists::{self, MerchantQueue, OrderQueue, ProductQueue};
use crate::Result;

/// Open tickets whose SLA clock runs and whose due time (the audit's while
/// new, else the resolution's) is before `now`: the head of the
/// "open, by SLA due" queue (`tickets_open_sla`).
pub fn overdue_tickets(conn: &Connection, now: &str) -> Result<i64> {
    let sql = format!(
        "SELECT count(*) FROM tickets t WHERE t.status IN ({}) AND {} < ?1",
        lists::tickets::sla_running_list(),
        lists::tickets::SLA_DUE
    );
    Ok(conn.prepare_cached(&sql)?.query_row([now], |r| r.get(0))?)
}

/// Applications awaiting review past their review due time: the head of
/// the "awaiting review" queue (`merchants_status_due`).
pub fn overdue_reviews(conn: &Connection, now: &str) -> Result<i64> {
    let statuses = crate::store::enums::literals(
        &MerchantQueue::AwaitingReview.statuses(),
        crate::domain::merchant::MerchantStatus::as_str,
    );
    let sql = format!("SELECT count(*) FROM merchants WHERE status IN ({statuses}) AND review_due_at < ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([now], |r| r.get(0))?)
}

/// Open orders past their ship-by time: the "late to ship" queue.
pub fn late_shipments(conn: &Connection, now: &str) -> Result<i64> {
    let n = lists::order_queues::count(
        conn,
        &OrderQueue::LateToShip {
            cutoff: now.to_string(),
        },
    )?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Products at or under their low-stock line: the "low stock" queue.
pub fn low_stock(conn: &Connection) -> Result<i64> {
    let n = lists::products::queue_count(conn, ProductQueue::LowStock)?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Merchants in a merchant queue (re-verification, under deposit).
pub fn merchants_in(conn: &Connection, q: MerchantQueue) -> Result<i64> {
    let n = lists::merchants::queue_count(conn, q)?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

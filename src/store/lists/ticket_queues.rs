//! The ticket queues as status chips (issue 13 item 2): needs me,
//! unassigned, overdue, waiting, escalated, beside "open, by SLA due"
//! ([`TicketQueue`]). A queue goes in `Query::status` like a plain status;
//! `status_cond` turns it into SQL that, read by SLA due, walks an index in
//! that order: `tickets_assignee_sla (assignee_id, due)` for needs me and
//! unassigned, `tickets_open_sla (due)` for the open queue and overdue (a
//! range below the cutoff), `tickets_waiting_sla (due)` for waiting,
//! `tickets_status_sla (status, due)` for escalated. Counts read the same
//! index alone.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::TicketQueue;
use super::tickets::{SLA_DUE, sla_running_list};
use crate::Result;
use crate::domain::ticket::TicketStatus;

/// `'waiting_customer', 'waiting_merchant'`: the waiting queue's statuses
/// as SQL literals (a partial index is used only for a query that repeats
/// its condition).
pub(crate) fn waiting_list() -> String {
    crate::store::enums::literals(&TicketQueue::Waiting.statuses(), TicketStatus::as_str)
}

/// The WHERE condition and parameters of a ticket queue.
pub(crate) fn status_cond(q: &TicketQueue) -> (String, Vec<Value>) {
    let running = format!("t.status IN ({})", sla_running_list());
    match q {
        TicketQueue::SlaRunning => (running, Vec::new()),
        TicketQueue::NeedsMe { me } => (
            format!("t.assignee_id = ? AND {running}"),
            vec![Value::Integer(*me)],
        ),
        TicketQueue::Unassigned => (format!("t.assignee_id IS NULL AND {running}"), Vec::new()),
        TicketQueue::Overdue { cutoff } => (
            format!("{running} AND {SLA_DUE} < ?"),
            vec![Value::Text(cutoff.clone())],
        ),
        // Literals: word for word the WHERE of tickets_waiting_sla.
        TicketQueue::Waiting => (format!("t.status IN ({})", waiting_list()), Vec::new()),
        TicketQueue::Escalated => (
            "t.status = ?".to_string(),
            vec![Value::Text(TicketStatus::Escalated.as_str().to_string())],
        ),
    }
}

/// The index that reads the queue in SLA order (`sort` is the sort key's
/// name; None: the index its count reads). Other orders use the sort
/// key's own status index.
pub(crate) fn queue_index(q: &TicketQueue, sort: Option<&str>) -> Option<&'static str> {
    if !matches!(sort, Some("SLA due") | None) {
        return None;
    }
    Some(match q {
        TicketQueue::SlaRunning | TicketQueue::Overdue { .. } => "tickets_open_sla",
        TicketQueue::NeedsMe { .. } | TicketQueue::Unassigned => "tickets_assignee_sla",
        TicketQueue::Waiting => "tickets_waiting_sla",
        TicketQueue::Escalated => "tickets_status_sla",
    })
}

/// The number of tickets in a queue (an index range count).
pub fn count(conn: &Connection, q: &TicketQueue) -> Result<u64> {
    let (cond, params) = status_cond(q);
    let hint = queue_index(q, None).map_or(String::new(), |i| format!("INDEXED BY {i}"));
    let sql = format!("SELECT count(*) FROM tickets t {hint} WHERE {cond}");
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The chips after "open, by SLA due", with their counts: needs me (staff
/// `me`), unassigned, overdue at `now` (an RFC 3339 stamp), waiting,
/// escalated.
pub fn queues(conn: &Connection, me: i64, now: &str) -> Result<Vec<(TicketQueue, u64)>> {
    let all = [
        TicketQueue::NeedsMe { me },
        TicketQueue::Unassigned,
        TicketQueue::Overdue {
            cutoff: now.to_string(),
        },
        TicketQueue::Waiting,
        TicketQueue::Escalated,
    ];
    all.into_iter()
        .map(|q| {
            let n = count(conn, &q)?;
            Ok((q, n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The holder index repeats the open-queue WHERE and the SLA expression
    /// word for word (else SQLite will not use the partial index).
    #[test]
    fn the_holder_index_is_the_queue_condition() {
        let schema = include_str!("../../../schema.sql");
        let index = schema
            .split("CREATE INDEX tickets_assignee_sla")
            .nth(1)
            .and_then(|s| s.split(';').next())
            .unwrap_or("");
        let want = format!("WHERE status IN ({})", super::sla_running_list());
        assert!(index.contains(&want), "{index:?} vs {want:?}");
        assert!(index.contains(&super::SLA_DUE.replace("t.", "")), "{index:?}");
        let waiting = schema
            .split("CREATE INDEX tickets_waiting_sla")
            .nth(1)
            .and_then(|s| s.split(';').next())
            .unwrap_or("");
        assert!(
            waiting.contains(&format!("WHERE status IN ({})", super::waiting_list())),
            "{waiting:?}"
        );
    }
}

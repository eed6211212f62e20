//! After-sales tickets.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{Filter, Page, Paged, Query, Seek, SortKey};
use crate::Result;
use crate::domain::ticket::TicketStatus;

pub const ENTITY: &str = "ticket";

pub const SORT_KEYS: &[SortKey] = &[
    SortKey {
        name: "opened",
        expr: "t.opened_at",
        nullable: false,
        desc: true,
        index: "tickets_opened",
        status_index: Some("tickets_status_opened"),
    },
    // The deadline that matters now (the audit deadline while new, else
    // the resolution deadline), as the SLA column shows it; the "needs me"
    // order of the open statuses (issue 10 item 12). Word for word the
    // expression of the tickets_*sla indexes in schema.sql.
    SortKey {
        name: "SLA due",
        expr: SLA_DUE,
        nullable: true,
        desc: false,
        index: "tickets_sla",
        status_index: Some("tickets_status_sla"),
    },
    SortKey {
        name: "id",
        expr: "t.id",
        nullable: false,
        desc: false,
        index: "",
        status_index: None,
    },
    SortKey {
        name: "subject",
        expr: "t.subject",
        nullable: false,
        desc: false,
        index: "tickets_subject",
        status_index: None,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub status: TicketStatus,
    pub order_external_id: Option<String>,
    pub assignee: Option<String>,
    pub priority: crate::domain::ticket::Priority,
    pub subject: String,
    pub opened_at: String,
    pub audit_due_at: Option<String>,
    pub resolve_due_at: Option<String>,
    pub paused_since: Option<String>,
    pub paused_secs: i64,
}

const COLS: &str = "t.id, t.kind, t.status, o.external_id, s.login, t.priority, t.subject, t.opened_at, \
     t.audit_due_at, t.resolve_due_at, t.paused_since, t.paused_secs";
const JOINS: &str =
    "FROM tickets t LEFT JOIN orders o ON o.id = t.order_id LEFT JOIN staff s ON s.id = t.assignee_id";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        kind: r.get(1)?,
        status: crate::store::enums::get(r, 2, "tickets")?,
        order_external_id: r.get(3)?,
        assignee: r.get(4)?,
        priority: crate::store::enums::get(r, 5, "tickets")?,
        subject: r.get(6)?,
        opened_at: r.get(7)?,
        audit_due_at: r.get(8)?,
        resolve_due_at: r.get(9)?,
        paused_since: r.get(10)?,
        paused_secs: r.get(11)?,
    })
}

/// "#123" is the ticket with that id and nothing else.
fn hash_id(t: &str) -> Option<i64> {
    t.strip_prefix('#').and_then(|n| n.parse::<i64>().ok())
}

/// A bare number is also a ticket id (besides phone digits or an order
/// number).
fn bare_id(t: &str) -> Option<i64> {
    t.parse::<i64>().ok()
}

/// The status condition alone.
fn status_filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    match &q.status {
        // The queue chips: their conditions and indexes are in ticket_queues.rs.
        Some(super::StatusFilter::Tickets(queue)) => {
            let (cond, params) = super::ticket_queues::status_cond(queue);
            f.push(cond, params);
            f.status = true;
            let sort = SORT_KEYS.get(q.sort).map(|k| k.name);
            if sort.is_some() {
                f.status_index = super::ticket_queues::queue_index(queue, sort);
            }
        }
        _ => f.status(q, ENTITY, "t.status"),
    }
    f
}

/// What a text filter matches besides the subject: the ticket id, the start
/// of the order number (as typed or upper-cased), the start of the
/// customer's name, the end of the customer's phone (four or more digits).
/// `walk` tests the joined order row in page walks instead of a subquery.
fn other_conds(t: &str, walk: bool) -> (Vec<String>, Vec<Value>) {
    let mut conds = Vec::new();
    let mut params = Vec::new();
    if let Some(id) = bare_id(t) {
        conds.push("t.id = ?".to_string());
        params.push(Value::Integer(id));
    }
    let terms = super::Terms::of(t);
    let plus = if walk { "+" } else { "" };
    for p in &terms.prefixes {
        let (a, b) = super::prefix_range(p);
        conds.push(format!(
            "({plus}t.order_external_id >= ? AND {plus}t.order_external_id < ?)"
        ));
        params.extend([a, b]);
    }
    let (a, b) = super::prefix_range(t);
    conds.push(format!(
        "({plus}t.customer_name >= ? AND {plus}t.customer_name < ?)"
    ));
    params.extend([a, b]);
    if let Some((tail, like)) = terms.phone_tail() {
        conds.push(format!(
            "t.customer_id IN (SELECT id FROM customers WHERE {})",
            super::PHONE_TAIL_COND
        ));
        params.extend([tail, like]);
    }
    (conds, params)
}

/// The SLA due expression of the `tickets_sla` indexes.
pub const SLA_DUE: &str = "(CASE WHEN t.status = 'new' THEN t.audit_due_at ELSE t.resolve_due_at END)";

/// The open-ticket queue's statuses as SQL literals: word for word the
/// WHERE of `tickets_open_sla` (a partial index is used only for a query
/// that repeats its condition).
pub(crate) fn sla_running_list() -> String {
    crate::store::enums::literals(&super::TicketQueue::SlaRunning.statuses(), TicketStatus::as_str)
}

fn filter(q: &Query) -> Filter {
    let mut f = status_filter(q);
    if let Some(t) = q.text() {
        f.text = true;
        match hash_id(t) {
            Some(id) => f.push("t.id = ?", [Value::Integer(id)]),
            None => {
                let (mut conds, mut params) = other_conds(t, true);
                conds.insert(0, "t.subject LIKE ? ESCAPE '\\'".into());
                params.insert(0, super::like_pattern(t));
                f.push(conds.join(" OR "), params);
            }
        }
    }
    f
}

/// The index paths to the non-subject matches, each with the status
/// condition: by id, by order number, by customer name, by phone digits.
fn other_sources(q: &Query, t: &str) -> Vec<super::Source> {
    let st = status_filter(q);
    let status = st.conds.first().map_or(String::new(), |c| format!(" AND ({c})"));
    let with_status = |mut params: Vec<Value>| {
        params.extend(st.params.iter().cloned());
        params
    };
    let mut out = Vec::new();
    if let Some(id) = bare_id(t) {
        out.push(super::Source {
            from_where: format!("FROM tickets t WHERE t.id = ?{status}"),
            params: with_status(vec![Value::Integer(id)]),
        });
    }
    let terms = super::Terms::of(t);
    for p in &terms.prefixes {
        let (a, b) = super::prefix_range(p);
        out.push(super::Source {
            from_where: format!(
                "FROM tickets t INDEXED BY tickets_order_ref \
                 WHERE t.order_external_id >= ? AND t.order_external_id < ?{status}"
            ),
            params: with_status(vec![a, b]),
        });
    }
    let (a, b) = super::prefix_range(t);
    out.push(super::Source {
        from_where: format!(
            "FROM tickets t INDEXED BY tickets_customer_name \
             WHERE t.customer_name >= ? AND t.customer_name < ?{status}"
        ),
        params: with_status(vec![a, b]),
    });
    if let Some((tail, like)) = terms.phone_tail() {
        out.push(super::Source {
            from_where: format!(
                "FROM customers c JOIN tickets t INDEXED BY tickets_customer ON t.customer_id = c.id \
                 WHERE c.id IN (SELECT id FROM customers WHERE {}){status}",
                super::PHONE_TAIL_COND
            ),
            params: with_status(vec![tail, like]),
        });
    }
    out
}

const TABLE: super::Table = super::Table {
    cols: COLS,
    from: JOINS,
    id_expr: "t.id",
    sort_keys: SORT_KEYS,
};

/// A page: by id from the match list, or for a broad text filter (more
/// than `MATCH_CAP` matches) from its index paths, never a walk of the
/// whole list (`super::page_probed`).
pub fn page(conn: &Connection, q: &Query, seek: &Seek, limit: usize) -> Result<Page<Paged<Row>>> {
    let f = filter(q);
    let v = TABLE.view(q, &f);
    match q.text() {
        Some(t) if q.matches.is_none() && hash_id(t).is_none() => super::page_probed(
            conn,
            &v,
            q,
            || Ok(sources(q, t, &subject_match(conn, t)?)),
            seek,
            limit,
            map,
        ),
        _ => super::page_for(conn, &v, q, seek, limit, map),
    }
}

/// Support subjects repeat ("七天无理由退货"): when there are at most this many
/// distinct ones, a search matches them in memory and finds tickets by
/// index equality instead of testing every row with LIKE.
const DISTINCT_SUBJECTS: usize = 2000;

/// The distinct subjects containing `term` (case-insensitive), or `None`
/// when subjects are too varied. `SELECT DISTINCT` reads every entry of the
/// subject index (SQLite has no skip scan for it), so the distinct values
/// are walked as a recursive seek, one index probe per distinct subject.
fn matching_subjects(conn: &Connection, term: &str) -> Result<Option<Vec<String>>> {
    let mut st = conn.prepare_cached(&format!(
        "WITH RECURSIVE s(v) AS (
             SELECT min(subject) FROM tickets
             UNION ALL
             SELECT (SELECT subject FROM tickets INDEXED BY tickets_subject WHERE subject > s.v ORDER BY subject LIMIT 1)
             FROM s WHERE s.v IS NOT NULL LIMIT {}
         ) SELECT v FROM s WHERE v IS NOT NULL",
        DISTINCT_SUBJECTS + 2
    ))?;
    let all = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if all.len() > DISTINCT_SUBJECTS {
        return Ok(None);
    }
    let needle = term.to_lowercase();
    Ok(Some(
        all.into_iter()
            .filter(|s| s.to_lowercase().contains(&needle))
            .collect(),
    ))
}

/// How a text filter matches subjects: an IN over the matching distinct
/// subjects when they are few (an index equality per subject), else LIKE
/// over the subject index alone (covering: no table reads).
struct SubjectMatch {
    cond: String,
    params: Vec<Value>,
    from: &'static str,
}

fn subject_match(conn: &Connection, t: &str) -> Result<SubjectMatch> {
    Ok(match matching_subjects(conn, t)? {
        Some(subjects) if subjects.is_empty() => SubjectMatch {
            cond: "0".to_string(),
            params: Vec::new(),
            from: "FROM tickets t",
        },
        Some(subjects) => SubjectMatch {
            cond: format!("t.subject IN ({})", vec!["?"; subjects.len()].join(", ")),
            params: subjects.into_iter().map(Value::Text).collect(),
            from: "FROM tickets t INDEXED BY tickets_subject",
        },
        None => SubjectMatch {
            cond: "t.subject LIKE ? ESCAPE '\\'".to_string(),
            params: vec![super::like_pattern(t)],
            from: "FROM tickets t INDEXED BY tickets_subject",
        },
    })
}

/// Every index path to a text filter's matches, the subject's first.
fn sources(q: &Query, t: &str, subject: &SubjectMatch) -> Vec<super::Source> {
    let st = status_filter(q);
    let status = st.conds.first().map_or(String::new(), |c| format!(" AND ({c})"));
    let mut out = vec![super::Source {
        from_where: format!("{} WHERE ({}){status}", subject.from, subject.cond),
        params: subject.params.iter().chain(st.params.iter()).cloned().collect(),
    }];
    out.extend(other_sources(q, t));
    out
}

/// The count and, for a selective text filter, the matching rows in list
/// order, each path read from its index with the sort key (no ticket rows).
pub fn resolve(conn: &Connection, q: &Query) -> Result<super::Resolution> {
    if let (None, Some(super::StatusFilter::Tickets(queue))) = (q.text(), &q.status)
        && !queue.is_statuses()
    {
        let n = super::ticket_queues::count(conn, queue)?;
        return Ok((super::Count { n, capped: false }, None));
    }
    let t = match q.text() {
        Some(t) if hash_id(t).is_none() => t,
        _ => {
            let f = filter(q);
            return super::resolve(
                conn,
                ENTITY,
                q,
                &TABLE.view(q, &f),
                "FROM tickets t",
                q.match_cap(),
            );
        }
    };
    let subject = subject_match(conn, t)?;
    // The count: one multi-index OR over the same conditions.
    let (others, other_params) = other_conds(t, false);
    let mut f = status_filter(q);
    let mut conds = vec![subject.cond.clone()];
    conds.extend(others);
    let mut params = subject.params.clone();
    params.extend(other_params);
    f.push(conds.join(" OR "), params);
    super::resolve_from(
        conn,
        ENTITY,
        q,
        &TABLE.view(q, &f),
        "FROM tickets t",
        &sources(q, t, &subject),
        q.match_cap().min(MATCH_CAP),
    )
}

/// Matches kept as a list (read with their sort keys and sorted here, about
/// 0.85 µs each on the large demo: 20,637 for /尺码 took 17 ms). Past this a
/// search keeps only its count and reads each page from its index paths
/// (`page_probed`), a few ms whatever the number of matches.
const MATCH_CAP: u64 = 4_000;

pub fn stream(conn: &Connection, q: &Query, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64> {
    let filt = filter(q);
    super::stream(conn, &TABLE.view(q, &filt), map, f)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub author: String,
    pub author_kind: String,
    pub internal: bool,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub row: Row,
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub order_id: Option<i64>,
    pub customer_name: Option<String>,
    pub merchant_code: Option<String>,
    pub description: String,
    pub quality_issue: bool,
    pub approved_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub resolution: Option<String>,
    pub refund_minor: i64,
    pub reject_reason: Option<String>,
    pub satisfaction: Option<i64>,
    /// Oldest first, at most 200.
    pub messages: Vec<Message>,
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<Detail>> {
    let sql = format!(
        "SELECT {COLS}, 0, t.channel, t.external_id, t.order_id, cu.name, m.code, t.description, t.quality_issue, t.approved_at,
         t.resolved_at, t.closed_at, t.resolution, t.refund_minor, t.reject_reason, t.sat_overall {JOINS} LEFT JOIN customers cu ON cu.id = t.customer_id LEFT JOIN merchants m ON m.id = t.merchant_id
         WHERE t.id = ?1"
    );
    let d = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            Ok(Detail {
                row: map(r)?,
                channel: r.get(13)?,
                external_id: r.get(14)?,
                order_id: r.get(15)?,
                customer_name: r.get(16)?,
                merchant_code: r.get(17)?,
                description: r.get(18)?,
                quality_issue: r.get(19)?,
                approved_at: r.get(20)?,
                resolved_at: r.get(21)?,
                closed_at: r.get(22)?,
                resolution: r.get(23)?,
                refund_minor: r.get(24)?,
                reject_reason: r.get(25)?,
                satisfaction: r.get(26)?,
                messages: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut d) = d else { return Ok(None) };
    d.messages = crate::store::rows_of(
        conn,
        "SELECT author, author_kind, internal, body, created_at FROM ticket_messages
         WHERE ticket_id = ?1 ORDER BY id LIMIT 200",
        id,
        |r| {
            Ok(Message {
                author: r.get(0)?,
                author_kind: r.get(1)?,
                internal: r.get(2)?,
                body: r.get(3)?,
                created_at: r.get(4)?,
            })
        },
    )?;
    Ok(Some(d))
}

/// The support queues (issue 13 item 2): who has what to do next. Each is a
/// filter over open tickets, soonest due first (the stored due times,
/// refreshed by every verb; the detail recomputes them from the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketQueue {
    /// Open tickets the reader holds, the clock running (not waiting for
    /// the customer: that is "waiting").
    NeedsMe,
    /// Open tickets nobody holds, the clock running.
    Unassigned,
    /// Clock running and past the audit due time while new, else the
    /// resolution's (a paused ticket is not late while paused).
    Overdue,
    /// Waiting for the customer or the merchant.
    Waiting,
    Escalated,
    /// A refund above someone's limit waits for an owner.
    AwaitingOwner,
}

impl TicketQueue {
    pub const ALL: [TicketQueue; 6] = [
        TicketQueue::NeedsMe,
        TicketQueue::Unassigned,
        TicketQueue::Overdue,
        TicketQueue::Waiting,
        TicketQueue::Escalated,
        TicketQueue::AwaitingOwner,
    ];

    /// The command-line spelling (`ticket queue me`).
    pub fn as_str(self) -> &'static str {
        match self {
            TicketQueue::NeedsMe => "me",
            TicketQueue::Unassigned => "unassigned",
            TicketQueue::Overdue => "overdue",
            TicketQueue::Waiting => "waiting",
            TicketQueue::Escalated => "escalated",
            TicketQueue::AwaitingOwner => "owner",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketQueue::NeedsMe => "needs me",
            TicketQueue::Unassigned => "unassigned",
            TicketQueue::Overdue => "overdue",
            TicketQueue::Waiting => "waiting",
            TicketQueue::Escalated => "escalated",
            TicketQueue::AwaitingOwner => "refund awaiting an owner",
        }
    }

    pub fn parse(s: &str) -> Option<TicketQueue> {
        TicketQueue::ALL.into_iter().find(|q| q.as_str() == s.trim())
    }

    /// The Tickets screen's chip for this queue (the same conditions and
    /// indexes), for staff `me` at `now`; the owner's queue has none.
    pub fn chip(self, me: i64, now: &str) -> Option<super::TicketQueue> {
        use super::TicketQueue as Q;
        Some(match self {
            TicketQueue::NeedsMe => Q::NeedsMe { me },
            TicketQueue::Unassigned => Q::Unassigned,
            TicketQueue::Overdue => Q::Overdue {
                cutoff: now.to_string(),
            },
            TicketQueue::Waiting => Q::Waiting,
            TicketQueue::Escalated => Q::Escalated,
            TicketQueue::AwaitingOwner => return None,
        })
    }
}

const OPEN_SQL: &str =
    "('new', 'approved', 'in_progress', 'waiting_customer', 'waiting_merchant', 'escalated', 'reopened')";
/// The deadline that matters now: the audit's while new, else the resolution's.
const DUE_SQL: &str = "CASE t.status WHEN 'new' THEN t.audit_due_at ELSE t.resolve_due_at END";

/// The first `limit` tickets of a queue, soonest due first, and how many
/// the queue holds: the Tickets screen's chip (same conditions, same
/// index), or the owner's refunds (paused ones, with no due time, last).
pub fn queue(
    conn: &Connection,
    queue: TicketQueue,
    me: i64,
    now: &str,
    limit: usize,
) -> Result<(Vec<Row>, i64)> {
    if let Some(chip) = queue.chip(me, now) {
        let q = Query {
            status: Some(super::StatusFilter::Tickets(chip.clone())),
            sort: SORT_KEYS.iter().position(|k| k.name == "SLA due").unwrap_or(0),
            ..Query::default()
        };
        let rows = page(conn, &q, &Seek::First, limit)?
            .rows
            .into_iter()
            .map(|p| p.row)
            .collect();
        let n = super::ticket_queues::count(conn, &chip)?;
        return Ok((rows, i64::try_from(n).unwrap_or(i64::MAX)));
    }
    // A refund waiting for an owner: few, and no chip; read as they come.
    let cond = format!("t.pending_refund_minor IS NOT NULL AND t.status IN {OPEN_SQL}");
    let params: Vec<Value> = Vec::new();
    let sql = format!(
        "SELECT {COLS} {JOINS} WHERE {cond} ORDER BY ({DUE_SQL}) IS NULL, {DUE_SQL}, t.id LIMIT {limit}"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(params.iter()), map)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM tickets t WHERE {cond}"),
        rusqlite::params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    Ok((rows, n))
}

//! The ticket first-response rollup (`kpi_ticket_hours`, schema.sql): per
//! UTC hour of opened_at, the tickets with a first public staff reply and
//! the Σ of seconds to it, so a period's first-response figure reads its
//! hours instead of one message lookup per ticket. Part hours (zones at
//! :30 or :45) are read from the tickets, as `store::kpi::facts` does.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use rusqlite::{Connection, params};

use crate::{Result, clock};

/// Every trigger that keeps the rollup, as schema.sql names them.
pub const TRIGGERS: [&str; 10] = [
    "kpi_tickets_ai",
    "kpi_tickets_bu",
    "kpi_tickets_au",
    "kpi_tickets_bd",
    "kpi_replies_bi",
    "kpi_replies_ai",
    "kpi_replies_bu",
    "kpi_replies_au",
    "kpi_replies_bd",
    "kpi_replies_ad",
];

/// Recomputes the rollup from the tickets and messages.
pub const REBUILD: &str = "DELETE FROM kpi_ticket_hours;
     INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
     SELECT hour, sum(responded), sum(response_secs) FROM kpi_ticket_reply_facts GROUP BY hour;";

/// `(responded, response_secs)` of the tickets opened in `[from, to)`.
pub fn first_responses(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64)> {
    let (f, t) = (clock::parse_stamp(from)?, clock::parse_stamp(to)?);
    if f >= t {
        return Ok((0, 0));
    }
    let hour = TimeDelta::hours(1);
    let up = |x: DateTime<Utc>| {
        let down = x.duration_trunc(hour).unwrap_or(x);
        if down == x { x } else { down + hour }
    };
    let (f_up, t_down) = (
        up(f).min(t),
        t.duration_trunc(hour).unwrap_or(t).max(up(f).min(t)),
    );
    let mut sum = base(conn, &clock::stamp(f), &clock::stamp(f_up))?;
    let tail = base(conn, &clock::stamp(t_down), &clock::stamp(t))?;
    let whole: (i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(sum(responded), 0), coalesce(sum(response_secs), 0) FROM kpi_ticket_hours
             WHERE hour >= ?1 AND hour < ?2",
        )?
        .query_row(params![hour_key(f_up), hour_key(t_down)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    sum.0 += tail.0 + whole.0;
    sum.1 += tail.1 + whole.1;
    Ok(sum)
}

fn hour_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H").to_string()
}

/// The same from the tickets and their messages (part hours; the reference).
pub fn base(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64)> {
    if from >= to {
        return Ok((0, 0));
    }
    // LIMIT keeps the subquery from being flattened into the outer one,
    // which would look each ticket's first reply up twice.
    Ok(conn
        .prepare_cached(
            "SELECT count(f), coalesce(sum(unixepoch(f) - unixepoch(opened_at)), 0) FROM (
                 SELECT t.opened_at,
                        (SELECT min(m.created_at) FROM ticket_messages m
                         WHERE m.ticket_id = t.id AND m.author_kind = 'staff' AND m.internal = 0) AS f
                 FROM tickets t INDEXED BY tickets_kpi_opened WHERE t.opened_at >= ?1 AND t.opened_at < ?2
                 LIMIT -1)",
        )?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Every hour whose rollup differs from a recomputation, at most `max`.
pub fn differences(conn: &Connection, max: usize) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "WITH want AS (SELECT hour, sum(responded) AS n, sum(response_secs) AS secs
                       FROM kpi_ticket_reply_facts GROUP BY hour HAVING sum(responded) <> 0 OR sum(response_secs) <> 0),
              have AS (SELECT hour, responded, response_secs FROM kpi_ticket_hours
                       WHERE responded <> 0 OR response_secs <> 0)
         SELECT * FROM (SELECT *, 'the tickets say' FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
                        UNION ALL
                        SELECT *, 'kpi_ticket_hours says' FROM (SELECT * FROM have EXCEPT SELECT * FROM want))
         ORDER BY 1 LIMIT ?1",
    )?;
    let rows = st.query_map([max as i64], |r| {
        Ok(format!(
            "KPI ticket hour {}:00 (UTC): {} {} answered, {} s to first reply (the other differs)",
            r.get::<_, String>(0)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! The ticket first-response rollup (`kpi_ticket_hours`, schema.sql): per
//! UTC hour of opened_at, the tickets with a first public staff reply and
//! the Σ of seconds to it, so a period's first-response figure reads its
//! hours instead of one message lookup per ticket. Part hours (zones at
//! :30 or :45) are read from the tickets, as `store::kpi::facts` does.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use rusqlite::{Connection, params};

use super::kpi::TicketSums;
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

/// `[f, t)` cut at whole UTC hours: the part before the first whole hour,
/// the whole hours (as stored hour keys, `[a, b)`, empty when `a >= b`),
/// and the part after the last. Parts are empty in a whole-hour zone.
pub(crate) struct Hours {
    pub head: (DateTime<Utc>, DateTime<Utc>),
    pub whole: (String, String),
    pub tail: (DateTime<Utc>, DateTime<Utc>),
}

pub(crate) fn hours(f: DateTime<Utc>, t: DateTime<Utc>) -> Hours {
    let hour = TimeDelta::hours(1);
    let down = |x: DateTime<Utc>| x.duration_trunc(hour).unwrap_or(x);
    let up = |x: DateTime<Utc>| if down(x) == x { x } else { down(x) + hour };
    let f_up = up(f).min(t);
    let t_down = down(t).max(f_up);
    Hours {
        head: (f, f_up),
        whole: (hour_key(f_up), hour_key(t_down)),
        tail: (t_down, t),
    }
}

/// The stored hour key of an instant: `YYYY-MM-DDTHH` (UTC).
pub(crate) fn hour_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H").to_string()
}

/// `(responded, response_secs)` of the tickets opened in `[from, to)`.
pub fn first_responses(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64)> {
    first_responses_in(conn, &period_hours(from, to, true)?)
}

fn first_responses_in(conn: &Connection, h: &Hours) -> Result<(i64, i64)> {
    let mut sum = (0, 0);
    for (a, b) in [h.head, h.tail] {
        let part = base(conn, &clock::stamp(a), &clock::stamp(b))?;
        sum.0 += part.0;
        sum.1 += part.1;
    }
    if h.whole.0 < h.whole.1 {
        let whole: (i64, i64) = conn
            .prepare_cached(
                "SELECT coalesce(sum(responded), 0), coalesce(sum(response_secs), 0) FROM kpi_ticket_hours
                 WHERE hour >= ?1 AND hour < ?2",
            )?
            .query_row(params![h.whole.0, h.whole.1], |r| Ok((r.get(0)?, r.get(1)?)))?;
        sum.0 += whole.0;
        sum.1 += whole.1;
    }
    Ok(sum)
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

/// Every trigger that keeps the ticket count rollups (schema 19).
pub const COUNT_TRIGGERS: [&str; 6] = [
    "kpi_ticket_counts_ai",
    "kpi_ticket_opened_bu",
    "kpi_ticket_opened_au",
    "kpi_ticket_resolved_bu",
    "kpi_ticket_resolved_au",
    "kpi_ticket_counts_bd",
];

/// The columns of `kpi_ticket_counts` after its hour, in `TicketSums`
/// order: opened, complaints, resolved, with a due time, by it, the CSAT
/// counts and sums.
const COUNT_COLS: [&str; 13] = [
    "opened",
    "complaints",
    "resolved",
    "with_due",
    "sla_met",
    "attitude_n",
    "attitude_sum",
    "speed_n",
    "speed_sum",
    "resolution_n",
    "resolution_sum",
    "overall_n",
    "overall_sum",
];

/// The rollups as the views sum them: the counts per hour (opened and
/// resolved shares of the same hour together) and the reasons per hour.
macro_rules! want_counts {
    (counts) => {
        "SELECT hour, sum(opened), sum(complaints), sum(resolved), sum(with_due), sum(sla_met),
                sum(attitude_n), sum(attitude_sum), sum(speed_n), sum(speed_sum),
                sum(resolution_n), sum(resolution_sum), sum(overall_n), sum(overall_sum)
         FROM (SELECT hour, opened, complaints, 0 AS resolved, 0 AS with_due, 0 AS sla_met, 0 AS attitude_n,
                      0 AS attitude_sum, 0 AS speed_n, 0 AS speed_sum, 0 AS resolution_n, 0 AS resolution_sum,
                      0 AS overall_n, 0 AS overall_sum
               FROM kpi_ticket_open_facts
               UNION ALL
               SELECT hour, 0, 0, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum,
                      resolution_n, resolution_sum, overall_n, overall_sum
               FROM kpi_ticket_resolve_facts)
         GROUP BY hour"
    };
    (reasons) => {
        "SELECT day, reason, sum(opened) FROM kpi_ticket_open_facts GROUP BY day, reason"
    };
}

/// Recomputes the count rollups from the tickets.
pub const COUNTS_REBUILD: &str = concat!(
    "DELETE FROM kpi_ticket_counts;
     INSERT INTO kpi_ticket_counts (hour, opened, complaints, resolved, with_due, sla_met, attitude_n, attitude_sum,
                                    speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum) ",
    want_counts!(counts),
    ";
     DELETE FROM kpi_ticket_reasons;
     INSERT INTO kpi_ticket_reasons (day, reason, opened) ",
    want_counts!(reasons),
    ";"
);

/// Tickets opened in `[f, t)` per reason code (`""` for none): whole UTC
/// days from the rollup (`rollup`), the part days at either end from the
/// tickets (`tickets_kpi_opened` holds the reason: no row is read).
fn opened_by_reason(
    conn: &Connection,
    f: DateTime<Utc>,
    t: DateTime<Utc>,
    rollup: bool,
) -> Result<Vec<(String, i64)>> {
    let mut by: std::collections::BTreeMap<String, i64> = Default::default();
    let mut add = |rows: Vec<(String, i64)>| {
        for (reason, n) in rows {
            *by.entry(reason).or_default() += n;
        }
    };
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
    let day = TimeDelta::days(1);
    let down = |x: DateTime<Utc>| x.duration_trunc(day).unwrap_or(x);
    let (f_up, t_down) = if rollup {
        let f_up = if down(f) == f { f } else { down(f) + day }.min(t);
        (f_up, down(t).max(f_up))
    } else {
        (t, t)
    };
    for (a, b) in [(f, f_up), (t_down, t)] {
        if a < b {
            let mut st = conn.prepare_cached(
                "SELECT coalesce(reason, ''), count(*) FROM tickets INDEXED BY tickets_kpi_opened
                 WHERE opened_at >= ?1 AND opened_at < ?2 GROUP BY 1",
            )?;
            add(st
                .query_map(params![clock::stamp(a), clock::stamp(b)], row)?
                .collect::<rusqlite::Result<_>>()?);
        }
    }
    if f_up < t_down {
        let mut st = conn.prepare_cached(
            "SELECT reason, sum(opened) FROM kpi_ticket_reasons WHERE day >= ?1 AND day < ?2 GROUP BY reason",
        )?;
        let key = |x: DateTime<Utc>| x.format("%Y-%m-%d").to_string();
        add(st
            .query_map(params![key(f_up), key(t_down)], row)?
            .collect::<rusqlite::Result<_>>()?);
    }
    Ok(by.into_iter().filter(|(_, n)| *n != 0).collect())
}

/// Tickets opened in the period by reason code, most first; a ticket
/// without one (imported without it) counts as "(none)".
pub fn tickets_by_reason(conn: &Connection, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    by_reason_in(conn, from, to, true)
}

/// The same from the tickets alone: the reference.
pub fn tickets_by_reason_base(conn: &Connection, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    by_reason_in(conn, from, to, false)
}

fn by_reason_in(conn: &Connection, from: &str, to: &str, rollup: bool) -> Result<Vec<(String, i64)>> {
    let (f, t) = (clock::parse_stamp(from)?, clock::parse_stamp(to)?);
    let mut v: Vec<(String, i64)> = opened_by_reason(conn, f, t.max(f), rollup)?
        .into_iter()
        .map(|(r, n)| (if r.is_empty() { "(none)".to_string() } else { r }, n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(v)
}

/// The counts of `[a, b)`: from the rollup's hours (`rollup`, `a` and `b`
/// hour keys) or from the tickets (stamps).
fn counts_in(conn: &Connection, a: &str, b: &str, rollup: bool) -> Result<TicketSums> {
    let mut c = TicketSums::default();
    if rollup {
        let sql = format!(
            "SELECT {} FROM kpi_ticket_counts WHERE hour >= ?1 AND hour < ?2",
            COUNT_COLS.map(|c| format!("coalesce(sum({c}), 0)")).join(", ")
        );
        let v: [i64; 13] = conn.prepare_cached(&sql)?.query_row(params![a, b], |r| {
            let mut v = [0i64; 13];
            for (i, x) in v.iter_mut().enumerate() {
                *x = r.get(i)?;
            }
            Ok(v)
        })?;
        set_counts(&mut c, &v);
        return Ok(c);
    }
    let (opened, complaints): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(kind = 'complaint'), 0) FROM tickets INDEXED BY tickets_kpi_opened
             WHERE opened_at >= ?1 AND opened_at < ?2",
        )?
        .query_row(params![a, b], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let v: [i64; 11] = conn
        .prepare_cached(
            "SELECT count(*),
                    coalesce(sum(resolve_due_at IS NOT NULL), 0),
                    coalesce(sum(resolved_at <= resolve_due_at), 0),
                    count(sat_attitude), coalesce(sum(sat_attitude), 0),
                    count(sat_speed), coalesce(sum(sat_speed), 0),
                    count(sat_resolution), coalesce(sum(sat_resolution), 0),
                    count(sat_overall), coalesce(sum(sat_overall), 0)
             FROM tickets INDEXED BY tickets_kpi_resolved
             WHERE resolved_at IS NOT NULL AND resolved_at >= ?1 AND resolved_at < ?2",
        )?
        .query_row(params![a, b], |r| {
            let mut v = [0i64; 11];
            for (i, x) in v.iter_mut().enumerate() {
                *x = r.get(i)?;
            }
            Ok(v)
        })?;
    let mut all = [0i64; 13];
    all[0] = opened;
    all[1] = complaints;
    all[2..].copy_from_slice(&v);
    set_counts(&mut c, &all);
    Ok(c)
}

/// `COUNT_COLS`' values into their fields.
fn set_counts(c: &mut TicketSums, v: &[i64; 13]) {
    c.opened = v[0];
    c.complaints = v[1];
    c.resolved = v[2];
    c.with_due = v[3];
    c.sla_met = v[4];
    c.csat = [(v[5], v[6]), (v[7], v[8]), (v[9], v[10]), (v[11], v[12])];
}

/// Every ticket figure of `[from, to)`: whole UTC hours from the rollups,
/// the part hours at either end (a zone at :30 or :45) from the tickets.
pub fn ticket_sums(conn: &Connection, from: &str, to: &str) -> Result<TicketSums> {
    sums_in(conn, &period_hours(from, to, true)?)
}

/// The same from the tickets and messages alone: the reference.
pub fn ticket_sums_base(conn: &Connection, from: &str, to: &str) -> Result<TicketSums> {
    sums_in(conn, &period_hours(from, to, false)?)
}

/// `[from, to)` as `hours` cuts it, or (`rollup` false) as one part read
/// from the tickets; empty when `from` is not before `to`.
fn period_hours(from: &str, to: &str, rollup: bool) -> Result<Hours> {
    let f = clock::parse_stamp(from)?;
    let t = clock::parse_stamp(to)?.max(f);
    Ok(if rollup {
        hours(f, t)
    } else {
        Hours {
            head: (f, t),
            whole: (String::new(), String::new()),
            tail: (t, t),
        }
    })
}

fn sums_in(conn: &Connection, h: &Hours) -> Result<TicketSums> {
    let mut s = TicketSums::default();
    let mut parts = Vec::new();
    for (a, b) in [h.head, h.tail] {
        if a < b {
            parts.push(counts_in(conn, &clock::stamp(a), &clock::stamp(b), false)?);
        }
    }
    if h.whole.0 < h.whole.1 {
        parts.push(counts_in(conn, &h.whole.0, &h.whole.1, true)?);
    }
    for p in parts {
        s.opened += p.opened;
        s.complaints += p.complaints;
        s.resolved += p.resolved;
        s.with_due += p.with_due;
        s.sla_met += p.sla_met;
        for (sum, part) in s.csat.iter_mut().zip(p.csat) {
            sum.0 += part.0;
            sum.1 += part.1;
        }
    }
    (s.responded, s.response_secs) = first_responses_in(conn, h)?;
    Ok(s)
}

/// Every hour whose count rollups differ from a recomputation, at most
/// `max`, in UTC hours with the rollup named.
pub fn count_differences(conn: &Connection, max: usize) -> Result<Vec<String>> {
    let cols = COUNT_COLS.join(", ");
    let nonzero = COUNT_COLS.map(|c| format!("{c} <> 0")).join(" OR ");
    let mut st = conn.prepare(&format!(
        "WITH want AS ({}), have AS (SELECT hour, {cols} FROM kpi_ticket_counts WHERE {nonzero})
         SELECT * FROM (SELECT *, 'the tickets say' FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
                        UNION ALL
                        SELECT *, 'kpi_ticket_counts says' FROM (SELECT * FROM have EXCEPT SELECT * FROM want))
         ORDER BY 1 LIMIT ?1",
        want_counts!(counts)
    ))?;
    let rows = st.query_map([max as i64], |r| {
        Ok(format!(
            "KPI ticket counts {}:00 (UTC): {} {} opened, {} complaints, {} resolved, {} with a due time, {} by it (the other differs)",
            r.get::<_, String>(0)?,
            r.get::<_, String>(14)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(concat!(
        "WITH want AS (",
        want_counts!(reasons),
        "), have AS (SELECT day, reason, opened FROM kpi_ticket_reasons WHERE opened <> 0)
         SELECT * FROM (SELECT *, 'the tickets say' FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
                        UNION ALL
                        SELECT *, 'kpi_ticket_reasons says' FROM (SELECT * FROM have EXCEPT SELECT * FROM want))
         ORDER BY 1, 2 LIMIT ?1"
    ))?;
    let rows = st.query_map([max as i64], |r| {
        let reason: String = r.get(1)?;
        Ok(format!(
            "KPI tickets by reason {} (UTC), {}: {} {} opened (the other differs)",
            r.get::<_, String>(0)?,
            if reason.is_empty() { "(none)" } else { &reason },
            r.get::<_, String>(3)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    out.truncate(max);
    Ok(out)
}

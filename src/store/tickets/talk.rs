//! A ticket's conversation, canned replies, and satisfaction averages.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One message: a public reply, an internal note, the customer's or the
/// merchant's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub author: String,
    pub author_kind: String,
    pub internal: bool,
    pub body: String,
    pub created_at: String,
}

pub fn add_message(
    conn: &Connection,
    ticket_id: i64,
    author: &str,
    author_kind: &str,
    internal: bool,
    body: &str,
    at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO ticket_messages (ticket_id, author, author_kind, internal, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![ticket_id, author, author_kind, internal, body, at])?;
    Ok(conn.last_insert_rowid())
}

/// The conversation, oldest first.
pub fn messages(conn: &Connection, ticket_id: i64) -> Result<Vec<Message>> {
    super::super::rows_of(
        conn,
        "SELECT id, author, author_kind, internal, body, created_at FROM ticket_messages
         WHERE ticket_id = ?1 ORDER BY id",
        ticket_id,
        |r| {
            Ok(Message {
                id: r.get(0)?,
                author: r.get(1)?,
                author_kind: r.get(2)?,
                internal: r.get(3)?,
                body: r.get(4)?,
                created_at: r.get(5)?,
            })
        },
    )
}

/// A canned reply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Macro {
    pub id: i64,
    pub name: String,
    pub body: String,
    pub version: i64,
}

pub fn macros(conn: &Connection) -> Result<Vec<Macro>> {
    let mut st = conn.prepare_cached("SELECT id, name, body, version FROM canned_replies ORDER BY name")?;
    let rows = st.query_map([], |r| {
        Ok(Macro {
            id: r.get(0)?,
            name: r.get(1)?,
            body: r.get(2)?,
            version: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn macro_by_name(conn: &Connection, name: &str) -> Result<Option<Macro>> {
    Ok(conn
        .prepare_cached("SELECT id, name, body, version FROM canned_replies WHERE name = ?1")?
        .query_row([name], |r| {
            Ok(Macro {
                id: r.get(0)?,
                name: r.get(1)?,
                body: r.get(2)?,
                version: r.get(3)?,
            })
        })
        .optional()?)
}

/// Adds or replaces the macro `name`.
pub fn set_macro(conn: &Connection, name: &str, body: &str) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO canned_replies (name, body) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, version = version + 1",
    )?
    .execute(params![name, body])?;
    Ok(conn
        .prepare_cached("SELECT id FROM canned_replies WHERE name = ?1")?
        .query_row([name], |r| r.get(0))?)
}

pub fn delete_macro(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM canned_replies WHERE name = ?1")?
        .execute([name])?
        == 1)
}

/// Satisfaction averages (attitude, speed, resolution, overall) and how
/// many tickets were scored, per assignee login ("" for unassigned) and
/// then overall (login `None`), for tickets opened in `[from, to)`.
pub type CsatRow = (Option<String>, i64, [Option<f64>; 4]);

pub fn csat(conn: &Connection, from: &str, to: &str) -> Result<Vec<CsatRow>> {
    let mut st = conn.prepare_cached(
        "SELECT coalesce(s.login, ''), count(*), avg(t.sat_attitude), avg(t.sat_speed), avg(t.sat_resolution),
                avg(t.sat_overall)
         FROM tickets t INDEXED BY tickets_opened LEFT JOIN staff s ON s.id = t.assignee_id
         WHERE t.opened_at >= ?1 AND t.opened_at < ?2 AND t.sat_overall IS NOT NULL
         GROUP BY 1
         UNION ALL
         SELECT NULL, count(*), avg(sat_attitude), avg(sat_speed), avg(sat_resolution), avg(sat_overall)
         FROM tickets INDEXED BY tickets_opened
         WHERE opened_at >= ?1 AND opened_at < ?2 AND sat_overall IS NOT NULL",
    )?;
    let rows = st.query_map([from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?]))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The notices about one ticket, oldest first (the `notices_entity` index).
pub fn notices_of(conn: &Connection, ticket_id: i64) -> Result<Vec<crate::store::merchants::Notice>> {
    super::super::rows_of(
        conn,
        "SELECT id, entity, entity_id, recipient, channel, subject, body, created_at, sent_at, sent_by, attempts,
                last_error
         FROM notices WHERE entity = 'ticket' AND entity_id = ?1 ORDER BY id",
        ticket_id,
        |r| {
            Ok(crate::store::merchants::Notice {
                id: r.get(0)?,
                entity: r.get(1)?,
                entity_id: r.get(2)?,
                recipient: r.get(3)?,
                channel: r.get(4)?,
                subject: r.get(5)?,
                body: r.get(6)?,
                created_at: r.get(7)?,
                sent_at: r.get(8)?,
                sent_by: r.get(9)?,
                attempts: r.get(10)?,
                last_error: r.get(11)?,
            })
        },
    )
}

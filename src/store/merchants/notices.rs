//! The notices outbox (SPEC 4.8).

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One row of the notices outbox (SPEC 4.8).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub recipient: String,
    pub channel: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub sent_by: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice<'a> {
    pub entity: &'a str,
    pub entity_id: i64,
    pub recipient: &'a str,
    pub channel: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub at: &'a str,
}

pub fn add_notice(conn: &Connection, n: &NewNotice<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO notices (entity, entity_id, recipient, channel, subject, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        n.entity,
        n.entity_id,
        n.recipient,
        n.channel,
        n.subject,
        n.body,
        n.at
    ])?;
    Ok(conn.last_insert_rowid())
}

const NOTICE_COLUMNS: &str = "id, entity, entity_id, recipient, channel, subject, body, created_at, sent_at,
    sent_by, attempts, last_error";

fn map_notice(r: &rusqlite::Row<'_>) -> rusqlite::Result<Notice> {
    Ok(Notice {
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
}

/// The outbox, oldest first; only the unsent ones when `unsent`.
pub fn notices(conn: &Connection, unsent: bool) -> Result<Vec<Notice>> {
    let sql = if unsent {
        format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE sent_at IS NULL ORDER BY id")
    } else {
        format!("SELECT {NOTICE_COLUMNS} FROM notices ORDER BY id")
    };
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([], map_notice)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One record's notices, oldest first (the `notices_entity` index).
pub fn notices_of(conn: &Connection, entity: &str, entity_id: i64) -> Result<Vec<Notice>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {NOTICE_COLUMNS} FROM notices WHERE entity = ?1 AND entity_id = ?2 ORDER BY id"
    ))?;
    let rows = st.query_map(params![entity, entity_id], map_notice)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn notice(conn: &Connection, id: i64) -> Result<Option<Notice>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = ?1"))?
        .query_row([id], map_notice)
        .optional()?)
}

/// Marks an unsent notice sent; false when it was already sent.
pub fn mark_sent(conn: &Connection, id: i64, at: &str, by: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE notices SET sent_at = ?2, sent_by = ?3, attempts = attempts + 1, last_error = NULL
             WHERE id = ?1 AND sent_at IS NULL",
        )?
        .execute(params![id, at, by])?;
    Ok(n == 1)
}

/// Records a failed delivery attempt.
pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notices SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1 AND sent_at IS NULL",
    )?
    .execute(params![id, error])?;
    Ok(())
}

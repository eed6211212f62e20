//! The SQL behind `import reviews`, `import traffic` and `import tickets`.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// A review of the order at that time exists (the import's key).
pub fn review_exists(conn: &Connection, order_id: i64, created_at: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT score FROM reviews WHERE order_id = ?1 AND created_at = ?2")?
        .query_row(params![order_id, created_at], |r| r.get(0))
        .optional()?)
}

pub fn insert_review(
    conn: &Connection,
    order_id: i64,
    score: i64,
    comment: &str,
    created_at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO reviews (order_id, score, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![order_id, score, comment, created_at])?;
    Ok(conn.last_insert_rowid())
}

pub fn traffic(conn: &Connection, date: &str, channel: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT visits FROM traffic_daily WHERE date = ?1 AND channel = ?2")?
        .query_row(params![date, channel], |r| r.get(0))
        .optional()?)
}

pub fn insert_traffic(conn: &Connection, date: &str, channel: &str, visits: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO traffic_daily (date, channel, visits) VALUES (?1, ?2, ?3)")?
        .execute(params![date, channel, visits])?;
    Ok(())
}

/// The ticket of this order, kind and opening time, if imported before.
pub fn ticket_by_key(
    conn: &Connection,
    order_id: i64,
    kind: &str,
    opened_at: &str,
) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status FROM tickets WHERE order_id = ?1 AND kind = ?2 AND opened_at = ?3",
        )?
        .query_row(params![order_id, kind, opened_at], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// What an imported ticket carries beyond a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported<'a> {
    pub status: &'a str,
    pub resolution: Option<&'a str>,
    pub refund_minor: i64,
    pub resolved_at: Option<&'a str>,
    pub closed_at: Option<&'a str>,
    pub approved_at: Option<&'a str>,
    pub reject_reason: Option<&'a str>,
    pub csat: Option<[i64; 4]>,
}

pub fn set_imported(conn: &Connection, id: i64, x: &Imported<'_>) -> Result<()> {
    let c = x.csat;
    conn.prepare_cached(
        "UPDATE tickets SET resolution = ?2, refund_minor = ?3, resolved_at = ?4, closed_at = ?5, approved_at = ?6,
             reject_reason = ?7, sat_attitude = ?8, sat_speed = ?9, sat_resolution = ?10, sat_overall = ?11,
             status = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        x.resolution,
        x.refund_minor,
        x.resolved_at,
        x.closed_at,
        x.approved_at,
        x.reject_reason,
        c.map(|s| s[0]),
        c.map(|s| s[1]),
        c.map(|s| s[2]),
        c.map(|s| s[3]),
        x.status,
    ])?;
    Ok(())
}

//! Review claims: who took an application awaiting review, and when.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// A reviewer's claim on an application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Claim {
    pub by: String,
    /// UTC stamp.
    pub at: String,
}

pub fn claim(conn: &Connection, merchant_id: i64) -> Result<Option<Claim>> {
    Ok(conn
        .prepare_cached("SELECT claimed_by, claimed_at FROM merchant_claims WHERE merchant_id = ?1")?
        .query_row([merchant_id], |r| {
            Ok(Claim {
                by: r.get(0)?,
                at: r.get(1)?,
            })
        })
        .optional()?)
}

/// Makes `by` the claimer (replacing any claim).
pub fn put_claim(conn: &Connection, merchant_id: i64, by: &str, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO merchant_claims (merchant_id, claimed_by, claimed_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (merchant_id) DO UPDATE SET claimed_by = ?2, claimed_at = ?3",
    )?
    .execute(params![merchant_id, by, at])?;
    Ok(())
}

/// Ends the claim; false when there was none.
pub fn clear_claim(conn: &Connection, merchant_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM merchant_claims WHERE merchant_id = ?1")?
        .execute([merchant_id])?
        > 0)
}

/// Minutes after which another reviewer may take a claim over (setting).
pub fn claim_takeover_minutes(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT claim_takeover_minutes FROM merchant_review_settings WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(240))
}

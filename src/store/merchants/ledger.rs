//! The deposit and platform fee ledger.

use rusqlite::{Connection, params};

use crate::Result;

/// One deposit or fee ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub account: String,
    pub kind: String,
    pub amount_minor: i64,
    pub violation_id: Option<i64>,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry<'a> {
    pub account: &'a str,
    pub kind: &'a str,
    /// Signed: positive pays in, negative deducts or refunds.
    pub amount_minor: i64,
    pub violation_id: Option<i64>,
    pub note: &'a str,
    pub at: &'a str,
    pub by: &'a str,
}

pub fn add_entry(conn: &Connection, merchant_id: i64, e: &NewEntry<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merchant_ledger (merchant_id, account, kind, amount_minor, violation_id, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        merchant_id,
        e.account,
        e.kind,
        e.amount_minor,
        e.violation_id,
        e.note,
        e.at,
        e.by
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn ledger(conn: &Connection, merchant_id: i64) -> Result<Vec<LedgerEntry>> {
    crate::store::rows_of(
        conn,
        "SELECT id, account, kind, amount_minor, violation_id, note, created_at, created_by
         FROM merchant_ledger WHERE merchant_id = ?1 ORDER BY id",
        merchant_id,
        |r| {
            Ok(LedgerEntry {
                id: r.get(0)?,
                account: r.get(1)?,
                kind: r.get(2)?,
                amount_minor: r.get(3)?,
                violation_id: r.get(4)?,
                note: r.get(5)?,
                created_at: r.get(6)?,
                created_by: r.get(7)?,
            })
        },
    )
}

/// (entries, sum) of one account. The sum is taken in Rust with checked
/// arithmetic: an overflow is a database problem, never a wrapped balance.
pub fn account(conn: &Connection, merchant_id: i64, account: &str) -> Result<(i64, i64)> {
    let mut st = conn
        .prepare_cached("SELECT amount_minor FROM merchant_ledger WHERE merchant_id = ?1 AND account = ?2")?;
    let rows = st.query_map(params![merchant_id, account], |r| r.get::<_, i64>(0))?;
    let (mut n, mut sum) = (0i64, 0i64);
    for a in rows {
        n += 1;
        sum = sum.checked_add(a?).ok_or_else(|| {
            crate::Error::Db(format!("merchant {merchant_id}: the {account} ledger overflows"))
        })?;
    }
    Ok((n, sum))
}

//! SQL for `import merchant-documents`.

use rusqlite::{Connection, params};

use crate::Result;

/// A document row as the import writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentRow {
    pub merchant_code: String,
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub expires_on: Option<String>,
    pub check_status: String,
    pub note: String,
}

/// Inserts a new document (the caller checked there is none of its kind).
pub fn insert_document(conn: &Connection, merchant_id: i64, d: &DocumentRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merchant_documents (merchant_id, kind, number, issuer, expires_on, check_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        merchant_id,
        d.kind,
        d.number,
        d.issuer,
        d.expires_on,
        d.check_status,
        d.note
    ])?;
    Ok(conn.last_insert_rowid())
}

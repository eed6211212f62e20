//! Merchant documents, their scans, the required-documents setting and expiry.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One document of a merchant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub expires_on: Option<String>,
    pub check_status: String,
    pub note: String,
    pub version: i64,
    /// The scan's metadata, when one is stored.
    pub file: Option<FileMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileMeta {
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

pub fn documents(conn: &Connection, merchant_id: i64) -> Result<Vec<Document>> {
    crate::store::rows_of(
        conn,
        "SELECT d.id, d.kind, d.number, d.issuer, d.expires_on, d.check_status, d.note, d.version,
                f.file_name, f.media_type, f.size_bytes, f.sha256
         FROM merchant_documents d LEFT JOIN merchant_document_files f ON f.document_id = d.id
         WHERE d.merchant_id = ?1 ORDER BY d.id",
        merchant_id,
        |r| {
            let file = match r.get::<_, Option<String>>(8)? {
                Some(file_name) => Some(FileMeta {
                    file_name,
                    media_type: r.get(9)?,
                    size_bytes: r.get(10)?,
                    sha256: r.get(11)?,
                }),
                None => None,
            };
            Ok(Document {
                id: r.get(0)?,
                kind: r.get(1)?,
                number: r.get(2)?,
                issuer: r.get(3)?,
                expires_on: r.get(4)?,
                check_status: r.get(5)?,
                note: r.get(6)?,
                version: r.get(7)?,
                file,
            })
        },
    )
}

/// What `doc add` writes: a new document, or new details for an existing
/// kind (its check starts again at pending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInput<'a> {
    pub kind: &'a str,
    pub number: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub expires_on: Option<&'a str>,
}

/// Inserts or updates the document of `kind`; returns its id.
pub fn put_document(conn: &Connection, merchant_id: i64, d: &DocumentInput<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merchant_documents (merchant_id, kind, number, issuer, expires_on, check_status, note)
         VALUES (?1, ?2, coalesce(?3, ''), coalesce(?4, ''), ?5, 'pending', '')
         ON CONFLICT (merchant_id, kind) DO UPDATE SET
            number = coalesce(?3, number), issuer = coalesce(?4, issuer),
            expires_on = coalesce(?5, expires_on), check_status = 'pending', note = '',
            version = version + 1",
    )?
    .execute(params![merchant_id, d.kind, d.number, d.issuer, d.expires_on])?;
    Ok(conn
        .prepare_cached("SELECT id FROM merchant_documents WHERE merchant_id = ?1 AND kind = ?2")?
        .query_row(params![merchant_id, d.kind], |r| r.get(0))?)
}

/// A scan to store with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub at: &'a str,
    pub by: &'a str,
}

pub fn put_file(conn: &Connection, document_id: i64, f: &NewFile<'_>) -> Result<()> {
    let size = i64::try_from(f.content.len()).map_err(|_| crate::Error::input("the file is too large"))?;
    conn.prepare_cached(
        "INSERT INTO merchant_document_files (document_id, file_name, media_type, size_bytes, sha256, added_at, added_by, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (document_id) DO UPDATE SET file_name = ?2, media_type = ?3, size_bytes = ?4,
            sha256 = ?5, added_at = ?6, added_by = ?7, content = ?8",
    )?
    .execute(params![
        document_id,
        f.file_name,
        f.media_type,
        size,
        f.sha256,
        f.at,
        f.by,
        f.content
    ])?;
    Ok(())
}

/// The stored scan of a document: its metadata and bytes.
pub fn file(conn: &Connection, document_id: i64) -> Result<Option<(FileMeta, Vec<u8>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT file_name, media_type, size_bytes, sha256, content FROM merchant_document_files
             WHERE document_id = ?1",
        )?
        .query_row([document_id], |r| {
            Ok((
                FileMeta {
                    file_name: r.get(0)?,
                    media_type: r.get(1)?,
                    size_bytes: r.get(2)?,
                    sha256: r.get(3)?,
                },
                r.get(4)?,
            ))
        })
        .optional()?)
}

/// Sets a document's check status and note (a rejection's reason).
pub fn set_document_check(conn: &Connection, document_id: i64, status: &str, note: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE merchant_documents SET check_status = ?2, note = ?3, version = version + 1 WHERE id = ?1",
    )?
    .execute(params![document_id, status, note])?;
    Ok(())
}

/// The document kinds `mode` must have verified before approval (the setting).
pub fn required_kinds(conn: &Connection, mode: &str) -> Result<Vec<String>> {
    let mut st =
        conn.prepare_cached("SELECT kind FROM required_documents WHERE cooperation_mode = ?1 ORDER BY kind")?;
    let rows = st.query_map([mode], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rejection reasons of the merchant's rejected documents, as
/// "kind: reason" (per-document feedback for a changes-needed notice).
pub fn rejected_documents(conn: &Connection, merchant_id: i64) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, note FROM merchant_documents WHERE merchant_id = ?1 AND check_status = 'rejected' ORDER BY id",
    )?;
    let rows = st.query_map([merchant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Documents past their expiry date (before `today`, `YYYY-MM-DD`) not yet
/// marked expired: (document id, merchant id, kind, expires_on). Reads the
/// expiry index's range only.
/// A document due for re-verification, with its merchant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reverify {
    pub code: String,
    pub name: String,
    pub status: String,
    pub kind: String,
    pub number: String,
    pub expires_on: String,
    pub check_status: String,
}

/// Documents expiring on or before `until` (YYYY-MM-DD), of merchants not
/// rejected or terminated, soonest first (the `merchant_documents_expiry`
/// index).
pub fn reverify_until(conn: &Connection, until: &str) -> Result<Vec<Reverify>> {
    let mut st = conn.prepare_cached(
        "SELECT m.code, m.name, m.status, d.kind, d.number, d.expires_on, d.check_status
         FROM merchant_documents d JOIN merchants m ON m.id = d.merchant_id
         WHERE d.expires_on IS NOT NULL AND d.expires_on <= ?1 AND m.status NOT IN ('rejected', 'terminated')
         ORDER BY d.expires_on, m.code, d.kind",
    )?;
    let rows = st.query_map([until], |r| {
        Ok(Reverify {
            code: r.get(0)?,
            name: r.get(1)?,
            status: r.get(2)?,
            kind: r.get(3)?,
            number: r.get(4)?,
            expires_on: r.get(5)?,
            check_status: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether any document is past its expiry and not yet marked (the
/// partial index `merchant_documents_due` answers it without a scan).
pub fn any_due_expiry(conn: &Connection, today: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM merchant_documents WHERE expires_on < ?1 AND check_status <> 'expired')",
        )?
        .query_row([today], |r| r.get(0))?)
}

pub fn due_expiries(conn: &Connection, today: &str) -> Result<Vec<(i64, i64, String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, merchant_id, kind, expires_on FROM merchant_documents
         WHERE expires_on < ?1 AND check_status <> 'expired' ORDER BY id",
    )?;
    let rows = st.query_map([today], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! Documents: add one (with its scan, stored in the database with its
//! SHA-256, size and type), verify it, reject it with a reason.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::domain::Permission;
use crate::domain::merchant::DocKind;
use crate::ops::Session;
use crate::ops::workflow::{self, Applied};
use crate::store::merchants::{self as db, DocumentInput, Merchant, NewFile};
use crate::{Error, Result};

use super::{MAX_FILE_BYTES, Outcome, blocked, label, outcome, require_open};

/// What `doc add` was given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewDocument {
    pub kind: String,
    pub number: Option<String>,
    pub issuer: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    pub file: Option<PathBuf>,
}

/// A scan read from disk, checked before any transaction starts.
struct Scan {
    name: String,
    media_type: &'static str,
    sha256: String,
    content: Vec<u8>,
}

/// Reads `path` (as the caller, in a shared install), refusing a file over
/// the limit before reading it and a file that grows past it while read.
fn read_scan(path: &Path) -> Result<Scan> {
    let shown = path.display();
    let bad = |why: String| Error::input(format!("{shown}: {why}; nothing was written"));
    let file = crate::identity::as_caller(|| std::fs::File::open(path))
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    let meta = file.metadata().map_err(|e| bad(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(bad("not a regular file".into()));
    }
    let limit = format!("the limit is {} MB", MAX_FILE_BYTES / (1024 * 1024));
    if meta.len() > MAX_FILE_BYTES {
        return Err(bad(format!("the file is {} bytes; {limit}", meta.len())));
    }
    let mut content = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut content)
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    if content.len() as u64 > MAX_FILE_BYTES {
        return Err(bad(format!("the file grew past the limit while read; {limit}")));
    }
    let sha256 = hex::encode(Sha256::digest(&content));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan".to_string());
    Ok(Scan {
        media_type: media_type(&content),
        name,
        sha256,
        content,
    })
}

/// The type of a scan from its first bytes (the formats scans come in).
fn media_type(b: &[u8]) -> &'static str {
    if b.starts_with(b"%PDF-") {
        "application/pdf"
    } else if b.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        "image/tiff"
    } else {
        "application/octet-stream"
    }
}

fn parse_kind(kind: &str) -> Result<DocKind> {
    kind.parse::<DocKind>().map_err(|e| Error::input(e.to_string()))
}

/// Adds (or replaces the details of) a document; its check starts at pending.
pub fn add_document_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    d: &NewDocument,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let kind = parse_kind(&d.kind)?;
    if let Some(e) = &d.expires {
        NaiveDate::parse_from_str(e.trim(), "%Y-%m-%d")
            .map_err(|_| Error::input(format!("--expires {e:?} is not a date (YYYY-MM-DD)")))?;
    }
    s.require(Permission::ManageMerchants)?;
    let scan = d.file.as_deref().map(read_scan).transpose()?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "doc_add",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            require_open(before, "doc add")?;
            let tx: &Connection = st.tx;
            let doc_id = db::put_document(
                tx,
                before.id,
                &DocumentInput {
                    kind: kind.as_str(),
                    number: d.number.as_deref(),
                    issuer: d.issuer.as_deref(),
                    expires_on: d.expires.as_deref().map(str::trim),
                },
            )?;
            let mut change = serde_json::json!({"document": doc_id, "kind": kind.as_str()});
            let mut note = String::new();
            if let Some(f) = &scan {
                db::put_file(
                    tx,
                    doc_id,
                    &NewFile {
                        file_name: &f.name,
                        media_type: f.media_type,
                        sha256: &f.sha256,
                        content: &f.content,
                        at: st.who.at,
                        by: st.who.actor,
                    },
                )?;
                change["sha256"] = f.sha256.clone().into();
                change["size_bytes"] = f.content.len().into();
                note = format!(
                    " with its scan ({} bytes, {}, sha256 {})",
                    f.content.len(),
                    f.media_type,
                    f.sha256
                );
            }
            after.change = Some(change);
            Ok(Applied::saved(format!(
                "{}: {} added{note}; it is pending verification",
                label(before),
                kind.label()
            )))
        },
    )?;
    outcome(&after, "doc_add", applied)
}

/// Verifies a document (`reject: None`) or rejects it with a reason.
pub fn check_document_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    kind: &str,
    reject: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let kind = parse_kind(kind)?;
    let action = if reject.is_some() {
        "doc_reject"
    } else {
        "doc_verify"
    };
    if let Some(r) = reject
        && r.trim().is_empty()
    {
        return Err(Error::input("doc reject: --reason is required"));
    }
    let today = s.calendar()?.local_date(now).format("%Y-%m-%d").to_string();
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        action,
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            require_open(before, &action.replace('_', " "))?;
            let tx: &Connection = st.tx;
            let Some(doc) = db::documents(tx, before.id)?
                .into_iter()
                .find(|x| x.kind == kind.as_str())
            else {
                return Err(blocked(
                    before,
                    &action.replace('_', " "),
                    vec![format!(
                        "it has no {} (add it with `merchant doc add {} --kind {}`)",
                        kind.label(),
                        before.code,
                        kind.as_str()
                    )],
                ));
            };
            let (status, note) = match reject {
                Some(r) => ("rejected", r.trim()),
                None => ("verified", ""),
            };
            if doc.check_status == status && reject.is_none() {
                return Err(blocked(
                    before,
                    "verify",
                    vec![format!("the {} is already verified", kind.label())],
                ));
            }
            // A document past its expiry date cannot be verified: the
            // expiry effect would undo it, and approval refuses it anyway.
            if reject.is_none()
                && let Some(exp) = doc.expires_on.as_deref()
                && exp < today.as_str()
            {
                return Err(blocked(
                    before,
                    "verify",
                    vec![format!(
                        "the {} expired on {exp}; add the renewed one with `merchant doc add {} --kind {} --expires D`",
                        kind.label(),
                        before.code,
                        kind.as_str()
                    )],
                ));
            }
            db::set_document_check(tx, doc.id, status, note)?;
            after.change = Some(serde_json::json!({
                "document": doc.id, "kind": kind.as_str(), "check_status": status,
                "was": doc.check_status, "note": note,
            }));
            let msg = match reject {
                Some(r) => format!("{}: {} rejected: {}", label(before), kind.label(), r.trim()),
                None => format!("{}: {} verified", label(before), kind.label()),
            };
            Ok(Applied::saved(msg))
        },
    )?;
    outcome(&after, action, applied)
}

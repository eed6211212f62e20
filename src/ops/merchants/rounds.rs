//! The rounds of an application: a snapshot of its fields and documents
//! when changes are requested and at each resubmission, so the review shows
//! what changed since the last round (before → after).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde_json::{Value as Json, json};

use crate::store::merchants::{self as db, Merchant, Submission};
use crate::{Error, Result};

/// The application's fields people fill in, and each document's details.
pub(super) fn snapshot(conn: &Connection, m: &Merchant) -> Result<String> {
    let mut docs = serde_json::Map::new();
    for d in db::documents(conn, m.id)? {
        docs.insert(
            d.kind.clone(),
            json!({
                "number": d.number, "issuer": d.issuer, "expires_on": d.expires_on,
                "check_status": d.check_status, "scan_sha256": d.file.map(|f| f.sha256),
            }),
        );
    }
    let v = json!({
        "fields": {
            "name": m.name, "legal_name": m.legal_name, "contact_name": m.contact_name,
            "phone": m.phone, "email": m.email, "address": m.address, "city": m.city,
            "license_no": m.license_no, "tax_id": m.tax_id, "cooperation_mode": m.cooperation_mode,
            "requested_categories": m.requested_categories,
        },
        "documents": docs,
    });
    serde_json::to_string(&v).map_err(|e| Error::Db(format!("snapshot json: {e}")))
}

/// Records the round being reviewed (when changes are requested): its
/// snapshot the first time, its feedback always.
pub(super) fn changes_requested(
    conn: &Connection,
    m: &Merchant,
    feedback: &str,
    at: &str,
    by: &str,
) -> Result<()> {
    let round = db::round(conn, m.id)?;
    db::put_submission(
        conn,
        m.id,
        &Submission {
            round,
            feedback: feedback.to_string(),
            snapshot: snapshot(conn, m)?,
            submitted_at: at.to_string(),
            submitted_by: by.to_string(),
        },
    )
}

/// Records a resubmission as the next round; returns its number.
pub(super) fn resubmitted(conn: &Connection, m: &Merchant, at: &str, by: &str) -> Result<i64> {
    let round = db::round(conn, m.id)?
        .checked_add(1)
        .ok_or_else(|| Error::Db(format!("merchant {}: too many rounds", m.code)))?;
    db::put_submission(
        conn,
        m.id,
        &Submission {
            round,
            feedback: String::new(),
            snapshot: snapshot(conn, m)?,
            submitted_at: at.to_string(),
            submitted_by: by.to_string(),
        },
    )?;
    Ok(round)
}

/// What changed from the previous round to the last one, one line each:
/// "email: a@x → b@x", "business licence: number N1 → N2", "trademark
/// certificate: added". Empty before the first resubmission.
pub fn changes(conn: &Connection, merchant_id: i64) -> Result<Vec<String>> {
    let rounds = db::submissions(conn, merchant_id)?;
    let [.., before, after] = rounds.as_slice() else {
        return Ok(Vec::new());
    };
    let parse = |s: &Submission| -> Result<Json> {
        serde_json::from_str(&s.snapshot).map_err(|e| Error::Db(format!("round {} snapshot: {e}", s.round)))
    };
    let (a, b) = (parse(before)?, parse(after)?);
    let mut out = Vec::new();
    let word = |v: &Json| match v {
        Json::Null => "-".to_string(),
        Json::String(s) if s.is_empty() => "-".to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    let empty = serde_json::Map::new();
    let obj = |v: &Json, k: &str| {
        v.get(k)
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (fa, fb) = (obj(&a, "fields"), obj(&b, "fields"));
    for (k, vb) in &fb {
        let va = fa.get(k).unwrap_or(&Json::Null);
        if va != vb {
            out.push(format!("{k}: {} → {}", word(va), word(vb)));
        }
    }
    let (da, db_) = (obj(&a, "documents"), obj(&b, "documents"));
    let kinds: BTreeMap<&String, ()> = da.keys().chain(db_.keys()).map(|k| (k, ())).collect();
    for kind in kinds.keys() {
        let label = kind
            .parse::<crate::domain::merchant::DocKind>()
            .map(|k| k.label().to_string())
            .unwrap_or_else(|_| kind.to_string());
        match (da.get(*kind), db_.get(*kind)) {
            (None, Some(_)) => out.push(format!("{label}: added")),
            (Some(_), None) => out.push(format!("{label}: removed")),
            (Some(x), Some(y)) if x != y => {
                let parts: Vec<String> = ["number", "issuer", "expires_on", "check_status", "scan_sha256"]
                    .iter()
                    .filter_map(|f| {
                        let (p, q) = (x.get(*f).unwrap_or(&Json::Null), y.get(*f).unwrap_or(&Json::Null));
                        let name = if *f == "scan_sha256" { "scan" } else { f };
                        (p != q).then(|| format!("{name} {} → {}", word(p), word(q)))
                    })
                    .collect();
                out.push(format!("{label}: {}", parts.join(", ")));
            }
            _ => {}
        }
    }
    Ok(out)
}

//! A scheduled effect (SPEC §4.7): a document past its expiry date becomes
//! `expired`, an ordinary audited change by the actor `system`. Applying it
//! twice changes nothing.

use chrono::{DateTime, Utc};

use crate::ops::workflow;
use crate::ops::{Session, Stamp};
use crate::store::merchants as db;
use crate::{Error, Result, clock, store};

use super::label;

/// The login scheduled effects are audited under.
pub const SYSTEM: &str = "system";

/// Marks every document past its expiry date expired, one merchant audit
/// row (`doc_expire`) each, in one transaction; returns one line per
/// document for `shopdesk tick`.
pub fn expire_documents_at(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let today = s.calendar()?.local_date(now).format("%Y-%m-%d").to_string();
    let at = clock::stamp(now);
    let who = Stamp {
        actor: SYSTEM,
        at: &at,
    };
    let tx = store::write_tx(&mut s.conn)?;
    let mut done = Vec::new();
    for (doc, merchant, kind, expires) in db::due_expiries(&tx, &today)? {
        let before = db::get(&tx, merchant)?.ok_or_else(|| Error::not_found("merchant", merchant))?;
        let mut after = before.clone();
        db::set_document_check(&tx, doc, "expired", &format!("expired on {expires}"))?;
        after.change = Some(serde_json::json!({"document": doc, "kind": kind, "check_status": "expired"}));
        workflow::save(&tx, who, "doc_expire", &before, &mut after)?;
        let kind_label = kind
            .parse::<crate::domain::merchant::DocKind>()
            .map(|k| k.label())
            .unwrap_or("document");
        done.push(format!("{}: {kind_label} expired on {expires}", label(&before)));
    }
    tx.commit()?;
    Ok(done)
}

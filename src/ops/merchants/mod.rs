//! Merchant review (SPEC §4.1): each verb is one transaction through
//! `workflow::run` (role, `BEGIN IMMEDIATE`, the version shown, the change,
//! the versioned save of the merchant row, its audit row, commit). Child
//! rows (documents, ledger entries, violations, notices, the products a
//! suspension hides) are written inside the same transaction, and the
//! merchant row's audit image names them under `change`.

pub mod claims;
mod documents;
mod expiry;
mod money;
mod notices;
mod products;
mod review;
pub mod rounds;
pub mod verbs;
mod violations;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::Refusal;
use crate::domain::merchant::{CooperationMode, CreditInputs, DocKind, DocStatus, MerchantStatus};
use crate::store::merchants::{self as db, Merchant};
use crate::{Error, Result};

use super::Session;

pub use claims::{claim_at, release_at};
pub use documents::{NewDocument, add_document_at, check_document_at};
pub use expiry::{SYSTEM, expire_documents_at};
pub use money::{DepositKind, Terms, deposit_at, fee_at, sign_at, terms_at};
pub use notices::{SendReport, mark_sent, send};
pub use review::{DelistCause, act_at};
pub use violations::{NewViolation, violation_at};

/// What a merchant verb did, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: i64,
    /// "merchant M10004 (杭州好物)".
    pub label: String,
    pub action: &'static str,
    pub status: MerchantStatus,
    /// The merchant's version after (pass it to the next call).
    pub version: i64,
    pub message: String,
    /// Landed, with a consequence the person should notice (suspended by
    /// points, a deposit now below the requirement).
    pub attention: bool,
}

pub(crate) fn outcome(
    m: &Merchant,
    action: &'static str,
    applied: super::workflow::Applied,
) -> Result<Outcome> {
    Ok(Outcome {
        id: m.id,
        label: label(m),
        action,
        status: status_of(m)?,
        version: m.version,
        message: applied.message,
        attention: applied.attention,
    })
}

/// The largest scan `doc add --file` stores (SPEC §4.1).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

crate::ops::workflow::impl_record!(Merchant, "merchant", "merchants", crate::store::merchants);

/// "merchant M10004 (杭州好物)": how messages name a merchant.
pub fn label(m: &Merchant) -> String {
    format!("merchant {} ({})", m.code, m.name)
}

/// A merchant id from its code (the key people see), or a numeric id.
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let key = key.trim();
    if let Some(id) = db::id_by_code(conn, key)? {
        return Ok(id);
    }
    if let Ok(id) = key.parse::<i64>()
        && db::get(conn, id)?.is_some()
    {
        return Ok(id);
    }
    Err(Error::not_found("merchant", key.to_string()))
}

pub(crate) fn status_of(m: &Merchant) -> Result<MerchantStatus> {
    m.status
        .parse()
        .map_err(|e| Error::Db(format!("{}: {e}", label(m))))
}

pub(crate) fn mode_of(m: &Merchant) -> Result<CooperationMode> {
    m.cooperation_mode
        .parse()
        .map_err(|e| Error::Db(format!("{}: {e}", label(m))))
}

/// "merchant M1 (…): cannot {verb}: {why; why}".
pub(crate) fn blocked(m: &Merchant, verb: &str, blockers: Vec<String>) -> Error {
    Error::Refused(Refusal::Blocked {
        verb: verb.to_string(),
        thing: "merchant".into(),
        subject: Some(label(m)),
        blockers,
    })
}

/// The states the verbs beside the state machine (documents, money,
/// violations) work in: every state but the final ones.
pub(crate) fn open_states() -> Vec<String> {
    MerchantStatus::ALL
        .iter()
        .filter(|s| !s.is_final())
        .map(|s| s.to_string())
        .collect()
}

/// Refuses `verb` on a rejected or terminated merchant.
pub(crate) fn require_open(m: &Merchant, verb: &str) -> Result<MerchantStatus> {
    let status = status_of(m)?;
    if status.is_final() {
        return Err(Error::Refused(Refusal::WrongState {
            verb: verb.replace('_', " "),
            thing: "merchant".into(),
            subject: Some(label(m)),
            from: status.to_string(),
            needs: open_states(),
        }));
    }
    Ok(status)
}

/// A merchant's documents, parsed.
pub(crate) fn parsed_documents(
    conn: &Connection,
    m: &Merchant,
) -> Result<Vec<(DocKind, DocStatus, Option<chrono::NaiveDate>)>> {
    let mut out = Vec::new();
    for d in db::documents(conn, m.id)? {
        let kind: DocKind = d
            .kind
            .parse()
            .map_err(|e| Error::Db(format!("{}: {e}", label(m))))?;
        let status: DocStatus = d
            .check_status
            .parse()
            .map_err(|e| Error::Db(format!("{}: {e}", label(m))))?;
        let expires = d
            .expires_on
            .as_deref()
            .map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            .transpose()
            .map_err(|e| Error::Db(format!("{}: {} expiry: {e}", label(m), d.kind)))?;
        out.push((kind, status, expires));
    }
    Ok(out)
}

/// The kinds the merchant's cooperation mode must have verified (the setting).
pub(crate) fn required_kinds(conn: &Connection, m: &Merchant) -> Result<Vec<DocKind>> {
    let mode = mode_of(m)?;
    let mut kinds = db::required_kinds(conn, mode.as_str())?
        .iter()
        .map(|k| {
            k.parse::<DocKind>()
                .map_err(|e| Error::Db(format!("required_documents: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    // The handbook's order, not the table's.
    kinds.sort_by_key(|k| DocKind::ALL.iter().position(|x| x == k));
    Ok(kinds)
}

/// The credit score recomputed from the data (SPEC §4.1; the formula is
/// `domain::merchant::credit_score`, documented in docs/merchants.md).
pub fn credit(conn: &Connection, merchant_id: i64, now: DateTime<Utc>) -> Result<(u8, CreditInputs)> {
    let h = db::credit_history(conn, merchant_id)?;
    let rate = |n: i64, of: i64| if of > 0 { n as f64 / of as f64 } else { 0.0 };
    let inputs = CreditInputs {
        review_avg: h.review_avg,
        dispute_rate: rate(h.disputes, h.paid_orders),
        late_shipment_rate: rate(h.late_shipments, h.shipped_orders),
        violation_points: review::points_12_months(conn, merchant_id, now)?,
    };
    Ok((crate::domain::merchant::credit_score(&inputs), inputs))
}

/// A commission rate and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commission {
    /// "merchant", "category" or "default".
    pub source: &'static str,
    /// The requested category it applies to (none for a merchant rate).
    pub category: Option<String>,
    pub bp: i64,
}

/// The merchant's own rate; else, for each requested category, the
/// category's (or its nearest ancestor's) rate, else the shop's default.
pub fn commission(conn: &Connection, m: &Merchant, default_bp: i64) -> Result<Vec<Commission>> {
    if let Some(bp) = m.commission_bp {
        return Ok(vec![Commission {
            source: "merchant",
            category: None,
            bp,
        }]);
    }
    let paths: Vec<&str> = m
        .requested_categories
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if paths.is_empty() {
        return Ok(vec![Commission {
            source: "default",
            category: None,
            bp: default_bp,
        }]);
    }
    let mut out = Vec::new();
    for p in paths {
        out.push(match db::category_commission(conn, p)? {
            Some(bp) => Commission {
                source: "category",
                category: Some(p.to_string()),
                bp,
            },
            None => Commission {
                source: "default",
                category: Some(p.to_string()),
                bp: default_bp,
            },
        });
    }
    Ok(out)
}

/// Everything `merchant show` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MerchantDetail {
    pub merchant: Merchant,
    pub status_label: &'static str,
    pub round: i64,
    pub documents: Vec<db::Document>,
    pub required_documents: Vec<String>,
    pub approval_blockers: Vec<String>,
    pub activation_blockers: Vec<String>,
    pub deposit_balance_minor: i64,
    /// The balance is below the required deposit (after paying once).
    pub deposit_short: bool,
    pub fee_paid_minor: i64,
    pub ledger: Vec<db::LedgerEntry>,
    pub violations: Vec<db::Violation>,
    pub points_12_months: i64,
    pub notices: Vec<db::Notice>,
    /// Rejected or terminated merchants sharing the licence number, tax id
    /// or legal representative id (flagged for the reviewer, not refused).
    pub bad_records: Vec<db::BadRecord>,
    /// What changed from the previous round to the last (resubmissions).
    pub changes_since_last_round: Vec<String>,
    /// The credit score recomputed now, and what it was computed from.
    pub credit_score_now: u8,
    pub credit_inputs: CreditInputs,
    pub commission: Vec<Commission>,
    pub currency: String,
    /// Who has claimed the review, and since when.
    pub claim: Option<claims::ClaimView>,
}

/// The merchant with its documents, money, violations and notices, read now.
pub fn detail(s: &Session, id: i64) -> Result<MerchantDetail> {
    detail_at(s, id, s.now()?)
}

pub fn detail_at(s: &Session, id: i64, now: DateTime<Utc>) -> Result<MerchantDetail> {
    let conn = &s.conn;
    let m = db::get(conn, id)?.ok_or_else(|| Error::not_found("merchant", id))?;
    let status = status_of(&m)?;
    let today = s.calendar()?.local_date(now);
    let required = required_kinds(conn, &m)?;
    let docs = parsed_documents(conn, &m)?;
    let opening = money::opening(conn, &m)?;
    let currency = s.settings.currency.clone();
    let fmt = |n: i64| crate::domain::money::Money(n).format(&currency);
    let approval_blockers = if status == MerchantStatus::UnderReview {
        crate::domain::merchant::approval_blockers(&required, &docs, today)
    } else {
        Vec::new()
    };
    let activation_blockers = if status == MerchantStatus::Approved {
        crate::domain::merchant::activation_blockers(&opening, fmt)
    } else {
        Vec::new()
    };
    let (credit_score_now, credit_inputs) = credit(conn, id, now)?;
    let notices = db::notices_of(conn, "merchant", id)?;
    Ok(MerchantDetail {
        status_label: status.label(),
        round: db::round(conn, id)?,
        documents: db::documents(conn, id)?,
        required_documents: required.iter().map(|k| k.as_str().to_string()).collect(),
        approval_blockers,
        activation_blockers,
        deposit_balance_minor: opening.deposit_balance,
        deposit_short: opening.deposit_entries > 0 && opening.deposit_balance < opening.deposit_required,
        fee_paid_minor: opening.fee_paid,
        ledger: db::ledger(conn, id)?,
        violations: db::violations(conn, id)?,
        points_12_months: review::points_12_months(conn, id, now)?,
        notices,
        bad_records: db::bad_records(conn, id)?,
        changes_since_last_round: rounds::changes(conn, id)?,
        credit_score_now,
        credit_inputs,
        commission: commission(conn, &m, s.settings.default_commission_bp)?,
        currency,
        claim: claims::view(conn, id, now)?,
        merchant: m,
    })
}

/// The stored scan of document `kind` (a read: nothing changes). Scans
/// are identity papers, so only roles that see personal data get them.
pub fn document_file(s: &Session, key: &str, kind: &str) -> Result<(db::FileMeta, Vec<u8>)> {
    s.require(crate::domain::Permission::SeePii)?;
    let id = resolve(&s.conn, key)?;
    let m = db::get(&s.conn, id)?.ok_or_else(|| Error::not_found("merchant", id))?;
    let kind: DocKind = kind.parse().map_err(Error::Refused)?;
    let doc = db::documents(&s.conn, id)?
        .into_iter()
        .find(|d| d.kind == kind.as_str())
        .ok_or_else(|| Error::input(format!("{}: has no {} document", label(&m), kind.label())))?;
    db::file(&s.conn, doc.id)?.ok_or_else(|| {
        Error::input(format!(
            "{}: the {} has no stored scan (add one with `merchant doc add {} --kind {} --file F`)",
            label(&m),
            kind.label(),
            m.code,
            kind.as_str()
        ))
    })
}

pub use crate::store::merchants::{BadRecord, LedgerEntry, Notice, Reverify};

/// The last day of the re-verification window from `today` (the setting
/// `doc_expiry_warn_days`, 30 by default).
pub fn reverify_until(conn: &Connection, today: chrono::NaiveDate) -> Result<chrono::NaiveDate> {
    let days = crate::store::settings::load(conn)?
        .doc_expiry_warn_days
        .clamp(0, 3650);
    Ok(today
        .checked_add_days(chrono::Days::new(days.unsigned_abs()))
        .unwrap_or(today))
}

/// The re-verification queue (SPEC §4.1): documents expiring within `days`
/// of today (default the setting `doc_expiry_warn_days`, 30) or already
/// past their date, of merchants still open, soonest first.
pub fn reverification(s: &Session, days: Option<i64>, now: DateTime<Utc>) -> Result<Vec<Reverify>> {
    let days = days.unwrap_or(s.settings.doc_expiry_warn_days).clamp(0, 3650);
    let today = s.calendar()?.local_date(now);
    let until = today
        .checked_add_days(chrono::Days::new(days.unsigned_abs()))
        .unwrap_or(today);
    db::reverify_until(&s.conn, &until.format("%Y-%m-%d").to_string())
}

/// What the TUI's merchant detail shows beside the record (reads only).
#[derive(Debug, Clone)]
pub struct ReviewSummary {
    pub round: i64,
    /// What changed from the previous round to the last.
    pub changes: Vec<String>,
    /// The kinds the cooperation mode requires (the setting).
    pub required: Vec<String>,
    pub deposit_balance: i64,
    pub fee_paid: i64,
    pub commission: Vec<Commission>,
    pub unsent_notices: usize,
    pub ledger: Vec<LedgerEntry>,
}

pub fn review_summary(conn: &Connection, id: i64) -> Result<ReviewSummary> {
    let m = db::get(conn, id)?.ok_or_else(|| Error::not_found("merchant", id))?;
    let settings = crate::store::settings::load(conn)?;
    Ok(ReviewSummary {
        round: db::round(conn, id)?,
        changes: rounds::changes(conn, id)?,
        required: db::required_kinds(conn, &m.cooperation_mode)?,
        deposit_balance: db::account(conn, id, "deposit")?.1,
        fee_paid: db::account(conn, id, "fee")?.1,
        commission: commission(conn, &m, settings.default_commission_bp)?,
        unsent_notices: db::notices_of(conn, "merchant", id)?
            .iter()
            .filter(|n| n.sent_at.is_none())
            .count(),
        ledger: db::ledger(conn, id)?,
    })
}

/// Rejected or terminated merchants sharing an identifier with `id`.
pub fn bad_records(conn: &Connection, id: i64) -> Result<Vec<BadRecord>> {
    db::bad_records(conn, id)
}

/// The notices outbox, oldest first (only the unsent with `unsent_only`).
pub fn outbox(conn: &Connection, unsent_only: bool) -> Result<Vec<Notice>> {
    db::notices(conn, unsent_only)
}

//! The review state machine's verbs: start_review, request_changes,
//! resubmit, approve, reject, activate, suspend, reinstate, terminate.

use chrono::{DateTime, Months, Utc};
use rusqlite::Connection;

use crate::domain::Permission;
use crate::domain::merchant::{self as rules, DocKind, MerchantAction};
use crate::domain::money::Money;
use crate::ops::Session;
use crate::ops::workflow::{self, Applied, Step};
use crate::store::merchants::{self as db, Merchant, NewEntry};
use crate::{Error, Result, clock};

use super::notices::{self, Kind};
use super::{Outcome, blocked, claims, label, money, outcome, products, rounds, status_of};

/// Why a terminated merchant's products are delisted (the products'
/// `delist_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelistCause {
    Violation,
    MerchantRequest,
}

impl DelistCause {
    pub fn as_str(self) -> &'static str {
        match self {
            DelistCause::Violation => "violation",
            DelistCause::MerchantRequest => "merchant_request",
        }
    }

    pub fn parse(s: &str) -> Result<DelistCause> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "violation" => Ok(DelistCause::Violation),
            "merchant_request" => Ok(DelistCause::MerchantRequest),
            other => Err(Error::input(format!(
                "{other:?} is not a delist cause: violation or merchant_request"
            ))),
        }
    }
}

/// Violation points recorded in the 12 months before `now`.
pub(super) fn points_12_months(conn: &Connection, merchant_id: i64, now: DateTime<Utc>) -> Result<i64> {
    let since = now.checked_sub_months(Months::new(12)).unwrap_or(now);
    db::points_since(conn, merchant_id, &clock::stamp(since))
}

/// Applies one state-machine action to merchant `id` (one transaction).
/// `cause` is for `Terminate` (default: violation).
pub fn act_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    action: &MerchantAction,
    cause: Option<DelistCause>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let calendar = s.calendar()?;
    let due = calendar.add_business_days(now, s.settings.merchant_review_sla_days);
    let today = calendar.local_date(now);
    let name = action.name();
    let login = s.actor.login.clone();
    let owner = s.role() == crate::domain::Role::Owner;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        name,
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            let who = claims::Reviewer { login: &login, owner };
            review_claim(st.tx, action, before, who, st.who.at, st.now)?;
            apply(st, action, cause, before, after, clock::stamp(due), today)
        },
    )?;
    outcome(&after, name, applied)
}

/// The claim side of a review verb: start-review takes the application
/// (refused while another reviewer's claim is fresh), a decision is
/// refused the same way and ends the claim, a resubmission starts
/// unclaimed. Checked after the state machine, so a wrong state is named
/// first.
fn review_claim(
    tx: &Connection,
    action: &MerchantAction,
    before: &Merchant,
    who: claims::Reviewer<'_>,
    at: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use MerchantAction as A;
    let from = status_of(before)?;
    rules::next(from, action).map_err(|r| Error::Refused(r.about(label(before))))?;
    let verb = action.name().replace('_', " ");
    match action {
        A::StartReview => match claims::standing(tx, before, who, &verb, now)? {
            claims::Standing::Mine => {}
            claims::Standing::Free | claims::Standing::TakeOver(_) => {
                db::put_claim(tx, before.id, who.login, at)?;
            }
        },
        A::RequestChanges { .. } | A::Approve | A::Reject { .. } => {
            claims::standing(tx, before, who, &verb, now)?;
            db::clear_claim(tx, before.id)?;
        }
        A::Resubmit | A::Terminate { .. } => {
            db::clear_claim(tx, before.id)?;
        }
        _ => {}
    }
    Ok(())
}

fn apply(
    st: &mut Step<'_, '_>,
    action: &MerchantAction,
    cause: Option<DelistCause>,
    before: &Merchant,
    after: &mut Merchant,
    due: String,
    today: chrono::NaiveDate,
) -> Result<Applied> {
    use MerchantAction as A;
    let from = status_of(before)?;
    let to = rules::next(from, action).map_err(|r| Error::Refused(r.about(label(before))))?;
    let tx: &Connection = st.tx;
    let (who, at) = (st.who, st.who.at.to_string());
    let lbl = label(before);
    let currency = st.settings.currency.clone();
    let fmt = |n: i64| Money(n).format(&currency);
    after.status = to.as_str().to_string();
    let mut attention = false;
    let mut change = serde_json::Map::new();
    let message = match action {
        A::StartReview => {
            let due_note = before
                .review_due_at
                .as_deref()
                .map(|d| format!(", decision due {d}"))
                .unwrap_or_default();
            format!("{lbl}: under review{due_note}")
        }
        A::RequestChanges { note } => {
            after.status_reason = Some(note.trim().to_string());
            after.decided_at = Some(at.clone());
            after.review_due_at = None;
            // Per-document feedback: each rejected document with its reason.
            let mut detail = note.trim().to_string();
            for (kind, why) in db::rejected_documents(tx, before.id)? {
                let kind = kind.parse::<DocKind>().map(|k| k.label()).unwrap_or("document");
                detail.push_str(&format!("\n- {kind}: {why}"));
            }
            rounds::changes_requested(tx, before, &detail, &at, who.actor)?;
            let n = notices::merchant(tx, after, Kind::ChangesNeeded, &detail, &at)?;
            change.insert("notice".into(), n.into());
            format!("{lbl}: changes requested; notice {n} is in the outbox")
        }
        A::Resubmit => {
            let round = rounds::resubmitted(tx, before, &at, who.actor)?;
            after.status_reason = None;
            after.decided_at = None;
            after.review_due_at = Some(due.clone());
            change.insert("round".into(), round.into());
            format!("{lbl}: resubmitted ({}), decision due {due}", ordinal(round - 1))
        }
        A::Approve => {
            let required = super::required_kinds(tx, before)?;
            let docs = super::parsed_documents(tx, before)?;
            let blockers = rules::approval_blockers(&required, &docs, today);
            if !blockers.is_empty() {
                return Err(blocked(before, "approve", blockers));
            }
            after.status_reason = None;
            after.decided_at = Some(at.clone());
            after.review_due_at = None;
            let n = notices::merchant(tx, after, Kind::Approved, "", &at)?;
            change.insert("notice".into(), n.into());
            format!("{lbl}: approved; it opens once the deposit and fee are paid and the agreement signed")
        }
        A::Reject { reason } => {
            after.status_reason = Some(reason.trim().to_string());
            after.decided_at = Some(at.clone());
            after.review_due_at = None;
            let n = notices::merchant(tx, after, Kind::Rejected, reason, &at)?;
            change.insert("notice".into(), n.into());
            format!("{lbl}: rejected")
        }
        A::Activate => {
            let opening = money::opening(tx, before)?;
            let blockers = rules::activation_blockers(&opening, fmt);
            if !blockers.is_empty() {
                return Err(blocked(before, "activate", blockers));
            }
            after.deposit_paid = true;
            after.status_reason = None;
            let n = notices::merchant(tx, after, Kind::Activated, "", &at)?;
            change.insert("notice".into(), n.into());
            format!("{lbl}: active")
        }
        A::Suspend { reason } => {
            after.status_reason = Some(reason.trim().to_string());
            let hidden = products::hide(tx, who, before.id, "other")?;
            let n = notices::merchant(tx, after, Kind::Suspended, reason, &at)?;
            change.insert("notice".into(), n.into());
            change.insert("products_hidden".into(), hidden.into());
            format!("{lbl}: suspended; {hidden} listed product(s) hidden")
        }
        A::Reinstate => {
            after.status_reason = None;
            let shown = products::show(tx, who, before.id)?;
            change.insert("products_shown".into(), shown.into());
            format!("{lbl}: active again; {shown} product(s) listed again")
        }
        A::Terminate { reason } => {
            let cause = cause.unwrap_or(DelistCause::Violation);
            after.status_reason = Some(reason.trim().to_string());
            let delisted = products::delist_all(tx, who, before.id, cause.as_str())?;
            let (_, balance) = db::account(tx, before.id, "deposit")?;
            let refund = if balance > 0 {
                let entry = db::add_entry(
                    tx,
                    before.id,
                    &NewEntry {
                        account: "deposit",
                        kind: "refund",
                        amount_minor: -balance,
                        violation_id: None,
                        note: "refund on termination",
                        at: &at,
                        by: who.actor,
                    },
                )?;
                change.insert("ledger_entry".into(), entry.into());
                balance
            } else {
                0
            };
            after.deposit_paid = false;
            let detail = format!("{}\n\nDeposit refunded: {}", reason.trim(), fmt(refund));
            let n = notices::merchant(tx, after, Kind::Terminated, &detail, &at)?;
            change.insert("notice".into(), n.into());
            change.insert("products_delisted".into(), delisted.into());
            attention = balance < 0;
            format!(
                "{lbl}: terminated; {delisted} product(s) delisted ({}), deposit refunded {}",
                cause.as_str(),
                fmt(refund)
            )
        }
    };
    if !change.is_empty() {
        after.change = Some(serde_json::Value::Object(change));
    }
    // Every decision stores the score as the data has it now.
    after.credit_score = i64::from(super::credit(tx, before.id, st.now)?.0);
    Ok(Applied::saved(message).attention(attention))
}

/// "1st", "2nd", "3rd", "4th" resubmission.
fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix} resubmission")
}

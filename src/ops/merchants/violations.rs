//! Violations: kind, severity, points, an optional deposit deduction; when
//! the points of the last 12 months reach the threshold (a setting) an
//! active merchant is suspended in the same transaction and its listed
//! products hidden.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::Permission;
use crate::domain::merchant::{self as rules, MerchantStatus, Severity};
use crate::domain::money::Money;
use crate::ops::Session;
use crate::ops::workflow::{self, Applied};
use crate::store::merchants::{self as db, Merchant, NewEntry, Violation};
use crate::{Error, Result};

use super::notices::{self, Kind};
use super::{Outcome, blocked, label, outcome, products, require_open, review};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewViolation {
    pub kind: String,
    pub severity: Severity,
    /// `None`: the severity's default points.
    pub points: Option<i64>,
    /// Minor units taken from the deposit.
    pub deduct: Option<i64>,
    pub note: String,
}

pub fn violation_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    v: &NewViolation,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if v.kind.trim().is_empty() || v.note.trim().is_empty() {
        return Err(Error::input("violation: --kind and --note are required"));
    }
    let points = v.points.unwrap_or_else(|| v.severity.default_points());
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "violation",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            let status = require_open(before, "violation")?;
            let tx: &Connection = st.tx;
            let (who, at) = (st.who, st.who.at.to_string());
            let fmt = |n: i64| Money(n).format(&st.settings.currency);
            let deduct = v.deduct.unwrap_or(0);
            let (_, balance) = db::account(tx, before.id, "deposit")?;
            if deduct > balance {
                return Err(blocked(
                    before,
                    "deduct from the deposit",
                    vec![format!(
                        "the deduction {} is more than the deposit balance {}",
                        fmt(deduct),
                        fmt(balance)
                    )],
                ));
            }
            let vid = db::add_violation(
                tx,
                before.id,
                &Violation {
                    id: 0,
                    kind: v.kind.trim().to_string(),
                    severity: v.severity.as_str().to_string(),
                    points,
                    deduction_minor: deduct,
                    note: v.note.trim().to_string(),
                    created_at: at.clone(),
                    created_by: who.actor.to_string(),
                },
            )?;
            if deduct > 0 {
                db::add_entry(
                    tx,
                    before.id,
                    &NewEntry {
                        account: "deposit",
                        kind: "deduction",
                        amount_minor: -deduct,
                        violation_id: Some(vid),
                        note: v.kind.trim(),
                        at: &at,
                        by: who.actor,
                    },
                )?;
            }
            let total = review::points_12_months(tx, before.id, st.now)?;
            after.violation_points = total;
            after.credit_score = i64::from(super::credit(tx, before.id, st.now)?.0);
            let threshold = st.settings.violation_suspend_points;
            let mut message = format!(
                "{}: {} violation recorded ({points} point(s); {total} in the last 12 months, threshold {threshold})",
                label(before),
                v.severity
            );
            if deduct > 0 {
                message.push_str(&format!(
                    "; {} deducted from the deposit, balance {}",
                    fmt(deduct),
                    fmt(balance - deduct)
                ));
            }
            let mut change =
                serde_json::json!({"violation": vid, "points": points, "deduction_minor": deduct});
            let suspends = status == MerchantStatus::Active && rules::violation_suspends(total, threshold);
            if suspends {
                let reason = format!(
                    "suspended automatically: {total} violation points in 12 months reach the threshold {threshold}"
                );
                after.status = MerchantStatus::Suspended.as_str().to_string();
                after.status_reason = Some(reason.clone());
                let hidden = products::hide(tx, who, before.id, "violation")?;
                let n = notices::merchant(tx, after, Kind::Suspended, &reason, &at)?;
                change["suspended"] = true.into();
                change["products_hidden"] = hidden.into();
                change["notice"] = n.into();
                message.push_str(&format!("; {reason}; {hidden} listed product(s) hidden"));
            }
            after.change = Some(change);
            Ok(Applied::saved(message).attention(suspends))
        },
    )?;
    outcome(&after, "violation", applied)
}

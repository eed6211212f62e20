//! Claiming a review, so two reviewers do not take the same application:
//! `claim` (or `start-review`) takes it, `release` or a decision ends it.
//! While a claim is fresh, another reviewer's claim and review verbs are
//! refused naming the claimer; the owner, or anyone once the claim is older
//! than `merchant_review_settings.claim_takeover_minutes` (default 4 h),
//! takes it over. Each claim, take-over and release is the merchant's
//! audited change (`change.claim`).

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::Connection;

use crate::domain::calendar::format_ago;
use crate::domain::merchant::MerchantStatus;
use crate::domain::{Permission, Refusal, Role};
use crate::ops::Session;
use crate::ops::workflow::{self, Applied};
use crate::store::merchants::{self as db, Claim, Merchant};
use crate::{Error, Result, clock};

use super::{Outcome, blocked, label, outcome, status_of};

/// "alice 20m ago".
pub fn describe(c: &Claim, now: DateTime<Utc>) -> String {
    match clock::parse_stamp(&c.at).ok() {
        Some(at) => format!("{} {}", c.by, format_ago(now, at)),
        None => c.by.clone(),
    }
}

/// Whether a claim made at `at` may be taken over at `now`.
fn stale(c: &Claim, now: DateTime<Utc>, takeover_minutes: i64) -> bool {
    clock::parse_stamp(&c.at)
        .ok()
        .is_none_or(|at| now - at >= TimeDelta::try_minutes(takeover_minutes).unwrap_or(TimeDelta::MAX))
}

/// Who is acting, for the claim checks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reviewer<'a> {
    pub login: &'a str,
    pub owner: bool,
}

/// What a review verb may do about the merchant's claim.
pub(super) enum Standing {
    /// No claim.
    Free,
    /// The reviewer's own claim.
    Mine,
    /// Another's claim the reviewer may take over (stale, or the owner).
    TakeOver(Claim),
}

/// Refuses `verb` when another reviewer holds a fresh claim (unless the
/// reviewer is the owner), naming the claimer and when it may be taken over.
pub(super) fn standing(
    tx: &Connection,
    m: &Merchant,
    who: Reviewer<'_>,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<Standing> {
    let Some(c) = db::claim(tx, m.id)? else {
        return Ok(Standing::Free);
    };
    if c.by == who.login {
        return Ok(Standing::Mine);
    }
    let minutes = db::claim_takeover_minutes(tx)?;
    if who.owner || stale(&c, now, minutes) {
        return Ok(Standing::TakeOver(c));
    }
    let free_at = clock::parse_stamp(&c.at)
        .ok()
        .and_then(|at| at.checked_add_signed(TimeDelta::try_minutes(minutes)?))
        .map(|t| {
            format!(
                " (anyone may take it over {})",
                crate::domain::calendar::format_due(now, t).replace("due ", "")
            )
        })
        .unwrap_or_default();
    Err(blocked(
        m,
        verb,
        vec![format!(
            "claimed by {}{free_at}; ask {} to release it, or the owner to take it over",
            describe(&c, now),
            c.by
        )],
    ))
}

/// The statuses a claim is for.
fn claimable(m: &Merchant, verb: &str) -> Result<()> {
    let status = status_of(m)?;
    if status.awaits_review() {
        return Ok(());
    }
    Err(Error::Refused(Refusal::WrongState {
        verb: verb.to_string(),
        thing: "merchant".into(),
        subject: Some(label(m)),
        from: status.to_string(),
        needs: MerchantStatus::ALL
            .iter()
            .filter(|s| s.awaits_review())
            .map(|s| s.to_string())
            .collect(),
    }))
}

/// Takes the review of an application awaiting it (or takes over a stale
/// claim; the owner takes over any).
pub fn claim_at(s: &mut Session, id: i64, shown: Option<i64>, now: DateTime<Utc>) -> Result<Outcome> {
    let login = s.actor.login.clone();
    let owner = s.role() == Role::Owner;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "claim",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            claimable(before, "claim")?;
            let who = Reviewer { login: &login, owner };
            let tx: &Connection = st.tx;
            let note = match standing(tx, before, who, "claim", now)? {
                Standing::Mine => {
                    let c = db::claim(tx, before.id)?.ok_or_else(|| Error::Db("claim vanished".into()))?;
                    return Err(blocked(
                        before,
                        "claim",
                        vec![format!("you claimed it already ({})", describe(&c, now))],
                    ));
                }
                Standing::Free => String::new(),
                Standing::TakeOver(c) => format!(", taken over from {}", describe(&c, now)),
            };
            db::put_claim(tx, before.id, &login, st.who.at)?;
            after.change = Some(serde_json::json!({"claim": {"by": login, "at": st.who.at}}));
            Ok(Applied::saved(format!("{}: claimed by you{note}", label(before))))
        },
    )?;
    outcome(&after, "claim", applied)
}

/// Gives the claim up (the claimer, the owner, or anyone once it is stale).
pub fn release_at(s: &mut Session, id: i64, shown: Option<i64>, now: DateTime<Utc>) -> Result<Outcome> {
    let login = s.actor.login.clone();
    let owner = s.role() == Role::Owner;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "release",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            let who = Reviewer { login: &login, owner };
            let tx: &Connection = st.tx;
            let was = match standing(tx, before, who, "release", now)? {
                Standing::Free => {
                    return Err(blocked(before, "release", vec!["nobody has claimed it".into()]));
                }
                Standing::Mine => String::new(),
                Standing::TakeOver(c) => format!(" (it was {}'s)", c.by),
            };
            db::clear_claim(tx, before.id)?;
            after.change = Some(serde_json::json!({"claim": null}));
            Ok(Applied::saved(format!("{}: claim released{was}", label(before))))
        },
    )?;
    outcome(&after, "release", applied)
}

/// The claim as `show` reports it: by, at, and "alice 20m ago".
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClaimView {
    pub by: String,
    pub at: String,
    pub ago: String,
    /// Another reviewer may take it over now.
    pub stale: bool,
}

pub fn view(conn: &Connection, merchant_id: i64, now: DateTime<Utc>) -> Result<Option<ClaimView>> {
    let Some(c) = db::claim(conn, merchant_id)? else {
        return Ok(None);
    };
    let minutes = db::claim_takeover_minutes(conn)?;
    Ok(Some(ClaimView {
        ago: describe(&c, now),
        stale: stale(&c, now, minutes),
        by: c.by,
        at: c.at,
    }))
}

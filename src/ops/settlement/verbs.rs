//! `confirm` and `pay`: owner-only transitions of one statement, each one
//! transaction through the workflow runner (version checked, audited), and
//! their rows of the verb table (entity `settlement`): the CLI's
//! `settlement confirm|pay`, the Settlement view's keys and menu, the
//! palette and `?` all come from [`VERBS`].

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::domain::settlement::{self as rules, StatementAction, StatementStatus};
use crate::domain::{Permission, Refusal, limits};
use crate::ops::verbs::{Entity, EntityOps, FieldKind, FieldSpec, Outcome, Target, Values, VerbSpec};
use crate::ops::workflow::{self, Applied};
use crate::store::settlement::{self as db, Statement};
use crate::{Error, Result};

const fn verb(name: &'static str, label: &'static str, about: &'static str) -> VerbSpec {
    VerbSpec {
        permission: Permission::SettleMerchants,
        ..VerbSpec::new(Entity::Settlement, name, label, about)
    }
}

pub static VERBS: [VerbSpec; 2] = [
    VerbSpec {
        forward: true,
        key: Some("c"),
        done: "confirmed",
        confirm: Some("Confirm {name}? Its lines and totals are frozen after (owner only)."),
        ..verb("confirm", "confirm", "freeze a draft statement (owner only)")
    },
    VerbSpec {
        forward: true,
        key: Some("p"),
        done: "paid",
        fields: &[FieldSpec::new(
            "ref",
            "bank reference",
            "the bank's reference for the transfer",
            FieldKind::Token,
        )],
        ..verb(
            "pay",
            "pay…",
            "record the payout of a confirmed statement (owner only)",
        )
    },
];

pub static OPS: EntityOps = EntityOps {
    resolve,
    target,
    state_refusal,
    candidates: |_, _, _, _| Ok(Vec::new()),
    run,
    verbs: &VERBS,
};

/// A statement by its number (`12` or `#12`).
fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let k = key.trim();
    let id = k
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| Error::input(format!("{k:?} is not a statement number (e.g. 12 or #12)")))?;
    match db::get(conn, id)? {
        Some(_) => Ok(id),
        None => Err(Error::not_found("statement", id)),
    }
}

fn target(conn: &Connection, id: i64) -> Result<Option<Target>> {
    let Some(st) = db::get(conn, id)? else {
        return Ok(None);
    };
    let name = label(conn, &st);
    Ok(Some(Target {
        entity: Entity::Settlement,
        id: st.id,
        version: st.version,
        note: name.clone(),
        name,
        prefill: Vec::new(),
        state: vec![st.status],
    }))
}

fn action_of(verb: &VerbSpec) -> Option<StatementAction> {
    match verb.name {
        "confirm" => Some(StatementAction::Confirm),
        "pay" => Some(StatementAction::Pay),
        _ => None,
    }
}

fn state_refusal(verb: &VerbSpec, t: &Target) -> Option<Refusal> {
    let status: StatementStatus = t.state.first()?.parse().ok()?;
    rules::next(status, action_of(verb)?).err()
}

fn run(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    v: &Values,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let (st, message) = match action_of(verb) {
        Some(StatementAction::Confirm) => confirm_at(s, id, shown, now)?,
        Some(StatementAction::Pay) => pay_at(s, id, shown, v.text("ref").unwrap_or_default(), now)?,
        None => return Err(Error::input(format!("settlement {} is not a verb", verb.name))),
    };
    Ok(Outcome {
        entity: Entity::Settlement,
        id: st.id,
        name: label(&s.conn, &st),
        verb: verb.name,
        status: status_of(&st)?.label(),
        version: st.version,
        message,
        attention: false,
    })
}

use super::{Session, bounds, label, status_of, totals_of};

fn date(s: &Statement, d: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|e| Error::Db(format!("statement {}: bad date {d:?}: {e}", s.id)))
}

fn load(s: &Session, id: i64) -> Result<Statement> {
    db::get(&s.conn, id)?.ok_or_else(|| Error::not_found("statement", id))
}

/// Freezes a draft: refused while its period is not over, while an earlier
/// statement of the merchant is still a draft, and when the draft is out
/// of date (an order completed or a refund was issued since it was run).
pub fn confirm_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(Statement, String)> {
    let first = load(s, id)?;
    let (from, to) = (date(&first, &first.period_from)?, date(&first, &first.period_to)?);
    let (start, end) = bounds(s, from, to)?;
    let today = s.calendar()?.local_date(now);
    let default_bp = s.settings.default_commission_bp;
    let (row, applied) = workflow::run(
        s,
        Permission::SettleMerchants,
        "confirm",
        id,
        shown,
        now,
        |st, before: &Statement, after: &mut Statement| {
            let name = label(st.tx, before);
            let to_status = rules::next(status_of(before)?, StatementAction::Confirm)
                .map_err(|r| Error::Refused(r.about(name.clone())))?;
            if before.period_from != first.period_from || before.period_to != first.period_to {
                return Err(Error::refused(format!("{name}: its period changed; try again")));
            }
            if let Some(why) = rules::confirm_blocker(to, today) {
                return Err(Error::refused(format!("{name}: cannot confirm: {why}")));
            }
            if let Some(prev) = db::previous(st.tx, before.merchant_id, &before.period_from)?
                && status_of(&prev)? == StatementStatus::Draft
            {
                return Err(Error::refused(format!(
                    "{name}: cannot confirm: the earlier {} is still a draft; confirm it first",
                    label(st.tx, &prev)
                )));
            }
            let fresh = super::compute(
                st.tx,
                &start,
                &end,
                &before.period_from,
                default_bp,
                Some(before.merchant_id),
                &BTreeSet::new(),
            )?
            .remove(&before.merchant_id)
            .unwrap_or_default();
            let carry = super::carry_source(st.tx, before.merchant_id, &before.period_from, Some(before.id))?;
            let mut want = fresh.totals;
            if let Some(c) = &carry {
                want.carried_in_minor = c.payable_minor;
                want.payable_minor = want.payable_minor.saturating_add(c.payable_minor);
            }
            if want != totals_of(before) || carry.map(|c| c.id) != before.carried_from {
                return Err(Error::refused(format!(
                    "{name}: cannot confirm: it is out of date (orders completed or refunds were issued since it was run); run `shopdesk settlement run --from {} --to {}` again",
                    before.period_from, before.period_to
                )));
            }
            after.status = to_status.as_str().to_string();
            after.confirmed_at = Some(st.who.at.to_string());
            after.confirmed_by = Some(st.who.actor.to_string());
            Ok(Applied::saved(format!(
                "statement {} confirmed: payable {}",
                before.id,
                crate::domain::money::Money(before.payable_minor).format(&st.settings.currency)
            )))
        },
    )?;
    Ok((row, applied.message))
}

/// Checks a bank reference: one word-ish line, no control characters.
pub fn check_reference(reference: &str) -> Result<String> {
    let r = reference.trim();
    if r.is_empty() {
        return Err(Error::input("--ref: the bank reference is required"));
    }
    if r.chars().count() > limits::TOKEN_CHARS {
        return Err(Error::input(format!(
            "--ref: too long ({} characters, at most {})",
            r.chars().count(),
            limits::TOKEN_CHARS
        )));
    }
    if r.chars().any(|c| limits::is_forbidden(c, false)) {
        return Err(Error::input("--ref: control characters are not allowed"));
    }
    Ok(r.to_string())
}

/// Records the payout of a confirmed statement with a positive payable.
pub fn pay_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(Statement, String)> {
    let reference = check_reference(reference)?;
    let (row, applied) = workflow::run(
        s,
        Permission::SettleMerchants,
        "pay",
        id,
        shown,
        now,
        |st, before: &Statement, after: &mut Statement| {
            let name = label(st.tx, before);
            let to_status = rules::next(status_of(before)?, StatementAction::Pay)
                .map_err(|r| Error::Refused(r.about(name.clone())))?;
            let money = |m: i64| crate::domain::money::Money(m).format(&st.settings.currency);
            if before.payable_minor <= 0 {
                return Err(Error::refused(format!(
                    "{name}: cannot pay: its payable is {}; nothing is owed (a negative balance carries to the next statement)",
                    money(before.payable_minor)
                )));
            }
            after.status = to_status.as_str().to_string();
            after.pay_ref = Some(reference.clone());
            after.paid_at = Some(st.who.at.to_string());
            after.paid_by = Some(st.who.actor.to_string());
            Ok(Applied::saved(format!(
                "statement {} paid: {} (bank reference {reference})",
                before.id,
                money(before.payable_minor)
            )))
        },
    )?;
    Ok((row, applied.message))
}

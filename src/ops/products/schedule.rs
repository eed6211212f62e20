//! Scheduled listing and delisting (SPEC §4.2, §4.7). `schedule` sets the
//! times; [`apply_schedules_at`] is the scheduled effect (`shopdesk tick`,
//! the TUI's writer worker): a listing time lists an approved product (a
//! scheduled listing still goes through review first), a delisting time
//! delists a listed one. Each change is audited as `system`; applying twice
//! changes nothing.

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::product::{DelistReason, ProductStatus};
use crate::ops::merchants::SYSTEM;
use crate::ops::verbs::Outcome;
use crate::ops::workflow::{self, Applied};
use crate::ops::{Session, Stamp};
use crate::store::products::{self as db, Product};
use crate::{Error, Result, clock, store};

use super::{checklist, label, outcome, status_of};

/// How `--clear` is spelled: which scheduled times to take away ("none"
/// first, where the form starts).
pub const CLEAR_WORDS: [&str; 4] = ["none", "list", "delist", "both"];

/// Which scheduled times a `schedule` takes away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clear {
    pub list: bool,
    pub delist: bool,
}

impl std::str::FromStr for Clear {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "none" => Ok(Clear::default()),
            "list" => Ok(Clear {
                list: true,
                delist: false,
            }),
            "delist" => Ok(Clear {
                list: false,
                delist: true,
            }),
            "both" => Ok(Clear {
                list: true,
                delist: true,
            }),
            other => Err(format!(
                "--clear: {other:?} is not one of none, list, delist, both"
            )),
        }
    }
}

/// What one `schedule` asks for: times to set, times to clear.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub list_at: Option<DateTime<Utc>>,
    pub delist_at: Option<(DateTime<Utc>, DelistReason)>,
    pub clear: Clear,
}

/// Sets a listing time, a delisting time (with the reason it will carry),
/// or both, and/or clears them. Times must be in the future; setting and
/// clearing the same time at once is refused, as is clearing a time that
/// is not set (nothing would be written).
pub fn schedule_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let Plan {
        list_at,
        delist_at,
        clear,
    } = *plan;
    if list_at.is_none() && delist_at.is_none() && !clear.list && !clear.delist {
        return Err(Error::input(
            "product schedule: give --list-at, --delist-at or --clear",
        ));
    }
    if clear.list && list_at.is_some() {
        return Err(Error::input(
            "product schedule: --list-at and --clear list contradict",
        ));
    }
    if clear.delist && delist_at.is_some() {
        return Err(Error::input(
            "product schedule: --delist-at and --clear delist contradict",
        ));
    }
    for (flag, t) in [("--list-at", list_at), ("--delist-at", delist_at.map(|d| d.0))] {
        if let Some(t) = t
            && t <= now
        {
            return Err(Error::input(format!(
                "{flag}: {} is not in the future",
                clock::stamp(t)
            )));
        }
    }
    let name = label(&s.conn, id)?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageProducts,
        "schedule",
        id,
        shown,
        now,
        |_st, before: &Product, after: &mut Product| {
            let status = status_of(before)?;
            let mut parts = Vec::new();
            if clear.list {
                if before.list_at.is_none() {
                    return Err(Error::refused(format!(
                        "{name} has no scheduled listing to clear"
                    )));
                }
                after.list_at = None;
                parts.push("scheduled listing cleared".to_string());
            }
            if clear.delist {
                if before.delist_at.is_none() {
                    return Err(Error::refused(format!(
                        "{name} has no scheduled delisting to clear"
                    )));
                }
                after.delist_at = None;
                // The reason was the scheduled one (a delisted product has
                // no delisting time, so its own reason is never this).
                if status != ProductStatus::Delisted {
                    after.delist_reason = None;
                }
                parts.push("scheduled delisting cleared".to_string());
            }
            if let Some(t) = list_at {
                if status == ProductStatus::Listed {
                    return Err(Error::refused(format!("{name} is already listed")));
                }
                after.list_at = Some(clock::stamp(t));
                parts.push(format!(
                    "listing scheduled for {} (once approved)",
                    clock::stamp(t)
                ));
            }
            if let Some((t, reason)) = delist_at {
                if status == ProductStatus::Delisted {
                    return Err(Error::refused(format!("{name} is already delisted")));
                }
                after.delist_at = Some(clock::stamp(t));
                // The reason the scheduled delisting will carry.
                after.delist_reason = Some(reason.as_str().to_string());
                parts.push(format!(
                    "delisting scheduled for {} ({})",
                    clock::stamp(t),
                    reason.label()
                ));
            }
            Ok(Applied::saved(format!("{name}: {}", parts.join("; "))))
        },
    )?;
    outcome(name, "schedule", &after, applied)
}

/// Applies every scheduled listing and delisting due at `now`, in one
/// transaction; one line per product for `shopdesk tick`. A due listing
/// whose checklist fails now is left waiting and named.
pub fn apply_schedules_at(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let at = clock::stamp(now);
    let who = Stamp {
        actor: SYSTEM,
        at: &at,
    };
    let tx = store::write_tx(&mut s.conn)?;
    let mut done = Vec::new();
    for id in db::due_delistings(&tx, &at)? {
        let before = db::get(&tx, id)?.ok_or_else(|| Error::not_found("product", id))?;
        let mut after = before.clone();
        let reason = before.delist_reason.clone().unwrap_or_else(|| "other".into());
        after.status = ProductStatus::Delisted.as_str().to_string();
        after.delist_reason = Some(reason.clone());
        after.delist_at = None;
        after.change = Some(serde_json::json!({"scheduled": before.delist_at}));
        workflow::save(&tx, who, "delist", &before, &mut after)?;
        done.push(format!(
            "{}: delisted as scheduled ({})",
            label(&tx, id)?,
            reason.replace('_', " ")
        ));
    }
    for id in db::due_listings(&tx, &at)? {
        let before = db::get(&tx, id)?.ok_or_else(|| Error::not_found("product", id))?;
        let open = checklist(&tx, &before)?;
        if !open.is_empty() {
            // The approval was of other facts: withdrawn (so this is said
            // once, not every minute), the product waits for review again.
            let mut after = before.clone();
            after.approved_at = None;
            after.change = Some(serde_json::json!({"scheduled": before.list_at, "blockers": open}));
            workflow::save(&tx, who, "withdraw_approval", &before, &mut after)?;
            done.push(format!(
                "{}: not listed at its time, approval withdrawn: {}",
                label(&tx, id)?,
                open.join("; ")
            ));
            continue;
        }
        let mut after = before.clone();
        after.status = ProductStatus::Listed.as_str().to_string();
        after.change = Some(serde_json::json!({"scheduled": before.list_at}));
        after.list_at = None;
        after.delist_reason = None;
        workflow::save(&tx, who, "list", &before, &mut after)?;
        done.push(format!("{}: listed as scheduled", label(&tx, id)?));
    }
    tx.commit()?;
    Ok(done)
}

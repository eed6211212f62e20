//! The scheduled effect of SPEC §4.7 for tickets: a resolved ticket closes
//! by itself once its reopen window (`reopen_window_days`, 7) has passed,
//! as the customer can no longer reopen it. Each close is an ordinary
//! audited change by `system` (status log, `close` audit row naming the
//! cause); applying twice changes nothing, since a closed ticket is no
//! longer `resolved`.
//!
//! A shop that upgrades may have many at once: they are closed in batches
//! of [`BATCH`], each its own transaction, and one call stops after
//! [`BUDGET`], so an opening command (which applies due effects first) is
//! not held up; `shopdesk tick` says how many are left for the next call.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::ticket::{self as rules, TicketAction, TicketStatus};
use crate::ops::workflow;
use crate::ops::{Session, Stamp};
use crate::store::tickets as db;
use crate::{Error, Result, clock, store};

use super::label;

/// Tickets closed per transaction.
pub const BATCH: usize = 100;

/// How long one call keeps closing batches.
pub const BUDGET: Duration = Duration::from_millis(100);

/// Resolved before this they are past the reopen window at `now`.
pub fn cutoff(now: DateTime<Utc>, window_days: i64) -> String {
    let back = TimeDelta::try_days(window_days)
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    clock::stamp(back)
}

/// Whether any resolved ticket is past its reopen window (one indexed read).
pub fn any_due(s: &Session, now: DateTime<Utc>) -> Result<bool> {
    let at = cutoff(now, s.settings.reopen_window_days);
    Ok(!db::due_closures(&s.conn, &at, 1)?.is_empty())
}

/// Closes the resolved tickets whose reopen window ended before `now`, for
/// at most [`BUDGET`]; one line per ticket, and one saying how many wait
/// when the budget ran out.
pub fn close_after_window(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let started = Instant::now();
    let mut done = Vec::new();
    loop {
        let (lines, more) = close_batch(s, now)?;
        done.extend(lines);
        if !more {
            return Ok(done);
        }
        if started.elapsed() >= BUDGET {
            let left =
                db::due_closures(&s.conn, &cutoff(now, s.settings.reopen_window_days), usize::MAX)?.len();
            done.push(format!(
                "{left} more resolved tickets are past their reopen window; the next tick closes them"
            ));
            return Ok(done);
        }
    }
}

/// One transaction: up to [`BATCH`] tickets; whether a full batch was due.
fn close_batch(s: &mut Session, now: DateTime<Utc>) -> Result<(Vec<String>, bool)> {
    let at = clock::stamp(now);
    let who = Stamp {
        actor: crate::ops::merchants::SYSTEM,
        at: &at,
    };
    let settings = s.settings.clone();
    let window = settings.reopen_window_days;
    let tx = store::write_tx(&mut s.conn)?;
    let ids = db::due_closures(&tx, &cutoff(now, window), BATCH)?;
    let tz = super::calendar(&tx, &settings)?.tz;
    let mut done = Vec::new();
    for &id in &ids {
        let before = db::get(&tx, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
        let from: TicketStatus = super::status_of(&before)?;
        let resolved = before
            .resolved_at
            .as_deref()
            .map(clock::parse_stamp)
            .transpose()?;
        // Read under the write lock: reopened or closed by someone since, or
        // (a clock moved back) still inside the window: not this effect's.
        if rules::next(from, &TicketAction::Close).is_err()
            || rules::reopen_blocker(resolved, window, now, tz).is_none()
        {
            continue;
        }
        let mut after = before.clone();
        after.status = TicketStatus::Closed.as_str().to_string();
        after.closed_at = Some(at.clone());
        super::entered(&tx, &settings, &before, &mut after, who.actor, now)?;
        after.change = Some(serde_json::json!({
            "cause": "reopen window ended",
            "resolved_at": before.resolved_at,
            "reopen_window_days": window,
        }));
        workflow::save(&tx, who, "close", &before, &mut after)?;
        let when = resolved
            .map(|r| crate::domain::calendar::shop_minute(r, tz))
            .unwrap_or_default();
        done.push(format!(
            "{}: closed, resolved {when} and the {window}-day reopen window has passed",
            label(&before)
        ));
    }
    tx.commit()?;
    Ok((done, ids.len() == BATCH))
}

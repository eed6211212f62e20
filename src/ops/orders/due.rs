//! The scheduled `delivered → completed` (SPEC §4.3, §4.7): an order whose
//! return window has passed with no open after-sales ticket completes, as
//! an ordinary audited transition by `system`. Its `completed_at` is the
//! moment it is applied, so the order lands on the settlement period in
//! which it completed (docs/settlement.md), never on a period already
//! confirmed. Applied in batches of [`BATCH`] orders, each its own
//! transaction, so a shop with thousands due (the first open of an old
//! file) never holds the write lock for long.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::order::{self as rules, OrderAction, OrderStatus};
use crate::ops::merchants::SYSTEM;
use crate::ops::{Session, Stamp, workflow};
use crate::{Error, Result, clock, store};

/// Orders completed per transaction.
pub const BATCH: usize = 250;

/// The latest delivery time whose return window has passed at `now`.
pub fn window_cutoff(return_window_days: i64, now: DateTime<Utc>) -> String {
    let back = TimeDelta::try_days(return_window_days).unwrap_or(TimeDelta::MAX);
    clock::stamp(now.checked_sub_signed(back).unwrap_or(DateTime::<Utc>::MIN_UTC))
}

/// Whether any delivered order is due to complete at `now` (one indexed read).
pub fn any_due(s: &Session, now: DateTime<Utc>) -> Result<bool> {
    let cutoff = window_cutoff(s.settings.return_window_days, now);
    Ok(!store::orders::due_completions(&s.conn, &cutoff, 1)?.is_empty())
}

/// Completes what is due at `now`, at most `batches` transactions of
/// [`BATCH`] orders (`None`: until nothing is due). One line for people.
pub fn complete_due_at(s: &mut Session, now: DateTime<Utc>, batches: Option<usize>) -> Result<Vec<String>> {
    let cutoff = window_cutoff(s.settings.return_window_days, now);
    let at = clock::stamp(now);
    let who = Stamp {
        actor: SYSTEM,
        at: &at,
    };
    let mut done: Vec<String> = Vec::new();
    let mut rounds = 0usize;
    while batches.is_none_or(|b| rounds < b) {
        rounds += 1;
        let tx = store::write_tx(&mut s.conn)?;
        let due = store::orders::due_completions(&tx, &cutoff, BATCH)?;
        if due.is_empty() {
            break;
        }
        for id in &due {
            let before = store::orders::get(&tx, *id)?.ok_or_else(|| Error::not_found("order", id))?;
            let to = rules::next(before.status, before.held_from, &OrderAction::Complete)
                .map_err(|r| Error::Refused(r.about(super::label(&before))))?;
            debug_assert_eq!(to, OrderStatus::Completed);
            let mut after = before.clone();
            after.status = to;
            after.completed_at = Some(at.clone());
            workflow::save(&tx, who, "complete", &before, &mut after)?;
            done.push(super::label(&before));
        }
        tx.commit()?;
        if due.len() < BATCH {
            break;
        }
    }
    Ok(match done.len() {
        0 => Vec::new(),
        n @ 1..=5 => vec![format!(
            "{} completed: return window passed ({n} order{})",
            done.join(", "),
            if n == 1 { "" } else { "s" }
        )],
        n => vec![format!(
            "{n} delivered orders completed: return window passed ({} … {})",
            done.first().map(String::as_str).unwrap_or(""),
            done.last().map(String::as_str).unwrap_or("")
        )],
    })
}

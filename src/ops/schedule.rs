//! Scheduled effects (SPEC §4.7), all in one place: what is due because time
//! passed. Each effect is an ordinary audited change by `system`; applying
//! twice changes nothing. Built so far: documents past their expiry become
//! `expired`; products are listed and delisted at their scheduled times;
//! a dispute whose merchant missed the response deadline is escalated; a
//! resolved ticket past its reopen window is closed (in time-boxed batches);
//! a delivered order past its return window with no open ticket completes
//! (`orders::due`, in batches; docs/settlement.md).
//! `tick` (cron) also refreshes the stored product sales figures (ABC
//! classes, read from the trigger-kept rollup) when they are an hour old;
//! the TUI does that on a thread of its own, never on the writer, and an
//! opening command does not (bookkeeping, not a due effect).
//!
//! Who applies them:
//! - `shopdesk tick` (for cron), which prints what it did;
//! - the TUI's writer worker when it starts and every minute after, never
//!   on the input path ([`apply_due`]: the figures are not its work);
//! - every other command that opens the database as a role that may write
//!   ([`on_open`]): one indexed read says whether anything is due, so a
//!   command pays nothing more when nothing is; when something is, it is
//!   applied before the command runs, waiting at most [`ON_OPEN_WAIT`] for
//!   another writer's lock (then it is left for the next process).
//!
//! A read-only open (a viewer, or a file this login may only read) applies
//! nothing and writes nothing: it shows the data as the last writer left
//! it. The rules that depend on time read the dates themselves (approval
//! refuses a document past its expiry date whatever its stored check, the
//! re-verification queue and review due are computed at read time), so
//! nothing decided from a read-only view is wrong for the delay.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Session;
use crate::domain::{Permission, Role};
use crate::{Result, store};

/// Applies every effect due at `now`, then the hourly bookkeeping; one line
/// per change, for people.
pub fn tick(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    // Every completion due, not only the batches an opening command takes.
    let mut done = super::orders::due::complete_due_at(s, now, None)?;
    done.extend(apply_due(s, now)?);
    // Bookkeeping, not a change people act on: not one of the lines.
    if let Some(line) = super::products::reports::refresh_stats_at(s, now, false)? {
        tracing::info!("{line}");
    }
    Ok(done)
}

/// Applies every effect due at `now`; one line per change, for people.
pub fn apply_due(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut done = super::merchants::expire_documents_at(s, now)?;
    done.extend(super::products::apply_schedules_at(s, now)?);
    done.extend(super::tickets::escalate_overdue_responses(s, now)?);
    done.extend(super::tickets::autoclose::close_after_window(s, now)?);
    done.extend(super::orders::due::complete_due_at(
        s,
        now,
        Some(COMPLETION_BATCHES),
    )?);
    Ok(done)
}

/// Batches of due completions one `apply_due` takes (`tick` takes all):
/// an old file's first open completes the rest over the next opens.
pub const COMPLETION_BATCHES: usize = 2;

/// The longest an opening command waits for another writer's lock before
/// leaving the due effects to the next process.
pub const ON_OPEN_WAIT: Duration = Duration::from_millis(250);

/// Whether `role` may change anything (a viewer only reads).
pub fn may_write(role: Role) -> bool {
    use Permission::*;
    [
        ManageStaff,
        ManageSettings,
        ManageMerchants,
        ManageProducts,
        ManageOrders,
        HoldOrChangeAddress,
        ManageTickets,
        ImportData,
    ]
    .into_iter()
    .any(|p| role.may(p))
}

/// Whether anything is due at `now` (one indexed read per effect).
pub fn any_due(s: &Session, now: DateTime<Utc>) -> Result<bool> {
    let today = s.calendar()?.local_date(now).format("%Y-%m-%d").to_string();
    let at = crate::clock::stamp(now);
    Ok(store::merchants::any_due_expiry(&s.conn, &today)?
        || !store::products::due_delistings(&s.conn, &at)?.is_empty()
        || !store::products::due_listings(&s.conn, &at)?.is_empty()
        || !store::tickets::due_responses(&s.conn, &at)?.is_empty()
        || super::tickets::autoclose::any_due(s, now)?
        || super::orders::due::any_due(s, now)?)
}

/// What a command applies when it opens the database (see the module
/// docs): nothing for a read-only session or a role that cannot write,
/// nothing when nothing is due, else [`tick`]. A lock held by another
/// writer past [`ON_OPEN_WAIT`] leaves the effects for later (`Ok(None)`).
pub fn on_open(s: &mut Session) -> Result<Option<Vec<String>>> {
    let now = s.now()?;
    on_open_at(s, now)
}

pub fn on_open_at(s: &mut Session, now: DateTime<Utc>) -> Result<Option<Vec<String>>> {
    if s.read_only() || !may_write(s.role()) {
        return Ok(Some(Vec::new()));
    }
    if !any_due(s, now)? {
        return Ok(Some(Vec::new()));
    }
    store::set_busy_timeout(&s.conn, ON_OPEN_WAIT)?;
    let done = apply_due(s, now);
    store::set_busy_timeout(&s.conn, store::BUSY_TIMEOUT)?;
    match done {
        Ok(done) => Ok(Some(done)),
        // Another writer held the lock past the wait (or the write failed
        // for a reason the command itself will meet and report): the
        // effects wait for the next process; the command goes on.
        Err(crate::Error::Db(e)) => {
            tracing::warn!("scheduled effects left for later: {e}");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

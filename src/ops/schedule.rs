//! Scheduled effects (SPEC §4.7), all in one place: what is due because time
//! passed, applied by `shopdesk tick`, and by the TUI's writer worker when it
//! starts and every minute after (never on the input path). Each effect is an
//! ordinary audited change by `system`; applying twice changes nothing.
//! Built so far: documents past their expiry become `expired`; products
//! are listed and delisted at their scheduled times; the stored product
//! sales figures are recomputed when an hour old.

use chrono::{DateTime, Utc};

use super::Session;
use crate::Result;

/// Applies every effect due at `now`; one line per change, for people.
pub fn tick(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut done = super::merchants::expire_documents_at(s, now)?;
    done.extend(super::products::apply_schedules_at(s, now)?);
    // Bookkeeping, not a change people act on: not one of the lines.
    super::products::reports::refresh_stats_at(s, now, false)?;
    Ok(done)
}

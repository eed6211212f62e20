//! Scheduled effects (SPEC §4.7), all in one place: what is due because time
//! passed, applied by `shopdesk tick`, and by the TUI's writer worker when it
//! starts and every minute after (never on the input path). Each effect is an
//! ordinary audited change by `system`; applying twice changes nothing.
//! Built so far: documents past their expiry become `expired`; a dispute
//! whose merchant missed the response deadline is escalated.

use chrono::{DateTime, Utc};

use super::Session;
use crate::Result;

/// Applies every effect due at `now`; one line per change, for people.
pub fn tick(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut done = super::merchants::expire_documents_at(s, now)?;
    done.extend(super::tickets::escalate_overdue_responses(s, now)?);
    Ok(done)
}

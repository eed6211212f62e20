//! The one clock: `SHOPDESK_NOW` (RFC 3339) fixes it for tests and demos,
//! except in a shared install, where the caller must not choose the time
//! its audit rows carry.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::{Error, Result};

pub const NOW_ENV: &str = "SHOPDESK_NOW";

/// The current instant, or the one `SHOPDESK_NOW` names (ignored while
/// setgid/setuid).
pub fn now() -> Result<DateTime<Utc>> {
    if crate::identity::is_privileged() {
        return Ok(Utc::now());
    }
    match std::env::var(NOW_ENV) {
        Ok(s) if !s.trim().is_empty() => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Error::input(format!("{NOW_ENV}={s:?} is not an RFC 3339 time: {e}"))),
        _ => Ok(Utc::now()),
    }
}

/// The stored form of an instant: UTC, whole seconds, `Z`. Sorts as text.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a stored stamp back.
pub fn parse_stamp(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Db(format!("bad timestamp {s:?} in the database: {e}")))
}

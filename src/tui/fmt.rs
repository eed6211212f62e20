//! Formatting for people: times in the shop's zone, money, due times, and
//! masking of personal data for roles that may not see it.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::Role;
use crate::domain::calendar::{format_due, format_expiry};
use crate::domain::money::Money;

/// Everything a screen needs to turn rows into text.
#[derive(Debug, Clone)]
pub struct Fmt {
    pub tz: Tz,
    pub currency: String,
    pub now: DateTime<Utc>,
    pub role: Role,
    /// The reader's staff id (the "needs me" queue); 0 until the app sets it.
    pub me: i64,
}

impl Fmt {
    pub fn new(timezone: &str, currency: &str, now: DateTime<Utc>, role: Role) -> Fmt {
        Fmt {
            tz: timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
            currency: currency.to_string(),
            now,
            role,
            me: 0,
        }
    }

    fn parse(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// "2026-11-22 14:35" in the shop's zone; unparsable text as stored.
    pub fn time(&self, s: &str) -> String {
        match Self::parse(s) {
            Some(t) => t.with_timezone(&self.tz).format("%Y-%m-%d %H:%M").to_string(),
            None => s.to_string(),
        }
    }

    /// "11-22 14:35": the short form for narrow list columns (the year is
    /// left out rather than cut to "26-11-22", which reads as a day).
    pub fn time_short(&self, s: &str) -> String {
        match Self::parse(s) {
            Some(t) => t.with_timezone(&self.tz).format("%m-%d %H:%M").to_string(),
            None => s.to_string(),
        }
    }

    pub fn opt_time(&self, s: Option<&str>) -> String {
        s.map(|s| self.time(s)).unwrap_or_default()
    }

    pub fn money(&self, minor: i64) -> String {
        Money(minor).format(&self.currency)
    }

    /// "due in 2d 3h" / "OVERDUE 4h".
    pub fn due(&self, s: &str) -> String {
        match Self::parse(s) {
            Some(t) => format_due(self.now, t),
            None => s.to_string(),
        }
    }

    pub fn is_overdue(&self, s: &str) -> bool {
        Self::parse(s).is_some_and(|t| t < self.now)
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    /// "expires in 12d" / "expired 3d ago".
    pub fn expiry(&self, date: &str) -> String {
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(d) => format_expiry(self.today(), d),
            Err(_) => date.to_string(),
        }
    }

    /// What this reader may see of personal data (the one policy in
    /// `domain::pii`, shared with `order show` and exports).
    pub fn pii(&self) -> crate::domain::pii::PiiMask {
        crate::domain::pii::PiiMask::for_role(self.role)
    }

    pub fn sees_pii(&self) -> bool {
        !self.pii().is_on()
    }

    pub fn phone(&self, p: &str) -> String {
        self.pii().phone(p)
    }

    pub fn address(&self, a: &str) -> String {
        self.pii().address(a)
    }
}

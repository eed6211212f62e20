//! The ticket SLA clock (SPEC §4.4, issue 13 item 2), computed from the
//! ticket's status log on the shop's business calendar: the audit is due
//! `audit_days` business days after opening, the resolution `resolve_days`
//! business days after opening, and time spent in `waiting_customer` is not
//! counted. Because nothing here is stored, a holiday added later moves
//! the due times of every ticket still open.

use chrono::{DateTime, Utc};

use super::calendar::BusinessCalendar;
use super::ticket::TicketStatus;

/// Where the clock stands at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sla {
    pub audit_due: DateTime<Utc>,
    /// When the ticket left `new` (approved, rejected or escalated).
    pub audited_at: Option<DateTime<Utc>>,
    /// The resolution deadline; `None` while the clock is paused (it is
    /// not known until the customer answers).
    pub resolve_due: Option<DateTime<Utc>>,
    /// The last time it became resolved (or rejected), while it still is.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Spans spent waiting for the customer; the last may still be open.
    pub paused: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Business seconds of the resolution budget used so far (to the
    /// resolution, else to `now`), pauses excluded.
    pub used_secs: i64,
    /// The whole budget: `resolve_days` business days.
    pub budget_secs: i64,
}

impl Sla {
    pub fn is_paused(&self) -> bool {
        self.paused.last().is_some_and(|(_, end)| end.is_none())
    }

    /// The audit deadline passed before the audit (or before `now`).
    pub fn audit_late(&self, now: DateTime<Utc>) -> bool {
        self.audited_at.unwrap_or(now) > self.audit_due
    }

    /// The resolution budget ran out before the resolution (or `now`).
    pub fn resolve_late(&self) -> bool {
        self.used_secs > self.budget_secs
    }
}

/// The clock of a ticket opened at `opened` whose status log is `log`
/// (each status entered and when, oldest first; the first entry is
/// normally `new` at `opened`).
pub fn clock(
    cal: &BusinessCalendar,
    opened: DateTime<Utc>,
    log: &[(DateTime<Utc>, TicketStatus)],
    audit_days: i64,
    resolve_days: i64,
    now: DateTime<Utc>,
) -> Sla {
    use TicketStatus as S;
    let audited_at = log.iter().find(|(_, s)| *s != S::New).map(|(t, _)| *t);
    let mut paused = Vec::new();
    for (i, (at, s)) in log.iter().enumerate() {
        if *s == S::WaitingCustomer {
            paused.push((*at, log.get(i + 1).map(|(t, _)| *t)));
        }
    }
    let current = log.last().map(|(_, s)| *s).unwrap_or(S::New);
    let resolved_at = matches!(current, S::Resolved | S::Closed | S::Rejected)
        .then(|| {
            log.iter()
                .rev()
                .find(|(_, s)| matches!(s, S::Resolved | S::Rejected))
                .map(|(t, _)| *t)
        })
        .flatten();
    let budget_secs = resolve_days.saturating_mul(cal.day_secs());
    let stop = resolved_at.unwrap_or(now).max(opened);
    let closed_spans: Vec<_> = paused.iter().map(|&(s, e)| (s, e.unwrap_or(stop))).collect();
    let used_secs = cal.business_secs_between(opened, stop, &closed_spans);
    Sla {
        audit_due: cal.add_business_days(opened, audit_days),
        audited_at,
        resolve_due: resolve_due(cal, opened, &paused, budget_secs),
        resolved_at,
        paused,
        used_secs,
        budget_secs,
    }
}

/// The instant the unpaused business time since `opened` reaches `budget`;
/// `None` when a pause that is still open comes first.
fn resolve_due(
    cal: &BusinessCalendar,
    opened: DateTime<Utc>,
    paused: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    budget: i64,
) -> Option<DateTime<Utc>> {
    let mut remaining = budget;
    let mut cursor = opened;
    for &(start, end) in paused {
        let start = start.max(cursor);
        let used = cal.business_secs_between(cursor, start, &[]);
        if used >= remaining {
            return Some(cal.add_business_secs(cursor, remaining));
        }
        remaining -= used;
        cursor = end?.max(cursor);
    }
    Some(cal.add_business_secs(cursor, remaining))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus as S;
    use chrono::NaiveDate;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Asia/Shanghai, Mon–Fri 09:00–18:00 (01:00–10:00 UTC), with 2026-10-01 a holiday.
    fn cal(holidays: &[&str]) -> BusinessCalendar {
        BusinessCalendar::new(
            "Asia/Shanghai",
            "1-5",
            "09:00",
            "18:00",
            holidays
                .iter()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        )
        .unwrap()
    }

    /// (what, holidays, opened, log after opening, now, audit due, resolve due).
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &[&str], &str, &[(&str, S)], &str, &str, Option<&str>)] = &[
        (
            "Monday 15:00 local: audit Tuesday 15:00, resolution Thursday 15:00",
            &[],
            "2026-11-16T07:00:00Z",
            &[],
            "2026-11-16T08:00:00Z",
            "2026-11-17T07:00:00Z",
            Some("2026-11-19T07:00:00Z"),
        ),
        (
            "Friday 15:00 local: the weekend does not count",
            &[],
            "2026-11-20T07:00:00Z",
            &[],
            "2026-11-20T08:00:00Z",
            "2026-11-23T07:00:00Z",
            Some("2026-11-25T07:00:00Z"),
        ),
        (
            "opened Saturday: the clock starts Monday 09:00",
            &[],
            "2026-11-21T04:00:00Z",
            &[],
            "2026-11-21T05:00:00Z",
            "2026-11-23T10:00:00Z",
            Some("2026-11-25T10:00:00Z"),
        ),
        (
            "a holiday on Tuesday pushes both by a day",
            &["2026-11-17"],
            "2026-11-16T07:00:00Z",
            &[],
            "2026-11-16T08:00:00Z",
            "2026-11-18T07:00:00Z",
            Some("2026-11-20T07:00:00Z"),
        ),
        (
            "waiting for the customer Tuesday 10:00–Wednesday 10:00 (9 working hours) stops the clock",
            &[],
            "2026-11-16T07:00:00Z",
            &[
                ("2026-11-16T08:00:00Z", S::Approved),
                ("2026-11-16T09:00:00Z", S::InProgress),
                ("2026-11-17T02:00:00Z", S::WaitingCustomer),
                ("2026-11-18T02:00:00Z", S::InProgress),
            ],
            "2026-11-18T03:00:00Z",
            "2026-11-17T07:00:00Z",
            Some("2026-11-20T07:00:00Z"),
        ),
        (
            "still waiting: no resolution due",
            &[],
            "2026-11-16T07:00:00Z",
            &[
                ("2026-11-16T08:00:00Z", S::Approved),
                ("2026-11-16T09:00:00Z", S::InProgress),
                ("2026-11-17T02:00:00Z", S::WaitingCustomer),
            ],
            "2026-11-18T03:00:00Z",
            "2026-11-17T07:00:00Z",
            None,
        ),
        (
            "weekend, holiday and a wait together: Friday open, Monday holiday, waiting Tuesday all day",
            &["2026-11-23"],
            "2026-11-20T07:00:00Z",
            &[
                ("2026-11-20T08:00:00Z", S::Approved),
                ("2026-11-20T08:30:00Z", S::InProgress),
                ("2026-11-24T00:00:00Z", S::WaitingCustomer),
                ("2026-11-24T23:00:00Z", S::InProgress),
            ],
            "2026-11-25T03:00:00Z",
            "2026-11-24T07:00:00Z",
            Some("2026-11-27T07:00:00Z"),
        ),
    ];

    #[test]
    fn due_times_across_weekends_holidays_and_waits() {
        for (what, holidays, opened, rest, now, audit, resolve) in CASES {
            let opened = t(opened);
            let mut log = vec![(opened, S::New)];
            log.extend(rest.iter().map(|(a, s)| (t(a), *s)));
            let c = clock(&cal(holidays), opened, &log, 1, 3, t(now));
            assert_eq!(c.audit_due, t(audit), "{what}: audit");
            assert_eq!(c.resolve_due, resolve.map(t), "{what}: resolution");
            assert_eq!(c.is_paused(), resolve.is_none(), "{what}: paused");
        }
    }

    #[test]
    fn used_time_and_lateness() {
        let opened = t("2026-11-16T07:00:00Z");
        let log = vec![
            (opened, S::New),
            (t("2026-11-16T08:00:00Z"), S::Approved),
            (t("2026-11-16T08:30:00Z"), S::InProgress),
            (t("2026-11-16T09:00:00Z"), S::WaitingCustomer),
            (t("2026-11-17T09:00:00Z"), S::InProgress),
            (t("2026-11-17T10:00:00Z"), S::Resolved),
        ];
        let c = clock(&cal(&[]), opened, &log, 1, 3, t("2026-11-30T00:00:00Z"));
        // Monday 15:00–17:00 worked, then waiting to Tuesday 17:00, then 17:00–18:00.
        assert_eq!(c.used_secs, 3 * 3600);
        assert_eq!(c.resolved_at, Some(t("2026-11-17T10:00:00Z")));
        assert!(!c.resolve_late() && !c.audit_late(t("2026-11-30T00:00:00Z")));
        assert_eq!(c.paused.len(), 1);
        let late = clock(
            &cal(&[]),
            opened,
            &[(opened, S::New)],
            1,
            3,
            t("2026-11-30T00:00:00Z"),
        );
        assert!(late.resolve_late() && late.audit_late(t("2026-11-30T00:00:00Z")));
    }
}

//! The business calendar: which local days are working days, the working hours,
//! holidays, and working-time arithmetic on UTC instants (SLA due times).
//!
//! Every loop steps one local day at a time and does a constant amount of work
//! per day, so a year-long span costs a few hundred steps.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use super::Refusal;

/// Working time added in one call is capped (≈ 40 years of office hours) so a
/// mistyped setting cannot make a due-time computation spin.
const MAX_ADD_SECS: i64 = 100_000 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    pub tz: Tz,
    /// Index 0 = Monday … 6 = Sunday.
    pub workdays: [bool; 7],
    /// Local opening time, inclusive.
    pub start: NaiveTime,
    /// Local closing time, exclusive; after `start`.
    pub end: NaiveTime,
    /// Local dates that are not working days even on a workday.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    /// Asia/Shanghai, Monday to Friday, 09:00–18:00, no holidays.
    fn default() -> Self {
        BusinessCalendar {
            tz: chrono_tz::Asia::Shanghai,
            workdays: [true, true, true, true, true, false, false],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
            holidays: BTreeSet::new(),
        }
    }
}

impl BusinessCalendar {
    /// From the settings' text: an IANA zone ("Europe/Berlin"), ISO weekdays
    /// ("1,2,3,4,5" or "1-5"), and "HH:MM" hours. Refusals name the bad value.
    pub fn new(
        tz_name: &str,
        business_days: &str,
        start: &str,
        end: &str,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, Refusal> {
        let tz: Tz = tz_name.trim().parse().map_err(|_| {
            Refusal::new(format!(
                "unknown time zone \"{tz_name}\" (expected an IANA name like Asia/Shanghai)"
            ))
        })?;
        let workdays = parse_workdays(business_days)?;
        let start_t = parse_hm(start, "business start")?;
        let end_t = parse_hm(end, "business end")?;
        if start_t >= end_t {
            return Err(Refusal::new(format!(
                "business hours \"{start}\"–\"{end}\" are empty: the start must be before the end"
            )));
        }
        Ok(BusinessCalendar {
            tz,
            workdays,
            start: start_t,
            end: end_t,
            holidays: holidays.into_iter().collect(),
        })
    }

    /// A workday that is not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        self.workdays[date.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&date)
    }

    /// The shop-local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// `[start, next start)` of a local day as UTC instants (23 or 25 hours
    /// long on DST change days).
    pub fn local_day_bounds(&self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.local_to_utc(date, NaiveTime::MIN);
        let end = date
            .succ_opt()
            .map(|d| self.local_to_utc(d, NaiveTime::MIN))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        (start, end)
    }

    /// Working seconds in one full business day (`end − start`).
    pub fn day_secs(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }

    /// `t` plus `hours` of working time. See [`Self::add_business_secs`].
    pub fn add_business_hours(&self, t: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
        self.add_business_secs(t, hours.saturating_mul(3600))
    }

    /// `t` plus `days` business days, where a business day means one full day's
    /// working hours (`end − start`). So with 09:00–18:00, Monday 15:00 + 1 day
    /// is Tuesday 15:00, Friday 15:00 + 1 day is Monday 15:00, and Saturday
    /// 10:00 + 1 day is Monday 18:00. This keeps "1 business day" the same
    /// amount of staff time wherever in the day the clock started.
    pub fn add_business_days(&self, t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        self.add_business_secs(t, days.saturating_mul(self.day_secs()))
    }

    /// `t` plus `secs` of working time, counting only time inside working hours
    /// on business days; an instant outside hours first moves to the next
    /// opening. Ending exactly at closing time returns the closing instant.
    /// Non-positive amounts (and a calendar with no workdays) return `t`.
    pub fn add_business_secs(&self, t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
        if secs <= 0 || !self.workdays.iter().any(|w| *w) {
            return t;
        }
        let mut remaining = secs.min(MAX_ADD_SECS);
        let mut date = self.local_date(t);
        loop {
            if let Some((open, close)) = self.window(date) {
                let from = open.max(t);
                if close > from {
                    let available = (close - from).num_seconds();
                    if remaining <= available {
                        return from
                            .checked_add_signed(TimeDelta::seconds(remaining))
                            .unwrap_or(close);
                    }
                    remaining -= available;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => return DateTime::<Utc>::MAX_UTC,
            }
        }
    }

    /// Working seconds in `[a, b)` minus the working seconds inside any paused
    /// span (spans may overlap each other or stick out of `[a, b)`).
    pub fn business_secs_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> i64 {
        if b <= a {
            return 0;
        }
        let total = self.working_secs(a, b);
        // Clip to [a, b), then merge overlaps so no pause is subtracted twice.
        let mut spans: Vec<_> = paused
            .iter()
            .map(|&(s, e)| (s.max(a), e.min(b)))
            .filter(|(s, e)| s < e)
            .collect();
        spans.sort();
        let mut paused_secs = 0;
        let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for (s, e) in spans {
            current = match current {
                Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
                Some((cs, ce)) => {
                    paused_secs += self.working_secs(cs, ce);
                    Some((s, e))
                }
                None => Some((s, e)),
            };
        }
        if let Some((cs, ce)) = current {
            paused_secs += self.working_secs(cs, ce);
        }
        (total - paused_secs).max(0)
    }

    /// Working seconds in `[a, b)`.
    fn working_secs(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b <= a {
            return 0;
        }
        let last = self.local_date(b);
        let mut date = self.local_date(a);
        let mut secs = 0;
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let (from, to) = (open.max(a), close.min(b));
                if to > from {
                    secs += (to - from).num_seconds();
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        secs
    }

    /// The working hours of a business day as UTC instants; `None` on other days.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_business_day(date) {
            return None;
        }
        let open = self.local_to_utc(date, self.start);
        let close = self.local_to_utc(date, self.end);
        (close > open).then_some((open, close))
    }

    /// A local wall time as a UTC instant. An ambiguous time (clocks going back)
    /// takes the earlier instant; a time that does not exist (clocks going
    /// forward) takes the first local minute after the gap.
    fn local_to_utc(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        if let Some(t) = self.tz.from_local_datetime(&naive).earliest() {
            return t.with_timezone(&Utc);
        }
        let mut probe = naive;
        for _ in 0..(26 * 60) {
            match probe.checked_add_signed(TimeDelta::minutes(1)) {
                Some(p) => probe = p,
                None => break,
            }
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
        }
        // No real zone has a gap this long; read the wall time as UTC.
        naive.and_utc()
    }
}

/// "1,2,3,4,5" or "1-5" (ISO weekdays, Monday = 1) → a Monday-first mask.
fn parse_workdays(s: &str) -> Result<[bool; 7], Refusal> {
    let mut days = [false; 7];
    let bad = |part: &str| {
        Refusal::new(format!(
            "business days \"{s}\": \"{part}\" is not an ISO weekday 1 (Mon) to 7 (Sun)"
        ))
    };
    let day = |part: &str| -> Result<usize, Refusal> {
        match part.trim().parse::<usize>() {
            Ok(n @ 1..=7) => Ok(n - 1),
            _ => Err(bad(part.trim())),
        }
    };
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                if from > to {
                    return Err(bad(part));
                }
                days[from..=to].iter_mut().for_each(|d| *d = true);
            }
            None => days[day(part)?] = true,
        }
    }
    if !days.iter().any(|d| *d) {
        return Err(Refusal::new(format!("business days \"{s}\" name no day")));
    }
    Ok(days)
}

fn parse_hm(s: &str, what: &str) -> Result<NaiveTime, Refusal> {
    let t = s.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| Refusal::new(format!("{what} \"{s}\" is not a time like 09:00")))
}

/// Wall-clock time to a deadline, two largest units: "due in 2d 3h",
/// "due in 3h 20m", "due in 45m", "due now", "OVERDUE 4h", "OVERDUE 1d 2h",
/// "OVERDUE 5m", "OVERDUE <1m".
/// A moment for people: "2026-11-20 09:01" in the shop's zone `tz`.
pub fn shop_minute(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn format_due(now: DateTime<Utc>, due: DateTime<Utc>) -> String {
    let secs = (due - now).num_seconds();
    if secs >= 0 {
        if secs < 60 {
            "due now".to_string()
        } else {
            format!("due in {}", span(secs))
        }
    } else {
        let late = secs.saturating_neg();
        if late < 60 {
            "OVERDUE <1m".to_string()
        } else {
            format!("OVERDUE {}", span(late))
        }
    }
}

/// "20m ago", "3h 5m ago", "<1m ago" (a time in the future reads "just now").
pub fn format_ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 60 {
        "<1m ago".to_string()
    } else {
        format!("{} ago", span(secs))
    }
}

/// "2d 3h", "2d", "3h 20m", "4h", "45m" from whole seconds (rounded down to minutes).
fn span(secs: i64) -> String {
    let minutes = secs / 60;
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// "expires in 12d", "expires today", "expired 3d ago".
pub fn format_expiry(today: NaiveDate, expires: NaiveDate) -> String {
    let days = (expires - today).num_days();
    match days {
        0 => "expires today".to_string(),
        d if d > 0 => format!("expires in {d}d"),
        d => format!("expired {}d ago", d.saturating_neg()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Shanghai (UTC+8, no DST), Mon–Fri 09:00–18:00 = 01:00–10:00 UTC.
    fn sh() -> BusinessCalendar {
        BusinessCalendar::default()
    }

    fn berlin() -> BusinessCalendar {
        BusinessCalendar::new("Europe/Berlin", "1,2,3,4,5", "09:00", "18:00", []).unwrap()
    }

    #[test]
    fn new_parses_and_refuses_naming_the_value() {
        let c =
            BusinessCalendar::new("Asia/Shanghai", "1-5", "09:00", "18:00", [date("2026-10-01")]).unwrap();
        assert_eq!(c.workdays, sh().workdays);
        assert!(c.holidays.contains(&date("2026-10-01")));
        let c = BusinessCalendar::new("UTC", " 6, 7 ", "08:30", "12:00:00", []).unwrap();
        assert_eq!(c.workdays, [false, false, false, false, false, true, true]);
        for (args, needle) in [
            (("Mars/Base", "1", "09:00", "18:00"), "\"Mars/Base\""),
            (("UTC", "1,8", "09:00", "18:00"), "\"8\""),
            (("UTC", "", "09:00", "18:00"), "name no day"),
            (("UTC", "5-1", "09:00", "18:00"), "\"5-1\""),
            (("UTC", "1", "9am", "18:00"), "\"9am\""),
            (("UTC", "1", "09:00", "24:00"), "\"24:00\""),
            (("UTC", "1", "18:00", "09:00"), "start must be before"),
        ] {
            let err = BusinessCalendar::new(args.0, args.1, args.2, args.3, []).unwrap_err();
            assert!(err.to_string().contains(needle), "{args:?}: {err}");
        }
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let mut c = sh();
        assert!(c.is_business_day(date("2026-03-06"))); // Friday
        assert!(!c.is_business_day(date("2026-03-07"))); // Saturday
        assert!(!c.is_business_day(date("2026-03-08"))); // Sunday
        c.holidays.insert(date("2026-10-01"));
        assert!(!c.is_business_day(date("2026-10-01"))); // Thursday, holiday
    }

    #[test]
    fn add_hours_inside_and_across_days() {
        let c = sh();
        // Mon 10:00 local + 2h = Mon 12:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-02T02:00:00Z"), 2),
            utc("2026-03-02T04:00:00Z")
        );
        // Mon 17:00 + 2h = Tue 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-02T09:00:00Z"), 2),
            utc("2026-03-03T02:00:00Z")
        );
        // Ending exactly at closing time stays at closing time.
        assert_eq!(
            c.add_business_hours(utc("2026-03-02T09:00:00Z"), 1),
            utc("2026-03-02T10:00:00Z")
        );
        // Zero adds nothing.
        assert_eq!(
            c.add_business_hours(utc("2026-03-07T02:00:00Z"), 0),
            utc("2026-03-07T02:00:00Z")
        );
    }

    #[test]
    fn add_hours_from_outside_hours_starts_at_next_opening() {
        let c = sh();
        // Mon 07:00 local (before opening) + 1h = Mon 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-01T23:00:00Z"), 1),
            utc("2026-03-02T02:00:00Z")
        );
        // Mon 20:00 local (after closing) + 1h = Tue 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-02T12:00:00Z"), 1),
            utc("2026-03-03T02:00:00Z")
        );
        // Fri 17:00 + 2h skips the weekend: Mon 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-06T09:00:00Z"), 2),
            utc("2026-03-09T02:00:00Z")
        );
        // Saturday + 1h = Mon 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-03-07T04:00:00Z"), 1),
            utc("2026-03-09T02:00:00Z")
        );
    }

    #[test]
    fn add_hours_skips_holidays() {
        let mut c = sh();
        c.holidays.extend([date("2026-10-01"), date("2026-10-02")]);
        // Wed 30 Sep 17:00 + 2h: Thu/Fri are holidays, weekend, so Mon 5 Oct 10:00.
        assert_eq!(
            c.add_business_hours(utc("2026-09-30T09:00:00Z"), 2),
            utc("2026-10-05T02:00:00Z")
        );
    }

    #[test]
    fn add_days_is_whole_working_days() {
        let c = sh();
        assert_eq!(c.day_secs(), 9 * 3600);
        // Mon 15:00 + 1d = Tue 15:00; Fri 15:00 + 1d = Mon 15:00.
        assert_eq!(
            c.add_business_days(utc("2026-03-02T07:00:00Z"), 1),
            utc("2026-03-03T07:00:00Z")
        );
        assert_eq!(
            c.add_business_days(utc("2026-03-06T07:00:00Z"), 1),
            utc("2026-03-09T07:00:00Z")
        );
        // Saturday + 1d = Monday closing time; Mon 09:00 + 5d = Fri 18:00.
        assert_eq!(
            c.add_business_days(utc("2026-03-07T02:00:00Z"), 1),
            utc("2026-03-09T10:00:00Z")
        );
        assert_eq!(
            c.add_business_days(utc("2026-03-02T01:00:00Z"), 5),
            utc("2026-03-06T10:00:00Z")
        );
    }

    #[test]
    fn dst_zone_keeps_local_hours() {
        let c = berlin();
        // Fri 27 Mar 17:00 CET (16:00Z) + 2h → Mon 30 Mar 10:00 CEST (08:00Z).
        assert_eq!(
            c.add_business_hours(utc("2026-03-27T16:00:00Z"), 2),
            utc("2026-03-30T08:00:00Z")
        );
        let (s, e) = c.local_day_bounds(date("2026-03-29"));
        assert_eq!((s, e), (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z")));
        let (s, e) = c.local_day_bounds(date("2026-10-25"));
        assert_eq!((e - s).num_hours(), 25);
        assert_eq!(c.local_date(utc("2026-03-29T22:30:00Z")), date("2026-03-30"));
        // A window that straddles the spring-forward gap is an hour short.
        let night = BusinessCalendar::new("Europe/Berlin", "1-7", "01:00", "05:00", []).unwrap();
        let (s, e) = night.local_day_bounds(date("2026-03-29"));
        assert_eq!(night.business_secs_between(s, e, &[]), 3 * 3600);
        let (s, e) = night.local_day_bounds(date("2026-10-25"));
        assert_eq!(night.business_secs_between(s, e, &[]), 5 * 3600);
        // 02:30 does not exist on 29 Mar: it reads as the end of the gap, 03:00 CEST.
        let gap = BusinessCalendar::new("Europe/Berlin", "1-7", "02:30", "05:00", []).unwrap();
        assert_eq!(
            gap.add_business_hours(utc("2026-03-28T23:00:00Z"), 1),
            utc("2026-03-29T02:00:00Z")
        );
    }

    #[test]
    fn secs_between_counts_only_working_time() {
        let c = sh();
        // Fri 17:00 → Mon 10:00 = 1h Fri + 1h Mon.
        assert_eq!(
            c.business_secs_between(utc("2026-03-06T09:00:00Z"), utc("2026-03-09T02:00:00Z"), &[]),
            7200
        );
        // Reversed or empty spans are zero.
        assert_eq!(
            c.business_secs_between(utc("2026-03-09T02:00:00Z"), utc("2026-03-06T09:00:00Z"), &[]),
            0
        );
        // A whole week is 45h.
        assert_eq!(
            c.business_secs_between(utc("2026-03-01T16:00:00Z"), utc("2026-03-08T16:00:00Z"), &[]),
            45 * 3600
        );
    }

    #[test]
    fn paused_spans_are_subtracted_once() {
        let c = sh();
        let (a, b) = (utc("2026-03-02T01:00:00Z"), utc("2026-03-02T10:00:00Z")); // Mon 09–18
        // Overlapping pauses 10:00–12:00 and 11:00–13:00 → 3h, plus one sticking out before `a`.
        let paused = [
            (utc("2026-03-02T02:00:00Z"), utc("2026-03-02T04:00:00Z")),
            (utc("2026-03-02T03:00:00Z"), utc("2026-03-02T05:00:00Z")),
            (utc("2026-03-01T00:00:00Z"), utc("2026-03-02T01:30:00Z")),
            (utc("2026-03-02T09:00:00Z"), utc("2026-03-02T08:00:00Z")), // backwards: ignored
        ];
        assert_eq!(
            c.business_secs_between(a, b, &paused),
            (9 * 3600) - 3 * 3600 - 1800
        );
        // A pause over the whole span leaves nothing.
        let all = [(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"))];
        assert_eq!(c.business_secs_between(a, b, &all), 0);
        // A pause over a weekend costs nothing.
        let weekend = [(utc("2026-03-06T10:00:00Z"), utc("2026-03-09T01:00:00Z"))];
        assert_eq!(
            c.business_secs_between(utc("2026-03-06T01:00:00Z"), utc("2026-03-09T10:00:00Z"), &weekend),
            18 * 3600
        );
    }

    #[test]
    fn long_spans_are_cheap() {
        let c = sh();
        let started = std::time::Instant::now();
        let a = utc("2020-01-01T00:00:00Z");
        let b = utc("2030-01-01T00:00:00Z");
        let secs = c.business_secs_between(a, b, &[(a, utc("2021-01-01T00:00:00Z"))]);
        assert!(secs > 0);
        let due = c.add_business_hours(a, 9 * 261 * 5);
        assert!(due > utc("2024-12-01T00:00:00Z"));
        // Absurd inputs are capped rather than spinning.
        let _ = c.add_business_hours(a, i64::MAX);
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn due_and_expiry_wording() {
        let now = utc("2026-03-02T00:00:00Z");
        let later = |m: i64| now + TimeDelta::minutes(m);
        assert_eq!(format_due(now, later(2 * 1440 + 3 * 60 + 5)), "due in 2d 3h");
        assert_eq!(format_due(now, later(200)), "due in 3h 20m");
        assert_eq!(format_due(now, later(45)), "due in 45m");
        assert_eq!(format_due(now, later(0)), "due now");
        assert_eq!(format_due(now, later(-240)), "OVERDUE 4h");
        assert_eq!(format_due(now, later(-(1440 + 120 + 7))), "OVERDUE 1d 2h");
        assert_eq!(format_due(now, later(-5)), "OVERDUE 5m");
        assert_eq!(format_due(now, later(-2880)), "OVERDUE 2d");
        assert_eq!(format_due(now, now - TimeDelta::seconds(30)), "OVERDUE <1m");
        assert_eq!(
            format_expiry(date("2026-03-02"), date("2026-03-14")),
            "expires in 12d"
        );
        assert_eq!(
            format_expiry(date("2026-03-02"), date("2026-03-02")),
            "expires today"
        );
        assert_eq!(
            format_expiry(date("2026-03-02"), date("2026-02-27")),
            "expired 3d ago"
        );
    }
}

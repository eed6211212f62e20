//! Small tools the generators share: a seeded dice, fast timestamp text, and
//! business-calendar due times.

use chrono::{DateTime, NaiveDate, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::calendar::BusinessCalendar;

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// A deterministic random source: one ChaCha8 stream per generator phase, so
/// a change in one phase does not reshuffle the others.
pub struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Dice(rng)
    }

    /// A uniform index in `0..n` (0 when `n` is 0 or 1).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// A uniform integer in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a list (the default value for an empty list).
    pub fn pick<T: Copy + Default>(&mut self, xs: &[T]) -> T {
        xs.get(self.below(xs.len())).copied().unwrap_or_default()
    }

    /// An index drawn with the given relative weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.0.random_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// An index in `0..n` skewed towards the front: the first items of a list
    /// are the popular ones (`power` > 1 sharpens the skew).
    pub fn skewed(&mut self, n: usize, power: f64) -> usize {
        let i = (self.unit().powf(power) * n as f64) as usize;
        i.min(n.saturating_sub(1))
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.0.random_range(0..10u8)))
            .collect()
    }

    /// Shuffles a list in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.0.random_range(0..=i);
            xs.swap(i, j);
        }
    }
}

/// Exactly `n` labels with the given shares (each label at least once when
/// `n` allows it), in random order. Used where every status must appear.
pub fn quota<T: Copy>(dice: &mut Dice, n: usize, shares: &[(T, u32)]) -> Vec<T> {
    let total: u64 = shares.iter().map(|(_, w)| u64::from(*w)).sum::<u64>().max(1);
    let mut counts: Vec<usize> = shares
        .iter()
        .map(|(_, w)| ((n as u64 * u64::from(*w)) / total) as usize)
        .collect();
    if n >= shares.len() {
        for c in counts.iter_mut() {
            *c = (*c).max(1);
        }
    }
    // Fix the total on the largest share.
    let big = shares
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, w))| (*w, usize::MAX - i))
        .map(|(i, _)| i)
        .unwrap_or(0);
    let sum: usize = counts.iter().sum();
    if let Some(c) = counts.get_mut(big) {
        if sum > n {
            *c = c.saturating_sub(sum - n);
        } else {
            *c += n - sum;
        }
    }
    let mut out = Vec::with_capacity(n);
    for ((label, _), c) in shares.iter().zip(&counts) {
        out.extend(std::iter::repeat_n(*label, *c));
    }
    out.truncate(n);
    dice.shuffle(&mut out);
    out
}

/// The stored form of an instant (`clock::stamp`), from Unix seconds, without
/// going through chrono or the formatting machinery: the demo writes tens
/// of millions of these (years 0–9999; others through `format!`).
pub fn ts(secs: i64) -> String {
    let days = secs.div_euclid(DAY);
    let sod = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            sod / HOUR,
            sod / MINUTE % 60,
            sod % 60
        );
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, n: i64, width: usize| {
        let mut n = n;
        for i in (at..at + width).rev() {
            if let Some(c) = b.get_mut(i) {
                *c = b'0' + (n % 10) as u8;
            }
            n /= 10;
        }
    };
    put(0, y, 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, sod / HOUR, 2);
    put(14, sod / MINUTE % 60, 2);
    put(17, sod % 60, 2);
    String::from_utf8_lossy(&b).into_owned()
}

/// Unix seconds of a stored stamp: the exact `YYYY-MM-DDTHH:MM:SSZ` the
/// demo writes read directly, anything else through `clock::parse_stamp`.
pub fn secs_of(stamp: &str) -> Option<i64> {
    let b = stamp.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b.get(r)?.iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let shape = b.len() == 20
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ]
        .iter()
        .all(|(i, c)| b.get(*i) == Some(c));
    let fast = || -> Option<i64> {
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let valid =
            (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d) && hh < 24 && mm < 60 && ss < 60;
        valid.then(|| days_from_civil(y, m, d) * DAY + hh * HOUR + mm * MINUTE + ss)
    };
    match shape.then(fast).flatten() {
        Some(s) => Some(s),
        None => crate::clock::parse_stamp(stamp).ok().map(|t| t.timestamp()),
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (H. Hinnant's
/// algorithm, the inverse of `civil_from_days`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Due times on the shop's business calendar (SPEC 4.1, 4.4).
pub struct Sla {
    pub cal: BusinessCalendar,
}

impl Sla {
    /// `start` plus `days` business days.
    pub fn due(&self, start: i64, days: i64) -> i64 {
        self.cal.add_business_days(utc(start), days).timestamp()
    }

    /// `start` plus `days` business days plus `extra` paused seconds of
    /// working time (the clock stops while waiting for the customer).
    pub fn due_paused(&self, start: i64, days: i64, extra: i64) -> i64 {
        let secs = days
            .saturating_mul(self.cal.day_secs())
            .saturating_add(extra.max(0));
        self.cal.add_business_secs(utc(start), secs).timestamp()
    }

    /// The shop-local date of an instant.
    pub fn local_date(&self, secs: i64) -> NaiveDate {
        self.cal.local_date(utc(secs))
    }

    /// `[start, end)` of a local day in Unix seconds.
    pub fn day_bounds(&self, date: NaiveDate) -> (i64, i64) {
        let (a, b) = self.cal.local_day_bounds(date);
        (a.timestamp(), b.timestamp())
    }
}

/// "12,480": thousands separated for people.
pub fn grouped(n: i64) -> String {
    let out = crate::domain::money::thousands(n.unsigned_abs());
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_matches_clock_stamp() {
        let mut d = Dice::new(3, 0);
        for _ in 0..10_000 {
            let s = d.range(-2_000_000_000, 5_000_000_000);
            assert_eq!(ts(s), crate::clock::stamp(utc(s)), "{s}");
        }
        assert_eq!(ts(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn secs_of_reads_back_what_ts_writes() {
        let mut d = Dice::new(4, 0);
        for _ in 0..10_000 {
            let s = d.range(-2_000_000_000, 5_000_000_000);
            assert_eq!(secs_of(&ts(s)), Some(s), "{s}");
        }
        assert_eq!(secs_of("2026-02-30T00:00:00Z"), None);
        assert_eq!(secs_of("not a stamp"), None);
        assert_eq!(
            secs_of("2026-11-22T08:00:00+00:00"),
            Some(
                crate::clock::parse_stamp("2026-11-22T08:00:00Z")
                    .unwrap()
                    .timestamp()
            )
        );
    }

    #[test]
    fn quota_covers_every_label() {
        let mut d = Dice::new(1, 0);
        let v = quota(&mut d, 30, &[('a', 60), ('b', 8), ('c', 1), ('d', 1)]);
        assert_eq!(v.len(), 30);
        for l in ['a', 'b', 'c', 'd'] {
            assert!(v.contains(&l), "{l}");
        }
        assert_eq!(quota(&mut d, 2, &[('a', 1), ('b', 1), ('c', 1)]).len(), 2);
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped(5000), "5,000");
        assert_eq!(grouped(12_480), "12,480");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = Dice::new(9, 4);
        let mut b = Dice::new(9, 4);
        let mut c = Dice::new(9, 5);
        let va: Vec<i64> = (0..20).map(|_| a.range(0, 1000)).collect();
        let vb: Vec<i64> = (0..20).map(|_| b.range(0, 1000)).collect();
        let vc: Vec<i64> = (0..20).map(|_| c.range(0, 1000)).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
    }
}

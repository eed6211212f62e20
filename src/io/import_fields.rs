//! Field parsers shared by the import kinds: each returns the problem text
//! that ends up after `file:line: column: `.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};

use crate::domain::limits::quote;
use crate::domain::money::{self, Money};

// Field parsers shared by the import kinds. Each returns the problem text.

pub type FieldResult<T> = std::result::Result<T, String>;

/// A value that must be present.
pub fn required(v: &str) -> FieldResult<&str> {
    if v.is_empty() {
        Err("is required".into())
    } else {
        Ok(v)
    }
}

/// An empty field is None.
pub fn optional(v: &str) -> Option<&str> {
    (!v.is_empty()).then_some(v)
}

/// A whole number within `min..=max`.
pub fn int(v: &str, min: i64, max: i64) -> FieldResult<i64> {
    let n: i64 = v
        .parse()
        .map_err(|_| format!("{} is not a whole number", quote(v)))?;
    if n < min || n > max {
        return Err(format!("{n} is out of range ({min} to {max})"));
    }
    Ok(n)
}

/// An instant: RFC 3339 ("2026-11-01T10:00:00+08:00", "…Z"), or a local
/// time in the shop's zone ("2026-11-01 10:00:00", seconds optional).
pub fn time(v: &str, tz: chrono_tz::Tz) -> FieldResult<DateTime<Utc>> {
    if let Some(t) = fast_time(v, tz) {
        return Ok(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        .ok_or_else(|| {
            format!(
                "{} is not a time (use RFC 3339 or YYYY-MM-DD HH:MM:SS in the shop's time zone)",
                quote(v)
            )
        })?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // A repeated hour when clocks go back: the first occurrence.
        LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{} does not exist in {tz} (clocks moved forward)",
            quote(v)
        )),
    }
}

/// The common shapes without chrono's format machinery (imports read
/// millions of times): `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]`. None
/// means "not this shape" and the caller falls back to the general parsers.
fn fast_time(v: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    use chrono::{FixedOffset, NaiveDate, NaiveTime};
    let b = v.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let d = b.get(from..from + len)?;
        d.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"T t") && at(13, b":")) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    let (mut i, mut sec, mut nano) = (16, 0, 0);
    if at(16, b":") {
        sec = num(17, 2)?;
        i = 19;
        if at(19, b".") {
            let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            nano = num(20, digits)? * 10u32.pow(9 - digits as u32);
            i = 20 + digits;
        }
    }
    let naive = date.and_time(NaiveTime::from_hms_nano_opt(num(11, 2)?, num(14, 2)?, sec, nano)?);
    match &b[i..] {
        [] => match tz.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
            LocalResult::None => None,
        },
        [b'Z' | b'z'] => Some(naive.and_utc()),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let secs = (num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60) as i32;
            let off = FixedOffset::east_opt(if *sign == b'-' { -secs } else { secs })?;
            off.from_local_datetime(&naive)
                .single()
                .map(|t| t.with_timezone(&Utc))
        }
        _ => None,
    }
}

pub fn opt_time(v: &str, tz: chrono_tz::Tz) -> FieldResult<Option<DateTime<Utc>>> {
    optional(v).map(|v| time(v, tz)).transpose()
}

/// Money as decimal text in minor units ("12.50" → 1250); never negative.
pub fn money(v: &str) -> FieldResult<i64> {
    let m = Money::parse(v).map_err(|e| e.to_string())?;
    if m.0 < 0 {
        return Err(format!("{} is negative", quote(v)));
    }
    Ok(m.0)
}

/// A rate in basis points: "0.05" or "5%" → 500.
pub fn rate_bp(v: &str) -> FieldResult<i64> {
    money::parse_rate_bp(v).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_shape() {
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        let want: DateTime<Utc> = "2026-11-01T02:00:00Z".parse().unwrap();
        for v in [
            "2026-11-01 10:00:00",
            "2026-11-01T10:00:00",
            "2026-11-01 10:00",
            "2026-11-01T10:00:00+08:00",
            "2026-11-01T02:00:00Z",
            "2026-11-01 02:00:00Z",
            "2026-10-31T21:00:00-05:00",
            "2026-11-01T02:00:00.000Z",
        ] {
            assert_eq!(time(v, tz), Ok(want), "{v}");
        }
        assert!(time("2026-11-31 10:00:00", tz).is_err());
        assert!(time("2026-11-01 25:00:00", tz).is_err());
        assert!(time("yesterday", tz).is_err());
        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        assert!(
            time("2026-03-08 02:30:00", ny)
                .unwrap_err()
                .contains("does not exist")
        );
    }

    #[test]
    fn money_and_rates() {
        assert_eq!(money("12.50"), Ok(1250));
        assert_eq!(money("¥12.5"), Ok(1250));
        assert!(
            money("12.505")
                .unwrap_err()
                .contains("more than 2 decimal places")
        );
        assert!(money("-1").is_err());
        assert_eq!(rate_bp("5%"), Ok(500));
        assert_eq!(rate_bp("0.05"), Ok(500));
    }
}

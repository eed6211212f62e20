//! Missing-order detection for `import orders --expect-range`: what the
//! channel should have sent, as a numbering range or a time window.

use chrono::NaiveDate;

/// The largest numbering range checked one id at a time.
pub const MAX_IDS: u64 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `TM1000..TM1999`: the ids prefix + number, both ends included.
    /// `width` > 0 keeps leading zeros (`A0001..A0100`).
    Numbers {
        prefix: String,
        from: u64,
        to: u64,
        width: usize,
    },
    /// `2026-11-01..2026-11-07`: shop-local days, both ends included.
    Days { from: NaiveDate, to: NaiveDate },
}

fn split_number(s: &str) -> Option<(&str, &str)> {
    let digits = s.len() - s.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (prefix, num) = s.split_at(digits);
    (!num.is_empty()).then_some((prefix, num))
}

impl Expect {
    pub fn parse(s: &str) -> Result<Expect, String> {
        let usage = || {
            format!(
                "--expect-range {s:?}: expected FROM..TO, either order numbers with a common prefix \
                 (TM1000..TM1999) or shop-local dates (2026-11-01..2026-11-07); both ends are included"
            )
        };
        let (a, b) = s.split_once("..").ok_or_else(usage)?;
        let (a, b) = (a.trim(), b.trim().trim_start_matches('='));
        let date = |v: &str| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
        if let (Some(from), Some(to)) = (date(a), date(b)) {
            if to < from {
                return Err(format!("--expect-range {s:?}: {to} is before {from}"));
            }
            if (to - from).num_days() > 3660 {
                return Err(format!("--expect-range {s:?}: at most ten years of days"));
            }
            return Ok(Expect::Days { from, to });
        }
        let (pa, na) = split_number(a).ok_or_else(usage)?;
        let (pb, nb) = split_number(b).ok_or_else(usage)?;
        if pa != pb {
            return Err(format!(
                "--expect-range {s:?}: both ends need the same prefix ({pa:?} vs {pb:?})"
            ));
        }
        let from: u64 = na.parse().map_err(|_| usage())?;
        let to: u64 = nb.parse().map_err(|_| usage())?;
        if to < from {
            return Err(format!("--expect-range {s:?}: {b} is before {a}"));
        }
        if to - from >= MAX_IDS {
            return Err(format!("--expect-range {s:?}: at most {MAX_IDS} ids at a time"));
        }
        let width = if na.starts_with('0') && na.len() > 1 {
            na.len()
        } else {
            0
        };
        Ok(Expect::Numbers {
            prefix: pa.to_string(),
            from,
            to,
            width,
        })
    }
}

/// The external id for number `n` of a numbering range.
pub fn id_for(prefix: &str, n: u64, width: usize) -> String {
    format!("{prefix}{n:0width$}")
}

/// Consecutive numbers folded into runs: [1,2,3,7] → [(1,3),(7,7)].
pub fn runs(sorted: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &n in sorted {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => out.push((n, n)),
        }
    }
    out
}

/// "TM1004, TM1500..TM1502", at most `limit` runs, then "and N more".
pub fn describe_runs(prefix: &str, width: usize, runs: &[(u64, u64)], limit: usize) -> String {
    let mut parts: Vec<String> = runs
        .iter()
        .take(limit)
        .map(|&(a, b)| {
            if a == b {
                id_for(prefix, a, width)
            } else {
                format!("{}..{}", id_for(prefix, a, width), id_for(prefix, b, width))
            }
        })
        .collect();
    if runs.len() > limit {
        parts.push(format!("and {} more runs", runs.len() - limit));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbering_and_days() {
        assert_eq!(
            Expect::parse("TM1000..TM1999"),
            Ok(Expect::Numbers {
                prefix: "TM".into(),
                from: 1000,
                to: 1999,
                width: 0
            })
        );
        assert_eq!(
            Expect::parse("A-0001..A-0100"),
            Ok(Expect::Numbers {
                prefix: "A-".into(),
                from: 1,
                to: 100,
                width: 4
            })
        );
        assert!(matches!(
            Expect::parse("2026-11-01..2026-11-08"),
            Ok(Expect::Days { .. })
        ));
        assert!(Expect::parse("TM1..JD5").is_err());
        assert!(Expect::parse("TM9..TM1").is_err());
        assert!(Expect::parse("nonsense").is_err());
    }

    #[test]
    fn runs_fold_and_describe() {
        let r = runs(&[4, 500, 501, 502]);
        assert_eq!(r, [(4, 4), (500, 502)]);
        assert_eq!(describe_runs("TM", 0, &r, 10), "TM4, TM500..TM502");
        assert_eq!(describe_runs("TM", 0, &r, 1), "TM4, and 1 more runs");
    }
}

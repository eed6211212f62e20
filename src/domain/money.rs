//! Money in integer minor units (fen/cents, two decimals) and basis-point rates.
//! Never floating point: parsing and rounding are exact integer arithmetic.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Refusal;

/// An amount in minor units: `Money(1250)` is 12.50 in the shop's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

/// Currency signs accepted in front of an amount when parsing.
const SIGNS: [&str; 5] = ["¥", "￥", "$", "€", "£"];

/// The largest amount shopdesk takes anywhere, in minor units: ¥100,000,000.00
/// (SPEC §5). A price, a fee, a line, an order's total and a refund each stay
/// within it, so no sum of an order's amounts can overflow; schema.sql's
/// CHECKs use the same number (`ceiling_matches_schema` holds them together).
pub const MAX_MINOR: i64 = 10_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);
    pub const MAX: Money = Money(MAX_MINOR);

    /// Within the ceiling either way (refunds and adjustments may be negative).
    pub fn within_ceiling(self) -> bool {
        self.0.checked_abs().is_some_and(|a| a <= MAX_MINOR)
    }

    /// Minor units.
    pub fn minor(self) -> i64 {
        self.0
    }

    /// Parses "12.50", "12.5", "12", "-3.10", "1,234.50", "¥12.50", "$12.50",
    /// "CNY 12.50", "12.50 CNY". At most two decimals; thousands separators
    /// must group by three; at most [`MAX_MINOR`] either way. The refusal
    /// quotes the text (bounded and escaped).
    pub fn parse(s: &str) -> Result<Money, Refusal> {
        let bad =
            |why: &str| Refusal::new(format!("not a money amount: {} ({why})", super::limits::quote(s)));
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut negative = false;
        if let Some(r) = rest.strip_prefix('-') {
            negative = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('+') {
            rest = r.trim_start();
        }
        rest = strip_currency(rest);
        // "¥-3.10" as well as "-¥3.10".
        if !negative && let Some(r) = rest.strip_prefix('-') {
            negative = true;
            rest = r;
        }
        let value = match parse_scaled(rest.trim(), 2) {
            Ok(v) => v,
            Err(DecimalError::TooManyDecimals) => return Err(bad("more than 2 decimal places")),
            Err(DecimalError::Overflow) => {
                return Err(bad(&format!(
                    "more than {}, the largest amount shopdesk takes",
                    Money::MAX.plain()
                )));
            }
            Err(DecimalError::Malformed) => return Err(bad("expected a number like 12.50")),
        };
        let value = if negative { -value } else { value };
        match i64::try_from(value).map(Money) {
            Ok(m) if m.within_ceiling() => Ok(m),
            _ => Err(bad(&format!(
                "more than {}, the largest amount shopdesk takes",
                Money::MAX.plain()
            ))),
        }
    }

    /// For people: "¥1,234.50", "$1,234.50", "-¥3.10", or "1,234.50 HKD" for
    /// currencies without a sign here.
    pub fn format(self, currency: &str) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let body = grouped(self.0.unsigned_abs());
        let code = currency.trim().to_ascii_uppercase();
        match code.as_str() {
            "CNY" | "RMB" | "JPY" => format!("{sign}¥{body}"),
            "USD" => format!("{sign}${body}"),
            "EUR" => format!("{sign}€{body}"),
            "GBP" => format!("{sign}£{body}"),
            "" => format!("{sign}{body}"),
            _ => format!("{sign}{body} {code}"),
        }
    }

    /// For people where room is short: whole units, rounded half up
    /// ("¥221,419,613" for ¥221,419,613.40).
    pub fn format_whole(self, currency: &str) -> String {
        let sign = if self.0 < 0 { -1 } else { 1 };
        let whole = (self.0.unsigned_abs().saturating_add(50) / 100).saturating_mul(100);
        let rounded = i64::try_from(whole).unwrap_or(i64::MAX / 100 * 100) * sign;
        Money(rounded).format(currency).replacen(".00", "", 1)
    }

    /// For files: "1234.50", "-3.10" (no sign, no grouping; `parse` reads it back).
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Unit price × quantity.
    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        self.0.checked_mul(qty).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// Removes one leading sign ("¥") or ISO code ("CNY "), or a trailing code (" CNY").
fn strip_currency(s: &str) -> &str {
    for sign in SIGNS {
        if let Some(r) = s.strip_prefix(sign) {
            return r.trim_start();
        }
    }
    let is_code = |c: &str| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic());
    // (No let-chains: the crate's rust-version is 1.85.)
    match (
        s.split_once(char::is_whitespace),
        s.rsplit_once(char::is_whitespace),
    ) {
        (Some((head, tail)), _) if is_code(head) => tail.trim_start(),
        (_, Some((head, tail))) if is_code(tail) => head.trim_end(),
        _ => s,
    }
}

/// "1,234,567.00" for 123456700 minor units.
fn grouped(abs_minor: u64) -> String {
    format!("{}.{:02}", thousands(abs_minor / 100), abs_minor % 100)
}

/// "1,234,567": a count or whole amount with its thousands separated, the
/// one grouping every face (TUI, CLI text, the demo's summary) uses.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum DecimalError {
    Malformed,
    TooManyDecimals,
    Overflow,
}

/// An unsigned decimal ("1,234.5") times 10^scale, exactly. More fractional
/// digits than `scale` is an error rather than a silent rounding.
fn parse_scaled(s: &str, scale: u32) -> Result<i128, DecimalError> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if !valid_integer(int_part) {
        return Err(DecimalError::Malformed);
    }
    let frac = frac_part.unwrap_or("");
    if frac_part.is_some() && frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::Malformed);
    }
    if frac.len() > scale as usize {
        return Err(DecimalError::TooManyDecimals);
    }
    let mut value: i128 = 0;
    let digits = int_part.bytes().filter(|b| *b != b',').chain(frac.bytes());
    for b in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or(DecimalError::Overflow)?;
    }
    // Pad the fraction to `scale` digits: "12.5" → 1250.
    for _ in frac.len()..scale as usize {
        value = value.checked_mul(10).ok_or(DecimalError::Overflow)?;
    }
    Ok(value)
}

/// Digits, optionally grouped by three with commas ("1,234"); at least one digit.
fn valid_integer(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let mut groups = s.split(',');
    let first = groups.next().unwrap_or("");
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || !digits(first) {
        return false;
    }
    let mut grouped = false;
    for g in groups {
        grouped = true;
        if g.len() != 3 || !digits(g) {
            return false;
        }
    }
    !grouped || first.len() <= 3
}

/// `amount × bp / 10000`, rounded half away from zero (half up for the usual
/// positive amounts; symmetric so a refund mirrors its charge).
pub fn apply_bp(amount: Money, bp: i64) -> Money {
    let product = i128::from(amount.0) * i128::from(bp);
    let (q, r) = (product / 10_000, product % 10_000);
    let rounded = if r.abs() * 2 >= 10_000 {
        q + product.signum()
    } else {
        q
    };
    Money(i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX }))
}

/// A rate as basis points: "0.05" (a fraction, up to 4 decimals) or "5%",
/// "5.5%" (a percentage, up to 2 decimals) → 500, 500, 550. Must be 0..=10000.
pub fn parse_rate_bp(s: &str) -> Result<i64, Refusal> {
    let text = s.trim();
    let parsed = match text.strip_suffix('%') {
        Some(pct) => parse_scaled(pct.trim(), 2),
        None => parse_scaled(text, 4),
    };
    let bp = parsed.map_err(|e| {
        let why = match e {
            DecimalError::TooManyDecimals => "too many decimal places",
            _ => "expected a fraction like 0.05 or a percentage like 5%",
        };
        Refusal::new(format!("not a rate: {} ({why})", super::limits::quote(s)))
    })?;
    let over = || Refusal::new(format!("rate {} is more than 100%", super::limits::quote(s)));
    if bp > 10_000 {
        return Err(over());
    }
    i64::try_from(bp).map_err(|_| over())
}

/// Basis points for people: 550 → "5.5%", 500 → "5%", 525 → "5.25%".
pub fn format_bp(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    match frac {
        0 => format!("{sign}{whole}%"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}%", f / 10),
        f => format!("{sign}{whole}.{f:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn whole_units_round_half_up_and_keep_the_sign() {
        assert_eq!(Money(22_141_961_340).format_whole("CNY"), "¥221,419,613");
        assert_eq!(Money(150).format_whole("CNY"), "¥2");
        assert_eq!(Money(149).format_whole("USD"), "$1");
        assert_eq!(Money(-250).format_whole("CNY"), "-¥3");
        assert_eq!(Money(123_400).format_whole("HKD"), "1,234 HKD");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    fn p(s: &str) -> i64 {
        Money::parse(s).unwrap().0
    }

    #[test]
    fn parses_accepted_forms() {
        assert_eq!(p("12.50"), 1250);
        assert_eq!(p("12.5"), 1250);
        assert_eq!(p("12"), 1200);
        assert_eq!(p("0.07"), 7);
        assert_eq!(p("-3.10"), -310);
        assert_eq!(p("+3.10"), 310);
        assert_eq!(p("1,234.50"), 123_450);
        assert_eq!(p("1,234,567"), 123_456_700);
        assert_eq!(p("¥12.50"), 1250);
        assert_eq!(p("￥12.50"), 1250);
        assert_eq!(p("$12.50"), 1250);
        assert_eq!(p("€1,000"), 100_000);
        assert_eq!(p("CNY 12.50"), 1250);
        assert_eq!(p("12.50 CNY"), 1250);
        assert_eq!(p("  12.50\t"), 1250);
        assert_eq!(p("-¥3.10"), -310);
        assert_eq!(p("¥-3.10"), -310);
        assert_eq!(p("-0"), 0);
        assert_eq!(p("100,000,000.00"), MAX_MINOR);
        assert_eq!(p("-¥100000000"), -MAX_MINOR);
    }

    #[test]
    fn refuses_bad_text_naming_it() {
        for bad in [
            "12.505",
            "abc",
            "",
            "   ",
            "1.2.3",
            "12.",
            ".",
            "1,23.00",
            "12,34",
            "1234,567",
            "--1",
            "¥",
            "1e5",
            "12 50",
            "92233720368547758.08",
            "99999999999999999999999999999999999999999",
        ] {
            let err = Money::parse(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
        assert!(
            Money::parse("12.505")
                .unwrap_err()
                .to_string()
                .contains("2 decimal")
        );
        // Past the ceiling, up to and beyond i64 (issue 9: 92233720368547758.07
        // used to parse, and two of them summed to -0.02).
        for over in [
            "100000000.01",
            "-100,000,000.01",
            "92233720368547758.07",
            "92233720368547758.08",
        ] {
            let err = Money::parse(over).unwrap_err().to_string();
            assert!(
                err.contains("more than 100000000.00, the largest amount"),
                "{over}: {err}"
            );
        }
        // A long or raw value is quoted bounded and escaped.
        let err = Money::parse(&format!("1{}x", "0".repeat(10_000)))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 250, "{err}");
        let err = Money::parse("1\u{1b}[2J").unwrap_err().to_string();
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }

    #[test]
    fn formats_for_people_and_files() {
        assert_eq!(Money(123_450).format("CNY"), "¥1,234.50");
        assert_eq!(Money(123_450).format("USD"), "$1,234.50");
        assert_eq!(Money(123_450).format("EUR"), "€1,234.50");
        assert_eq!(Money(123_450).format("GBP"), "£1,234.50");
        assert_eq!(Money(123_450).format("HKD"), "1,234.50 HKD");
        assert_eq!(Money(-310).format("CNY"), "-¥3.10");
        assert_eq!(Money(5).format("CNY"), "¥0.05");
        assert_eq!(Money(100_000_000).format("cny"), "¥1,000,000.00");
        assert_eq!(Money(99_999).format("CNY"), "¥999.99");
        assert_eq!(Money(123_450).plain(), "1234.50");
        assert_eq!(Money(-310).plain(), "-3.10");
        assert_eq!(Money(-5).plain(), "-0.05");
        assert_eq!(Money(0).to_string(), "0.00");
        assert_eq!(Money(i64::MIN).plain(), "-92233720368547758.08");
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(Money(100).checked_add(Money(50)), Some(Money(150)));
        assert_eq!(Money(100).checked_sub(Money(150)), Some(Money(-50)));
        assert_eq!(Money(250).checked_mul(3), Some(Money(750)));
        assert_eq!(Money(i64::MAX).checked_add(Money(1)), None);
        assert_eq!(Money(i64::MAX).checked_mul(2), None);
    }

    #[test]
    fn basis_points_round_half_up() {
        assert_eq!(apply_bp(Money(10_000), 500), Money(500));
        assert_eq!(apply_bp(Money(1_010), 500), Money(51)); // 50.5 → 51
        assert_eq!(apply_bp(Money(1_009), 500), Money(50)); // 50.45 → 50
        assert_eq!(apply_bp(Money(-1_010), 500), Money(-51));
        assert_eq!(apply_bp(Money(12_345), 0), Money(0));
        assert_eq!(apply_bp(Money(12_345), 10_000), Money(12_345));
        assert_eq!(apply_bp(Money(i64::MAX), i64::MAX), Money(i64::MAX));
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate_bp("0.05"), Ok(500));
        assert_eq!(parse_rate_bp("5%"), Ok(500));
        assert_eq!(parse_rate_bp("5.5%"), Ok(550));
        assert_eq!(parse_rate_bp(" 5.25 % "), Ok(525));
        assert_eq!(parse_rate_bp("0.0525"), Ok(525));
        assert_eq!(parse_rate_bp("0"), Ok(0));
        assert_eq!(parse_rate_bp("100%"), Ok(10_000));
        assert_eq!(parse_rate_bp("1"), Ok(10_000));
        for bad in ["101%", "1.5", "-5%", "abc", "", "5.555%", "0.00001"] {
            let err = parse_rate_bp(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
        assert_eq!(format_bp(550), "5.5%");
        assert_eq!(format_bp(500), "5%");
        assert_eq!(format_bp(525), "5.25%");
        assert_eq!(format_bp(5), "0.05%");
    }

    proptest! {
        #[test]
        fn plain_round_trips(x in -MAX_MINOR..=MAX_MINOR) {
            prop_assert_eq!(Money::parse(&Money(x).plain()), Ok(Money(x)));
        }

        #[test]
        fn formatted_round_trips(x in -MAX_MINOR..=MAX_MINOR, cur in "(CNY|USD|EUR|GBP|HKD)") {
            prop_assert_eq!(Money::parse(&Money(x).format(&cur)), Ok(Money(x)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Money::parse(&s);
            let _ = parse_rate_bp(&s);
        }
    }
}

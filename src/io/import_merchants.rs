//! merchants.csv (SPEC §7): one row per merchant application.

use chrono::{DateTime, Utc};

use super::csv_in::{self, Column, Problem, Row, opt, req};
use crate::domain::limits::TextKind;
use crate::domain::merchant::{CooperationMode, MerchantStatus};
use crate::store::import::catalog::MerchantRow;

pub const COLUMNS: &[Column] = &[
    req("code").kind(TextKind::Token),
    req("name"),
    opt("legal_name"),
    opt("contact_name"),
    opt("phone").kind(TextKind::Phone),
    opt("email"),
    opt("address"),
    opt("city"),
    opt("license_no"),
    opt("tax_id"),
    req("cooperation_mode"),
    opt("commission_rate").kind(TextKind::Number),
    opt("status"),
    opt("applied_at"),
    // Exported (`export merchants`) but computed from the data, so a
    // re-import reads past it.
    opt("credit_score").kind(TextKind::Number),
];

const CODE: usize = 0;
const NAME: usize = 1;
const COOPERATION_MODE: usize = 10;
const COMMISSION_RATE: usize = 11;
const STATUS: usize = 12;
const APPLIED_AT: usize = 13;

/// A parsed row; `status_given`/`applied_given` say whether the file said
/// (defaults are not compared against what shopdesk has).
#[derive(Debug, Clone)]
pub struct MerchantIn {
    pub line: u64,
    pub row: MerchantRow,
    pub status: MerchantStatus,
    pub status_given: bool,
    pub applied_at: DateTime<Utc>,
    pub applied_given: bool,
}

/// Parses a row; `now` is the default application time.
pub fn parse_row(row: &Row<'_>, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Result<MerchantIn, Vec<Problem>> {
    let line = row.line;
    let mut problems = Vec::new();
    let mut bad = |col: usize, p: String| problems.push(Problem::new(line, COLUMNS[col].name, p));
    for col in [CODE, NAME] {
        if row.get(col).is_empty() {
            bad(col, "is required".into());
        }
    }
    let mode = match row.get(COOPERATION_MODE).parse::<CooperationMode>() {
        Ok(m) => m,
        Err(e) => {
            bad(COOPERATION_MODE, e.to_string());
            CooperationMode::Direct
        }
    };
    let commission_bp = match csv_in::optional(row.get(COMMISSION_RATE)).map(csv_in::rate_bp) {
        None => None,
        Some(Ok(bp)) => Some(bp),
        Some(Err(e)) => {
            bad(COMMISSION_RATE, e);
            None
        }
    };
    let status_text = row.get(STATUS);
    let status = match csv_in::optional(status_text).map(str::parse::<MerchantStatus>) {
        None => MerchantStatus::Submitted,
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            bad(STATUS, e.to_string());
            MerchantStatus::Submitted
        }
    };
    let applied_at = match csv_in::opt_time(row.get(APPLIED_AT), tz) {
        Ok(t) => t.unwrap_or(now),
        Err(e) => {
            bad(APPLIED_AT, e);
            now
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let t = |i: usize| row.get(i).to_string();
    Ok(MerchantIn {
        line,
        row: MerchantRow {
            code: t(0),
            name: t(1),
            legal_name: t(2),
            contact_name: t(3),
            phone: t(4),
            email: t(5),
            address: t(6),
            city: t(7),
            license_no: t(8),
            tax_id: t(9),
            cooperation_mode: mode.as_str().to_string(),
            commission_bp,
            status: status.as_str().to_string(),
            applied_at: crate::clock::stamp(applied_at),
        },
        status,
        status_given: !status_text.is_empty(),
        applied_at,
        applied_given: !row.get(APPLIED_AT).is_empty(),
    })
}

/// Active, suspended and terminated merchants have been active, which needs
/// the deposit paid and the agreement signed: imports record both as done.
pub fn was_activated(s: MerchantStatus) -> bool {
    matches!(
        s,
        MerchantStatus::Active | MerchantStatus::Suspended | MerchantStatus::Terminated
    )
}

/// Still waiting for a review decision: these get a review due time.
pub fn awaits_review(s: MerchantStatus) -> bool {
    matches!(s, MerchantStatus::Submitted | MerchantStatus::UnderReview)
}

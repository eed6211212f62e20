//! reviews.csv, tickets.csv and traffic.csv (SPEC §7): the columns and the
//! row parsers. Each finds its order by channel and external id later, in
//! the import's transaction (`ops::import::after_sales`).

use chrono::{DateTime, NaiveDate, Utc};

use super::csv_in::{self, Column, Problem, Row, opt, req};
use crate::domain::limits::TextKind;
use crate::domain::ticket::{Resolution, TicketKind, TicketStatus};

pub const REVIEW_COLUMNS: &[Column] = &[
    req("channel").kind(TextKind::Token),
    req("external_id").kind(TextKind::Token),
    req("score").kind(TextKind::Number),
    opt("comment").kind(TextKind::Paragraph),
    opt("created_at"),
];

pub const TRAFFIC_COLUMNS: &[Column] = &[
    req("date"),
    req("channel").kind(TextKind::Token),
    req("visits").kind(TextKind::Number),
];

pub const TICKET_COLUMNS: &[Column] = &[
    req("channel").kind(TextKind::Token),
    req("external_id").kind(TextKind::Token),
    req("kind"),
    req("status"),
    req("opened_at"),
    req("subject"),
    opt("description").kind(TextKind::Paragraph),
    opt("reason"),
    opt("resolution"),
    opt("refund").kind(TextKind::Number),
    opt("resolved_at"),
    opt("csat_attitude").kind(TextKind::Number),
    opt("csat_speed").kind(TextKind::Number),
    opt("csat_resolution").kind(TextKind::Number),
    opt("csat_overall").kind(TextKind::Number),
];

/// Problems of one row, by column.
struct Bad {
    line: u64,
    problems: Vec<Problem>,
}

impl Bad {
    fn new(line: u64) -> Bad {
        Bad {
            line,
            problems: Vec::new(),
        }
    }

    fn take<T>(&mut self, columns: &[Column], col: usize, r: csv_in::FieldResult<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(Problem::new(self.line, columns[col].name, e));
                None
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReviewIn {
    pub line: u64,
    pub channel: String,
    pub external_id: String,
    pub score: i64,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

pub fn review(row: &Row<'_>, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Result<ReviewIn, Vec<Problem>> {
    let c = REVIEW_COLUMNS;
    let mut b = Bad::new(row.line);
    let channel = b.take(c, 0, csv_in::required(row.get(0)).map(str::to_string));
    let external_id = b.take(c, 1, csv_in::required(row.get(1)).map(str::to_string));
    let score = b.take(
        c,
        2,
        csv_in::required(row.get(2)).and_then(|v| csv_in::int(v, 1, 5)),
    );
    let created = b.take(c, 4, csv_in::opt_time(row.get(4), tz));
    match (channel, external_id, score, created) {
        (Some(channel), Some(external_id), Some(score), Some(created)) if b.problems.is_empty() => {
            Ok(ReviewIn {
                line: row.line,
                channel,
                external_id,
                score,
                comment: row.get(3).to_string(),
                created_at: created.unwrap_or(now),
            })
        }
        _ => Err(b.problems),
    }
}

#[derive(Debug, Clone)]
pub struct TrafficIn {
    pub line: u64,
    pub date: NaiveDate,
    pub channel: String,
    pub visits: i64,
}

pub fn traffic(row: &Row<'_>) -> Result<TrafficIn, Vec<Problem>> {
    let c = TRAFFIC_COLUMNS;
    let mut b = Bad::new(row.line);
    let date = b.take(
        c,
        0,
        csv_in::required(row.get(0)).and_then(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| format!("{v:?} is not a date like 2026-11-01"))
        }),
    );
    let channel = b.take(c, 1, csv_in::required(row.get(1)).map(str::to_string));
    let visits = b.take(
        c,
        2,
        csv_in::required(row.get(2)).and_then(|v| csv_in::int(v, 0, i64::from(u32::MAX))),
    );
    match (date, channel, visits) {
        (Some(date), Some(channel), Some(visits)) if b.problems.is_empty() => Ok(TrafficIn {
            line: row.line,
            date,
            channel,
            visits,
        }),
        _ => Err(b.problems),
    }
}

#[derive(Debug, Clone)]
pub struct TicketIn {
    pub line: u64,
    pub channel: String,
    pub external_id: String,
    pub kind: TicketKind,
    pub status: TicketStatus,
    pub opened_at: DateTime<Utc>,
    pub subject: String,
    pub description: String,
    pub reason: Option<String>,
    pub resolution: Option<Resolution>,
    pub refund: i64,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Attitude, speed, resolution, overall.
    pub csat: Option<[i64; 4]>,
}

pub fn ticket(row: &Row<'_>, tz: chrono_tz::Tz) -> Result<TicketIn, Vec<Problem>> {
    let c = TICKET_COLUMNS;
    let mut b = Bad::new(row.line);
    let channel = b.take(c, 0, csv_in::required(row.get(0)).map(str::to_string));
    let external_id = b.take(c, 1, csv_in::required(row.get(1)).map(str::to_string));
    let kind = b.take(c, 2, row.get(2).parse::<TicketKind>().map_err(|e| e.to_string()));
    let status = b.take(
        c,
        3,
        row.get(3).parse::<TicketStatus>().map_err(|e| e.to_string()),
    );
    let opened = b.take(
        c,
        4,
        csv_in::required(row.get(4)).and_then(|v| csv_in::time(v, tz)),
    );
    let subject = b.take(c, 5, csv_in::required(row.get(5)).map(str::to_string));
    let resolution = b.take(
        c,
        8,
        csv_in::optional(row.get(8))
            .map(|v| v.parse::<Resolution>().map_err(|e| e.to_string()))
            .transpose(),
    );
    let refund = b.take(c, 9, csv_in::optional(row.get(9)).map(csv_in::money).transpose());
    let resolved_at = b.take(c, 10, csv_in::opt_time(row.get(10), tz));
    let mut scores = [None; 4];
    for (k, col) in (11..15).enumerate() {
        scores[k] = b
            .take(
                c,
                col,
                csv_in::optional(row.get(col))
                    .map(|v| csv_in::int(v, 1, 5))
                    .transpose(),
            )
            .flatten();
    }
    let given = scores.iter().filter(|s| s.is_some()).count();
    let csat = match given {
        0 => None,
        4 => Some(scores.map(|s| s.unwrap_or(0))),
        _ => {
            b.problems.push(Problem::new(
                row.line,
                "csat_overall",
                "give all four satisfaction scores or none",
            ));
            None
        }
    };
    let (Some(channel), Some(external_id), Some(kind), Some(status), Some(opened), Some(subject)) =
        (channel, external_id, kind, status, opened, subject)
    else {
        return Err(b.problems);
    };
    let (resolution, refund, resolved_at) = (resolution.flatten(), refund.flatten(), resolved_at.flatten());
    let done = matches!(status, TicketStatus::Resolved | TicketStatus::Closed);
    if done && resolution.is_none() {
        b.problems.push(Problem::new(
            row.line,
            "resolution",
            format!("is required for a {status} ticket"),
        ));
    }
    if !done && (resolution.is_some() || resolved_at.is_some()) {
        b.problems.push(Problem::new(
            row.line,
            "status",
            format!("{status} has no resolution (resolution or resolved_at given)"),
        ));
    }
    if csat.is_some() && !done {
        b.problems.push(Problem::new(
            row.line,
            "csat_overall",
            "satisfaction is recorded after resolution",
        ));
    }
    if refund.is_some_and(|r| r > 0)
        && !matches!(resolution, Some(Resolution::Refund | Resolution::Compensation))
    {
        b.problems.push(Problem::new(
            row.line,
            "refund",
            "goes with the refund or compensation resolution",
        ));
    }
    if let Some(r) = resolved_at
        && r < opened
    {
        b.problems
            .push(Problem::new(row.line, "resolved_at", "is before opened_at"));
    }
    if !b.problems.is_empty() {
        return Err(b.problems);
    }
    Ok(TicketIn {
        line: row.line,
        channel,
        external_id,
        kind,
        status,
        opened_at: opened,
        subject,
        description: row.get(6).to_string(),
        reason: csv_in::optional(row.get(7)).map(|r| r.to_ascii_lowercase()),
        resolution,
        refund: refund.unwrap_or(0),
        resolved_at: if done { resolved_at.or(Some(opened)) } else { None },
        csat,
    })
}

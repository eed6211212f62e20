//! Merchants: the review queue and the register.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use std::any::Any;

use super::doc::Doc;
use super::{Detail, Later, Screen};
use crate::Result;
use crate::domain::merchant::MerchantStatus;
use crate::domain::money::format_bp;
use crate::ops::verbs::Entity;
use crate::store::lists::merchants::{self as store, Row};
use crate::store::lists::{MerchantQueue, Page, Query, Resolution, Seek, SortKey, Status, StatusFilter};
use crate::tui::app::Chip;
use crate::tui::fmt::Fmt;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

/// The Merchants screen.
pub struct Merchants;

impl Screen for Merchants {
    fn title(&self) -> &'static str {
        "Merchants"
    }

    fn context(&self) -> Context {
        Context::Merchants
    }

    fn entity(&self) -> &'static str {
        store::ENTITY
    }

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn sort_keys(&self) -> &'static [SortKey] {
        store::SORT_KEYS
    }

    fn statuses(&self) -> Vec<Status> {
        MerchantStatus::ALL.into_iter().map(Status::Merchant).collect()
    }

    fn status_words(&self) -> Vec<String> {
        MerchantStatus::ALL
            .into_iter()
            .map(|s| s.label().to_string())
            .collect()
    }

    /// "awaiting review" (submitted and under review) first after "all":
    /// the reviewers' queue, sorted by review due, overdue first.
    fn chips(&self, conn: &Connection, fmt: &Fmt) -> Result<Vec<Chip>> {
        let mut chips = super::status_chips(conn, self.entity(), &self.statuses())?;
        let queue = MerchantQueue::AwaitingReview;
        let held = StatusFilter::Merchants(queue).statuses();
        let n = chips
            .iter()
            .filter(|c| {
                c.status
                    .as_ref()
                    .and_then(StatusFilter::status)
                    .is_some_and(|s| held.contains(&s))
            })
            .map(|c| c.n)
            .sum();
        let at = 1.min(chips.len());
        chips.insert(
            at,
            Chip {
                status: Some(StatusFilter::Merchants(queue)),
                label: queue.label().to_string(),
                n,
            },
        );
        // Documents to re-verify: expiring within the window, or past it.
        let until = crate::ops::merchants::reverify_until(conn, fmt.today())?;
        let reverify = MerchantQueue::Reverify { until };
        chips.insert(
            at + 1,
            Chip {
                status: Some(StatusFilter::Merchants(reverify)),
                label: reverify.label().to_string(),
                n: store::reverify_count(conn, until)?,
            },
        );
        Ok(chips)
    }

    fn text_hint(&self) -> &'static str {
        "code or name"
    }

    fn fetch(
        &self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        seek: &Seek,
        limit: usize,
    ) -> Result<Page<TableRow>> {
        let page = store::page(conn, q, seek, limit)?;
        Ok(super::table_rows(
            page,
            |r| (r.id, Some(r.version)),
            |r| cells(r, fmt),
        ))
    }

    fn resolve(&self, conn: &Connection, q: &Query) -> Result<Resolution> {
        store::resolve(conn, q)
    }

    fn load_detail(&self, conn: &Connection, id: i64) -> Result<Option<Box<dyn Detail>>> {
        let Some(d) = store::detail(conn, id)? else {
            return Ok(None);
        };
        let review = review(conn, id)?;
        let history = crate::ops::history::of(conn, "merchant", id, HISTORY_ROWS)?;
        Ok(Some(
            Box::new(MerchantDetail(d, review, history)) as Box<dyn Detail>
        ))
    }

    fn verb_entity(&self) -> Option<Entity> {
        Some(Entity::Merchant)
    }

    fn export(
        &self,
        conn: &Connection,
        fmt: &Fmt,
        q: &Query,
        w: &mut dyn FnMut(Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        export(conn, fmt, q, w)
    }

    fn sample_terms(&self, row: &TableRow) -> (Option<String>, Option<String>) {
        (super::cell_prefix(row, 0, 6), super::cell_cjk(row, 1))
    }
}

/// What the reviewer needs beside the record (`ops::merchants`); the
/// bad-record check reads other merchants, so it arrives from the
/// background reader with the GMV.
struct Review {
    summary: crate::ops::merchants::ReviewSummary,
    /// Confirmed, unpaid statements (docs/settlement.md).
    open_balance: i64,
    bad_records: Option<Vec<crate::ops::merchants::BadRecord>>,
}

fn review(conn: &Connection, id: i64) -> Result<Review> {
    Ok(Review {
        summary: crate::ops::merchants::review_summary(conn, id)?,
        open_balance: crate::ops::settlement::open_balance(conn, id)?,
        bad_records: None,
    })
}

/// A merchant's detail view; its GMV and bad-record check arrive from the
/// background reader.
/// The newest audit rows a merchant's detail shows.
const HISTORY_ROWS: usize = 50;

struct MerchantDetail(store::Detail, Review, Vec<crate::ops::history::Row>);

impl Detail for MerchantDetail {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn version(&self) -> Option<i64> {
        Some(self.0.row.version)
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        let mut lines = detail_lines(&self.0, &self.1, fmt, width, theme);
        let mut doc = super::doc::Doc::new(width, theme);
        super::history::section(&mut doc, &self.2, fmt, theme);
        lines.append(&mut doc.lines);
        lines
    }

    fn later(&self) -> Option<Later> {
        Some(Later {
            what: "GMV and bad-record check",
            run: |conn, id| {
                let gmv = store::gmv(conn, id)?;
                let bad = crate::ops::merchants::bad_records(conn, id)?;
                Ok(Box::new((gmv, bad)))
            },
        })
    }

    fn fill(&mut self, value: Box<dyn Any + Send>) {
        if let Ok(v) = value.downcast::<(i64, Vec<crate::ops::merchants::BadRecord>)>() {
            let (gmv, bad) = *v;
            self.0.gmv_minor = Some(gmv);
            self.1.bad_records = Some(bad);
        }
    }
}

/// Everything fits at 80 columns; wide terminals give the name room and the
/// review due time its date.
pub const COLUMNS: &[Column] = &[
    Column::new("code", 6, 6).priority(95),
    Column::new("name", 16, 30).wide(50).grow().priority(80),
    Column::new("status", 13, 13).priority(90),
    Column::new("mode", 7, 7).wide(19).priority(30),
    Column::new("credit", 6, 6).right().priority(40),
    Column::new("review due", 15, 22).wide(40).priority(70),
];

/// Review due shows only while the application waits for a decision.
fn review_due(r: &Row, fmt: &Fmt) -> Cell {
    match &r.review_due_at {
        Some(due) if r.status.awaits_review() => {
            let tone = if fmt.is_overdue(due) {
                Tone::Bad
            } else {
                Tone::Normal
            };
            let (short, long) = (fmt.due(due), format!("{} ({})", fmt.time(due), fmt.due(due)));
            let (short, long) = match &r.claim {
                Some((by, _)) => (format!("{short} · {by}"), format!("{long} · {by}")),
                None => (short, long),
            };
            Cell::new(short).or_long(long).tone(tone)
        }
        _ => Cell::new("").tone(Tone::Dim),
    }
}

/// "lin 20m ago": who claimed the review and how long ago.
fn claim_text(by: &str, at: &str, fmt: &Fmt) -> String {
    match crate::clock::parse_stamp(at) {
        Ok(t) => format!("{by} {}", crate::domain::calendar::format_ago(fmt.now, t)),
        Err(_) => by.to_string(),
    }
}

/// "direct brand supply", or the stored word where the column is narrow.
fn mode_cell(mode: &str) -> Cell {
    match mode.parse::<crate::domain::merchant::CooperationMode>() {
        Ok(m) => Cell::new(mode).or_long(m.label()),
        Err(_) => Cell::new(mode),
    }
}

fn status_tone(s: MerchantStatus) -> Tone {
    match s {
        MerchantStatus::Active => Tone::Good,
        s if s.is_final() => Tone::Dim,
        s if s.needs_attention() => Tone::Warn,
        _ => Tone::Normal,
    }
}

fn cells(r: &Row, fmt: &Fmt) -> Vec<Cell> {
    vec![
        Cell::new(&r.code),
        Cell::new(&r.name),
        Cell::new(r.status.label()).tone(status_tone(r.status)),
        mode_cell(&r.cooperation_mode),
        Cell::new(r.credit_score.to_string()),
        review_due(r, fmt),
    ]
}

fn export(
    conn: &Connection,
    fmt: &Fmt,
    q: &Query,
    w: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<u64> {
    w([
        "id",
        "code",
        "name",
        "status",
        "cooperation_mode",
        "credit_score",
        "review_due_at",
    ]
    .map(String::from)
    .to_vec())?;
    store::stream(conn, q, &mut |r: Row| {
        w(vec![
            r.id.to_string(),
            r.code,
            r.name,
            r.status.to_string(),
            r.cooperation_mode,
            r.credit_score.to_string(),
            r.review_due_at.map(|t| fmt.time(&t)).unwrap_or_default(),
        ])
    })
}

fn detail_lines(d: &store::Detail, rv: &Review, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!("Merchant {} — {}", r.code, r.name));
    doc.field("status", r.status.label());
    if let Some(reason) = &d.status_reason {
        doc.field("reason", reason);
    }
    if let Some(due) = r.review_due_at.as_ref().filter(|_| r.status.awaits_review()) {
        let style = if fmt.is_overdue(due) {
            theme.error
        } else {
            theme.base
        };
        doc.field_styled(
            "review due",
            format!("{} ({})", fmt.due(due), fmt.time(due)),
            style,
        );
    }
    if let Some((by, at)) = &r.claim {
        doc.field("claimed by", claim_text(by, at, fmt));
    } else if r.status.awaits_review() {
        doc.field_styled("claimed by", "nobody (K claims it)", theme.dim);
    }
    doc.field("cooperation", &r.cooperation_mode);
    doc.field("credit score", r.credit_score.to_string());
    doc.field("violation pts", d.violation_points.to_string());
    doc.field("products", d.products.to_string());
    doc.field(
        "GMV (paid)",
        d.gmv_minor
            .map_or_else(|| "computing…".to_string(), |g| fmt.money(g)),
    );
    let rates: Vec<String> = rv
        .summary
        .commission
        .iter()
        .map(|c| match &c.category {
            Some(cat) => format!("{} {cat} ({})", format_bp(c.bp), c.source),
            None => format!("{} ({})", format_bp(c.bp), c.source),
        })
        .collect();
    doc.field("commission", rates.join(", "));
    let short = rv.summary.deposit_balance < d.deposit_minor;
    doc.field_styled(
        "deposit",
        format!(
            "{} of {} required{}",
            fmt.money(rv.summary.deposit_balance),
            fmt.money(d.deposit_minor),
            match (rv.summary.deposit_balance, short) {
                _ if r.status.is_final() => "",
                (0, true) => " (not paid)",
                (_, true) => " (BELOW REQUIRED)",
                _ => "",
            }
        ),
        if short && rv.summary.deposit_balance > 0 {
            theme.warn
        } else {
            theme.base
        },
    );
    doc.field(
        "fee, agreement",
        format!(
            "fee paid {} of {}, agreement {}",
            fmt.money(rv.summary.fee_paid),
            fmt.money(d.platform_fee_minor),
            if d.agreement_signed {
                "signed"
            } else {
                "not signed"
            }
        ),
    );
    doc.field(
        "settlement",
        format!(
            "open balance {} ($ shows the statements)",
            fmt.money(rv.open_balance)
        ),
    );
    doc.field(
        "round",
        format!("{} (resubmissions: {})", rv.summary.round, rv.summary.round - 1),
    );
    if rv.summary.unsent_notices > 0 {
        doc.field(
            "notices",
            format!("{} unsent (N opens the outbox)", rv.summary.unsent_notices),
        );
    }
    match &rv.bad_records {
        None => doc.field_styled("bad records", "checking…", theme.dim),
        Some(b) if b.is_empty() => doc.field("bad records", "none"),
        Some(b) => {
            for r in b {
                doc.field_styled(
                    "FLAGGED",
                    format!("the {} matches {} merchant {}", r.matched, r.status, r.code),
                    theme.error,
                );
            }
        }
    }
    doc.field("applied", fmt.time(&d.applied_at));
    if let Some(t) = &d.decided_at {
        doc.field("decided", fmt.time(t));
    }
    doc.section("Company");
    doc.field("legal name", &d.legal_name);
    doc.field("contact", format!("{} {}", d.contact_name, fmt.phone(&d.phone)));
    doc.field("email", fmt.pii().email(&d.email));
    doc.field("address", format!("{} {}", d.city, fmt.address(&d.address)));
    doc.field("licence no", &d.license_no);
    doc.field("tax id", &d.tax_id);
    doc.field("categories", &d.requested_categories);
    if !rv.summary.changes.is_empty() {
        doc.section(&format!("Changed since round {}", rv.summary.round - 1));
        for c in &rv.summary.changes {
            doc.para(c);
        }
    }
    doc.section("Documents");
    let missing = rv
        .summary
        .required
        .iter()
        .filter(|k| !d.documents.iter().any(|x| &x.kind == *k))
        .map(|k| {
            vec![
                k.replace('_', " "),
                "MISSING".to_string(),
                String::new(),
                "required".to_string(),
                String::new(),
            ]
        });
    let rows = missing
        .chain(d.documents.iter().map(|x| {
            vec![
                x.kind.replace('_', " "),
                x.check_status.to_string(),
                x.expires_on.clone().unwrap_or_default(),
                x.expires_on.as_deref().map(|e| fmt.expiry(e)).unwrap_or_default(),
                x.number.clone(),
            ]
        }))
        .collect();
    doc.table(
        &[
            ("kind", 26, false),
            ("status", 8, false),
            ("expires", 10, false),
            ("", 16, false),
            ("number", 10, false),
        ],
        rows,
    );
    doc.section("Deposit and fee ledger");
    let rows = rv
        .summary
        .ledger
        .iter()
        .map(|e| {
            vec![
                fmt.time(&e.created_at),
                e.account.clone(),
                e.kind.replace('_', "-"),
                fmt.money(e.amount_minor),
                e.note.clone(),
            ]
        })
        .collect();
    doc.table(
        &[
            ("when", 16, false),
            ("account", 7, false),
            ("entry", 9, false),
            ("amount", 12, true),
            ("note", 10, false),
        ],
        rows,
    );
    doc.section("Violations");
    let rows = d
        .violations
        .iter()
        .map(|v| {
            vec![
                fmt.time(&v.created_at),
                v.severity.clone(),
                v.points.to_string(),
                fmt.money(v.deduction_minor),
                format!("{} {}", v.kind, v.note),
            ]
        })
        .collect();
    doc.table(
        &[
            ("when", 16, false),
            ("severity", 8, false),
            ("pts", 3, true),
            ("deducted", 10, true),
            ("what", 10, false),
        ],
        rows,
    );
    doc.lines
}

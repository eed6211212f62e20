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
    fn chips(&self, conn: &Connection, _fmt: &Fmt) -> Result<Vec<Chip>> {
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
        Ok(store::detail(conn, id)?.map(|d| Box::new(MerchantDetail(d)) as Box<dyn Detail>))
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

/// A merchant's detail view; its GMV arrives from the background reader.
struct MerchantDetail(store::Detail);

impl Detail for MerchantDetail {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn version(&self) -> Option<i64> {
        Some(self.0.row.version)
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        detail_lines(&self.0, fmt, width, theme)
    }

    fn later(&self) -> Option<Later> {
        Some(Later {
            what: "GMV",
            run: |conn, id| Ok(Box::new(store::gmv(conn, id)?)),
        })
    }

    fn fill(&mut self, value: Box<dyn Any + Send>) {
        if let Ok(g) = value.downcast::<i64>() {
            self.0.gmv_minor = Some(*g);
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
    Column::new("review due", 15, 15).wide(34).priority(70),
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
            Cell::new(fmt.due(due))
                .or_long(format!("{} ({})", fmt.time(due), fmt.due(due)))
                .tone(tone)
        }
        _ => Cell::new("").tone(Tone::Dim),
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

fn detail_lines(d: &store::Detail, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
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
    doc.field("cooperation", &r.cooperation_mode);
    doc.field("credit score", r.credit_score.to_string());
    doc.field("violation pts", d.violation_points.to_string());
    doc.field("products", d.products.to_string());
    doc.field(
        "GMV (paid)",
        d.gmv_minor
            .map_or_else(|| "computing…".to_string(), |g| fmt.money(g)),
    );
    doc.field(
        "commission",
        d.commission_bp
            .map(format_bp)
            .unwrap_or_else(|| "category / shop default".into()),
    );
    doc.field(
        "deposit",
        format!(
            "{} ({}), agreement {}",
            fmt.money(d.deposit_minor),
            if d.deposit_paid { "paid" } else { "not paid" },
            if d.agreement_signed {
                "signed"
            } else {
                "not signed"
            }
        ),
    );
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
    doc.section("Documents");
    let rows = d
        .documents
        .iter()
        .map(|x| {
            vec![
                x.kind.replace('_', " "),
                x.check_status.to_string(),
                x.expires_on.clone().unwrap_or_default(),
                x.expires_on.as_deref().map(|e| fmt.expiry(e)).unwrap_or_default(),
                x.number.clone(),
            ]
        })
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

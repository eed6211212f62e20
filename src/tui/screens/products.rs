//! Products: catalog, listing status and stock.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Detail, Screen};
use crate::Result;
use crate::domain::product::{ProductStatus, available, is_low_stock};
use crate::ops::verbs::Entity;
use crate::store::lists::products::{self as store, Row};
use crate::store::lists::{Page, ProductQueue, Query, Resolution, Seek, SortKey, Status, StatusFilter};
use crate::tui::app::Chip;
use crate::tui::fmt::Fmt;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

/// The Products screen.
pub struct Products;

impl Screen for Products {
    fn title(&self) -> &'static str {
        "Products"
    }

    fn context(&self) -> Context {
        Context::Products
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
        ProductStatus::ALL.into_iter().map(Status::Product).collect()
    }

    fn status_words(&self) -> Vec<String> {
        ProductStatus::ALL
            .into_iter()
            .map(|s| status_short(s).to_string())
            .collect()
    }

    /// After the statuses: low stock (the restock list) and the ABC classes.
    fn chips(&self, conn: &Connection, _fmt: &Fmt) -> Result<Vec<Chip>> {
        let mut chips = super::status_chips(conn, self.entity(), &self.statuses())?;
        let queues = [
            ProductQueue::LowStock,
            ProductQueue::Abc('A'),
            ProductQueue::Abc('B'),
            ProductQueue::Abc('C'),
        ];
        for q in queues {
            chips.push(Chip {
                status: Some(StatusFilter::Products(q)),
                label: q.label(),
                n: store::queue_count(conn, q)?,
            });
        }
        Ok(chips)
    }

    fn text_hint(&self) -> &'static str {
        "SKU, title or description (耳机 works)"
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
        // The checklist as the data is now, and the restock lead time.
        let (checklist, lead_days) = crate::ops::products::review_facts(conn, id)?;
        let history = crate::ops::history::of(conn, store::ENTITY, id, HISTORY_ROWS)?;
        Ok(Some(Box::new(ProductDetail {
            d,
            checklist,
            lead_days,
            history,
        })))
    }

    fn verb_entity(&self) -> Option<Entity> {
        Some(Entity::Product)
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

/// The newest audit rows a product's detail shows.
const HISTORY_ROWS: usize = 50;

struct ProductDetail {
    d: store::Detail,
    /// Failing items of the listing checklist (empty: it passes, or listed).
    checklist: Vec<String>,
    lead_days: i64,
    /// Who changed what and why (reviews, delistings, edits, stock, schedules).
    history: Vec<crate::ops::history::Row>,
}

impl Detail for ProductDetail {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn version(&self) -> Option<i64> {
        Some(self.d.row.version)
    }

    fn lines(&self, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
        detail_lines(self, fmt, width, theme)
    }
}

/// The status word in a list cell, shortened to fit at 80 columns.
fn status_short(s: ProductStatus) -> &'static str {
    match s {
        ProductStatus::PendingReview => "in review",
        s => s.label(),
    }
}

/// At 80 columns: sku, title, merchant, price, available, status, LOW; on
/// hand, reserved and the category path come in as the width allows.
pub const COLUMNS: &[Column] = &[
    Column::new("sku", 11, 11).priority(95),
    Column::new("title", 20, 30).wide(50).grow().priority(85),
    Column::new("merchant", 12, 16).wide(32).priority(40),
    Column::new("category", 12, 22).wide(40).priority(20),
    Column::new("price", 10, 10).right().priority(70),
    Column::new("have", 5, 5).right().priority(30),
    Column::new("rsvd", 5, 5).right().priority(25),
    Column::new("avail", 5, 5).right().priority(80),
    Column::new("status", 9, 14).priority(90),
    Column::new("low", 3, 3).priority(75),
    Column::new("abc", 3, 3).priority(35),
];

fn status_tone(s: ProductStatus) -> Tone {
    match s {
        ProductStatus::Listed => Tone::Good,
        ProductStatus::Rejected | ProductStatus::Delisted => Tone::Dim,
        s if s.awaits_review() => Tone::Warn,
        _ => Tone::Normal,
    }
}

fn cells(r: &Row, fmt: &Fmt) -> Vec<Cell> {
    let avail = available(r.on_hand, r.reserved);
    let low = is_low_stock(avail, r.low_stock_threshold);
    vec![
        Cell::new(&r.sku),
        Cell::new(&r.title),
        Cell::new(&r.merchant_name),
        Cell::new(r.category_path.as_deref().unwrap_or("—")),
        Cell::new(fmt.money(r.price_minor)),
        Cell::new(r.on_hand.to_string()),
        Cell::new(r.reserved.to_string()),
        Cell::new(avail.to_string()).tone(if low { Tone::Warn } else { Tone::Normal }),
        Cell::new(status_short(r.status))
            .or_long(r.status.label())
            .tone(status_tone(r.status)),
        if low {
            Cell::new("LOW").tone(Tone::Warn)
        } else {
            Cell::new("")
        },
        Cell::new(r.abc.as_deref().unwrap_or("")),
    ]
}

fn export(
    conn: &Connection,
    _fmt: &Fmt,
    q: &Query,
    w: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<u64> {
    w([
        "id",
        "merchant_code",
        "sku",
        "title",
        "category",
        "price",
        "stock_on_hand",
        "stock_reserved",
        "available",
        "low_stock_threshold",
        "status",
    ]
    .map(String::from)
    .to_vec())?;
    store::stream(conn, q, &mut |r: Row| {
        w(vec![
            r.id.to_string(),
            r.merchant_code,
            r.sku,
            r.title,
            r.category_path.unwrap_or_default(),
            crate::domain::money::Money(r.price_minor).plain(),
            r.on_hand.to_string(),
            r.reserved.to_string(),
            available(r.on_hand, r.reserved).to_string(),
            r.low_stock_threshold.to_string(),
            r.status.to_string(),
        ])
    })
}

fn detail_lines(pd: &ProductDetail, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    use crate::domain::product::{margin, restock_quantity};
    let d = &pd.d;
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!("Product {} — {}", r.sku, r.title));
    doc.field("status", r.status.label());
    if d.hidden {
        doc.field_styled(
            "hidden",
            "not sellable while the merchant is suspended",
            theme.warn,
        );
    }
    if let Some(x) = d
        .delist_reason
        .as_ref()
        .filter(|_| r.status == ProductStatus::Delisted)
    {
        doc.field("delist reason", x.replace('_', " "));
    }
    if let Some(x) = &d.reject_reason {
        doc.field("reject reason", x);
    }
    if !pd.checklist.is_empty() {
        doc.field_styled(
            "checklist",
            format!("fails: {}", pd.checklist.join("; ")),
            theme.warn,
        );
    } else if r.status.awaits_review() {
        doc.field("checklist", "passes");
    }
    doc.field("merchant", format!("{} {}", r.merchant_code, r.merchant_name));
    doc.field("category", r.category_path.as_deref().unwrap_or("—"));
    doc.field("price", fmt.money(r.price_minor));
    if let Some(c) = d.cost_minor {
        let m = margin(r.price_minor, Some(c)).unwrap_or(0);
        doc.field("cost · margin", format!("{} · {}", fmt.money(c), fmt.money(m)));
    }
    let avail = available(r.on_hand, r.reserved);
    let low = is_low_stock(avail, r.low_stock_threshold);
    doc.field_styled(
        "stock",
        format!(
            "{} on hand, {} reserved, {} available (low at {}){}",
            r.on_hand,
            r.reserved,
            avail,
            r.low_stock_threshold,
            if low { " — LOW STOCK" } else { "" }
        ),
        if low { theme.warn } else { theme.base },
    );
    if let Some(u30) = d.units_30d {
        let mut sales = format!("{u30} units in 30 days, {} in 90", d.units_90d.unwrap_or(0));
        if let Some(c) = &r.abc {
            sales.push_str(&format!(" · class {c}"));
        }
        if let Some(t) = &d.last_sold_at {
            sales.push_str(&format!(" · last sale {}", fmt.time(t)));
        }
        doc.field("sales", sales);
        if low {
            doc.field_styled(
                "restock",
                format!(
                    "suggest {} (lead time {} days)",
                    restock_quantity(u30, pd.lead_days, avail),
                    pd.lead_days
                ),
                theme.warn,
            );
        }
    }
    let brand = match (&d.brand, d.branded) {
        (Some(b), true) => format!("{b} (branded)"),
        (Some(b), false) => b.clone(),
        (None, true) => "— (branded)".to_string(),
        (None, false) => "—".to_string(),
    };
    doc.field("brand", brand);
    if !d.model.is_empty() {
        doc.field("model", &d.model);
    }
    doc.field("origin", &d.origin);
    doc.field("spec", &d.spec);
    doc.field("warranty", format!("{} months", d.warranty_months));
    doc.field("after-sales", &d.after_sales);
    if let Some(t) = &d.list_at {
        let approved = if d.approved_at.is_some() {
            "approved"
        } else {
            "needs approval"
        };
        doc.field("list at", format!("{} ({approved})", fmt.time(t)));
    }
    if let Some(t) = &d.delist_at {
        let why = d.delist_reason.as_deref().unwrap_or("other").replace('_', " ");
        doc.field("delist at", format!("{} ({why})", fmt.time(t)));
    }
    doc.field("created", fmt.time(&d.created_at));
    doc.field("updated", fmt.time(&d.updated_at));
    doc.section("Description");
    doc.para(&d.description);
    doc.section("Stock movements (newest first)");
    let rows = d
        .movements
        .iter()
        .map(|m| {
            let why = match (&m.order_external_id, m.ticket_id) {
                (Some(o), _) => format!("order {o} {}", m.note),
                (None, Some(t)) => format!("ticket #{t} {}", m.note),
                _ => m.note.clone(),
            };
            vec![
                fmt.time(&m.created_at),
                m.kind.clone(),
                format!("{:+}", m.on_hand_delta),
                format!("{:+}", m.reserved_delta),
                m.actor.clone(),
                why,
            ]
        })
        .collect();
    doc.table(
        &[
            ("when", 16, false),
            ("kind", 7, false),
            ("on hand", 7, true),
            ("rsvd", 5, true),
            ("by", 10, false),
            ("why", 10, false),
        ],
        rows,
    );
    super::history::section(&mut doc, &pd.history, fmt, theme);
    doc.lines
}

//! Products: catalog, listing status and stock.

use crate::store::lists::Conn as Connection;
use ratatui::text::Line;

use super::doc::Doc;
use super::{Tab, status_label, status_short};
use crate::Result;
use crate::domain::product::{available, is_low_stock};
use crate::store::lists::products::{self as store, Detail, Row};
use crate::store::lists::{Page, Query, Seek};
use crate::tui::fmt::Fmt;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Cell, Column, TableRow, Tone};

pub const COLUMNS: &[Column] = &[
    Column::new("sku", 9, 16).keep(),
    Column::new("title", 12, 40).grow(),
    Column::new("merchant", 6, 14),
    Column::new("category", 6, 22).optional(),
    Column::new("price", 9, 12).right(),
    Column::new("have", 4, 7).right().optional(),
    Column::new("rsvd", 4, 6).right().optional(),
    Column::new("avail", 5, 6).right(),
    Column::new("status", 8, 14).keep(),
    Column::new("low", 3, 3),
];

fn status_tone(s: &str) -> Tone {
    match s {
        "listed" => Tone::Good,
        "rejected" | "delisted" => Tone::Dim,
        "pending_review" => Tone::Warn,
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
        Cell::new(status_short(Tab::Products, &r.status)).tone(status_tone(&r.status)),
        if low {
            Cell::new("LOW").tone(Tone::Warn)
        } else {
            Cell::new("")
        },
    ]
}

pub fn fetch(conn: &Connection, fmt: &Fmt, q: &Query, seek: &Seek, limit: usize) -> Result<Page<TableRow>> {
    let page = store::page(conn, q, seek, limit)?;
    Ok(super::table_rows(page, |r| (r.id, None), |r| cells(r, fmt)))
}

pub fn export(
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
            r.status,
        ])
    })
}

pub fn detail_lines(d: &Detail, fmt: &Fmt, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut doc = Doc::new(width, theme);
    let r = &d.row;
    doc.title(&format!("Product {} — {}", r.sku, r.title));
    doc.field("status", status_label(Tab::Products, &r.status));
    if let Some(x) = &d.delist_reason {
        doc.field("delist reason", x.replace('_', " "));
    }
    if let Some(x) = &d.reject_reason {
        doc.field("reject reason", x);
    }
    doc.field("merchant", format!("{} {}", r.merchant_code, r.merchant_name));
    doc.field("category", r.category_path.as_deref().unwrap_or("—"));
    doc.field("price", fmt.money(r.price_minor));
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
    if let Some(b) = &d.brand {
        doc.field("brand", b);
    }
    doc.field("origin", &d.origin);
    doc.field("spec", &d.spec);
    if let Some(t) = &d.list_at {
        doc.field("list at", fmt.time(t));
    }
    if let Some(t) = &d.delist_at {
        doc.field("delist at", fmt.time(t));
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
    doc.lines
}

//! The catalog: products with merchant, category and stock.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{Filter, Page, Paged, Query, Seek, SortKey};
use crate::Result;
use crate::domain::product::ProductStatus;

pub const ENTITY: &str = "product";

pub const SORT_KEYS: &[SortKey] = &[
    SortKey {
        name: "newest",
        expr: "p.id",
        nullable: false,
        desc: true,
        index: "",
        status_index: Some("products_status"),
    },
    SortKey {
        name: "sku",
        expr: "p.sku",
        nullable: false,
        desc: false,
        index: "products_sku",
        status_index: None,
    },
    SortKey {
        name: "title",
        expr: "p.title",
        nullable: false,
        desc: false,
        index: "products_title",
        status_index: None,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub sku: String,
    pub title: String,
    pub merchant_code: String,
    pub merchant_name: String,
    pub category_path: Option<String>,
    pub price_minor: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
    pub status: ProductStatus,
}

const COLS: &str = "p.id, p.sku, p.title, m.code, m.name, c.path, p.price_minor, p.stock_on_hand, \
     p.stock_reserved, p.low_stock_threshold, p.status";
const JOINS: &str =
    "FROM products p JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        sku: r.get(1)?,
        title: r.get(2)?,
        merchant_code: r.get(3)?,
        merchant_name: r.get(4)?,
        category_path: r.get(5)?,
        price_minor: r.get(6)?,
        on_hand: r.get(7)?,
        reserved: r.get(8)?,
        low_stock_threshold: r.get(9)?,
        status: crate::store::enums::get(r, 10, "products")?,
    })
}

/// An FTS5 phrase: the term in double quotes, inner quotes doubled.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Each whitespace-separated term must match SKU, title or description.
/// Terms of 3+ characters use the trigram index (`products_fts MATCH`);
/// shorter ones (耳机) test the title as a substring.
fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    f.status(q, ENTITY, "p.status");
    if let Some(t) = q.text() {
        f.text = true;
        let (long, short): (Vec<&str>, Vec<&str>) =
            t.split_whitespace().partition(|w| w.chars().count() >= 3);
        if !long.is_empty() {
            let m = long
                .iter()
                .map(|w| fts_phrase(w))
                .collect::<Vec<_>>()
                .join(" AND ");
            f.push(
                "p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)",
                [Value::Text(m)],
            );
        }
        for w in short {
            if w.chars().any(|c| c.is_ascii_alphabetic()) {
                f.push("p.title LIKE ? ESCAPE '\\'", [super::like_pattern(w)]);
            } else {
                // No letters to fold (耳机, 12): a plain substring test,
                // a third cheaper than LIKE over 100,000 titles.
                f.push("instr(p.title, ?) > 0", [Value::Text(w.to_string())]);
            }
        }
    }
    f
}

const TABLE: super::Table = super::Table {
    cols: COLS,
    from: JOINS,
    id_expr: "p.id",
    sort_keys: SORT_KEYS,
};

pub fn page(conn: &Connection, q: &Query, seek: &Seek, limit: usize) -> Result<Page<Paged<Row>>> {
    let f = filter(q);
    super::page_for(conn, &TABLE.view(q, &f), q, seek, limit, map)
}

/// The count and, for a selective text filter, the matching ids. Short
/// terms scan the title index (covering, so no table reads) once here;
/// pages then read only the matching rows.
pub fn resolve(conn: &Connection, q: &Query) -> Result<super::Resolution> {
    let short = q
        .text()
        .is_some_and(|t| t.split_whitespace().any(|w| w.chars().count() < 3));
    let from = if short && q.status.is_none() {
        "FROM products p INDEXED BY products_title"
    } else {
        "FROM products p"
    };
    let f = filter(q);
    super::resolve(conn, ENTITY, q, &TABLE.view(q, &f), from, q.match_cap())
}

pub fn stream(conn: &Connection, q: &Query, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64> {
    let filt = filter(q);
    super::stream(conn, &TABLE.view(q, &filt), map, f)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub kind: String,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub order_external_id: Option<String>,
    pub ticket_id: Option<i64>,
    pub note: String,
    pub actor: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub row: Row,
    pub description: String,
    pub spec: String,
    pub origin: String,
    pub brand: Option<String>,
    pub delist_reason: Option<String>,
    pub reject_reason: Option<String>,
    pub list_at: Option<String>,
    pub delist_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Newest first, at most 100.
    pub movements: Vec<Movement>,
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<Detail>> {
    let sql = format!(
        "SELECT {COLS}, 0, p.description, p.spec, p.origin, p.brand, p.delist_reason, p.reject_reason, p.list_at, p.delist_at, \
         p.created_at, p.updated_at {JOINS} WHERE p.id = ?1"
    );
    let d = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            Ok(Detail {
                row: map(r)?,
                description: r.get(12)?,
                spec: r.get(13)?,
                origin: r.get(14)?,
                brand: r.get(15)?,
                delist_reason: r.get(16)?,
                reject_reason: r.get(17)?,
                list_at: r.get(18)?,
                delist_at: r.get(19)?,
                created_at: r.get(20)?,
                updated_at: r.get(21)?,
                movements: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut d) = d else { return Ok(None) };
    d.movements = crate::store::rows_of(
        conn,
        "SELECT s.kind, s.on_hand_delta, s.reserved_delta, o.external_id, s.ticket_id, s.note, s.actor, s.created_at
         FROM stock_movements s LEFT JOIN orders o ON o.id = s.order_id
         WHERE s.product_id = ?1 ORDER BY s.id DESC LIMIT 100",
        id,
        |r| {
            Ok(Movement {
                kind: r.get(0)?,
                on_hand_delta: r.get(1)?,
                reserved_delta: r.get(2)?,
                order_external_id: r.get(3)?,
                ticket_id: r.get(4)?,
                note: r.get(5)?,
                actor: r.get(6)?,
                created_at: r.get(7)?,
            })
        },
    )?;
    Ok(Some(d))
}

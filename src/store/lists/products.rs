//! The catalog: products with merchant, category and stock.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{Count, Filter, Page, Paged, ProductQueue, Query, Seek, SortKey, StatusFilter};
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
    pub version: i64,
    /// The stored ABC class, once the sales figures were computed.
    pub abc: Option<String>,
}

const COLS: &str = "p.id, p.sku, p.title, m.code, m.name, c.path, p.price_minor, p.stock_on_hand, \
     p.stock_reserved, p.low_stock_threshold, p.status, p.version, st.abc";
const JOINS: &str = "FROM products p JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id \
     LEFT JOIN product_stats st ON st.product_id = p.id";
/// Where the detail's extra columns start (after COLS).
const DETAIL_AT: usize = 13;

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
        version: r.get(11)?,
        abc: r.get(12)?,
    })
}

/// A product queue's condition, parameters and the index that serves it in
/// id order (a low-stock page reads the partial index `products_low`
/// alone; an ABC class probes `product_stats` by id).
fn queue_cond(pq: ProductQueue) -> (String, Vec<Value>, &'static str) {
    match pq {
        ProductQueue::LowStock => (
            "p.stock_on_hand - p.stock_reserved - p.low_stock_threshold <= 0 AND p.status NOT IN ('delisted', 'rejected')"
                .into(),
            Vec::new(),
            "products_low",
        ),
        ProductQueue::Abc(c) => (
            // Per row a primary-key probe: a page walking ids stops after
            // its rows instead of first listing a whole class.
            "EXISTS (SELECT 1 FROM product_stats s WHERE s.product_id = p.id AND s.abc = ?)".into(),
            vec![Value::Text(c.to_string())],
            "",
        ),
    }
}

/// How many products a queue holds (through its index alone).
pub fn queue_count(conn: &Connection, pq: ProductQueue) -> Result<u64> {
    let n: i64 = match pq {
        ProductQueue::LowStock => conn
            .prepare_cached(
                "SELECT count(*) FROM products INDEXED BY products_low
                 WHERE stock_on_hand - stock_reserved - low_stock_threshold <= 0 AND status NOT IN ('delisted', 'rejected')",
            )?
            .query_row([], |r| r.get(0))?,
        // Kept with the figures when they are computed: a count of a
        // class would read a third of the products at every picker.
        ProductQueue::Abc(c) => conn
            .prepare_cached(
                "SELECT CASE ?1 WHEN 'A' THEN abc_a WHEN 'B' THEN abc_b ELSE abc_c END
                 FROM inventory_settings WHERE id = 1",
            )?
            .query_row([c.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(0),
    };
    Ok(n.max(0) as u64)
}

/// An FTS5 phrase: the term in double quotes, inner quotes doubled.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Each whitespace-separated term must match SKU, title or description.
/// Terms of 3+ characters use the trigram index (`products_fts MATCH`);
/// two-character ones (耳机) match the title through `products_bigrams`
/// (one key range), one-character ones test the title as a substring.
fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    match &q.status {
        Some(StatusFilter::Products(pq)) => {
            let (cond, params, index) = queue_cond(*pq);
            f.status = true;
            f.status_index = Some(index);
            f.push(cond, params);
        }
        _ => f.status(q, ENTITY, "p.status"),
    }
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
            if w.chars().count() == 2 {
                // Folded as the table is (ASCII lower case, as LIKE does).
                f.push(
                    "p.id IN (SELECT product_id FROM products_bigrams WHERE bigram = lower(?))",
                    [Value::Text(w.to_string())],
                );
            } else if w.chars().any(|c| c.is_ascii_alphabetic()) {
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

/// The count and, for a selective text filter, the matching ids. A
/// one-character term scans the title index (covering, so no table reads)
/// once here; pages then read only the matching rows.
pub fn resolve(conn: &Connection, q: &Query) -> Result<super::Resolution> {
    let short = q
        .text()
        .is_some_and(|t| t.split_whitespace().any(|w| w.chars().count() < 2));
    let from = if short && q.status.is_none() {
        "FROM products p INDEXED BY products_title"
    } else {
        "FROM products p"
    };
    if q.text().is_none()
        && let Some(StatusFilter::Products(pq)) = &q.status
    {
        let n = queue_count(conn, *pq)?;
        return Ok((Count { n, capped: false }, None));
    }
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
    pub model: String,
    pub branded: bool,
    pub cost_minor: Option<i64>,
    pub warranty_months: i64,
    pub after_sales: String,
    pub approved_at: Option<String>,
    /// A merchant's suspension hid it.
    pub hidden: bool,
    /// Stored 30- and 90-day units and the last sale, once computed.
    pub units_30d: Option<i64>,
    pub units_90d: Option<i64>,
    pub last_sold_at: Option<String>,
    /// Newest first, at most 100.
    pub movements: Vec<Movement>,
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<Detail>> {
    let sql = format!(
        "SELECT {COLS}, p.description, p.spec, p.origin, p.brand, p.delist_reason, p.reject_reason, p.list_at, p.delist_at, \
         p.created_at, p.updated_at, p.model, p.branded, p.cost_minor, p.warranty_months, p.after_sales, p.approved_at, \
         EXISTS (SELECT 1 FROM merchant_hidden_products h WHERE h.product_id = p.id), st.units_30d, st.units_90d, \
         st.last_sold_at {JOINS} WHERE p.id = ?1"
    );
    let d = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            let at = DETAIL_AT;
            Ok(Detail {
                row: map(r)?,
                description: r.get(at)?,
                spec: r.get(at + 1)?,
                origin: r.get(at + 2)?,
                brand: r.get(at + 3)?,
                delist_reason: r.get(at + 4)?,
                reject_reason: r.get(at + 5)?,
                list_at: r.get(at + 6)?,
                delist_at: r.get(at + 7)?,
                created_at: r.get(at + 8)?,
                updated_at: r.get(at + 9)?,
                model: r.get(at + 10)?,
                branded: r.get(at + 11)?,
                cost_minor: r.get(at + 12)?,
                warranty_months: r.get(at + 13)?,
                after_sales: r.get(at + 14)?,
                approved_at: r.get(at + 15)?,
                hidden: r.get(at + 16)?,
                units_30d: r.get(at + 17)?,
                units_90d: r.get(at + 18)?,
                last_sold_at: r.get(at + 19)?,
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

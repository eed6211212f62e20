//! Products: the SQL behind the listing and inventory workflows
//! (`ops::products`): the row as the workflows load and save it, what the
//! listing checklist reads, categories by path, the scheduled times that
//! are due, and (in `reports`) the delistings, restock, ABC, slow mover and
//! turnover figures, and (in `sales`) the trigger-kept sales rollup.

mod reports;
pub mod sales;

pub use reports::*;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One `products` row as the workflows load and write it back (and as the
/// audit log's before/after JSON: the keys are the columns).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Product {
    pub id: i64,
    pub merchant_id: i64,
    pub category_id: Option<i64>,
    pub sku: String,
    pub title: String,
    pub description: String,
    pub spec: String,
    pub origin: String,
    pub model: String,
    pub brand: Option<String>,
    pub branded: bool,
    pub price_minor: i64,
    pub cost_minor: Option<i64>,
    pub warranty_months: i64,
    pub after_sales: String,
    pub low_stock_threshold: i64,
    pub status: String,
    pub delist_reason: Option<String>,
    pub reject_reason: Option<String>,
    pub list_at: Option<String>,
    pub delist_at: Option<String>,
    pub approved_at: Option<String>,
    /// Stock moves through `store::stock` (the ledger), never through `update`.
    pub stock_on_hand: i64,
    pub stock_reserved: i64,
    pub updated_at: String,
    pub version: i64,
    /// What a verb did beside the row (a stock movement, a notice), for the
    /// audit image only; never a column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<serde_json::Value>,
}

const COLUMNS: &str = "id, merchant_id, category_id, sku, title, description, spec, origin, model, brand,
    branded, price_minor, cost_minor, warranty_months, after_sales, low_stock_threshold, status,
    delist_reason, reject_reason, list_at, delist_at, approved_at, stock_on_hand, stock_reserved,
    updated_at, version";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        category_id: r.get(2)?,
        sku: r.get(3)?,
        title: r.get(4)?,
        description: r.get(5)?,
        spec: r.get(6)?,
        origin: r.get(7)?,
        model: r.get(8)?,
        brand: r.get(9)?,
        branded: r.get(10)?,
        price_minor: r.get(11)?,
        cost_minor: r.get(12)?,
        warranty_months: r.get(13)?,
        after_sales: r.get(14)?,
        low_stock_threshold: r.get(15)?,
        status: r.get(16)?,
        delist_reason: r.get(17)?,
        reject_reason: r.get(18)?,
        list_at: r.get(19)?,
        delist_at: r.get(20)?,
        approved_at: r.get(21)?,
        stock_on_hand: r.get(22)?,
        stock_reserved: r.get(23)?,
        updated_at: r.get(24)?,
        version: r.get(25)?,
        change: None,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Product>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM products WHERE id = ?1"))?
        .query_row([id], map)
        .optional()?)
}

/// Writes every column a workflow edits if the row is still at
/// `expected_version`; false when it moved on. Stock is not among them.
pub fn update(conn: &Connection, p: &Product, expected_version: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE products SET category_id = ?1, title = ?2, description = ?3, spec = ?4, origin = ?5,
                model = ?6, brand = ?7, branded = ?8, price_minor = ?9, cost_minor = ?10,
                warranty_months = ?11, after_sales = ?12, low_stock_threshold = ?13, status = ?14,
                delist_reason = ?15, reject_reason = ?16, list_at = ?17, delist_at = ?18,
                approved_at = ?19, updated_at = ?20, version = version + 1
             WHERE id = ?21 AND version = ?22",
        )?
        .execute(params![
            p.category_id,
            p.title,
            p.description,
            p.spec,
            p.origin,
            p.model,
            p.brand,
            p.branded,
            p.price_minor,
            p.cost_minor,
            p.warranty_months,
            p.after_sales,
            p.low_stock_threshold,
            p.status,
            p.delist_reason,
            p.reject_reason,
            p.list_at,
            p.delist_at,
            p.approved_at,
            p.updated_at,
            p.id,
            expected_version
        ])?;
    Ok(n == 1)
}

/// The product `sku` of merchant `code`.
pub fn id_by_key(conn: &Connection, code: &str, sku: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.id FROM products p JOIN merchants m ON m.id = p.merchant_id
             WHERE m.code = ?1 AND p.sku = ?2",
        )?
        .query_row([code, sku], |r| r.get(0))
        .optional()?)
}

/// "M10004:SKU-1" and the title: how people name a product.
pub fn key_of(conn: &Connection, id: i64) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.code || ':' || p.sku, p.title FROM products p JOIN merchants m ON m.id = p.merchant_id
             WHERE p.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// What the listing checklist reads beside the product row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingFacts {
    pub merchant_status: String,
    pub cooperation_mode: String,
    /// The merchant's brand authorisation document's check status, if any.
    pub brand_authorisation: Option<String>,
    pub category_exists: bool,
    /// A suspension hid this product (merchant_hidden_products).
    pub hidden: bool,
}

pub fn listing_facts(conn: &Connection, p: &Product) -> Result<ListingFacts> {
    Ok(conn
        .prepare_cached(
            "SELECT m.status, m.cooperation_mode,
                    (SELECT d.check_status FROM merchant_documents d
                     WHERE d.merchant_id = m.id AND d.kind = 'brand_authorisation'),
                    EXISTS (SELECT 1 FROM categories c WHERE c.id = ?2),
                    EXISTS (SELECT 1 FROM merchant_hidden_products h WHERE h.product_id = ?3)
             FROM merchants m WHERE m.id = ?1",
        )?
        .query_row(params![p.merchant_id, p.category_id, p.id], |r| {
            Ok(ListingFacts {
                merchant_status: r.get(0)?,
                cooperation_mode: r.get(1)?,
                brand_authorisation: r.get(2)?,
                category_exists: r.get(3)?,
                hidden: r.get(4)?,
            })
        })?)
}

pub fn category_by_path(conn: &Connection, path: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM categories WHERE path = ?1")?
        .query_row([path], |r| r.get(0))
        .optional()?)
}

pub fn category_path(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT path FROM categories WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Products whose scheduled listing time has come and that are approved
/// and waiting for it (still pending review with an approval).
pub fn due_listings(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM products INDEXED BY products_list_at
         WHERE list_at IS NOT NULL AND list_at <= ?1 AND status = 'pending_review' AND approved_at IS NOT NULL
         ORDER BY list_at, id",
    )?;
    let rows = st.query_map([now], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Listed products whose scheduled delisting time has come.
pub fn due_delistings(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM products INDEXED BY products_delist_at
         WHERE delist_at IS NOT NULL AND delist_at <= ?1 AND status = 'listed'
         ORDER BY delist_at, id",
    )?;
    let rows = st.query_map([now], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The restock lead time in days (a setting, default 7).
pub fn restock_lead_days(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT restock_lead_days FROM inventory_settings WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(7))
}

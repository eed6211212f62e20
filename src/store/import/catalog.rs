//! Merchants, categories and products, as imports write and compare them.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// A merchant in the terms of merchants.csv (also what comparisons read back).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MerchantRow {
    pub code: String,
    pub name: String,
    pub legal_name: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub license_no: String,
    pub tax_id: String,
    pub cooperation_mode: String,
    pub commission_bp: Option<i64>,
    pub status: String,
    pub applied_at: String,
}

/// What a new merchant row needs beyond the file's columns.
#[derive(Debug, Clone, Default)]
pub struct MerchantExtra<'a> {
    pub status_reason: Option<&'a str>,
    pub deposit_paid: bool,
    pub agreement_signed: bool,
    pub review_due_at: Option<&'a str>,
    pub now: &'a str,
}

pub fn insert_merchant(conn: &Connection, m: &MerchantRow, x: &MerchantExtra<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merchants (code, name, legal_name, contact_name, phone, email, address, city, license_no,
            tax_id, cooperation_mode, commission_bp, status, status_reason, deposit_paid, agreement_signed,
            applied_at, review_due_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19)",
    )?
    .execute(params![
        m.code,
        m.name,
        m.legal_name,
        m.contact_name,
        m.phone,
        m.email,
        m.address,
        m.city,
        m.license_no,
        m.tax_id,
        m.cooperation_mode,
        m.commission_bp,
        m.status,
        x.status_reason,
        x.deposit_paid,
        x.agreement_signed,
        m.applied_at,
        x.review_due_at,
        x.now,
    ])?;
    Ok(conn.last_insert_rowid())
}

const MERCHANT_COLUMNS: &str =
    "code, name, legal_name, contact_name, phone, email, address, city, license_no,
    tax_id, cooperation_mode, commission_bp, status, applied_at";

pub(super) fn map_merchant(r: &rusqlite::Row<'_>) -> rusqlite::Result<MerchantRow> {
    Ok(MerchantRow {
        code: r.get(0)?,
        name: r.get(1)?,
        legal_name: r.get(2)?,
        contact_name: r.get(3)?,
        phone: r.get(4)?,
        email: r.get(5)?,
        address: r.get(6)?,
        city: r.get(7)?,
        license_no: r.get(8)?,
        tax_id: r.get(9)?,
        cooperation_mode: r.get(10)?,
        commission_bp: r.get(11)?,
        status: r.get(12)?,
        applied_at: r.get(13)?,
    })
}

pub fn merchant_by_code(conn: &Connection, code: &str) -> Result<Option<MerchantRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MERCHANT_COLUMNS} FROM merchants WHERE code = ?1"
        ))?
        .query_row([code], map_merchant)
        .optional()?)
}

pub fn category_by_path(conn: &Connection, path: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM categories WHERE path = ?1")?
        .query_row([path], |r| r.get(0))
        .optional()?)
}

pub fn insert_category(conn: &Connection, parent_id: Option<i64>, name: &str, path: &str) -> Result<i64> {
    conn.prepare_cached("INSERT INTO categories (parent_id, name, path) VALUES (?1, ?2, ?3)")?
        .execute(params![parent_id, name, path])?;
    Ok(conn.last_insert_rowid())
}

/// A product in the terms of products.csv.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProductRow {
    pub merchant_code: String,
    pub sku: String,
    pub title: String,
    /// The category path, "" when none.
    pub category: String,
    pub price_minor: i64,
    pub stock: i64,
    pub low_stock_threshold: i64,
    pub status: String,
    pub description: String,
    pub model: String,
    pub brand: Option<String>,
    pub branded: bool,
    pub cost_minor: Option<i64>,
    pub warranty_months: i64,
}

/// Inserts a product with no stock (stock arrives as a `receive` movement).
pub fn insert_product(
    conn: &Connection,
    merchant_id: i64,
    category_id: Option<i64>,
    p: &ProductRow,
    delist_reason: Option<&str>,
    now: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO products (merchant_id, category_id, sku, title, description, price_minor,
            low_stock_threshold, status, delist_reason, created_at, updated_at, model, brand, branded,
            cost_minor, warranty_months)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        merchant_id,
        category_id,
        p.sku,
        p.title,
        p.description,
        p.price_minor,
        p.low_stock_threshold,
        p.status,
        delist_reason,
        now,
        p.model,
        p.brand,
        p.branded,
        p.cost_minor,
        p.warranty_months
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(super) const PRODUCT_SELECT: &str = "SELECT m.code, p.sku, p.title, coalesce(c.path, ''), p.price_minor,
        p.stock_on_hand, p.low_stock_threshold, p.status, p.description, p.model, p.brand,
        p.branded, p.cost_minor, p.warranty_months
    FROM products p JOIN merchants m ON m.id = p.merchant_id LEFT JOIN categories c ON c.id = p.category_id";

pub(super) fn map_product(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProductRow> {
    Ok(ProductRow {
        merchant_code: r.get(0)?,
        sku: r.get(1)?,
        title: r.get(2)?,
        category: r.get(3)?,
        price_minor: r.get(4)?,
        stock: r.get(5)?,
        low_stock_threshold: r.get(6)?,
        status: r.get(7)?,
        description: r.get(8)?,
        model: r.get(9)?,
        brand: r.get(10)?,
        branded: r.get(11)?,
        cost_minor: r.get(12)?,
        warranty_months: r.get(13)?,
    })
}

pub fn product_by_sku(conn: &Connection, merchant_id: i64, sku: &str) -> Result<Option<ProductRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "{PRODUCT_SELECT} WHERE p.merchant_id = ?1 AND p.sku = ?2"
        ))?
        .query_row(params![merchant_id, sku], map_product)
        .optional()?)
}

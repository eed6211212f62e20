//! The catalog side of the seed: staff, holidays, categories, products and
//! their stock ledger, customers, merchants with their documents and
//! violations. One row struct and one insert per table; ids are given by
//! the generator, so the file is the same for the same seed.

use rusqlite::params;

use super::Load;
use crate::Result;

pub struct Staff<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub created_at: &'a str,
}

pub struct Holiday<'a> {
    pub date: &'a str,
    pub name: &'a str,
}

pub struct Category<'a> {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub path: &'a str,
    pub commission_bp: Option<i64>,
}

/// A product with its opening stock on hand (nothing reserved yet).
pub struct Product<'a> {
    pub id: i64,
    pub merchant_id: i64,
    pub category_id: Option<i64>,
    pub sku: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub spec: &'a str,
    pub origin: &'a str,
    pub brand: Option<&'a str>,
    pub price_minor: i64,
    pub stock_on_hand: i64,
    pub low_stock_threshold: i64,
    pub status: &'a str,
    pub delist_reason: Option<&'a str>,
    pub reject_reason: Option<&'a str>,
    pub list_at: Option<&'a str>,
    pub delist_at: Option<&'a str>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

pub struct StockMovement<'a> {
    pub product_id: i64,
    pub kind: &'a str,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub note: &'a str,
    pub actor: &'a str,
    pub created_at: &'a str,
}

pub struct Customer<'a> {
    pub id: i64,
    pub external_ref: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub created_at: &'a str,
}

pub struct Merchant<'a> {
    pub id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub legal_name: &'a str,
    pub contact_name: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub license_no: &'a str,
    pub tax_id: &'a str,
    pub cooperation_mode: &'a str,
    pub requested_categories: &'a str,
    pub status: &'a str,
    pub status_reason: Option<&'a str>,
    pub commission_bp: Option<i64>,
    pub platform_fee_minor: i64,
    pub deposit_minor: i64,
    pub deposit_paid: bool,
    pub agreement_signed: bool,
    pub credit_score: i64,
    pub violation_points: i64,
    pub applied_at: &'a str,
    pub review_due_at: &'a str,
    pub decided_at: Option<&'a str>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

pub struct MerchantViolation<'a> {
    pub merchant_id: i64,
    pub kind: &'a str,
    pub severity: &'a str,
    pub points: i64,
    pub deduction_minor: i64,
    pub note: &'a str,
    pub created_at: &'a str,
    pub created_by: &'a str,
}

pub struct MerchantDocument<'a> {
    pub merchant_id: i64,
    pub kind: &'a str,
    pub number: &'a str,
    pub issuer: &'a str,
    pub expires_on: Option<&'a str>,
    pub check_status: &'a str,
    pub note: &'a str,
}

impl Load<'_> {
    /// Inserts a staff member (no audit row: a seed) and returns its id.
    pub fn staff(&self, s: &Staff<'_>) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO staff (login, display_name, role, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
            )?
            .execute(params![s.login, s.display_name, s.role, s.created_at])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A date already listed is kept as it is.
    pub fn holiday(&self, h: &Holiday<'_>) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO holidays (date, name) VALUES (?1, ?2)")?
            .execute(params![h.date, h.name])?;
        Ok(())
    }

    pub fn category(&self, c: &Category<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![c.id, c.parent_id, c.name, c.path, c.commission_bp])?;
        Ok(())
    }

    pub fn product(&self, p: &Product<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO products (id, merchant_id, category_id, sku, title, description, spec, origin, brand,
                     price_minor, stock_on_hand, stock_reserved, low_stock_threshold, status, delist_reason, reject_reason,
                     list_at, delist_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                p.id,
                p.merchant_id,
                p.category_id,
                p.sku,
                p.title,
                p.description,
                p.spec,
                p.origin,
                p.brand,
                p.price_minor,
                p.stock_on_hand,
                p.low_stock_threshold,
                p.status,
                p.delist_reason,
                p.reject_reason,
                p.list_at,
                p.delist_at,
                p.created_at,
                p.updated_at,
            ])?;
        // Inserted delisted, so the trigger on a status change never saw it:
        // its delisting is recorded here, as the delist report counts them.
        if p.status == "delisted" {
            self.conn
                .prepare_cached(
                    "INSERT INTO product_delistings (product_id, merchant_id, category_id, reason, at)
                     VALUES (?1, ?2, ?3, coalesce(?4, 'other'), ?5)",
                )?
                .execute(params![
                    p.id,
                    p.merchant_id,
                    p.category_id,
                    p.delist_reason,
                    p.updated_at
                ])?;
        }
        Ok(())
    }

    /// Sets a product's stock to what the later phases left (the ledger
    /// rows are written as they happen).
    pub fn product_stock(&self, id: i64, on_hand: i64, reserved: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE products SET stock_on_hand = ?2, stock_reserved = ?3 WHERE id = ?1")?
            .execute(params![id, on_hand, reserved])?;
        Ok(())
    }

    pub fn stock_movement(&self, m: &StockMovement<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, order_id, ticket_id,
                     note, actor, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                m.product_id,
                m.kind,
                m.on_hand_delta,
                m.reserved_delta,
                m.order_id,
                m.ticket_id,
                m.note,
                m.actor,
                m.created_at
            ])?;
        Ok(())
    }

    pub fn customer(&self, c: &Customer<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO customers (id, external_ref, name, phone, email, address, city, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                c.id,
                c.external_ref,
                c.name,
                c.phone,
                c.email,
                c.address,
                c.city,
                c.created_at
            ])?;
        Ok(())
    }

    pub fn merchant(&self, m: &Merchant<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchants (id, code, name, legal_name, contact_name, phone, email, address, city,
                     license_no, tax_id, cooperation_mode, requested_categories, status, status_reason, commission_bp,
                     platform_fee_minor, deposit_minor, deposit_paid, agreement_signed, credit_score, violation_points,
                     applied_at, review_due_at, decided_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?
            .execute(params![
                m.id,
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
                m.requested_categories,
                m.status,
                m.status_reason,
                m.commission_bp,
                m.platform_fee_minor,
                m.deposit_minor,
                m.deposit_paid,
                m.agreement_signed,
                m.credit_score,
                m.violation_points,
                m.applied_at,
                m.review_due_at,
                m.decided_at,
                m.created_at,
                m.updated_at,
            ])?;
        Ok(())
    }

    /// Sets a merchant's credit score once its history is written.
    pub fn merchant_credit(&self, id: i64, score: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE merchants SET credit_score = ?2 WHERE id = ?1")?
            .execute(params![id, score])?;
        Ok(())
    }

    pub fn merchant_violation(&self, v: &MerchantViolation<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchant_violations (merchant_id, kind, severity, points, deduction_minor, note,
                     created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                v.merchant_id,
                v.kind,
                v.severity,
                v.points,
                v.deduction_minor,
                v.note,
                v.created_at,
                v.created_by
            ])?;
        Ok(())
    }

    pub fn merchant_document(&self, d: &MerchantDocument<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchant_documents (merchant_id, kind, number, issuer, expires_on, check_status, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                d.merchant_id,
                d.kind,
                d.number,
                d.issuer,
                d.expires_on,
                d.check_status,
                d.note
            ])?;
        Ok(())
    }
}

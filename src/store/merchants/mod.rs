//! Merchants, their documents, scans, deposit and fee ledger, violations,
//! rounds and the notices outbox: the SQL behind the merchant workflows
//! (`ops::merchants`). Statuses are stored text here; the workflow layer
//! parses them into the domain's types.

mod claims;
mod documents;
mod ledger;
mod notices;

pub use claims::*;
pub use documents::*;
pub use ledger::*;
pub use notices::*;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One `merchants` row, as loaded and written back by the workflows (and as
/// serialised into the audit log's before/after JSON: the keys are the
/// columns, so `check` can compare the image with the row).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Merchant {
    pub id: i64,
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
    pub requested_categories: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub commission_bp: Option<i64>,
    pub platform_fee_minor: i64,
    pub deposit_minor: i64,
    pub deposit_paid: bool,
    pub agreement_signed: bool,
    pub credit_score: i64,
    pub violation_points: i64,
    pub applied_at: String,
    pub review_due_at: Option<String>,
    pub decided_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// What a verb changed beside the row (a document, a ledger entry, a
    /// violation), for the audit image only; never a column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<serde_json::Value>,
}

const COLUMNS: &str = "id, code, name, legal_name, contact_name, phone, email, address, city, license_no,
    tax_id, cooperation_mode, requested_categories, status, status_reason, commission_bp, platform_fee_minor,
    deposit_minor, deposit_paid, agreement_signed, credit_score, violation_points, applied_at, review_due_at,
    decided_at, created_at, updated_at, version";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Merchant> {
    Ok(Merchant {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        legal_name: r.get(3)?,
        contact_name: r.get(4)?,
        phone: r.get(5)?,
        email: r.get(6)?,
        address: r.get(7)?,
        city: r.get(8)?,
        license_no: r.get(9)?,
        tax_id: r.get(10)?,
        cooperation_mode: r.get(11)?,
        requested_categories: r.get(12)?,
        status: r.get(13)?,
        status_reason: r.get(14)?,
        commission_bp: r.get(15)?,
        platform_fee_minor: r.get(16)?,
        deposit_minor: r.get(17)?,
        deposit_paid: r.get(18)?,
        agreement_signed: r.get(19)?,
        credit_score: r.get(20)?,
        violation_points: r.get(21)?,
        applied_at: r.get(22)?,
        review_due_at: r.get(23)?,
        decided_at: r.get(24)?,
        created_at: r.get(25)?,
        updated_at: r.get(26)?,
        version: r.get(27)?,
        change: None,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Merchant>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM merchants WHERE id = ?1"))?
        .query_row([id], map)
        .optional()?)
}

pub fn id_by_code(conn: &Connection, code: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM merchants WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?)
}

/// Writes the row if it is still at `expected_version`; false when it moved on.
pub fn update(conn: &Connection, m: &Merchant, expected_version: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE merchants SET status = ?1, status_reason = ?2, deposit_paid = ?3, agreement_signed = ?4,
                violation_points = ?5, review_due_at = ?6, decided_at = ?7, credit_score = ?8,
                updated_at = ?9, commission_bp = ?12, platform_fee_minor = ?13, deposit_minor = ?14,
                version = version + 1
             WHERE id = ?10 AND version = ?11",
        )?
        .execute(params![
            m.status,
            m.status_reason,
            m.deposit_paid,
            m.agreement_signed,
            m.violation_points,
            m.review_due_at,
            m.decided_at,
            m.credit_score,
            m.updated_at,
            m.id,
            expected_version,
            m.commission_bp,
            m.platform_fee_minor,
            m.deposit_minor
        ])?;
    Ok(n == 1)
}
/// One violation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub id: i64,
    pub kind: String,
    pub severity: String,
    pub points: i64,
    pub deduction_minor: i64,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

pub fn add_violation(conn: &Connection, merchant_id: i64, v: &Violation) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merchant_violations (merchant_id, kind, severity, points, deduction_minor, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        merchant_id,
        v.kind,
        v.severity,
        v.points,
        v.deduction_minor,
        v.note,
        v.created_at,
        v.created_by
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn violations(conn: &Connection, merchant_id: i64) -> Result<Vec<Violation>> {
    crate::store::rows_of(
        conn,
        "SELECT id, kind, severity, points, deduction_minor, note, created_at, created_by
         FROM merchant_violations WHERE merchant_id = ?1 ORDER BY id",
        merchant_id,
        |r| {
            Ok(Violation {
                id: r.get(0)?,
                kind: r.get(1)?,
                severity: r.get(2)?,
                points: r.get(3)?,
                deduction_minor: r.get(4)?,
                note: r.get(5)?,
                created_at: r.get(6)?,
                created_by: r.get(7)?,
            })
        },
    )
}

/// Violation points recorded at or after `since` (a UTC stamp).
pub fn points_since(conn: &Connection, merchant_id: i64, since: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(points), 0) FROM merchant_violations WHERE merchant_id = ?1 AND created_at >= ?2",
        )?
        .query_row(params![merchant_id, since], |r| r.get(0))?)
}

/// The current round of the application (1 until the first resubmission).
pub fn round(conn: &Connection, merchant_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(round), 1) FROM merchant_submissions WHERE merchant_id = ?1")?
        .query_row([merchant_id], |r| r.get(0))?)
}

/// One recorded round of an application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submission {
    pub round: i64,
    pub feedback: String,
    pub snapshot: String,
    pub submitted_at: String,
    pub submitted_by: String,
}

/// Records round `round` with its snapshot, or (when it is recorded
/// already) sets its feedback.
pub fn put_submission(conn: &Connection, merchant_id: i64, s: &Submission) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO merchant_submissions (merchant_id, round, feedback, snapshot, submitted_at, submitted_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (merchant_id, round) DO UPDATE SET feedback = ?3",
    )?
    .execute(params![
        merchant_id,
        s.round,
        s.feedback,
        s.snapshot,
        s.submitted_at,
        s.submitted_by
    ])?;
    Ok(())
}

/// The recorded rounds, oldest first.
pub fn submissions(conn: &Connection, merchant_id: i64) -> Result<Vec<Submission>> {
    crate::store::rows_of(
        conn,
        "SELECT round, feedback, snapshot, submitted_at, submitted_by FROM merchant_submissions
         WHERE merchant_id = ?1 ORDER BY round",
        merchant_id,
        |r| {
            Ok(Submission {
                round: r.get(0)?,
                feedback: r.get(1)?,
                snapshot: r.get(2)?,
                submitted_at: r.get(3)?,
                submitted_by: r.get(4)?,
            })
        },
    )
}

/// A product's audited columns, for the product audit rows a merchant
/// verb writes when it hides, shows or delists the merchant's products.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProductState {
    pub id: i64,
    pub sku: String,
    pub status: String,
    pub delist_reason: Option<String>,
    pub updated_at: String,
    pub version: i64,
}

fn product_states(conn: &Connection, sql: &str, merchant_id: i64) -> Result<Vec<ProductState>> {
    crate::store::rows_of(conn, sql, merchant_id, |r| {
        Ok(ProductState {
            id: r.get(0)?,
            sku: r.get(1)?,
            status: r.get(2)?,
            delist_reason: r.get(3)?,
            updated_at: r.get(4)?,
            version: r.get(5)?,
        })
    })
}

/// The merchant's listed products.
pub fn listed_products(conn: &Connection, merchant_id: i64) -> Result<Vec<ProductState>> {
    product_states(
        conn,
        "SELECT id, sku, status, delist_reason, updated_at, version FROM products
         WHERE merchant_id = ?1 AND status = 'listed' ORDER BY id",
        merchant_id,
    )
}

/// The products a suspension hid, as they are now.
pub fn hidden_products(conn: &Connection, merchant_id: i64) -> Result<Vec<ProductState>> {
    product_states(
        conn,
        "SELECT p.id, p.sku, p.status, p.delist_reason, p.updated_at, p.version FROM products p
         JOIN merchant_hidden_products h ON h.product_id = p.id AND h.merchant_id = p.merchant_id
         WHERE p.merchant_id = ?1 ORDER BY p.id",
        merchant_id,
    )
}

/// Every product of the merchant not already delisted.
pub fn undelisted_products(conn: &Connection, merchant_id: i64) -> Result<Vec<ProductState>> {
    product_states(
        conn,
        "SELECT id, sku, status, delist_reason, updated_at, version FROM products
         WHERE merchant_id = ?1 AND status <> 'delisted' ORDER BY id",
        merchant_id,
    )
}

/// Sets a product's status and delist reason (version + 1).
pub fn set_product_status(conn: &Connection, p: &ProductState) -> Result<()> {
    conn.prepare_cached(
        "UPDATE products SET status = ?2, delist_reason = ?3, updated_at = ?4, version = version + 1 WHERE id = ?1",
    )?
    .execute(params![p.id, p.status, p.delist_reason, p.updated_at])?;
    Ok(())
}

pub fn remember_hidden(conn: &Connection, merchant_id: i64, product_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO merchant_hidden_products (merchant_id, product_id) VALUES (?1, ?2)",
    )?
    .execute(params![merchant_id, product_id])?;
    Ok(())
}

pub fn forget_hidden(conn: &Connection, merchant_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM merchant_hidden_products WHERE merchant_id = ?1")?
        .execute([merchant_id])?;
    Ok(())
}

/// A rejected or terminated merchant sharing an identifier with an applicant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BadRecord {
    pub code: String,
    pub status: String,
    /// "licence number", "tax id" or "legal representative id".
    pub matched: String,
}

/// Rejected or terminated merchants (other than `merchant_id`) whose
/// licence number, tax id or legal representative id number equals this
/// merchant's (empty values match nothing).
// `me CROSS JOIN` keeps the one applicant row outermost, so each match is
// an index lookup (merchants_license, merchants_tax_id,
// merchant_documents_number), not a walk of every merchant in code order.
pub fn bad_records(conn: &Connection, merchant_id: i64) -> Result<Vec<BadRecord>> {
    let mut st = conn.prepare_cached(
        "WITH me AS (
            SELECT m.id, m.license_no, m.tax_id,
                   (SELECT d.number FROM merchant_documents d WHERE d.merchant_id = m.id AND d.kind = 'legal_rep_id') AS rep
            FROM merchants m WHERE m.id = ?1)
         SELECT o.code, o.status, 'licence number' FROM me CROSS JOIN merchants o
            WHERE o.id <> me.id AND o.status IN ('rejected', 'terminated') AND me.license_no <> '' AND o.license_no = me.license_no
         UNION ALL
         SELECT o.code, o.status, 'tax id' FROM me CROSS JOIN merchants o
            WHERE o.id <> me.id AND o.status IN ('rejected', 'terminated') AND me.tax_id <> '' AND o.tax_id = me.tax_id
         UNION ALL
         SELECT o.code, o.status, 'legal representative id' FROM me CROSS JOIN merchant_documents d JOIN merchants o ON o.id = d.merchant_id
            WHERE o.id <> me.id AND o.status IN ('rejected', 'terminated') AND d.kind = 'legal_rep_id'
              AND coalesce(me.rep, '') <> '' AND d.number = me.rep
         ORDER BY 1, 3",
    )?;
    let rows = st.query_map([merchant_id], |r| {
        Ok(BadRecord {
            code: r.get(0)?,
            status: r.get(1)?,
            matched: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The order history the credit score reads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CreditHistory {
    /// Average buyer review score over the merchant's orders, if any.
    pub review_avg: Option<f64>,
    pub paid_orders: i64,
    pub disputes: i64,
    pub shipped_orders: i64,
    /// Shipped after their ship-by deadline.
    pub late_shipments: i64,
}

pub fn credit_history(conn: &Connection, merchant_id: i64) -> Result<CreditHistory> {
    let review_avg: Option<f64> = conn
        .prepare_cached(
            "SELECT avg(r.score) FROM reviews r JOIN orders o ON o.id = r.order_id WHERE o.merchant_id = ?1",
        )?
        .query_row([merchant_id], |r| r.get(0))?;
    let (paid_orders, shipped_orders, late_shipments) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE paid_at IS NOT NULL),
                    count(*) FILTER (WHERE shipped_at IS NOT NULL),
                    count(*) FILTER (WHERE shipped_at IS NOT NULL AND ship_by_at IS NOT NULL AND shipped_at > ship_by_at)
             FROM orders WHERE merchant_id = ?1",
        )?
        .query_row([merchant_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let disputes: i64 = conn
        .prepare_cached("SELECT count(*) FROM tickets WHERE merchant_id = ?1 AND kind = 'dispute'")?
        .query_row([merchant_id], |r| r.get(0))?;
    Ok(CreditHistory {
        review_avg,
        paid_orders,
        disputes,
        shipped_orders,
        late_shipments,
    })
}

/// The commission (basis points) of category `path`: its own, else its
/// nearest ancestor's; `None` when neither the category nor an ancestor has
/// one (or the path is unknown).
pub fn category_commission(conn: &Connection, path: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "WITH RECURSIVE up(id, parent_id, commission_bp, depth) AS (
                SELECT id, parent_id, commission_bp, 0 FROM categories WHERE path = ?1
                UNION ALL
                SELECT c.id, c.parent_id, c.commission_bp, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
                WHERE up.depth < 64)
             SELECT commission_bp FROM up WHERE commission_bp IS NOT NULL ORDER BY depth LIMIT 1",
        )?
        .query_row([path], |r| r.get(0))
        .optional()?)
}

//! The merchant register and review queue.

use rusqlite::{Connection, OptionalExtension};

use super::{Count, Filter, MerchantQueue, Page, Paged, Query, Seek, SortKey, StatusFilter};
use crate::Result;
use crate::domain::merchant::MerchantStatus;

pub const ENTITY: &str = "merchant";

pub const SORT_KEYS: &[SortKey] = &[
    SortKey {
        name: "code",
        expr: "m.code",
        nullable: false,
        desc: false,
        index: "sqlite_autoindex_merchants_1",
        status_index: None,
    },
    SortKey {
        name: "review due",
        expr: "m.review_due_at",
        nullable: true,
        desc: false,
        index: "merchants_due",
        status_index: Some("merchants_status_due"),
    },
    SortKey {
        name: "name",
        expr: "m.name",
        nullable: false,
        desc: false,
        index: "merchants_name",
        status_index: None,
    },
    SortKey {
        name: "newest",
        expr: "m.id",
        nullable: false,
        desc: true,
        index: "",
        status_index: None,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: MerchantStatus,
    pub cooperation_mode: String,
    pub credit_score: i64,
    pub review_due_at: Option<String>,
    /// The row's version as read: verbs act on it or report a conflict.
    pub version: i64,
    /// Who claimed the review and when (UTC stamp), if anyone.
    pub claim: Option<(String, String)>,
}

/// The claim by primary key, read by column name (`map`), so a query
/// that adds columns after these need not renumber.
const COLS: &str = concat!(
    "m.id, m.code, m.name, m.status, m.cooperation_mode, m.credit_score, m.review_due_at, m.version, ",
    "(SELECT c.claimed_by FROM merchant_claims c WHERE c.merchant_id = m.id) AS claimed_by, ",
    "(SELECT c.claimed_at FROM merchant_claims c WHERE c.merchant_id = m.id) AS claimed_at"
);
const JOINS: &str = "FROM merchants m";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        status: crate::store::enums::get(r, 3, "merchants")?,
        cooperation_mode: r.get(4)?,
        credit_score: r.get(5)?,
        review_due_at: r.get(6)?,
        version: r.get(7)?,
        claim: match (r.get("claimed_by")?, r.get("claimed_at")?) {
            (Some(by), Some(at)) => Some((by, at)),
            _ => None,
        },
    })
}

/// The re-verification queue's condition (`merchant_documents_expiry`).
const REVERIFY: &str = "m.id IN (SELECT d.merchant_id FROM merchant_documents d WHERE d.expires_on IS NOT NULL AND d.expires_on <= ?)";

/// How many open merchants have a document expiring on or before `until`.
pub fn reverify_count(conn: &Connection, until: chrono::NaiveDate) -> Result<u64> {
    queue_count(conn, MerchantQueue::Reverify { until })
}

/// The under-deposit queue's condition, `deposit_short` of `merchant show`:
/// a deposit is recorded and the ledger's balance is below the required
/// deposit (`merchant_ledger_merchant` per merchant). A merchant imported
/// active with no ledger rows is not short: nothing was recorded to fall.
const UNDER_DEPOSIT: &str = "m.deposit_minor > (SELECT coalesce(sum(l.amount_minor), 0) FROM merchant_ledger l WHERE l.merchant_id = m.id AND l.account = 'deposit') AND EXISTS (SELECT 1 FROM merchant_ledger l WHERE l.merchant_id = m.id AND l.account = 'deposit')";

/// How many merchants are in a queue that is not a set of statuses alone
/// (re-verification, under deposit); what the dashboard's alerts count.
pub fn queue_count(conn: &Connection, queue: MerchantQueue) -> Result<u64> {
    let q = Query {
        status: Some(StatusFilter::Merchants(queue)),
        ..Query::default()
    };
    count(conn, &filter(&q))
}

fn count(conn: &Connection, f: &Filter) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM merchants m{}", f.where_sql(None));
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The merchant table is small (thousands): substring match on code and name.
fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    f.status(q, ENTITY, "m.status");
    if let Some(StatusFilter::Merchants(MerchantQueue::Reverify { until })) = &q.status {
        f.push(
            REVERIFY,
            [rusqlite::types::Value::Text(until.format("%Y-%m-%d").to_string())],
        );
    }
    if let Some(StatusFilter::Merchants(MerchantQueue::UnderDeposit)) = &q.status {
        f.push(UNDER_DEPOSIT, []);
    }
    if let Some(t) = q.text() {
        f.text = true;
        let p = super::like_pattern(t);
        f.push(
            "m.code LIKE ? ESCAPE '\\' OR m.name LIKE ? ESCAPE '\\'",
            [p.clone(), p],
        );
    }
    f
}

const TABLE: super::Table = super::Table {
    cols: COLS,
    from: JOINS,
    id_expr: "m.id",
    sort_keys: SORT_KEYS,
};

pub fn page(conn: &Connection, q: &Query, seek: &Seek, limit: usize) -> Result<Page<Paged<Row>>> {
    let f = filter(q);
    super::page_for(conn, &TABLE.view(q, &f), q, seek, limit, map)
}

/// The count and, with a text filter, the matching ids (all of them: the
/// table is small).
pub fn resolve(conn: &Connection, q: &Query) -> Result<super::Resolution> {
    let f = filter(q);
    // The re-verification and under-deposit queues are not sets of
    // statuses: counted here.
    if q.text().is_none()
        && matches!(
            q.status,
            Some(StatusFilter::Merchants(
                MerchantQueue::Reverify { .. } | MerchantQueue::UnderDeposit
            ))
        )
    {
        return Ok((
            Count {
                n: count(conn, &f)?,
                capped: false,
            },
            None,
        ));
    }
    super::resolve(conn, ENTITY, q, &TABLE.view(q, &f), "FROM merchants m", 100_000)
}

pub fn stream(conn: &Connection, q: &Query, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64> {
    let filt = filter(q);
    super::stream(conn, &TABLE.view(q, &filt), map, f)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub expires_on: Option<String>,
    pub check_status: crate::domain::merchant::DocStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub kind: String,
    pub severity: String,
    pub points: i64,
    pub deduction_minor: i64,
    pub note: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub row: Row,
    pub legal_name: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub license_no: String,
    pub tax_id: String,
    pub requested_categories: String,
    pub status_reason: Option<String>,
    pub commission_bp: Option<i64>,
    pub platform_fee_minor: i64,
    pub deposit_minor: i64,
    pub deposit_paid: bool,
    pub agreement_signed: bool,
    pub violation_points: i64,
    pub applied_at: String,
    pub decided_at: Option<String>,
    pub documents: Vec<Document>,
    pub violations: Vec<Violation>,
    pub products: i64,
    /// Σ qty × unit price over this merchant's lines of paid, not cancelled
    /// orders: `None` until `gmv` has been computed (it reads hundreds of
    /// order rows, so the screen asks for it off the input path).
    pub gmv_minor: Option<i64>,
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<Detail>> {
    let d = conn
        .prepare_cached(
            "SELECT m.id, m.code, m.name, m.status, m.cooperation_mode, m.credit_score, m.review_due_at, m.version,
                    legal_name, contact_name, phone, email, address, city, license_no, tax_id,
                    requested_categories, status_reason, commission_bp, platform_fee_minor, deposit_minor,
                    deposit_paid, agreement_signed, violation_points, applied_at, decided_at,
                    (SELECT c.claimed_by FROM merchant_claims c WHERE c.merchant_id = m.id) AS claimed_by,
                    (SELECT c.claimed_at FROM merchant_claims c WHERE c.merchant_id = m.id) AS claimed_at
             FROM merchants m WHERE m.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Detail {
                row: map(r)?,
                legal_name: r.get(8)?,
                contact_name: r.get(9)?,
                phone: r.get(10)?,
                email: r.get(11)?,
                address: r.get(12)?,
                city: r.get(13)?,
                license_no: r.get(14)?,
                tax_id: r.get(15)?,
                requested_categories: r.get(16)?,
                status_reason: r.get(17)?,
                commission_bp: r.get(18)?,
                platform_fee_minor: r.get(19)?,
                deposit_minor: r.get(20)?,
                deposit_paid: r.get(21)?,
                agreement_signed: r.get(22)?,
                violation_points: r.get(23)?,
                applied_at: r.get(24)?,
                decided_at: r.get(25)?,
                documents: Vec::new(),
                violations: Vec::new(),
                products: 0,
                gmv_minor: None,
            })
        })
        .optional()?;
    let Some(mut d) = d else { return Ok(None) };
    d.documents = crate::store::rows_of(
        conn,
        "SELECT id, kind, number, issuer, expires_on, check_status FROM merchant_documents
         WHERE merchant_id = ?1 ORDER BY id",
        id,
        |r| {
            Ok(Document {
                kind: r.get(1)?,
                number: r.get(2)?,
                issuer: r.get(3)?,
                expires_on: r.get(4)?,
                check_status: crate::store::enums::get(r, 5, "merchant_documents")?,
            })
        },
    )?;
    d.violations = crate::store::rows_of(
        conn,
        "SELECT kind, severity, points, deduction_minor, note, created_at FROM merchant_violations
         WHERE merchant_id = ?1 ORDER BY id DESC LIMIT 50",
        id,
        |r| {
            Ok(Violation {
                kind: r.get(0)?,
                severity: r.get(1)?,
                points: r.get(2)?,
                deduction_minor: r.get(3)?,
                note: r.get(4)?,
                created_at: r.get(5)?,
            })
        },
    )?;
    d.products = conn
        .prepare_cached("SELECT count(*) FROM products WHERE merchant_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok(Some(d))
}

/// The merchant's GMV: Σ qty × unit price over its lines of paid orders that
/// are not cancelled or merged.
pub fn gmv(conn: &Connection, id: i64) -> Result<i64> {
    use crate::domain::order::OrderStatus;
    let void =
        crate::store::enums::literals(&OrderStatus::all_where(OrderStatus::is_void), OrderStatus::as_str);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(l.qty * l.unit_price_minor), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE l.merchant_id = ?1 AND o.paid_at IS NOT NULL AND o.status NOT IN ({void})"
        ))?
        .query_row([id], |r| r.get(0))?)
}

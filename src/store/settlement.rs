//! The SQL behind merchant settlement (`ops::settlement`, docs/settlement.md):
//! statements, their lines and refund charges, and the reads a run needs.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One `settlement_statements` row (also the audit image).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Statement {
    pub id: i64,
    pub merchant_id: i64,
    pub period_from: String,
    pub period_to: String,
    pub status: String,
    pub line_count: i64,
    pub sales_minor: i64,
    pub commission_minor: i64,
    pub refunds_minor: i64,
    pub fee_minor: i64,
    pub carried_in_minor: i64,
    pub carried_from: Option<i64>,
    pub payable_minor: i64,
    pub pay_ref: Option<String>,
    pub computed_at: String,
    pub confirmed_at: Option<String>,
    pub confirmed_by: Option<String>,
    pub paid_at: Option<String>,
    pub paid_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str =
    "s.id, s.merchant_id, s.period_from, s.period_to, s.status, s.line_count, s.sales_minor,
    s.commission_minor, s.refunds_minor, s.fee_minor, s.carried_in_minor, s.carried_from, s.payable_minor,
    s.pay_ref, s.computed_at, s.confirmed_at, s.confirmed_by, s.paid_at, s.paid_by, s.created_at,
    s.updated_at, s.version";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Statement> {
    Ok(Statement {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        period_from: r.get(2)?,
        period_to: r.get(3)?,
        status: r.get(4)?,
        line_count: r.get(5)?,
        sales_minor: r.get(6)?,
        commission_minor: r.get(7)?,
        refunds_minor: r.get(8)?,
        fee_minor: r.get(9)?,
        carried_in_minor: r.get(10)?,
        carried_from: r.get(11)?,
        payable_minor: r.get(12)?,
        pay_ref: r.get(13)?,
        computed_at: r.get(14)?,
        confirmed_at: r.get(15)?,
        confirmed_by: r.get(16)?,
        paid_at: r.get(17)?,
        paid_by: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
        version: r.get(21)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Statement>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM settlement_statements s WHERE s.id = ?1"
        ))?
        .query_row([id], map)
        .optional()?)
}

/// A statement with its merchant's code and name, for lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub statement: Statement,
    pub merchant_code: String,
    pub merchant_name: String,
}

/// Statements, the latest period first, then by merchant code; optionally
/// one merchant's, one status.
pub fn list(conn: &Connection, merchant_id: Option<i64>, status: Option<&str>) -> Result<Vec<Listed>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, m.code, m.name FROM settlement_statements s JOIN merchants m ON m.id = s.merchant_id
         WHERE (?1 IS NULL OR s.merchant_id = ?1) AND (?2 IS NULL OR s.status = ?2)
         ORDER BY s.period_from DESC, s.period_to DESC, m.code"
    ))?;
    let rows = st.query_map(params![merchant_id, status], |r| {
        Ok(Listed {
            statement: map(r)?,
            merchant_code: r.get(22)?,
            merchant_name: r.get(23)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every statement whose period shares a day with `[from, to]`.
pub fn overlapping(conn: &Connection, from: &str, to: &str) -> Result<Vec<Statement>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM settlement_statements s WHERE s.period_from <= ?2 AND s.period_to >= ?1 ORDER BY s.id"
    ))?;
    let rows = st.query_map(params![from, to], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The merchant's statement just before `from` (the latest ending earlier).
pub fn previous(conn: &Connection, merchant_id: i64, from: &str) -> Result<Option<Statement>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM settlement_statements s WHERE s.merchant_id = ?1 AND s.period_to < ?2
             ORDER BY s.period_to DESC LIMIT 1"
        ))?
        .query_row(params![merchant_id, from], map)
        .optional()?)
}

/// The statement that carries `id`'s balance, if any.
pub fn carried_by(conn: &Connection, id: i64) -> Result<Option<Statement>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM settlement_statements s WHERE s.carried_from = ?1"
        ))?
        .query_row([id], map)
        .optional()?)
}

/// The fee the merchant's other statements deduct: those confirmed or paid,
/// and drafts of earlier periods.
pub fn fee_elsewhere(conn: &Connection, merchant_id: i64, not_id: Option<i64>, from: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(fee_minor), 0) FROM settlement_statements
             WHERE merchant_id = ?1 AND id IS NOT ?2 AND (status <> 'draft' OR period_to < ?3)",
        )?
        .query_row(params![merchant_id, not_id, from], |r| r.get(0))?)
}

/// What the merchant is owed on confirmed statements not yet paid, less a
/// negative balance not yet carried into a later statement.
pub fn open_balance(conn: &Connection, merchant_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(s.payable_minor), 0) FROM settlement_statements s
             WHERE s.merchant_id = ?1 AND s.status = 'confirmed'
               AND NOT EXISTS (SELECT 1 FROM settlement_statements c WHERE c.carried_from = s.id)",
        )?
        .query_row([merchant_id], |r| r.get(0))?)
}

/// What a run needs to know of a merchant.
#[derive(Debug, Clone)]
pub struct MerchantTerms {
    pub id: i64,
    pub code: String,
    pub commission_bp: Option<i64>,
    pub platform_fee_minor: i64,
    /// Fee paid through the fee ledger.
    pub fee_paid_minor: i64,
}

pub fn merchant_terms(conn: &Connection) -> Result<Vec<MerchantTerms>> {
    let mut st = conn.prepare_cached(
        "SELECT m.id, m.code, m.commission_bp, m.platform_fee_minor,
                (SELECT coalesce(sum(l.amount_minor), 0) FROM merchant_ledger l WHERE l.merchant_id = m.id AND l.account = 'fee')
         FROM merchants m ORDER BY m.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(MerchantTerms {
            id: r.get(0)?,
            code: r.get(1)?,
            commission_bp: r.get(2)?,
            platform_fee_minor: r.get(3)?,
            fee_paid_minor: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every category: (id, parent, own rate).
/// (id, parent, own rate).
pub type CategoryRate = (i64, Option<i64>, Option<i64>);

pub fn category_rates(conn: &Connection) -> Result<Vec<CategoryRate>> {
    let mut st = conn.prepare_cached("SELECT id, parent_id, commission_bp FROM categories")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every product's category (from the `products_category` index alone).
pub fn product_categories(conn: &Connection) -> Result<std::collections::HashMap<i64, Option<i64>>> {
    let mut st = conn.prepare_cached("SELECT id, category_id FROM products INDEXED BY products_category")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An order line of a completed order, as a run reads it.
#[derive(Debug, Clone)]
pub struct DueLine {
    pub order_line_id: i64,
    pub order_id: i64,
    pub merchant_id: i64,
    pub product_id: i64,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
    pub completed_at: String,
}

/// The lines of orders completed in `[start, end)` (UTC stamps), of
/// `merchant` or of every merchant.
pub fn completed_lines(
    conn: &Connection,
    start: &str,
    end: &str,
    merchant: Option<i64>,
) -> Result<Vec<DueLine>> {
    let mut st = conn.prepare_cached(
        "SELECT l.id, l.order_id, l.merchant_id, l.product_id, l.qty, l.unit_price_minor, l.shipping_minor, o.completed_at
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.status = 'completed' AND o.completed_at >= ?1 AND o.completed_at < ?2
           AND (?3 IS NULL OR l.merchant_id = ?3)",

    )?;
    let rows = st.query_map(params![start, end, merchant], |r| {
        Ok(DueLine {
            order_line_id: r.get(0)?,
            order_id: r.get(1)?,
            merchant_id: r.get(2)?,
            product_id: r.get(3)?,
            qty: r.get(4)?,
            unit_price_minor: r.get(5)?,
            shipping_minor: r.get(6)?,
            completed_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A ticket refund issued in a period (cancellations' refunds have no ticket).
#[derive(Debug, Clone)]
pub struct DueRefund {
    pub refund_id: i64,
    pub order_id: i64,
    pub ticket_id: i64,
    pub amount_minor: i64,
    pub created_at: String,
    pub ruling_payer: Option<String>,
}

pub fn ticket_refunds(conn: &Connection, start: &str, end: &str) -> Result<Vec<DueRefund>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, r.order_id, r.ticket_id, r.amount_minor, r.created_at, t.ruling_payer
         FROM refunds r JOIN tickets t ON t.id = r.ticket_id
         WHERE r.ticket_id IS NOT NULL AND r.created_at >= ?1 AND r.created_at < ?2 ORDER BY r.id",
    )?;
    let rows = st.query_map(params![start, end], |r| {
        Ok(DueRefund {
            refund_id: r.get(0)?,
            order_id: r.get(1)?,
            ticket_id: r.get(2)?,
            amount_minor: r.get(3)?,
            created_at: r.get(4)?,
            ruling_payer: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each merchant's sales (goods + shipping) on one order: (merchant, sales).
pub fn order_sales_by_merchant(conn: &Connection, order_id: i64) -> Result<Vec<(i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT merchant_id, sum(qty * unit_price_minor + shipping_minor) FROM order_lines
         WHERE order_id = ?1 GROUP BY merchant_id ORDER BY merchant_id",
    )?;
    let rows = st.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A new draft's row (figures as computed).
pub struct NewStatement<'a> {
    pub merchant_id: i64,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub at: &'a str,
}

pub fn insert_draft(conn: &Connection, s: &NewStatement<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO settlement_statements (merchant_id, period_from, period_to, status, computed_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?4, ?4)",
    )?
    .execute(params![s.merchant_id, s.period_from, s.period_to, s.at])?;
    Ok(conn.last_insert_rowid())
}

/// Writes every changeable column of `s` if the row is still at `expected`.
pub fn update(conn: &Connection, s: &Statement, expected: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE settlement_statements SET status = ?3, line_count = ?4, sales_minor = ?5, commission_minor = ?6,
                refunds_minor = ?7, fee_minor = ?8, carried_in_minor = ?9, carried_from = ?10, payable_minor = ?11,
                pay_ref = ?12, computed_at = ?13, confirmed_at = ?14, confirmed_by = ?15, paid_at = ?16, paid_by = ?17,
                updated_at = ?18, version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            s.id,
            expected,
            s.status,
            s.line_count,
            s.sales_minor,
            s.commission_minor,
            s.refunds_minor,
            s.fee_minor,
            s.carried_in_minor,
            s.carried_from,
            s.payable_minor,
            s.pay_ref,
            s.computed_at,
            s.confirmed_at,
            s.confirmed_by,
            s.paid_at,
            s.paid_by,
            s.updated_at,
        ])?;
    Ok(n == 1)
}

/// Empties a draft (its lines and charges), before it is refilled or deleted.
/// What a statement holds, in brief: (lines, Σ order line ids, Σ sales,
/// Σ commission, charges, Σ refund ids, Σ charged). A recomputed draft
/// whose fingerprint is unchanged is left as it is.
pub fn fingerprint(conn: &Connection, id: i64) -> Result<[i64; 7]> {
    let lines: (i64, i64, i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(order_line_id), 0), coalesce(sum(sales_minor), 0), coalesce(sum(commission_minor), 0)
             FROM settlement_lines WHERE statement_id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let charges: (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(refund_id), 0), coalesce(sum(amount_minor), 0) FROM settlement_charges WHERE statement_id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok([
        lines.0, lines.1, lines.2, lines.3, charges.0, charges.1, charges.2,
    ])
}

pub fn clear_draft(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM settlement_lines WHERE statement_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM settlement_charges WHERE statement_id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn delete_draft(conn: &Connection, id: i64) -> Result<()> {
    clear_draft(conn, id)?;
    conn.prepare_cached("DELETE FROM settlement_statements WHERE id = ?1 AND status = 'draft'")?
        .execute([id])?;
    Ok(())
}

/// One line on a statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub order_line_id: i64,
    pub order_id: i64,
    pub completed_at: String,
    pub goods_minor: i64,
    pub sales_minor: i64,
    pub commission_bp: i64,
    pub commission_source: String,
    pub commission_minor: i64,
}

pub fn insert_line(conn: &Connection, statement: i64, l: &Line) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settlement_lines (statement_id, order_line_id, order_id, completed_at, goods_minor, sales_minor,
            commission_bp, commission_source, commission_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        statement,
        l.order_line_id,
        l.order_id,
        l.completed_at,
        l.goods_minor,
        l.sales_minor,
        l.commission_bp,
        l.commission_source,
        l.commission_minor
    ])?;
    Ok(())
}

/// One refund charge on a statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Charge {
    pub refund_id: i64,
    pub order_id: i64,
    pub ticket_id: i64,
    pub refunded_at: String,
    pub refund_minor: i64,
    pub amount_minor: i64,
}

pub fn insert_charge(conn: &Connection, statement: i64, merchant: i64, c: &Charge) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settlement_charges (statement_id, merchant_id, refund_id, order_id, ticket_id, refunded_at,
            refund_minor, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        statement,
        merchant,
        c.refund_id,
        c.order_id,
        c.ticket_id,
        c.refunded_at,
        c.refund_minor,
        c.amount_minor
    ])?;
    Ok(())
}

/// A statement's line as people read it: with the order's key and the product.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineView {
    #[serde(flatten)]
    pub line: Line,
    pub order_key: String,
    pub line_no: i64,
    pub sku: String,
    pub title: String,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub shipping_minor: i64,
}

pub fn lines_of(conn: &Connection, statement: i64) -> Result<Vec<LineView>> {
    let mut st = conn.prepare_cached(
        "SELECT s.order_line_id, s.order_id, s.completed_at, s.goods_minor, s.sales_minor, s.commission_bp,
                s.commission_source, s.commission_minor, o.channel || ':' || o.external_id, l.line_no, p.sku, p.title,
                l.qty, l.unit_price_minor, l.shipping_minor
         FROM settlement_lines s JOIN order_lines l ON l.id = s.order_line_id JOIN orders o ON o.id = s.order_id
         JOIN products p ON p.id = l.product_id
         WHERE s.statement_id = ?1 ORDER BY s.completed_at, s.order_id, l.line_no",
    )?;
    let rows = st.query_map([statement], |r| {
        Ok(LineView {
            line: Line {
                order_line_id: r.get(0)?,
                order_id: r.get(1)?,
                completed_at: r.get(2)?,
                goods_minor: r.get(3)?,
                sales_minor: r.get(4)?,
                commission_bp: r.get(5)?,
                commission_source: r.get(6)?,
                commission_minor: r.get(7)?,
            },
            order_key: r.get(8)?,
            line_no: r.get(9)?,
            sku: r.get(10)?,
            title: r.get(11)?,
            qty: r.get(12)?,
            unit_price_minor: r.get(13)?,
            shipping_minor: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn charges_of(conn: &Connection, statement: i64) -> Result<Vec<Charge>> {
    let mut st = conn.prepare_cached(
        "SELECT refund_id, order_id, ticket_id, refunded_at, refund_minor, amount_minor FROM settlement_charges
         WHERE statement_id = ?1 ORDER BY refunded_at, refund_id",
    )?;
    let rows = st.query_map([statement], |r| {
        Ok(Charge {
            refund_id: r.get(0)?,
            order_id: r.get(1)?,
            ticket_id: r.get(2)?,
            refunded_at: r.get(3)?,
            refund_minor: r.get(4)?,
            amount_minor: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `check`: statements whose stored totals disagree with their lines and
/// charges or with the payable formula, and order lines or refund parts
/// settled twice. One phrase per problem.
pub fn problems(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut st = conn.prepare(
        "SELECT s.id, s.line_count, s.sales_minor, s.commission_minor, s.refunds_minor, s.fee_minor,
                s.carried_in_minor, s.payable_minor,
                (SELECT count(*) FROM settlement_lines l WHERE l.statement_id = s.id),
                (SELECT coalesce(sum(l.sales_minor), 0) FROM settlement_lines l WHERE l.statement_id = s.id),
                (SELECT coalesce(sum(l.commission_minor), 0) FROM settlement_lines l WHERE l.statement_id = s.id),
                (SELECT coalesce(sum(c.amount_minor), 0) FROM settlement_charges c WHERE c.statement_id = s.id)
         FROM settlement_statements s ORDER BY s.id",
    )?;
    let rows = st.query_map([], |r| {
        let v: Vec<i64> = (0..12).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
        Ok(v)
    })?;
    for row in rows {
        let v = row?;
        let id = v[0];
        let (n, sales, comm, refunds, fee, carried, payable) = (v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        if n != v[8] || sales != v[9] || comm != v[10] || refunds != v[11] {
            out.push(format!(
                "statement {id}: totals (lines {n}, sales {sales}, commission {comm}, refunds {refunds}) differ from its lines and charges (lines {}, sales {}, commission {}, refunds {})",
                v[8], v[9], v[10], v[11]
            ));
        }
        let want = crate::domain::settlement::payable(sales, comm, refunds, fee, carried);
        if want != Some(payable) {
            out.push(format!(
                "statement {id}: payable {payable} is not sales {sales} − commission {comm} − refunds {refunds} − fee {fee} + carried {carried}"
            ));
        }
    }
    let mut twice = conn.prepare(
        "SELECT order_line_id, count(*), group_concat(statement_id) FROM settlement_lines
         GROUP BY order_line_id HAVING count(*) > 1 ORDER BY order_line_id LIMIT 20",
    )?;
    for row in twice.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
    })? {
        let (line, n, on) = row?;
        out.push(format!(
            "order line {line} is settled {n} times (statements {on})"
        ));
    }
    let mut mismatch = conn.prepare(
        "SELECT c.id, c.statement_id FROM settlement_charges c JOIN settlement_statements s ON s.id = c.statement_id
         WHERE s.merchant_id <> c.merchant_id ORDER BY c.id LIMIT 20",
    )?;
    for row in mismatch.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (c, s) = row?;
        out.push(format!(
            "refund charge {c} names another merchant than its statement {s}"
        ));
    }
    Ok(out)
}

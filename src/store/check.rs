//! `shopdesk check`: is the file sound and does every ledger add up?

use rusqlite::Connection;

use crate::Result;

/// One finding: which check, and what is wrong (empty `problems` = passed).
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub name: &'static str,
    pub problems: Vec<String>,
}

impl CheckResult {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Listing this many problems of one kind is enough to act on.
const MAX_PROBLEMS: usize = 20;

pub fn run_all(conn: &Connection) -> Result<Vec<CheckResult>> {
    Ok(vec![
        integrity(conn)?,
        foreign_keys(conn)?,
        audit_chain(conn)?,
        stock_ledger(conn)?,
        order_reservations(conn)?,
        status_counts(conn)?,
    ])
}

fn integrity(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut problems = Vec::new();
    for r in rows {
        let line = r?;
        if line != "ok" && problems.len() < MAX_PROBLEMS {
            problems.push(line);
        }
    }
    Ok(CheckResult {
        name: "integrity",
        problems,
    })
}

fn foreign_keys(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = st.query_map([], |r| {
        Ok(format!(
            "{} row {} refers to a missing {} row",
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?.unwrap_or(0),
            r.get::<_, String>(2)?
        ))
    })?;
    let problems = rows.take(MAX_PROBLEMS).collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CheckResult {
        name: "foreign keys",
        problems,
    })
}

fn audit_chain(conn: &Connection) -> Result<CheckResult> {
    let problems = super::audit::verify_chain(conn)?.into_iter().collect();
    Ok(CheckResult {
        name: "audit chain",
        problems,
    })
}

/// Each product's stock equals the sum of its movements.
fn stock_ledger(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare(
        "SELECT p.id, p.sku, p.stock_on_hand, p.stock_reserved,
                coalesce(m.on_hand, 0), coalesce(m.reserved, 0)
         FROM products p
         LEFT JOIN (SELECT product_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
                    FROM stock_movements GROUP BY product_id) m ON m.product_id = p.id
         WHERE p.stock_on_hand <> coalesce(m.on_hand, 0) OR p.stock_reserved <> coalesce(m.reserved, 0)
         LIMIT ?1",
    )?;
    let rows = st.query_map([MAX_PROBLEMS as i64], |r| {
        Ok(format!(
            "product {} ({}): on hand {} but movements sum to {}; reserved {} but movements sum to {}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(5)?
        ))
    })?;
    let problems = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CheckResult {
        name: "stock ledger",
        problems,
    })
}

/// Each product's reserved stock equals what its order lines hold.
fn order_reservations(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare(
        "SELECT p.id, p.sku, p.stock_reserved, coalesce(l.held, 0)
         FROM products p
         LEFT JOIN (SELECT product_id, sum(reserved_qty) AS held FROM order_lines
                    WHERE reserved_qty > 0 GROUP BY product_id) l ON l.product_id = p.id
         WHERE p.stock_reserved <> coalesce(l.held, 0)
         LIMIT ?1",
    )?;
    let rows = st.query_map([MAX_PROBLEMS as i64], |r| {
        Ok(format!(
            "product {} ({}): reserved {} but order lines hold {}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?
        ))
    })?;
    let problems = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CheckResult {
        name: "order reservations",
        problems,
    })
}

/// The trigger-kept status counts match the tables.
fn status_counts(conn: &Connection) -> Result<CheckResult> {
    let mut problems = Vec::new();
    for (entity, table) in [
        ("merchant", "merchants"),
        ("product", "products"),
        ("order", "orders"),
        ("ticket", "tickets"),
    ] {
        let mut st = conn.prepare(&format!(
            "SELECT t.status, t.n, coalesce(c.n, 0) FROM (SELECT status, count(*) AS n FROM {table} GROUP BY status) t
             LEFT JOIN status_counts c ON c.entity = ?1 AND c.status = t.status
             WHERE t.n <> coalesce(c.n, 0)"
        ))?;
        let rows = st.query_map([entity], |r| {
            Ok(format!(
                "{table}: {} {} rows but status_counts says {}",
                r.get::<_, i64>(1)?,
                r.get::<_, String>(0)?,
                r.get::<_, i64>(2)?
            ))
        })?;
        for r in rows {
            problems.push(r?);
        }
    }
    Ok(CheckResult {
        name: "status counts",
        problems,
    })
}

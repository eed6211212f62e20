//! `shopdesk check`: is the file sound and does every ledger add up?

use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::Result;

/// One finding: which check, and what is wrong (empty `problems` = passed).
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub name: &'static str,
    pub problems: Vec<String>,
    /// How long the check took.
    pub elapsed: Duration,
}

impl CheckResult {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Listing this many problems of one kind is enough to act on.
const MAX_PROBLEMS: usize = 20;

type Check = fn(&Connection) -> Result<CheckResult>;

/// Every check, in report order. `integrity_check` reads the whole file and
/// takes most of the time, so on a file database it runs on a second,
/// read-only connection beside the others; each check is its own read either
/// way.
pub fn run_all(conn: &Connection) -> Result<Vec<CheckResult>> {
    let others: [Check; 6] = [
        foreign_keys,
        audit_chain,
        stock_ledger,
        order_reservations,
        status_counts,
        super::import::check::imported_orders,
    ];
    // No memory map: a file that shrinks under a map kills the process
    // (SIGBUS), and `check` is the tool people run on a suspect file.
    match second_connection(conn) {
        Some(side) => std::thread::scope(|scope| {
            let integrity = scope.spawn(move || timed(&side, integrity));
            let rest: Result<Vec<_>> = others.iter().map(|check| timed(conn, *check)).collect();
            let first = integrity
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok([vec![first?], rest?].concat())
        }),
        None => std::iter::once(integrity as Check)
            .chain(others)
            .map(|check| timed(conn, check))
            .collect(),
    }
}

/// A read-only connection to the same file; `None` for an
/// in-memory database or one that cannot be opened twice.
fn second_connection(conn: &Connection) -> Option<Connection> {
    let path = conn.path().filter(|p| !p.is_empty())?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags).ok()
}

fn timed(conn: &Connection, check: Check) -> Result<CheckResult> {
    let started = Instant::now();
    let mut result = check(conn)?;
    result.elapsed = started.elapsed();
    Ok(result)
}

/// A check's result before `run_all` times it.
fn finding(name: &'static str, problems: Vec<String>) -> CheckResult {
    CheckResult {
        name,
        problems,
        elapsed: Duration::ZERO,
    }
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
    Ok(finding("integrity", problems))
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
    Ok(finding("foreign keys", problems))
}

fn audit_chain(conn: &Connection) -> Result<CheckResult> {
    let problems = super::audit::verify_chain(conn)?.into_iter().collect();
    Ok(finding("audit chain", problems))
}

/// Each product's stock equals the sum of its movements.
///
/// The sums read every movement, so they scan the table in storage order
/// (`NOT INDEXED`) and group in a temporary b-tree: walking the product_id
/// index instead would fetch each row by a separate lookup. The same holds
/// for [`order_reservations`], where that is ten times slower on 2.5 M lines.
fn stock_ledger(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare(
        "SELECT p.id, p.sku, p.stock_on_hand, p.stock_reserved,
                coalesce(m.on_hand, 0), coalesce(m.reserved, 0)
         FROM products p
         LEFT JOIN (SELECT product_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
                    FROM stock_movements NOT INDEXED GROUP BY product_id) m ON m.product_id = p.id
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
    Ok(finding("stock ledger", problems))
}

/// Each product's reserved stock equals what its order lines hold.
fn order_reservations(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare(
        "SELECT p.id, p.sku, p.stock_reserved, coalesce(l.held, 0)
         FROM products p
         LEFT JOIN (SELECT product_id, sum(reserved_qty) AS held FROM order_lines NOT INDEXED
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
    Ok(finding("order reservations", problems))
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
    Ok(finding("status counts", problems))
}

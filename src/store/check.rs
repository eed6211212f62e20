//! `shopdesk check`: is the file sound and does every ledger add up?

use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::Result;

// Declared here rather than in store/mod.rs so the check modules stay in
// the files this feature owns.
#[path = "check_audit.rs"]
pub mod audit_head;
#[path = "check_constraints.rs"]
mod constraints;
#[path = "check_images.rs"]
mod images;
#[path = "check_key.rs"]
pub mod key;

pub use audit_head::Head;

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

/// What the caller knows from outside the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A chain head recorded earlier (`shopdesk audit head`): the chain must
    /// still hold that row with that hash.
    pub expect_head: Option<Head>,
}

/// Every check with no outside knowledge.
pub fn run_all(conn: &Connection) -> Result<Vec<CheckResult>> {
    run_with(conn, &Options::default())
}

/// Every check, in report order. `integrity_check` reads the whole file and
/// takes most of the time, so on a file database it runs on a second
/// connection beside the others; each check is its own read either way.
pub fn run_with(conn: &Connection, opts: &Options) -> Result<Vec<CheckResult>> {
    let others: [Check; 13] = [
        foreign_keys,
        audit_chain,
        images::audit_images,
        stock_ledger,
        order_reservations,
        status_counts,
        kpi_rollups,
        product_sales,
        kpi_tops,
        title_pairs,
        ticket_search_copies,
        super::import::check::imported_orders,
        settlement,
    ];
    let extra = match &opts.expect_head {
        Some(head) => Some(timed_with(conn, |c| audit_head::expect(c, head))?),
        None => None,
    };
    let mut results = run_checks(conn, &others)?;
    results.push(timed(conn, images::refunds)?);
    results.extend(extra);
    Ok(results)
}

fn run_checks(conn: &Connection, others: &[Check]) -> Result<Vec<CheckResult>> {
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
            .chain(others.iter().copied())
            .map(|check| timed(conn, check))
            .collect(),
    }
}

/// A second connection to the same file; `None` for an in-memory database
/// or one that cannot be opened twice. It is opened read-write (without
/// create) although it only reads: SQLite does not even parse CHECK
/// constraints on a read-only connection, so `integrity_check` there cannot
/// see a row that breaks one.
fn second_connection(conn: &Connection) -> Option<Connection> {
    // A read-only session's file may be open `immutable`; a second, plain
    // connection would create -wal/-shm files beside it (store::open).
    if crate::store::is_read_only(conn) {
        return None;
    }
    let path = conn.path().filter(|p| !p.is_empty())?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let side = Connection::open_with_flags(path, flags).ok()?;
    side.busy_timeout(Duration::from_secs(10)).ok()?;
    Some(side)
}

fn timed(conn: &Connection, check: Check) -> Result<CheckResult> {
    timed_with(conn, check)
}

fn timed_with(
    conn: &Connection,
    check: impl FnOnce(&Connection) -> Result<CheckResult>,
) -> Result<CheckResult> {
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

/// `PRAGMA integrity_check`, with the rows and constraints behind any
/// "CHECK constraint failed in T" / "NULL value in T.c" it reports (SQLite
/// names only the table).
fn integrity(conn: &Connection) -> Result<CheckResult> {
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return integrity_of_copy(conn);
    }
    Ok(finding("integrity", integrity_problems(conn)?))
}

fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    {
        let mut st = conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            let line = r?;
            if line != "ok" {
                lines.push(line);
            }
        }
    }
    constraints::explain(conn, &lines, MAX_PROBLEMS)
}

/// SQLite evaluates CHECK constraints only on a connection that may write:
/// a login that can only read the file checks a private snapshot of it
/// (the backup API into a temporary file, one step, removed afterwards).
fn integrity_of_copy(conn: &Connection) -> Result<CheckResult> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let copy = std::env::temp_dir().join(format!("shopdesk-check-{}-{stamp}.db", std::process::id()));
    let made = Connection::open(&copy).and_then(|mut dst| {
        {
            let b = rusqlite::backup::Backup::new(conn, &mut dst)?;
            b.step(-1)?;
        }
        Ok(dst)
    });
    let result = match made {
        Ok(c) => integrity_problems(&c),
        Err(e) => Ok(vec![format!(
            "CHECK constraints were not verified: this login can only read the file, and a private copy in {} could not be made: {e}",
            std::env::temp_dir().display()
        )]),
    };
    let _ = std::fs::remove_file(&copy);
    Ok(finding("integrity", result?))
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

/// The trigger-kept KPI rollups match a recomputation from the orders: the
/// hours, the paid-order chains, and the chains counted by day.
fn kpi_rollups(conn: &Connection) -> Result<CheckResult> {
    let mut problems = super::kpi::rollup_differences(conn, MAX_PROBLEMS)?;
    problems.extend(super::kpi::chain_differences(conn, MAX_PROBLEMS)?);
    problems.extend(super::kpi_chain::chain_day_differences(conn, MAX_PROBLEMS)?);
    problems.truncate(MAX_PROBLEMS);
    Ok(finding("KPI rollups", problems))
}

/// The trigger-kept product sales rollup matches a recomputation from the
/// order lines.
fn product_sales(conn: &Connection) -> Result<CheckResult> {
    Ok(finding(
        "product sales rollup",
        super::products::sales::differences(conn, MAX_PROBLEMS)?,
    ))
}

/// The KPI top-list rollups match a recomputation from the product sales
/// days (themselves checked against the lines by `product_sales`).
fn kpi_tops(conn: &Connection) -> Result<CheckResult> {
    Ok(finding(
        "KPI top-list and ticket rollups",
        [
            super::kpi_tops::differences(conn, MAX_PROBLEMS)?,
            super::kpi_tickets::differences(conn, MAX_PROBLEMS)?,
            super::kpi_tickets::count_differences(conn, MAX_PROBLEMS)?,
        ]
        .concat(),
    ))
}

/// The trigger-kept status counts match the tables.
/// Every statement's payable is its formula and its totals its lines and
/// charges; no order line is settled twice (docs/settlement.md).
fn settlement(conn: &Connection) -> Result<CheckResult> {
    let mut problems = super::settlement::problems(conn)?;
    problems.truncate(MAX_PROBLEMS);
    Ok(finding("settlement", problems))
}

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

/// The trigger-kept two-character title index holds exactly every title's
/// pairs (a file edited with the triggers off would search wrong).
fn title_pairs(conn: &Connection) -> Result<CheckResult> {
    let pairs = super::bulk::TITLE_PAIRS;
    let sql = format!(
        "{pairs}
         SELECT 'lacks', * FROM (SELECT * FROM title_pairs EXCEPT SELECT bigram, product_id FROM products_bigrams)
         UNION ALL
         SELECT 'has a stray', * FROM (SELECT bigram, product_id FROM products_bigrams EXCEPT SELECT * FROM title_pairs)
         LIMIT {MAX_PROBLEMS}"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([], |r| {
        Ok(format!(
            "products_bigrams {} pair {:?} for product {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?
        ))
    })?;
    let problems = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(finding("product title search index", problems))
}

/// Each ticket's copies of its order's number and its customer's name
/// (schema 17, kept by triggers) equal the originals: a file edited with
/// the triggers off would find tickets under the wrong number or name.
fn ticket_search_copies(conn: &Connection) -> Result<CheckResult> {
    let mut st = conn.prepare(&format!(
        "SELECT t.id, t.order_external_id, o.external_id, t.customer_name, c.name FROM tickets t
         LEFT JOIN orders o ON o.id = t.order_id LEFT JOIN customers c ON c.id = t.customer_id
         WHERE t.order_external_id IS NOT o.external_id OR t.customer_name IS NOT c.name
         ORDER BY t.id LIMIT {MAX_PROBLEMS}"
    ))?;
    let rows = st.query_map([], |r| {
        let shown = |v: Option<String>| v.map_or("none".to_string(), |s| format!("{s:?}"));
        let (copy, real): (Option<String>, Option<String>) = (r.get(1)?, r.get(2)?);
        let (what, copy, real) = if copy != real {
            ("order", copy, real)
        } else {
            ("customer", r.get(3)?, r.get(4)?)
        };
        Ok(format!(
            "ticket #{}: searched as {what} {} but its {what} is {}",
            r.get::<_, i64>(0)?,
            shown(copy),
            shown(real)
        ))
    })?;
    let problems = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(finding("ticket search copies", problems))
}

//! References checked once per import instead of once per row. An orders
//! import writes with `foreign_keys` off: SQLite's per-row check opens a
//! cursor on each parent table for every reference of every row, six per
//! order and its lines, and that was 15 % of the import (2.14 s against
//! 1.80 s for 200,000 lines, docs/PERFORMANCE.md). Before commit, in the
//! same transaction, `dangling` reads every reference of every row the
//! import added and fails on one whose parent does not exist, so a wrong
//! id still rolls the whole import back. (Rows an import rewrites below a
//! mark are not reread: the existing customers' chain rows, which
//! `bulk::rechain_existing_customers` deletes and inserts again from
//! `orders` in one statement, so they name orders that exist.)
//!
//! It reads each table once and looks each distinct parent up once: an
//! import's 200,000 lines name a few thousand products and a few hundred
//! merchants. A reference into rows the same import added (a line's
//! order, an order's new customer) needs no lookup when those rows are
//! one unbroken rowid range, which `dangling` counts. The foreign keys
//! come from the schema itself (`pragma_foreign_key_list`), so a new one is
//! checked without a change here.

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use crate::{Error, Result};

/// The tables an orders import adds rows to. Those with foreign keys are
/// checked; those referred to let references into the import's own rows
/// skip the lookup. (`ops::import` tests compare this with the tables an
/// import grows.)
pub const ORDER_IMPORT_TABLES: [&str; 6] = [
    "customers",
    "imports",
    "orders",
    "order_lines",
    "stock_movements",
    "kpi_paid_orders",
];

/// The highest rowid of each table before the import: rows above it are
/// the import's.
#[derive(Debug, Clone)]
pub struct Marks(Vec<(&'static str, i64)>);

pub fn mark(conn: &Connection, tables: &[&'static str]) -> Result<Marks> {
    let mut marks = Vec::with_capacity(tables.len());
    for t in tables {
        marks.push((*t, top(conn, t)?));
    }
    Ok(Marks(marks))
}

fn top(conn: &Connection, table: &str) -> Result<i64> {
    Ok(conn.query_row(
        &format!("SELECT coalesce(max(rowid), 0) FROM \"{table}\""),
        [],
        |r| r.get(0),
    )?)
}

/// Whether `PRAGMA foreign_keys` is on for this connection.
pub fn enforced(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?)
}

/// Turns per-row reference checks on or off for this connection (outside
/// a transaction: SQLite ignores the pragma inside one).
pub fn enforce(conn: &Connection, on: bool) -> Result<()> {
    conn.execute_batch(if on {
        "PRAGMA foreign_keys = ON;"
    } else {
        "PRAGMA foreign_keys = OFF;"
    })?;
    Ok(())
}

/// One foreign key of a child table: its columns and the parent's.
struct ForeignKey {
    from: Vec<String>,
    table: String,
    to: Vec<String>,
}

impl ForeignKey {
    fn describe(&self) -> String {
        format!(
            "its {} names a {} row that does not exist",
            self.from.join(", "),
            self.table
        )
    }
}

fn foreign_keys(conn: &Connection, table: &str) -> Result<Vec<ForeignKey>> {
    let mut st = conn.prepare(
        "SELECT id, \"table\", \"from\", coalesce(\"to\", '') FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let mut rows = st.query([table])?;
    let mut out: Vec<(i64, ForeignKey)> = Vec::new();
    while let Some(r) = rows.next()? {
        let (id, parent, from, to): (i64, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        match out.last_mut() {
            Some((last, fk)) if *last == id => {
                fk.from.push(from);
                fk.to.push(to);
            }
            _ => out.push((
                id,
                ForeignKey {
                    from: vec![from],
                    table: parent,
                    to: vec![to],
                },
            )),
        }
    }
    let mut fks: Vec<ForeignKey> = out.into_iter().map(|(_, fk)| fk).collect();
    // `REFERENCES parent` without columns names the parent's primary key.
    for fk in &mut fks {
        if fk.to.iter().any(String::is_empty) {
            let pk = primary_key(conn, &fk.table)?;
            if pk.len() != fk.to.len() {
                return Err(Error::Db(format!(
                    "{table}: a foreign key names {} without columns, and {} has no matching primary key",
                    fk.table, fk.table
                )));
            }
            fk.to = pk.into_iter().map(|(name, _)| name).collect();
        }
    }
    Ok(fks)
}

/// A table's primary key columns in key order, with their declared types.
fn primary_key(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    Ok(conn
        .prepare("SELECT name, upper(type) FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Whether `column` of `table` is its rowid (an INTEGER PRIMARY KEY).
fn is_rowid(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    Ok(match primary_key(conn, table)?.as_slice() {
        [(name, ty)] => ty == "INTEGER" && name.eq_ignore_ascii_case(column),
        _ => false,
    })
}

/// A single-column reference and what has been seen of it.
struct Seen {
    fk: usize,
    /// The parent rows this import added, when they are one unbroken
    /// rowid range and the reference is to the rowid: no lookup needed.
    added: Option<(i64, i64)>,
    /// Distinct values to look up, each with the first child row naming it.
    ints: HashMap<i64, i64>,
    others: Vec<(Value, i64)>,
}

/// Fails, naming the first row found, when a row added since `marks`
/// refers to a row that does not exist.
pub fn dangling(conn: &Connection, marks: &Marks) -> Result<()> {
    let mut added: HashMap<&str, Option<(i64, i64)>> = HashMap::new();
    for (table, mark) in &marks.0 {
        let fks = foreign_keys(conn, table)?;
        let mut seen = Vec::new();
        for (i, fk) in fks.iter().enumerate() {
            if let ([_], [to]) = (fk.from.as_slice(), fk.to.as_slice()) {
                let range = match marks.0.iter().find(|(t, _)| *t == fk.table) {
                    Some((parent, pmark)) if is_rowid(conn, parent, to)? => match added.get(parent) {
                        Some(r) => *r,
                        None => {
                            let r = unbroken(conn, parent, *pmark)?;
                            added.insert(parent, r);
                            r
                        }
                    },
                    _ => None,
                };
                seen.push(Seen {
                    fk: i,
                    added: range,
                    ints: HashMap::new(),
                    others: Vec::new(),
                });
            } else {
                composite(conn, table, *mark, fk)?;
            }
        }
        if seen.is_empty() {
            continue;
        }
        let columns: Vec<String> = seen
            .iter()
            .map(|s| format!("\"{}\"", fks[s.fk].from[0]))
            .collect();
        let mut st = conn.prepare(&format!(
            "SELECT rowid, {} FROM \"{table}\" WHERE rowid > ?1",
            columns.join(", ")
        ))?;
        let mut rows = st.query([mark])?;
        while let Some(r) = rows.next()? {
            let row: i64 = r.get(0)?;
            for (i, s) in seen.iter_mut().enumerate() {
                match r.get_ref(i + 1)? {
                    ValueRef::Null => {}
                    ValueRef::Integer(v) if s.added.is_some_and(|(lo, hi)| v > lo && v <= hi) => {}
                    ValueRef::Integer(v) => {
                        s.ints.entry(v).or_insert(row);
                    }
                    _ => s.others.push((r.get::<_, Value>(i + 1)?, row)),
                }
            }
        }
        for s in seen {
            let fk = &fks[s.fk];
            let mut exists = conn.prepare(&format!(
                "SELECT EXISTS (SELECT 1 FROM \"{}\" WHERE \"{}\" = ?1)",
                fk.table, fk.to[0]
            ))?;
            let mut first_missing: Option<i64> = None;
            for (v, row) in s
                .ints
                .iter()
                .map(|(v, row)| (Value::Integer(*v), *row))
                .chain(s.others)
            {
                if !exists.query_row([&v], |r| r.get::<_, bool>(0))? {
                    first_missing = Some(first_missing.map_or(row, |m| m.min(row)));
                }
            }
            if let Some(row) = first_missing {
                return Err(broken(table, row, fk));
            }
        }
    }
    Ok(())
}

/// The rowids `table` gained past `mark`, when they leave no gap.
fn unbroken(conn: &Connection, table: &str, mark: i64) -> Result<Option<(i64, i64)>> {
    let top = top(conn, table)?;
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM \"{table}\" WHERE rowid > ?1 AND rowid <= ?2"),
        [mark, top],
        |r| r.get(0),
    )?;
    Ok((top > mark && n == top - mark).then_some((mark, top)))
}

/// A reference of more than one column, checked row by row in SQL.
fn composite(conn: &Connection, table: &str, mark: i64, fk: &ForeignKey) -> Result<()> {
    let mut present = Vec::new();
    let mut matches = Vec::new();
    for (from, to) in fk.from.iter().zip(&fk.to) {
        present.push(format!("c.\"{from}\" IS NOT NULL"));
        matches.push(format!("p.\"{to}\" = c.\"{from}\""));
    }
    let sql = format!(
        "SELECT c.rowid FROM \"{table}\" AS c WHERE c.rowid > ?1 AND {} AND NOT EXISTS (SELECT 1 FROM \"{}\" AS p WHERE {}) LIMIT 1",
        present.join(" AND "),
        fk.table,
        matches.join(" AND ")
    );
    let row: Option<i64> = conn
        .prepare(&sql)?
        .query([mark])?
        .next()?
        .map(|r| r.get(0))
        .transpose()?;
    match row {
        Some(row) => Err(broken(table, row, fk)),
        None => Ok(()),
    }
}

fn broken(table: &str, row: i64, fk: &ForeignKey) -> Error {
    Error::Db(format!(
        "{table} row {row}: {} (import bug; nothing was written)",
        fk.describe()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), p_code TEXT REFERENCES p (code),
                 a INTEGER, b TEXT, FOREIGN KEY (a, b) REFERENCES p (id, code));
             INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b');
             INSERT INTO c (p_id, p_code) VALUES (1, 'a'), (9, NULL);",
        )
        .unwrap();
        conn
    }

    fn err(conn: &Connection, marks: &Marks) -> String {
        dangling(conn, marks).unwrap_err().to_string()
    }

    #[test]
    fn finds_a_missing_parent_only_past_the_mark() {
        let conn = shop();
        // Row 2 (before the mark) dangles already: not this import's.
        let marks = mark(&conn, &["c"]).unwrap();
        assert!(dangling(&conn, &marks).is_ok());
        conn.execute_batch(
            "INSERT INTO c (p_id, p_code, a, b) VALUES (2, 'b', 1, 'a'), (NULL, NULL, NULL, 'x')",
        )
        .unwrap();
        assert!(dangling(&conn, &marks).is_ok());
        conn.execute_batch("INSERT INTO c (p_id, p_code) VALUES (2, 'zz')")
            .unwrap();
        assert!(err(&conn, &marks).contains("c row 5: its p_code names a p row"));
        conn.execute_batch("DELETE FROM c WHERE id = 5; INSERT INTO c (p_id) VALUES (2), (3), (3)")
            .unwrap();
        assert!(err(&conn, &marks).contains("c row 6: its p_id names a p row"));
        conn.execute_batch("DELETE FROM c WHERE id > 4; INSERT INTO c (a, b) VALUES (1, 'b')")
            .unwrap();
        assert!(err(&conn, &marks).contains("its a, b names a p row"));
    }

    #[test]
    fn a_reference_into_the_imports_own_rows_is_checked_too() {
        let conn = shop();
        let marks = mark(&conn, &["p", "c"]).unwrap();
        // New parents 3..=4 and children naming them: no lookup needed.
        conn.execute_batch(
            "INSERT INTO p (id, code) VALUES (3, 'c'), (4, 'd'); INSERT INTO c (p_id) VALUES (3), (4)",
        )
        .unwrap();
        assert!(dangling(&conn, &marks).is_ok());
        // A gap in the new parents (5 missing): 6 is looked up, and 5 fails.
        conn.execute_batch("INSERT INTO p (id, code) VALUES (6, 'f'); INSERT INTO c (p_id) VALUES (6), (5)")
            .unwrap();
        assert!(err(&conn, &marks).contains("c row 6: its p_id names a p row"));
        // Past the new parents' end.
        conn.execute_batch(
            "DELETE FROM c WHERE p_id = 5; DELETE FROM p WHERE id = 6; INSERT INTO c (p_id) VALUES (5)",
        )
        .unwrap();
        assert!(err(&conn, &marks).contains("its p_id names a p row"));
    }

    #[test]
    fn a_reference_without_columns_names_the_parents_primary_key() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE k (code TEXT PRIMARY KEY);
             CREATE TABLE n (id INTEGER PRIMARY KEY);
             CREATE TABLE c (id INTEGER PRIMARY KEY, k_code TEXT REFERENCES k, n_id INTEGER REFERENCES n);
             INSERT INTO k VALUES ('a'); INSERT INTO n VALUES (5);",
        )
        .unwrap();
        let marks = mark(&conn, &["c"]).unwrap();
        conn.execute_batch("INSERT INTO c (k_code, n_id) VALUES ('a', 5)")
            .unwrap();
        assert!(dangling(&conn, &marks).is_ok());
        conn.execute_batch("INSERT INTO c (k_code, n_id) VALUES ('b', 5)")
            .unwrap();
        assert!(err(&conn, &marks).contains("c row 2: its k_code names a k row"));
        conn.execute_batch("UPDATE c SET k_code = 'a', n_id = 6 WHERE id = 2")
            .unwrap();
        assert!(err(&conn, &marks).contains("c row 2: its n_id names a n row"));
    }

    #[test]
    fn the_pragma_is_per_connection_and_restorable() {
        let conn = shop();
        enforce(&conn, true).unwrap();
        assert!(enforced(&conn).unwrap());
        enforce(&conn, false).unwrap();
        assert!(!enforced(&conn).unwrap());
    }
}

//! Which rows break a constraint `integrity_check` found broken.
//!
//! SQLite reports "CHECK constraint failed in orders" or "NULL value in
//! orders.status" and stops there. To name the row and the constraint, each
//! row of that table is inserted over itself inside a savepoint that is then
//! rolled back: SQLite tests NOT NULL and CHECK constraints before the
//! primary key, so a sound row fails only on its own key ("UNIQUE constraint
//! failed") and a bad one fails naming the constraint it breaks. Nothing is
//! written; the probe only runs on a table already reported broken.

use rusqlite::{Connection, ErrorCode, OptionalExtension};

use crate::Result;

/// The integrity lines, with every constraint line replaced by one line per
/// offending row (at most `max` lines in all).
pub(super) fn explain(conn: &Connection, lines: &[String], max: usize) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut probed: Vec<String> = Vec::new();
    for line in lines {
        if out.len() >= max {
            break;
        }
        let Some(table) = constraint_table(line) else {
            out.push(line.clone());
            continue;
        };
        if probed.iter().any(|t| t == table) {
            continue;
        }
        probed.push(table.to_string());
        match locate(conn, table, max - out.len()) {
            Ok(rows) if !rows.is_empty() => out.extend(rows),
            Ok(_) => out.push(line.clone()),
            Err(e) => out.push(format!("{line} (rows not located: {e})")),
        }
    }
    Ok(out)
}

/// The table of a "CHECK constraint failed in T" or "NULL value in T.c" line.
fn constraint_table(line: &str) -> Option<&str> {
    if let Some(t) = line.strip_prefix("CHECK constraint failed in ") {
        return Some(t.trim());
    }
    let rest = line.strip_prefix("NULL value in ")?;
    rest.split_once('.').map(|(t, _)| t)
}

fn locate(conn: &Connection, table: &str, max: usize) -> Result<Vec<String>> {
    // The name comes from the file: use it only if it is a real table, and
    // quoted as an identifier.
    let known: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = known else {
        return Ok(Vec::new());
    };
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let rowids: Vec<i64> = {
        let mut st = conn
            .prepare(&format!("SELECT rowid FROM main.{quoted} ORDER BY rowid"))
            .map_err(|_| crate::Error::Db(format!("{name} has no rowid to name rows by")))?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.execute_batch("SAVEPOINT check_constraints")?;
    let found = probe(conn, &name, &quoted, &rowids, max);
    // Whatever the probe did, nothing of it stays.
    let undo = conn.execute_batch("ROLLBACK TO check_constraints; RELEASE check_constraints");
    let found = found?;
    undo?;
    Ok(found)
}

fn probe(conn: &Connection, name: &str, quoted: &str, rowids: &[i64], max: usize) -> Result<Vec<String>> {
    let mut st = conn.prepare(&format!(
        "INSERT INTO main.{quoted} SELECT * FROM main.{quoted} WHERE rowid = ?1"
    ))?;
    let mut found = Vec::new();
    for &rowid in rowids {
        if found.len() >= max {
            break;
        }
        match st.execute([rowid]) {
            Err(rusqlite::Error::SqliteFailure(f, msg))
                if f.code == ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_CHECK | rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL
                    ) =>
            {
                let what = msg.unwrap_or_else(|| "constraint failed".to_string());
                found.push(format!("{name} row {rowid}: {}", clip(&what)));
            }
            // A sound row fails on its own key (or, with no declared key,
            // inserts a copy the savepoint drops).
            _ => {}
        }
    }
    Ok(found)
}

/// Constraint text can be long (a status list) and spread over lines as
/// schema.sql writes it: one line, and the start names it.
fn clip(s: &str) -> String {
    const MAX: usize = 160;
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

//! Buffered INSERTs for bulk imports. Multi-row statements pay the
//! per-statement costs (and the statement journal) once per two hundred
//! rows. Measured on `import orders` (benches/import.rs, 2026-12-01, with
//! the per-order audit rows gone): cheaper than one row per statement for
//! orders, order lines and customers alike; the catalog imports' audit
//! rows still go one per statement (`single_rows`, measured faster in
//! 2026-11). Buffering also lets ids be assigned up front; callers flush
//! parents before children, so foreign keys stay checked immediately.

use rusqlite::Connection;
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use crate::Result;

/// SQLite's default limit on bound parameters is 32766; stay well inside it.
const MAX_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 200;

/// Rows buffered for one table, written `rows_per_stmt` at a time. Values
/// may borrow from the caller's rows (`'a`): copying every text field into
/// a String of its own was a measurable share of an import.
pub struct Batch<'a> {
    prefix: &'static str,
    cols: usize,
    rows_per_stmt: usize,
    /// Statements for `rows_per_stmt` rows and for each power of two below
    /// it, so any number of rows is written by a few cached statements.
    sizes: Vec<(usize, String)>,
    buf: Vec<Cell<'a>>,
    /// The text of `Cell::Copied` values, one buffer for every row until
    /// `flush` (a String per field was a measurable share of an import).
    arena: String,
}

/// One buffered value.
enum Cell<'a> {
    Value(ToSqlOutput<'a>),
    /// Text copied into the batch's arena: its byte range.
    Copied(usize, usize),
}

/// A value for `push_copied`: text is copied into the batch.
pub enum Field<'s> {
    Value(ToSqlOutput<'static>),
    Text(&'s str),
    OptText(Option<&'s str>),
}

/// A buffered value as bound, its text borrowed from the arena.
enum Bound<'x, 'a> {
    Value(&'x ToSqlOutput<'a>),
    Text(&'x [u8]),
}

impl<'x, 'a> Bound<'x, 'a> {
    fn of(arena: &'x [u8], c: &'x Cell<'a>) -> Self {
        match c {
            Cell::Value(v) => Bound::Value(v),
            Cell::Copied(a, b) => Bound::Text(arena.get(*a..*b).unwrap_or_default()),
        }
    }
}

impl ToSql for Bound<'_, '_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Bound::Value(v) => v.to_sql(),
            Bound::Text(t) => Ok(ToSqlOutput::Borrowed(ValueRef::Text(t))),
        }
    }
}

impl<'a> Batch<'a> {
    /// `prefix` is "INSERT INTO t (a, b, c) VALUES " with `cols` columns.
    pub fn new(prefix: &'static str, cols: usize) -> Batch<'a> {
        Self::with_rows(prefix, cols, (MAX_PARAMS / cols).clamp(1, MAX_ROWS))
    }

    /// One row per statement: no statement journal (a one-row INSERT
    /// without triggers cannot fail half way); measured faster for the
    /// catalog imports' audit rows.
    pub fn single_rows(prefix: &'static str, cols: usize) -> Batch<'a> {
        Self::with_rows(prefix, cols, 1)
    }

    fn with_rows(prefix: &'static str, cols: usize, rows_per_stmt: usize) -> Batch<'a> {
        let one = format!("({})", vec!["?"; cols].join(","));
        let mut counts = vec![rows_per_stmt];
        let mut p = rows_per_stmt.next_power_of_two() / 2;
        while p >= 1 {
            if p < rows_per_stmt {
                counts.push(p);
            }
            p /= 2;
        }
        let sizes = counts
            .into_iter()
            .map(|n| (n, format!("{prefix}{}", vec![one.as_str(); n].join(","))))
            .collect();
        Batch {
            prefix,
            cols,
            rows_per_stmt,
            sizes,
            buf: Vec::with_capacity(cols * rows_per_stmt),
            arena: String::new(),
        }
    }

    /// Buffers one row (exactly `cols` values). Nothing is written until `flush`.
    pub fn push(&mut self, row: impl IntoIterator<Item = ToSqlOutput<'a>>) {
        let before = self.buf.len();
        self.buf.extend(row.into_iter().map(Cell::Value));
        debug_assert_eq!(self.buf.len() - before, self.cols, "{}", self.prefix);
    }

    /// Buffers one row whose text is copied, so the row need not outlive
    /// the batch.
    pub fn push_copied<'s>(&mut self, row: impl IntoIterator<Item = Field<'s>>) {
        let before = self.buf.len();
        for f in row {
            let cell = match f {
                Field::Value(v) => Cell::Value(v),
                Field::OptText(None) => Cell::Value(ToSqlOutput::Owned(Value::Null)),
                Field::Text(t) | Field::OptText(Some(t)) => {
                    let start = self.arena.len();
                    self.arena.push_str(t);
                    Cell::Copied(start, self.arena.len())
                }
            };
            self.buf.push(cell);
        }
        debug_assert_eq!(self.buf.len() - before, self.cols, "{}", self.prefix);
    }

    /// Rows buffered.
    pub fn rows(&self) -> usize {
        self.buf.len() / self.cols
    }

    /// Whether a full statement's worth of rows is buffered.
    pub fn is_full(&self) -> bool {
        self.rows() >= self.rows_per_stmt
    }

    /// Writes what is buffered, largest statements first.
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        let mut rest = &self.buf[..];
        let arena = self.arena.as_bytes();
        for (n, sql) in &self.sizes {
            let width = n * self.cols;
            if rest.len() < width {
                continue;
            }
            let mut st = conn.prepare_cached(sql)?;
            while rest.len() >= width {
                st.execute(rusqlite::params_from_iter(
                    rest[..width].iter().map(|c| Bound::of(arena, c)),
                ))?;
                rest = &rest[width..];
            }
        }
        self.buf.clear();
        self.arena.clear();
        Ok(())
    }
}

/// Text borrowed from the caller's row.
pub fn text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

pub fn opt_text(s: Option<&str>) -> ToSqlOutput<'_> {
    s.map_or(ToSqlOutput::Owned(Value::Null), text)
}

/// Text made for this row (a formatted time).
pub fn owned_text(s: String) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(Value::Text(s))
}

pub fn opt_owned_text(s: Option<String>) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(s.map_or(Value::Null, Value::Text))
}

pub fn int(n: i64) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(Value::Integer(n))
}

pub fn owned(v: Value) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(v)
}

/// The next free id of a table with an INTEGER PRIMARY KEY `id`; valid while
/// the caller holds the write transaction.
pub fn next_id(conn: &Connection, table: &str) -> Result<i64> {
    let max: Option<i64> = conn.query_row(&format!("SELECT max(id) FROM {table}"), [], |r| r.get(0))?;
    Ok(max.unwrap_or(0) + 1)
}

//! Multi-row INSERTs for the seed's biggest tables: rows are buffered and
//! written [`ROWS`] to a statement, which spares SQLite a statement step
//! and reset and rusqlite a bind-and-execute round per row (the audit
//! history's 4.9 million rows, the rollups' millions). The rows land in
//! the order they were pushed, with the same rowids as one by one.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::Result;

/// Rows per statement: well under SQLite's 32,766 parameters for the
/// widest table here (ten columns), and past the point where longer
/// statements stop paying.
pub const ROWS: usize = 64;

pub struct Batch {
    /// `INSERT INTO t (a, b, c)`.
    head: &'static str,
    cols: usize,
    vals: Vec<Value>,
    /// The statement for a full batch, built once.
    full: String,
}

impl Batch {
    pub fn new(head: &'static str, cols: usize) -> Batch {
        Batch {
            head,
            cols,
            vals: Vec::with_capacity(cols * ROWS),
            full: sql(head, cols, ROWS),
        }
    }

    /// Buffers one row (`cols` values); writes the batch once it is full.
    pub fn push(&mut self, conn: &Connection, row: impl IntoIterator<Item = Value>) -> Result<()> {
        self.vals.extend(row);
        if self.vals.len() >= self.cols * ROWS {
            conn.prepare_cached(&self.full)?
                .execute(params_from_iter(self.vals.drain(..)))?;
        }
        Ok(())
    }

    /// Writes what is buffered (a short last batch in one statement).
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.vals.is_empty() {
            return Ok(());
        }
        let rows = self.vals.len().div_ceil(self.cols);
        conn.prepare(&sql(self.head, self.cols, rows))?
            .execute(params_from_iter(self.vals.drain(..)))?;
        Ok(())
    }
}

fn sql(head: &str, cols: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; cols].join(", "));
    format!("{head} VALUES {}", vec![one.as_str(); rows].join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_land_in_order_full_batches_and_the_rest() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);")
            .unwrap();
        let mut b = Batch::new("INSERT INTO t (a, b)", 2);
        let n = ROWS * 2 + 5;
        for i in 0..n as i64 {
            b.push(&conn, [Value::Text(format!("r{i}")), Value::Integer(i)])
                .unwrap();
        }
        b.flush(&conn).unwrap();
        b.flush(&conn).unwrap();
        let (count, bad): (i64, i64) = conn
            .query_row(
                "SELECT count(*), sum(a <> 'r' || b OR id <> b + 1) FROM t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((count, bad), (n as i64, 0));
    }
}

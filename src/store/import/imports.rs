//! The `imports` record: one row per import that wrote orders, which each
//! of those orders names (orders.import_id).

use rusqlite::{Connection, params};

use crate::Result;
use crate::store::audit::Hash;

/// An import as it starts: the file and who runs it.
#[derive(Debug, Clone, Copy)]
pub struct NewImport<'a> {
    pub kind: &'a str,
    /// The file's name without its directory ("orders-1130.csv").
    pub file_name: &'a str,
    pub file_sha256: &'a Hash,
    pub actor: &'a str,
    pub at: &'a str,
}

/// What an import held and wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub lines: u64,
    pub orders_new: usize,
    pub orders_present: usize,
    pub orders_changed: usize,
    pub rows_rejected: usize,
    /// The ids of the orders it created (a contiguous range), when any.
    pub first_order_id: Option<i64>,
    pub last_order_id: Option<i64>,
}

/// Starts the record (before the orders that will name it); returns its id,
/// the batch number people see.
pub fn begin(conn: &Connection, i: &NewImport<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO imports (kind, file_name, file_sha256, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![i.kind, i.file_name, i.file_sha256, i.actor, i.at])?;
    Ok(conn.last_insert_rowid())
}

/// Sets the file's SHA-256 when the record was begun before the file was
/// read to its end.
pub fn set_sha256(conn: &Connection, id: i64, sha: &Hash) -> Result<()> {
    conn.prepare_cached("UPDATE imports SET file_sha256 = ?2 WHERE id = ?1")?
        .execute(params![id, sha])?;
    Ok(())
}

/// Fills in what the import did.
pub fn finish(conn: &Connection, id: i64, c: &Counts) -> Result<()> {
    conn.prepare_cached(
        "UPDATE imports SET lines = ?2, orders_new = ?3, orders_present = ?4, orders_changed = ?5,
            rows_rejected = ?6, first_order_id = ?7, last_order_id = ?8 WHERE id = ?1",
    )?
    .execute(params![
        id,
        c.lines as i64,
        c.orders_new as i64,
        c.orders_present as i64,
        c.orders_changed as i64,
        c.rows_rejected as i64,
        c.first_order_id,
        c.last_order_id
    ])?;
    Ok(())
}

/// An import as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub file_sha256: Hash,
    pub actor: String,
    pub at: String,
    pub counts: Counts,
}

/// The import with this id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Import>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT id, kind, file_name, file_sha256, actor, at, lines, orders_new, orders_present,
                    orders_changed, rows_rejected, first_order_id, last_order_id
             FROM imports WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Import {
                id: r.get(0)?,
                kind: r.get(1)?,
                file_name: r.get(2)?,
                file_sha256: r.get(3)?,
                actor: r.get(4)?,
                at: r.get(5)?,
                counts: Counts {
                    lines: r.get::<_, i64>(6)?.max(0) as u64,
                    orders_new: r.get::<_, i64>(7)?.max(0) as usize,
                    orders_present: r.get::<_, i64>(8)?.max(0) as usize,
                    orders_changed: r.get::<_, i64>(9)?.max(0) as usize,
                    rows_rejected: r.get::<_, i64>(10)?.max(0) as usize,
                    first_order_id: r.get(11)?,
                    last_order_id: r.get(12)?,
                },
            })
        })
        .optional()?)
}

/// The import an order names, if it was imported.
pub fn of_order(conn: &Connection, order_id: i64) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT import_id FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

//! An entity's audit history for detail views: the rows, and what each
//! changed (`store::audit` reads them; this is the screens' way in).

use rusqlite::Connection;

use crate::Result;
pub use crate::store::audit::{Change, REASON_FIELDS, REASON_SEP, Row, changes, reason};

/// The newest `limit` rows about `entity` `id`, oldest first.
pub fn of(conn: &Connection, entity: &str, id: i64, limit: usize) -> Result<Vec<Row>> {
    crate::store::audit::history(conn, entity, id, limit)
}

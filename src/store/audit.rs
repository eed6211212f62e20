//! The audit log: one row per change, chained by SHA-256 so that editing or
//! deleting a row by hand is detectable.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// A SHA-256, as stored (a 32-byte BLOB).
pub type Hash = [u8; 32];

/// The hash the first row chains from.
pub const GENESIS: Hash = [0; 32];

/// One change, as the workflow layer describes it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A row as stored, for history views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// The hash of a row's content chained to the previous row's hash. Fields are
/// separated by a unit separator and absent JSON is marked, so no two
/// different rows hash the same text. Keyed (HMAC) when the shop has an
/// audit key (see `check::key`). The previous hash goes in as 64 lowercase
/// hex digits, as schema 1 and 2 stored it: the chain of a file written then
/// still verifies after its hashes became BLOBs (schema 3).
pub fn row_hash(prev: &Hash, r: &Row) -> Hash {
    let mut h = super::check::key::ChainHasher::new();
    let prev = hex::encode(prev);
    for part in [
        prev.as_str(),
        &r.id.to_string(),
        &r.at,
        &r.actor,
        &r.entity,
        &r.entity_id.to_string(),
        &r.action,
        r.before_json.as_deref().unwrap_or("\u{0}"),
        r.after_json.as_deref().unwrap_or("\u{0}"),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.finalize()
}

/// Appends an entry; call inside the transaction that made the change.
pub fn append(conn: &Connection, e: &Entry<'_>) -> Result<i64> {
    let last: Option<(i64, Hash)> = conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS),
    };
    let mut row = Row {
        id,
        at: e.at.to_string(),
        actor: e.actor.to_string(),
        entity: e.entity.to_string(),
        entity_id: e.entity_id,
        action: e.action.to_string(),
        before_json: e.before.as_ref().map(|v| v.to_string()),
        after_json: e.after.as_ref().map(|v| v.to_string()),
        prev_hash: prev,
        hash: GENESIS,
    };
    row.hash = row_hash(&row.prev_hash, &row);
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            row.id,
            row.at,
            row.actor,
            row.entity,
            row.entity_id,
            row.action,
            row.before_json,
            row.after_json,
            row.prev_hash,
            row.hash
        ],
    )?;
    Ok(id)
}

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        entity: r.get(3)?,
        entity_id: r.get(4)?,
        action: r.get(5)?,
        before_json: r.get(6)?,
        after_json: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

const COLUMNS: &str = "id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash";

/// The history of one entity, oldest first. An imported order's history
/// starts with its import's row (entity "import", the import's id), whose
/// action reads "imported from FILE (batch N)": an import audits itself
/// once, not each order it writes.
pub fn history(conn: &Connection, entity: &str, entity_id: i64, limit: usize) -> Result<Vec<Row>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM (SELECT * FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT ?3) ORDER BY id"
    ))?;
    let rows = st.query_map(params![entity, entity_id, limit as i64], map_row)?;
    let mut rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    if entity == "order"
        && let Some(import) = import_of_order(conn, entity_id)?
    {
        rows.insert(0, import);
    }
    Ok(rows)
}

/// The audit row of the import that created order `id`, its action spelled
/// out for history views; None for an order that was not imported.
fn import_of_order(conn: &Connection, id: i64) -> Result<Option<Row>> {
    let found: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT i.id, i.file_name FROM orders o JOIN imports i ON i.id = o.import_id WHERE o.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((batch, file)) = found else {
        return Ok(None);
    };
    let row = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE entity = 'import' AND entity_id = ?1 ORDER BY id LIMIT 1"
        ))?
        .query_row([batch], map_row)
        .optional()?;
    Ok(row.map(|mut r| {
        r.action = format!("imported from {file} (batch {batch})");
        r
    }))
}

/// Walks the whole chain; returns a description of the first broken row.
pub fn verify_chain(conn: &Connection) -> Result<Option<String>> {
    let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS;
    let mut expected_id = 1;
    while let Some(r) = rows.next()? {
        let row = map_row(r)?;
        if row.id != expected_id {
            return Ok(Some(format!(
                "audit_log row {expected_id} is missing (next row is {})",
                row.id
            )));
        }
        if row.prev_hash != prev {
            return Ok(Some(format!(
                "audit_log row {} does not chain to row {} (prev_hash differs)",
                row.id,
                row.id - 1
            )));
        }
        if row_hash(&prev, &row) != row.hash {
            return Ok(Some(format!(
                "audit_log row {} ({} {} {} by {}) was altered: its content does not match its hash",
                row.id, row.entity, row.entity_id, row.action, row.actor
            )));
        }
        prev = row.hash;
        expected_id += 1;
    }
    Ok(None)
}

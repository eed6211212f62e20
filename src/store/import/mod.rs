//! SQL for imports and exports: lookups and inserts for the import kinds,
//! a cheap audit appender for bulk work, and streaming export queries.

pub mod batch;
pub mod catalog;
pub mod check;
pub mod documents;
pub mod export;
pub mod imports;
pub mod orders;
pub mod refs;
pub mod rollups;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use batch::Batch;

use super::audit::{self, GENESIS, Hash};
use crate::Result;

/// Appends audit rows for a bulk import inside its transaction: the same
/// rows and hash chain as `audit::append`, but the chain head is read once
/// and kept in memory and the INSERT stays prepared, so a row costs one
/// SHA-256 and one INSERT. Call `finish` before commit.
pub struct AuditBatch {
    next_id: i64,
    prev: Hash,
    actor: String,
    at: String,
    rows: Batch<'static>,
}

impl AuditBatch {
    pub fn start(conn: &Connection, actor: &str, at: &str) -> Result<AuditBatch> {
        let last: Option<(i64, Hash)> = conn
            .query_row(
                "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (next_id, prev) = match last {
            Some((id, hash)) => (id + 1, hash),
            None => (1, GENESIS),
        };
        Ok(AuditBatch {
            next_id,
            prev,
            actor: actor.to_string(),
            at: at.to_string(),
            rows: Batch::single_rows(
                "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json,
                    prev_hash, hash) VALUES ",
                10,
            ),
        })
    }

    /// One created entity: no `before`, `after` as compact JSON text.
    pub fn created(
        &mut self,
        conn: &Connection,
        entity: &str,
        entity_id: i64,
        action: &str,
        after_json: String,
    ) -> Result<()> {
        let mut row = audit::Row {
            id: self.next_id,
            at: self.at.clone(),
            actor: self.actor.clone(),
            entity: entity.to_string(),
            entity_id,
            action: action.to_string(),
            before_json: None,
            after_json: Some(after_json),
            prev_hash: self.prev,
            hash: GENESIS,
        };
        row.hash = audit::row_hash(&row.prev_hash, &row);
        self.prev = row.hash;
        self.next_id += 1;
        self.rows.push(
            [
                Value::Integer(row.id),
                Value::Text(row.at),
                Value::Text(row.actor),
                Value::Text(row.entity),
                Value::Integer(row.entity_id),
                Value::Text(row.action),
                Value::Null,
                row.after_json.map_or(Value::Null, Value::Text),
                Value::Blob(row.prev_hash.to_vec()),
                Value::Blob(row.hash.to_vec()),
            ]
            .map(batch::owned),
        );
        if self.rows.is_full() {
            self.rows.flush(conn)?;
        }
        Ok(())
    }

    /// Writes the buffered rows.
    pub fn finish(&mut self, conn: &Connection) -> Result<()> {
        self.rows.flush(conn)
    }
}

/// A merchant's id and status by its code.
pub fn merchant_by_code(conn: &Connection, code: &str) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, status FROM merchants WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A product's id by its merchant and SKU.
pub fn product_by_sku(conn: &Connection, merchant_id: i64, sku: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM products WHERE merchant_id = ?1 AND sku = ?2")?
        .query_row(params![merchant_id, sku], |r| r.get(0))
        .optional()?)
}

/// Orders in the shop, from the trigger-kept status counts (no table scan).
pub fn order_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(n), 0) FROM status_counts WHERE entity = 'order'",
        [],
        |r| r.get(0),
    )?)
}

/// What `tune_for_bulk` changed, for `end_bulk` to put back.
#[derive(Debug, Clone, Copy)]
pub struct Tuned {
    cache_size: i64,
}

/// Makes imports faster on this connection until `end_bulk`: a larger page
/// cache (the indexes of a big import stay in memory), temp data in memory,
/// sorting on two threads, room for every statement an import keeps
/// prepared, and stable plans.
pub fn tune_for_bulk(conn: &Connection) -> Result<Tuned> {
    let cache_size: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    // Every statement an import runs stays prepared (the default 16 is too few).
    conn.set_prepared_statement_cache_capacity(64);
    // rusqlite clears a cached statement's bindings when it is returned, and
    // SQLite then re-prepares (re-parses and re-plans) any statement whose plan
    // may depend on a bound value (ORDER BY with `col = ?`, partial indexes):
    // that was a quarter of an import's time. A stable plan costs nothing here.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Index rebuilds (`bulk::set_aside`) sort on both cores.
    conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;")?;
    Ok(Tuned { cache_size })
}

/// Gives the connection its page cache back (a long-lived TUI session must
/// not keep an import's 256 MB).
pub fn end_bulk(conn: &Connection, t: Tuned) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA cache_size = {}; PRAGMA threads = 0; PRAGMA shrink_memory;",
        t.cache_size
    ))?;
    Ok(())
}

/// Row counts of the tables imports write, for reports and tests.
pub fn counts(conn: &Connection) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for t in [
        "merchants",
        "categories",
        "products",
        "customers",
        "orders",
        "order_lines",
        "stock_movements",
        "audit_log",
    ] {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
        out.push((t, n));
    }
    Ok(out)
}

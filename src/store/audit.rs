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
    row_hash_of(
        prev,
        r.id,
        &Text {
            at: &r.at,
            actor: &r.actor,
            entity: &r.entity,
            entity_id: r.entity_id,
            action: &r.action,
            before_json: r.before_json.as_deref(),
            after_json: r.after_json.as_deref(),
        },
    )
}

/// A row's content as text, borrowed: what [`Chain::link`] hashes.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub action: &'a str,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
}

fn row_hash_of(prev: &Hash, id: i64, t: &Text<'_>) -> Hash {
    let mut h = super::check::key::ChainHasher::new();
    let mut hex_prev = [0u8; 64];
    // Cannot fail: the buffer is exactly twice the hash.
    let _ = hex::encode_to_slice(prev, &mut hex_prev);
    let mut ids = itoa_buf::Two::default();
    let (id, entity_id) = ids.format(id, t.entity_id);
    for part in [
        &hex_prev[..],
        id.as_bytes(),
        t.at.as_bytes(),
        t.actor.as_bytes(),
        t.entity.as_bytes(),
        entity_id.as_bytes(),
        t.action.as_bytes(),
        t.before_json.unwrap_or("\u{0}").as_bytes(),
        t.after_json.unwrap_or("\u{0}").as_bytes(),
    ] {
        h.update(part);
        h.update([0x1f]);
    }
    h.finalize()
}

/// Two integers as decimal text without a heap allocation each.
mod itoa_buf {
    use std::io::Write;

    #[derive(Default)]
    pub struct Two {
        a: [u8; 20],
        b: [u8; 20],
    }

    impl Two {
        pub fn format(&mut self, a: i64, b: i64) -> (&str, &str) {
            (put(&mut self.a, a), put(&mut self.b, b))
        }
    }

    fn put(buf: &mut [u8; 20], n: i64) -> &str {
        let mut w = &mut buf[..];
        // An i64 is at most 20 characters: the write cannot run out.
        let _ = write!(w, "{n}");
        let len = 20 - w.len();
        std::str::from_utf8(&buf[..len]).unwrap_or("")
    }
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

/// Appends many rows on one connection with the chain head kept in memory
/// (the demo's history): the same rows and hashes as [`append`], one
/// SHA-256 and one prepared INSERT each. Start it inside the transaction
/// that writes the rows, and let nothing else append meanwhile.
pub struct Chain {
    next_id: i64,
    prev: Hash,
}

impl Chain {
    pub fn start(conn: &Connection) -> Result<Chain> {
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
        Ok(Chain { next_id, prev })
    }

    /// The next row's id, previous hash and hash for `t`, the chain moved
    /// on past it: for a caller that writes the row itself (the seed's
    /// multi-row INSERTs).
    pub fn link(&mut self, t: &Text<'_>) -> (i64, Hash, Hash) {
        let id = self.next_id;
        let prev = self.prev;
        let hash = row_hash_of(&prev, id, t);
        self.prev = hash;
        self.next_id += 1;
        (id, prev, hash)
    }

    pub fn push(&mut self, conn: &Connection, e: &Entry<'_>) -> Result<()> {
        let mut row = Row {
            id: self.next_id,
            at: e.at.to_string(),
            actor: e.actor.to_string(),
            entity: e.entity.to_string(),
            entity_id: e.entity_id,
            action: e.action.to_string(),
            before_json: e.before.as_ref().map(|v| v.to_string()),
            after_json: e.after.as_ref().map(|v| v.to_string()),
            prev_hash: self.prev,
            hash: GENESIS,
        };
        row.hash = row_hash(&row.prev_hash, &row);
        conn.prepare_cached(
            "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
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
        ])?;
        self.prev = row.hash;
        self.next_id += 1;
        Ok(())
    }
}

/// One field an audited change changed, as its before and after images
/// hold it (`None`: the image does not name it).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Fields every save changes, which say nothing to a person reading the
/// history.
const BOOKKEEPING: &[&str] = &["version", "updated_at"];

/// Fields whose new value is the reason or note of the change: history
/// views show them beside the action.
pub const REASON_FIELDS: &[&str] = &[
    "hold_reason",
    "cancel_reason",
    "status_reason",
    "reject_reason",
    "delist_reason",
    "reason",
    "note",
];

/// The after image's description of the change itself (a stock movement's
/// note, a delisting's note, what a scheduled effect acted on): its entries
/// are read as fields the change set.
const EVENT: &str = "change";

/// What a row changed, field by field in name order: the fields whose
/// values differ between the before and after images. A row with no
/// before image (a creation, an event) changed nothing that was there: it
/// yields nothing. Images that are not JSON objects yield nothing.
pub fn changes(r: &Row) -> Vec<Change> {
    let parse = |s: &Option<String>| -> Option<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_str(s.as_deref()?) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        }
    };
    let (Some(before), Some(after)) = (parse(&r.before_json), parse(&r.after_json)) else {
        return Vec::new();
    };
    let event = match after.get(EVENT) {
        Some(serde_json::Value::Object(m)) if before.get(EVENT) != after.get(EVENT) => Some(m),
        _ => None,
    };
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.extend(event.iter().flat_map(|m| m.keys()));
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter(|k| event.is_none() || k.as_str() != EVENT)
        .filter_map(|k| {
            let (b, mut a) = (before.get(k), after.get(k));
            if a.is_none() && b.is_none() {
                a = event.and_then(|m| m.get(k));
            }
            (b != a).then(|| Change {
                field: k.clone(),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

/// Between the reasons of one change in [`reason`]'s text.
pub const REASON_SEP: &str = "; ";

/// The reason or note a row carries: a reason field the change set (see
/// [`REASON_FIELDS`]), or an event's own note.
pub fn reason(r: &Row) -> Option<String> {
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    // Every reason and note the change set (a delisting has both), joined.
    let set: Vec<String> = changes(r)
        .into_iter()
        .filter(|c| REASON_FIELDS.contains(&c.field.as_str()))
        .filter_map(|c| c.after.as_ref().and_then(text))
        .collect();
    if !set.is_empty() {
        return Some(set.join(REASON_SEP));
    }
    if r.before_json.is_none() {
        let after: serde_json::Value = serde_json::from_str(r.after_json.as_deref()?).ok()?;
        return REASON_FIELDS.iter().find_map(|f| after.get(*f).and_then(text));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(before: Option<&str>, after: Option<&str>) -> Row {
        Row {
            id: 1,
            at: "2026-11-20T02:00:00Z".into(),
            actor: "lin".into(),
            entity: "order".into(),
            entity_id: 7,
            action: "hold".into(),
            before_json: before.map(str::to_string),
            after_json: after.map(str::to_string),
            prev_hash: GENESIS,
            hash: GENESIS,
        }
    }

    #[test]
    fn changes_name_the_fields_that_moved_and_skip_bookkeeping() {
        let r = row(
            Some(r#"{"status":"paid","hold_reason":null,"version":3,"updated_at":"a","city":"x"}"#),
            Some(r#"{"status":"on_hold","hold_reason":"address","version":4,"updated_at":"b","city":"x"}"#),
        );
        let c = changes(&r);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["hold_reason", "status"]);
        assert_eq!(c[1].before, Some(serde_json::json!("paid")));
        assert_eq!(c[1].after, Some(serde_json::json!("on_hold")));
        assert_eq!(reason(&r).as_deref(), Some("address"));
    }

    #[test]
    fn a_creation_changes_nothing_and_an_event_keeps_its_note() {
        let r = row(
            None,
            Some(r#"{"status":"in transit","note":"left Shanghai hub"}"#),
        );
        assert!(changes(&r).is_empty());
        assert_eq!(reason(&r).as_deref(), Some("left Shanghai hub"));
        assert!(changes(&row(Some("[1]"), Some("{}"))).is_empty());
    }

    #[test]
    fn a_changes_own_description_reads_as_fields_it_set_and_reasons_join() {
        let r = row(
            Some(r#"{"status":"listed","delist_reason":null,"stock_on_hand":5}"#),
            Some(
                r#"{"status":"delisted","delist_reason":"out_of_stock","stock_on_hand":5,
                    "change":{"note":"供应商断货"}}"#,
            ),
        );
        let fields: Vec<String> = changes(&r).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["delist_reason", "note", "status"]);
        assert_eq!(reason(&r).as_deref(), Some("out_of_stock; 供应商断货"));
    }
}

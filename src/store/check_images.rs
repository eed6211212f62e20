//! Every audited row is what its last audit row says it became.
//!
//! The chain proves the audit rows were not edited; this proves the tables
//! were not edited behind them. For each entity the newest audit row with an
//! after-image (shipment `event` rows describe the event, not the order) is
//! compared with the row as it is now: its version, and every column the
//! image names (status, amounts, a staff login's role and active flag, ...).
//! A row changed with `sqlite3` keeps its old image and is named here; so is
//! an audited row that was deleted, and a changed row (version > 0) whose
//! audit rows were deleted.
//!
//! Imports write their audit rows in bulk and their images are the import's
//! view, not the table's (no version): a row whose last audit row is an
//! import, or that has no audit row at all (a bulk import with one audit
//! row per file, a demo seed), is consistent while it is still at its
//! initial version 0.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value as Json;

use super::{CheckResult, MAX_PROBLEMS, finding};
use crate::Result;

/// An audited entity's table, and the columns that change without an audit
/// row of that entity (stock moves with order workflows, not product ones).
struct Kind {
    entity: &'static str,
    table: &'static str,
    unaudited: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    Kind {
        entity: "staff",
        table: "staff",
        unaudited: &[],
    },
    Kind {
        entity: "settings",
        table: "settings",
        unaudited: &[],
    },
    Kind {
        entity: "order",
        table: "orders",
        unaudited: &[],
    },
    Kind {
        entity: "merchant",
        table: "merchants",
        unaudited: &[],
    },
    Kind {
        entity: "product",
        table: "products",
        unaudited: &["stock_on_hand", "stock_reserved"],
    },
    Kind {
        entity: "ticket",
        table: "tickets",
        unaudited: &[],
    },
];

/// The version a row is inserted with.
const INITIAL_VERSION: i64 = 0;

pub(super) fn audit_images(conn: &Connection) -> Result<CheckResult> {
    let mut problems = Vec::new();
    let demo = is_demo(conn)?;
    compare_images(conn, &mut problems)?;
    for kind in KINDS {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        unaudited_changes(conn, kind, &mut problems)?;
    }
    // `init` audits the settings and the owner, and every later login is
    // added with an audit row: a shop whose staff have no history had its
    // audit log emptied or its staff inserted by hand. The demo seeds its
    // team without audit rows (its settings image keeps the demo's name, so
    // a renamed real shop cannot pass for one).
    for kind in KINDS
        .iter()
        .filter(|k| k.entity == "settings" || (k.entity == "staff" && !demo))
    {
        never_audited(conn, kind, &mut problems)?;
    }
    problems.truncate(MAX_PROBLEMS);
    Ok(finding("audit images", problems))
}

fn is_demo(conn: &Connection) -> Result<bool> {
    let name: Option<String> = conn
        .query_row("SELECT shop_name FROM settings WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    Ok(name.as_deref() == Some(crate::store::seed::DEMO_SHOP_NAME))
}

/// Compares each audited entity's newest after-image with its row. The
/// entities come from the (entity, entity_id, id) index alone, and each
/// image is one seek to the end of its entity's range: the log's other
/// rows are never read.
fn compare_images(conn: &Connection, problems: &mut Vec<String>) -> Result<()> {
    let mut keys =
        conn.prepare("SELECT DISTINCT entity, entity_id FROM audit_log ORDER BY entity, entity_id")?;
    let mut image = conn.prepare(
        "SELECT id, action, after_json FROM audit_log
         WHERE entity = ?1 AND entity_id = ?2 AND action <> 'event' AND after_json IS NOT NULL
         ORDER BY id DESC LIMIT 1",
    )?;
    let mut current = Vec::new();
    for kind in KINDS {
        let st = conn.prepare(&format!("SELECT * FROM {} WHERE id = ?1", kind.table))?;
        let columns: Vec<String> = st.column_names().map(str::to_string).collect();
        current.push((st, columns));
    }
    let mut rows = keys.query([])?;
    while let Some(r) = rows.next()? {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        let entity: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        let Some(k) = KINDS.iter().position(|k| k.entity == entity) else {
            continue;
        };
        let found: Option<(i64, String, String)> = image
            .query_row(rusqlite::params![entity, id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((audit_id, action, after)) = found else {
            continue;
        };
        let (st, columns) = &mut current[k];
        if let Some(p) = compare_one(&KINDS[k], st, columns, id, audit_id, &action, &after)? {
            problems.push(p);
        }
    }
    Ok(())
}

/// One entity's row against its image; `Some(problem)` when they differ.
fn compare_one(
    kind: &Kind,
    current: &mut rusqlite::Statement<'_>,
    columns: &[String],
    id: i64,
    audit_id: i64,
    action: &str,
    after: &str,
) -> Result<Option<String>> {
    let label = format!("{} {id}", kind.entity);
    let Ok(Json::Object(img)) = serde_json::from_str::<Json>(after) else {
        return Ok(Some(format!(
            "{label}: audit row #{audit_id} has an unreadable after-image"
        )));
    };
    let now: Option<Vec<Json>> = current
        .query_row([id], |r| {
            (0..columns.len()).map(|i| r.get_ref(i).map(to_json)).collect()
        })
        .optional()?;
    let Some(now) = now else {
        return Ok(Some(format!(
            "{label} was deleted without an audit row (its last, #{audit_id} {action}, shows it existing)"
        )));
    };
    let col = |name: &str| columns.iter().position(|c| c == name).and_then(|i| now.get(i));
    let version = col("version").and_then(Json::as_i64).unwrap_or(INITIAL_VERSION);
    let expected = img
        .get("version")
        .and_then(Json::as_i64)
        .unwrap_or(INITIAL_VERSION);
    let mut diffs = Vec::new();
    if version != expected {
        diffs.push(format!("version is {version}, the audit says {expected}"));
    }
    for (key, want) in &img {
        if key == "version" || kind.unaudited.contains(&key.as_str()) {
            continue;
        }
        if let Some(have) = col(key)
            && !same(want, have)
        {
            diffs.push(format!("{key} is {have}, the audit says {want}"));
        }
    }
    if diffs.is_empty() {
        return Ok(None);
    }
    let who = img
        .get("login")
        .and_then(Json::as_str)
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    Ok(Some(format!(
        "{label}{who} was changed without an audit row: {} (last audit row #{audit_id}, {action})",
        diffs.join("; ")
    )))
}

/// Rows past their initial version with no audit row at all.
fn unaudited_changes(conn: &Connection, kind: &Kind, problems: &mut Vec<String>) -> Result<()> {
    let mut st = conn.prepare(&format!(
        "SELECT t.id, t.version FROM {} t WHERE t.version <> ?2
           AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = ?1 AND a.entity_id = t.id)
         ORDER BY t.id LIMIT ?3",
        kind.table
    ))?;
    let rows = st.query_map(
        rusqlite::params![kind.entity, INITIAL_VERSION, MAX_PROBLEMS as i64],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )?;
    for r in rows {
        let (id, version) = r?;
        problems.push(format!(
            "{} {id} is at version {version} but has no audit row (changed by hand, or its audit rows were deleted)",
            kind.entity
        ));
    }
    Ok(())
}

/// Rows that must have been audited when they were made, with no audit row.
fn never_audited(conn: &Connection, kind: &Kind, problems: &mut Vec<String>) -> Result<()> {
    let mut st = conn.prepare(&format!(
        "SELECT t.id FROM {} t
         WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = ?1 AND a.entity_id = t.id)
         ORDER BY t.id LIMIT ?2",
        kind.table
    ))?;
    let rows = st.query_map(rusqlite::params![kind.entity, MAX_PROBLEMS as i64], |r| {
        r.get::<_, i64>(0)
    })?;
    for r in rows {
        problems.push(format!(
            "{} {} has no audit row (inserted by hand, or the audit log was emptied)",
            kind.entity, r?
        ));
    }
    Ok(())
}

fn to_json(v: ValueRef<'_>) -> Json {
    match v {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Json::String(hex::encode(b)),
    }
}

/// An image value and a column value agree (JSON booleans are 0/1 columns).
fn same(image: &Json, column: &Json) -> bool {
    match (image, column) {
        (Json::Bool(b), Json::Number(n)) => n.as_i64() == Some(i64::from(*b)),
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        // Nested values (an import's line list) have no column to match.
        (Json::Object(_) | Json::Array(_), _) => true,
        _ => image == column,
    }
}

/// Refunds are written with the change that causes them but are not
/// audited rows themselves; their totals are fixed by what caused them.
pub(super) fn refunds(conn: &Connection) -> Result<CheckResult> {
    let mut problems = Vec::new();
    // Cancelling a paid order in shopdesk refunds what was paid less earlier
    // refunds. (An order imported as cancelled was refunded by its channel,
    // and a demo seed has no audit rows: neither is held to this.)
    let mut st = conn.prepare(
        "SELECT o.id, o.items_minor + o.shipping_minor AS paid, coalesce(r.total, 0)
         FROM orders o
         LEFT JOIN (SELECT order_id, sum(amount_minor) AS total FROM refunds GROUP BY order_id) r
           ON r.order_id = o.id
         WHERE o.status = 'cancelled' AND o.paid_at IS NOT NULL
           AND coalesce(r.total, 0) < o.items_minor + o.shipping_minor
           AND EXISTS (SELECT 1 FROM audit_log a
                       WHERE a.entity = 'order' AND a.entity_id = o.id AND a.action = 'cancel')
         ORDER BY o.id LIMIT ?1",
    )?;
    let rows = st.query_map([MAX_PROBLEMS as i64], |r| {
        Ok(format!(
            "order {}: cancelled after payment of {} but its refunds total {} (a refund row is missing)",
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?
        ))
    })?;
    for r in rows {
        problems.push(r?);
    }
    // A ticket's refund amount is the refund rows written for it.
    let mut st = conn.prepare(
        "SELECT t.id, t.refund_minor, coalesce(r.total, 0)
         FROM tickets t
         LEFT JOIN (SELECT ticket_id, sum(amount_minor) AS total FROM refunds
                    WHERE ticket_id IS NOT NULL GROUP BY ticket_id) r ON r.ticket_id = t.id
         WHERE t.refund_minor <> coalesce(r.total, 0)
         ORDER BY t.id LIMIT ?1",
    )?;
    let rows = st.query_map([MAX_PROBLEMS as i64], |r| {
        Ok(format!(
            "ticket {}: refund of {} but its refund rows total {}",
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?
        ))
    })?;
    for r in rows {
        problems.push(r?);
    }
    // Never more refunded than an order was worth, whatever wrote the rows
    // (the schema's refunds_within_paid trigger refuses it on insert; a
    // bulk load sets that trigger aside).
    let mut st = conn.prepare(
        "SELECT r.order_id, sum(r.amount_minor), o.items_minor + o.shipping_minor
         FROM refunds r JOIN orders o ON o.id = r.order_id
         GROUP BY r.order_id HAVING sum(r.amount_minor) > o.items_minor + o.shipping_minor
         ORDER BY r.order_id LIMIT 20",
    )?;
    let rows = st.query_map([], |r| {
        Ok(format!(
            "order {}: refunds total {} but it was worth {}",
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?
        ))
    })?;
    for r in rows {
        problems.push(r?);
    }
    problems.truncate(MAX_PROBLEMS);
    Ok(finding("refunds", problems))
}

//! Schema 16: merchant settlement (docs/settlement.md). New tables and
//! their triggers; the audit log's entity CHECK gains `settlement`, a
//! CHECK-only change made in place as schema 5 did (`to_v5`), so a large
//! log is not copied.

use rusqlite::Connection;

use crate::Result;
use crate::store::schema_statement;

pub(super) const TABLES: &[&str] = &["settlement_statements", "settlement_lines", "settlement_charges"];

pub(super) const INDEXES: &[&str] = &[
    "orders_completed",
    "orders_delivered",
    "refunds_created",
    "settlement_statements_period",
    "settlement_lines_statement",
    "settlement_charges_statement",
];

const TRIGGERS: &[&str] = &[
    "settlement_statements_no_overlap",
    "settlement_statements_no_overlap_update",
    "settlement_statements_frozen",
    "settlement_statements_keep",
    "settlement_lines_frozen_insert",
    "settlement_lines_frozen_update",
    "settlement_lines_frozen_delete",
    "settlement_charges_frozen_insert",
    "settlement_charges_frozen_update",
    "settlement_charges_frozen_delete",
];

pub(super) fn to_v16(tx: &Connection) -> Result<()> {
    for name in TABLES {
        super::ensure_table(tx, name)?;
    }
    for name in TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(schema_statement("TRIGGER", name)?)?;
    }
    super::replace_checks(tx, &["audit_log"])
}

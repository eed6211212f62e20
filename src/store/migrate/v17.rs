//! Schema 17: Tickets search by order number and customer name from one
//! index range each (issue 10). The tickets table gains `order_external_id`
//! and `customer_name`, copies of its order's number and its customer's
//! name kept by triggers, added in place (as schema 11 added its columns)
//! and filled from the originals; the search indexes are rebuilt wider so
//! either sort key comes from the index.

use rusqlite::Connection;

use crate::Result;
use crate::store::schema_statement;

pub(super) const TICKETS_V17_COLUMNS: &[&str] = &["order_external_id TEXT", "customer_name TEXT"];

pub(super) const INDEXES: &[&str] = &[
    "tickets_order_ref",
    "tickets_customer_name",
    "tickets_customer",
    "tickets_subject",
];

pub(super) const DROP: &[&str] = &[
    "DROP INDEX IF EXISTS tickets_order_ref;",
    "DROP INDEX IF EXISTS tickets_customer_name;",
    "DROP INDEX IF EXISTS tickets_customer;",
    "DROP INDEX IF EXISTS tickets_subject;",
];

const TRIGGERS: &[&str] = &[
    "tickets_refs_ai",
    "tickets_refs_au",
    "orders_ticket_ref_au",
    "customers_ticket_ref_au",
];

/// What a bulk load that set `tickets_refs_ai` aside runs after: every
/// ticket whose copies differ from its order's number and customer's name
/// gets them (the seed writes them as it inserts, so this usually changes
/// nothing).
pub const FILL: &str = "UPDATE tickets SET order_external_id = (SELECT o.external_id FROM orders o WHERE o.id = tickets.order_id),
         customer_name = (SELECT c.name FROM customers c WHERE c.id = tickets.customer_id)
     WHERE order_external_id IS NOT (SELECT o.external_id FROM orders o WHERE o.id = tickets.order_id)
        OR customer_name IS NOT (SELECT c.name FROM customers c WHERE c.id = tickets.customer_id);";

pub(super) fn to_v17(tx: &Connection) -> Result<()> {
    super::later::add_columns(tx, "tickets", TICKETS_V17_COLUMNS)?;
    for name in TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
    }
    // Filled before the triggers and the index exist: one pass, no
    // per-row trigger or index upkeep.
    tx.execute_batch(FILL)?;
    for name in TRIGGERS {
        tx.execute_batch(schema_statement("TRIGGER", name)?)?;
    }
    Ok(())
}

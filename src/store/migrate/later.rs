//! The steps since schema 6 that change tables in place: columns added
//! without their CHECKs and then given schema.sql's text (products, tickets),
//! and the KPI rollups with their view and triggers.

use rusqlite::Connection;

use super::{columns, ensure_table, same_columns, stored_sql};
use crate::Result;

/// The KPI rollup table, view and triggers as schema.sql has them (view and
/// triggers dropped first, so a file that has some of them comes out the
/// same), then the rollups summed from the orders already there.
pub(super) fn to_v7(tx: &Connection) -> Result<()> {
    for table in ["kpi_hours", "kpi_paid_orders"] {
        ensure_table(tx, table)?;
    }
    for index in ["kpi_paid_orders_placed", "kpi_paid_orders_customer"] {
        tx.execute_batch(&format!("DROP INDEX IF EXISTS \"{index}\";"))?;
        tx.execute_batch(crate::store::schema_statement("INDEX", index)?)?;
    }
    for view in ["kpi_order_facts", "kpi_paid_chain"] {
        tx.execute_batch(&format!("DROP VIEW IF EXISTS \"{view}\";"))?;
        tx.execute_batch(crate::store::schema_statement("VIEW", view)?)?;
    }
    for name in KPI_TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(crate::store::schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(crate::store::bulk::KPI_REBUILD)?;
    tx.execute_batch(crate::store::bulk::CHAIN_REBUILD)?;
    Ok(())
}

/// The product sales rollup, its view and triggers as schema.sql has them
/// (view and triggers dropped first, as for the KPI rollups), then summed
/// from the orders already there.
pub(super) fn to_v13(tx: &Connection) -> Result<()> {
    use crate::store::products::sales;
    ensure_table(tx, "product_sales_days")?;
    tx.execute_batch("DROP VIEW IF EXISTS product_sale_facts;")?;
    tx.execute_batch(crate::store::schema_statement("VIEW", "product_sale_facts")?)?;
    for name in sales::TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(crate::store::schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(sales::REBUILD)?;
    Ok(())
}

/// The customer day rollups (issue 14, store/kpi_chain.rs): the table and
/// its triggers on the chains as schema.sql has them, then counted from the
/// chains already there.
pub(super) fn to_v14(tx: &Connection) -> Result<()> {
    ensure_table(tx, "kpi_chain_days")?;
    for name in ["kpi_paid_orders_ai", "kpi_paid_orders_ad", "kpi_paid_orders_au"] {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(crate::store::schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(crate::store::kpi_chain::CHAIN_DAYS_REBUILD)?;
    Ok(())
}

const KPI_TRIGGERS: &[&str] = &[
    "orders_kpi_ai",
    "orders_kpi_bu",
    "orders_kpi_au",
    "orders_kpi_bd",
    "reviews_kpi_ai",
    "reviews_kpi_ad",
    "reviews_kpi_au",
    "refunds_kpi_ai",
    "refunds_kpi_ad",
    "refunds_kpi_au",
    "orders_chain_ai",
    "orders_chain_au",
    "orders_chain_ad",
];

/// The columns schema 6 adds to products, in schema.sql's order and spelling.
pub(super) const PRODUCTS_V6: &[&str] = &[
    "model TEXT NOT NULL DEFAULT ''",
    "branded INTEGER NOT NULL DEFAULT 0 CHECK (branded IN (0, 1))",
    "cost_minor INTEGER CHECK (cost_minor BETWEEN 0 AND 10000000000)",
    "warranty_months INTEGER NOT NULL DEFAULT 0 CHECK (warranty_months BETWEEN 0 AND 1200)",
    "after_sales TEXT NOT NULL DEFAULT '7-day no-reason return'",
    "approved_at TEXT",
];

/// Adds each missing products column (ALTER TABLE puts it after `version`,
/// where schema.sql has it), then the delistings trigger.
pub(super) fn to_v6(tx: &Connection) -> Result<()> {
    add_columns(tx, "products", PRODUCTS_V6)?;
    tx.execute_batch("DROP TRIGGER IF EXISTS products_delisted;")?;
    // The trigger's table must exist first.
    ensure_table(tx, "product_delistings")?;
    tx.execute_batch(crate::store::schema_statement("TRIGGER", "products_delisted")?)?;
    Ok(())
}

/// Adds each of `defs` that `table` lacks, without its CHECK: ALTER TABLE
/// would check every CHECK of the table on every row, and a row already
/// past the money ceiling must not stop the upgrade (`check` names it).
/// The CHECKs come with schema.sql's text, swapped in as in schema 5.
pub(super) fn add_columns(tx: &Connection, table: &str, defs: &[&str]) -> Result<()> {
    let have = columns(tx, table)?;
    for def in defs {
        let name = def.split(' ').next().unwrap_or(def);
        if !have.iter().any(|c| c == name) {
            let bare = def.split(" CHECK").next().unwrap_or(def);
            tx.execute_batch(&format!("ALTER TABLE \"{table}\" ADD COLUMN {bare};"))?;
        }
    }
    let want = super::table_shape(tx, table)?;
    let want = want.as_str();
    if stored_sql(tx, table)?.as_deref() != Some(want) {
        same_columns(tx, table, want)?;
        tx.execute_batch("PRAGMA writable_schema = ON;")?;
        tx.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2",
            [want, table],
        )?;
        let v: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
        tx.execute_batch(&format!(
            "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF;",
            v + 1
        ))?;
    }
    Ok(())
}

/// The columns schema 11 adds to tickets, in order, as schema.sql has them
/// (on the `version` line, where ALTER TABLE ADD COLUMN puts them).
pub(super) const TICKETS_V11_COLUMNS: &[&str] = &[
    "reason TEXT",
    "return_shipping TEXT CHECK (return_shipping IN ('buyer', 'merchant', 'platform'))",
    "first_response_at TEXT",
    "respond_due_at TEXT",
    "responded_at TEXT",
    "ruling_payer TEXT CHECK (ruling_payer IN ('merchant', 'platform', 'split'))",
    "merchant_share_minor INTEGER NOT NULL DEFAULT 0 CHECK (merchant_share_minor BETWEEN 0 AND 10000000000)",
    "pending_refund_minor INTEGER CHECK (pending_refund_minor BETWEEN 1 AND 10000000000)",
    "pending_restock INTEGER NOT NULL DEFAULT 0 CHECK (pending_restock IN (0, 1))",
    "pending_by TEXT",
];

/// Schema 11's ticket columns are added only when missing (so a file with
/// some of them comes out the same), then the refunds trigger.
pub(super) fn to_v11(tx: &Connection) -> Result<()> {
    add_columns(tx, "tickets", TICKETS_V11_COLUMNS)?;
    let trigger: bool = tx.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'trigger' AND name = 'refunds_within_paid'",
        [],
        |r| r.get(0),
    )?;
    if !trigger {
        tx.execute_batch(crate::store::schema_statement("TRIGGER", "refunds_within_paid")?)?;
    }
    Ok(())
}

/// The title pairs table and its triggers as schema.sql has them (triggers
/// dropped first, so a file that has some of them comes out the same), then
/// the pairs of every title already there.
pub(super) fn to_v15(tx: &Connection) -> Result<()> {
    ensure_table(tx, "products_bigrams")?;
    for name in [
        "products_bigrams_ai",
        "products_bigrams_ad",
        "products_bigrams_au",
    ] {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(crate::store::schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(crate::store::bulk::BIGRAMS_REBUILD)?;
    Ok(())
}

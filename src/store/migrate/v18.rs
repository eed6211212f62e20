//! Schema 18: the KPI top-list rollups (docs/kpi.md "top lists"): product
//! months and merchant/category days and months, fed by triggers on the
//! product sales rollup and filled from it once; the ticket first-response
//! hours, kept by triggers on tickets and messages.

use rusqlite::Connection;

use crate::Result;
use crate::store::{kpi_tickets, kpi_tops, schema_statement};

pub(super) const INDEXES: &[&str] = &["kpi_top_months_rank"];

pub(super) fn to_v18(tx: &Connection) -> Result<()> {
    for name in ["kpi_top_months", "kpi_group_sales", "kpi_ticket_hours"] {
        super::ensure_table(tx, name)?;
    }
    tx.execute_batch(&format!(
        "DROP VIEW IF EXISTS kpi_ticket_reply_facts; {}",
        schema_statement("VIEW", "kpi_ticket_reply_facts")?
    ))?;
    for name in kpi_tops::TRIGGERS.iter().chain(&kpi_tickets::TRIGGERS) {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(kpi_tops::REBUILD)?;
    tx.execute_batch(kpi_tickets::REBUILD)?;
    Ok(())
}

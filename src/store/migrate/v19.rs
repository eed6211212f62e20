//! Schema 19: the ticket count rollups (docs/kpi.md "Tickets"): opened,
//! complaints, resolved, SLA and CSAT per UTC hour, tickets opened per
//! hour and reason, kept by triggers on tickets and filled from them once.

use rusqlite::Connection;

use crate::Result;
use crate::store::{kpi_tickets, schema_statement};

pub(super) fn to_v19(tx: &Connection) -> Result<()> {
    for name in ["kpi_ticket_counts", "kpi_ticket_reasons"] {
        super::ensure_table(tx, name)?;
    }
    for view in ["kpi_ticket_open_facts", "kpi_ticket_resolve_facts"] {
        tx.execute_batch(&format!(
            "DROP VIEW IF EXISTS {view}; {}",
            schema_statement("VIEW", view)?
        ))?;
    }
    for name in kpi_tickets::COUNT_TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(kpi_tickets::COUNTS_REBUILD)?;
    Ok(())
}

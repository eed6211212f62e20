//! Schema 17: the KPI top-list rollups (docs/kpi.md "top lists"): product
//! months and merchant/category days and months, fed by triggers on the
//! product sales rollup and filled from it once.

use rusqlite::Connection;

use crate::Result;
use crate::store::{kpi_tops, schema_statement};

pub(super) const INDEXES: &[&str] = &["kpi_top_months_rank"];

pub(super) fn to_v17(tx: &Connection) -> Result<()> {
    for name in ["kpi_top_months", "kpi_group_sales"] {
        super::ensure_table(tx, name)?;
    }
    for name in kpi_tops::TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
        tx.execute_batch(schema_statement("TRIGGER", name)?)?;
    }
    tx.execute_batch(kpi_tops::REBUILD)?;
    Ok(())
}

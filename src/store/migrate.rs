//! Schema migrations. schema.sql is always the newest shape; a file made by
//! an older shopdesk is brought up to `SCHEMA_VERSION` when it is opened,
//! in one write transaction with the version bump (all or nothing; several
//! processes opening an old file at once queue on the write lock and only
//! the first one migrates).

use rusqlite::Connection;

use super::{SCHEMA_VERSION, write_tx};
use crate::Result;

/// A step: what it drops, then the indexes it creates as schema.sql has
/// them (so a migrated file's schema matches a new file's to the byte).
pub(super) struct Step {
    /// The version the step produces.
    pub to: i64,
    pub drop: &'static [&'static str],
    pub create_indexes: &'static [&'static str],
}

/// Oldest first. Every change to schema.sql bumps `SCHEMA_VERSION` and adds
/// a step here.
pub(super) const STEPS: &[Step] = &[
    // The exception queues read their own partial indexes alone: on hold by
    // reason, and open orders by placed time with their ship-by deadline
    // (late to ship).
    Step {
        to: 2,
        drop: &[
            "DROP INDEX IF EXISTS orders_ship_by;",
            "DROP INDEX IF EXISTS orders_hold;",
        ],
        create_indexes: &["orders_hold", "orders_open"],
    },
];

/// The file's schema version.
pub(super) fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Runs the steps the file has not had yet.
pub(super) fn run(conn: &mut Connection) -> Result<()> {
    let tx = write_tx(conn)?;
    let from = version(&tx)?;
    if from >= SCHEMA_VERSION {
        return Ok(());
    }
    for step in STEPS.iter().filter(|s| s.to > from) {
        for sql in step.drop {
            tx.execute_batch(sql)?;
        }
        for name in step.create_indexes {
            tx.execute_batch(super::schema_statement("INDEX", name)?)?;
        }
        tracing::info!("schema migrated to version {}", step.to);
    }
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_in_order_and_reach_the_current_version() {
        let versions: Vec<i64> = STEPS.iter().map(|s| s.to).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert_eq!(versions.last().copied(), Some(SCHEMA_VERSION));
        for step in STEPS {
            for name in step.create_indexes {
                super::super::schema_statement("INDEX", name).unwrap();
            }
        }
    }
}

//! Schema migrations. schema.sql is always the newest shape; a file made by
//! an older shopdesk is brought up to `SCHEMA_VERSION` when it is opened,
//! in one write transaction with the version bump (all or nothing; several
//! processes opening an old file at once queue on the write lock and only
//! the first one migrates).

use rusqlite::{Connection, OptionalExtension};

use super::{SCHEMA_VERSION, write_tx};
use crate::Result;

mod later;
mod steps;
mod v16;
pub(crate) mod v17;
mod v18;
mod v19;

use later::{PRODUCTS_V6, TICKETS_V11_COLUMNS};
use steps::STEPS;

/// The tables whose CHECKs schema 5 changed, and nothing else about them.
pub(super) const CEILING_TABLES: &[&str] = &["products", "orders", "order_lines", "tickets", "refunds"];

/// The column schema 3 adds to orders, as schema.sql has it.
pub(super) const ORDERS_IMPORT_ID: &str = "import_id INTEGER REFERENCES imports (id)";

/// `CREATE TABLE name (...);` exactly as schema.sql has it.
fn schema_table(name: &str) -> Result<&'static str> {
    super::schema_statement("TABLE", name)
}

/// The stored `CREATE` text of a table, None when there is no such table.
fn stored_sql(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Each part is done only when the file lacks it, so a file that already
/// has some of schema 3's shape (tests make v1 files from new ones) comes
/// out the same.
fn to_v3(tx: &Connection) -> Result<()> {
    if stored_sql(tx, "imports")?.is_none() {
        tx.execute_batch(schema_table("imports")?)?;
    }
    let has_import_id: bool = tx.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('orders') WHERE name = 'import_id'",
        [],
        |r| r.get(0),
    )?;
    if !has_import_id {
        tx.execute_batch(&format!("ALTER TABLE orders ADD COLUMN {ORDERS_IMPORT_ID};"))?;
    }
    let audit = schema_table("audit_log")?;
    if stored_sql(tx, "audit_log")?.as_deref() != Some(audit.trim_end_matches(';')) {
        audit_hashes_to_blobs(tx, audit)?;
    }
    Ok(())
}

/// Rebuilds audit_log with its hashes as BLOBs (the hex text decoded) and
/// without the UNIQUE index. The hashed content is unchanged
/// (`audit::row_hash` hashes the previous hash as hex), so the chain still
/// verifies. A hash that is not 64 hex digits stops the upgrade, naming the
/// row: decoding it into anything would destroy the evidence.
fn audit_hashes_to_blobs(tx: &Connection, create: &str) -> Result<()> {
    let bad: Option<i64> = tx
        .query_row(
            "SELECT id FROM audit_log
             WHERE length(CAST(hash AS TEXT)) <> 64 OR unhex(hash) IS NULL
                OR length(CAST(prev_hash AS TEXT)) <> 64 OR unhex(prev_hash) IS NULL
             ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = bad {
        return Err(crate::Error::Db(format!(
            "audit_log row {id}: its hash is not 64 hex digits (the row was edited by hand); restore a backup"
        )));
    }
    tx.execute_batch("ALTER TABLE audit_log RENAME TO audit_log_v2; DROP INDEX IF EXISTS audit_log_entity;")?;
    tx.execute_batch(create)?;
    tx.execute_batch(
        "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash)
         SELECT id, at, actor, entity, entity_id, action, before_json, after_json, unhex(prev_hash), unhex(hash)
         FROM audit_log_v2 ORDER BY id;
         DROP TABLE audit_log_v2;",
    )?;
    tx.execute_batch(super::schema_statement("INDEX", "audit_log_entity")?)?;
    Ok(())
}

/// Creates `name` as schema.sql has it, or rebuilds it when its stored
/// definition differs: the old table is renamed aside, the new one created,
/// the shared columns copied, the old one dropped.
fn ensure_table(tx: &Connection, name: &str) -> Result<()> {
    let want = super::schema_statement("TABLE", name)?;
    let have: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match have {
        None => tx.execute_batch(want)?,
        Some(sql) if format!("{sql};") == want => {}
        Some(_) => {
            let aside = format!("{name}_before_migration");
            tx.execute_batch(&format!("ALTER TABLE \"{name}\" RENAME TO \"{aside}\";"))?;
            tx.execute_batch(want)?;
            let old: Vec<String> = columns(tx, &aside)?;
            let shared: Vec<String> = columns(tx, name)?
                .into_iter()
                .filter(|c| old.contains(c))
                .map(|c| format!("\"{c}\""))
                .collect();
            let list = shared.join(", ");
            tx.execute_batch(&format!(
                "INSERT INTO \"{name}\" ({list}) SELECT {list} FROM \"{aside}\"; DROP TABLE \"{aside}\";"
            ))?;
        }
    }
    Ok(())
}

/// Schema 5 changes only CHECK constraints: the money ceiling.
fn to_v5(tx: &Connection) -> Result<()> {
    replace_checks(tx, CEILING_TABLES)
}

/// Schema 20 writes the orders' and stock movements' CHECK lists as OR
/// chains (schema.sql says why); what they allow is unchanged.
fn to_v20(tx: &Connection) -> Result<()> {
    replace_checks(tx, &["orders", "stock_movements"])
}

/// For a step that changes only CHECK constraints, which SQLite evaluates
/// when a row is written and never stores in it: each table's stored
/// `CREATE` text is replaced with schema.sql's in place (SQLite's
/// documented way for such changes: writable_schema, then a
/// schema_version bump, in this same transaction) rather than copying
/// every order and line into a new table. Rows a tightened CHECK would
/// refuse are left as they are: `check` names them.
fn replace_checks(tx: &Connection, tables: &[&str]) -> Result<()> {
    let mut changed = false;
    for name in tables {
        let want = table_shape(tx, name)?;
        let want = want.as_str();
        if stored_sql(tx, name)?.as_deref() == Some(want) {
            continue;
        }
        same_columns(tx, name, want)?;
        if !changed {
            tx.execute_batch("PRAGMA writable_schema = ON;")?;
            changed = true;
        }
        tx.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2",
            [want, name],
        )?;
    }
    if changed {
        let v: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
        tx.execute_batch(&format!(
            "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF;",
            v + 1
        ))?;
    }
    Ok(())
}

fn columns(tx: &Connection, table: &str) -> Result<Vec<String>> {
    let mut st = tx.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let rows = st.query_map([table], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses to swap `name`'s definition for `create` unless the two have the
/// same columns in the same order (rows are stored by position): `create` is
/// tried on a scratch temp table first.
fn same_columns(tx: &Connection, name: &str, create: &str) -> Result<()> {
    let columns = |table: &str, schema: &str| -> Result<Vec<(String, String)>> {
        let mut st = tx.prepare("SELECT name, type FROM pragma_table_info(?1, ?2)")?;
        let rows = st.query_map([table, schema], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let probe = create.replacen(
        &format!("CREATE TABLE {name} ("),
        "CREATE TEMP TABLE ceiling_probe (",
        1,
    );
    tx.execute_batch(&probe)?;
    let (have, want) = (columns(name, "main")?, columns("ceiling_probe", "temp")?);
    tx.execute_batch("DROP TABLE temp.ceiling_probe;")?;
    if have != want {
        return Err(crate::Error::Db(format!(
            "cannot upgrade the schema: table {name} does not have the columns schema.sql expects; restore a backup or ask for help"
        )));
    }
    Ok(())
}

/// Column groups later steps add in place, as schema.sql writes them at
/// the end of the table's columns: products' of schema 6, tickets' of
/// schemas 11 and 17.
const ADDED_COLUMNS: &[(&str, &[&str])] = &[
    ("products", PRODUCTS_V6),
    ("tickets", TICKETS_V11_COLUMNS),
    ("tickets", v17::TICKETS_V17_COLUMNS),
];

/// A table as schema.sql has it without the column groups the file does
/// not have yet (tests make old files from new ones, so a file may have
/// some already): what a step that changes the table in place should leave.
fn table_shape(tx: &Connection, name: &str) -> Result<String> {
    let mut text = schema_table(name)?.trim_end_matches(';').to_string();
    let have = columns(tx, name)?;
    for (_, group) in ADDED_COLUMNS.iter().filter(|(t, _)| *t == name) {
        let present = group
            .iter()
            .any(|def| have.iter().any(|c| Some(c.as_str()) == def.split(' ').next()));
        if !present {
            text = text.replacen(&format!(", {}", group.join(", ")), "", 1);
        }
    }
    Ok(text)
}

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
        if let Some(change) = step.change {
            change(&tx)?;
        }
        for name in step.tables {
            ensure_table(&tx, name)?;
        }
        for sql in step.then {
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
        // A WITHOUT ROWID table ends at its own closing line, not the next table's.
        let t = super::super::schema_statement("TABLE", "required_documents").unwrap();
        assert!(t.ends_with(") WITHOUT ROWID;") && !t.contains("INSERT"), "{t}");
        for step in STEPS {
            for name in step.tables {
                super::super::schema_statement("TABLE", name).unwrap();
            }
            for name in step.create_indexes {
                super::super::schema_statement("INDEX", name).unwrap();
            }
        }
        for table in ["imports", "audit_log", "orders"] {
            assert!(schema_table(table).unwrap().ends_with("\n);"), "{table}");
        }
    }

    #[test]
    fn the_v6_columns_are_where_alter_table_puts_them() {
        let products = schema_table("products").unwrap();
        let line = format!("DEFAULT 0, {},\n", PRODUCTS_V6.join(", "));
        assert!(
            products.contains(&line),
            "schema.sql's products must have {line:?}"
        );
    }

    #[test]
    fn the_added_column_is_where_alter_table_puts_it() {
        let orders = schema_table("orders").unwrap();
        assert!(
            orders.contains(&format!("DEFAULT 0, {ORDERS_IMPORT_ID},\n")),
            "schema.sql's orders must have `version ... DEFAULT 0, {ORDERS_IMPORT_ID},` on one line"
        );
    }
}

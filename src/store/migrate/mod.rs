//! Schema migrations. schema.sql is always the newest shape; a file made by
//! an older shopdesk is brought up to `SCHEMA_VERSION` when it is opened,
//! in one write transaction with the version bump (all or nothing; several
//! processes opening an old file at once queue on the write lock and only
//! the first one migrates).

use rusqlite::{Connection, OptionalExtension};

use super::{SCHEMA_VERSION, write_tx};
use crate::Result;

mod later;
mod v16;
pub(crate) mod v17;
mod v18;
mod v19;

use later::{PRODUCTS_V6, TICKETS_V11_COLUMNS, to_v6, to_v7, to_v11, to_v13, to_v14, to_v15};

/// A step: what it drops, then the indexes it creates as schema.sql has
/// them (so a migrated file's schema matches a new file's to the byte).
pub(super) struct Step {
    /// The version the step produces.
    pub to: i64,
    pub drop: &'static [&'static str],
    /// Anything else, after the drops and before the indexes.
    pub change: Option<fn(&Connection) -> Result<()>>,
    /// Tables brought to schema.sql's shape: created when missing, rebuilt
    /// (rows copied by column name) when their definition differs, left
    /// alone when it already matches.
    pub tables: &'static [&'static str],
    /// Statements run after the tables (seed rows; each must be idempotent).
    pub then: &'static [&'static str],
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
        tables: &[],
        then: &[],
        create_indexes: &["orders_hold", "orders_open"],
        change: None,
    },
    // An import audits itself once: the `imports` table, orders naming
    // their import, and audit hashes as 32-byte BLOBs without the UNIQUE
    // index (the chain walk catches duplicates).
    Step {
        to: 3,
        drop: &[],
        change: Some(to_v3),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Merchant review (issue 11): the organisation code certificate joins
    // the document kinds (merchant_documents rebuilt for its CHECK), the
    // required documents per cooperation mode as a setting, document scans,
    // the deposit and fee ledger, resubmissions, products hidden by a
    // suspension, and the notices outbox.
    Step {
        to: 4,
        change: None,
        drop: &[
            "DROP INDEX IF EXISTS merchant_documents_expiry;",
            "DROP INDEX IF EXISTS merchant_ledger_merchant;",
            "DROP INDEX IF EXISTS notices_unsent;",
            "DROP INDEX IF EXISTS notices_entity;",
        ],
        tables: &[
            "merchant_documents",
            "required_documents",
            "merchant_document_files",
            "merchant_ledger",
            "merchant_submissions",
            "merchant_hidden_products",
            "notices",
        ],
        then: &[
            "INSERT OR IGNORE INTO required_documents (cooperation_mode, kind)
                SELECT m.column1, k.column1
                FROM (VALUES ('direct'), ('agency'), ('joint')) m,
                     (VALUES ('business_licence'), ('tax_registration'), ('organisation_code'), ('legal_rep_id'),
                             ('trademark_certificate'), ('brand_authorisation'), ('quality_inspection_report'),
                             ('quality_system_certificate'), ('integrity_pledge')) k
                WHERE NOT (m.column1 = 'direct' AND k.column1 = 'brand_authorisation')
                  AND NOT EXISTS (SELECT 1 FROM required_documents);",
        ],
        create_indexes: &[
            "merchant_documents_expiry",
            "merchant_ledger_merchant",
            "notices_unsent",
            "notices_entity",
        ],
    },
    // The money ceiling (domain/money.rs MAX_MINOR) in the CHECKs of every
    // table that holds amounts (issue 9).
    Step {
        to: 5,
        drop: &[],
        change: Some(to_v5),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Product listing and inventory (issue 12): master data columns on
    // products (added in place, not a rebuild: other tables' foreign keys
    // and the FTS triggers name products), the delistings record with its
    // trigger, the sales figures and the inventory settings.
    Step {
        to: 6,
        drop: &[
            "DROP INDEX IF EXISTS product_delistings_at;",
            "DROP INDEX IF EXISTS product_stats_abc;",
            "DROP INDEX IF EXISTS products_list_at;",
            "DROP INDEX IF EXISTS products_delist_at;",
            "DROP INDEX IF EXISTS products_low;",
        ],
        change: Some(to_v6),
        tables: &["product_delistings", "product_stats", "inventory_settings"],
        then: &["INSERT OR IGNORE INTO inventory_settings (id) VALUES (1);"],
        create_indexes: &[
            "product_delistings_at",
            "product_stats_abc",
            "products_list_at",
            "products_delist_at",
            "products_low",
        ],
    },
    // The KPI rollups (issue 14): per UTC hour of placed_at, kept by
    // triggers from one view, filled once from the orders already there.
    Step {
        to: 7,
        drop: &[],
        change: Some(to_v7),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Claiming a review (issue 11): one claim per merchant, and the
    // setting after which another reviewer may take it over; the partial
    // index that tells an opening process whether any expiry is due.
    Step {
        to: 8,
        drop: &["DROP INDEX IF EXISTS merchant_documents_due;"],
        change: None,
        tables: &["merchant_claims", "merchant_review_settings"],
        then: &["INSERT OR IGNORE INTO merchant_review_settings (id) VALUES (1);"],
        create_indexes: &["merchant_documents_due"],
    },
    // Searches answered from indexes (issue 10 item 1): order number and
    // customer carry placed_at (matches read with their sort key, no table
    // reads), tickets by order, customer and subject with opened_at,
    // customers by the last four phone digits.
    Step {
        to: 9,
        drop: &[
            "DROP INDEX IF EXISTS orders_external;",
            "DROP INDEX IF EXISTS orders_customer;",
            "DROP INDEX IF EXISTS tickets_order;",
            "DROP INDEX IF EXISTS tickets_customer;",
            "DROP INDEX IF EXISTS tickets_subject;",
            "DROP INDEX IF EXISTS customers_phone_tail;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &[
            "orders_external",
            "orders_customer",
            "tickets_order",
            "tickets_customer",
            "tickets_subject",
            "customers_phone_tail",
        ],
    },
    // "Needs me" orderings (issue 10 item 12): orders by ship-by, tickets by
    // the SLA deadline that matters now, each with its queue's index.
    // (Dropped first: a file made from a new one, as tests do, has them.)
    Step {
        to: 10,
        drop: &[
            "DROP INDEX IF EXISTS orders_ship_due;",
            "DROP INDEX IF EXISTS orders_status_ship_due;",
            "DROP INDEX IF EXISTS orders_late;",
            "DROP INDEX IF EXISTS tickets_sla;",
            "DROP INDEX IF EXISTS tickets_status_sla;",
            "DROP INDEX IF EXISTS tickets_open_sla;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &[
            "orders_ship_due",
            "orders_status_ship_due",
            "orders_late",
            "tickets_sla",
            "tickets_status_sla",
            "tickets_open_sla",
        ],
    },
    // After-sales tickets (issue 13): the reason code, return shipping,
    // first response, the dispute's response and ruling, a refund waiting
    // for an owner (columns added where ALTER TABLE puts them), the
    // merchant's dispute response days (ticket_settings), the status log
    // the SLA clock is computed from, the reason taxonomy, and refunds capped at what was paid.
    Step {
        to: 11,
        drop: &[
            "DROP INDEX IF EXISTS tickets_respond_due;",
            "DROP INDEX IF EXISTS ticket_log_ticket;",
        ],
        change: Some(to_v11),
        tables: &["ticket_log", "ticket_reasons", "ticket_settings"],
        then: &["INSERT OR IGNORE INTO ticket_settings (id) VALUES (1);", "INSERT INTO ticket_reasons (code, parent, label)
                 SELECT column1, column2, column3 FROM (VALUES
                    ('quality', NULL, 'quality'), ('quality.damaged', 'quality', 'damaged in transit'),
                    ('quality.defective', 'quality', 'defective'), ('quality.wrong_item', 'quality', 'wrong item sent'),
                    ('logistics', NULL, 'logistics'), ('logistics.late', 'logistics', 'late'), ('logistics.lost', 'logistics', 'lost'),
                    ('description', NULL, 'description'), ('description.not_as_described', 'description', 'not as described'),
                    ('description.size', 'description', 'size or colour differs'),
                    ('service', NULL, 'service'), ('service.attitude', 'service', 'attitude'), ('service.slow', 'service', 'slow reply'),
                    ('price', NULL, 'price'), ('price.dropped', 'price', 'price dropped'), ('price.overcharged', 'price', 'overcharged'),
                    ('other', NULL, 'other'), ('other.no_reason', 'other', 'no reason (7-day return)'), ('other.changed_mind', 'other', 'changed mind'))
                 WHERE NOT EXISTS (SELECT 1 FROM ticket_reasons);"],
        create_indexes: &["tickets_respond_due", "ticket_log_ticket"],
    },
    // Resolved tickets close by themselves after the reopen window (SPEC
    // §4.7): the scheduled effect's index; the ticket queue chips "needs
    // me" and "unassigned" read open tickets by holder in SLA order.
    Step {
        to: 12,
        drop: &[
            "DROP INDEX IF EXISTS tickets_resolved;",
            "DROP INDEX IF EXISTS tickets_assignee_sla;",
            "DROP INDEX IF EXISTS tickets_waiting_sla;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &["tickets_resolved", "tickets_assignee_sla", "tickets_waiting_sla"],
    },
    // The product sales rollup (issue 12): per product and UTC day, kept by
    // triggers on orders and lines, summed from the orders already there.
    Step {
        to: 13,
        drop: &[],
        change: Some(to_v13),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Customer figures by day (issue 14): the paid-order chains counted per
    // (day placed, day of the previous ones), kept by triggers on the chains;
    // the KPI ticket figures read by index.
    Step {
        to: 14,
        drop: &[
            "DROP INDEX IF EXISTS tickets_kpi_opened;",
            "DROP INDEX IF EXISTS tickets_kpi_resolved;",
            "DROP INDEX IF EXISTS ticket_messages_first_reply;",
        ],
        change: Some(to_v14),
        tables: &[],
        then: &[],
        create_indexes: &[
            "tickets_kpi_opened",
            "tickets_kpi_resolved",
            "ticket_messages_first_reply",
        ],
    },
    // Two-character product title terms from an index (issue 10 item 1):
    // the title pairs table, its triggers, filled from every title. The
    // bad-record check by index (issue 11: a merchant's review detail).
    Step {
        to: 15,
        drop: &[
            "DROP INDEX IF EXISTS merchants_license;",
            "DROP INDEX IF EXISTS merchants_tax_id;",
            "DROP INDEX IF EXISTS merchant_documents_number;",
        ],
        change: Some(to_v15),
        tables: &[],
        then: &[],
        create_indexes: &["merchants_license", "merchants_tax_id", "merchant_documents_number"],
    },
    // Merchant settlement: statements, their lines and refund charges, the
    // audit log's `settlement` entity, the completed/delivered order indexes.
    Step {
        to: 16,
        drop: &[
            "DROP INDEX IF EXISTS orders_completed;",
            "DROP INDEX IF EXISTS orders_delivered;",
            "DROP INDEX IF EXISTS refunds_created;",
            "DROP INDEX IF EXISTS settlement_statements_period;",
            "DROP INDEX IF EXISTS settlement_lines_statement;",
            "DROP INDEX IF EXISTS settlement_charges_statement;",
        ],
        change: Some(v16::to_v16),
        tables: &[],
        then: &[],
        create_indexes: v16::INDEXES,
    },
    // Tickets search by order number from an index: each ticket's copy of
    // its order's number, and wider search indexes (issue 10).
    Step {
        to: 17,
        drop: v17::DROP,
        change: Some(v17::to_v17),
        tables: &[],
        then: &[],
        create_indexes: v17::INDEXES,
    },
    // The KPI top-list rollups (issue 14): product months, merchant and
    // category days and months, kept from the product sales rollup.
    Step {
        to: 18,
        drop: &["DROP INDEX IF EXISTS kpi_top_months_rank;"],
        change: Some(v18::to_v18),
        tables: &[],
        then: &[],
        create_indexes: v18::INDEXES,
    },
    // The ticket count rollups (issue 14): a period's ticket figures from
    // its hours, not one index entry per ticket; the customer index of the
    // paid-order chains holds their times; a day's products in GMV order.
    Step {
        to: 19,
        drop: &[
            "DROP INDEX IF EXISTS kpi_paid_orders_customer;",
            "DROP INDEX IF EXISTS product_sales_days_rank;",
        ],
        change: Some(v19::to_v19),
        tables: &[],
        then: &[],
        create_indexes: &["kpi_paid_orders_customer", "product_sales_days_rank"],
    },
];

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

/// Schema 5 changes only CHECK constraints, which SQLite evaluates when a
/// row is written and never stores in it. So each table's stored `CREATE`
/// text is replaced with schema.sql's in place (SQLite's documented way for
/// such changes: writable_schema, then a schema_version bump, in this same
/// transaction) rather than copying every order and line into a new table.
/// Rows already past the ceiling are left as they are: `check` names them.
fn to_v5(tx: &Connection) -> Result<()> {
    let mut changed = false;
    for name in CEILING_TABLES {
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
            "cannot upgrade to schema 5: table {name} does not have the columns schema.sql expects; restore a backup or ask for help"
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

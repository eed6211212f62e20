//! Schema 6 (issue 13) upgrades a schema-5 file in one step: the ticket
//! columns added where ALTER TABLE puts them, the ticket settings, the
//! status log and reason tables (with the default taxonomy), the indexes
//! and the refunds trigger, so the file's schema equals a new file's.

#[path = "cli_support/mod.rs"]
mod cli;

use shopdesk::{ops, store};

const V6_COLUMNS: [&str; 10] = [
    "pending_by",
    "pending_restock",
    "pending_refund_minor",
    "merchant_share_minor",
    "ruling_payer",
    "responded_at",
    "respond_due_at",
    "first_response_at",
    "return_shipping",
    "reason",
];

#[test]
fn a_schema_5_file_gets_the_ticket_tables_columns_and_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    ops::staff::init(&path, "ana", "t", "CNY", "Asia/Shanghai").unwrap();
    let fresh = cli::schema(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "DROP TRIGGER refunds_within_paid; DROP INDEX tickets_respond_due; DROP INDEX tickets_kpi_opened; DROP TABLE ticket_log;
         DROP TABLE ticket_reasons; DROP TABLE ticket_settings;",
    )
    .unwrap();
    // Schema 19's and 17's parts too: a schema 5 file had none of them.
    c.execute_batch(
        "DROP VIEW kpi_ticket_open_facts; DROP VIEW kpi_ticket_resolve_facts; DROP TRIGGER kpi_ticket_counts_ai;
         DROP TRIGGER kpi_ticket_opened_bu; DROP TRIGGER kpi_ticket_opened_au; DROP TRIGGER kpi_ticket_resolved_bu;
         DROP TRIGGER kpi_ticket_resolved_au; DROP TRIGGER kpi_ticket_counts_bd;
         DROP TABLE kpi_ticket_counts; DROP TABLE kpi_ticket_reasons;",
    )
    .unwrap();
    c.execute_batch(
        "DROP TRIGGER tickets_refs_ai; DROP TRIGGER tickets_refs_au; DROP TRIGGER orders_ticket_ref_au;
         DROP TRIGGER customers_ticket_ref_au; DROP INDEX tickets_order_ref; DROP INDEX tickets_customer_name;
         ALTER TABLE tickets DROP COLUMN customer_name; ALTER TABLE tickets DROP COLUMN order_external_id;",
    )
    .unwrap();
    for col in V6_COLUMNS {
        c.execute_batch(&format!("ALTER TABLE tickets DROP COLUMN {col};"))
            .unwrap();
    }
    c.execute_batch("PRAGMA user_version = 5;").unwrap();
    drop(c);
    assert_ne!(cli::schema(&path), fresh);
    let conn = store::open(&path).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM ticket_reasons WHERE parent IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 6, "quality, logistics, description, service, price, other");
    drop(conn);
    let now = cli::schema(&path);
    let differ: Vec<_> = now.iter().filter(|x| !fresh.contains(x)).collect();
    let missing: Vec<_> = fresh.iter().filter(|x| !now.contains(x)).map(|x| &x.0).collect();
    assert!(
        differ.is_empty() && missing.is_empty(),
        "differs: {differ:?}\nmissing: {missing:?}"
    );
    drop(store::open(&path).unwrap());
    assert_eq!(cli::schema(&path), fresh, "opening again changes nothing");
}

//! Tickets search by order number and customer name from the tickets' own
//! copies of them (schema 17, issue 10 item 1): an older file gets the
//! copies filled when it is opened, the copies follow the order and the
//! customer they came from, and `check` names a ticket whose copy is wrong.

mod tui_support;

use rusqlite::Connection;
use shopdesk::store::{self, lists};

/// The count the Tickets screen's search gives for `term`.
fn found(conn: &Connection, term: &str) -> u64 {
    let q = lists::Query {
        text: term.into(),
        ..Default::default()
    };
    lists::tickets::resolve(conn, &q).unwrap().0.n
}

fn one(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn schema(conn: &Connection) -> Vec<(String, String)> {
    conn.prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Tickets whose copy differs from the order's number or customer's name.
const WRONG_COPIES: &str = "SELECT count(*) FROM tickets t LEFT JOIN orders o ON o.id = t.order_id
     LEFT JOIN customers c ON c.id = t.customer_id
     WHERE t.order_external_id IS NOT o.external_id OR t.customer_name IS NOT c.name";

#[test]
fn a_schema_16_file_gets_the_copies_filled_and_the_same_schema_as_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = tui_support::shop(dir.path());
    let conn = store::open(&path).unwrap();
    let fresh = schema(&conn);
    let with_order = one(&conn, "SELECT count(*) FROM tickets WHERE order_id IS NOT NULL");
    assert!(with_order > 0);
    conn.execute_batch(
        "DROP TRIGGER tickets_refs_ai; DROP TRIGGER tickets_refs_au; DROP TRIGGER orders_ticket_ref_au;
         DROP TRIGGER customers_ticket_ref_au; DROP INDEX tickets_order_ref; DROP INDEX tickets_customer_name;
         ALTER TABLE tickets DROP COLUMN customer_name; ALTER TABLE tickets DROP COLUMN order_external_id;
         PRAGMA user_version = 16;",
    )
    .unwrap();
    drop(conn);
    let conn = store::open(&path).unwrap();
    assert_eq!(one(&conn, "PRAGMA user_version"), store::SCHEMA_VERSION);
    assert_eq!(one(&conn, WRONG_COPIES), 0);
    assert_eq!(
        one(
            &conn,
            "SELECT count(*) FROM tickets WHERE order_external_id IS NOT NULL"
        ),
        with_order
    );
    let now = schema(&conn);
    let differ: Vec<_> = now.iter().filter(|x| !fresh.contains(x)).collect();
    let missing: Vec<_> = fresh.iter().filter(|x| !now.contains(x)).map(|x| &x.0).collect();
    assert!(
        differ.is_empty() && missing.is_empty(),
        "differs: {differ:?}\nmissing: {missing:?}"
    );
    // Found by order number through the filled copies.
    let ext: String = conn
        .query_row(
            "SELECT o.external_id FROM tickets t JOIN orders o ON o.id = t.order_id ORDER BY t.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(found(&conn, &ext) >= 1, "{ext}");
}

#[test]
fn the_copies_follow_a_renamed_customer_a_renumbered_order_and_a_new_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let path = tui_support::shop(dir.path());
    let conn = store::open(&path).unwrap();
    let (ticket, order, customer): (i64, i64, i64) = conn
        .query_row(
            "SELECT id, order_id, customer_id FROM tickets WHERE order_id IS NOT NULL ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let tickets_of_customer = one(
        &conn,
        &format!("SELECT count(*) FROM tickets WHERE customer_id = {customer}"),
    );
    assert_eq!(found(&conn, "欧阳修远"), 0);
    conn.execute("UPDATE customers SET name = '欧阳修远' WHERE id = ?1", [customer])
        .unwrap();
    assert_eq!(found(&conn, "欧阳修远"), tickets_of_customer as u64);
    assert_eq!(found(&conn, "欧阳"), tickets_of_customer as u64);
    conn.execute(
        "UPDATE orders SET external_id = 'ZZ-RENUMBERED-1' WHERE id = ?1",
        [order],
    )
    .unwrap();
    let tickets_of_order = one(
        &conn,
        &format!("SELECT count(*) FROM tickets WHERE order_id = {order}"),
    );
    assert_eq!(found(&conn, "ZZ-RENUMBERED"), tickets_of_order as u64);
    assert_eq!(
        found(&conn, "zz-renumbered"),
        tickets_of_order as u64,
        "lower case too"
    );
    // A ticket moved to another order is found under that order's number.
    let other: (i64, String) = conn
        .query_row(
            "SELECT id, external_id FROM orders WHERE id <> ?1 AND id NOT IN (SELECT order_id FROM tickets WHERE order_id IS NOT NULL) ORDER BY id LIMIT 1",
            [order],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE tickets SET order_id = ?1 WHERE id = ?2",
        rusqlite::params![other.0, ticket],
    )
    .unwrap();
    assert_eq!(found(&conn, &other.1), 1, "{}", other.1);
    // A copy written by hand is put back by the trigger.
    conn.execute(
        "UPDATE tickets SET order_external_id = 'FORGED' WHERE id = ?1",
        [ticket],
    )
    .unwrap();
    assert_eq!(found(&conn, "FORGED"), 0);
    assert_eq!(one(&conn, WRONG_COPIES), 0);
    // A ticket inserted the way `ticket open` does gets both copies.
    conn.execute(
        "INSERT INTO tickets (order_id, customer_id, kind, subject, opened_at, created_at, updated_at)
         VALUES (?1, ?2, 'inquiry', '问一下', '2026-11-22T05:00:00Z', '2026-11-22T05:00:00Z', '2026-11-22T05:00:00Z')",
        rusqlite::params![other.0, customer],
    )
    .unwrap();
    assert_eq!(one(&conn, WRONG_COPIES), 0);
    assert_eq!(found(&conn, &other.1), 2);
}

#[test]
fn check_names_a_ticket_whose_copy_was_edited_with_the_triggers_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = tui_support::shop(dir.path());
    let conn = store::open(&path).unwrap();
    let copies = |conn: &Connection| {
        store::check::run_all(conn)
            .unwrap()
            .into_iter()
            .find(|r| r.name == "ticket search copies")
            .expect("the check runs")
    };
    assert!(copies(&conn).ok(), "{:?}", copies(&conn).problems);
    let ticket = one(&conn, "SELECT min(id) FROM tickets WHERE order_id IS NOT NULL");
    conn.execute_batch(&format!(
        "DROP TRIGGER tickets_refs_au; UPDATE tickets SET customer_name = '冒名' WHERE id = {ticket};"
    ))
    .unwrap();
    let r = copies(&conn);
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&format!("ticket #{ticket}")) && p.contains("冒名")),
        "{:?}",
        r.problems
    );
}

//! Store and staff workflows on real temp-file SQLite.

#[path = "cli_support/mod.rs"]
mod cli;

use shopdesk::Error;
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};
use shopdesk::store;

fn new_shop() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    ops::staff::init(&path, "ana", "test shop", "CNY", "Asia/Shanghai").unwrap();
    (dir, path)
}

#[test]
fn init_makes_a_wal_database_stamped_as_shopdesk() {
    let (_dir, path) = new_shop();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mode: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let uv: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let app: i64 = raw.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(uv, store::SCHEMA_VERSION);
    assert_eq!(app, store::APPLICATION_ID);
    let s = Session::open_as(&path, "ana").unwrap();
    assert_eq!(s.actor.role, Role::Owner);
    assert_eq!(s.settings.currency, "CNY");
}

#[test]
fn init_refuses_an_existing_database_and_bad_settings() {
    let (dir, path) = new_shop();
    let again = ops::staff::init(&path, "ana", "x", "CNY", "Asia/Shanghai").unwrap_err();
    assert!(
        again.to_string().contains("already a shopdesk database"),
        "{again}"
    );
    let e = ops::staff::init(&dir.path().join("b.db"), "ana", "x", "CNY", "Mars/Olympus").unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(
        !dir.path().join("b.db").exists(),
        "a refused init must not leave a file"
    );
    let e = ops::staff::init(&dir.path().join("c.db"), "ana", "x", "yuan", "Asia/Shanghai").unwrap_err();
    assert!(e.to_string().contains("3-letter"), "{e}");
}

#[test]
fn open_refuses_foreign_files_and_newer_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let e = store::open(&other).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("not a shopdesk database"), "{e}");

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not sqlite at all, just some text that is long enough",
    )
    .unwrap();
    let e = store::open(&text).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("not a shopdesk database"), "{e}");

    let (_d, path) = new_shop();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let e = store::open(&path).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("newer"), "{e}");

    let e = store::open(&dir.path().join("missing.db")).unwrap_err();
    assert!(e.to_string().contains("shopdesk init"), "{e}");
}

#[test]
fn unknown_login_is_told_the_exact_staff_add_command() {
    let (_dir, path) = new_shop();
    let e = Session::open_as(&path, "bob").err().unwrap();
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.to_string()
            .contains(&format!("shopdesk --db {} staff add bob --role", path.display())),
        "{e}"
    );
}

#[test]
fn staff_roles_are_enforced_in_the_workflow_layer() {
    let (_dir, path) = new_shop();
    let mut owner = Session::open_as(&path, "ana").unwrap();
    ops::staff::add(&mut owner, "mei", Role::Support).unwrap();
    let e = ops::staff::add(&mut owner, "mei", Role::Viewer).unwrap_err();
    assert!(e.to_string().contains("already staff"), "{e}");

    let mut mei = Session::open_as(&path, "mei").unwrap();
    assert_eq!(mei.actor.role, Role::Support);
    let e = ops::staff::add(&mut mei, "eve", Role::Owner).unwrap_err();
    assert!(matches!(e, Error::Refused(_)));
    assert_eq!(e.to_string(), "the support role may not manage staff");

    ops::staff::disable(&mut owner, "mei").unwrap();
    let e = Session::open_as(&path, "mei").err().unwrap();
    assert!(e.to_string().contains("disabled"), "{e}");

    let e = ops::staff::disable(&mut owner, "ana").unwrap_err();
    assert!(e.to_string().contains("last active owner"), "{e}");
}

#[test]
fn two_connections_racing_on_one_version_one_wins_one_conflicts() {
    let (_dir, path) = new_shop();
    let mut owner = Session::open_as(&path, "ana").unwrap();
    ops::staff::add(&mut owner, "lin", Role::Operator).unwrap();
    let a = store::open(&path).unwrap();
    let b = store::open(&path).unwrap();
    let seen_a = store::staff::by_login(&a, "lin").unwrap().unwrap();
    let seen_b = store::staff::by_login(&b, "lin").unwrap().unwrap();
    assert_eq!(seen_a.version, seen_b.version);
    let mut to_viewer = seen_a.clone();
    to_viewer.role = Role::Viewer;
    let mut to_support = seen_b.clone();
    to_support.role = Role::Support;
    assert!(store::staff::update(&a, &to_viewer).unwrap());
    assert!(
        !store::staff::update(&b, &to_support).unwrap(),
        "stale version must not overwrite"
    );
    let now = store::staff::by_login(&a, "lin").unwrap().unwrap();
    assert_eq!(now.role, Role::Viewer);
    assert_eq!(now.version, seen_a.version + 1);
}

#[test]
fn every_staff_change_is_audited_and_tampering_is_named() {
    let (_dir, path) = new_shop();
    let mut owner = Session::open_as(&path, "ana").unwrap();
    ops::staff::add(&mut owner, "lin", Role::Operator).unwrap();
    ops::staff::set_role(&mut owner, "lin", Role::Support).unwrap();
    let conn = store::open(&path).unwrap();
    let lin = store::staff::by_login(&conn, "lin").unwrap().unwrap();
    let hist = store::audit::history(&conn, "staff", lin.id, 10).unwrap();
    let actions: Vec<&str> = hist.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["add", "set_role"]);
    assert!(hist[1].before_json.as_deref().unwrap().contains("\"operator\""));
    assert!(hist[1].after_json.as_deref().unwrap().contains("\"support\""));
    assert!(store::check::run_all(&conn).unwrap().iter().all(|r| r.ok()));

    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 3", [])
        .unwrap();
    let bad = store::audit::verify_chain(&conn).unwrap().unwrap();
    assert!(bad.contains("row 3"), "{bad}");
    let results = store::check::run_all(&conn).unwrap();
    let chain = results.iter().find(|r| r.name == "audit chain").unwrap();
    assert!(!chain.ok());
}

#[test]
fn stock_ledger_check_catches_a_hand_edited_product() {
    let (_dir, path) = new_shop();
    let conn = store::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO merchants (code, name, cooperation_mode, applied_at, created_at, updated_at)
           VALUES ('M1', '声悦科技', 'direct', 'x', 'x', 'x');
         INSERT INTO products (merchant_id, sku, title, created_at, updated_at) VALUES (1, 'EAR-1', '无线蓝牙耳机', 'x', 'x');",
    )
    .unwrap();
    let o = store::stock::Origin {
        actor: "ana",
        at: "2026-11-20T10:00:00Z",
        ..Default::default()
    };
    store::stock::adjust_on_hand(&conn, 1, "receive", 10, &o).unwrap();
    assert!(
        !store::stock::reserve(&conn, 1, 11, &o).unwrap(),
        "cannot reserve more than on hand"
    );
    assert!(store::stock::reserve(&conn, 1, 4, &o).unwrap());
    let results = store::check::run_all(&conn).unwrap();
    let ledger = results.iter().find(|r| r.name == "stock ledger").unwrap();
    assert!(ledger.ok(), "{:?}", ledger.problems);

    conn.execute("UPDATE products SET stock_on_hand = 50 WHERE id = 1", [])
        .unwrap();
    let results = store::check::run_all(&conn).unwrap();
    let ledger = results.iter().find(|r| r.name == "stock ledger").unwrap();
    assert!(ledger.problems[0].contains("EAR-1"), "{:?}", ledger.problems);
}

#[test]
fn schema_constraints_refuse_impossible_rows() {
    let (_dir, path) = new_shop();
    let conn = store::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO merchants (code, name, cooperation_mode, applied_at, created_at, updated_at)
           VALUES ('M1', 'n', 'direct', 'x', 'x', 'x');
         INSERT INTO products (merchant_id, sku, created_at, updated_at) VALUES (1, 'A', 'x', 'x');",
    )
    .unwrap();
    for bad in [
        "UPDATE products SET stock_reserved = 1 WHERE id = 1",
        "UPDATE products SET price_minor = -1 WHERE id = 1",
        "UPDATE products SET status = 'gone' WHERE id = 1",
        "UPDATE products SET status = 'delisted' WHERE id = 1",
        "INSERT INTO products (merchant_id, sku, created_at, updated_at) VALUES (1, 'A', 'x', 'x')",
        "INSERT INTO products (merchant_id, sku, created_at, updated_at) VALUES (99, 'B', 'x', 'x')",
        "UPDATE merchants SET status = 'active' WHERE id = 1",
        "UPDATE merchants SET status = 'rejected' WHERE id = 1",
    ] {
        assert!(conn.execute(bad, []).is_err(), "schema accepted: {bad}");
    }
}

#[test]
fn backup_copies_a_live_database() {
    let (dir, path) = new_shop();
    let s = Session::open_as(&path, "ana").unwrap();
    let dest = dir.path().join("copy.db");
    store::backup(&s.conn, &dest).unwrap();
    let copy = Session::open_as(&dest, "ana").unwrap();
    assert_eq!(copy.settings, s.settings);
    assert!(
        store::backup(&s.conn, &dest).is_err(),
        "backup must not overwrite a file"
    );
}

#[test]
fn a_version_1_file_is_migrated_to_the_schema_of_a_new_one() {
    let (_d, path) = new_shop();
    let fresh = cli::schema(&path);
    // What version 1 had instead of the exception-queue indexes.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP INDEX orders_open; DROP INDEX orders_hold;
             CREATE INDEX orders_ship_by ON orders (ship_by_at) WHERE shipped_at IS NULL;
             CREATE INDEX orders_hold ON orders (hold_reason, placed_at) WHERE hold_reason IS NOT NULL;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    assert_ne!(cli::schema(&path), fresh);
    let conn = store::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION);
    drop(conn);
    assert_eq!(cli::schema(&path), fresh);
    // Opening again changes nothing.
    drop(store::open(&path).unwrap());
    assert_eq!(cli::schema(&path), fresh);
}

/// The exception queues (on hold by reason, late to ship) page and count
/// through their own partial indexes: no sort of every held or open order.
/// An index whose condition the query does not repeat would make the
/// `INDEXED BY` queries fail here.
#[test]
fn exception_queues_read_their_partial_indexes() {
    use shopdesk::domain::order::HoldReason;
    use store::lists::{OrderQueue, Query, Seek, StatusFilter, order_queues, orders};
    let (_d, path) = new_shop();
    let conn = store::open(&path).unwrap();
    store::lists::set_explain(true);
    for (status, index) in [
        (OrderQueue::Held(HoldReason::RiskReview), "orders_hold"),
        (
            OrderQueue::LateToShip {
                cutoff: "2026-11-22T08:00:00Z".into(),
            },
            "orders_open",
        ),
    ] {
        assert_eq!(order_queues::count(&conn, &status).unwrap(), 0);
        let q = Query {
            status: Some(StatusFilter::Queue(status.clone())),
            ..Default::default()
        };
        orders::page(&conn, &q, &Seek::First, 35).unwrap();
        let plans = store::lists::take_plans();
        let plan = plans
            .iter()
            .find(|p| p.contains(index))
            .unwrap_or_else(|| panic!("{status:?}: no plan names {index}: {plans:#?}"));
        assert!(plan.contains(&format!("USING INDEX {index}")), "{plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{plan}");
    }
    store::lists::set_explain(false);
}

/// A conflict names who changed the record and when in the shop's time
/// (Asia/Shanghai here: 02:05 UTC is 10:05), never the stored UTC stamp.
/// The CLI prints this same error as `shopdesk: …`; it cannot meet one by
/// itself (it reads each record inside its write transaction), so the verb
/// runs here as the CLI runs it, with a version shown before the change.
#[test]
fn a_conflict_names_the_change_in_shop_time() {
    let (_d, path) = new_shop();
    let mut s = Session::open_as(&path, "ana").unwrap();
    s.conn
        .execute_batch(
            "INSERT INTO merchants (code, name, cooperation_mode, applied_at, created_at, updated_at)
               VALUES ('M1', '深圳小铺', 'direct', '2026-11-19T01:00:00Z', '2026-11-19T01:00:00Z', '2026-11-19T01:00:00Z');
             UPDATE merchants SET version = 1 WHERE code = 'M1';",
        )
        .unwrap();
    store::audit::append(
        &s.conn,
        &store::audit::Entry {
            at: "2026-11-20T02:05:00Z",
            actor: "lin",
            entity: "merchant",
            entity_id: 1,
            action: "start_review",
            before: None,
            after: None,
        },
    )
    .unwrap();
    let verb = ops::verbs::find(ops::verbs::Entity::Merchant, "start-review").unwrap();
    let err = ops::verbs::run(&mut s, verb, 1, Some(0), &Default::default()).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("merchant 1 was changed by lin at 2026-11-20 10:05"),
        "{msg}"
    );
    assert!(
        !msg.contains("02:05") && !msg.contains("UTC") && !msg.contains('Z'),
        "{msg}"
    );
}

/// Schema 20 rewrites the CHECK lists of orders and stock movements as OR
/// chains in place (writable_schema): a schema 19 file comes out with a
/// new file's schema, and the chains still refuse what the lists refused.
#[test]
fn a_version_19_file_gets_the_or_chain_checks_in_place() {
    let (_d, path) = new_shop();
    let fresh = cli::schema(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    let as_list = |table: &str, column: &str, last: &str| {
        let sql: String = c
            .query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [table], |r| {
                r.get(0)
            })
            .unwrap();
        let start = sql.find(&format!("CHECK ({column} = ")).unwrap();
        let len = sql[start..].find(&format!("'{last}')")).unwrap() + last.len() + 3;
        let values: Vec<&str> = sql[start..start + len].split('\'').skip(1).step_by(2).collect();
        let list = values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let old = format!(
            "{}CHECK ({column} IN ({list})){}",
            &sql[..start],
            &sql[start + len..]
        );
        (table.to_string(), old)
    };
    let old = [
        as_list("orders", "status", "merged"),
        as_list("stock_movements", "kind", "adjust"),
    ];
    let v: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0)).unwrap();
    c.execute_batch("PRAGMA writable_schema = ON;").unwrap();
    for (table, sql) in &old {
        assert!(sql.contains(" IN ('"), "{sql}");
        c.execute("UPDATE sqlite_schema SET sql = ?1 WHERE name = ?2", [sql, table])
            .unwrap();
    }
    c.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF; PRAGMA user_version = 19;",
        v + 1
    ))
    .unwrap();
    drop(c);
    assert_ne!(cli::schema(&path), fresh);
    drop(store::open(&path).unwrap());
    assert_eq!(cli::schema(&path), fresh);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    for bad in [
        "INSERT INTO orders (channel, external_id, customer_id, merchant_id, status, placed_at, created_at, updated_at)
         VALUES ('W', '1', 1, 1, 'stolen', 't', 't', 't')",
        "INSERT INTO stock_movements (product_id, kind, on_hand_delta, actor, created_at) VALUES (1, 'stolen', 1, 'x', 't')",
    ] {
        let e = c.execute_batch(bad).unwrap_err().to_string();
        assert!(e.contains("CHECK constraint failed"), "{e}");
    }
    c.execute_batch(
        "INSERT INTO stock_movements (product_id, kind, on_hand_delta, actor, created_at) VALUES (1, 'adjust', 1, 'x', 't')",
    )
    .unwrap();
}

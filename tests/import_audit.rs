//! An import audits itself once (issue 8, item 7): one `imports` record and
//! one audit row per import, every new order naming its import, the order's
//! history saying where it came from, `check` catching an order that names
//! a missing import, and a schema-2 file (hex hashes) migrated with its
//! chain intact.

#[path = "cli_support/mod.rs"]
mod cli;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use shopdesk::ops::Session;
use shopdesk::ops::import::{self, Kind, Options};
use shopdesk::ops::{orders, staff};
use shopdesk::store;

const ORDERS: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price\n\
    TM,1,2026-11-01 10:00:00,pending_payment,c1,Li,13812341111,西湖区 1 号,Hangzhou,M1,A,1,5.00\n\
    TM,2,2026-11-01 11:00:00,pending_payment,c2,Wu,13812342222,西湖区 2 号,Hangzhou,M1,A,2,5.00\n\
    TM,2,2026-11-01 11:00:00,pending_payment,c2,Wu,13812342222,西湖区 2 号,Hangzhou,M1,A,1,5.00\n\
    TM,3,2026-11-01 12:00:00,pending_payment,c1,Li,13812341111,西湖区 1 号,Hangzhou,M1,A,1,5.00\n";

/// A shop owned by "lin" with merchant M1 and product A; returns its path.
fn shop(d: &Path) -> PathBuf {
    let db = d.join("s.db");
    staff::init(&db, "lin", "test", "CNY", "Asia/Shanghai").unwrap();
    let mut s = Session::open_as(&db, "lin").unwrap();
    let m = d.join("m.csv");
    std::fs::write(&m, "code,name,cooperation_mode,status\nM1,One,direct,active\n").unwrap();
    import::import(&mut s, Kind::Merchants, &m, &Options::default()).unwrap();
    let p = d.join("p.csv");
    std::fs::write(&p, "merchant_code,sku,title,price,stock\nM1,A,Tea,5.00,10\n").unwrap();
    import::import(&mut s, Kind::Products, &p, &Options::default()).unwrap();
    db
}

fn q<T: rusqlite::types::FromSql>(s: &Session, sql: &str) -> T {
    s.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn an_import_writes_one_audit_row_and_every_new_order_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let mut s = Session::open_as(&db, "lin").unwrap();
    let before: i64 = q(&s, "SELECT count(*) FROM audit_log");
    let f = dir.path().join("orders-1130.csv");
    std::fs::write(&f, ORDERS).unwrap();
    let r = import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap();
    assert_eq!((r.rows, r.new, r.audit_rows), (4, 3, 1));
    let batch = r.import_id.expect("the import names its record");

    let after: i64 = q(&s, "SELECT count(*) FROM audit_log");
    assert_eq!(after, before + 1, "one audit row for the whole import");
    let (entity, entity_id, action, actor, json): (String, i64, String, String, String) = s
        .conn
        .query_row(
            "SELECT entity, entity_id, action, actor, after_json FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (entity.as_str(), entity_id, action.as_str(), actor.as_str()),
        ("import", batch, "import", "lin")
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sha = hex::encode(Sha256::digest(ORDERS.as_bytes()));
    assert_eq!(v["file"], "orders-1130.csv");
    assert_eq!(v["sha256"], sha.as_str());
    assert_eq!(v["counts"]["lines"], 4);
    assert_eq!(v["counts"]["orders_new"], 3);
    let ids: Vec<i64> = s
        .conn
        .prepare("SELECT id FROM orders WHERE import_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([batch], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(v["counts"]["first_order_id"], ids[0]);
    assert_eq!(v["counts"]["last_order_id"], ids[2]);

    let rec = store::import::imports::get(&s.conn, batch).unwrap().unwrap();
    assert_eq!(rec.file_name, "orders-1130.csv");
    assert_eq!(hex::encode(rec.file_sha256), sha);
    assert_eq!(
        (rec.counts.first_order_id, rec.counts.last_order_id),
        (Some(ids[0]), Some(ids[2]))
    );
    assert!(store::check::run_all(&s.conn).unwrap().iter().all(|c| c.ok()));

    // Importing the same file again creates nothing, so it records nothing.
    let r = import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap();
    assert_eq!((r.new, r.present, r.import_id, r.audit_rows), (0, 3, None, 0));
    assert_eq!(q::<i64>(&s, "SELECT count(*) FROM audit_log"), after);
    assert_eq!(q::<i64>(&s, "SELECT count(*) FROM imports"), 1);
}

#[test]
fn an_imported_orders_history_says_which_import_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let mut s = Session::open_as(&db, "lin").unwrap();
    let f = dir.path().join("orders-1130.csv");
    std::fs::write(&f, ORDERS).unwrap();
    let r = import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap();
    let batch = r.import_id.unwrap();
    let id: i64 = q(&s, "SELECT id FROM orders WHERE external_id = '2'");
    let d = orders::detail(&s, id).unwrap();
    let first = &d.history[0];
    assert_eq!(
        first.action,
        format!("imported from orders-1130.csv (batch {batch})")
    );
    assert_eq!(first.actor, "lin");
    let at: String = q(&s, &format!("SELECT at FROM imports WHERE id = {batch}"));
    assert_eq!(first.at, at);

    // The CLI shows it too (to whoever runs the tests, as support staff).
    let me = shopdesk::identity::os_login().unwrap();
    if me != "lin" {
        staff::add(&mut s, &me, shopdesk::domain::Role::Support).unwrap();
    }
    let out = cli::ok(
        dir.path(),
        &["--db", db.to_str().unwrap(), "order", "show", &id.to_string()],
    );
    assert!(
        out.contains(&format!("imported from orders-1130.csv (batch {batch})")) && out.contains("lin"),
        "{out}"
    );
    // An order made by hand has no such row.
    let other = store::audit::history(&s.conn, "order", id + 100, 10).unwrap();
    assert!(other.is_empty());
}

#[test]
fn check_names_orders_whose_import_is_missing_or_miscounted() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let mut s = Session::open_as(&db, "lin").unwrap();
    let f = dir.path().join("o.csv");
    std::fs::write(&f, ORDERS).unwrap();
    let batch = import::import(&mut s, Kind::Orders, &f, &Options::default())
        .unwrap()
        .import_id
        .unwrap();
    drop(s);
    let find = |db: &Path| {
        let conn = store::open(db).unwrap();
        let all = store::check::run_all(&conn).unwrap();
        all.into_iter()
            .find(|c| c.name == "imported orders")
            .expect("the check runs")
    };
    assert!(find(&db).ok());

    // An order taken out of its import: the import's count no longer adds up.
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute("UPDATE orders SET import_id = NULL WHERE external_id = '3'", [])
        .unwrap();
    let c = find(&db);
    assert_eq!(
        c.problems,
        [format!(
            "import {batch} (o.csv) created 3 orders but 2 orders name it"
        )]
    );
    raw.execute(
        "UPDATE orders SET import_id = ?1 WHERE external_id = '3'",
        [batch],
    )
    .unwrap();
    assert!(find(&db).ok());

    // The import record deleted behind the foreign key's back.
    raw.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    raw.execute("DELETE FROM imports WHERE id = ?1", [batch]).unwrap();
    let c = find(&db);
    assert!(!c.ok());
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains(&format!("name import {batch}, which does not exist"))),
        "{:?}",
        c.problems
    );
    // `shopdesk check` fails on it too.
    let out = cli::run(dir.path(), &["--db", db.to_str().unwrap(), "check"]);
    assert!(!out.status.success());
    assert!(
        cli::text(&out.stdout).contains("FAIL  imported orders"),
        "{}",
        cli::text(&out.stdout)
    );
}

/// The schema-2 hash of the test's rows (at, actor, entity and action are
/// the same for all): SHA-256 over the previous hash as hex and the row's
/// fields, each followed by a unit separator (written out here on its own,
/// so the test does not trust the code it checks).
const V2_AT: &str = "2026-11-01T00:00:00Z";

fn v2_hash(prev_hex: &str, id: i64, after: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hex,
        &id.to_string(),
        V2_AT,
        "lin",
        "staff",
        "1",
        "edit",
        "\u{0}",
        after,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// A schema-2 file as shopdesk 2 wrote it: hex hashes, a UNIQUE hash index,
/// no `imports`. Returns its path.
fn v2_file(dir: &Path, tamper: bool) -> PathBuf {
    let path = dir.join("v2.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(include_str!("fixtures/schema_v2.sql")).unwrap();
    c.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = 2;
         INSERT INTO settings (id) VALUES (1);
         INSERT INTO staff (login, role, created_at) VALUES ('lin', 'owner', '2026-11-01T00:00:00Z');",
        store::APPLICATION_ID
    ))
    .unwrap();
    let mut prev = "0".repeat(64);
    for id in 1..=3 {
        let after = format!("{{\"n\":{id}}}");
        let at = V2_AT;
        let hash = v2_hash(&prev, id, &after);
        let stored = if tamper && id == 2 {
            "not hex".to_string()
        } else {
            hash.clone()
        };
        c.execute(
            "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, after_json, prev_hash, hash)
             VALUES (?1, ?2, 'lin', 'staff', 1, 'edit', ?3, ?4, ?5)",
            rusqlite::params![id, at, after, prev, stored],
        )
        .unwrap();
        prev = hash;
    }
    path
}

#[test]
fn a_version_2_file_gets_blob_hashes_and_its_chain_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = v2_file(dir.path(), false);
    let fresh_path = dir.path().join("fresh.db");
    staff::init(&fresh_path, "lin", "test", "CNY", "Asia/Shanghai").unwrap();
    let fresh = cli::schema(&fresh_path);
    assert_ne!(cli::schema(&path), fresh);

    let conn = store::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION);
    let (n, blobs): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(typeof(hash) = 'blob' AND length(hash) = 32 AND typeof(prev_hash) = 'blob') FROM audit_log",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, blobs), (3, 3));
    assert_eq!(store::audit::verify_chain(&conn).unwrap(), None);
    // The chain is the same chain: row 3's stored hash is the v2 hex decoded.
    let h3: Vec<u8> = conn
        .query_row("SELECT hash FROM audit_log WHERE id = 3", [], |r| r.get(0))
        .unwrap();
    let mut prev = "0".repeat(64);
    for id in 1..=3 {
        prev = v2_hash(&prev, id, &format!("{{\"n\":{id}}}"));
    }
    assert_eq!(hex::encode(h3), prev);
    drop(conn);
    assert_eq!(
        cli::schema(&path),
        fresh,
        "a migrated file has a new file's schema"
    );

    // It works as a schema-3 file: an import records itself and check passes.
    let mut s = Session::open_as(&path, "lin").unwrap();
    staff::add(&mut s, "oli", shopdesk::domain::Role::Operator).unwrap();
    assert_eq!(store::audit::verify_chain(&s.conn).unwrap(), None);
    // The fixture's three audit rows are synthetic (they stand in for a real
    // history), so the images check rightly finds the settings row with no
    // audit row of its own; every other check passes.
    let failed: Vec<_> = store::check::run_all(&s.conn)
        .unwrap()
        .into_iter()
        .filter(|c| !c.ok() && c.name != "audit images")
        .map(|c| (c.name, c.problems))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    drop(s);
    drop(store::open(&path).unwrap());
    assert_eq!(cli::schema(&path), fresh, "opening again changes nothing");
}

#[test]
fn a_version_2_hash_that_is_not_hex_stops_the_upgrade_and_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = v2_file(dir.path(), true);
    let e = store::open(&path).unwrap_err().to_string();
    assert!(e.contains("audit_log row 2"), "{e}");
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 2, "nothing was changed");
}

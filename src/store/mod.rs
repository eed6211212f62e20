//! SQL and the connection: open, pragmas, schema, transactions.
//! Nothing above this layer writes SQL.

pub mod audit;
pub mod bulk;
pub mod check;
pub mod demo;
pub mod import;
pub mod lists;
mod migrate;
pub mod orders;
pub mod settings;
pub mod staff;
pub mod stock;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

/// The whole schema, run once on an empty file.
pub const SCHEMA: &str = include_str!("../../schema.sql");
/// Bumped whenever schema.sql changes (with a step in `migrate`); an older
/// file is migrated when opened, a newer one refused.
pub const SCHEMA_VERSION: i64 = 3;
/// "SHDK": marks a SQLite file as a shopdesk database.
pub const APPLICATION_ID: i64 = 0x5348_444B;

/// One `CREATE INDEX name ...;` or `CREATE TRIGGER name ... END;` statement
/// exactly as schema.sql has it (`kind` is "INDEX" or "TRIGGER"), so what
/// is re-created later (bulk rebuilds, migrations) matches a new file's
/// schema to the byte.
pub fn schema_statement(kind: &str, name: &str) -> Result<&'static str> {
    let missing = || Error::Db(format!("{kind} {name} is not in schema.sql"));
    let start = SCHEMA
        .find(&format!("CREATE {kind} {name} "))
        .ok_or_else(missing)?;
    let rest = SCHEMA.get(start..).ok_or_else(missing)?;
    let end = if kind == "TRIGGER" { "\nEND;" } else { ";" };
    let len = rest.find(end).ok_or_else(missing)? + end.len();
    rest.get(..len).ok_or_else(missing)
}

/// Opens an existing shopdesk database, refusing anything else.
pub fn open(path: &Path) -> Result<Connection> {
    if !path.exists() {
        return Err(Error::Db(format!(
            "no database at {}: run `shopdesk init` (or `shopdesk demo`) first, or pass --db",
            path.display()
        )));
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::Db(format!("cannot open {}: {e}", path.display())))?;
    configure(&conn, path)?;
    verify_identity(&conn, path)?;
    if migrate::version(&conn)? < SCHEMA_VERSION {
        migrate::run(&mut conn)
            .map_err(|e| Error::Db(format!("{}: cannot upgrade the schema: {e}", path.display())))?;
    }
    Ok(conn)
}

/// Creates a new database file with the schema; refuses an existing shopdesk
/// database or any other non-empty file.
pub fn create(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Db(format!("cannot create directory {}: {e}", dir.display())))?;
    }
    let mut conn =
        Connection::open(path).map_err(|e| Error::Db(format!("cannot create {}: {e}", path.display())))?;
    configure(&conn, path)?;
    let (app_id, user_version, tables) = identity(&conn, path)?;
    if app_id == APPLICATION_ID {
        return Err(Error::refused(format!(
            "{} is already a shopdesk database (schema {user_version})",
            path.display()
        )));
    }
    if tables > 0 || user_version != 0 || app_id != 0 {
        return Err(not_shopdesk(path));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
    ))?;
    tx.commit()?;
    Ok(conn)
}

/// WAL lets readers (other support sessions) work while one process writes;
/// synchronous=NORMAL is durable against process crashes in WAL mode and only
/// risks the last transactions on power loss, for a large speed-up on commits;
/// the busy timeout makes concurrent writers queue instead of failing.
fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| db_err(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Db(format!(
            "{}: could not switch to WAL journal mode (got {mode})",
            path.display()
        )));
    }
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000;")
        .map_err(|e| db_err(path, e))?;
    Ok(())
}

fn identity(conn: &Connection, path: &Path) -> Result<(i64, i64, i64)> {
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| db_err(path, e))?;
    let user_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| db_err(path, e))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| db_err(path, e))?;
    Ok((app_id, user_version, tables))
}

fn verify_identity(conn: &Connection, path: &Path) -> Result<()> {
    let (app_id, user_version, _) = identity(conn, path)?;
    if app_id != APPLICATION_ID {
        return Err(not_shopdesk(path));
    }
    if user_version > SCHEMA_VERSION {
        return Err(Error::Db(format!(
            "{} has schema version {user_version}, newer than this shopdesk understands ({SCHEMA_VERSION}); upgrade shopdesk",
            path.display()
        )));
    }
    Ok(())
}

fn not_shopdesk(path: &Path) -> Error {
    Error::Db(format!("{} is not a shopdesk database", path.display()))
}

fn db_err(path: &Path, e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::NotADatabase
    {
        return not_shopdesk(path);
    }
    Error::Db(format!("{}: {e}", path.display()))
}

/// Every write starts with BEGIN IMMEDIATE: the write lock is taken up front,
/// so two writers queue on the busy timeout instead of one failing at commit.
pub fn write_tx(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Online backup through SQLite's backup API, safe while others write.
pub fn backup(conn: &Connection, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(Error::input(format!(
            "{} already exists; choose a new file",
            dest.display()
        )));
    }
    let mut out =
        Connection::open(dest).map_err(|e| Error::Db(format!("cannot create {}: {e}", dest.display())))?;
    {
        let b = rusqlite::backup::Backup::new(conn, &mut out)?;
        b.run_to_completion(1024, Duration::from_millis(5), None)?;
    }
    Ok(())
}

/// `UPDATE ... WHERE id = ? AND version = ?` changed nothing: say who did.
pub fn conflict(conn: &Connection, entity: &str, table: &str, id: i64) -> Error {
    let who: Option<(String, String)> = conn
        .query_row(
            "SELECT actor, at FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT 1",
            rusqlite::params![entity, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let exists: bool = conn
        .query_row(&format!("SELECT 1 FROM {table} WHERE id = ?1"), [id], |_| Ok(()))
        .is_ok();
    if !exists {
        return Error::input(format!("{entity} {id} does not exist"));
    }
    match who {
        Some((actor, at)) => Error::Conflict(format!(
            "{entity} {id} was changed by {actor} at {at} — reload (r) and try again"
        )),
        None => Error::Conflict(format!(
            "{entity} {id} was changed by someone else — reload (r) and try again"
        )),
    }
}

/// The rows of `sql` (one `?1` parameter, the parent's id) mapped by `map`:
/// the child rows of one parent (an order's lines, a ticket's messages).
pub(crate) fn rows_of<T>(
    conn: &Connection,
    sql: &str,
    id: i64,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([id], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! SQL and the connection: open, pragmas, schema, transactions.
//! Nothing above this layer writes SQL.

pub mod alerts;
pub mod audit;
mod backup;
pub mod bulk;
pub mod check;
pub(crate) mod enums;
pub mod import;
pub mod kpi;
pub mod kpi_by;
pub mod kpi_chain;
pub mod kpi_tickets;
pub mod kpi_tops;
pub mod lists;
pub mod merchants;
mod migrate;
pub mod orders;
pub mod products;
pub mod seed;
pub mod settings;
pub mod settlement;
pub mod staff;
pub mod stock;
pub mod tickets;

pub use backup::backup;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

/// The whole schema, run once on an empty file.
pub const SCHEMA: &str = include_str!("../../schema.sql");
/// Bumped whenever schema.sql changes (with a step in `migrate`); an older
/// file is migrated when opened, a newer one refused.
pub const SCHEMA_VERSION: i64 = 20;
/// "SHDK": marks a SQLite file as a shopdesk database.
pub const APPLICATION_ID: i64 = 0x5348_444B;

/// One `CREATE INDEX name ...;`, `CREATE TRIGGER name ... END;` or
/// `CREATE TABLE name (...);` statement exactly as
/// schema.sql has it (`kind` is "INDEX", "TRIGGER" or "TABLE"), so what
/// is re-created later (bulk rebuilds, migrations) matches a new file's
/// schema to the byte.
pub fn schema_statement(kind: &str, name: &str) -> Result<&'static str> {
    let missing = || Error::Db(format!("{kind} {name} is not in schema.sql"));
    let start = SCHEMA
        .find(&format!("CREATE {kind} {name} "))
        .ok_or_else(missing)?;
    let rest = SCHEMA.get(start..).ok_or_else(missing)?;
    let (end, from) = match kind {
        "TRIGGER" => ("\nEND;", 0),
        // A table ends at its closing line: `);` or `) WITHOUT ROWID;`.
        "TABLE" => (";", rest.find("\n)").ok_or_else(missing)?),
        _ => (";", 0),
    };
    let tail = rest.get(from..).ok_or_else(missing)?;
    let len = from + tail.find(end).ok_or_else(missing)? + end.len();
    rest.get(..len).ok_or_else(missing)
}

/// Opens an existing shopdesk database, refusing anything else.
///
/// The file's identity is checked on a read-only connection before anything
/// can write to it, so a file that is not a shop is left byte-for-byte as it
/// was (no switch to WAL, no header written into an empty file). A shop this
/// login may read but not write opens read-only (`query_only`): reads work,
/// and every write is refused by [`write_tx`] with a message saying why.
pub fn open(path: &Path) -> Result<Connection> {
    let probe = probe(path)?;
    if !writable(path) {
        let version = migrate::version(&probe)?;
        if version < SCHEMA_VERSION {
            return Err(Error::Db(format!(
                "{} has schema version {version} and needs an upgrade to {SCHEMA_VERSION}, which needs write access to the file",
                path.display()
            )));
        }
        probe
            .execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -16000;")
            .map_err(|e| db_err(path, e))?;
        return Ok(probe);
    }
    drop(probe);
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::Db(format!("cannot open {}: {e}", path.display())))?;
    configure(&conn, path)?;
    // Again on the connection that will write, in case the file was
    // replaced since the probe (cheap: three pragmas).
    verify_identity(&conn, path)?;
    if migrate::version(&conn)? < SCHEMA_VERSION {
        migrate::run(&mut conn)
            .map_err(|e| Error::Db(format!("{}: cannot upgrade the schema: {e}", path.display())))?;
    }
    Ok(conn)
}

/// A read-only connection to `path` once it is known to be a shopdesk
/// database (checked without writing anything).
fn probe(path: &Path) -> Result<Connection> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Db(format!(
                "no database at {}: run `shopdesk init` (or `shopdesk demo`) first, or pass --db",
                path.display()
            )));
        }
        Err(e) => return Err(Error::Db(format!("cannot open {}: {e}", path.display()))),
    };
    if !meta.is_file() {
        return Err(Error::Db(format!(
            "{} is not a regular file, so not a shopdesk database",
            path.display()
        )));
    }
    if !sqlite_header(path, meta.len())? {
        return Err(not_shopdesk(path));
    }
    let conn = read_only(path)?;
    verify_identity(&conn, path)?;
    Ok(conn)
}

/// Whether the file could be SQLite's. Never opens the file outside SQLite:
/// closing any other descriptor of a file drops every POSIX lock this
/// process holds on it, SQLite's included (another connection of this
/// process, the TUI's writer or reader, would lose its WAL locks and a
/// second process could delete the `-wal` under it). An empty main file
/// counts only with a `-wal` beside it (a shop killed before its first
/// checkpoint); anything else SQLite's read-only connection judges.
fn sqlite_header(path: &Path, len: u64) -> Result<bool> {
    if len == 0 {
        let wal = std::fs::metadata(side_file(path, "-wal"));
        return Ok(wal.is_ok_and(|m| m.len() > 0));
    }
    Ok(true)
}

/// `path` with `suffix` appended (`-wal`, `-shm`, `-journal`).
pub(crate) fn side_file(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// A read-only connection that creates nothing beside the file.
///
/// Reading a WAL file needs its `-wal` and `-shm`. While a writer has the
/// file open they exist, and reading through them sees its commits live. When
/// they do not, SQLite would create them, owned by this login: in a
/// directory it may write, the owner could then not write the `-shm`, and so
/// not the shop; in one it may not, the open fails. Then the file is opened
/// `immutable`, which needs neither (everything is checkpointed into the
/// file): such a session sees the file as it was when opened.
fn read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let cannot = |e| Error::Db(format!("cannot open {}: {e}", path.display()));
    let live = side_file(path, "-wal").exists() || side_file(path, "-shm").exists();
    let conn = if live {
        Connection::open_with_flags(path, flags).map_err(cannot)?
    } else {
        let uri = format!("file:{}?immutable=1", uri_path(path)?);
        Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI).map_err(cannot)?
    };
    conn.busy_timeout(Duration::from_secs(10))?;
    // SQLite opens lazily: the first read finds out whether it can.
    conn.query_row("PRAGMA application_id", [], |_| Ok(()))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly
                ) =>
            {
                Error::Db(format!(
                    "cannot read {}: SQLite cannot use the -wal/-shm files beside it ({e})",
                    path.display()
                ))
            }
            e => db_err(path, e),
        })?;
    Ok(conn)
}

/// An absolute path escaped for a `file:` URI (`%`, `?`, `#` and non-ASCII).
fn uri_path(path: &Path) -> Result<String> {
    let abs =
        std::path::absolute(path).map_err(|e| Error::Db(format!("cannot open {}: {e}", path.display())))?;
    let mut out = String::new();
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'%' | b'?' | b'#' | 0x80.. | ..=0x20 => out.push_str(&format!("%{b:02X}")),
            _ => out.push(char::from(*b)),
        }
    }
    Ok(out)
}

/// Whether this process may write the file: the kernel answers for the
/// effective uid and groups, and a read-only mount.
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    // faccessat with the effective ids, not an open: see `sqlite_header` on
    // why this process never opens the file outside SQLite.
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

/// Creates a new database file with the schema; refuses an existing shopdesk
/// database or any other non-empty file (without touching it).
pub fn create(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Db(format!("cannot create directory {}: {e}", dir.display())))?;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 || side_file(path, "-wal").exists() => {
            // Only the identity is read: a foreign file stays as it was.
            return Err(match probe(path) {
                Ok(conn) => {
                    let version = migrate::version(&conn)?;
                    Error::refused(format!(
                        "{} is already a shopdesk database (schema {version})",
                        path.display()
                    ))
                }
                Err(_) => not_shopdesk(path),
            });
        }
        _ => {}
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
/// On a file opened read-only it says so instead of SQLite's bare "attempt to
/// write a readonly database".
/// How long a write waits for another connection's lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Sets how long this connection's writes wait for another's lock (a
/// write that may be skipped waits less than [`BUSY_TIMEOUT`]).
pub fn set_busy_timeout(conn: &Connection, wait: Duration) -> Result<()> {
    conn.busy_timeout(wait)?;
    Ok(())
}

pub fn write_tx(conn: &mut Connection) -> Result<Transaction<'_>> {
    if is_read_only(conn) {
        return Err(read_only_refusal(conn));
    }
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Writing was refused because the file is open read-only (exit 3: the
/// database cannot be written, SPEC §6).
fn read_only_refusal(conn: &Connection) -> Error {
    let path = conn.path().unwrap_or("the database");
    Error::Db(format!(
        "{path} is read-only for this login (the file's permissions let it read, not write): nothing was changed; ask the owner, or fix the file's permissions"
    ))
}

/// Whether `conn` was opened read-only (the login may not write the file).
pub fn is_read_only(conn: &Connection) -> bool {
    conn.is_readonly("main").unwrap_or(false)
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
        return Error::NotFound {
            entity: static_entity(entity),
            key: id.to_string(),
        };
    }
    // People read the time in the shop's zone, not the stored UTC stamp.
    let tz: Option<chrono_tz::Tz> = conn
        .query_row("SELECT timezone FROM settings WHERE id = 1", [], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .and_then(|z| z.parse().ok());
    let who = who.map(|(actor, at)| {
        let local = match (chrono::DateTime::parse_from_rfc3339(&at), tz) {
            (Ok(t), Some(tz)) => crate::domain::calendar::shop_minute(t.with_timezone(&chrono::Utc), tz),
            _ => at,
        };
        (actor, local)
    });
    Error::Conflict(crate::error::Conflict {
        entity: entity.to_string(),
        id,
        by: who,
    })
}

/// The audit log's entity names as `'static` (for `Error::NotFound`).
fn static_entity(entity: &str) -> &'static str {
    ["merchant", "product", "order", "ticket", "staff", "settings"]
        .into_iter()
        .find(|e| *e == entity)
        .unwrap_or("record")
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

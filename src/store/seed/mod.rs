//! Bulk seeding: typed inserts for a generator (the demo) that writes a
//! whole database at once, bypassing the workflows. The generator decides
//! every value; this module only knows the tables and their SQL.
//!
//! A `Load` owns the connection for the length of the seed: bulk pragmas
//! on, secondary indexes and per-row triggers set aside (`store::bulk`),
//! transactions begun and committed where the generator says. Every insert
//! goes through a cached prepared statement, so a million rows cost one
//! parse per statement.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::bulk::{self, SetAside};
use super::settings::{self, Settings};
use crate::{Error, Result};

/// The connection type a seed is given (the generator names no rusqlite).
pub type Conn = Connection;

/// The shop name `shopdesk demo` gives its file: `check` and the CLI tell a
/// demo file by it.
pub const DEMO_SHOP_NAME: &str = "shopdesk demo";

/// Triggers that fire once per inserted row; the load drops them and
/// rebuilds what they maintain in one pass at the end.
const ROW_TRIGGERS: [bulk::RowTrigger; 7] = [
    bulk::PRODUCT_SEARCH,
    bulk::PRODUCT_BIGRAMS,
    bulk::MERCHANT_COUNTS,
    bulk::PRODUCT_COUNTS,
    bulk::ORDER_COUNTS,
    bulk::TICKET_COUNTS,
    bulk::TICKET_REFS,
];

/// Tables whose secondary indexes are built once after the load. Building
/// an index from a sorted scan costs less CPU than maintaining it row by row
/// (measured on the demo's large scale: 52 s of CPU against 66 s), most of
/// all for the keys that arrive in random order (buyer, merchant, product).
const DEFERRED_INDEX_TABLES: [&str; 11] = [
    "orders",
    "order_lines",
    "shipment_events",
    "stock_movements",
    "tickets",
    "ticket_messages",
    "reviews",
    "refunds",
    "customers",
    // Written by the generator's own rollups (`GENERATED`): their
    // secondary indexes are built once after.
    "product_sales_days",
    "kpi_paid_orders",
];

/// The triggers whose rollups the generator writes itself (`rollups`):
/// set aside and put back without their rebuild.
const GENERATED: [&str; 3] = ["orders_chain_ai", "product_sales_line_ai", "kpi_tops_sales_ai"];

/// A bulk load in progress on a fresh file.
pub struct Load<'c> {
    conn: &'c mut Connection,
    in_tx: bool,
}

/// Runs `f` with the connection in bulk mode: no fsync, a 1 GiB cache,
/// index sorts in memory on two threads, no per-row foreign-key lookups
/// (`check` verifies them after), and a rollback journal instead of the
/// WAL. All set back before returning, also when `f` fails (an open
/// transaction is rolled back first).
///
/// The cache: with 256 MB the index and rollup rebuilds read the large
/// demo's orders and lines back from the OS (a pread per page, one scan
/// per index) and the load spilled dirty pages: 1 GiB keeps them, for
/// about 16 s less CPU (94.8 → 78.8 s) and 1.4 GB peak RSS instead of
/// 0.6 GB. SQLite allocates the pages as it needs them: a small load uses
/// no more than before.
///
/// The journal: in WAL mode every page a multi-gigabyte transaction writes
/// goes to the WAL first and is copied into the file again by the
/// checkpoint; a rollback journal keeps only the old content of pages that
/// existed before, next to nothing on a new file, so each page is written
/// once. A load killed halfway leaves a hot journal that the next open
/// rolls back, as a WAL would.
pub fn load<T>(conn: &mut Connection, f: impl FnOnce(&mut Load<'_>) -> Result<T>) -> Result<T> {
    if super::is_read_only(conn) {
        return Err(super::read_only_refusal(conn));
    }
    journal_mode(conn, "delete")?;
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576;
         PRAGMA temp_store = MEMORY; PRAGMA threads = 2;",
    )?;
    let mut l = Load { conn, in_tx: false };
    let out = f(&mut l);
    let rolled_back = if l.in_tx {
        l.in_tx = false;
        l.conn.execute_batch("ROLLBACK;")
    } else {
        Ok(())
    };
    let restored = l.conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000;
         PRAGMA temp_store = DEFAULT; PRAGMA threads = 0;",
    );
    let wal = journal_mode(l.conn, "wal");
    let out = out?;
    rolled_back?;
    restored?;
    wal?;
    Ok(out)
}

/// Sets the journal mode, failing when SQLite keeps another (it cannot
/// leave WAL while another connection has the file open).
fn journal_mode(conn: &Connection, mode: &str) -> Result<()> {
    let got: String = conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| r.get(0))?;
    if !got.eq_ignore_ascii_case(mode) {
        return Err(Error::Db(format!(
            "seed: could not switch the journal to {mode} (still {got}); is another shopdesk using the file?"
        )));
    }
    Ok(())
}

/// Planner statistics for the new file.
pub fn analyze(conn: &Connection) -> Result<()> {
    Ok(conn.execute_batch("ANALYZE;")?)
}

/// Folds the WAL into the main file, so the file stands alone.
pub fn checkpoint(conn: &Connection) -> Result<()> {
    Ok(conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?)
}

/// The rows of one of the seeded tables.
pub fn row_count(conn: &Connection, table: &'static str) -> Result<i64> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0))?)
}

impl Load<'_> {
    /// `BEGIN IMMEDIATE`: the seed's rows up to the next `commit`.
    pub fn begin(&mut self) -> Result<()> {
        if self.in_tx {
            return Err(Error::Db("seed: begin inside an open transaction".into()));
        }
        self.conn.execute_batch("BEGIN IMMEDIATE;")?;
        self.in_tx = true;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<()> {
        if !self.in_tx {
            return Err(Error::Db("seed: commit without a transaction".into()));
        }
        self.conn.execute_batch("COMMIT;")?;
        self.in_tx = false;
        Ok(())
    }

    pub fn settings(&self) -> Result<Settings> {
        settings::load(self.conn)
    }

    pub fn holidays(&self) -> Result<Vec<NaiveDate>> {
        settings::holidays(self.conn)
    }

    /// Drops the indexes and triggers a bulk load rebuilds after
    /// (`restore` inside the last transaction puts them back). The paid
    /// order chains, the product sales days and the KPI top lists are not
    /// rebuilt: the generator writes them (`rollups`).
    pub fn set_aside(&self) -> Result<SetAside> {
        let triggers: Vec<bulk::RowTrigger> = [
            &ROW_TRIGGERS[..],
            &bulk::ALL_KPIS[..],
            &[bulk::REFUND_CAP],
            &bulk::PRODUCT_SALES[..],
            &bulk::TICKET_KPIS[..],
            &bulk::TICKET_KPI_COUNTS[..],
        ]
        .concat()
        .into_iter()
        .map(|t| {
            if GENERATED.contains(&t.name) {
                bulk::RowTrigger { rebuild: "", ..t }
            } else {
                t
            }
        })
        .collect();
        bulk::set_aside(self.conn, &DEFERRED_INDEX_TABLES, &triggers)
    }

    pub fn restore(&self, aside: SetAside) -> Result<()> {
        aside.restore(self.conn)
    }

    /// The id of the staff member `login` (made by `init`).
    pub fn staff_id(&self, login: &str) -> Result<i64> {
        self.conn
            .query_row("SELECT id FROM staff WHERE login = ?1", [login], |r| r.get(0))
            .map_err(|e| Error::Db(format!("seed: staff {login}: {e}")))
    }
}

mod batch;
mod catalog;
mod history;
mod orders;
mod rollups;

pub use crate::store::audit::Text as AuditText;
pub use catalog::*;
pub use history::{History, MerchantFacts, OrderFacts};
pub use orders::*;
pub use rollups::*;

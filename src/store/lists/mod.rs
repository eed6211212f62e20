//! Read queries for the list screens: keyset pagination over an indexed sort
//! key, counts from `status_counts`, filters, and detail loads.
//!
//! Every page query is `WHERE <filters> AND (key, id) > (?, ?) ORDER BY key, id
//! LIMIT n` against an index on `key` (or `(status, key)` when a status filter
//! is on), so a page costs the same at row 40 and at row 1,000,000. Nothing
//! here uses OFFSET or loads a table.

mod matches;
pub mod merchants;
pub mod order_queues;
pub mod orders;
pub mod products;
mod status;
pub mod tickets;
#[cfg(test)]
mod walk_tests;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql};

use crate::Result;

pub(crate) use matches::{page_for, resolve};
pub use status::{MerchantQueue, OrderQueue, Status, StatusFilter, TicketQueue};

/// The connection type, named here so the screens need not know the driver.
pub type Conn = Connection;

static EXPLAIN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static PLANS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Records `EXPLAIN QUERY PLAN` of every list query from now on (bench
/// `--explain`); `take_plans` returns them.
pub fn set_explain(on: bool) {
    EXPLAIN.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The recorded query plans, deduplicated, as "SQL\n  plan lines".
pub fn take_plans() -> Vec<String> {
    let mut v = PLANS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    v.sort();
    v.dedup();
    v
}

fn record_plan(conn: &Connection, sql: &str, params: &[Value]) {
    if !EXPLAIN.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let plan = explain(conn, sql, params).unwrap_or_else(|e| vec![format!("(explain failed: {e})")]);
    let text = format!(
        "{}\n  {}",
        sql.split_whitespace().collect::<Vec<_>>().join(" "),
        plan.join("\n  ")
    );
    if let Ok(mut p) = PLANS.lock() {
        p.push(text);
    }
}

/// How long one page query may walk the sort index testing a broad text
/// filter before it stops and returns what it found (sparse stretches of a
/// million rows would otherwise cost a keypress tens of milliseconds).
pub const WALK_BUDGET: std::time::Duration = std::time::Duration::from_millis(8);

thread_local! {
    // The progress handler is per connection but takes no arguments, so the
    // running query's deadline is handed to it here; the outcome travels
    // back in the `Page`, not through this cell.
    static DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// Lets page queries on `conn` be stopped at their budget (install once).
pub fn install_budget(conn: &mut Connection) -> Result<()> {
    conn.progress_handler(
        1000,
        Some(|| DEADLINE.with(|d| d.get().is_some_and(|t| std::time::Instant::now() > t))),
    )?;
    Ok(())
}

/// Text filters on big tables count at most this many matches ("10,000+");
/// up to that many, the matches are kept in list order and paged by id.
pub const COUNT_CAP: u64 = 10_000;

/// A sort-key value as stored. Ordered as SQLite orders them (NULL, then
/// integers, then text by bytes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Null,
    Int(i64),
    Text(String),
}

impl ToSql for Key {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Key::Null => ToSqlOutput::Owned(Value::Null),
            Key::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Key::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn key_from(v: ValueRef<'_>) -> Key {
    match v {
        ValueRef::Null => Key::Null,
        ValueRef::Integer(i) => Key::Int(i),
        ValueRef::Real(f) => Key::Int(f as i64),
        ValueRef::Text(t) | ValueRef::Blob(t) => Key::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Where a row sits in the current order: its sort-key value and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub key: Key,
    pub id: i64,
}

/// Which page to read, relative to the current order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seek {
    First,
    Last,
    /// Rows strictly after this one.
    After(Cursor),
    /// Rows strictly before this one (returned in list order).
    Before(Cursor),
    /// This row (if it still exists) and the rows after it.
    From(Cursor),
}

/// A sortable column: the name people see and the indexed SQL expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub name: &'static str,
    pub expr: &'static str,
    pub nullable: bool,
    /// The natural direction (newest first for times).
    pub desc: bool,
    /// The index that serves this order ("" = the rowid itself). Page
    /// queries name it (`INDEXED BY`), so ANALYZE statistics can never talk
    /// SQLite into sorting a million rows for one page.
    pub index: &'static str,
    /// The index serving this order within one status (`(status, key)`, or
    /// `(status)` whose entries end in the rowid), if there is one.
    pub status_index: Option<&'static str>,
}

impl SortKey {
    /// Usable together with a status filter.
    pub fn with_status(&self) -> bool {
        self.status_index.is_some()
    }

    /// The index hint for a page query.
    fn hint(&self, filter: &Filter) -> String {
        if filter.by_ids {
            return String::new();
        }
        let index = if filter.status {
            filter.status_index.or(self.status_index)
        } else {
            Some(self.index)
        };
        match index {
            Some("") => "NOT INDEXED".to_string(),
            Some(i) => format!("INDEXED BY {i}"),
            None => String::new(),
        }
    }
}

/// `FROM table alias <hint> rest`.
fn hinted(from: &str, hint: &str) -> String {
    let mut parts = from.splitn(4, ' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(f), Some(t), Some(a), rest) => format!("{f} {t} {a} {hint} {}", rest.unwrap_or("")),
        _ => from.to_string(),
    }
}

/// What the list shows: a status filter, a text filter and an order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub status: Option<StatusFilter>,
    pub text: String,
    /// Index into the entity's `SORT_KEYS`.
    pub sort: usize,
    /// Reverse of the key's natural direction.
    pub reversed: bool,
    /// The rows matching the text filter in list order, when there are at
    /// most `COUNT_CAP` of them (from `resolve`): a page is then a slice of
    /// this list, read by id, instead of a new search. `None` with a text filter means the
    /// filter is broad, and pages walk the sort index testing each row,
    /// which finds a page quickly because matches are dense.
    pub matches: Option<std::sync::Arc<[Cursor]>>,
}

impl Query {
    pub fn text(&self) -> Option<&str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }
}

/// A view's count and, for a selective text filter, its matches in order.
pub type Resolution = (Count, Option<std::sync::Arc<[Cursor]>>);

/// One row of a page with its position in the order.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub cursor: Cursor,
    pub row: T,
}

/// One page of a list read: the rows, and whether the read stopped early.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// The walk of the sort index stopped at its budget before the page was
    /// full: rows further on may match (the screen says "refine the filter").
    pub truncated: bool,
    /// How long the read walked the index testing a text filter (`None` when
    /// it did not walk: no text filter, or a resolved match list).
    pub walked: Option<std::time::Duration>,
}

impl<T> Page<T> {
    /// A complete page of `rows` (no walk).
    pub fn complete(rows: Vec<T>) -> Self {
        Page {
            rows,
            truncated: false,
            walked: None,
        }
    }

    /// The same page with its rows turned into something else.
    pub fn map_rows<U>(self, f: impl FnOnce(Vec<T>) -> Vec<U>) -> Page<U> {
        Page {
            rows: f(self.rows),
            truncated: self.truncated,
            walked: self.walked,
        }
    }
}

/// How many rows the filtered view holds; `capped` means "at least `n`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub n: u64,
    pub capped: bool,
}

/// A filter condition and its parameters.
#[derive(Debug, Default, Clone)]
pub(crate) struct Filter {
    pub conds: Vec<String>,
    pub params: Vec<Value>,
    /// A status condition is among `conds`.
    pub status: bool,
    /// The index that serves this status condition in the sort key's
    /// order, when it is not the key's own `status_index` (an exception
    /// queue with its own partial index).
    pub status_index: Option<&'static str>,
    /// The rows are named by a resolved id list.
    pub by_ids: bool,
    /// A text condition is among `conds` (pages walk and test rows).
    pub text: bool,
}

impl Filter {
    /// `col = ?` for the query's plain status of `entity`; a filter meant
    /// for another entity (or a queue the entity does not have) matches
    /// nothing.
    pub fn status(&mut self, q: &Query, entity: &str, col: &str) {
        let Some(sf) = &q.status else { return };
        self.status = true;
        let statuses: Vec<Value> = sf
            .statuses()
            .into_iter()
            .filter(|s| s.entity() == entity)
            .map(|s| Value::Text(s.as_str().to_string()))
            .collect();
        match statuses.len() {
            0 => self.push("0", []),
            1 => self.push(format!("{col} = ?"), statuses),
            n => self.push(format!("{col} IN ({})", vec!["?"; n].join(", ")), statuses),
        }
    }

    pub fn push(&mut self, cond: impl Into<String>, params: impl IntoIterator<Item = Value>) {
        self.conds.push(cond.into());
        self.params.extend(params);
    }

    fn where_sql(&self, extra: Option<&str>) -> String {
        let mut parts: Vec<&str> = self.conds.iter().map(String::as_str).collect();
        if let Some(e) = extra {
            parts.push(e);
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE ({})", parts.join(") AND ("))
        }
    }
}

/// The upper bound of a prefix range: `col >= p AND col < p || U+10FFFF`.
pub(crate) fn prefix_range(p: &str) -> (Value, Value) {
    (Value::Text(p.to_string()), Value::Text(format!("{p}\u{10FFFF}")))
}

/// `%term%` with LIKE's wildcards escaped (use with `ESCAPE '\'`).
pub(crate) fn like_pattern(term: &str) -> Value {
    let mut s = String::with_capacity(term.len() + 2);
    s.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    Value::Text(s)
}

/// One filtered, ordered view of a table.
#[derive(Clone, Copy)]
pub(crate) struct ViewSql<'a> {
    /// The columns after SELECT (the first is the id).
    pub cols: &'a str,
    /// `FROM table alias JOIN ...` without WHERE.
    pub from: &'a str,
    pub id_expr: &'a str,
    pub filter: &'a Filter,
    pub key: &'a SortKey,
    pub reversed: bool,
}

/// An entity's list: the columns and joins its rows are read with, its id
/// expression, and the orders it can be sorted by.
pub(crate) struct Table {
    pub cols: &'static str,
    pub from: &'static str,
    pub id_expr: &'static str,
    /// The entity's `SORT_KEYS`; the first is the default.
    pub sort_keys: &'static [SortKey],
}

impl Table {
    /// The sort key `q` asks for (the default if out of range).
    fn key(&self, q: &Query) -> &'static SortKey {
        self.sort_keys.get(q.sort).unwrap_or(&self.sort_keys[0])
    }

    /// The view of this table that `q` shows, filtered by `f`.
    pub fn view<'a>(&self, q: &Query, f: &'a Filter) -> ViewSql<'a> {
        ViewSql {
            cols: self.cols,
            from: self.from,
            id_expr: self.id_expr,
            filter: f,
            key: self.key(q),
            reversed: q.reversed,
        }
    }
}

/// Builds and runs one keyset page query. `select` is `SELECT cols FROM ...`
/// without WHERE; the key expression is appended as the last column. A walk
/// testing a text filter stops after `budget` (see `WALK_BUDGET`).
pub(crate) fn page<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    seek: &Seek,
    limit: usize,
    budget: std::time::Duration,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<Paged<T>>> {
    let ViewSql {
        cols,
        from,
        id_expr,
        filter,
        key,
        reversed,
    } = *v;
    let desc = key.desc != reversed;
    // Walk backwards for Last and Before, then flip the rows.
    let backwards = matches!(seek, Seek::Last | Seek::Before(_));
    let walk_desc = desc != backwards;
    let mut params = filter.params.clone();
    let cond = match seek {
        Seek::First | Seek::Last => None,
        Seek::After(c) | Seek::Before(c) | Seek::From(c) => {
            let inclusive = matches!(seek, Seek::From(_));
            Some(keyset_cond(key, id_expr, walk_desc, inclusive, c, &mut params))
        }
    };
    let dir = if walk_desc { "DESC" } else { "ASC" };
    let order = if key.expr == id_expr {
        format!("{id_expr} {dir}")
    } else {
        format!("{} {dir}, {id_expr} {dir}", key.expr)
    };
    let from = hinted(from, &key.hint(filter));
    let sql = format!(
        "SELECT {cols}, {} AS sort_key {from}{} ORDER BY {order} LIMIT {limit}",
        key.expr,
        filter.where_sql(cond.as_deref())
    );
    record_plan(conn, &sql, &params);
    let walk = filter.text && !filter.by_ids;
    let mut st = conn.prepare_cached(&sql)?;
    let ncols = st.column_count();
    let started = std::time::Instant::now();
    if walk {
        DEADLINE.with(|d| d.set(Some(started + budget)));
    }
    let mut out = Vec::with_capacity(limit);
    let result = (|| -> Result<bool> {
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        loop {
            match rows.next() {
                Ok(Some(r)) => {
                    let row = map(r)?;
                    let id: i64 = r.get(0)?;
                    let k = key_from(r.get_ref(ncols - 1)?);
                    out.push(Paged {
                        cursor: Cursor { key: k, id },
                        row,
                    });
                }
                Ok(None) => return Ok(false),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if walk && e.code == rusqlite::ErrorCode::OperationInterrupted =>
                {
                    return Ok(true);
                }
                Err(e) => return Err(e.into()),
            }
        }
    })();
    DEADLINE.with(|d| d.set(None));
    let truncated = result?;
    if backwards {
        out.reverse();
    }
    Ok(Page {
        rows: out,
        truncated,
        walked: walk.then(|| started.elapsed()),
    })
}

/// Rows after `c` when walking in `walk_desc` order. SQLite puts NULLs first
/// in ascending order and last in descending order.
fn keyset_cond(
    key: &SortKey,
    id_expr: &str,
    walk_desc: bool,
    inclusive: bool,
    c: &Cursor,
    params: &mut Vec<Value>,
) -> String {
    let (op, id_op) = match (walk_desc, inclusive) {
        (false, false) => (">", ">"),
        (false, true) => (">=", ">="),
        (true, false) => ("<", "<"),
        (true, true) => ("<=", "<="),
    };
    let id = Value::Integer(c.id);
    if key.expr == id_expr {
        params.push(id);
        return format!("{id_expr} {id_op} ?");
    }
    let k = key.expr;
    match (&c.key, key.nullable, walk_desc) {
        (Key::Null, _, false) => {
            params.push(id);
            format!("({k} IS NULL AND {id_expr} {id_op} ?) OR {k} IS NOT NULL")
        }
        (Key::Null, _, true) => {
            params.push(id);
            format!("{k} IS NULL AND {id_expr} {id_op} ?")
        }
        (v, nullable, desc) => {
            params.push(match v {
                Key::Int(i) => Value::Integer(*i),
                Key::Text(s) => Value::Text(s.clone()),
                Key::Null => Value::Null,
            });
            params.push(id);
            // SQLite seeks an expression index (tickets' SLA due) on a
            // plain comparison, not on a row value: lead with one.
            let lead = if k.starts_with('(') {
                let v = params[params.len() - 2].clone();
                params.insert(params.len() - 2, v);
                format!("{k} {} ? AND ", if desc { "<=" } else { ">=" })
            } else {
                String::new()
            };
            if nullable && desc {
                format!("({lead}({k}, {id_expr}) {op} (?, ?)) OR {k} IS NULL")
            } else {
                format!("{lead}({k}, {id_expr}) {op} (?, ?)")
            }
        }
    }
}

/// Rows per status for an entity (`merchant|product|order|ticket`), kept by
/// triggers: no table scan.
pub fn status_counts(conn: &Connection, entity: &str) -> Result<Vec<(String, u64)>> {
    let mut st =
        conn.prepare_cached("SELECT status, n FROM status_counts WHERE entity = ?1 ORDER BY status")?;
    let rows = st.query_map([entity], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (s, n) = r?;
        out.push((s, n.max(0) as u64));
    }
    Ok(out)
}

/// The number of rows with `status` (or all rows) from `status_counts`.
pub fn status_total(conn: &Connection, entity: &str, status: Option<&str>) -> Result<u64> {
    let n: i64 = match status {
        Some(s) => conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0) FROM status_counts WHERE entity = ?1 AND status = ?2",
            )?
            .query_row([entity, s], |r| r.get(0))?,
        None => conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM status_counts WHERE entity = ?1")?
            .query_row([entity], |r| r.get(0))?,
    };
    Ok(n.max(0) as u64)
}

/// A second connection for background reads, with a small page cache (the
/// main connection keeps the big one), so the process stays small.
pub fn open_reader(path: &std::path::Path) -> Result<Connection> {
    let conn = super::open(path)?;
    conn.execute_batch("PRAGMA cache_size = -4000; PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// Changes whenever another connection commits to the file.
pub fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

/// `EXPLAIN QUERY PLAN` of a page query, for tests and `bench --explain`.
pub fn explain(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<String>> {
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        r.get::<_, String>(3)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Streams every row of the filtered view in list order to `f` (exports):
/// one statement stepping through the index, never the whole set in memory.
pub(crate) fn stream<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    f: &mut dyn FnMut(T) -> Result<()>,
) -> Result<u64> {
    let ViewSql {
        cols,
        from,
        id_expr,
        filter,
        key,
        reversed,
    } = *v;
    let dir = if key.desc != reversed { "DESC" } else { "ASC" };
    let order = if key.expr == id_expr {
        format!("{id_expr} {dir}")
    } else {
        format!("{} {dir}, {id_expr} {dir}", key.expr)
    };
    let from = hinted(from, &key.hint(filter));
    let sql = format!(
        "SELECT {cols}, {} AS sort_key {from}{} ORDER BY {order}",
        key.expr,
        filter.where_sql(None)
    );
    record_plan(conn, &sql, &filter.params);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(filter.params.iter()))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        f(map(r)?)?;
        n += 1;
    }
    Ok(n)
}

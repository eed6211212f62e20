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
pub mod ticket_queues;
pub mod tickets;
mod walk;
#[cfg(test)]
mod walk_tests;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql};

use crate::Result;

pub(crate) use matches::{Source, page_for, page_probed, resolve, resolve_from};
pub use status::{MerchantQueue, OrderQueue, ProductQueue, Status, StatusFilter, TicketQueue};
use walk::keyset_cond;
pub(crate) use walk::page;
pub use walk::{LOOK_FURTHER_ROWS, WALK_ROWS, install_budget};

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

/// Text filters count at most this many matches ("100,000+"), through
/// their indexes.
pub const COUNT_CAP: u64 = 100_000;

/// Up to this many matches are kept in list order and paged by id (about
/// 70 bytes each: 3.5 MB at the cap); a broader filter walks the sort index.
pub const MATCH_CAP: u64 = 50_000;

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
    /// Rows a page walk may test (0: `WALK_ROWS`); "keep looking" asks
    /// for more.
    pub walk_rows: u64,
    /// The most matches kept as a list (0: `MATCH_CAP`; tests make it small
    /// to see a broad search on a small shop).
    pub match_cap: u64,
}

impl Query {
    pub fn match_cap(&self) -> u64 {
        if self.match_cap == 0 {
            MATCH_CAP
        } else {
            self.match_cap
        }
    }

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
    /// The walk of the sort index stopped at its row budget before the page
    /// was full: rows further on may match.
    pub truncated: bool,
    /// Rows of the sort index the read tested against a text filter (0 when
    /// it did not walk: no text filter, or a resolved match list).
    pub looked: u64,
    /// The last row a stopped walk looked at: reading `Seek::After` it goes
    /// on where this one stopped.
    pub resume: Option<Cursor>,
}

impl<T> Page<T> {
    /// A complete page of `rows` (no walk).
    pub fn complete(rows: Vec<T>) -> Self {
        Page {
            rows,
            truncated: false,
            looked: 0,
            resume: None,
        }
    }

    /// The same page with its rows turned into something else.
    pub fn map_rows<U>(self, f: impl FnOnce(Vec<T>) -> Vec<U>) -> Page<U> {
        Page {
            rows: f(self.rows),
            truncated: self.truncated,
            looked: self.looked,
            resume: self.resume,
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

    /// ` WHERE first AND conds AND extra`: `first` (no parameters) is tested
    /// before anything else; the parameters stay in `conds`, `extra` order.
    fn where_sql_first(&self, first: &str, extra: &[&str]) -> String {
        let mut parts: Vec<&str> = vec![first];
        parts.extend(self.conds.iter().map(String::as_str));
        parts.extend(extra.iter().copied());
        format!(" WHERE ({})", parts.join(") AND ("))
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

/// What a search term can be: an order number prefix (as typed and
/// upper-cased), a name prefix (the term itself) and, with four or more
/// digits, the end of a phone number.
pub(crate) struct Terms {
    /// Distinct spellings of an order-number prefix.
    pub prefixes: Vec<String>,
    digits: Option<String>,
}

/// Customers whose phone ends in the digits: the tail index finds the last
/// four, LIKE checks the rest (parameters: the last four, `%digits`).
pub(crate) const PHONE_TAIL_COND: &str = "substr(phone, -4) = ? AND phone LIKE ? ESCAPE '\\'";

impl Terms {
    pub fn of(t: &str) -> Terms {
        let mut prefixes = vec![t.to_string()];
        let upper = t.to_uppercase();
        if upper != t {
            prefixes.push(upper);
        }
        let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let phone = digits.len() >= 4 && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit());
        Terms {
            prefixes,
            digits: phone.then_some(digits),
        }
    }

    /// The parameters of `PHONE_TAIL_COND`, when the term is phone digits.
    pub fn phone_tail(&self) -> Option<(Value, Value)> {
        let d = self.digits.as_ref()?;
        let tail = d.get(d.len() - 4..)?.to_string();
        Some((Value::Text(tail), Value::Text(format!("%{d}"))))
    }
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
    let mut conn = super::open(path)?;
    conn.execute_batch("PRAGMA cache_size = -4000; PRAGMA query_only = ON;")?;
    install_budget(&mut conn)?;
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

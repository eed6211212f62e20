//! Page queries: one keyset query per page over the sort index, and the
//! walk that tests a broad text filter row by row within a row budget.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::{Cursor, Key, Page, Paged, Seek, SortKey, ViewSql, hinted, key_from, record_plan};
use crate::Result;

/// How many rows one page query may test against a broad text filter
/// before it stops and returns what it found. Counted in rows, not time, so
/// a cold and a warm cache give the same answer; at about half a
/// microsecond a row (warm) the walk stays inside a frame.
pub const WALK_ROWS: u64 = 20_000;

/// How many rows "keep looking" tests in one go (on the list worker).
pub const LOOK_FURTHER_ROWS: u64 = 400_000;

/// What the running walk has seen: rows tested so far, the last one (where
/// to go on from) and the most it may test.
#[derive(Default)]
struct Walk {
    seen: u64,
    limit: u64,
    last: Option<Cursor>,
    stopped: bool,
}

thread_local! {
    // SQL functions take no context from the caller, so the running walk's
    // budget is handed to `walk_seen` here; the outcome travels back in the
    // `Page`, not through this cell.
    static WALK: std::cell::RefCell<Option<Walk>> = const { std::cell::RefCell::new(None) };
}

/// Registers `walk_seen(id, key)` on `conn`: every page walk calls it once
/// per row of the sort index it tests, so a walk stops after a fixed number
/// of rows and knows the last row it looked at (install once per
/// connection).
pub fn install_budget(conn: &mut Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("walk_seen", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let id: i64 = ctx.get(0)?;
        let key = key_from(ctx.get_raw(1));
        WALK.with(|w| {
            let mut w = w.borrow_mut();
            let Some(w) = w.as_mut() else { return Ok(1) };
            if w.seen >= w.limit {
                w.stopped = true;
                return Err(rusqlite::Error::UserFunctionError("walk budget spent".into()));
            }
            w.seen += 1;
            w.last = Some(Cursor { key, id });
            Ok(1)
        })
    })?;
    Ok(())
}

/// Builds and runs one keyset page query. `select` is `SELECT cols FROM ...`
/// without WHERE; the key expression is appended as the last column. A walk
/// testing a text filter stops after testing `budget` rows (see `WALK_ROWS`).
pub(crate) fn page<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    seek: &Seek,
    limit: usize,
    budget: u64,
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
    let walk = filter.text && !filter.by_ids;
    // The counter comes first so it sees every row of the index range,
    // before the text test throws most of them away.
    let counter = format!("walk_seen({id_expr}, {})", key.expr);
    let mut extra: Vec<&str> = Vec::new();
    if let Some(c) = cond.as_deref() {
        extra.push(c);
    }
    let from = hinted(from, &key.hint(filter));
    let where_sql = if walk {
        filter.where_sql_first(&counter, &extra)
    } else {
        filter.where_sql(cond.as_deref())
    };
    let sql = format!(
        "SELECT {cols}, {} AS sort_key {from}{where_sql} ORDER BY {order} LIMIT {limit}",
        key.expr,
    );
    record_plan(conn, &sql, &params);
    let mut st = conn.prepare_cached(&sql)?;
    let ncols = st.column_count();
    if walk {
        WALK.with(|w| {
            *w.borrow_mut() = Some(Walk {
                limit: budget,
                ..Walk::default()
            })
        });
    }
    let mut out = Vec::with_capacity(limit);
    let result = (|| -> Result<()> {
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            let row = map(r)?;
            let id: i64 = r.get(0)?;
            let k = key_from(r.get_ref(ncols - 1)?);
            out.push(Paged {
                cursor: Cursor { key: k, id },
                row,
            });
        }
        Ok(())
    })();
    let w = WALK.with(|w| w.borrow_mut().take()).unwrap_or_default();
    let truncated = w.stopped;
    if !truncated {
        result?;
    }
    if backwards {
        out.reverse();
    }
    Ok(Page {
        rows: out,
        truncated,
        looked: w.seen,
        resume: if truncated { w.last } else { None },
    })
}

/// Rows after `c` when walking in `walk_desc` order. SQLite puts NULLs first
/// in ascending order and last in descending order.
pub(super) fn keyset_cond(
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

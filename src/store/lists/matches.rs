//! Selective text filters: the matching rows are found once (through the
//! filter's indexes), kept sorted in list order, and paged by id.

use rusqlite::Connection;

use super::{
    COUNT_CAP, Count, Cursor, Filter, Page, Paged, Query, Resolution, Seek, ViewSql, key_from, page,
    record_plan, status_total,
};
use crate::Result;

/// `id IN (1,2,3)` for a resolved match set (ids are integers from the
/// database, so they are written into the SQL; an empty set matches nothing).
fn ids_cond(id_expr: &str, ids: &[i64]) -> String {
    if ids.is_empty() {
        return "0".to_string();
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{id_expr} IN ({})", list.join(","))
}

/// One index path to a filter's matches: `FROM ... WHERE ...` naming the
/// view's aliases, read as `SELECT id_expr, key_expr` (an index holding the
/// sort key makes it a range scan with no table reads).
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub from_where: String,
    pub params: Vec<rusqlite::types::Value>,
}

/// The count of a view and, for a selective text filter, its matching rows
/// in list order (reading them through `ids_from` and the filter itself).
pub(crate) fn resolve(
    conn: &Connection,
    entity: &str,
    q: &Query,
    v: &ViewSql<'_>,
    ids_from: &str,
    cap: u64,
) -> Result<Resolution> {
    let whole = Source {
        from_where: format!("{ids_from}{}", v.filter.where_sql(None)),
        params: v.filter.params.clone(),
    };
    resolve_from(conn, entity, q, v, ids_from, &[whole], cap)
}

/// The count of a view (counted through `ids_from` and the filter's
/// indexes, at most `COUNT_CAP`) and, when there are at most `cap` matches,
/// the matching rows in list order: the union of `sources`, sorted here.
pub(crate) fn resolve_from(
    conn: &Connection,
    entity: &str,
    q: &Query,
    v: &ViewSql<'_>,
    ids_from: &str,
    sources: &[Source],
    cap: u64,
) -> Result<Resolution> {
    if q.text().is_none() {
        let n = match &q.status {
            None => status_total(conn, entity, None)?,
            // A queue is counted by its entity (orders) before this.
            Some(sf) => {
                let mut n = 0;
                for s in sf.statuses().into_iter().filter(|s| s.entity() == entity) {
                    n += status_total(conn, entity, Some(s.as_str()))?;
                }
                n
            }
        };
        return Ok((Count { n, capped: false }, None));
    }
    // First count through the indexes alone (no table reads); only a
    // selective filter pays for reading sort keys. When at most one index
    // path finds anything (the usual case: an order number is not also a
    // name), its own count is the answer, an index range count; else the
    // OR of all of them, which dedups.
    let count_cap = cap.max(COUNT_CAP);
    let mut per_source = Vec::new();
    for s in sources {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 {} LIMIT {})",
            s.from_where,
            count_cap + 1
        );
        record_plan(conn, &sql, &s.params);
        let n: i64 = conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(s.params.iter()), |r| r.get(0))?;
        per_source.push(n.max(0) as u64);
    }
    let n = match per_source.iter().filter(|n| **n > 0).count() {
        0 if !sources.is_empty() => 0,
        1 => per_source.iter().copied().max().unwrap_or(0),
        _ => {
            let where_sql = v.filter.where_sql(None);
            let count_sql = format!(
                "SELECT count(*) FROM (SELECT 1 {ids_from}{where_sql} LIMIT {})",
                count_cap + 1
            );
            record_plan(conn, &count_sql, &v.filter.params);
            let n: i64 = conn
                .prepare_cached(&count_sql)?
                .query_row(rusqlite::params_from_iter(v.filter.params.iter()), |r| r.get(0))?;
            n.max(0) as u64
        }
    };
    if n > count_cap {
        return Ok((
            Count {
                n: count_cap,
                capped: true,
            },
            None,
        ));
    }
    if n > cap {
        return Ok((Count { n, capped: false }, None));
    }
    let mut found = Vec::new();
    for s in sources {
        let sql = format!("SELECT {}, {} {}", v.id_expr, v.key.expr, s.from_where);
        record_plan(conn, &sql, &s.params);
        let mut st = conn.prepare_cached(&sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(s.params.iter()))?;
        while let Some(r) = rows.next()? {
            found.push(Cursor {
                id: r.get(0)?,
                key: key_from(r.get_ref(1)?),
            });
        }
    }
    // A row reached by two sources (an order number that is also a name)
    // has the same key both times, so it sorts next to itself.
    found.sort();
    found.dedup();
    if v.key.desc != v.reversed {
        found.reverse();
    }
    Ok((
        Count {
            n: found.len() as u64,
            capped: false,
        },
        Some(found.into()),
    ))
}

/// One page of a resolved match list: the slice for `seek`, then its rows
/// read by id.
fn page_of_matches<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    list: &[Cursor],
    seek: &Seek,
    limit: usize,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<Paged<T>>> {
    let desc = v.key.desc != v.reversed;
    let before = |e: &Cursor, c: &Cursor| if desc { e > c } else { e < c };
    let (start, end) = match seek {
        Seek::First => (0, limit.min(list.len())),
        Seek::Last => (list.len().saturating_sub(limit), list.len()),
        Seek::After(c) => {
            let s = list.partition_point(|e| before(e, c) || e == c);
            (s, (s + limit).min(list.len()))
        }
        Seek::From(c) => {
            let s = list.partition_point(|e| before(e, c));
            (s, (s + limit).min(list.len()))
        }
        Seek::Before(c) => {
            let e = list.partition_point(|e| before(e, c));
            (e.saturating_sub(limit), e)
        }
    };
    let slice = &list[start..end];
    if slice.is_empty() {
        return Ok(Page::complete(Vec::new()));
    }
    let ids: Vec<i64> = slice.iter().map(|c| c.id).collect();
    let mut f = Filter::default();
    f.push(ids_cond(v.id_expr, &ids), []);
    f.by_ids = true;
    let by_ids = ViewSql { filter: &f, ..*v };
    // Read by id, so no walk and no budget.
    let mut page = page(conn, &by_ids, &Seek::First, slice.len(), super::WALK_ROWS, map)?;
    let pos: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    page.rows
        .sort_by_key(|r| pos.get(&r.cursor.id).copied().unwrap_or(usize::MAX));
    Ok(page)
}

/// A page of a broad filter straight from its index paths: each source
/// gives its first `limit` rows past `seek` in list order (a range scan of
/// an index that holds the sort key, keeping the best `limit`), the union's
/// first `limit` are the page. No walk: the cost is the sources' range
/// sizes, whatever the list order puts before the matches.
pub(crate) fn page_of_sources<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    sources: &[Source],
    seek: &Seek,
    limit: usize,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<Paged<T>>> {
    let desc = v.key.desc != v.reversed;
    let backwards = matches!(seek, Seek::Last | Seek::Before(_));
    let walk_desc = desc != backwards;
    let dir = if walk_desc { "DESC" } else { "ASC" };
    let order = if v.key.expr == v.id_expr {
        format!("{} {dir}", v.id_expr)
    } else {
        format!("{} {dir}, {} {dir}", v.key.expr, v.id_expr)
    };
    let mut found = Vec::new();
    for s in sources {
        let mut params = s.params.clone();
        let cond = match seek {
            Seek::First | Seek::Last => String::new(),
            Seek::After(c) | Seek::Before(c) | Seek::From(c) => {
                let inclusive = matches!(seek, Seek::From(_));
                let k = super::keyset_cond(v.key, v.id_expr, walk_desc, inclusive, c, &mut params);
                format!(" AND ({k})")
            }
        };
        let sql = format!(
            "SELECT {}, {} {}{cond} ORDER BY {order} LIMIT {limit}",
            v.id_expr, v.key.expr, s.from_where
        );
        record_plan(conn, &sql, &params);
        let mut st = conn.prepare_cached(&sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            found.push(Cursor {
                id: r.get(0)?,
                key: key_from(r.get_ref(1)?),
            });
        }
    }
    found.sort();
    found.dedup();
    if walk_desc {
        found.reverse();
    }
    found.truncate(limit);
    if backwards {
        found.reverse();
    }
    page_of_matches(conn, v, &found, &Seek::First, found.len(), map)
}

/// Rows a broad search tests along the sort index before it reads the
/// index paths instead (`Query::walk_rows` when set: tests).
const PROBE_ROWS: u64 = 2_000;

/// A page of a text filter with no match list (more matches than
/// `MATCH_CAP`). Dense matches (/JD2026: every third order) fill a page
/// within a few hundred rows of the sort index; only when a short probe
/// does not, the index paths are read (their cost is their range size),
/// so the page is never cut short by a walk budget.
pub(crate) fn page_probed<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    q: &Query,
    sources: impl FnOnce() -> Result<Vec<Source>>,
    seek: &Seek,
    limit: usize,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<Paged<T>>> {
    let rows = if q.walk_rows == 0 { PROBE_ROWS } else { q.walk_rows };
    let probe = page(conn, v, seek, limit, rows, &map)?;
    if !probe.truncated || probe.rows.len() >= limit {
        return Ok(Page {
            truncated: false,
            resume: None,
            ..probe
        });
    }
    page_of_sources(conn, v, &sources()?, seek, limit, map)
}

/// A page of the view: from the resolved match list when there is one,
/// else by keyset over the sort index.
pub(crate) fn page_for<T>(
    conn: &Connection,
    v: &ViewSql<'_>,
    q: &Query,
    seek: &Seek,
    limit: usize,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<Paged<T>>> {
    match (&q.matches, q.text()) {
        (Some(list), Some(_)) => page_of_matches(conn, v, list, seek, limit, map),
        _ => {
            let budget = if q.walk_rows == 0 {
                super::WALK_ROWS
            } else {
                q.walk_rows
            };
            page(conn, v, seek, limit, budget, map)
        }
    }
}

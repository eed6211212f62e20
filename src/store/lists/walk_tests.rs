//! A page walk that runs out of budget says so in the `Page` it returns.

use rusqlite::Connection;

use super::{Filter, Page, Paged, Seek, SortKey, ViewSql, install_budget, like_pattern, page};

const BY_ID: SortKey = SortKey {
    name: "id",
    expr: "i.id",
    nullable: false,
    desc: false,
    index: "",
    status_index: None,
};

/// 50,000 rows; the first three are named "match", the rest "item N".
fn items() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    install_budget(&mut conn).unwrap();
    conn.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
         INSERT INTO items SELECT i, CASE WHEN i <= 3 THEN 'match ' || i ELSE 'item ' || i END FROM n;",
    )
    .unwrap();
    conn
}

fn text_filter(term: &str) -> Filter {
    let mut f = Filter::default();
    f.push("i.name LIKE ? ESCAPE '\\'", [like_pattern(term)]);
    f.text = true;
    f
}

fn read(conn: &Connection, f: &Filter, seek: &Seek, budget: std::time::Duration) -> Page<Paged<String>> {
    let v = ViewSql {
        cols: "i.id, i.name",
        from: "FROM items i",
        id_expr: "i.id",
        filter: f,
        key: &BY_ID,
        reversed: false,
    };
    page(conn, &v, seek, 20, budget, |r| r.get::<_, String>(1)).unwrap()
}

#[test]
fn a_walk_that_stops_at_its_budget_reports_truncated() {
    let conn = items();
    // A zero budget: the first progress check (after 1,000 VM steps, long
    // before 50,000 rows are tested) is past the deadline.
    let p = read(
        &conn,
        &text_filter("match"),
        &Seek::First,
        std::time::Duration::ZERO,
    );
    assert!(p.truncated, "the walk stopped early, so the page must say so");
    assert!(p.rows.len() < 20, "{} rows", p.rows.len());
    assert!(p.walked.is_some());
    // Whatever it found before stopping is real and in order.
    let names: Vec<&str> = p.rows.iter().map(|r| r.row.as_str()).collect();
    assert!(names.iter().all(|n| n.starts_with("match")), "{names:?}");
}

#[test]
fn a_walk_that_finishes_is_not_truncated() {
    let conn = items();
    let p = read(
        &conn,
        &text_filter("match"),
        &Seek::First,
        std::time::Duration::from_secs(60),
    );
    assert!(!p.truncated);
    assert!(p.walked.is_some());
    let names: Vec<&str> = p.rows.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(names, ["match 1", "match 2", "match 3"]);
    // And the budget is cleared: a later read without a text filter is
    // never interrupted, even on the same thread right after a stop.
    read(
        &conn,
        &text_filter("nothing"),
        &Seek::First,
        std::time::Duration::ZERO,
    );
    let all = read(&conn, &Filter::default(), &Seek::Last, std::time::Duration::ZERO);
    assert!(!all.truncated);
    assert_eq!(all.walked, None, "no text filter, no walk");
    assert_eq!(all.rows.len(), 20);
    assert_eq!(all.rows.last().map(|r| r.cursor.id), Some(50_000));
}

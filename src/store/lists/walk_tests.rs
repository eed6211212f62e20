//! A page walk that runs out of its row budget says so in the `Page` it
//! returns, with how far it looked and where to go on.

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

fn read(conn: &Connection, f: &Filter, seek: &Seek, budget: u64) -> Page<Paged<String>> {
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

/// 50,000 rows; "match" at ids 1–3 and 40,001–40,003, far apart.
fn sparse() -> Connection {
    let conn = items();
    conn.execute_batch("UPDATE items SET name = 'match ' || id WHERE id BETWEEN 40001 AND 40003;")
        .unwrap();
    conn
}

#[test]
fn a_walk_that_stops_at_its_budget_reports_how_far_it_looked() {
    let conn = sparse();
    let p = read(&conn, &text_filter("match"), &Seek::First, 10_000);
    assert!(p.truncated, "the walk stopped early, so the page must say so");
    assert_eq!(p.looked, 10_000, "it looked at exactly its budget of rows");
    // Whatever it found before stopping is real and in order.
    let names: Vec<&str> = p.rows.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(names, ["match 1", "match 2", "match 3"]);
    let resume = p.resume.clone().unwrap();
    assert_eq!(resume.id, 10_000, "the last row it looked at");
    // Going on from there finds the far matches; the answer depends on
    // rows, not time, so it is the same every run.
    let p2 = read(&conn, &text_filter("match"), &Seek::After(resume.clone()), 40_000);
    assert!(!p2.truncated);
    let names: Vec<&str> = p2.rows.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(names, ["match 40001", "match 40002", "match 40003"]);
    assert_eq!(p2.looked, 40_000);
    let again = read(&conn, &text_filter("match"), &Seek::After(resume), 40_000);
    assert_eq!(again.rows.len(), 3);
}

#[test]
fn a_short_budget_stops_before_the_far_matches() {
    let conn = sparse();
    let p = read(
        &conn,
        &text_filter("match"),
        &Seek::After(super::Cursor {
            key: super::Key::Int(3),
            id: 3,
        }),
        5,
    );
    assert!(p.truncated);
    assert!(p.rows.is_empty());
    assert_eq!(p.looked, 5);
    assert_eq!(p.resume.map(|c| c.id), Some(8));
}

#[test]
fn a_walk_that_stops_at_its_budget_reports_truncated() {
    let conn = items();
    let p = read(&conn, &text_filter("match"), &Seek::First, 0);
    assert!(p.truncated, "the walk stopped early, so the page must say so");
    assert!(p.rows.is_empty(), "{} rows", p.rows.len());
    assert_eq!(p.looked, 0);
}

#[test]
fn a_walk_that_finishes_is_not_truncated() {
    let conn = items();
    let p = read(&conn, &text_filter("match"), &Seek::First, 1_000_000);
    assert!(!p.truncated);
    assert_eq!(p.looked, 50_000, "it tested every row once");
    assert_eq!(p.resume, None);
    let names: Vec<&str> = p.rows.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(names, ["match 1", "match 2", "match 3"]);
    // And the budget is cleared: a later read without a text filter is
    // never stopped, even on the same thread right after a stop.
    read(&conn, &text_filter("nothing"), &Seek::First, 0);
    let all = read(&conn, &Filter::default(), &Seek::Last, 0);
    assert!(!all.truncated);
    assert_eq!(all.looked, 0, "no text filter, no walk");
    assert_eq!(all.rows.len(), 20);
    assert_eq!(all.rows.last().map(|r| r.cursor.id), Some(50_000));
}

//! The Orders and Tickets searches count what a direct SQL count over the
//! same rows says (issue 10 item 1): order-number prefixes (as typed and
//! lower-case), CJK customer names, phone digits, subjects and ticket ids,
//! through the screen (synchronously and on the search worker) and the store.

mod tui_support;

use rusqlite::Connection;
use shopdesk::store::lists::{self, Query};
use tui_support::{app, fixture_sql};

/// A shop with more rows than the TUI fixture (names repeat, so 张伟 has
/// many orders; 曹平 is nobody).
fn shop(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("shop.db");
    shopdesk::ops::staff::init(&path, "owner", "测试小铺", "CNY", "Asia/Shanghai").unwrap();
    let conn = shopdesk::store::open(&path).unwrap();
    conn.execute_batch(&fixture_sql(12, 60, 300, 3000, 900)).unwrap();
    path
}

fn digits_only(t: &str) -> bool {
    t.len() >= 4 && t.chars().all(|c| c.is_ascii_digit())
}

/// Orders whose number starts with the term (as typed or upper-cased),
/// whose customer's name starts with it, or (4+ digits) whose customer's
/// phone ends with it: written independently of the store's SQL.
fn sql_orders(conn: &Connection, t: &str) -> u64 {
    conn.query_row(
        "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE substr(o.external_id, 1, length(?1)) IN (?1, upper(?1))
            OR substr(c.name, 1, length(?1)) = ?1
            OR (?2 AND substr(c.phone, -length(?1)) = ?1)",
        rusqlite::params![t, digits_only(t)],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

/// Tickets whose subject contains the term, whose id it is, whose order's
/// number starts with it, whose customer's name starts with it or whose
/// customer's phone ends with it; "#N" is ticket N alone.
fn sql_tickets(conn: &Connection, t: &str) -> u64 {
    if let Some(id) = t.strip_prefix('#') {
        return conn
            .query_row("SELECT count(*) FROM tickets WHERE id = ?1", [id], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap() as u64;
    }
    conn.query_row(
        "SELECT count(*) FROM tickets t LEFT JOIN orders o ON o.id = t.order_id
         LEFT JOIN customers c ON c.id = t.customer_id
         WHERE instr(lower(t.subject), lower(?1)) > 0
            OR CAST(t.id AS TEXT) = ?1
            OR substr(o.external_id, 1, length(?1)) IN (?1, upper(?1))
            OR substr(c.name, 1, length(?1)) = ?1
            OR (?2 AND substr(c.phone, -length(?1)) = ?1)",
        rusqlite::params![t, digits_only(t)],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

/// Terms drawn from the data (so they match something) plus fixed ones.
fn terms(conn: &Connection) -> (Vec<String>, Vec<String>) {
    let one = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let phone = one("SELECT phone FROM customers WHERE id = 7");
    let tail4 = phone[phone.len() - 4..].to_string();
    let tail6 = phone[phone.len() - 6..].to_string();
    let ext = one("SELECT external_id FROM orders WHERE id = 1234");
    let ticket_order =
        one("SELECT o.external_id FROM tickets t JOIN orders o ON o.id = t.order_id WHERE t.id = 77");
    let orders = vec![
        "JD".to_string(),
        "jd0000".to_string(),
        ext[..ext.len() - 2].to_string(),
        ext.clone(),
        ext.to_lowercase(),
        "TM00001".to_string(),
        "张".to_string(),
        "张伟".to_string(),
        "王芳".to_string(),
        "曹平".to_string(),
        tail4.clone(),
        tail6.clone(),
        "DY999".to_string(),
    ];
    let tickets = vec![
        "张".to_string(),
        "李娜".to_string(),
        "曹平".to_string(),
        ticket_order.clone(),
        ticket_order[..ticket_order.len() - 3].to_string(),
        "jd".to_string(),
        "耳机".to_string(),
        "退货".to_string(),
        "#77".to_string(),
        "77".to_string(),
        tail4,
        tail6,
    ];
    (orders, tickets)
}

fn screen_count(a: &mut shopdesk::tui::app::App, tab_key: &str, term: &str) -> (u64, bool, usize) {
    a.press(tab_key);
    a.press("x");
    a.press("/");
    a.type_text(term);
    a.press("enter");
    a.wait_jobs();
    let tab = a.tab;
    let lv = a.list(tab).unwrap();
    (lv.count.n, lv.count.capped, lv.rows.len())
}

#[test]
fn orders_and_tickets_counts_equal_direct_sql_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let conn = shopdesk::store::open(&path).unwrap();
    let (order_terms, ticket_terms) = terms(&conn);
    let mut sync_app = app(&path, 120, 40);
    let mut worker_app = app(&path, 120, 40);
    worker_app.background_search = true;
    let mut nonzero = 0;
    for (tab_key, terms, count) in [
        ("3", &order_terms, sql_orders as fn(&Connection, &str) -> u64),
        ("4", &ticket_terms, sql_tickets),
    ] {
        for t in terms {
            let want = count(&conn, t);
            let q = Query {
                text: t.clone(),
                ..Query::default()
            };
            let (store_count, matches) = if tab_key == "3" {
                lists::orders::resolve(&conn, &q).unwrap()
            } else {
                lists::tickets::resolve(&conn, &q).unwrap()
            };
            assert_eq!(
                (store_count.n, store_count.capped),
                (want, false),
                "store, tab {tab_key}, /{t}"
            );
            assert_eq!(
                matches.map(|m| m.len() as u64),
                Some(want),
                "match set, tab {tab_key}, /{t}"
            );
            for a in [&mut sync_app, &mut worker_app] {
                let (n, capped, rows) = screen_count(a, tab_key, t);
                assert_eq!((n, capped), (want, false), "screen, tab {tab_key}, /{t}");
                let page = a.page_size() as u64;
                assert_eq!(rows as u64, want.min(page), "rows on screen, tab {tab_key}, /{t}");
            }
            if want > 0 {
                nonzero += 1;
            }
        }
    }
    assert!(nonzero >= 18, "most terms must match something: {nonzero}");
}

#[test]
fn a_status_filter_narrows_a_search_to_the_same_count_as_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let conn = shopdesk::store::open(&path).unwrap();
    let want: i64 = conn
        .query_row(
            "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.status = 'paid' AND (substr(c.name, 1, 1) = '张' OR substr(o.external_id, 1, 1) = '张')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(want > 0);
    let q = Query {
        text: "张".into(),
        status: Some(lists::StatusFilter::Status(lists::Status::Order(
            shopdesk::domain::order::OrderStatus::Paid,
        ))),
        ..Query::default()
    };
    let (c, m) = lists::orders::resolve(&conn, &q).unwrap();
    assert_eq!(c.n, want as u64);
    assert_eq!(m.map(|m| m.len()), Some(want as usize));
}

/// Products whose title holds a one- or two-character term (ASCII folded
/// as LIKE does), written independently of the store's SQL.
fn sql_products(conn: &Connection, t: &str) -> u64 {
    conn.query_row(
        "SELECT count(*) FROM products WHERE instr(lower(title), lower(?1)) > 0",
        [t],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

fn products_count(conn: &Connection, t: &str) -> (u64, Option<usize>) {
    let q = Query {
        text: t.to_string(),
        ..Query::default()
    };
    let (c, m) = lists::products::resolve(conn, &q).unwrap();
    assert!(!c.capped, "/{t}");
    (c.n, m.map(|m| m.len()))
}

/// Short product terms (two characters through `products_bigrams`, one by
/// substring): the count and the match set equal a direct count, also after
/// titles change, products are added and removed (the triggers keep the
/// pairs), and on a schema 11 file the migration fills them.
#[test]
fn short_product_terms_count_what_sql_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let conn = shopdesk::store::open(&path).unwrap();
    let terms = [
        "耳机", "黑色", "标准", "准版", "o", "PR", "pr", "Pr", "色", "P", "5G", "机黑", "曹平", "%",
    ];
    let check = |conn: &Connection, what: &str| {
        let mut nonzero = 0;
        for t in terms {
            let want = sql_products(conn, t);
            assert_eq!(
                products_count(conn, t),
                (want, Some(want as usize)),
                "{what}: /{t}"
            );
            nonzero += usize::from(want > 0);
        }
        assert!(nonzero >= 8, "{what}: most terms match something ({nonzero})");
    };
    check(&conn, "fresh");
    conn.execute_batch(
        "UPDATE products SET title = '5G 手机 曹平' WHERE id IN (3, 4, 5);
         UPDATE products SET title = 'x' WHERE id = 6;
         INSERT INTO products (merchant_id, sku, title, created_at, updated_at)
             VALUES (1, 'NEW-1', '耳机耳机 PRO', 'x', 'x'), (1, 'NEW-2', '', 'x', 'x'),
                    (1, 'NEW-3', '黑色耳机 标准版', 'x', 'x');
         DELETE FROM products WHERE sku = 'NEW-3';",
    )
    .unwrap();
    check(&conn, "after writes");
    let pairs = |conn: &Connection| -> Vec<(String, i64)> {
        conn.prepare("SELECT bigram, product_id FROM products_bigrams ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let kept = pairs(&conn);
    // A schema 11 file: no pairs table, no triggers.
    conn.execute_batch(
        "DROP TRIGGER products_bigrams_ai; DROP TRIGGER products_bigrams_ad; DROP TRIGGER products_bigrams_au;
         DROP TABLE products_bigrams; PRAGMA user_version = 11;",
    )
    .unwrap();
    drop(conn);
    let conn = shopdesk::store::open(&path).unwrap();
    assert_eq!(
        pairs(&conn),
        kept,
        "the migration writes the pairs the triggers wrote"
    );
    check(&conn, "migrated");
}

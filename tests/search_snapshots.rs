//! The text filter's states on screen (issue 10 items 1 and 2), at 80x24 and
//! 120x40 with CJK data: filtering as it is typed, kept by Enter, put back by
//! Esc; a broad search that stopped early says how far it looked, Enter
//! looks further, and the note leaves with its search.

mod tui_support;

use shopdesk::tui::app::App;
use tui_support::{app, screen, shop};

fn snap(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

const ORDERS: usize = 2;

/// Broad from two matches on, and walks of 50 rows: the small shop then
/// behaves like the large one does past 50,000 matches.
fn small_limits(a: &mut App, list: usize) {
    a.lists[list].query.match_cap = 2;
    a.lists[list].query.walk_rows = 50;
}

#[test]
fn filter_as_you_type_enter_keeps_esc_puts_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut a = app(&path, w, h);
        a.press("3");
        let unfiltered = screen(&mut a, w, h);
        a.press("/");
        a.type_text("张");
        // No Enter yet: the list already shows 张's orders.
        let typing = screen(&mut a, w, h);
        assert!(typing.contains("/ 张"), "{typing}");
        assert!(!typing.contains("李"), "only 张's orders: {typing}");
        snap(&format!("search_typing_{w}x{h}"), typing);
        a.type_text("芳");
        a.press("enter");
        let kept = screen(&mut a, w, h);
        assert!(kept.contains("text: /张芳"), "{kept}");
        snap(&format!("search_kept_{w}x{h}"), kept.clone());
        // Esc after typing puts back /张芳 and its rows.
        a.press("/");
        a.press("ctrl-u");
        a.type_text("李");
        assert!(screen(&mut a, w, h).contains("李"));
        a.press("esc");
        assert_eq!(screen(&mut a, w, h), kept, "Esc puts the previous filter back");
        // Backspace to nothing is the unfiltered list; Esc puts /张芳 back.
        a.press("/");
        a.press("backspace backspace");
        let cleared = screen(&mut a, w, h);
        assert!(cleared.contains("李") && cleared.contains("张"), "{cleared}");
        a.press("esc");
        assert_eq!(screen(&mut a, w, h), kept);
        a.press("x");
        // The same list (the status line says "filters cleared").
        let body = |s: &str| s.lines().take(h as usize - 1).collect::<Vec<_>>().join("\n");
        assert_eq!(body(&screen(&mut a, w, h)), body(&unfiltered));
    }
}

#[test]
fn the_same_as_you_type_on_the_search_worker() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut sync = app(&path, 120, 40);
    let mut worker = app(&path, 120, 40);
    worker.background_search = true;
    for a in [&mut sync, &mut worker] {
        a.press("4");
        a.press("/");
        for c in ["张", "芳"] {
            a.type_text(c);
            a.wait_jobs();
        }
        a.press("enter");
        a.wait_jobs();
    }
    assert_eq!(screen(&mut worker, 120, 40), screen(&mut sync, 120, 40));
    snap("tickets_search_customer_120x40", screen(&mut worker, 120, 40));
}

#[test]
fn a_broad_order_search_pages_from_its_indexes_without_walking() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("3");
    small_limits(&mut a, ORDERS);
    // Three matches, all past the first 50 rows: answered from the order
    // number index, not by walking the list.
    a.press("/");
    a.type_text("TM0000019");
    a.press("enter");
    let s = screen(&mut a, 80, 24);
    for id in ["TM00000192", "TM00000195", "TM00000198"] {
        assert!(s.contains(id), "{id}: {s}");
    }
    assert!(s.contains("3 of 3"), "{s}");
    assert!(!s.contains("looked at"), "{s}");
    // Broad and paged: 张 has more orders than a page; PgDn and G go on.
    a.press("/");
    a.press("ctrl-u");
    a.type_text("张");
    a.press("enter");
    let first = screen(&mut a, 80, 24);
    assert!(first.contains("of 20"), "{first}");
    a.press("G");
    let last = screen(&mut a, 80, 24);
    assert!(last.contains("of 20"), "{last}");
    assert!(last.contains("JD00000199"), "the oldest of 张's orders: {last}");
}

/// A one-character product term has no index (instr over titles): Products
/// walk their sort order for it, where Orders and Tickets page a broad
/// search from their index paths.
const PRODUCTS: usize = 1;

#[test]
fn a_search_that_stops_early_says_how_far_it_looked_and_enter_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut a = app(&path, w, h);
        a.press("2");
        small_limits(&mut a, PRODUCTS);
        a.lists[PRODUCTS].query.walk_rows = 10;
        // 米 is in 小米's titles only, products 1–9: the last rows of the
        // newest-first list, past the first ten a walk looks at.
        a.press("/");
        a.type_text("米");
        a.press("enter");
        let stopped = screen(&mut a, w, h);
        assert!(!stopped.contains("nothing matches"), "{stopped}");
        assert!(stopped.contains("9 matches"), "{stopped}");
        assert!(
            stopped.contains("looked at 10 of 60 — Enter keeps looking"),
            "{stopped}"
        );
        snap(&format!("search_stopped_{w}x{h}"), stopped);
        a.press("enter");
        let further = screen(&mut a, w, h);
        for sku in ["SKU-00001", "SKU-00005", "SKU-00009"] {
            assert!(further.contains(sku), "{sku}: {further}");
        }
        assert!(!further.contains("looked at"), "it finished: {further}");
        snap(&format!("search_looked_further_{w}x{h}"), further);
    }
}

#[test]
fn the_stopped_note_does_not_outlive_its_search() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("2");
    small_limits(&mut a, PRODUCTS);
    a.lists[PRODUCTS].query.walk_rows = 10;
    a.press("/");
    a.type_text("米");
    a.press("enter");
    assert!(screen(&mut a, 120, 40).contains("looked at 10"));
    // A new search: its own answer, no old note.
    a.lists[PRODUCTS].query.match_cap = 0;
    a.press("/");
    a.press("ctrl-u");
    a.type_text("华为");
    a.press("enter");
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("华为"), "{s}");
    assert!(!s.contains("looked at"), "{s}");
    // Clearing the filter clears any note too.
    a.lists[PRODUCTS].query.match_cap = 2;
    a.press("/");
    a.press("ctrl-u");
    a.type_text("米");
    a.press("enter");
    assert!(screen(&mut a, 120, 40).contains("looked at 10"));
    a.press("x");
    let s = screen(&mut a, 120, 40);
    assert!(!s.contains("looked at"), "{s}");
    assert!(s.contains("of 60"), "{s}");
}

/// Tickets page a broad search from their index paths: the order number
/// copies, the customer name copies and the subject index.
const TICKETS: usize = 3;

#[test]
fn a_broad_ticket_search_pages_from_its_indexes_without_walking() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("4");
    small_limits(&mut a, TICKETS);
    a.lists[TICKETS].query.walk_rows = 10;
    // Tickets 37–39 (orders JD00000112, 115, 118) are past the first ten
    // rows of the list: found through the tickets' order number index.
    a.press("/");
    a.type_text("JD0000011");
    a.press("enter");
    let s = screen(&mut a, 80, 24);
    for id in ["#37", "#38", "#39"] {
        assert!(s.contains(id), "{id}: {s}");
    }
    assert!(s.contains("3 of 3"), "{s}");
    assert!(!s.contains("looked at"), "{s}");
}

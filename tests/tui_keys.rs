//! Key sequences through the real keymap and update, keymap parsing and
//! overrides, and a no-panic sweep over terminal sizes.

mod tui_support;

use shopdesk::tui::action::Action;
use shopdesk::tui::keymap::{Context, Key, Keymap, Resolved, parse_chord};
use shopdesk::tui::screens::Tab;
use tui_support::{app, screen, shop};

fn ids(a: &shopdesk::tui::app::App) -> Vec<i64> {
    a.list(a.tab).unwrap().rows.iter().map(|r| r.id).collect()
}

fn current(a: &shopdesk::tui::app::App) -> i64 {
    a.list(a.tab).unwrap().current().unwrap().id
}

#[test]
fn j_j_big_g_g_g_moves_as_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("2");
    assert_eq!(a.tab, Tab::Products);
    // Newest first: products 60, 59, ...
    assert_eq!(current(&a), 60);
    a.press("j j");
    assert_eq!(current(&a), 58);
    assert_eq!(a.list(a.tab).unwrap().label(), "1–19 of 60");
    a.press("G");
    assert_eq!(current(&a), 1);
    assert_eq!(a.list(a.tab).unwrap().label(), "42–60 of 60");
    a.press("g g");
    assert_eq!(current(&a), 60);
    assert!(a.pending.is_empty());
    // Scrolling past the window reads one more row and keeps the count right.
    for _ in 0..19 {
        a.press("j");
    }
    assert_eq!(current(&a), 41);
    assert_eq!(a.list(a.tab).unwrap().label(), "2–20 of 60");
    a.press("pagedown");
    assert_eq!(current(&a), 22);
    a.press("pageup");
    assert_eq!(current(&a), 41);
    a.press("ctrl-d");
    assert_eq!(current(&a), 32);
    a.press("end");
    a.press("k");
    assert_eq!(current(&a), 2);
    a.press("home");
    a.press("k");
    assert_eq!(current(&a), 60);
}

#[test]
fn a_broken_chord_falls_back_to_the_second_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("2");
    a.press("g");
    assert_eq!(a.pending.len(), 1);
    a.press("j");
    assert!(a.pending.is_empty());
    assert_eq!(current(&a), 59);
}

#[test]
fn slash_cjk_enter_filters_products_and_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("2");
    a.press("/");
    a.type_text("耳机");
    a.press("enter");
    let rows = &a.list(Tab::Products).unwrap().rows;
    assert_eq!(rows.len(), 6, "every 10th product is a 蓝牙耳机");
    assert!(rows.iter().all(|r| r.cells[1].text.contains("耳机")));
    assert_eq!(a.list(Tab::Products).unwrap().label(), "1–6 of 6");
    // Three characters and more use the trigram index.
    a.press("/");
    a.press("ctrl-u");
    a.type_text("蓝牙耳");
    a.press("enter");
    assert_eq!(a.list(Tab::Products).unwrap().rows.len(), 6);
    // A filter that matches nothing says so.
    a.press("/");
    a.press("ctrl-u");
    a.type_text("不存在的东西");
    a.press("enter");
    assert!(screen(&mut a, 120, 40).contains("nothing matches"));
    a.press("esc");
    assert_eq!(a.list(Tab::Products).unwrap().count.n, 60);
    // Orders: customer name prefix and external id prefix.
    a.press("3");
    a.press("/");
    a.type_text("张");
    a.press("enter");
    let lv = a.list(Tab::Orders).unwrap();
    assert!(!lv.rows.is_empty());
    assert!(lv.rows.iter().all(|r| r.cells[3].text.starts_with('张')));
    a.press("/");
    a.press("ctrl-u");
    a.type_text("tm0000001");
    a.press("enter");
    let lv = a.list(Tab::Orders).unwrap();
    assert!(
        lv.rows.iter().all(|r| r.cells[0].text.starts_with("TM0000001")),
        "{:?}",
        ids(&a)
    );
    assert!(!lv.rows.is_empty());
}

#[test]
fn ticket_subjects_and_ids_filter() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("4");
    a.press("/");
    a.type_text("耳机");
    a.press("enter");
    let lv = a.list(Tab::Tickets).unwrap();
    assert_eq!(lv.count.n, 5, "every 8th of 40 tickets is about 耳机");
    assert!(lv.rows.iter().all(|r| r.cells[8].text.contains("耳机")));
    a.press("/");
    a.press("ctrl-u");
    a.type_text("wrong SIZE");
    a.press("enter");
    assert_eq!(a.list(Tab::Tickets).unwrap().count.n, 5, "case-insensitive");
    a.press("/");
    a.press("ctrl-u");
    a.type_text("#7");
    a.press("enter");
    let lv = a.list(Tab::Tickets).unwrap();
    assert_eq!(lv.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![7]);
}

#[test]
fn status_chip_filters_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    a.press("f");
    // all, pending payment, paid, ...
    a.press("j j");
    a.press("enter");
    let lv = a.list(Tab::Orders).unwrap();
    assert_eq!(
        lv.query
            .status
            .as_ref()
            .and_then(|s| s.status())
            .map(|s| s.as_str()),
        Some("paid")
    );
    assert_eq!(lv.count.n, 19);
    assert!(lv.rows.iter().all(|r| r.cells[7].text == "paid"));
    assert_eq!(lv.label(), "1–19 of 19");
    // x clears.
    a.press("x");
    assert_eq!(a.list(Tab::Orders).unwrap().count.n, 200);
}

#[test]
fn enter_esc_keeps_the_cursor_and_tabs_keep_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("4");
    a.press("pagedown");
    a.press("j j");
    let before = current(&a);
    let window = ids(&a);
    a.press("enter");
    assert!(a.detail(Tab::Tickets).is_some());
    assert!(screen(&mut a, 80, 24).contains(&format!("Ticket #{before}")));
    a.press("j");
    a.press("esc");
    assert!(a.detail(Tab::Tickets).is_none());
    assert_eq!(current(&a), before);
    assert_eq!(ids(&a), window);
    a.press("tab");
    assert_eq!(a.tab, Tab::Dashboard);
    a.press("shift-tab");
    assert_eq!(a.tab, Tab::Tickets);
    assert_eq!(current(&a), before);
}

/// Esc followed at once by a key reaches us as Alt-key (tmux escape-time):
/// unbound Alt-x is Esc then x.
#[test]
fn unbound_alt_key_is_esc_then_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("4");
    a.press("enter");
    assert!(a.detail(Tab::Tickets).is_some());
    a.press("alt-j");
    assert!(a.detail(Tab::Tickets).is_none());
    assert_eq!(ids(&a)[a.list(a.tab).unwrap().cursor], current(&a));
    assert_eq!(a.list(a.tab).unwrap().cursor, 1);
    a.press("enter");
    a.press("alt-q");
    assert!(a.detail(Tab::Tickets).is_none());
    assert!(a.quit);
}

#[test]
fn selection_sort_palette_help_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("space");
    a.press("space");
    assert_eq!(a.list(Tab::Merchants).unwrap().selected.len(), 2);
    a.press("s");
    assert_eq!(a.list(Tab::Merchants).unwrap().query.sort, 1);
    // The palette runs an action by name.
    a.press(":");
    a.type_text("last_row");
    a.press("enter");
    assert!(a.overlay.is_none());
    assert_eq!(a.list(Tab::Merchants).unwrap().cursor, 11);
    a.press("?");
    assert!(a.overlay.is_some());
    a.press("q");
    assert!(a.overlay.is_none());
    assert!(!a.quit);
    a.press("q");
    assert!(a.quit);
}

#[test]
fn export_writes_exactly_the_filtered_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("3");
    a.press("f");
    a.press("j j");
    a.press("enter");
    a.press("e");
    // The path prompt offers a new file in the export folder; Enter takes it.
    a.press("enter");
    a.wait_jobs();
    let msg = a.message.clone().unwrap().text;
    assert!(msg.starts_with("exported 19 rows to "), "{msg}");
    let file = msg.trim_start_matches("exported 19 rows to ");
    let mut r = csv::Reader::from_path(file).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 19);
    assert!(rows.iter().all(|r| &r[9] == "paid"));
}

#[test]
fn live_refresh_follows_another_sessions_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("2");
    a.press("j j");
    let id = current(&a);
    let other = shopdesk::store::open(&path).unwrap();
    other
        .execute("UPDATE products SET title = '改过的标题' WHERE id = ?1", [id])
        .unwrap();
    other
        .execute(
            "INSERT INTO products (merchant_id, sku, title, created_at, updated_at) VALUES (1, 'NEW-1', '新品', 'x', 'x')",
            [],
        )
        .unwrap();
    assert!(a.poll_external());
    assert_eq!(current(&a), id, "the cursor stays on the same record");
    assert_eq!(
        a.list(Tab::Products).unwrap().current().unwrap().cells[1].text,
        "改过的标题"
    );
    assert_eq!(a.list(Tab::Products).unwrap().count.n, 61);
    assert!(!a.poll_external());
}

#[test]
fn no_panic_at_any_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    let states: Vec<&[&str]> = vec![
        &["1"],
        &["2", "enter"],
        &["esc", "3", "G"],
        &["enter"],
        &["esc", "4", "enter"],
        &["esc", "5"],
        &["3", "?"],
        &["esc", ":"],
        &["esc", "f"],
        &["esc", "/"],
    ];
    for (n, keys) in states.into_iter().enumerate() {
        for k in keys {
            a.press(k);
        }
        let mut sizes: Vec<(u16, u16)> = Vec::new();
        // Every width and every height for the list and the detail state,
        // every fourth for the others, each with a few of the other side.
        let step = if n <= 3 { 1 } else { 4 };
        for w in (1..=200).step_by(step) {
            sizes.push((w, [1, 24, 60][w as usize % 3]));
        }
        for h in (1..=60).step_by(step) {
            sizes.push(([1, 80, 200][h as usize % 3], h));
        }
        for (w, h) in [(79, 23), (80, 24), (81, 25), (200, 60), (2, 2)] {
            sizes.push((w, h));
        }
        sizes.sort_by_key(|(w, h)| (*h, *w));
        for (w, h) in sizes {
            screen(&mut a, w, h);
        }
    }
}

#[test]
fn keymap_defaults_parse_and_resolve_chords() {
    let (km, notes) = Keymap::build(None);
    assert!(notes.is_empty(), "{notes:?}");
    let j = parse_chord("j").unwrap();
    assert_eq!(
        km.resolve(&[Context::Products, Context::Table, Context::Global], &j),
        Resolved::Action(Action::Down)
    );
    let g = parse_chord("g").unwrap();
    assert_eq!(
        km.resolve(&[Context::Table, Context::Global], &g),
        Resolved::Pending
    );
    let gg = parse_chord("g g").unwrap();
    assert_eq!(
        km.resolve(&[Context::Table, Context::Global], &gg),
        Resolved::Action(Action::FirstRow)
    );
    assert_eq!(Key::parse("G").unwrap(), Key::parse("shift-g").unwrap());
    assert!(km.describe().contains("[table]"));
    assert!(km.describe().contains("g g, home"));
}

#[test]
fn user_overrides_rebind_and_noop_unbinds() {
    let user = "[table]\nj = \"last_row\"\n\"g g\" = \"noop\"\n";
    let (km, notes) = Keymap::build(Some(("keymap.toml", user)));
    assert!(notes.is_empty(), "{notes:?}");
    let stack = [Context::Table, Context::Global];
    assert_eq!(
        km.resolve(&stack, &parse_chord("j").unwrap()),
        Resolved::Action(Action::LastRow)
    );
    assert_eq!(km.resolve(&stack, &parse_chord("g").unwrap()), Resolved::Unbound);
    assert_eq!(
        km.resolve(&stack, &parse_chord("k").unwrap()),
        Resolved::Action(Action::Up)
    );
    // And it works through the app.
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let session = shopdesk::ops::Session::open_as(&path, "owner").unwrap();
    let mut a = shopdesk::tui::app::App::new(
        session,
        km,
        notes,
        shopdesk::tui::theme::Theme::mono(),
        Some(tui_support::now()),
    );
    a.start(80, 24);
    a.press("2");
    a.press("j");
    assert_eq!(current(&a), 1);
}

#[test]
fn errors_name_file_line_and_key_and_fall_back_to_defaults() {
    let user = "[table]\nk = \"up\"\nj = \"fly_away\"\n";
    let (km, notes) = Keymap::build(Some(("/home/x/keymap.toml", user)));
    assert!(
        notes[0].starts_with("/home/x/keymap.toml:3: [table] \"j\": unknown action \"fly_away\""),
        "{notes:?}"
    );
    assert!(notes.last().unwrap().contains("default keys are in force"));
    assert_eq!(
        km.resolve(&[Context::Table], &parse_chord("j").unwrap()),
        Resolved::Action(Action::Down)
    );
    let (_, notes) = Keymap::build(Some(("k.toml", "[table]\nctrl-q-x = \"up\"\n")));
    assert!(notes[0].starts_with("k.toml:2: [table]"), "{notes:?}");
    let (_, notes) = Keymap::build(Some(("k.toml", "[tabel]\nj = \"up\"\n")));
    assert!(
        notes[0].starts_with("k.toml:1: [tabel] is not a context"),
        "{notes:?}"
    );
    let (_, notes) = Keymap::build(Some(("k.toml", "[table\n")));
    assert!(notes[0].starts_with("k.toml:1:"), "{notes:?}");
}

#[test]
fn prefix_clash_is_an_error_and_ctrl_j_warns() {
    let (_, notes) = Keymap::build(Some(("k.toml", "[table]\ng = \"refresh\"\n")));
    assert!(
        notes[0].contains("k.toml:2: [table] \"g\" is a prefix of \"g g\""),
        "{notes:?}"
    );
    let (_, notes) = Keymap::build(Some(("k.toml", "[orders]\ng = \"refresh\"\n")));
    assert!(notes[0].contains("is a prefix of \"g g\" ([table]"), "{notes:?}");
    let (km, notes) = Keymap::build(Some(("k.toml", "[table]\nctrl-j = \"down\"\n")));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("warning: ctrl-h/i/j/m"), "{notes:?}");
    assert_eq!(
        km.resolve(&[Context::Table], &parse_chord("ctrl-j").unwrap()),
        Resolved::Action(Action::Down)
    );
}

#[test]
fn background_search_shows_searching_then_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.background_search = true;
    a.press("2");
    a.press("/");
    a.type_text("耳机");
    a.press("enter");
    let lv = a.list(Tab::Products).unwrap();
    assert!(lv.searching);
    assert_eq!(lv.label(), "searching…");
    // A newer search replaces the first; only its answer lands.
    a.press("/");
    a.press("ctrl-u");
    a.type_text("保温杯");
    a.press("enter");
    a.wait_jobs();
    let lv = a.list(Tab::Products).unwrap();
    assert!(!lv.searching);
    assert_eq!(lv.label(), "1–6 of 6");
    assert!(lv.rows.iter().all(|r| r.cells[1].text.contains("保温杯")));
}

/// A status the domain does not know (a hand-edited file) is a database
/// error naming the row and column, in the store and on screen; never a
/// word shown as if it were a status.
#[test]
fn a_row_with_an_unknown_status_is_an_error_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let conn = shopdesk::store::open(&path).unwrap();
    let first: i64 = conn
        .query_row(
            "SELECT id FROM orders ORDER BY placed_at DESC, id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "PRAGMA ignore_check_constraints = ON; UPDATE orders SET status = 'lost' WHERE id = {first};"
    ))
    .unwrap();
    let want = format!("orders row {first}, column status: unknown order status \"lost\"");
    let err = shopdesk::store::orders::get(&conn, first)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&want), "{err}");
    let err = shopdesk::store::lists::orders::detail(&conn, first)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&want), "{err}");
    let mut a = app(&path, 120, 40);
    a.press("3");
    let m = a.message.as_ref().map(|m| (m.text.clone(), m.error));
    assert!(m.as_ref().is_some_and(|(t, e)| *e && t.contains(&want)), "{m:?}");
}

/// A merchant's GMV is computed on the background reader after its detail
/// opens ("computing…" until then) and lands in the view that asked.
#[test]
fn merchant_gmv_arrives_in_its_detail_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("1");
    let id = current(&a);
    a.press("enter");
    a.wait_jobs();
    let conn = shopdesk::store::open(&path).unwrap();
    let gmv = shopdesk::store::lists::merchants::gmv(&conn, id).unwrap();
    let text = screen(&mut a, 120, 40);
    let line = text
        .lines()
        .find(|l| l.contains("GMV (paid)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!line.contains("computing"), "{line}");
    assert!(line.contains(&a.fmt.money(gmv)), "{line} vs {}", a.fmt.money(gmv));
}

/// `m` (and `:messages`) shows every message in full with its time, also
/// those the status bar cut at 80 columns.
#[test]
fn the_message_log_keeps_every_message_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = tui_support::shop(dir.path());
    let mut a = tui_support::app(&path, 80, 24);
    let long = format!(
        "order 7: cannot release: still short of stock: {}",
        "蓝牙耳机 EAR-01 needs 3, 2 available; ".repeat(3)
    );
    a.warn(long.clone());
    a.say("filters cleared");
    let bar = tui_support::screen(&mut a, 80, 24);
    assert!(
        !bar.contains("2 available; 蓝牙耳机 EAR-01 needs 3, 2 available; 蓝牙"),
        "the bar cuts it"
    );
    a.press("m");
    let log = tui_support::screen(&mut a, 80, 24);
    assert!(log.contains("messages"), "{log}");
    let flat: String = log
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
        .collect();
    assert!(
        flat.contains("cannot release") && flat.contains("filters cleared"),
        "{log}"
    );
    assert!(
        log.contains("! order 7"),
        "errors are marked with a symbol: {log}"
    );
    a.press("esc");
    assert!(a.overlay.is_none());
    // The palette finds it by name.
    a.press(":");
    a.type_text("messages");
    a.press("enter");
    assert!(matches!(
        a.overlay,
        Some(shopdesk::tui::app::Overlay::Help { messages: true, .. })
    ));
}

//! The Settlement view (`$` on Merchants): its verbs are the verb table's
//! settlement rows, so keys, the action menu, the palette and a rebound key
//! all reach the same confirm and pay; a bad bank reference is refused as
//! typed and nothing is written; a statement changed by another session
//! since it was shown is a conflict naming who; a write runs on the writer.

#[path = "orders_support/mod.rs"]
mod orders_support;
#[path = "settlement_support/mod.rs"]
mod settlement_support;

use std::time::{Duration, Instant};

use orders_support::*;
use settlement_support::*;
use shopdesk::ops;
use shopdesk::store::settlement as db;
use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::keymap::Keymap;

const NOW: &str = "2026-12-01T04:00:00Z";

fn app_for(b: &Built, login: &str, km: Keymap) -> App {
    let mut a = App::new(
        b.shop.session(login),
        km,
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(t(NOW)),
    );
    a.start(120, 40);
    a
}

fn status(b: &Built, id: i64) -> (String, Option<String>) {
    let s = db::get(&b.shop.conn(), id).unwrap().unwrap();
    (s.status, s.pay_ref)
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn the_settlement_view_confirms_and_pays_from_keys_and_the_menu() {
    let b = shop_with_drafts();
    let p = b.shop.path.clone();
    let s2 = statement_of(&p, b.m2, "2026-11-01");
    let mut a = App::new(
        b.shop.session("ana"),
        shopdesk::tui::keymap::Keymap::defaults(),
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(t("2026-12-01T04:00:00Z")),
    );
    a.export_dir = Some(b.shop.dir.path().to_path_buf());
    a.start(80, 24);
    // `$` on Merchants opens the view; the statements by period and state.
    a.press("$");
    assert!(matches!(a.overlay, Some(Overlay::Settlement(_))));
    let text = shopdesk::tui::bench::render_text(&mut a, 80, 24).unwrap();
    assert!(
        text.contains("2026-11-01 – 2026-11-30") && text.contains("乙店"),
        "{text}"
    );
    // The second row is M2's; Enter opens it: totals and the line.
    a.press("j");
    a.press("enter");
    let text = shopdesk::tui::bench::render_text(&mut a, 200, 50).unwrap();
    assert!(
        text.contains("¥32.73") && text.contains("-¥30.00") && text.contains("web:O2#1"),
        "{text}"
    );
    // c asks, y confirms.
    a.press("c");
    a.press("y");
    assert_eq!(
        db::get(&b.shop.conn(), s2.id).unwrap().unwrap().status,
        "confirmed"
    );
    // The action menu's pay: the reference is typed (letters the list
    // keys use go into it), Enter records it.
    a.press("a");
    a.press("j");
    a.press("enter");
    a.type_text("jk-qg-001");
    a.press("enter");
    let row = db::get(&b.shop.conn(), s2.id).unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.pay_ref.as_deref()),
        ("paid", Some("jk-qg-001"))
    );
    // e writes the merchant's CSV beside the exports.
    a.press("e");
    let csv = std::fs::read_to_string(b.shop.dir.path().join(format!("statement-{}.csv", s2.id))).unwrap();
    assert!(
        csv.starts_with("kind,order,line") && csv.contains("payable") && csv.contains("32.73"),
        "{csv}"
    );
    a.press("esc");
    a.press("esc");
    assert!(a.overlay.is_none());
    // The palette reaches it; an operator sees it but may not confirm.
    let mut op = App::new(
        b.shop.session("lin"),
        shopdesk::tui::keymap::Keymap::defaults(),
        Vec::new(),
        shopdesk::tui::theme::Theme::mono(),
        Some(t("2026-12-01T04:00:00Z")),
    );
    op.start(80, 24);
    op.press(":");
    op.type_text("settlement");
    op.press("enter");
    assert!(matches!(op.overlay, Some(Overlay::Settlement(_))));
    op.press("c");
    let text = shopdesk::tui::bench::render_text(&mut op, 80, 24).unwrap();
    assert!(text.contains("may not confirm"), "{text}");
}

#[test]
fn the_palette_opens_the_view_for_a_settlement_verb() {
    let b = shop_with_drafts();
    let mut a = app_for(&b, "ana", Keymap::defaults());
    a.press(":");
    a.type_text("settlement_confirm");
    a.press("enter");
    assert!(matches!(a.overlay, Some(Overlay::Settlement(_))));
    assert!(
        message(&a).contains("choose a statement, then c"),
        "{}",
        message(&a)
    );
    // From there the key confirms the first draft (M1's).
    let s1 = statement_of(&b.shop.path, b.m1, "2026-11-01");
    a.press("c");
    a.press("enter");
    assert_eq!(status(&b, s1.id).0, "confirmed");
}

#[test]
fn a_bad_bank_reference_is_refused_as_typed_and_nothing_is_written() {
    let b = shop_with_drafts();
    let s1 = statement_of(&b.shop.path, b.m1, "2026-11-01");
    let mut ana = b.shop.session("ana");
    ops::settlement::confirm_at(&mut ana, s1.id, None, t(NOW)).unwrap();
    let mut a = app_for(&b, "ana", Keymap::defaults());
    a.press("$");
    a.press("p");
    a.type_text("BK 1");
    let text = shopdesk::tui::bench::render_text(&mut a, 120, 40).unwrap();
    assert!(text.contains("no spaces allowed"), "checked as typed: {text}");
    a.press("enter");
    assert_eq!(status(&b, s1.id), ("confirmed".into(), None), "nothing written");
    assert!(
        matches!(&a.overlay, Some(Overlay::Settlement(v)) if v.takes_text()),
        "the field stays open with what was typed"
    );
    a.press("backspace");
    a.press("backspace");
    a.type_text("-1");
    a.press("enter");
    assert_eq!(status(&b, s1.id), ("paid".into(), Some("BK-1".into())));
}

#[test]
fn a_statement_changed_since_it_was_shown_is_a_conflict_naming_who() {
    let b = shop_with_drafts();
    let s1 = statement_of(&b.shop.path, b.m1, "2026-11-01");
    let mut a = app_for(&b, "ana", Keymap::defaults());
    a.press("$");
    // Another owner confirms it meanwhile.
    let mut other = b.shop.session("ana");
    ops::settlement::confirm_at(&mut other, s1.id, None, t(NOW)).unwrap();
    a.press("c");
    let m = message(&a);
    assert!(
        m.contains(&format!("settlement {} was changed by ana", s1.id)),
        "{m}"
    );
    assert!(!matches!(&a.overlay, Some(Overlay::Settlement(v)) if v.takes_text()));
    // r shows it as it is; confirming again is refused by its state.
    a.type_text("r");
    a.press("c");
    assert!(message(&a).contains("cannot confirm"), "{}", message(&a));
}

#[test]
fn a_rebound_key_reaches_the_same_verb_and_the_menu_names_it() {
    let b = shop_with_drafts();
    let (km, notes) = Keymap::build(Some((
        "keymap.toml",
        "[settlement]\nc = \"down\"\nC = \"settlement_confirm\"\n",
    )));
    assert!(notes.is_empty(), "{notes:?}");
    let s1 = statement_of(&b.shop.path, b.m1, "2026-11-01");
    let mut a = app_for(&b, "ana", km);
    a.press("$");
    a.type_text("a");
    let text = shopdesk::tui::bench::render_text(&mut a, 120, 40).unwrap();
    assert!(
        text.contains("C  confirm"),
        "the menu shows the bound key: {text}"
    );
    // Pay is unavailable on a draft, and says why.
    assert!(text.contains("pay…  — needs confirmed"), "{text}");
    assert!(
        text.contains("C confirm · p pay"),
        "the title names the bound keys: {text}"
    );
    // The entry's key in the menu runs it.
    a.press("C");
    a.type_text("y");
    assert_eq!(status(&b, s1.id).0, "confirmed");
}

#[test]
fn a_confirm_runs_on_the_writer_and_the_view_reloads() {
    let b = shop_with_drafts();
    let s1 = statement_of(&b.shop.path, b.m1, "2026-11-01");
    let mut a = app_for(&b, "ana", Keymap::defaults());
    a.start_writer();
    a.press("$");
    let locker = rusqlite::Connection::open(&b.shop.path).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();
    a.press("c");
    a.type_text("y");
    assert_eq!(a.saving, 1, "the confirm waits on the writer");
    a.press("j");
    locker.execute_batch("COMMIT").unwrap();
    let start = Instant::now();
    while a.saving > 0 && start.elapsed() < Duration::from_secs(20) {
        a.poll_external();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(status(&b, s1.id).0, "confirmed");
    let Some(Overlay::Settlement(v)) = &a.overlay else {
        panic!("the view stays open");
    };
    assert_eq!(v.rows[0].statement.status, "confirmed", "the view re-read it");
    assert!(message(&a).contains("confirmed"), "{}", message(&a));
}

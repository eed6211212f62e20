//! The Dashboard tab as a person uses it: the period keys, the figures
//! computed off the input thread (and never shown under another period's
//! label), the from/to form's messages, and each alert opening the list it
//! counts.

mod tui_support;

use shopdesk::ops::kpi::Period;
use shopdesk::tui::screens::Tab;
use tui_support::{app, screen, shop};

fn snap(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn each_period_key_shows_that_period_and_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("5");
    // Today is 2026-11-22 in Shanghai (tui_support::NOW).
    for (key, from, to) in [
        ("t", "2026-11-22", "2026-11-23"),
        ("w", "2026-11-16", "2026-11-23"),
        ("d", "2026-10-24", "2026-11-23"),
        ("n", "2026-08-25", "2026-11-23"),
        ("c", "2026-11-01", "2026-11-23"),
        ("l", "2026-10-01", "2026-11-01"),
    ] {
        a.press(key);
        let want = Period::new(date(from), date(to)).unwrap();
        assert_eq!(a.dashboard.asked, Some(want), "{key}");
        let fig = a.dashboard.current().expect("figures in line");
        assert_eq!(fig.report.period, want);
        assert_eq!(fig.report.daily.len() as i64, want.days());
        let text = screen(&mut a, 120, 40);
        let label = if want.days() == 1 {
            format!("{from} (1 d)")
        } else {
            format!("{from} – ")
        };
        assert!(text.contains(&label), "{key}: {text}");
        assert!(text.contains("GMV"), "{text}");
    }
    // right walks the choices (and wraps from last month to from/to, which
    // asks for the days first).
    a.press("t");
    a.press("right");
    assert_eq!(
        a.dashboard.asked,
        Some(Period::new(date("2026-11-16"), date("2026-11-23")).unwrap())
    );
}

#[test]
fn a_new_period_says_computing_until_its_own_figures_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.background_search = true;
    a.press("5");
    a.wait_jobs();
    assert!(a.dashboard.current().is_some());
    // The key returns before the answer is taken (answers are taken
    // between keys, by the event loop's poll): the 30-day figures are not
    // shown under the 7-day label meanwhile.
    a.press("w");
    assert!(a.dashboard.computing);
    assert!(a.dashboard.current().is_none());
    let text = screen(&mut a, 80, 24);
    assert!(
        text.contains("computing the figures for 2026-11-16 – 2026-11-22"),
        "{text}"
    );
    assert!(!text.contains("GMV "), "{text}");
    a.wait_jobs();
    let fig = a.dashboard.current().expect("the 7-day figures");
    assert_eq!(fig.report.period.days(), 7);
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("2026-11-16 – 2026-11-22 (7 d)"), "{text}");
    assert!(!text.contains("computing"), "{text}");
    // Many keys at once: only the last one's period is answered and shown.
    a.press("t n c");
    a.wait_jobs();
    assert_eq!(
        a.dashboard.current().unwrap().report.period.from,
        date("2026-11-01")
    );
}

#[test]
fn the_from_to_form_names_what_is_wrong_and_keeps_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("5");
    a.press("f");
    a.press("ctrl-u");
    a.type_text("2026-11-20");
    a.press("tab ctrl-u");
    a.type_text("2026-11-02");
    a.press("enter");
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("from 2026-11-20 is after to 2026-11-02"), "{text}");
    snap("dashboard_period_form_80x24", text);
    a.press("ctrl-u");
    a.type_text("2026-02-30");
    a.press("enter");
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("\"2026-02-30\" is not a date"), "{text}");
    // Still the 30 days: nothing was applied.
    assert_eq!(a.dashboard.asked.unwrap().days(), 30);
    a.press("ctrl-u");
    a.type_text("2026-11-21");
    a.press("enter");
    let want = Period::new(date("2026-11-20"), date("2026-11-22")).unwrap();
    assert_eq!(a.dashboard.current().unwrap().report.period, want);
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("[f from/to]"), "{text}");
    assert!(text.contains("2026-11-20 – 2026-11-21 (2 d)"), "{text}");
}

#[test]
fn each_alert_opens_the_list_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("5");
    let alerts = a.dashboard.current().unwrap().alerts.clone();
    assert_eq!(alerts.len(), 6);
    for (i, alert) in alerts.iter().enumerate() {
        a.press("5");
        a.press("k k k k k k");
        for _ in 0..i {
            a.press("j");
        }
        a.press("enter");
        let (tab, filter) = shopdesk::tui::screens::dashboard::alert_list(&alert.kind);
        assert_eq!(a.tab, tab, "{:?}", alert.kind);
        assert_ne!(a.tab, Tab::Dashboard);
        let lv = a.list(tab).unwrap();
        assert_eq!(lv.query.status.as_ref(), Some(&filter), "{:?}", alert.kind);
        // The queue holds at least the rows counted; the overdue ones are
        // its head (sorted by due time) where the queue holds more.
        assert!(
            lv.count.n >= alert.count as u64,
            "{:?}: {} < {}",
            alert.kind,
            lv.count.n,
            alert.count
        );
        use shopdesk::ops::alerts::AlertKind::*;
        if !matches!(alert.kind, OverdueTickets | OverdueReviews) {
            assert_eq!(lv.count.n, alert.count as u64, "{:?}", alert.kind);
        }
    }
}

#[test]
fn the_panels_that_do_not_fit_turn_into_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("5 l");
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("Tickets: service"), "{text}");
    assert!(text.contains("v 4 more"), "{text}");
    a.press("v");
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("Top products"), "{text}");
    snap("dashboard_last_month_panels_80x24", text);
}

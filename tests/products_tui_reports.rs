//! The Products screen's delist report view (`R`, `delist_report` in the
//! palette) with its period, snapshots at 80x24 and 200x50 with CJK
//! categories; a product's history in its detail; clearing a scheduled
//! time from the schedule form; and the open detail re-read when the
//! writer worker applies a scheduled delisting.

mod tui_support;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use shopdesk::domain::product::{DelistReason, ProductAction};
use shopdesk::ops::Session;
use shopdesk::ops::products::{self, Plan, reports};
use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, now, screen, shop};

fn snap(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

fn detail_text(a: &App) -> String {
    a.detail(Tab::Products)
        .expect("detail open")
        .data
        .lines(&a.fmt, 120, &a.theme)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Moves the Products cursor to product `id` (the fixture has 60).
fn select(a: &mut App, id: i64) {
    a.press("2");
    a.press("g g");
    for _ in 0..60 {
        if a.list(Tab::Products).unwrap().current().unwrap().id == id {
            return;
        }
        a.press("j");
    }
    panic!("product {id} not in the list");
}

fn hours(h: i64) -> chrono::Duration {
    chrono::Duration::hours(h)
}

/// Delists listed fixture products with categories 数码 > 耳机 (40, 50),
/// Home > Kitchen (6, 22) and 运动户外 (13, 23) and none (4), at times
/// inside the last 30 days, one (5) 40 days ago (outside the default period).
fn delist_some(path: &std::path::Path) {
    let mut s = Session::open_as(path, "owner").unwrap();
    let del = |s: &mut Session, id: i64, reason: DelistReason, at: DateTime<Utc>| {
        products::act_at(
            s,
            id,
            None,
            &ProductAction::Delist { reason },
            Some("供应商断货"),
            at,
        )
        .unwrap();
    };
    use DelistReason::*;
    del(&mut s, 40, OutOfStock, now() - hours(2));
    del(&mut s, 50, OutOfStock, now() - hours(30));
    del(&mut s, 6, Seasonal, now() - hours(50));
    del(&mut s, 22, OutOfStock, now() - hours(3));
    del(&mut s, 13, Violation, now() - hours(200));
    del(&mut s, 23, Violation, now() - hours(5));
    del(&mut s, 4, MerchantRequest, now() - hours(1));
    del(&mut s, 5, Replaced, now() - hours(24 * 40));
}

#[test]
fn the_delist_report_view_asks_for_a_period_and_counts_by_reason_and_category() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    delist_some(&path);
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut a = app(&path, w, h);
        a.press("2");
        a.press("R");
        let Some(Overlay::Report(v)) = &a.overlay else {
            panic!("R opens the report: {}", message(&a));
        };
        assert!(v.period.is_some(), "it opens on its period");
        snap(&format!("products_delist_period_{w}x{h}"), screen(&mut a, w, h));
        a.press("enter");
        let Some(Overlay::Report(v)) = &a.overlay else {
            panic!("the report shows: {}", message(&a));
        };
        assert!(v.period.is_none());
        // The numbers of `product delist-report` (the same function, period).
        let s = Session::open_as(&path, "owner").unwrap();
        let cli = reports::delist_report(&s.conn, &s.calendar().unwrap(), now(), None, None).unwrap();
        assert_eq!(v.report, cli);
        assert_eq!(
            v.report.total(),
            7,
            "the one 40 days ago is outside the last 30 days"
        );
        let by: Vec<(&str, i64)> = v.report.by_reason().iter().map(|(r, n, _)| (*r, *n)).collect();
        assert_eq!(
            by,
            [
                ("merchant_request", 1),
                ("out_of_stock", 3),
                ("seasonal", 1),
                ("violation", 2)
            ]
        );
        let text = screen(&mut a, w, h);
        for want in [
            "数码 > 耳机",
            "运动户外",
            "Home > Kitchen",
            "(no category)",
            "out of stock",
        ] {
            assert!(text.contains(want), "{want}:\n{text}");
        }
        snap(&format!("products_delist_report_{w}x{h}"), text);

        // Another period: `p`, a wrong date is named in the form, then a
        // period that reaches the old delisting.
        a.press("p");
        a.press("ctrl-u");
        a.type_text("2026-10-01");
        a.press("tab");
        a.press("ctrl-u");
        a.type_text("2026-11-31");
        a.press("enter");
        let Some(Overlay::Report(v)) = &a.overlay else {
            panic!("still open");
        };
        let err = v
            .period
            .as_ref()
            .and_then(|f| f.error.clone())
            .unwrap_or_default();
        assert!(err.contains("2026-11-31") && err.contains("not a date"), "{err}");
        a.press("ctrl-u");
        a.type_text("2026-11-30");
        a.press("enter");
        let Some(Overlay::Report(v)) = &a.overlay else {
            panic!("still open");
        };
        assert_eq!(v.report.total(), 8, "{:?}", v.report);
        assert_eq!(v.report.from.to_string(), "2026-10-01");
        a.press("esc");
        assert!(a.overlay.is_none());
    }
}

#[test]
fn the_palette_opens_the_delist_report_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press(":");
    a.type_text("delist_report");
    a.press("enter");
    assert!(matches!(a.overlay, Some(Overlay::Report(_))), "{}", message(&a));
}

#[test]
fn a_products_detail_shows_its_history_with_reasons_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut s = Session::open_as(&path, "owner").unwrap();
    products::receive_at(&mut s, 40, None, 12, "送货单 DN-8812", now() - hours(3)).unwrap();
    products::act_at(
        &mut s,
        40,
        None,
        &ProductAction::Delist {
            reason: DelistReason::OutOfStock,
        },
        Some("供应商断货"),
        now() - hours(2),
    )
    .unwrap();
    let mut a = app(&path, 120, 40);
    select(&mut a, 40);
    a.press("enter");
    a.wait_jobs();
    let text = detail_text(&a);
    let h = &text[text.find("History").expect("a History section")..];
    // Who, when (shop time, UTC+8), the action and its reason and note.
    assert!(
        h.contains("2026-11-22 11:00 owner      stock receive: 送货单 DN-8812"),
        "{h}"
    );
    assert!(h.contains("stock on hand: 60 → 72"), "{h}");
    assert!(
        h.contains("2026-11-22 12:00 owner      delist: out of stock; 供应商断货"),
        "{h}"
    );
    assert!(h.contains("status: listed → delisted"), "{h}");
    assert!(!h.contains("version") && !h.contains("updated at"), "{h}");
}

#[test]
fn the_schedule_form_clears_a_scheduled_delisting() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut s = Session::open_as(&path, "owner").unwrap();
    let plan = Plan {
        delist_at: Some((now() + hours(48), DelistReason::Seasonal)),
        ..Plan::default()
    };
    products::schedule_at(&mut s, 4, None, &plan, now()).unwrap();
    let mut a = app(&path, 80, 24);
    select(&mut a, 4);
    a.press("T");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))), "{}", message(&a));
    // list at, delist at, reason, then clear: none → list → delist.
    a.press("tab tab tab");
    a.press("right right");
    snap("products_schedule_clear_80x24", screen(&mut a, 80, 24));
    a.press("enter");
    a.wait_jobs();
    assert!(a.overlay.is_none(), "{}", message(&a));
    assert!(
        message(&a).contains("scheduled delisting cleared"),
        "{}",
        message(&a)
    );
    let (at, reason): (Option<String>, Option<String>) = s
        .conn
        .query_row(
            "SELECT delist_at, delist_reason FROM products WHERE id = 4",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((at, reason), (None, None));
    // Nothing set and nothing cleared is refused in the form, nothing written.
    a.press("T");
    a.press("enter");
    assert!(
        message(&a).contains("--clear") || a.overlay.is_some(),
        "{}",
        message(&a)
    );
}

#[test]
fn the_open_detail_shows_a_delisting_the_writer_applied_at_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    // Due already: the writer applies it when it starts (its clock is the
    // real one, later than the fixture's).
    let mut s = Session::open_as(&path, "owner").unwrap();
    let plan = Plan {
        delist_at: Some((now() - hours(1), DelistReason::Replaced)),
        ..Plan::default()
    };
    products::schedule_at(&mut s, 4, None, &plan, now() - hours(2)).unwrap();
    let mut a = app(&path, 120, 40);
    select(&mut a, 4);
    a.press("enter");
    a.wait_jobs();
    assert!(detail_text(&a).contains("status          listed"));
    a.start_writer();
    let start = Instant::now();
    while !message(&a).contains("delisted as scheduled") && start.elapsed() < Duration::from_secs(20) {
        a.poll_external();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(message(&a).starts_with("scheduled: "), "{}", message(&a));
    a.wait_jobs();
    let text = detail_text(&a);
    assert!(text.contains("status          delisted"), "{text}");
    assert!(text.contains("delist reason   replaced"), "{text}");
}

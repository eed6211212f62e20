//! Detail views' history (issue 10, item 10): each entry says when (shop
//! time), who, the action with its reason, and every field it changed as
//! before → after; roles that see personal data masked get the entries
//! without the fields, and are told why.

mod tui_support;

use chrono::{DateTime, Utc};
use shopdesk::domain::order::{HoldReason, OrderAction};
use shopdesk::ops::Session;
use shopdesk::tui::app::App;
use shopdesk::tui::screens::Tab;
use tui_support::{app, app_as, shop};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The open detail view of `tab` as text, at 120 columns.
fn detail_text(a: &App, tab: Tab) -> String {
    let d = a.detail(tab).expect("detail open");
    d.data
        .lines(&a.fmt, 120, &a.theme)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn history_of(text: &str) -> &str {
    let i = text.find("\nHistory\n").expect("a History section");
    &text[i..]
}

#[test]
fn an_orders_history_names_who_when_the_reason_and_each_field_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut owner = Session::open_as(&path, "owner").unwrap();
    // Order 1 is paid; hold it at 14:00 shop time (06:00 UTC), release it.
    let hold = OrderAction::Hold(HoldReason::AddressProblem);
    shopdesk::ops::orders::act_at(&mut owner, 1, None, &hold, at("2026-11-22T06:00:00Z")).unwrap();
    shopdesk::ops::orders::act_at(
        &mut owner,
        1,
        None,
        &OrderAction::Release,
        at("2026-11-22T06:30:00Z"),
    )
    .unwrap();
    drop(owner);

    let mut a = app(&path, 120, 40);
    a.press("3");
    assert_eq!(a.list(Tab::Orders).unwrap().current().unwrap().id, 1);
    a.press("enter");
    let text = detail_text(&a, Tab::Orders);
    let h = history_of(&text);
    let lines: Vec<&str> = h.lines().map(str::trim_end).collect();
    let hold_at = lines
        .iter()
        .position(|l| l.contains("2026-11-22 14:00 owner") && l.ends_with("hold: address problem"))
        .unwrap_or_else(|| panic!("no hold entry in shop time with its reason:\n{h}"));
    let fields: Vec<&str> = lines[hold_at + 1..]
        .iter()
        .take_while(|l| l.starts_with("      "))
        .map(|l| l.trim())
        .collect();
    assert_eq!(
        fields,
        ["held from: — → paid", "status: paid → on hold"],
        "the hold's changed fields:\n{h}"
    );
    let release = lines
        .iter()
        .position(|l| l.contains("2026-11-22 14:30 owner") && l.ends_with("release"))
        .unwrap_or_else(|| panic!("no release entry:\n{h}"));
    let fields: Vec<&str> = lines[release + 1..]
        .iter()
        .take_while(|l| l.starts_with("      "))
        .map(|l| l.trim())
        .collect();
    assert_eq!(
        fields,
        [
            "held from: paid → —",
            "hold reason: address problem → —",
            "status: on hold → paid"
        ],
        "{h}"
    );
    // Bookkeeping is not news.
    assert!(!h.contains("version") && !h.contains("updated at"), "{h}");

    // Support sees the entries, not the images (they may hold a phone or
    // an address), and is told so.
    let mut s = app_as(&path, "lin", 120, 40);
    s.press("3");
    s.press("enter");
    let text = detail_text(&s, Tab::Orders);
    let h = history_of(&text);
    assert!(h.contains("hold"), "{h}");
    assert!(!h.contains("→"), "support sees no images:\n{h}");
    assert!(h.contains("not shown to your role"), "{h}");
}

#[test]
fn a_merchants_detail_has_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let conn = shopdesk::store::open(&path).unwrap();
    let (status, reason): (String, Option<String>) = conn
        .query_row(
            "SELECT status, status_reason FROM merchants WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    shopdesk::store::audit::append(
        &conn,
        &shopdesk::store::audit::Entry {
            at: "2026-11-21T01:05:00Z",
            actor: "lin",
            entity: "merchant",
            entity_id: 1,
            action: "request_changes",
            before: Some(serde_json::json!({"status": "under_review", "status_reason": null})),
            after: Some(serde_json::json!({"status": status, "status_reason": reason.clone().or(Some("licence photo unreadable".into()))})),
        },
    )
    .unwrap();
    drop(conn);
    let mut a = app(&path, 120, 40);
    a.press("1");
    let id = a.list(Tab::Merchants).unwrap().current().unwrap().id;
    assert_eq!(id, 1, "the fixture's first merchant is id 1");
    a.press("enter");
    let text = detail_text(&a, Tab::Merchants);
    let h = history_of(&text);
    let want_reason = reason.unwrap_or_else(|| "licence photo unreadable".into());
    assert!(
        h.contains(&format!(
            "2026-11-21 09:05 lin        request changes: {want_reason}"
        )),
        "{h}"
    );
    assert!(
        h.contains(&format!("status: under review → {}", status.replace('_', " "))),
        "{h}"
    );
}

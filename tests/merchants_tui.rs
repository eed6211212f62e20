//! Merchant verbs from the TUI, through the real keymap and the verb
//! engine (no merchant-specific TUI code): the default keys move an
//! application along, a reason form refuses empty text, a wrong state is
//! refused with the reason shown, and support only reads.

mod tui_support;

use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, app_as, shop};

fn current(a: &App) -> i64 {
    a.list(Tab::Merchants).unwrap().current().unwrap().id
}

fn stored(path: &std::path::Path, id: i64) -> String {
    let c = shopdesk::store::open(path).unwrap();
    c.query_row("SELECT status FROM merchants WHERE id = ?1", [id], |r| r.get(0))
        .unwrap()
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

/// Sets merchant `id` to `status` behind the app's back (test setup).
fn set(path: &std::path::Path, id: i64, status: &str) {
    let c = shopdesk::store::open(path).unwrap();
    c.execute(
        "UPDATE merchants SET status = ?2, status_reason = NULL, deposit_paid = 1, agreement_signed = 1 WHERE id = ?1",
        rusqlite::params![id, status],
    )
    .unwrap();
}

#[test]
fn review_keys_move_an_application_and_refuse_what_they_must() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("1");
    let id = current(&a);
    set(&path, id, "submitted");
    a.press("r");

    a.press("R");
    assert_eq!(stored(&path, id), "under_review", "{}", message(&a));

    // Request changes: a form whose feedback is required.
    a.press("C");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))), "a form opens");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Form(_))),
        "empty feedback refused"
    );
    assert_eq!(stored(&path, id), "under_review");
    a.type_text("营业执照不清晰");
    a.press("enter");
    assert!(a.overlay.is_none());
    assert_eq!(stored(&path, id), "needs_changes", "{}", message(&a));

    a.press("U");
    assert_eq!(stored(&path, id), "submitted", "{}", message(&a));
    assert!(message(&a).contains("1st resubmission"), "{}", message(&a));

    // Approve from submitted is refused, saying why; nothing changes.
    a.press("A");
    assert_eq!(stored(&path, id), "submitted");
    assert!(
        message(&a).contains("under review") || message(&a).contains("under_review"),
        "{}",
        message(&a)
    );

    // Suspend / reinstate on an active merchant.
    set(&path, id, "active");
    a.press("r");
    a.press("P");
    a.type_text("投诉过多");
    a.press("enter");
    assert_eq!(stored(&path, id), "suspended", "{}", message(&a));
    a.press("I");
    assert_eq!(stored(&path, id), "active", "{}", message(&a));
}

#[test]
fn support_sees_merchant_verbs_refused_for_its_role() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app_as(&path, "lin", 120, 40);
    a.press("1");
    let id = current(&a);
    set(&path, id, "submitted");
    a.press("r");
    a.press("R");
    assert_eq!(stored(&path, id), "submitted");
    assert!(message(&a).contains("support"), "{}", message(&a));
}

/// A merchant verb acts on the version its row showed: a change by another
/// session since is a conflict naming who, and nothing is written.
#[test]
fn a_merchant_changed_since_it_was_shown_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("1");
    let id = current(&a);
    set(&path, id, "submitted");
    a.press("r");
    // Another session starts the review after the row was shown.
    let code: String = shopdesk::store::open(&path)
        .unwrap()
        .query_row("SELECT code FROM merchants WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    let mut other = shopdesk::ops::Session::open_as(&path, "owner").unwrap();
    let verb = shopdesk::ops::verbs::find(shopdesk::ops::verbs::Entity::Merchant, "start_review").unwrap();
    shopdesk::ops::verbs::run_key(&mut other, verb, &code, &Default::default()).unwrap();
    a.press("R");
    let m = message(&a);
    assert!(m.contains("was changed by") && m.contains("r reloads"), "{m}");
    assert_eq!(
        stored(&path, id),
        "under_review",
        "the other session's change stands"
    );
}

/// The reviewers' queue: one chip for submitted and under review, sorted by
/// review due with the overdue first, its count the two statuses' sum.
#[test]
fn the_awaiting_review_chip_lists_applications_by_due_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let c = shopdesk::store::open(&path).unwrap();
    c.execute_batch("UPDATE merchants SET status = 'active', status_reason = NULL, deposit_paid = 1, agreement_signed = 1;")
        .unwrap();
    for (id, status, due) in [
        (2, "under_review", "2026-11-25T00:00:00Z"),
        (3, "submitted", "2026-11-01T00:00:00Z"),
        (4, "submitted", "2026-11-30T00:00:00Z"),
    ] {
        c.execute(
            "UPDATE merchants SET status = ?2, review_due_at = ?3, deposit_paid = 0, agreement_signed = 0 WHERE id = ?1",
            rusqlite::params![id, status, due],
        )
        .unwrap();
    }
    drop(c);
    let mut a = app(&path, 120, 40);
    a.press("1");
    a.press("f");
    let Some(Overlay::Picker { chips, .. }) = &a.overlay else {
        panic!("no status picker")
    };
    let chip = &chips[1];
    assert_eq!((chip.label.as_str(), chip.n), ("awaiting review", 3), "{chips:?}");
    a.press("j");
    a.press("enter");
    let lv = a.list(Tab::Merchants).unwrap();
    let ids: Vec<i64> = lv.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [3, 2, 4], "overdue first, then by due time");
    assert_eq!(lv.count.n, 3);
}

//! The TUI side of the review queue's claim and of the notices outbox: the
//! claimer shows in the queue and the detail, `N` (and the palette's
//! `notices`) opens the outbox, Enter reads a notice, `s` marks it sent
//! (audited), `a` shows only the unsent.

mod tui_support;

use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, app_as, screen, shop};

fn current(a: &App) -> i64 {
    a.list(Tab::Merchants).unwrap().current().unwrap().id
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

fn one(path: &std::path::Path, sql: &str) -> i64 {
    let c = shopdesk::store::open(path).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_claimer_shows_and_the_outbox_reads_and_marks_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("1");
    let id = current(&a);
    {
        let c = shopdesk::store::open(&path).unwrap();
        c.execute(
            "UPDATE merchants SET status = 'submitted', status_reason = NULL, deposit_paid = 0, agreement_signed = 0,
                email = 'shop@example.com', review_due_at = '2026-11-25T01:00:00Z' WHERE id = ?1",
            [id],
        )
        .unwrap();
    }
    a.press("r");
    // K claims; the queue's review-due cell names the claimer.
    a.press("K");
    assert!(message(&a).contains("claimed by you"), "{}", message(&a));
    let text = screen(&mut a, 120, 40);
    assert!(text.contains("· owner"), "{text}");
    a.press("enter");
    let text = screen(&mut a, 120, 40);
    assert!(
        text.contains("claimed by") && text.contains("owner <1m ago"),
        "{text}"
    );
    a.press("esc");
    // Start the review and send it back: a notice lands in the outbox.
    a.press("R");
    a.press("C");
    a.type_text("营业执照扫描件不清晰");
    a.press("enter");
    assert_eq!(one(&path, "SELECT count(*) FROM notices"), 1, "{}", message(&a));
    // N opens the outbox.
    a.press("N");
    assert!(
        matches!(a.overlay, Some(Overlay::Notices(_))),
        "N opens the outbox"
    );
    let text = screen(&mut a, 120, 40);
    assert!(text.contains("UNSENT") && text.contains("1 unsent"), "{text}");
    // Enter reads it whole; esc goes back to the list.
    a.press("enter");
    let text = screen(&mut a, 120, 40);
    assert!(text.contains("营业执照扫描件不清晰"), "{text}");
    assert!(
        text.contains("shop@example.com"),
        "the owner sees the recipient: {text}"
    );
    a.press("esc");
    assert!(matches!(a.overlay, Some(Overlay::Notices(_))));
    // s marks it sent, audited.
    a.press("s");
    assert!(message(&a).contains("marked sent"), "{}", message(&a));
    assert_eq!(
        one(
            &path,
            "SELECT count(*) FROM notices WHERE sent_at IS NOT NULL AND sent_by = 'owner'"
        ),
        1
    );
    assert_eq!(
        one(
            &path,
            "SELECT count(*) FROM audit_log WHERE action = 'notice_sent'"
        ),
        1
    );
    // a: only the unsent, of which there are none now.
    a.press("a");
    let text = screen(&mut a, 120, 40);
    assert!(text.contains("no unsent notices yet"), "{text}");
    a.press("esc");
    assert!(a.overlay.is_none());
    // The palette reaches it too.
    a.press(":");
    a.type_text("notices");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Notices(_))),
        "the palette opens it"
    );
    a.press("esc");
    // Support reads the outbox with the recipient masked, and may not mark.
    let mut s = app_as(&path, "lin", 80, 24);
    s.press("1");
    s.press("N");
    s.press("enter");
    let text = screen(&mut s, 80, 24);
    assert!(!text.contains("shop@example.com"), "{text}");
}

/// The document checklist's verdicts from keys: `Y` verifies, `D` rejects
/// with a reason (the kind chosen in the form by its digit).
#[test]
fn document_verdicts_from_one_key_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("1");
    let id = current(&a);
    {
        let c = shopdesk::store::open(&path).unwrap();
        c.execute(
            "INSERT OR REPLACE INTO merchant_documents (merchant_id, kind, number, check_status) VALUES
                (?1, 'business_licence', 'L-1', 'pending'), (?1, 'tax_registration', 'T-1', 'pending')",
            [id],
        )
        .unwrap();
    }
    a.press("r");
    a.press("enter");
    let check = |kind: &str| -> (String, String) {
        let c = shopdesk::store::open(&path).unwrap();
        c.query_row(
            "SELECT check_status, note FROM merchant_documents WHERE merchant_id = ?1 AND kind = ?2",
            rusqlite::params![id, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    // Y opens the kinds as a menu: the digit of the business licence.
    a.press("Y");
    assert!(matches!(a.overlay, Some(Overlay::Menu(_))), "{}", message(&a));
    a.press("1");
    assert_eq!(check("business_licence").0, "verified", "{}", message(&a));
    // D, the digit of the tax registration, then the reason.
    a.press("D");
    a.press("2");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))), "{}", message(&a));
    a.press("tab");
    a.type_text("印章不清 stamp unreadable");
    let before_enter = screen(&mut a, 80, 24);
    a.press("enter");
    assert_eq!(
        check("tax_registration"),
        ("rejected".to_string(), "印章不清 stamp unreadable".to_string()),
        "{}\n{before_enter}",
        message(&a)
    );
    // The detail shows both verdicts.
    a.press("r");
    let text = screen(&mut a, 120, 40);
    assert!(
        text.lines()
            .any(|l| l.contains("business licence") && l.contains("verified"))
            && text
                .lines()
                .any(|l| l.contains("tax registration") && l.contains("rejected")),
        "{text}"
    );
}

/// The re-verification queue chip: open merchants with a document
/// expiring within the window (30 days) or past it.
#[test]
fn documents_to_reverify_is_a_chip_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    {
        let c = shopdesk::store::open(&path).unwrap();
        c.execute_batch(
            "DELETE FROM merchant_documents;
             INSERT INTO merchant_documents (merchant_id, kind, expires_on, check_status) VALUES
                (2, 'business_licence', '2026-12-10', 'verified'),
                (3, 'business_licence', '2027-06-01', 'verified'),
                (4, 'tax_registration', '2026-11-01', 'expired'),
                (5, 'business_licence', '2026-12-01', 'verified');
             UPDATE merchants SET status = 'terminated', status_reason = 'x' WHERE id = 5;",
        )
        .unwrap();
    }
    let mut a = app(&path, 120, 40);
    a.press("1");
    a.press("f");
    let Some(Overlay::Picker { chips, .. }) = &a.overlay else {
        panic!("no status picker")
    };
    let at = chips
        .iter()
        .position(|c| c.label == "documents to re-verify")
        .expect("the chip");
    assert_eq!(chips[at].n, 2, "{chips:?}");
    a.press("g g");
    for _ in 0..at {
        a.press("j");
    }
    a.press("enter");
    let lv = a.list(Tab::Merchants).unwrap();
    let mut ids: Vec<i64> = lv.rows.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, [2, 4], "within 30 days or past, not terminated");
    assert_eq!(lv.count.n, 2);
}

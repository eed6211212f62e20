//! Product verbs from the TUI, through the real keymap and the verb engine:
//! every listing transition by its key, the delist reason form, stock
//! received and counted from forms, an edit form that sends nothing
//! unchanged (its prefilled choice included), the checklist refusal shown,
//! the low-stock and ABC chips, and a conflict with a change since shown.

mod tui_support;

use shopdesk::store::lists::{ProductQueue, StatusFilter};
use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, shop};

fn current(a: &App) -> i64 {
    a.list(Tab::Products).unwrap().current().unwrap().id
}

fn stored(path: &std::path::Path, id: i64) -> (String, i64, bool) {
    let c = shopdesk::store::open(path).unwrap();
    c.query_row(
        "SELECT status, stock_on_hand, branded FROM products WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

/// Makes product `id` a draft that passes the checklist (its merchant
/// active and direct, a category, a description, a price).
fn ready(path: &std::path::Path, id: i64) {
    let c = shopdesk::store::open(path).unwrap();
    c.execute_batch(&format!(
        "INSERT OR IGNORE INTO categories (name, path) VALUES ('Audio', 'Audio');
         UPDATE merchants SET status = 'active', deposit_paid = 1, agreement_signed = 1, cooperation_mode = 'direct'
           WHERE id = (SELECT merchant_id FROM products WHERE id = {id});
         UPDATE products SET status = 'draft', description = '降噪', price_minor = 19900, branded = 0,
           category_id = (SELECT id FROM categories WHERE path = 'Audio') WHERE id = {id};"
    ))
    .unwrap();
}

#[test]
fn listing_keys_move_a_product_through_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("2");
    let id = current(&a);
    ready(&path, id);
    a.press("r");
    a.press("U");
    assert_eq!(stored(&path, id).0, "pending_review", "{}", message(&a));
    a.press("A");
    assert_eq!(stored(&path, id).0, "listed", "{}", message(&a));
    // Delist: a reason form (a choice), then the note.
    a.press("D");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))), "a form opens");
    a.press("right");
    a.press("enter");
    assert!(a.overlay.is_none(), "{}", message(&a));
    let c = shopdesk::store::open(&path).unwrap();
    let reason: String = c
        .query_row("SELECT delist_reason FROM products WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        (stored(&path, id).0.as_str(), reason.as_str()),
        ("delisted", "seasonal")
    );
    a.press("L");
    assert_eq!(stored(&path, id).0, "pending_review", "{}", message(&a));
    // Reject needs a reason.
    a.press("J");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Form(_))),
        "empty reason refused"
    );
    a.type_text("图片模糊");
    a.press("enter");
    assert_eq!(stored(&path, id).0, "rejected", "{}", message(&a));
    a.press("W");
    assert_eq!(stored(&path, id).0, "draft", "{}", message(&a));
    // Approve from draft is refused, saying why.
    a.press("A");
    assert_eq!(stored(&path, id).0, "draft");
    assert!(message(&a).contains("approve needs pending"), "{}", message(&a));
}

#[test]
fn stock_forms_an_unchanged_edit_and_the_checklist_from_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("2");
    let id = current(&a);
    ready(&path, id);
    a.press("r");
    let (_, on_hand, _) = stored(&path, id);
    a.press("I");
    a.type_text("7");
    a.press("tab");
    a.type_text("DN-1");
    a.press("enter");
    assert_eq!(stored(&path, id).1, on_hand + 7, "{}", message(&a));
    // One unit short on the shelf (more than the orders hold).
    let counted = (on_hand + 6).to_string();
    a.press("N");
    a.type_text(&counted);
    a.press("tab");
    a.type_text("盘点");
    a.press("enter");
    assert_eq!(stored(&path, id).1, on_hand + 6, "{}", message(&a));
    // A count with a fraction is refused in the form; nothing changes.
    a.press("N");
    a.type_text("1.5");
    a.press("tab");
    a.type_text("x");
    a.press("enter");
    assert!(matches!(a.overlay, Some(Overlay::Form(_))));
    a.press("esc");
    assert_eq!(stored(&path, id).1, on_hand + 6);
    // The edit form starts with the product as it is: submitting it as
    // shown sends nothing (the branded choice starts on "no").
    a.press("E");
    a.press("enter");
    assert!(
        matches!(a.overlay, Some(Overlay::Form(_))),
        "nothing changed is refused"
    );
    a.press("esc");
    assert!(!stored(&path, id).2, "branded was not sent");
    // A branded product of a merchant that is not the brand's: the checklist names it.
    let c = shopdesk::store::open(&path).unwrap();
    c.execute_batch(&format!(
        "UPDATE merchants SET cooperation_mode = 'agency' WHERE id = (SELECT merchant_id FROM products WHERE id = {id});
         UPDATE products SET branded = 1, brand = 'Sony', status = 'pending_review' WHERE id = {id};"
    ))
    .unwrap();
    a.press("r");
    a.press("A");
    assert_eq!(stored(&path, id).0, "pending_review");
    assert!(message(&a).contains("brand authorisation"), "{}", message(&a));
}

#[test]
fn low_stock_and_abc_chips_filter_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let c = shopdesk::store::open(&path).unwrap();
    // Every product over its line but one.
    c.execute_batch("UPDATE products SET low_stock_threshold = 0;")
        .unwrap();
    let low: i64 = c
        .query_row("SELECT min(id) FROM products", [], |r| r.get(0))
        .unwrap();
    let on_hand: i64 = c
        .query_row("SELECT stock_on_hand FROM products WHERE id = ?1", [low], |r| {
            r.get(0)
        })
        .unwrap();
    c.execute(
        "UPDATE products SET low_stock_threshold = ?2 WHERE id = ?1",
        [low, on_hand],
    )
    .unwrap();
    c.execute_batch(&format!(
        "INSERT INTO product_stats (product_id, abc) SELECT id, CASE WHEN id = {low} THEN 'A' ELSE 'C' END FROM products;
         UPDATE inventory_settings SET abc_a = 1, abc_c = (SELECT count(*) - 1 FROM products);"
    ))
    .unwrap();
    let mut a = app(&path, 120, 40);
    a.press("2");
    for (q, want) in [
        (ProductQueue::LowStock, vec![low]),
        (ProductQueue::Abc('A'), vec![low]),
    ] {
        a.press("f");
        let at = match &a.overlay {
            Some(Overlay::Picker { chips, .. }) => {
                let at = chips
                    .iter()
                    .position(|c| c.status == Some(StatusFilter::Products(q)))
                    .unwrap();
                assert_eq!(chips[at].n, 1, "{q:?} chip count");
                at
            }
            _ => panic!("no picker"),
        };
        a.press("g g");
        for _ in 0..at {
            a.press("j");
        }
        a.press("enter");
        a.wait_jobs();
        let ids: Vec<i64> = a.list(Tab::Products).unwrap().rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, want, "{q:?}");
    }
}

#[test]
fn a_product_changed_since_it_was_shown_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("2");
    let id = current(&a);
    ready(&path, id);
    a.press("r");
    let mut other = shopdesk::ops::Session::open_as(&path, "owner").unwrap();
    let verb = shopdesk::ops::verbs::find(shopdesk::ops::verbs::Entity::Product, "submit").unwrap();
    shopdesk::ops::verbs::run(&mut other, verb, id, None, &Default::default()).unwrap();
    a.press("A");
    assert_eq!(stored(&path, id).0, "pending_review");
    assert!(message(&a).contains("changed"), "{}", message(&a));
}

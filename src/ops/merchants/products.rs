//! What a merchant's standing does to its products: a suspension hides the
//! listed ones, reinstating lists them again, termination delists them all.
//! Each product change is its own audit row (entity `product`), written in
//! the merchant verb's transaction.

use rusqlite::Connection;

use crate::Result;
use crate::ops::{Stamp, audit};
use crate::store::merchants::{self as db, ProductState};

fn change(
    tx: &Connection,
    who: Stamp<'_>,
    action: &str,
    before: &ProductState,
    status: &str,
    reason: Option<&str>,
) -> Result<()> {
    let after = ProductState {
        status: status.to_string(),
        delist_reason: reason.map(str::to_string),
        updated_at: who.at.to_string(),
        version: before.version + 1,
        ..before.clone()
    };
    db::set_product_status(tx, &after)?;
    audit(tx, who, "product", before.id, action, Some(before), Some(&after))
}

/// Delists the merchant's listed products (reason `reason`) and remembers
/// them; returns how many.
pub(super) fn hide(tx: &Connection, who: Stamp<'_>, merchant_id: i64, reason: &str) -> Result<usize> {
    let listed = db::listed_products(tx, merchant_id)?;
    for p in &listed {
        change(tx, who, "delist", p, "delisted", Some(reason))?;
        db::remember_hidden(tx, merchant_id, p.id)?;
    }
    Ok(listed.len())
}

/// Lists again the products a suspension hid that are still delisted;
/// returns how many.
pub(super) fn show(tx: &Connection, who: Stamp<'_>, merchant_id: i64) -> Result<usize> {
    let mut n = 0;
    for p in db::hidden_products(tx, merchant_id)? {
        if p.status == "delisted" {
            change(tx, who, "relist", &p, "listed", None)?;
            n += 1;
        }
    }
    db::forget_hidden(tx, merchant_id)?;
    Ok(n)
}

/// Delists every product of the merchant not delisted yet, and gives the
/// ones a suspension hid the termination's reason; returns how many changed.
pub(super) fn delist_all(tx: &Connection, who: Stamp<'_>, merchant_id: i64, reason: &str) -> Result<usize> {
    let mut n = 0;
    for p in db::undelisted_products(tx, merchant_id)? {
        change(tx, who, "delist", &p, "delisted", Some(reason))?;
        n += 1;
    }
    for p in db::hidden_products(tx, merchant_id)? {
        if p.status == "delisted" && p.delist_reason.as_deref() != Some(reason) {
            change(tx, who, "delist", &p, "delisted", Some(reason))?;
            n += 1;
        }
    }
    db::forget_hidden(tx, merchant_id)?;
    Ok(n)
}

//! Master data (SPEC §4.2): title, description, spec, model, origin, brand
//! and the branded flag, price, purchase cost, warranty, after-sales policy,
//! warning line and category (by its path in the tree). A change to the
//! category or brand of a listed product sends it back to review.

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::product::{self as rules, ProductStatus};
use crate::ops::Session;
use crate::ops::verbs::Outcome;
use crate::ops::workflow::{self, Applied};
use crate::store::products::{self as db, Product};
use crate::{Error, Result};

use super::{label, outcome, status_of};

/// The fields an edit sets; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub spec: Option<String>,
    pub model: Option<String>,
    pub origin: Option<String>,
    /// `Some("")` clears the brand.
    pub brand: Option<String>,
    pub branded: Option<bool>,
    pub price_minor: Option<i64>,
    pub cost_minor: Option<i64>,
    pub warranty_months: Option<i64>,
    pub after_sales: Option<String>,
    pub threshold: Option<i64>,
    /// A category path ("Home > Kitchen") that must exist.
    pub category: Option<String>,
}

fn set<T: PartialEq + Clone>(
    field: &mut T,
    v: &Option<T>,
    changed: &mut Vec<&'static str>,
    name: &'static str,
) {
    if let Some(v) = v
        && field != v
    {
        *field = v.clone();
        changed.push(name);
    }
}

/// Applies `e` to product `id` (one transaction); nothing written when
/// nothing differs.
pub fn edit_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    e: &Edit,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    // The category path is resolved before the transaction (a bad one is
    // bad input) and again inside (it may not vanish in between: FK).
    let category_id = match e.category.as_deref().map(str::trim) {
        None => None,
        Some(path) => {
            let levels = crate::io::import_products::category_levels(path)
                .map_err(|why| Error::input(format!("--category: {why}")))?;
            let path = levels.join(" > ");
            Some(
                db::category_by_path(&s.conn, &path)?
                    .ok_or_else(|| Error::input(format!("--category: no category {path:?}")))?,
            )
        }
    };
    if let Some(w) = e.warranty_months
        && !(0..=1200).contains(&w)
    {
        return Err(Error::input(format!("--warranty-months: {w} is not 0 to 1200")));
    }
    let name = label(&s.conn, id)?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageProducts,
        "edit",
        id,
        shown,
        now,
        |_st, before: &Product, after: &mut Product| {
            let mut changed = Vec::new();
            set(&mut after.title, &e.title, &mut changed, "title");
            set(
                &mut after.description,
                &e.description,
                &mut changed,
                "description",
            );
            set(&mut after.spec, &e.spec, &mut changed, "spec");
            set(&mut after.model, &e.model, &mut changed, "model");
            set(&mut after.origin, &e.origin, &mut changed, "origin");
            let brand = e
                .brand
                .as_ref()
                .map(|b| Some(b.trim().to_string()).filter(|b| !b.is_empty()));
            set(&mut after.brand, &brand, &mut changed, "brand");
            set(&mut after.branded, &e.branded, &mut changed, "branded");
            set(&mut after.price_minor, &e.price_minor, &mut changed, "price");
            set(
                &mut after.cost_minor,
                &e.cost_minor.map(Some),
                &mut changed,
                "cost",
            );
            set(
                &mut after.warranty_months,
                &e.warranty_months,
                &mut changed,
                "warranty",
            );
            set(
                &mut after.after_sales,
                &e.after_sales,
                &mut changed,
                "after-sales policy",
            );
            set(
                &mut after.low_stock_threshold,
                &e.threshold,
                &mut changed,
                "warning line",
            );
            set(
                &mut after.category_id,
                &category_id.map(Some),
                &mut changed,
                "category",
            );
            if changed.is_empty() {
                return Ok(Applied::unchanged(format!("{name}: nothing to change")));
            }
            let status = status_of(before)?;
            let again = rules::edit_needs_review(
                status,
                changed.contains(&"category"),
                changed.contains(&"brand") || changed.contains(&"branded"),
            );
            let mut msg = format!("{name}: {} changed", changed.join(", "));
            if again {
                after.status = ProductStatus::PendingReview.as_str().to_string();
                after.approved_at = None;
                msg.push_str("; back to review (its category or brand changed)");
            } else if status == ProductStatus::PendingReview && before.approved_at.is_some() {
                // An approval waiting for its listing time was of the old data.
                after.approved_at = None;
                msg.push_str("; its approval is withdrawn: review it again");
            }
            after.change = Some(serde_json::json!({"changed": changed}));
            Ok(Applied::saved(msg).attention(again))
        },
    )?;
    outcome(name, "edit", &after, applied)
}

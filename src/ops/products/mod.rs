//! Product listing and inventory (SPEC §4.2): each verb is one transaction
//! through `workflow::run` (role, `BEGIN IMMEDIATE`, the version shown, the
//! change, the versioned save of the product row, its audit row, commit).
//! Stock movements and the merchant's notice are written inside the same
//! transaction and named in the audit image under `change`.

mod edit;
pub mod reports;
mod schedule;
mod stock;
pub mod verbs;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::Permission;
use crate::domain::Refusal;
use crate::domain::product::{self as rules, ListingCheck, ProductAction, ProductStatus};
use crate::ops::Session;
use crate::ops::verbs::{Entity, Outcome};
use crate::ops::workflow::{self, Applied, Step};
use crate::store::products::{self as db, Product};
use crate::{Error, Result};

pub use edit::{Edit, edit_at};
pub use schedule::{Clear, Plan, apply_schedules_at, schedule_at};
pub use stock::{count_at, receive_at};

crate::ops::workflow::impl_record!(Product, "product", "products", crate::store::products);

/// A product id from `MERCHANT_CODE:SKU` (the key people see) or a numeric id.
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let key = key.trim();
    if let Some((code, sku)) = key.split_once(':')
        && let Some(id) = db::id_by_key(conn, code.trim(), sku.trim())?
    {
        return Ok(id);
    }
    if let Ok(id) = key.parse::<i64>()
        && db::get(conn, id)?.is_some()
    {
        return Ok(id);
    }
    Err(Error::not_found("product", key.to_string()))
}

/// "product M1:A (茶杯)": how messages name a product.
pub fn label(conn: &Connection, id: i64) -> Result<String> {
    Ok(match db::key_of(conn, id)? {
        Some((key, title)) if title.is_empty() => format!("product {key}"),
        Some((key, title)) => format!("product {key} ({title})"),
        None => format!("product {id}"),
    })
}

pub(crate) fn status_of(p: &Product) -> Result<ProductStatus> {
    p.status
        .parse()
        .map_err(|e| Error::Db(format!("product {}: {e}", p.id)))
}

pub(crate) fn blocked(name: &str, verb: &str, blockers: Vec<String>) -> Error {
    Error::Refused(Refusal::Blocked {
        verb: verb.to_string(),
        thing: "product".into(),
        subject: Some(name.to_string()),
        blockers,
    })
}

/// Every failing item of the listing checklist for `p`, as the data is now.
pub fn checklist(conn: &Connection, p: &Product) -> Result<Vec<String>> {
    let facts = db::listing_facts(conn, p)?;
    Ok(rules::listing_blockers(&ListingCheck {
        title: &p.title,
        description: &p.description,
        price_minor: p.price_minor,
        has_category: p.category_id.is_some() && facts.category_exists,
        merchant_active: facts.merchant_status == "active",
        branded: p.branded,
        // A direct-mode merchant is the brand's own store (the required
        // documents leave out the brand authorisation for it too).
        brand_owned: facts.cooperation_mode == "direct",
        brand_authorisation_verified: facts.brand_authorisation.as_deref() == Some("verified"),
    }))
}

/// What a product's detail view shows beside its row: the failing
/// checklist items (for a product someone may still submit or approve) and
/// the restock lead time in days.
pub fn review_facts(conn: &Connection, id: i64) -> Result<(Vec<String>, i64)> {
    let checklist = match db::get(conn, id)? {
        Some(p) if p.status != ProductStatus::Listed.as_str() => checklist(conn, &p)?,
        _ => Vec::new(),
    };
    Ok((checklist, db::restock_lead_days(conn)?))
}

pub(crate) fn outcome(name: String, verb: &'static str, p: &Product, applied: Applied) -> Result<Outcome> {
    Ok(Outcome {
        entity: Entity::Product,
        id: p.id,
        name,
        verb,
        status: status_of(p)?.label(),
        version: p.version,
        message: applied.message,
        attention: applied.attention,
    })
}

/// Applies one listing action to product `id` (one transaction).
pub fn act_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    action: &ProductAction,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let verb = action.name();
    let name = label(&s.conn, id)?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageProducts,
        verb,
        id,
        shown,
        now,
        |st, before: &Product, after: &mut Product| apply(st, action, note, &name, before, after),
    )?;
    outcome(name, verb, &after, applied)
}

fn apply(
    st: &mut Step<'_, '_>,
    action: &ProductAction,
    note: Option<&str>,
    name: &str,
    before: &Product,
    after: &mut Product,
) -> Result<Applied> {
    use ProductAction as A;
    let from = status_of(before)?;
    let to = rules::next(from, action).map_err(|r| Error::Refused(r.about(name)))?;
    let tx: &Connection = st.tx;
    let at = st.who.at.to_string();
    after.status = to.as_str().to_string();
    let mut change = serde_json::Map::new();
    let message = match action {
        A::Submit => {
            after.approved_at = None;
            let open = checklist(tx, before)?;
            if open.is_empty() {
                format!("{name}: submitted for review")
            } else {
                format!(
                    "{name}: submitted for review; the checklist still fails: {}",
                    open.join("; ")
                )
            }
        }
        A::Approve => {
            let blockers = checklist(tx, before)?;
            if !blockers.is_empty() {
                return Err(blocked(name, "approve", blockers));
            }
            after.approved_at = Some(at.clone());
            after.reject_reason = None;
            if rules::lists_on_approval(before.list_at.as_deref(), &at) {
                after.list_at = None;
                after.delist_reason = None;
                format!("{name}: approved and listed")
            } else {
                // Approved, and listed by the scheduled effect at its time.
                after.status = ProductStatus::PendingReview.as_str().to_string();
                let when = before.list_at.clone().unwrap_or_default();
                format!("{name}: approved; it is listed at {when}")
            }
        }
        A::Reject { reason } => {
            after.reject_reason = Some(reason.trim().to_string());
            after.approved_at = None;
            let n = notice(tx, before, name, reason.trim(), &at)?;
            if let Some(n) = n {
                change.insert("notice".into(), n.into());
            }
            format!("{name}: rejected; the merchant is told")
        }
        A::Redraft => format!("{name}: back to draft"),
        A::Delist { reason } => {
            after.delist_reason = Some(reason.as_str().to_string());
            after.delist_at = None;
            if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
                change.insert("note".into(), n.trim().into());
            }
            format!("{name}: delisted ({})", reason.label())
        }
        A::Relist => {
            after.delist_reason = None;
            after.approved_at = None;
            format!("{name}: back in review to be listed again")
        }
    };
    if !change.is_empty() {
        after.change = Some(serde_json::Value::Object(change));
    }
    Ok(Applied::saved(message))
}

/// The merchant's notice of a rejected listing (the outbox, SPEC §4.8);
/// None when the merchant has neither email nor phone.
fn notice(tx: &Connection, p: &Product, name: &str, reason: &str, at: &str) -> Result<Option<i64>> {
    use crate::store::merchants as mdb;
    let Some(m) = mdb::get(tx, p.merchant_id)? else {
        return Ok(None);
    };
    let (channel, recipient) = if !m.email.trim().is_empty() {
        ("email", m.email.trim())
    } else if !m.phone.trim().is_empty() {
        ("sms", m.phone.trim())
    } else {
        return Ok(None);
    };
    let body = format!(
        "Dear {},\n\nYour listing of {name} was not approved:\n\n{reason}\n\nFix it and submit it again.\n\nMerchant {} ({})\n",
        if m.contact_name.is_empty() {
            &m.name
        } else {
            &m.contact_name
        },
        m.code,
        m.name
    );
    let id = mdb::add_notice(
        tx,
        &mdb::NewNotice {
            entity: "merchant",
            entity_id: m.id,
            recipient,
            channel,
            subject: &format!("Listing not approved: {} ({})", p.sku, m.code),
            body: &body,
            at,
        },
    )?;
    Ok(Some(id))
}

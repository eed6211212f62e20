//! Merging an order into another of the same customer, address and merchant
//! (SPEC §4.3).
//!
//! Reservations move with the lines: a line's `reserved_qty` keeps naming the
//! same units in `products.stock_reserved`, only now under the surviving
//! order, so no stock movement is written and product totals do not change.

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::order::{self as rules, OrderAction};
use crate::ops::workflow::{self, Applied};
use crate::store::orders::Order;
use crate::{Error, Result, store};

use super::super::Session;
use super::{Outcome, blocked, label, load, outcome, refused, status_of};

/// `merge ID --into SURVIVOR` with the session's clock.
pub fn merge(s: &mut Session, id: i64, into: i64, expected_version: Option<i64>) -> Result<Outcome> {
    let now = s.now()?;
    merge_at(s, id, into, expected_version, now)
}

/// Moves every line of order `id` into order `into` and marks `id` merged.
/// `expected_version` is the absorbed order's. The outcome describes the
/// absorbed order; the survivor's new totals are in the message.
pub fn merge_at(
    s: &mut Session,
    id: i64,
    into: i64,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if id == into {
        return Err(Error::input(format!("order {id} cannot be merged into itself")));
    }
    let action = OrderAction::MergeInto(into);
    let name = action.name();
    let (merged, applied) = workflow::run(
        s,
        Permission::ManageOrders,
        name,
        id,
        expected_version,
        now,
        |st, gone: &Order, merged| {
            let keep = load(st.tx, into)?;
            let (gone_status, gone_held) = status_of(gone);
            let to = rules::next(gone_status, gone_held, &action).map_err(|r| refused(gone, r))?;
            let (keep_status, keep_held) = status_of(&keep);
            rules::next(keep_status, keep_held, &OrderAction::MergeInto(id))
                .map_err(|r| refused(&keep, r))?;
            if let Some(why) = mismatch(gone, &keep) {
                return Err(blocked(gone, &format!("merge into {}", label(&keep)), why));
            }
            let moved = store::orders::move_lines(st.tx, id, into)?;
            let totals = store::orders::totals(st.tx, into)?;
            let mut kept = keep.clone();
            kept.line_count = totals.line_count;
            kept.item_count = totals.item_count;
            kept.items_minor = totals.items_minor;
            kept.shipping_minor = totals.shipping_minor;
            // The merged parcel must leave by the earlier of the two deadlines.
            kept.ship_by_at = match (&keep.ship_by_at, &gone.ship_by_at) {
                (Some(a), Some(b)) => Some(a.min(b).clone()),
                (a, b) => a.clone().or_else(|| b.clone()),
            };
            workflow::save(st.tx, st.who, name, &keep, &mut kept)?;
            merged.status = to;
            merged.merged_into = Some(into);
            merged.line_count = 0;
            merged.item_count = 0;
            merged.items_minor = 0;
            merged.shipping_minor = 0;
            Ok(Applied::saved(format!(
                "{}: merged into {} ({moved} line(s) moved; it now has {} line(s), {} item(s))",
                label(gone),
                label(&keep),
                kept.line_count,
                kept.item_count
            )))
        },
    )?;
    outcome(&merged, name, applied.message)
}

/// Why two orders may not be merged (their states are checked by the domain).
fn mismatch(a: &Order, b: &Order) -> Option<String> {
    if a.customer_id != b.customer_id {
        return Some("they belong to different customers".into());
    }
    if a.merchant_id != b.merchant_id {
        return Some("they are from different merchants".into());
    }
    let fields = [
        ("recipient name", &a.ship_name, &b.ship_name),
        ("phone", &a.ship_phone, &b.ship_phone),
        ("address", &a.ship_address, &b.ship_address),
        ("city", &a.ship_city, &b.ship_city),
    ];
    let differ: Vec<&str> = fields
        .iter()
        .filter(|(_, x, y)| x.trim() != y.trim())
        .map(|(n, _, _)| *n)
        .collect();
    if !differ.is_empty() {
        return Some(format!("their shipping addresses differ ({})", differ.join(", ")));
    }
    None
}

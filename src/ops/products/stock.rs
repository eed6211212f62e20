//! Stock received and counted (SPEC §4.2): each is a movement in the ledger
//! (`store::stock`) and the product's audit row, in one transaction. The
//! conditional UPDATEs there keep on hand at or above reserved whatever
//! else runs at the same time.

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::product::{self as rules, available};
use crate::ops::Session;
use crate::ops::verbs::Outcome;
use crate::ops::workflow::{self, Applied};
use crate::store::products::Product;
use crate::store::stock::{self, Origin};
use crate::{Error, Result};

use super::{label, outcome};

/// Receives `qty` units (a supplier's delivery; `note` such as its number).
pub fn receive_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    qty: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if qty <= 0 {
        return Err(Error::input(format!("--qty: must be greater than 0 (got {qty})")));
    }
    let name = label(&s.conn, id)?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageProducts,
        "stock_receive",
        id,
        shown,
        now,
        |st, before: &Product, after: &mut Product| {
            let o = Origin {
                note,
                actor: st.who.actor,
                at: st.who.at,
                ..Origin::default()
            };
            stock::adjust_on_hand(st.tx, before.id, "receive", qty, &o)?;
            after.stock_on_hand = before.stock_on_hand + qty;
            after.change =
                Some(serde_json::json!({"movement": "receive", "on_hand_delta": qty, "note": note}));
            Ok(Applied::saved(format!(
                "{name}: received {qty}; {} on hand, {} available",
                after.stock_on_hand,
                available(after.stock_on_hand, after.stock_reserved)
            )))
        },
    )?;
    outcome(name, "stock_receive", &after, applied)
}

/// Records a shelf count: the difference from on hand becomes an `adjust`
/// movement with `reason`. A count below what is reserved is refused.
pub fn count_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    counted: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if reason.trim().is_empty() {
        return Err(Error::input("--reason: a count needs a reason"));
    }
    let name = label(&s.conn, id)?;
    let (after, applied) = workflow::run(
        s,
        Permission::ManageProducts,
        "stock_count",
        id,
        shown,
        now,
        |st, before: &Product, after: &mut Product| {
            // Read inside the write transaction: an order reserving the last
            // unit either committed before (and is seen) or waits for us.
            let delta = rules::count_delta(before.stock_on_hand, before.stock_reserved, counted)
                .map_err(|r| Error::input(format!("{name}: {r}")))?;
            let o = Origin {
                note: reason.trim(),
                actor: st.who.actor,
                at: st.who.at,
                ..Origin::default()
            };
            stock::adjust_on_hand(st.tx, before.id, "adjust", delta, &o)?;
            after.stock_on_hand = counted;
            after.change = Some(serde_json::json!({
                "movement": "adjust", "counted": counted, "on_hand_delta": delta, "reason": reason.trim()
            }));
            let msg = if delta == 0 {
                format!("{name}: counted {counted}, as the books say")
            } else {
                format!(
                    "{name}: counted {counted} ({delta:+} adjusted: {})",
                    reason.trim()
                )
            };
            Ok(Applied::saved(msg).attention(delta != 0))
        },
    )?;
    outcome(name, "stock_count", &after, applied)
}

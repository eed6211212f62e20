//! Bulk actions for the TUI's multi-select: each order is its own
//! transaction, so one refusal or conflict does not block the rest.

use crate::Result;
use crate::domain::order::OrderAction;

use super::super::Session;

/// Each order's id with what happened to it, in the order given.
pub type BatchResult = Vec<(i64, Result<Outcome>)>;
use super::{Outcome, act};

/// Applies `action` to each `(id, expected_version)` in turn.
pub fn act_many(s: &mut Session, orders: &[(i64, Option<i64>)], action: &OrderAction) -> BatchResult {
    orders
        .iter()
        .map(|&(id, version)| (id, act(s, id, version, action)))
        .collect()
}

/// Approves each order (address audit included), one transaction each.
pub fn approve_many(s: &mut Session, ids: &[i64]) -> BatchResult {
    let orders: Vec<(i64, Option<i64>)> = ids.iter().map(|&id| (id, None)).collect();
    act_many(s, &orders, &OrderAction::Approve)
}

/// Moves each approved order to picking, one transaction each.
pub fn pick_many(s: &mut Session, ids: &[i64]) -> BatchResult {
    let orders: Vec<(i64, Option<i64>)> = ids.iter().map(|&id| (id, None)).collect();
    act_many(s, &orders, &OrderAction::Pick)
}

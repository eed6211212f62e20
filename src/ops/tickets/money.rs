//! Resolution and money: resolve (refund within what is left and within
//! the role's limit, restock a return as stock movements, who bears the
//! return shipping), a refund sent to an owner and the owner's approval,
//! and the platform's ruling on a dispute.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::money::Money;
use crate::domain::ticket::{
    self as rules, Resolution, RulingPayer, ShippingPayer, TicketAction, TicketKind,
};
use crate::domain::{Permission, Role};
use crate::ops::Session;
use crate::ops::workflow::{self, Applied, Step};
use crate::store::stock::{self, Origin};
use crate::store::tickets::{self as db, Ticket};
use crate::{Error, Result};

use super::notices::{self, Kind};
use super::{blocked, kind_of, label, refund_limit};

/// What `resolve` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub resolution: Resolution,
    pub refund: Option<i64>,
    pub restock: bool,
    pub shipping: Option<ShippingPayer>,
}

/// Paid on the order, and refunded on it so far (every source).
fn refundable(tx: &Connection, t: &Ticket) -> Result<(i64, i64, i64)> {
    let order = t
        .order_id
        .ok_or_else(|| blocked(t, "refund", "the ticket has no order to refund"))?;
    let o = db::order_facts(tx, order)?.ok_or_else(|| Error::not_found("order", order))?;
    let paid = if o.paid_at.is_some() { o.paid_minor } else { 0 };
    Ok((order, paid, db::refunded_on_order(tx, order)?))
}

/// Checks `amount` against what is left and (when `limit` is given) the
/// role's limit; the error names the amount left, or that it needs an owner.
fn check_refund(tx: &Connection, t: &Ticket, amount: i64, limit: Option<i64>) -> Result<i64> {
    let (order, paid, earlier) = refundable(tx, t)?;
    if let Some(why) = rules::refund_blocker(amount, paid, earlier, limit) {
        let hint = if limit.is_some_and(|l| amount > l) && amount <= paid - earlier {
            format!(
                " (send it to an owner with request-refund: key F, or shopdesk ticket request-refund {} --refund {})",
                t.id,
                Money(amount)
            )
        } else {
            String::new()
        };
        return Err(blocked(t, "refund", format!("{why}{hint}")));
    }
    Ok(order)
}

/// Issues a refund (and restock) on the ticket's order, inside the verb's
/// transaction; returns the change for the audit image.
fn pay_out(
    st: &mut Step<'_, '_>,
    t: &Ticket,
    order: i64,
    amount: i64,
    restock: bool,
    why: &str,
) -> Result<serde_json::Value> {
    let (who, at) = (st.who, st.who.at.to_string());
    let refund = db::insert_refund(st.tx, order, t.id, amount, why, who.actor, &at)?;
    let mut moved = Vec::new();
    if restock {
        for (product, qty) in db::order_lines(st.tx, order)? {
            let o = Origin {
                order_id: Some(order),
                ticket_id: Some(t.id),
                note: "returned goods restocked",
                actor: who.actor,
                at: &at,
            };
            stock::adjust_on_hand(st.tx, product, "return", qty, &o)?;
            moved.push(serde_json::json!({"product": product, "qty": qty}));
        }
    }
    Ok(serde_json::json!({"refund": refund, "amount_minor": amount, "restocked": moved}))
}

fn restock_allowed(t: &Ticket, restock: bool) -> Result<()> {
    if restock && !matches!(kind_of(t)?, TicketKind::Return | TicketKind::Exchange) {
        return Err(blocked(
            t,
            "restock",
            "only a return or an exchange brings goods back",
        ));
    }
    Ok(())
}

pub(super) fn resolve_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    r: &Resolve,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let limit = refund_limit(s.role(), &s.settings);
    workflow::run(
        s,
        Permission::ManageTickets,
        "resolve",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| finish(st, before, after, r, limit, None),
    )
}

/// Resolves `before`: the transition, the refund, restock, notice.
fn finish(
    st: &mut Step<'_, '_>,
    before: &Ticket,
    after: &mut Ticket,
    r: &Resolve,
    limit: Option<i64>,
    ruling: Option<RulingPayer>,
) -> Result<Applied> {
    let lbl = label(before);
    let money_ok = matches!(r.resolution, Resolution::Refund | Resolution::Compensation);
    match (r.resolution, r.refund) {
        (Resolution::Refund, None) => {
            return Err(Error::input(format!(
                "{lbl}: a refund resolution needs --refund AMOUNT"
            )));
        }
        (_, Some(_)) if !money_ok => {
            return Err(Error::input(format!(
                "{lbl}: --refund goes with the refund or compensation resolution, not {}",
                r.resolution
            )));
        }
        _ => {}
    }
    restock_allowed(before, r.restock)?;
    super::flow::transition(st, &TicketAction::Resolve(r.resolution), before, after)?;
    let at = st.who.at.to_string();
    let currency = st.settings.currency.clone();
    let mut change = serde_json::Map::new();
    let mut message = format!("{lbl}: resolved ({})", r.resolution.label());
    if let Some(amount) = r.refund {
        let order = check_refund(st.tx, before, amount, limit)?;
        let why = match ruling {
            Some(p) => format!("dispute ruling ({p} pays)"),
            None => format!("ticket #{} {}", before.id, r.resolution),
        };
        change.insert(
            "refund".into(),
            pay_out(st, before, order, amount, r.restock, &why)?,
        );
        after.refund_minor = before
            .refund_minor
            .checked_add(amount)
            .ok_or_else(|| Error::Db(format!("{lbl}: the refunds overflow")))?;
        message.push_str(&format!(", refunded {}", Money(amount).format(&currency)));
    } else if r.restock {
        let order = before
            .order_id
            .ok_or_else(|| blocked(before, "restock", "the ticket has no order"))?;
        change.insert("refund".into(), restock_only(st, before, order)?);
    }
    if r.restock {
        message.push_str(", goods restocked");
    }
    if let Some(p) = r.shipping {
        after.return_shipping = Some(p.as_str().to_string());
        message.push_str(&format!(", return shipping borne by the {p}"));
    }
    after.resolution = Some(r.resolution.as_str().to_string());
    after.restock = before.restock || r.restock;
    after.resolved_at = Some(at.clone());
    after.pending_refund_minor = None;
    after.pending_restock = false;
    after.pending_by = None;
    let detail = match r.refund {
        Some(a) => format!(
            "{}: refund of {}",
            r.resolution.label(),
            Money(a).format(&currency)
        ),
        None => r.resolution.label().to_string(),
    };
    if let Some(n) = notices::customer(st.tx, after, Kind::Resolved, &detail, &at)? {
        change.insert("notice".into(), n.into());
    }
    after.change = Some(serde_json::Value::Object(change));
    Ok(Applied::saved(message))
}

fn restock_only(st: &mut Step<'_, '_>, t: &Ticket, order: i64) -> Result<serde_json::Value> {
    let at = st.who.at.to_string();
    let mut moved = Vec::new();
    for (product, qty) in db::order_lines(st.tx, order)? {
        let o = Origin {
            order_id: Some(order),
            ticket_id: Some(t.id),
            note: "returned goods restocked",
            actor: st.who.actor,
            at: &at,
        };
        stock::adjust_on_hand(st.tx, product, "return", qty, &o)?;
        moved.push(serde_json::json!({"product": product, "qty": qty}));
    }
    Ok(serde_json::json!({"restocked": moved}))
}

/// Sends a refund above the requester's limit to an owner: recorded on the
/// ticket (checked against what is left), approved by `approve_refund`.
pub(super) fn request_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    amount: i64,
    restock: bool,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    workflow::run(
        s,
        Permission::ManageTickets,
        "request_refund",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            let status = super::status_of(before)?;
            rules::next(status, &TicketAction::Resolve(Resolution::Refund))
                .map_err(|r| Error::Refused(r.about(label(before))))?;
            restock_allowed(before, restock)?;
            let currency = st.settings.currency.clone();
            check_refund(st.tx, before, amount, None)?;
            after.pending_refund_minor = Some(amount);
            after.pending_restock = restock;
            after.pending_by = Some(st.who.actor.to_string());
            Ok(Applied::saved(format!(
                "{}: a refund of {} awaits an owner's approval (`ticket approve-refund {}`)",
                label(before),
                Money(amount).format(&currency),
                before.id
            )))
        },
    )
}

/// The owner approves the pending refund: the ticket is resolved with it.
pub(super) fn approve_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let limit = refund_limit(s.role(), &s.settings);
    debug_assert!(s.role() != Role::Owner || limit.is_none());
    workflow::run(
        s,
        Permission::ApproveRefunds,
        "approve_refund",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            let amount = before
                .pending_refund_minor
                .ok_or_else(|| blocked(before, "approve refund", "no refund is waiting for approval"))?;
            let r = Resolve {
                resolution: Resolution::Refund,
                refund: Some(amount),
                restock: before.pending_restock,
                shipping: None,
            };
            let requested = before.pending_by.clone().unwrap_or_default();
            let mut applied = finish(st, before, after, &r, limit, None)?;
            applied.message = format!("{} (requested by {requested}, approved)", applied.message);
            Ok(applied)
        },
    )
}

/// The platform's ruling on a dispute: a refund (or none) and who pays it.
pub(super) fn rule_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    refund: Option<i64>,
    payer: Option<RulingPayer>,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let limit = refund_limit(s.role(), &s.settings);
    workflow::run(
        s,
        Permission::ManageTickets,
        "rule",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            if kind_of(before)? != TicketKind::Dispute {
                return Err(blocked(before, "rule", "only a dispute is ruled on"));
            }
            let payer = match (refund, payer) {
                (Some(_), None) => {
                    return Err(Error::input(format!(
                        "{}: a ruling with a refund needs --payer merchant|platform|split",
                        label(before)
                    )));
                }
                (_, p) => p,
            };
            let r = Resolve {
                resolution: if refund.is_some() {
                    Resolution::Refund
                } else {
                    Resolution::NoAction
                },
                refund,
                restock: false,
                shipping: None,
            };
            let mut applied = finish(st, before, after, &r, limit, payer)?;
            if let (Some(amount), Some(p)) = (refund, payer) {
                after.ruling_payer = Some(p.as_str().to_string());
                after.merchant_share_minor = rules::merchant_share(amount, p);
                applied.message = format!(
                    "{}; ruled: the {p} pays (merchant's share {})",
                    applied.message,
                    Money(after.merchant_share_minor).format(&st.settings.currency)
                );
            } else {
                applied.message = format!("{}; ruled: no refund", applied.message);
            }
            Ok(applied)
        },
    )
}

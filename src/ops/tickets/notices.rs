//! The customer hears when a ticket is approved, rejected or resolved
//! (SPEC §4.4, §4.8): a notice in the outbox, written in the verb's
//! transaction.

use rusqlite::Connection;

use crate::Result;
use crate::store::merchants::{NewNotice, add_notice};
use crate::store::tickets::{self as db, Ticket};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Approved,
    Rejected,
    Resolved,
}

/// Writes the notice to the ticket's customer (their email, else their
/// phone by SMS); `None` when the ticket has no customer to write to.
pub(super) fn customer(
    tx: &Connection,
    t: &Ticket,
    kind: Kind,
    detail: &str,
    at: &str,
) -> Result<Option<i64>> {
    let Some(order) = t.order_id else {
        return Ok(None);
    };
    let Some(o) = db::order_facts(tx, order)? else {
        return Ok(None);
    };
    let (channel, recipient) = if !o.customer_email.trim().is_empty() {
        ("email", o.customer_email.trim().to_string())
    } else if !o.ship_phone.trim().is_empty() {
        ("sms", o.ship_phone.trim().to_string())
    } else {
        return Ok(None);
    };
    let (subject, lead) = match kind {
        Kind::Approved => (
            format!("Your request #{} is accepted", t.id),
            "We accepted your after-sales request and are working on it.",
        ),
        Kind::Rejected => (
            format!("Your request #{} was not accepted", t.id),
            "We cannot accept your after-sales request:",
        ),
        Kind::Resolved => (
            format!("Your request #{} is resolved", t.id),
            "Your after-sales request is resolved:",
        ),
    };
    let body = format!(
        "Dear {},\n\n{lead}\n{}\n\nOrder {}:{} — {}\n",
        o.customer_name,
        detail.trim(),
        o.channel,
        o.external_id,
        t.subject
    );
    Ok(Some(add_notice(
        tx,
        &NewNotice {
            entity: "ticket",
            entity_id: t.id,
            recipient: &recipient,
            channel,
            subject: &subject,
            body: &body,
            at,
        },
    )?))
}

//! Opening a ticket on an order (`ticket open --order CHANNEL:EXT ...`):
//! the kind, the reason code from the taxonomy, the return window, the
//! first status-log entry, the due times, and its audit row.

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::limits;
use crate::domain::ticket::{self as rules, TicketKind, TicketStatus};
use crate::domain::ticket_warranty::{Covered, Verdict, repair_verdict};
use crate::ops::{Session, Stamp, audit};
use crate::store::tickets::{self as db, NewTicket};
use crate::{Error, Result, clock, store};

/// What `ticket open` was given, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTicketArgs {
    /// The order: numeric id or CHANNEL:EXTERNAL_ID.
    pub order: String,
    pub kind: String,
    pub reason: String,
    pub subject: String,
    pub body: Option<String>,
}

fn text(what: &str, v: &str, max: usize, multi_line: bool) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(Error::input(format!("--{what} is required")));
    }
    let n = v.chars().count();
    if n > max {
        return Err(Error::input(format!(
            "--{what}: too long ({n} characters, at most {max})"
        )));
    }
    if v.chars().any(|c| limits::is_forbidden(c, multi_line)) {
        return Err(Error::input(format!(
            "--{what}: control characters are not allowed"
        )));
    }
    Ok(v.to_string())
}

pub fn open(s: &mut Session, a: &NewTicketArgs) -> Result<(i64, String)> {
    let now = s.now()?;
    open_at(s, a, now)
}

/// Opens the ticket (one transaction with its log entry and audit row);
/// returns its number and a line for people.
pub fn open_at(s: &mut Session, a: &NewTicketArgs, now: DateTime<Utc>) -> Result<(i64, String)> {
    s.require(Permission::ManageTickets)?;
    let kind: TicketKind = a
        .kind
        .parse()
        .map_err(|e: crate::domain::Refusal| Error::input(format!("--kind: {e}")))?;
    let subject = text("subject", &a.subject, limits::LINE_CHARS, false)?;
    let body = match a.body.as_deref().filter(|b| !b.trim().is_empty()) {
        Some(b) => text("body", b, limits::PARAGRAPH_CHARS, true)?,
        None => String::new(),
    };
    let reason = a.reason.trim().to_ascii_lowercase();
    let at = clock::stamp(now);
    let actor = s.actor.login.clone();
    let settings = s.settings.clone();
    let dispute_days = db::dispute_response_days(&s.conn)?;
    let tx = store::write_tx(&mut s.conn)?;
    if !db::reason_exists(&tx, &reason)? {
        let codes: Vec<String> = db::reasons(&tx)?
            .into_iter()
            .filter(|(_, p, _)| p.is_some())
            .map(|(c, _, _)| c)
            .collect();
        return Err(Error::input(format!(
            "--reason: {reason:?} is not a reason code (one of: {})",
            codes.join(", ")
        )));
    }
    let order_id = crate::ops::orders::resolve(&tx, &a.order)?;
    let o = db::order_facts(&tx, order_id)?.ok_or_else(|| Error::not_found("order", order_id))?;
    let quality = rules::is_quality_reason(&reason);
    let delivered = o.delivered_at.as_deref().map(clock::parse_stamp).transpose()?;
    let tz = super::calendar(&tx, &settings)?.tz;
    if let Some(why) =
        rules::return_window_blocker(kind, quality, delivered, settings.return_window_days, now, tz)
    {
        return Err(Error::refused(format!(
            "cannot open a {} on order {}:{}: {why}",
            kind.label(),
            o.channel,
            o.external_id
        )));
    }
    let products: Vec<Covered> = db::order_warranties(&tx, order_id)?
        .into_iter()
        .map(|(name, months)| Covered { name, months })
        .collect();
    let unchecked = match repair_verdict(kind, delivered, &products, now, tz) {
        Verdict::Accepted => String::new(),
        Verdict::Unchecked(names) => format!(
            "; warranty not checked: no warranty months recorded for {}",
            names.join(", ")
        ),
        Verdict::Refused(why) => {
            return Err(Error::refused(format!(
                "cannot open a repair on order {}:{}: {why}",
                o.channel, o.external_id
            )));
        }
    };
    let cal = super::calendar(&tx, &settings)?;
    let respond_due =
        (kind == TicketKind::Dispute).then(|| clock::stamp(cal.add_business_days(now, dispute_days)));
    let id = db::insert(
        &tx,
        &NewTicket {
            channel: None,
            external_id: None,
            order_id,
            customer_id: o.customer_id,
            merchant_id: o.merchant_id,
            kind: kind.as_str(),
            status: TicketStatus::New.as_str(),
            subject: &subject,
            description: &body,
            reason: Some(&reason),
            quality_issue: quality,
            opened_at: &at,
            audit_due_at: Some(&clock::stamp(
                cal.add_business_days(now, settings.ticket_audit_sla_days),
            )),
            resolve_due_at: Some(&clock::stamp(
                cal.add_business_days(now, settings.ticket_resolve_sla_days),
            )),
            respond_due_at: respond_due.as_deref(),
            at: &at,
        },
    )?;
    db::log_status(&tx, id, &at, TicketStatus::New.as_str(), &actor)?;
    let t = db::get(&tx, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &at,
        },
        "ticket",
        id,
        "open",
        None::<&db::Ticket>,
        Some(&t),
    )?;
    tx.commit()?;
    let due = t
        .audit_due_at
        .as_deref()
        .and_then(|d| clock::parse_stamp(d).ok())
        .map(|d| crate::domain::calendar::shop_minute(d, cal.tz))
        .unwrap_or_default();
    let respond = respond_due
        .as_deref()
        .and_then(|d| clock::parse_stamp(d).ok())
        .map(|d| {
            format!(
                ", merchant's response due {}",
                crate::domain::calendar::shop_minute(d, cal.tz)
            )
        })
        .unwrap_or_default();
    Ok((
        id,
        format!(
            "ticket #{id} ({}) opened on order {}:{}; audit due {due}{respond}{unchecked}",
            kind.label(),
            o.channel,
            o.external_id
        ),
    ))
}

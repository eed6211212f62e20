//! Everything `ticket show` prints (and the TUI's timeline reads): the row,
//! who holds it, the order with the customer's phone and address masked
//! for roles that may not see them (unless revealed in this session), the
//! conversation, the status log with the SLA clock and its paused spans,
//! the refunds on the order and the notices.

use chrono::{DateTime, Utc};

use crate::domain::pii::PiiMask;
use crate::domain::ticket_sla::Sla;
use crate::ops::Session;
use crate::store::merchants::Notice;
use crate::store::orders::Refund;
use crate::store::tickets::{self as db, LogEntry, Message, Ticket};
use crate::{Error, Result, clock};

#[derive(Debug, Clone, serde::Serialize)]
pub struct TicketView {
    pub ticket: Ticket,
    pub status_label: &'static str,
    pub assignee: Option<String>,
    pub order: Option<OrderView>,
    pub messages: Vec<Message>,
    pub log: Vec<LogEntry>,
    pub sla: SlaView,
    pub refunds: Vec<Refund>,
    pub notices: Vec<Notice>,
    /// Phone and address are shown as stored (the role sees them, or they
    /// were revealed in this session).
    pub pii_shown: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OrderView {
    pub id: i64,
    pub key: String,
    pub status: String,
    pub paid_minor: i64,
    pub refunded_minor: i64,
    pub customer: String,
    pub phone: String,
    pub address: String,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SlaView {
    pub audit_due_at: String,
    pub audited_at: Option<String>,
    pub audit_late: bool,
    pub resolve_due_at: Option<String>,
    pub resolved_at: Option<String>,
    pub resolve_late: bool,
    pub paused: bool,
    pub paused_spans: Vec<(String, Option<String>)>,
    pub used_business_secs: i64,
    pub budget_business_secs: i64,
    pub first_response_at: Option<String>,
}

fn sla_view(c: &Sla, t: &Ticket, now: DateTime<Utc>) -> SlaView {
    SlaView {
        audit_due_at: clock::stamp(c.audit_due),
        audited_at: c.audited_at.map(clock::stamp),
        audit_late: c.audit_late(now),
        resolve_due_at: c.resolve_due.map(clock::stamp),
        resolved_at: c.resolved_at.map(clock::stamp),
        resolve_late: c.resolve_late(),
        paused: c.is_paused(),
        paused_spans: c
            .paused
            .iter()
            .map(|(a, b)| (clock::stamp(*a), b.map(clock::stamp)))
            .collect(),
        used_business_secs: c.used_secs,
        budget_business_secs: c.budget_secs,
        first_response_at: t.first_response_at.clone(),
    }
}

pub fn detail(s: &Session, id: i64) -> Result<TicketView> {
    detail_at(s, id, s.now()?)
}

pub fn detail_at(s: &Session, id: i64, now: DateTime<Utc>) -> Result<TicketView> {
    let conn = &s.conn;
    let t = db::get(conn, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
    let status = super::status_of(&t)?;
    let mask = if super::is_revealed(id) {
        PiiMask::NONE
    } else {
        PiiMask::for_role(s.role())
    };
    let (order, refunds) = match t.order_id {
        Some(oid) => match db::order_facts(conn, oid)? {
            Some(o) => (
                Some(OrderView {
                    id: o.id,
                    key: format!("{}:{}", o.channel, o.external_id),
                    status: o.status.clone(),
                    paid_minor: if o.paid_at.is_some() { o.paid_minor } else { 0 },
                    refunded_minor: db::refunded_on_order(conn, oid)?,
                    customer: o.customer_name.clone(),
                    phone: mask.phone(&o.ship_phone),
                    address: format!("{} {}", o.ship_city, mask.address(&o.ship_address)),
                    delivered_at: o.delivered_at.clone(),
                }),
                crate::store::orders::refunds(conn, oid)?,
            ),
            None => (None, Vec::new()),
        },
        None => (None, Vec::new()),
    };
    let c = super::sla(conn, &s.settings, &t, now)?;
    // A notice's recipient is the customer's email or phone: masked alike.
    let notices = db::notices_of(conn, id)?
        .into_iter()
        .map(|mut n| {
            let field = if n.channel == "email" {
                crate::domain::pii::PiiField::Email
            } else {
                crate::domain::pii::PiiField::Phone
            };
            n.recipient = mask.show(field, &n.recipient);
            n
        })
        .collect();
    let messages = db::messages(conn, id)?;
    let mut sla = sla_view(&c, &t, now);
    if sla.first_response_at.is_none() {
        // Tickets from before the column (the demo, imports): the first public staff reply.
        sla.first_response_at = messages
            .iter()
            .find(|m| m.author_kind == "staff" && !m.internal)
            .map(|m| m.created_at.clone());
    }
    Ok(TicketView {
        status_label: status.label(),
        assignee: match t.assignee_id {
            Some(a) => db::login_of(conn, a)?,
            None => None,
        },
        order,
        messages,
        log: db::log(conn, id)?,
        sla,
        refunds,
        notices,
        pii_shown: !mask.is_on(),
        ticket: t,
    })
}

/// What the TUI's ticket detail adds to the list's row: the SLA clock and
/// the status log (paused spans), and the columns of schema 6. Read on the
/// TUI's reader thread (no session: the settings come from the file).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub ticket: Ticket,
    pub sla: SlaView,
    pub log: Vec<LogEntry>,
}

pub fn read_timeline(conn: &rusqlite::Connection, id: i64, now: DateTime<Utc>) -> Result<Option<Timeline>> {
    let Some(t) = db::get(conn, id)? else {
        return Ok(None);
    };
    let settings = crate::store::settings::load(conn)?;
    let c = super::sla(conn, &settings, &t, now)?;
    let mut sla = sla_view(&c, &t, now);
    if sla.first_response_at.is_none() {
        sla.first_response_at = db::messages(conn, id)?
            .into_iter()
            .find(|m| m.author_kind == "staff" && !m.internal)
            .map(|m| m.created_at);
    }
    Ok(Some(Timeline {
        log: db::log(conn, id)?,
        sla,
        ticket: t,
    }))
}

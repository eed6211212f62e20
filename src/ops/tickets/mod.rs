//! After-sales tickets (SPEC §4.4, issue 13): every verb is one transaction
//! through `workflow::run` (role, `BEGIN IMMEDIATE`, the version shown, the
//! change, the versioned save of the ticket row, its audit row, commit).
//! Child rows (the status log, messages, refunds, stock movements,
//! notices) are written in the same transaction and named in the audit
//! image under `change`.

pub mod autoclose;
mod detail;
mod flow;
mod money;
mod notices;
mod open;
pub mod verbs;
mod work;

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::calendar::BusinessCalendar;
use crate::domain::ticket::{TicketKind, TicketStatus};
use crate::domain::ticket_sla::{self, Sla};
use crate::domain::{Refusal, Role};
use crate::store::settings::Settings;
use crate::store::tickets::{self as db, Ticket};
use crate::{Error, Result, clock, store};

pub use detail::{TicketView, Timeline, detail, detail_at, read_timeline};
pub use open::{NewTicketArgs, open, open_at};
pub use work::{delete_macro, escalate_overdue_responses, set_macro};

crate::ops::workflow::impl_record!(Ticket, "ticket", "tickets", crate::store::tickets);

/// "ticket #12 (return)": how messages name a ticket.
pub fn label(t: &Ticket) -> String {
    format!("ticket #{} ({})", t.id, t.kind.replace('_', " "))
}

/// A ticket id from "12" or "#12".
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let k = key.trim();
    let id = k
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| Error::input(format!("{k:?} is not a ticket number (e.g. 12 or #12)")))?;
    if db::exists(conn, id)? {
        Ok(id)
    } else {
        Err(Error::not_found("ticket", id))
    }
}

pub(crate) fn status_of(t: &Ticket) -> Result<TicketStatus> {
    t.status
        .parse()
        .map_err(|e| Error::Db(format!("{}: {e}", label(t))))
}

pub(crate) fn kind_of(t: &Ticket) -> Result<TicketKind> {
    t.kind
        .parse()
        .map_err(|e| Error::Db(format!("{}: {e}", label(t))))
}

/// "ticket #12 (return): cannot {verb}: {why}".
pub(crate) fn blocked(t: &Ticket, verb: &str, why: impl Into<String>) -> Error {
    Error::Refused(Refusal::Blocked {
        verb: verb.replace('_', " "),
        thing: "ticket".into(),
        subject: Some(label(t)),
        blockers: vec![why.into()],
    })
}

/// The open states (everything a person still works on).
pub(crate) fn open_states() -> Vec<String> {
    TicketStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.to_string())
        .collect()
}

/// Refuses `verb` on a ticket that is closed or rejected (final).
pub(crate) fn require_not_final(t: &Ticket, verb: &str) -> Result<TicketStatus> {
    let status = status_of(t)?;
    if status.is_final() {
        return Err(Error::Refused(Refusal::WrongState {
            verb: verb.replace('_', " "),
            thing: "ticket".into(),
            subject: Some(label(t)),
            from: status.to_string(),
            needs: TicketStatus::ALL
                .iter()
                .filter(|s| !s.is_final())
                .map(|s| s.to_string())
                .collect(),
        }));
    }
    Ok(status)
}

/// The shop's one business calendar (the merchant review's), read inside
/// the caller's transaction.
pub(crate) fn calendar(conn: &Connection, s: &Settings) -> Result<BusinessCalendar> {
    Ok(BusinessCalendar::new(
        &s.timezone,
        &s.business_days,
        &s.business_start,
        &s.business_end,
        store::settings::holidays(conn)?,
    )?)
}

/// The status log as the SLA clock reads it. A ticket made before the log
/// existed (the demo, an import) gets one from its stored milestones.
pub(crate) fn parsed_log(conn: &Connection, t: &Ticket) -> Result<Vec<(DateTime<Utc>, TicketStatus)>> {
    let entries = db::log(conn, t.id)?;
    let mut out = Vec::with_capacity(entries.len() + 2);
    if entries.is_empty() {
        out.push((clock::parse_stamp(&t.opened_at)?, TicketStatus::New));
        let status = status_of(t)?;
        if let Some(a) = &t.approved_at {
            out.push((clock::parse_stamp(a)?, TicketStatus::Approved));
        }
        if matches!(status, TicketStatus::Resolved | TicketStatus::Closed)
            && let Some(r) = &t.resolved_at
        {
            out.push((clock::parse_stamp(r)?, TicketStatus::Resolved));
        }
        let since = match status {
            TicketStatus::WaitingCustomer => t.paused_since.as_deref(),
            TicketStatus::Resolved => t.resolved_at.as_deref(),
            TicketStatus::Closed => t.closed_at.as_deref().or(t.resolved_at.as_deref()),
            _ => None,
        };
        if status != TicketStatus::New && !(status == TicketStatus::Resolved && t.resolved_at.is_some()) {
            let at = match since {
                Some(s) => clock::parse_stamp(s)?,
                None => out
                    .last()
                    .map(|(t, _)| *t)
                    .unwrap_or(clock::parse_stamp(&t.opened_at)?),
            };
            out.push((at, status));
        }
        return Ok(out);
    }
    for e in entries {
        let s: TicketStatus = e
            .status
            .parse()
            .map_err(|err| Error::Db(format!("{}: status log: {err}", label(t))))?;
        out.push((clock::parse_stamp(&e.at)?, s));
    }
    Ok(out)
}

/// The SLA clock of `t` at `now`.
pub(crate) fn sla(conn: &Connection, s: &Settings, t: &Ticket, now: DateTime<Utc>) -> Result<Sla> {
    let cal = calendar(conn, s)?;
    let log = parsed_log(conn, t)?;
    Ok(ticket_sla::clock(
        &cal,
        clock::parse_stamp(&t.opened_at)?,
        &log,
        s.ticket_audit_sla_days,
        s.ticket_resolve_sla_days,
        now,
    ))
}

/// Records the status `after` entered in the log and refreshes the stored
/// due times the list sorts by (the clock itself is always recomputed).
pub(crate) fn entered(
    conn: &Connection,
    s: &Settings,
    before: &Ticket,
    after: &mut Ticket,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = clock::stamp(now);
    if db::log(conn, after.id)?.is_empty() {
        // Keep the history the clock had before the first logged change.
        for (t, st) in parsed_log(conn, before)? {
            db::log_status(conn, after.id, &clock::stamp(t), st.as_str(), "system")?;
        }
    }
    db::log_status(conn, after.id, &at, &after.status, actor)?;
    let c = sla(conn, s, after, now)?;
    after.audit_due_at = Some(clock::stamp(c.audit_due));
    after.resolve_due_at = c.resolve_due.map(clock::stamp);
    after.paused_since = match c.paused.last() {
        Some((since, None)) => Some(clock::stamp(*since)),
        _ => None,
    };
    let paused: i64 = c
        .paused
        .iter()
        .filter_map(|(a, b)| b.map(|b| (b - *a).num_seconds()))
        .sum();
    after.paused_secs = paused.max(0);
    Ok(())
}

/// The largest refund `role` may issue alone; `None` for no limit (owner).
pub(crate) fn refund_limit(role: Role, s: &Settings) -> Option<i64> {
    match role {
        Role::Owner => None,
        Role::Operator => Some(s.refund_limit_operator_minor),
        Role::Support => Some(s.refund_limit_support_minor),
        Role::Viewer => Some(0),
    }
}

/// Tickets whose customer phone and address were revealed in this process
/// (a session): the TUI shows them unmasked until it exits.
static REVEALED: Mutex<Option<HashSet<i64>>> = Mutex::new(None);

pub fn is_revealed(ticket: i64) -> bool {
    REVEALED
        .lock()
        .map(|g| g.as_ref().is_some_and(|s| s.contains(&ticket)))
        .unwrap_or(false)
}

fn mark_revealed(ticket: i64) {
    if let Ok(mut g) = REVEALED.lock() {
        g.get_or_insert_with(HashSet::new).insert(ticket);
    }
}

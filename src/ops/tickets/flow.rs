//! The state-machine verbs: approve, reject, start, wait_customer,
//! wait_merchant, resume, escalate, reopen, close (resolve is in `money`).

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::domain::ticket::{self as rules, TicketAction};
use crate::ops::Session;
use crate::ops::workflow::{self, Applied, Step};
use crate::store::tickets::Ticket;
use crate::{Error, Result, clock};

use super::notices::{self, Kind};
use super::{entered, label, status_of};

/// Applies one state-machine action (one transaction).
pub(super) fn act_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    action: &TicketAction,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let name = action.name();
    workflow::run(
        s,
        Permission::ManageTickets,
        name,
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| apply(st, action, before, after),
    )
}

/// The transition itself, for this verb and the ones built on it.
pub(super) fn transition(
    st: &mut Step<'_, '_>,
    action: &TicketAction,
    before: &Ticket,
    after: &mut Ticket,
) -> Result<()> {
    let from = status_of(before)?;
    let to = rules::next(from, action).map_err(|r| Error::Refused(r.about(label(before))))?;
    after.status = to.as_str().to_string();
    entered(st.tx, st.settings, before, after, st.who.actor, st.now)
}

fn apply(
    st: &mut Step<'_, '_>,
    action: &TicketAction,
    before: &Ticket,
    after: &mut Ticket,
) -> Result<Applied> {
    use TicketAction as A;
    let lbl = label(before);
    if let A::Reopen = action {
        let resolved = before
            .resolved_at
            .as_deref()
            .map(clock::parse_stamp)
            .transpose()?;
        let tz = super::calendar(st.tx, st.settings)?.tz;
        if let Some(why) = rules::reopen_blocker(resolved, st.settings.reopen_window_days, st.now, tz) {
            return Err(super::blocked(before, "reopen", why));
        }
    }
    transition(st, action, before, after)?;
    let at = st.who.at.to_string();
    let tz = super::calendar(st.tx, st.settings)?.tz;
    let minute = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| clock::parse_stamp(d).ok())
            .map(|d| crate::domain::calendar::shop_minute(d, tz))
    };
    let mut change = serde_json::Map::new();
    let message = match action {
        A::Approve => {
            after.approved_at = Some(at.clone());
            if let Some(n) = notices::customer(st.tx, after, Kind::Approved, "", &at)? {
                change.insert("notice".into(), n.into());
            }
            let due = minute(&after.resolve_due_at).unwrap_or_default();
            format!("{lbl}: approved; resolution due {due}")
        }
        A::Reject { reason } => {
            after.reject_reason = Some(reason.trim().to_string());
            if let Some(n) = notices::customer(st.tx, after, Kind::Rejected, reason, &at)? {
                change.insert("notice".into(), n.into());
            }
            format!("{lbl}: rejected ({})", reason.trim())
        }
        A::Start => format!("{lbl}: in progress"),
        A::WaitCustomer => format!("{lbl}: waiting for the customer; the SLA clock is stopped"),
        A::WaitMerchant => format!("{lbl}: waiting for the merchant"),
        A::Resume => {
            let due = minute(&after.resolve_due_at).unwrap_or_default();
            format!("{lbl}: in progress again; resolution due {due}")
        }
        A::Escalate => format!("{lbl}: escalated"),
        A::Reopen => {
            after.resolved_at = None;
            after.closed_at = None;
            format!("{lbl}: reopened")
        }
        A::Close => {
            after.closed_at = Some(at.clone());
            format!("{lbl}: closed")
        }
        A::Resolve(_) => {
            return Err(Error::input(format!(
                "{lbl}: resolve goes through `ticket resolve`"
            )));
        }
    };
    if !change.is_empty() {
        after.change = Some(serde_json::Value::Object(change));
    }
    Ok(Applied::saved(message))
}

//! The verbs beside the state machine: claim and assign, public replies,
//! internal notes and canned replies, satisfaction, the merchant's dispute
//! response, revealing a customer's phone and address (audited), and the
//! scheduled effect of a missed dispute response.

use chrono::{DateTime, Utc};

use crate::domain::money::Money;
use crate::domain::ticket::{self as rules, TicketAction, TicketKind, TicketStatus};
use crate::domain::{Permission, Role};
use crate::ops::workflow::{self, Applied};
use crate::ops::{Session, Stamp, audit};
use crate::store::tickets::{self as db, Ticket};
use crate::{Error, Result, clock, store};

use super::{blocked, kind_of, label, require_not_final};

/// Takes an unassigned ticket. Two people claiming at once: the second's
/// transaction sees the first's claim and is told who holds it.
pub(super) fn claim_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let me = s.actor.id;
    workflow::run(
        s,
        Permission::ManageTickets,
        "claim",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            require_not_final(before, "claim")?;
            match before.assignee_id {
                Some(a) if a == me => Ok(Applied::unchanged(format!("{}: already yours", label(before)))),
                Some(a) => {
                    let who = db::login_of(st.tx, a)?.unwrap_or_else(|| format!("staff {a}"));
                    Err(blocked(
                        before,
                        "claim",
                        format!(
                            "{who} already holds it (ask them, or `ticket assign {} --to LOGIN`)",
                            before.id
                        ),
                    ))
                }
                None => {
                    after.assignee_id = Some(me);
                    Ok(Applied::saved(format!(
                        "{}: claimed by {}",
                        label(before),
                        st.who.actor
                    )))
                }
            }
        },
    )
}

/// Gives the ticket to `login` (assign and reassign).
pub(super) fn assign_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    login: &str,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    workflow::run(
        s,
        Permission::ManageTickets,
        "assign",
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            require_not_final(before, "assign")?;
            let (staff, role, active) = db::staff_by_login(st.tx, login)?
                .ok_or_else(|| Error::input(format!("--to: {login:?} is not staff of this shop")))?;
            let role: Role = role.parse().map_err(Error::Refused)?;
            if !active || !role.may(Permission::ManageTickets) {
                return Err(blocked(
                    before,
                    "assign",
                    format!(
                        "{login} cannot work on tickets ({role}{})",
                        if active { "" } else { ", disabled" }
                    ),
                ));
            }
            let was = match before.assignee_id {
                Some(a) => db::login_of(st.tx, a)?,
                None => None,
            };
            if before.assignee_id == Some(staff) {
                return Ok(Applied::unchanged(format!(
                    "{}: already held by {login}",
                    label(before)
                )));
            }
            after.assignee_id = Some(staff);
            Ok(Applied::saved(match was {
                Some(w) => format!("{}: reassigned from {w} to {login}", label(before)),
                None => format!("{}: assigned to {login}", label(before)),
            }))
        },
    )
}

/// A message on the ticket: a public reply (`internal` false; the first
/// one records the first response time), an internal note, or the
/// merchant's words (`author_kind` "merchant").
pub(super) fn message_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    verb: &'static str,
    body: &str,
    internal: bool,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let body = body.trim().to_string();
    workflow::run(
        s,
        Permission::ManageTickets,
        verb,
        id,
        shown,
        now,
        |st, before: &Ticket, after: &mut Ticket| {
            require_not_final(before, verb)?;
            if body.is_empty() {
                return Err(Error::input(format!(
                    "{}: an empty message is not sent",
                    label(before)
                )));
            }
            let at = st.who.at.to_string();
            let author_kind = if verb == "respond" { "merchant" } else { "staff" };
            if verb == "respond" {
                if kind_of(before)? != TicketKind::Dispute {
                    return Err(blocked(
                        before,
                        "respond",
                        "only a dispute has a merchant's response",
                    ));
                }
                after.responded_at = Some(at.clone());
            }
            let m = db::add_message(st.tx, before.id, st.who.actor, author_kind, internal, &body, &at)?;
            if !internal && verb != "respond" && before.first_response_at.is_none() {
                after.first_response_at = Some(at.clone());
            }
            after.change = Some(serde_json::json!({"message": m, "internal": internal}));
            let what = match (verb, internal) {
                ("respond", _) => "the merchant's response recorded",
                (_, true) => "internal note added (the customer does not see it)",
                _ => "reply sent to the customer",
            };
            Ok(Applied::saved(format!("{}: {what}", label(before))))
        },
    )
}

/// The text of macro `name` filled for ticket `id`.
pub(super) fn macro_text(s: &Session, id: i64, name: &str, now: DateTime<Utc>) -> Result<String> {
    let m = db::macro_by_name(&s.conn, name.trim())?.ok_or_else(|| {
        let known: Vec<String> = db::macros(&s.conn)
            .map(|v| v.into_iter().map(|m| m.name).collect())
            .unwrap_or_default();
        Error::input(format!(
            "no canned reply named {name:?} (known: {})",
            if known.is_empty() {
                "none yet".to_string()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let t = db::get(&s.conn, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
    let facts = match t.order_id {
        Some(o) => db::order_facts(&s.conn, o)?,
        None => None,
    };
    let sla = super::sla(&s.conn, &s.settings, &t, now)?;
    let tz = super::calendar(&s.conn, &s.settings)?.tz;
    let due = sla
        .resolve_due
        .map(|d| crate::domain::calendar::shop_minute(d, tz))
        .unwrap_or_else(|| "when you reply".to_string());
    let customer = facts
        .as_ref()
        .map(|f| f.customer_name.clone())
        .unwrap_or_default();
    let order = facts
        .as_ref()
        .map(|f| format!("{}:{}", f.channel, f.external_id))
        .unwrap_or_default();
    let refund = Money(t.refund_minor.max(t.pending_refund_minor.unwrap_or(0))).format(&s.settings.currency);
    let ticket = format!("#{}", t.id);
    Ok(rules::fill_macro(
        &m.body,
        &[
            ("customer", &customer),
            ("order", &order),
            ("due", &due),
            ("refund", &refund),
            ("ticket", &ticket),
        ],
    ))
}

/// Records the four satisfaction scores (1–5) after resolution.
pub(super) fn csat_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    scores: [i64; 4],
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    workflow::run(
        s,
        Permission::ManageTickets,
        "csat",
        id,
        shown,
        now,
        |_st, before: &Ticket, after: &mut Ticket| {
            let status = super::status_of(before)?;
            let named = [
                ("attitude", scores[0]),
                ("speed", scores[1]),
                ("resolution", scores[2]),
                ("overall", scores[3]),
            ];
            if let Some(why) = rules::csat_blocker(status, &named) {
                return Err(blocked(before, "csat", why));
            }
            after.sat_attitude = Some(scores[0]);
            after.sat_speed = Some(scores[1]);
            after.sat_resolution = Some(scores[2]);
            after.sat_overall = Some(scores[3]);
            Ok(Applied::saved(format!(
                "{}: satisfaction recorded (attitude {}, speed {}, resolution {}, overall {})",
                label(before),
                scores[0],
                scores[1],
                scores[2],
                scores[3]
            )))
        },
    )
}

/// Shows the customer's phone and address of ticket `id` to a role that
/// sees them masked, for a reason; one audit row (`reveal`), the ticket
/// unchanged. The reveal lasts for this ticket in this process.
pub(super) fn reveal_at(
    s: &mut Session,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(Ticket, String)> {
    s.require(Permission::RevealPii)?;
    let reason = reason.trim().to_string();
    let at = clock::stamp(now);
    let actor = s.actor.login.clone();
    let tx = store::write_tx(&mut s.conn)?;
    let t = db::get(&tx, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
    if reason.is_empty() {
        return Err(Error::input(format!("{}: a reveal needs a reason", label(&t))));
    }
    let facts = match t.order_id {
        Some(o) => db::order_facts(&tx, o)?,
        None => None,
    }
    .ok_or_else(|| blocked(&t, "reveal", "the ticket has no order with a customer"))?;
    let mut image = t.clone();
    image.change = Some(serde_json::json!({"revealed": ["phone", "address"], "reason": reason}));
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &at,
        },
        "ticket",
        id,
        "reveal",
        Some(&t),
        Some(&image),
    )?;
    tx.commit()?;
    super::mark_revealed(id);
    Ok((
        t.clone(),
        format!(
            "{}: {} phone {}, address {} {} (revealed to {actor}, audited)",
            label(&t),
            facts.customer_name,
            facts.ship_phone,
            facts.ship_city,
            facts.ship_address
        ),
    ))
}

/// Adds or replaces a canned reply (owner: it is a shop setting).
pub fn set_macro(s: &mut Session, name: &str, body: &str) -> Result<i64> {
    s.require(Permission::ManageSettings)?;
    let (name, body) = (name.trim(), body.trim());
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return Err(Error::input(format!("{name:?}: a macro name is one word")));
    }
    if body.is_empty() {
        return Err(Error::input(format!("macro {name}: the body is empty")));
    }
    let at = clock::stamp(s.now()?);
    let actor = s.actor.login.clone();
    let tx = store::write_tx(&mut s.conn)?;
    let before = db::macro_by_name(&tx, name)?;
    let id = db::set_macro(&tx, name, body)?;
    let after = db::macro_by_name(&tx, name)?;
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &at,
        },
        "settings",
        1,
        "macro_set",
        before.as_ref(),
        after.as_ref(),
    )?;
    tx.commit()?;
    Ok(id)
}

pub fn delete_macro(s: &mut Session, name: &str) -> Result<()> {
    s.require(Permission::ManageSettings)?;
    let at = clock::stamp(s.now()?);
    let actor = s.actor.login.clone();
    let tx = store::write_tx(&mut s.conn)?;
    let before = db::macro_by_name(&tx, name.trim())?
        .ok_or_else(|| Error::input(format!("no canned reply named {name:?}")))?;
    db::delete_macro(&tx, &before.name)?;
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &at,
        },
        "settings",
        1,
        "macro_delete",
        Some(&before),
        None,
    )?;
    tx.commit()?;
    Ok(())
}

/// The scheduled effect (SPEC §4.7): a dispute whose merchant did not
/// respond by the deadline is escalated by `system`; applying it twice
/// changes nothing. One line per ticket for `shopdesk tick`.
pub fn escalate_overdue_responses(s: &mut Session, now: DateTime<Utc>) -> Result<Vec<String>> {
    let at = clock::stamp(now);
    let who = Stamp {
        actor: crate::ops::merchants::SYSTEM,
        at: &at,
    };
    let settings = s.settings.clone();
    let mut tx = store::write_tx(&mut s.conn)?;
    let mut done = Vec::new();
    for id in db::due_responses(&tx, &at)? {
        let before = db::get(&tx, id)?.ok_or_else(|| Error::not_found("ticket", id))?;
        let from: TicketStatus = super::status_of(&before)?;
        if rules::next(from, &TicketAction::Escalate).is_err() {
            continue;
        }
        let mut after = before.clone();
        after.status = TicketStatus::Escalated.as_str().to_string();
        super::entered(&tx, &settings, &before, &mut after, who.actor, now)?;
        after.change =
            Some(serde_json::json!({"cause": "merchant response overdue", "due": before.respond_due_at}));
        let step_tx: &mut rusqlite::Transaction<'_> = &mut tx;
        workflow::save(step_tx, who, "escalate", &before, &mut after)?;
        done.push(format!(
            "{}: escalated, the merchant's response was due {}",
            label(&before),
            before.respond_due_at.as_deref().unwrap_or("")
        ));
    }
    tx.commit()?;
    Ok(done)
}

/// Sets the priority (low, normal, high, urgent).
pub(super) fn priority_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    priority: &str,
    now: DateTime<Utc>,
) -> Result<(Ticket, Applied)> {
    let p: crate::domain::ticket::Priority = priority
        .parse()
        .map_err(|e: crate::domain::Refusal| Error::input(format!("PRIORITY: {e}")))?;
    workflow::run(
        s,
        Permission::ManageTickets,
        "priority",
        id,
        shown,
        now,
        |_st, before: &Ticket, after: &mut Ticket| {
            require_not_final(before, "priority")?;
            if before.priority == p.as_str() {
                return Ok(Applied::unchanged(format!("{}: already {p}", label(before))));
            }
            after.priority = p.as_str().to_string();
            Ok(Applied::saved(format!("{}: priority {p}", label(before))))
        },
    )
}

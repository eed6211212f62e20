//! `shopdesk ticket <action> TICKET [options]`: every ticket verb from the
//! table (SPEC §4.4, §6), plus `open --order`, `show [--json]`, the
//! support queues, canned replies, the reason taxonomy and the report by
//! reason and satisfaction. Results to stdout; refusals to stderr, exit 1
//! (bad usage or input 2).

use std::path::Path;

use chrono::{Duration, NaiveDate};
use clap::Subcommand;

use crate::domain::money::Money;
use crate::ops::Session;
use crate::ops::tickets::{self, NewTicketArgs, TicketView};
use crate::ops::verbs::Entity;
use crate::store::lists::tickets::TicketQueue;
use crate::{Error, Result, clock, store};

use super::verbs::{self, VerbArgs};

#[derive(Debug)]
pub enum TicketCmd {
    Verb(VerbArgs),
    Other(TicketExtra),
}

/// The ticket subcommands that are not verbs on one ticket.
#[derive(Debug, Subcommand)]
pub enum TicketExtra {
    /// Open a ticket on an order (the order by numeric id or CHANNEL:EXTERNAL_ID).
    Open {
        #[arg(long, value_name = "ORDER")]
        order: String,
        /// return, exchange, repair, refund_only, complaint, dispute, logistics, inquiry
        #[arg(long)]
        kind: String,
        /// A reason code of the taxonomy (`ticket reasons`), e.g. quality.damaged
        #[arg(long)]
        reason: String,
        #[arg(long)]
        subject: String,
        /// The customer's description (a dispute: the buyer's claim).
        #[arg(long)]
        body: Option<String>,
    },
    /// Show a ticket: order, conversation, status log, SLA clock, refunds, notices.
    Show {
        ticket: String,
        /// The stable JSON object (docs/tickets.md).
        #[arg(long)]
        json: bool,
    },
    /// A support queue, soonest due first: me, unassigned, overdue, waiting, escalated, owner.
    Queue {
        #[arg(value_parser = parse_queue)]
        name: TicketQueue,
        #[arg(long, default_value_t = 40)]
        limit: usize,
    },
    /// Canned replies (macros): list, set NAME --body T (owner), delete NAME (owner).
    Macros {
        #[command(subcommand)]
        action: MacrosCmd,
    },
    /// The reason taxonomy (two levels).
    Reasons,
    /// Tickets by reason and satisfaction per agent for a period (opened in [from, to)).
    Report {
        /// First shop-local day (YYYY-MM-DD); default 30 days before --to.
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// First shop-local day NOT included; default tomorrow.
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MacrosCmd {
    List,
    Set {
        name: String,
        #[arg(long)]
        body: String,
    },
    Delete {
        name: String,
    },
}

fn parse_queue(s: &str) -> std::result::Result<TicketQueue, String> {
    TicketQueue::parse(s).ok_or_else(|| {
        let all: Vec<&str> = TicketQueue::ALL.iter().map(|q| q.as_str()).collect();
        format!("{s:?} is not a queue: {}", all.join(", "))
    })
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date like 2026-11-01"))
}

verbs::verb_subcommand!(TicketCmd, TicketExtra, Entity::Ticket);

pub fn run(path: &Path, cmd: TicketCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    match cmd {
        TicketCmd::Verb(v) => verbs::run(&mut s, v),
        TicketCmd::Other(TicketExtra::Open {
            order,
            kind,
            reason,
            subject,
            body,
        }) => {
            let (_, msg) = tickets::open(
                &mut s,
                &NewTicketArgs {
                    order,
                    kind,
                    reason,
                    subject,
                    body,
                },
            )?;
            outln!("{msg}");
            Ok(())
        }
        TicketCmd::Other(TicketExtra::Show { ticket, json }) => {
            let id = tickets::resolve(&s.conn, &ticket)?;
            let d = tickets::detail(&s, id)?;
            if json {
                super::out_json(&d)?;
            } else {
                let mut text = show_text(&d, &s.settings.timezone, &s.settings.currency);
                // Newest 50, oldest first; a ticket's images hold no
                // personal data (ids, never a phone or address).
                let tz: chrono_tz::Tz = s.settings.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
                text.push_str(&super::history_text(
                    &crate::ops::history::of(&s.conn, "ticket", id, 50)?,
                    &tz,
                    &s.settings.currency,
                ));
                super::out(&super::safe(&text));
            }
            Ok(())
        }
        TicketCmd::Other(TicketExtra::Queue { name, limit }) => {
            let now = clock::stamp(s.now()?);
            let (rows, n) =
                store::lists::tickets::queue(&s.conn, name, s.actor.id, &now, limit.clamp(1, 10_000))?;
            outln!("{}: {n} ticket(s)", name.label());
            for r in rows {
                let due = match r.status {
                    crate::domain::ticket::TicketStatus::New => r.audit_due_at.as_deref(),
                    _ => r.resolve_due_at.as_deref(),
                };
                let due = match due.map(clock::parse_stamp).transpose()? {
                    Some(d) => crate::domain::calendar::format_due(s.now()?, d),
                    None => "paused".to_string(),
                };
                outln!(
                    "#{:<7} {:<11} {:<17} {:<10} {:<16} {}",
                    r.id,
                    r.kind,
                    r.status.label(),
                    r.assignee.as_deref().unwrap_or("-"),
                    due,
                    r.subject
                );
            }
            Ok(())
        }
        TicketCmd::Other(TicketExtra::Macros { action }) => match action {
            MacrosCmd::List => {
                for m in store::tickets::macros(&s.conn)? {
                    outln!("{}\n    {}", m.name, m.body.replace('\n', "\n    "));
                }
                Ok(())
            }
            MacrosCmd::Set { name, body } => {
                tickets::set_macro(&mut s, &name, &body)?;
                outln!("canned reply {name} saved");
                Ok(())
            }
            MacrosCmd::Delete { name } => {
                tickets::delete_macro(&mut s, &name)?;
                outln!("canned reply {name} deleted");
                Ok(())
            }
        },
        TicketCmd::Other(TicketExtra::Reasons) => {
            for (code, parent, label) in store::tickets::reasons(&s.conn)? {
                let indent = if parent.is_some() { "  " } else { "" };
                outln!("{indent}{code:<30} {label}");
            }
            Ok(())
        }
        TicketCmd::Other(TicketExtra::Report { from, to, json }) => report(&s, from, to, json),
    }
}

fn report(s: &Session, from: Option<NaiveDate>, to: Option<NaiveDate>, json: bool) -> Result<()> {
    let cal = s.calendar()?;
    let today = cal.local_date(s.now()?);
    let to = to.unwrap_or(today + Duration::days(1));
    let from = from.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(Error::input(format!("--from {from} is not before --to {to}")));
    }
    let (a, _) = cal.local_day_bounds(from);
    let (b, _) = cal.local_day_bounds(to);
    let (a, b) = (clock::stamp(a), clock::stamp(b));
    let reasons = store::tickets::by_reason(&s.conn, &a, &b)?;
    let csat = store::tickets::csat(&s.conn, &a, &b)?;
    let round = |x: Option<f64>| x.map(|v| (v * 100.0).round() / 100.0);
    if json {
        let v = serde_json::json!({
            "period": {"from": from.to_string(), "to": to.to_string()},
            "tickets_by_reason": reasons.iter().map(|(r, n)| serde_json::json!({"reason": r, "count": n})).collect::<Vec<_>>(),
            "csat": csat.iter().map(|(login, n, avg)| serde_json::json!({
                "agent": login, "scored": n, "attitude": round(avg[0]), "speed": round(avg[1]),
                "resolution": round(avg[2]), "overall": round(avg[3]),
            })).collect::<Vec<_>>(),
        });
        super::out_json(&v)?;
        return Ok(());
    }
    outln!("tickets opened {from} to {to} (exclusive), by reason");
    for (r, n) in &reasons {
        outln!(
            "  {} {n}",
            super::col(if r.is_empty() { "(none)" } else { r }, 30)
        );
    }
    outln!("satisfaction (attitude / speed / resolution / overall)");
    let f = |x: Option<f64>| round(x).map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
    for (login, n, avg) in &csat {
        let who = match login {
            None => "overall".to_string(),
            Some(l) if l.is_empty() => "(unassigned)".to_string(),
            Some(l) => l.clone(),
        };
        outln!(
            "  {who:<20} {} / {} / {} / {}  ({n} scored)",
            f(avg[0]),
            f(avg[1]),
            f(avg[2]),
            f(avg[3])
        );
    }
    Ok(())
}

fn hours(secs: i64) -> String {
    format!("{}h {:02}m", secs / 3600, secs % 3600 / 60)
}

/// The human `ticket show`.
pub fn show_text(d: &TicketView, timezone: &str, currency: &str) -> String {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let t = &d.ticket;
    let money = |n: i64| Money(n).format(currency);
    let mut out = format!(
        "ticket #{} {}  {}  {}  priority {}\n{}\n",
        t.id,
        t.kind,
        d.status_label,
        d.assignee
            .as_deref()
            .map(|a| format!("held by {a}"))
            .unwrap_or("unassigned".into()),
        t.priority,
        t.subject
    );
    out.push_str(&format!(
        "reason {}{}\n",
        t.reason.as_deref().unwrap_or("-"),
        if t.quality_issue { " (quality problem)" } else { "" }
    ));
    if !t.description.is_empty() {
        out.push_str(&format!("  {}\n", t.description.replace('\n', "\n  ")));
    }
    if let Some(o) = &d.order {
        out.push_str(&format!(
            "order {} ({})  paid {}  refunded {}\ncustomer {}  phone {}  address {}{}\n",
            o.key,
            o.status,
            money(o.paid_minor),
            money(o.refunded_minor),
            o.customer,
            o.phone,
            o.address,
            if d.pii_shown {
                ""
            } else {
                "  (masked; `ticket reveal` shows them, audited)"
            }
        ));
    }
    let sl = &d.sla;
    out.push_str(&format!(
        "SLA audit due {}{}  resolution due {}{}  used {} of {}  first response {}\n",
        super::local(Some(&sl.audit_due_at), &tz),
        if sl.audit_late { " (LATE)" } else { "" },
        if sl.paused {
            "paused (waiting for the customer)".to_string()
        } else {
            super::local(sl.resolve_due_at.as_deref(), &tz)
        },
        if sl.resolve_late { " (LATE)" } else { "" },
        hours(sl.used_business_secs),
        hours(sl.budget_business_secs),
        super::local(sl.first_response_at.as_deref(), &tz)
    ));
    for (a, b) in &sl.paused_spans {
        out.push_str(&format!(
            "  paused {} – {}\n",
            super::local(Some(a), &tz),
            b.as_deref()
                .map(|b| super::local(Some(b), &tz))
                .unwrap_or("now".into())
        ));
    }
    if let Some(r) = &t.resolution {
        out.push_str(&format!(
            "resolution {r}  refunded on this ticket {}{}{}\n",
            money(t.refund_minor),
            if t.restock { "  restocked" } else { "" },
            t.return_shipping
                .as_deref()
                .map(|p| format!("  return shipping: {p}"))
                .unwrap_or_default()
        ));
    }
    if let Some(p) = t.pending_refund_minor {
        out.push_str(&format!(
            "refund of {} awaits an owner (requested by {})\n",
            money(p),
            t.pending_by.as_deref().unwrap_or("-")
        ));
    }
    if t.kind == "dispute" {
        out.push_str(&format!(
            "dispute: merchant's response due {}  responded {}  ruling payer {}  merchant's share {}\n",
            super::local(t.respond_due_at.as_deref(), &tz),
            super::local(t.responded_at.as_deref(), &tz),
            t.ruling_payer.as_deref().unwrap_or("-"),
            money(t.merchant_share_minor)
        ));
    }
    if let Some(o) = t.sat_overall {
        out.push_str(&format!(
            "satisfaction attitude {} speed {} resolution {} overall {o}\n",
            t.sat_attitude.unwrap_or(0),
            t.sat_speed.unwrap_or(0),
            t.sat_resolution.unwrap_or(0)
        ));
    }
    out.push_str("timeline\n");
    for e in &d.log {
        out.push_str(&format!(
            "  {}  {:<17} {}\n",
            super::local(Some(&e.at), &tz),
            e.status,
            e.actor
        ));
    }
    out.push_str("conversation\n");
    for m in &d.messages {
        let what = if m.internal {
            "INTERNAL NOTE"
        } else if m.author_kind == "staff" {
            "reply"
        } else {
            &m.author_kind
        };
        out.push_str(&format!(
            "  {} {} [{what}]\n    {}\n",
            super::local(Some(&m.created_at), &tz),
            m.author,
            m.body.replace('\n', "\n    ")
        ));
    }
    for r in &d.refunds {
        out.push_str(&format!(
            "refund {} {} {} ({})\n",
            super::local(Some(&r.created_at), &tz),
            money(r.amount_minor),
            r.reason,
            r.actor
        ));
    }
    for n in &d.notices {
        out.push_str(&format!(
            "notice {} to {} via {}: {}\n",
            n.id, n.recipient, n.channel, n.subject
        ));
    }
    out
}

//! `import reviews`, `import traffic` and `import tickets` (SPEC §7, issue
//! 13 item 12): the same all-or-nothing rules and `file:line: column:
//! problem` errors as the other imports. Reviews and tickets find their
//! order by channel and external id and name the ones missing; a ticket's
//! refund never exceeds what is left on its order (earlier rows of the
//! file included).

use std::collections::HashMap;

use rusqlite::Connection;

use super::{Audit, Changed, Ctx, Outcome};
use crate::domain::money::Money;
use crate::domain::ticket::{TicketKind, TicketStatus, is_quality_reason};
use crate::io::csv_in::{CsvIn, Problem};
use crate::io::import_after_sales::{self as rows, TicketIn};
use crate::store::tickets::{self as db, NewTicket, import as st};
use crate::{Result, clock, store};

fn order_of(tx: &Connection, channel: &str, ext: &str) -> Result<Option<i64>> {
    store::orders::id_by_external(tx, channel, ext)
}

fn missing(line: u64, channel: &str, ext: &str) -> Problem {
    Problem::new(
        line,
        "external_id",
        format!("no order {channel}:{ext} in shopdesk"),
    )
}

/// One audit row for a whole file of rows that are not audited entities.
fn summary(tx: &Connection, ctx: &Ctx<'_>, kind: &str, out: &mut Outcome) -> Result<()> {
    let mut audit = Audit::start(tx, ctx)?;
    let s = serde_json::json!({
        "kind": kind, "file": ctx.name, "rows": out.report.rows, "new": out.report.new,
        "present": out.report.present, "changed": out.report.changed.len(),
    });
    audit.created(tx, "import", 0, &s)?;
    audit.finish(tx)?;
    out.report.audit_rows += audit.rows;
    Ok(())
}

pub(super) fn reviews(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let mut csv = CsvIn::open(ctx.file, rows::REVIEW_COLUMNS, ctx.opts.read)?;
    let mut good = Vec::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        match rows::review(&row, ctx.tz(), ctx.now) {
            Err(ps) => out.reject(row.line, &ps),
            Ok(r) => match order_of(tx, &r.channel, &r.external_id)? {
                None => out.reject(r.line, &[missing(r.line, &r.channel, &r.external_id)]),
                Some(o) => good.push((o, r)),
            },
        }
    }
    out.report.records = good.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    for (order, r) in &good {
        let at = clock::stamp(r.created_at);
        match st::review_exists(tx, *order, &at)? {
            Some(score) if score == r.score => out.report.present += 1,
            Some(score) => out.report.changed.push(Changed {
                label: format!("{}:{} review {at}", r.channel, r.external_id),
                fields: vec![("score".into(), r.score.to_string(), score.to_string())],
            }),
            None => {
                st::insert_review(tx, *order, r.score, &r.comment, &at)?;
                out.report.new += 1;
            }
        }
    }
    summary(tx, ctx, "reviews", out)
}

pub(super) fn traffic(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let mut csv = CsvIn::open(ctx.file, rows::TRAFFIC_COLUMNS, ctx.opts.read)?;
    let mut good = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        match rows::traffic(&row) {
            Err(ps) => out.reject(row.line, &ps),
            Ok(t) => {
                let key = (t.date.to_string(), t.channel.clone());
                match seen.get(&key) {
                    Some(first) => out.reject(
                        t.line,
                        &[Problem::new(
                            t.line,
                            "date",
                            format!("{} {} appears again (first on line {first})", key.0, key.1),
                        )],
                    ),
                    None => {
                        seen.insert(key, t.line);
                        good.push(t);
                    }
                }
            }
        }
    }
    out.report.records = good.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    for t in &good {
        let date = t.date.to_string();
        match st::traffic(tx, &date, &t.channel)? {
            Some(v) if v == t.visits => out.report.present += 1,
            Some(v) => out.report.changed.push(Changed {
                label: format!("{date} {}", t.channel),
                fields: vec![("visits".into(), t.visits.to_string(), v.to_string())],
            }),
            None => {
                st::insert_traffic(tx, &date, &t.channel, t.visits)?;
                out.report.new += 1;
            }
        }
    }
    summary(tx, ctx, "traffic", out)
}

/// A ticket row found its order; what is left to refund on it is checked
/// against the rows before it.
struct Found {
    order: i64,
    t: TicketIn,
}

pub(super) fn tickets(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let mut csv = CsvIn::open(ctx.file, rows::TICKET_COLUMNS, ctx.opts.read)?;
    let mut good: Vec<Found> = Vec::new();
    let mut left: HashMap<i64, i64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        let t = match rows::ticket(&row, ctx.tz()) {
            Err(ps) => {
                out.reject(row.line, &ps);
                continue;
            }
            Ok(t) => t,
        };
        let Some(order) = order_of(tx, &t.channel, &t.external_id)? else {
            out.reject(t.line, &[missing(t.line, &t.channel, &t.external_id)]);
            continue;
        };
        if let Some(r) = &t.reason
            && !db::reason_exists(tx, r)?
        {
            out.reject(
                t.line,
                &[Problem::new(
                    t.line,
                    "reason",
                    format!("{r:?} is not a reason code (see `ticket reasons`)"),
                )],
            );
            continue;
        }
        // Already imported: present, whatever is left on the order now.
        let present = st::ticket_by_key(tx, order, t.kind.as_str(), &clock::stamp(t.opened_at))?.is_some();
        if t.refund > 0 && !present {
            let remaining = match left.get(&order) {
                Some(v) => *v,
                None => {
                    let f = db::order_facts(tx, order)?;
                    let paid = f.filter(|f| f.paid_at.is_some()).map_or(0, |f| f.paid_minor);
                    paid - db::refunded_on_order(tx, order)?
                }
            };
            if t.refund > remaining {
                out.reject(
                    t.line,
                    &[Problem::new(
                        t.line,
                        "refund",
                        format!(
                            "{} is more than the {} left to refund on order {}:{}",
                            Money(t.refund),
                            Money(remaining.max(0)),
                            t.channel,
                            t.external_id
                        ),
                    )],
                );
                continue;
            }
            left.insert(order, remaining - t.refund);
        }
        good.push(Found { order, t });
    }
    out.report.records = good.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    let mut audit = Audit::start(tx, ctx)?;
    let days = |n: i64, from| clock::stamp(ctx.calendar.add_business_days(from, n));
    for Found { order, t } in &good {
        let opened = clock::stamp(t.opened_at);
        if st::ticket_by_key(tx, *order, t.kind.as_str(), &opened)?.is_some() {
            out.report.present += 1;
            continue;
        }
        let Some(o) = db::order_facts(tx, *order)? else {
            continue;
        };
        let quality = t.reason.as_deref().is_some_and(is_quality_reason);
        let respond = (t.kind == TicketKind::Dispute)
            .then(|| days(db::dispute_response_days(tx).unwrap_or(2), t.opened_at));
        let id = db::insert(
            tx,
            &NewTicket {
                channel: None,
                external_id: None,
                order_id: *order,
                customer_id: o.customer_id,
                merchant_id: o.merchant_id,
                kind: t.kind.as_str(),
                status: TicketStatus::New.as_str(),
                subject: &t.subject,
                description: &t.description,
                reason: t.reason.as_deref(),
                quality_issue: quality,
                opened_at: &opened,
                audit_due_at: Some(&days(ctx.settings.ticket_audit_sla_days, t.opened_at)),
                resolve_due_at: Some(&days(ctx.settings.ticket_resolve_sla_days, t.opened_at)),
                respond_due_at: respond.as_deref(),
                at: &ctx.now_stamp,
            },
        )?;
        let resolved = t.resolved_at.map(clock::stamp);
        let done = matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed);
        st::set_imported(
            tx,
            id,
            &st::Imported {
                status: t.status.as_str(),
                resolution: t.resolution.map(|r| r.as_str()),
                refund_minor: t.refund,
                resolved_at: resolved.as_deref(),
                closed_at: (t.status == TicketStatus::Closed)
                    .then_some(resolved.as_deref())
                    .flatten(),
                approved_at: (t.status != TicketStatus::New && t.status != TicketStatus::Rejected)
                    .then_some(opened.as_str()),
                reject_reason: (t.status == TicketStatus::Rejected).then_some("rejected before import"),
                csat: t.csat,
            },
        )?;
        db::log_status(tx, id, &opened, TicketStatus::New.as_str(), &ctx.actor)?;
        if t.status != TicketStatus::New {
            let at = if done {
                resolved.clone().unwrap_or(opened.clone())
            } else {
                opened.clone()
            };
            db::log_status(tx, id, &at, t.status.as_str(), &ctx.actor)?;
        }
        if t.refund > 0 {
            db::insert_refund(
                tx,
                *order,
                id,
                t.refund,
                &format!("ticket #{id} (imported)"),
                &ctx.actor,
                &ctx.now_stamp,
            )?;
        }
        if let Some(row) = db::get(tx, id)? {
            audit.created(tx, "ticket", id, &row)?;
        }
        out.report.new += 1;
    }
    audit.finish(tx)?;
    out.report.audit_rows += audit.rows;
    Ok(())
}

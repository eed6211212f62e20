//! After-sales tickets for delivered orders, in opening order, every kind and
//! state present, with their conversations, refunds and restocked returns.

use std::collections::BTreeMap;

use super::customers;
use super::fulfil::TicketSeed;
use super::orders::{CHANNELS, MerchantStats};
use super::talk;
use super::util::{DAY, Dice, HOUR, MINUTE, ts};
use super::{Catalog, Ctx, STREAM_TICKETS};
use crate::Result;
use crate::domain::ticket::{Resolution, TicketKind, TicketStatus};
use crate::store::seed::{self, Load};

/// A ticket's milestones: opened, audited (approved or rejected), work
/// started, resolved, reopened (optional), resolved again, closed.
#[derive(Debug, Clone)]
struct Plan {
    status: TicketStatus,
    rejected: bool,
    audit: i64,
    start: i64,
    resolve: i64,
    reopen: Option<(i64, i64)>,
    close: i64,
}

impl Plan {
    /// The last resolution time.
    fn resolved(&self) -> i64 {
        self.reopen.map(|r| r.1).unwrap_or(self.resolve)
    }
}

fn natural(d: &mut Dice, s: &TicketSeed, now: i64) -> Plan {
    let opened = s.opened;
    let audit = opened
        + if d.chance(0.15) {
            d.range(9 * HOUR, 40 * HOUR)
        } else {
            d.range(20 * MINUTE, 8 * HOUR)
        };
    let rejected = d.chance(if s.kind == TicketKind::Inquiry { 0.02 } else { 0.07 });
    let start = audit + d.range(5 * MINUTE, 8 * HOUR);
    let resolve = start
        + if d.chance(0.15) {
            d.range(4 * DAY, 9 * DAY)
        } else {
            d.range(2 * HOUR, 3 * DAY)
        };
    let reopen = d.chance(0.05).then(|| {
        let at = resolve + d.range(6 * HOUR, 4 * DAY);
        (at, at + d.range(6 * HOUR, 3 * DAY))
    });
    let close = reopen.map(|r| r.1).unwrap_or(resolve) + d.range(DAY, 7 * DAY);
    let mid = mid_state(d, s.kind);
    let status = if now < audit {
        TicketStatus::New
    } else if rejected {
        TicketStatus::Rejected
    } else if now < start {
        TicketStatus::Approved
    } else if now < resolve {
        mid
    } else if let Some((at, again)) = reopen.filter(|r| now < r.1) {
        if now < at {
            TicketStatus::Resolved
        } else if now < again && d.chance(0.6) {
            TicketStatus::Reopened
        } else {
            TicketStatus::InProgress
        }
    } else if now < close {
        TicketStatus::Resolved
    } else {
        TicketStatus::Closed
    };
    let mut p = Plan {
        status,
        rejected,
        audit,
        start,
        resolve,
        reopen,
        close,
    };
    // A few are stuck: never audited, or open long past their due time.
    let age = now - opened;
    if age > 2 * DAY && !rejected && d.chance(0.012) {
        p.status = TicketStatus::New;
    } else if age > 6 * DAY && !rejected && d.chance(0.03) {
        p.status = mid;
    }
    p
}

fn mid_state(d: &mut Dice, kind: TicketKind) -> TicketStatus {
    use TicketStatus as S;
    let w: [u32; 4] = if kind == TicketKind::Dispute {
        [20, 0, 25, 55]
    } else {
        [45, 22, 20, 13]
    };
    [
        S::InProgress,
        S::WaitingCustomer,
        S::WaitingMerchant,
        S::Escalated,
    ][d.weighted(&w)]
}

/// Makes `p` consistent with `status` (chosen to cover every state): the
/// milestones that state needs are moved into the past.
fn force(p: &mut Plan, status: TicketStatus, opened: i64, now: i64) {
    use TicketStatus as S;
    let needed = match status {
        S::New => 0,
        S::Approved | S::Rejected => 1,
        S::InProgress | S::WaitingCustomer | S::WaitingMerchant | S::Escalated => 2,
        S::Resolved => 3,
        S::Reopened => 4,
        S::Closed => 5,
    };
    p.status = status;
    p.rejected = status == S::Rejected;
    if status == S::Reopened && p.reopen.is_none() {
        p.reopen = Some((p.resolve + HOUR, p.resolve + 2 * HOUR));
    }
    if status != S::Reopened && !matches!(status, S::Resolved | S::Closed) {
        p.reopen = None;
    }
    let mut m = [
        p.audit,
        p.start,
        p.resolve,
        p.reopen.map(|r| r.0).unwrap_or(p.resolve),
        p.close,
    ];
    if needed > 0 && m[needed - 1] > now {
        let span = (now - opened).max(needed as i64);
        for (k, x) in m.iter_mut().enumerate().take(needed) {
            *x = opened + span * (k as i64 + 1) / (needed as i64 + 1);
        }
    }
    p.audit = m[0];
    p.start = m[1];
    p.resolve = m[2];
    if let Some(r) = p.reopen.as_mut() {
        r.0 = m[3].max(p.resolve);
        r.1 = if status == S::Reopened {
            r.1.max(now + HOUR)
        } else {
            r.1.max(r.0).min(now)
        };
    }
    p.close = if status == S::Closed {
        m[4].max(p.resolved()).min(now)
    } else {
        p.close.max(now + HOUR)
    };
    // A resolved ticket is still inside its 7-day reopen window (else the
    // scheduled effect would close it the first time the demo is opened).
    if status == S::Resolved && p.resolved() < now - 2 * DAY && p.start < now - 2 * DAY {
        p.reopen = None;
        p.resolve = now - 2 * DAY;
    }
}

/// Each status and kind at least once: open states on the newest tickets,
/// final ones on the oldest.
fn cover(seeds: &mut [TicketSeed], plans: &mut [Plan], now: i64) {
    let n = plans.len();
    let mut touched = vec![false; n];
    let mut counts: BTreeMap<TicketStatus, usize> = BTreeMap::new();
    for p in plans.iter() {
        *counts.entry(p.status).or_default() += 1;
    }
    let set = |plans: &mut [Plan], counts: &mut BTreeMap<TicketStatus, usize>, i: usize, s: TicketStatus| {
        if let Some(c) = counts.get_mut(&plans[i].status) {
            *c = c.saturating_sub(1);
        }
        *counts.entry(s).or_default() += 1;
        force(&mut plans[i], s, seeds[i].opened, now);
    };
    for s in TicketStatus::ALL {
        if counts.get(&s).copied().unwrap_or(0) > 0 {
            continue;
        }
        let final_state = matches!(
            s,
            TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Rejected
        );
        let order: Box<dyn Iterator<Item = usize>> = if final_state {
            Box::new(0..n)
        } else {
            Box::new((0..n).rev())
        };
        // Take from a state that has plenty.
        let pick = order
            .into_iter()
            .find(|i| !touched[*i] && counts.get(&plans[*i].status).copied().unwrap_or(0) >= 2);
        if let Some(i) = pick {
            touched[i] = true;
            set(plans, &mut counts, i, s);
        }
    }
    // Something overdue to show: a ticket never audited, one open for weeks.
    for (status, min_age) in [(TicketStatus::New, 3 * DAY), (TicketStatus::InProgress, 12 * DAY)] {
        let old = |i: usize| now - seeds[i].opened >= min_age;
        if (0..n).any(|i| plans[i].status == status && old(i)) {
            continue;
        }
        if let Some(i) = (0..n)
            .rev()
            .find(|i| !touched[*i] && old(*i) && plans[*i].status == TicketStatus::Closed)
        {
            touched[i] = true;
            set(plans, &mut counts, i, status);
        }
    }
    let mut kinds: BTreeMap<TicketKind, usize> = BTreeMap::new();
    for s in seeds.iter() {
        *kinds.entry(s.kind).or_default() += 1;
    }
    for k in TicketKind::ALL {
        if kinds.get(&k).copied().unwrap_or(0) > 0 {
            continue;
        }
        let fits = |s: &TicketSeed| k != TicketKind::Return || s.opened - s.delivered < 6 * DAY;
        let pick = (0..n).find(|i| fits(&seeds[*i]) && kinds.get(&seeds[*i].kind).copied().unwrap_or(0) >= 2);
        if let Some(i) = pick {
            if let Some(c) = kinds.get_mut(&seeds[i].kind) {
                *c -= 1;
            }
            *kinds.entry(k).or_default() += 1;
            seeds[i].kind = k;
        }
    }
}

fn resolution(d: &mut Dice, kind: TicketKind) -> Resolution {
    use Resolution as R;
    match kind {
        TicketKind::Return => [R::Refund, R::NoAction][d.weighted(&[90, 10])],
        TicketKind::Exchange => R::Replace,
        TicketKind::Repair => [R::Repair, R::Replace][d.weighted(&[70, 30])],
        TicketKind::RefundOnly => R::Refund,
        TicketKind::Complaint => [R::Compensation, R::NoAction][d.weighted(&[50, 50])],
        TicketKind::Dispute => [R::Refund, R::NoAction, R::Compensation][d.weighted(&[50, 30, 20])],
        TicketKind::Logistics => [R::Compensation, R::NoAction, R::Refund][d.weighted(&[40, 40, 20])],
        TicketKind::Inquiry => R::NoAction,
    }
}

pub fn generate(
    l: &Load<'_>,
    ctx: &Ctx<'_>,
    cat: &mut Catalog,
    mut seeds: Vec<TicketSeed>,
    stats: &mut [MerchantStats],
) -> Result<usize> {
    let now = ctx.now;
    let mut d = Dice::new(ctx.seed, STREAM_TICKETS);
    seeds.sort_by_key(|s| (s.opened, s.order_id));
    let mut plans: Vec<Plan> = seeds.iter().map(|s| natural(&mut d, s, now)).collect();
    cover(&mut seeds, &mut plans, now);
    let settings = ctx.settings;
    for (i, (s, p)) in seeds.iter().zip(&plans).enumerate() {
        use TicketStatus as S;
        let id = i as i64 + 1;
        let st = p.status;
        let (subject, description, reason) = d.pick(talk::openers(s.kind));
        let priority = match s.kind {
            TicketKind::Dispute | TicketKind::Complaint => {
                ["high", "urgent", "normal"][d.weighted(&[60, 20, 20])]
            }
            TicketKind::Inquiry => ["low", "normal"][d.weighted(&[60, 40])],
            TicketKind::Logistics => "normal",
            _ => ["normal", "high", "low"][d.weighted(&[70, 20, 10])],
        };
        let quality = match s.kind {
            TicketKind::Repair | TicketKind::Exchange => d.chance(0.7),
            TicketKind::Return => d.chance(0.2),
            TicketKind::Complaint | TicketKind::Dispute => d.chance(0.3),
            _ => false,
        };
        let approved = !matches!(st, S::New | S::Rejected);
        let (staff_id, staff_login) =
            if approved && (st == S::Escalated || s.kind == TicketKind::Dispute) && d.chance(0.5) {
                (ctx.staff.operator_id, ctx.staff.operator.clone())
            } else {
                let k = d.below(ctx.staff.support.len());
                ctx.staff
                    .support
                    .get(k)
                    .cloned()
                    .unwrap_or((ctx.staff.owner, ctx.owner.to_string()))
            };
        let assigned = if st == S::New {
            d.chance(0.2)
        } else {
            d.chance(0.85)
        };
        let resolved = matches!(st, S::Resolved | S::Closed | S::Reopened);
        let paused_secs = if resolved && d.chance(0.25) {
            d.range(HOUR, DAY)
        } else {
            0
        };
        let paused_since = (st == S::WaitingCustomer).then(|| d.range(p.start, now).min(now));
        let res = resolved.then(|| resolution(&mut d, s.kind));
        let mut refund = 0;
        if res == Some(Resolution::Refund) {
            refund = match s.kind {
                TicketKind::Return | TicketKind::RefundOnly if d.chance(0.7) => s.total,
                TicketKind::Dispute => s.total / 2,
                _ => (s.total as f64 * (0.1 + 0.5 * d.unit())) as i64,
            };
            refund = (refund / 10 * 10).clamp(0, s.total);
        }
        let first_resolve = if st == S::Reopened {
            p.resolve
        } else {
            p.resolved()
        };
        let restock = res == Some(Resolution::Refund) && s.kind == TicketKind::Return && d.chance(0.7);
        let sat = (matches!(st, S::Resolved | S::Closed) && d.chance(0.55)).then(|| {
            let overall = 1 + d.weighted(&[4, 6, 10, 30, 50]) as i64;
            let near = |d: &mut Dice| (overall + d.range(-1, 1)).clamp(1, 5);
            (near(&mut d), near(&mut d), near(&mut d), overall)
        });
        let reject = (st == S::Rejected).then(|| d.pick(talk::REJECTS));
        let (channel, external) = match CHANNELS.get(s.channel) {
            Some(c) if d.chance(0.6) => (Some(c.0), Some(format!("{}AS{}", c.1, 100_000_000 + id))),
            _ => (None, None),
        };
        let mut updated = s.opened;
        let mut bump = |t: i64| updated = updated.max(t.min(now));
        if st != S::New {
            bump(p.audit);
        }
        if approved && st != S::Approved {
            bump(p.start);
        }
        if resolved {
            bump(first_resolve);
        }
        if let (S::Reopened, Some(r)) = (st, p.reopen) {
            bump(r.0);
        }
        if st == S::Closed {
            bump(p.close);
        }
        if let Some(t) = paused_since {
            bump(t);
        }
        l.ticket(&seed::Ticket {
            id,
            channel,
            external_id: external.as_deref(),
            order_id: s.order_id,
            customer_id: s.customer,
            merchant_id: s.merchant as i64 + 1,
            kind: s.kind.as_str(),
            status: st.as_str(),
            priority,
            subject,
            description,
            reason: Some(reason),
            quality_issue: quality,
            assignee_id: assigned.then_some(staff_id),
            opened_at: &ts(s.opened),
            audit_due_at: &ts(ctx.sla.due(s.opened, settings.ticket_audit_sla_days)),
            approved_at: approved.then(|| ts(p.audit)).as_deref(),
            resolve_due_at: approved
                .then(|| {
                    ts(ctx
                        .sla
                        .due_paused(p.audit, settings.ticket_resolve_sla_days, paused_secs))
                })
                .as_deref(),
            paused_since: paused_since.map(ts).as_deref(),
            paused_secs,
            resolved_at: resolved.then(|| ts(first_resolve)).as_deref(),
            closed_at: (st == S::Closed).then(|| ts(p.close)).as_deref(),
            resolution: res.map(|r| r.as_str()),
            refund_minor: refund,
            restock,
            reject_reason: reject,
            satisfaction: sat,
            updated_at: &ts(updated),
        })?;
        if refund > 0 {
            l.refund(&seed::Refund {
                order_id: s.order_id,
                ticket_id: Some(id),
                amount_minor: refund,
                reason: &format!("售后退款 / after-sales refund: {subject}"),
                actor: &staff_login,
                created_at: &ts(first_resolve.min(now)),
            })?;
        }
        if restock {
            l.stock_movement(&seed::StockMovement {
                product_id: s.product as i64 + 1,
                kind: "return",
                on_hand_delta: s.qty,
                reserved_delta: 0,
                order_id: Some(s.order_id),
                ticket_id: Some(id),
                note: "退货入库 / returned to stock",
                actor: &staff_login,
                created_at: &ts(first_resolve.min(now)),
            })?;
            if let Some(prod) = cat.products.get_mut(s.product as usize) {
                prod.on_hand += s.qty;
            }
            if let Some(c) = cat.changed.get_mut(s.product as usize) {
                *c = true;
            }
        }
        if s.kind == TicketKind::Dispute
            && let Some(m) = stats.get_mut(s.merchant as usize)
        {
            m.disputes += 1;
        }
        let buyer = customers::derive(ctx.seed, s.customer, now).name;
        let merchant = cat
            .merchants
            .get(s.merchant as usize)
            .map(|m| m.name.as_str())
            .unwrap_or("");
        let res_text = res.map(|r| talk::resolved_text(r.as_str()));
        completion(l, &mut d, s, p, now)?;
        messages(
            l,
            &mut d,
            id,
            s,
            p,
            description,
            &buyer,
            &staff_login,
            merchant,
            reject,
            res_text,
            now,
        )?;
    }
    Ok(seeds.len())
}

/// An order completes only once no ticket on it is open: when this ticket
/// was open at the order's completion, the completion moves after the ticket
/// was settled, or (still open) the order is delivered, not completed.
fn completion(l: &Load<'_>, d: &mut Dice, s: &TicketSeed, p: &Plan, now: i64) -> Result<()> {
    let Some(completed) = s.completed.filter(|c| s.opened < *c) else {
        return Ok(());
    };
    let settled = match p.status {
        TicketStatus::Rejected => Some(p.audit),
        TicketStatus::Resolved | TicketStatus::Closed => Some(p.resolved()),
        _ => None,
    };
    if settled.is_some_and(|t| t <= completed) {
        return Ok(());
    }
    let moved = settled
        .map(|t| t + d.range(HOUR, DAY))
        .filter(|t| *t <= now)
        .map(ts);
    l.order_completion(s.order_id, moved.as_deref())?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn messages(
    l: &Load<'_>,
    d: &mut Dice,
    ticket_id: i64,
    s: &TicketSeed,
    p: &Plan,
    description: &str,
    buyer: &str,
    staff: &str,
    merchant: &str,
    reject: Option<&str>,
    resolved: Option<&str>,
    now: i64,
) -> Result<()> {
    use TicketStatus as S;
    let st = p.status;
    let mut list: Vec<(i64, &str, &str, bool, String)> =
        vec![(s.opened, buyer, "customer", false, description.to_string())];
    if st != S::New {
        match reject {
            Some(r) => list.push((
                p.audit,
                staff,
                "staff",
                false,
                format!("很抱歉，您的申请未通过：{r}"),
            )),
            None => list.push((p.audit, staff, "staff", false, d.pick(talk::ACK).to_string())),
        }
    }
    let working = !matches!(st, S::New | S::Rejected | S::Approved);
    if working {
        let span = (p.resolve.min(now) - p.start).max(MINUTE);
        let at = |d: &mut Dice| p.start + d.range(0, span);
        if d.chance(0.5) {
            list.push((at(d), staff, "staff", true, d.pick(talk::NOTES).to_string()));
        }
        if st == S::WaitingCustomer || d.chance(0.3) {
            list.push((
                at(d),
                staff,
                "staff",
                false,
                d.pick(talk::ASK_CUSTOMER).to_string(),
            ));
        }
        if matches!(st, S::WaitingMerchant | S::Escalated) || s.kind == TicketKind::Dispute || d.chance(0.2) {
            list.push((
                at(d),
                merchant,
                "merchant",
                false,
                d.pick(talk::MERCHANT_SAYS).to_string(),
            ));
        }
        if d.chance(0.4) {
            list.push((
                at(d),
                buyer,
                "customer",
                false,
                d.pick(talk::CUSTOMER_FOLLOW).to_string(),
            ));
        }
    }
    if let Some(text) = resolved {
        let at = if st == S::Reopened {
            p.resolve
        } else {
            p.resolved()
        };
        list.push((at, staff, "staff", false, text.to_string()));
    }
    let after_reopen = matches!(st, S::Reopened | S::Resolved | S::Closed | S::InProgress);
    if let Some((at, _)) = p.reopen
        && after_reopen
        && at <= now
    {
        list.push((at, buyer, "customer", false, d.pick(talk::REOPEN).to_string()));
    }
    if st == S::Closed {
        list.push((
            p.close,
            "system",
            "system",
            false,
            "工单已关闭 / ticket closed".to_string(),
        ));
    }
    list.sort_by_key(|m| m.0);
    for (at, author, kind, internal, body) in list {
        let author = if author.is_empty() { "unknown" } else { author };
        l.ticket_message(&seed::TicketMessage {
            ticket_id,
            author,
            author_kind: kind,
            internal,
            body: &body,
            created_at: &ts(at.min(now).max(s.opened)),
        })?;
    }
    Ok(())
}

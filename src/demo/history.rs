//! The demo's audit history: for every merchant and every order, the
//! chain of workflow steps that took it to the state the seed left it in,
//! by the demo team (the owner, `lin` the operator, `mei` and `omar` in
//! support), so detail views show who did what, when and why.
//!
//! Written last, once every record is final, as real audit rows on the
//! shop's chain. Each image holds the fields the step sets (status and its
//! reasons, carrier and tracking), before and after, and the last image of
//! each is the record as stored:
//! `shopdesk check` verifies the chain and finds every record equal to its
//! last image. Images carry no version: the seed's rows are at version 0,
//! as `check` expects of a record with no version in its image. Last come
//! the completions that were due at the demo's clock, as the scheduler
//! writes them (full images, version 1).

use super::Ctx;
use super::util::{Dice, secs_of, ts};
use crate::Result;
use crate::store::seed::{AuditText, History, Load, MerchantFacts, OrderFacts};

const STREAM_HISTORY: u64 = 8;
/// The scheduler's actor (`ops::merchants::SYSTEM`), who completes due orders.
const SYSTEM: &str = "system";
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Orders placed since this long before the demo's clock get every step
/// (picking and packing, the odd customer hold); older ones get the steps
/// that decide something (pay, approve, ship, deliver, complete, and any
/// cancel, merge or hold). Every order of the demo period gets a history.
pub fn full_window(orders: usize) -> i64 {
    // Six or seven steps for each of a million orders would be over a
    // gigabyte of audit rows and most of a minute of load: the large demo
    // keeps the routine steps to its last two weeks.
    if orders > 100_000 { 14 * DAY } else { i64::MAX / 2 }
}

/// Appends the history: every merchant's and every order's, then the
/// completions that were due. Returns the number of audit rows written.
pub fn write(l: &Load<'_>, ctx: &Ctx<'_>, full_window: i64) -> Result<u64> {
    let mut w = Writer {
        l,
        h: l.history()?,
        dice: Dice::new(ctx.seed, STREAM_HISTORY),
        owner: ctx.owner,
        now: ctx.now,
        full_since: ctx.now.saturating_sub(full_window),
        rows: 0,
        before: String::new(),
        after: String::new(),
    };
    l.each_merchant(|m| w.merchant(m))?;
    l.each_order(|o| w.order(o))?;
    w.complete_due(ctx)?;
    let rows = w.rows;
    l.finish_history(w.h)?;
    Ok(rows)
}

struct Writer<'a, 'l> {
    l: &'a Load<'l>,
    h: History,
    dice: Dice,
    owner: &'a str,
    now: i64,
    /// Orders placed before this get only the deciding steps.
    full_since: i64,
    rows: u64,
    /// The images being written, reused from row to row.
    before: String,
    after: String,
}

/// A tracked field's value in an image: JSON null, a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum V<'a> {
    Null,
    S(&'a str),
    N(i64),
}

fn opt(v: &Option<String>) -> V<'_> {
    v.as_deref().map_or(V::Null, V::S)
}

/// A record's tracked fields as the steps so far left them.
struct State<'a> {
    entity: &'static str,
    id: i64,
    /// (field, value); a handful, looked up by name.
    image: Vec<(&'static str, V<'a>)>,
    /// The last step's time: steps never go back in time.
    at: i64,
}

impl<'a> State<'a> {
    fn get(&self, k: &str) -> Option<V<'a>> {
        self.image.iter().find(|(f, _)| *f == k).map(|(_, v)| *v)
    }

    /// Sets `k`, returning what it was (null when the image lacked it).
    fn set(&mut self, k: &'static str, v: V<'a>) -> V<'a> {
        match self.image.iter_mut().find(|(f, _)| *f == k) {
            Some((_, old)) => std::mem::replace(old, v),
            None => {
                self.image.push((k, v));
                V::Null
            }
        }
    }
}

/// A JSON object of `fields` as serde_json writes a `Map` (keys in byte
/// order, no spaces), without building one: the history writes millions.
fn object(out: &mut String, fields: &mut [(&str, V<'_>)]) {
    fields.sort_by(|a, b| a.0.cmp(b.0));
    out.clear();
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, k);
        out.push(':');
        match v {
            V::Null => out.push_str("null"),
            V::S(s) => string(out, s),
            V::N(n) => {
                use std::fmt::Write;
                // Writing to a String cannot fail.
                let _ = write!(out, "{n}");
            }
        }
    }
    out.push('}');
}

/// A JSON string as serde_json escapes it; text with a quote, backslash
/// or control character goes through serde_json itself.
fn string(out: &mut String, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        match serde_json::to_string(s) {
            Ok(j) => out.push_str(&j),
            Err(_) => out.push_str("null"),
        }
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

impl<'a> Writer<'a, '_> {
    /// One step: `set` changes the image, the row records before and after.
    fn step<'s>(
        &mut self,
        s: &mut State<'s>,
        action: &str,
        actor: &str,
        at: i64,
        set: &[(&'static str, V<'s>)],
    ) -> Result<()> {
        let at = at.clamp(s.at, self.now);
        // The images name only the fields this step sets: a row stays a
        // couple of hundred bytes, and the last one still says what the
        // stored record holds for them.
        let mut before: Vec<(&str, V<'s>)> = Vec::with_capacity(set.len());
        let mut after: Vec<(&str, V<'s>)> = Vec::with_capacity(set.len());
        for (k, v) in set {
            let old = s.set(k, *v);
            before.push((k, old));
            after.push((k, *v));
        }
        object(&mut self.before, &mut before);
        object(&mut self.after, &mut after);
        self.row(s.entity, s.id, action, actor, at, true)?;
        s.at = at;
        Ok(())
    }

    /// Writes the row whose images are in `self.before` / `self.after`.
    fn row(
        &mut self,
        entity: &str,
        id: i64,
        action: &str,
        actor: &str,
        at: i64,
        with_before: bool,
    ) -> Result<()> {
        let stamp = ts(at);
        self.l.audit(
            &mut self.h,
            &AuditText {
                at: &stamp,
                actor,
                entity,
                entity_id: id,
                action,
                before_json: with_before.then_some(self.before.as_str()),
                after_json: Some(&self.after),
            },
        )?;
        self.rows += 1;
        Ok(())
    }

    /// The delivered orders whose return window has passed complete now, by
    /// `system`, as the scheduler would have done at the first command
    /// after the demo (`ops::orders::due`): written here, in the load, they
    /// cost a row update and an audit row each instead of a workflow
    /// transaction with every trigger (about 20 s for the large demo's
    /// 35,000). Same rows, same order, as the scheduler's.
    fn complete_due(&mut self, ctx: &Ctx<'_>) -> Result<()> {
        // `ops::orders::due::window_cutoff`: the latest delivery whose
        // window has closed (the demo stays clear of the workflows).
        let window = ctx.settings.return_window_days.saturating_mul(DAY);
        let cutoff = ts(self.now.saturating_sub(window));
        let at = ts(self.now);
        for id in self.l.due_completions(&cutoff)? {
            self.l.complete_order(&mut self.h, id, &at, SYSTEM)?;
            self.rows += 1;
        }
        Ok(())
    }

    fn support(&mut self) -> &'static str {
        if self.dice.chance(0.5) { "mei" } else { "omar" }
    }

    fn order(&mut self, o: &OrderFacts) -> Result<()> {
        let Some(placed) = secs_of(&o.placed_at) else {
            return Ok(());
        };
        let updated = secs_of(&o.updated_at).unwrap_or(placed);
        let rows_before = self.rows;
        let mut s = State {
            entity: "order",
            id: o.id,
            image: vec![
                ("status", V::S("pending_payment")),
                ("hold_reason", V::Null),
                ("held_from", V::Null),
                ("cancel_reason", V::Null),
                ("merged_into", V::Null),
                ("carrier", V::Null),
                ("tracking_no", V::Null),
            ],
            at: placed,
        };
        // The stages the order went through, up to where it stopped: a held
        // order stopped where it was held, a cancelled or merged one where
        // its times say.
        let stop = match o.status.as_str() {
            "on_hold" => o.held_from.as_deref().unwrap_or("paid"),
            _ => o.status.as_str(),
        };
        let paid = o.paid_at.as_deref().and_then(secs_of);
        let approved = o.approved_at.as_deref().and_then(secs_of);
        let shipped = o.shipped_at.as_deref().and_then(secs_of);
        let end = shipped.unwrap_or(updated);
        let owner = self.owner;
        let stages: [(&str, &str, Option<i64>); 5] = [
            ("paid", "pay", paid),
            ("approved", "approve", approved),
            ("picking", "pick", approved.map(|a| a + (end - a) / 3)),
            ("packed", "pack", approved.map(|a| a + (end - a) * 2 / 3)),
            ("shipped", "ship", shipped),
        ];
        let rank = |st: &str| {
            [
                "pending_payment",
                "paid",
                "approved",
                "picking",
                "packed",
                "shipped",
                "delivered",
                "completed",
            ]
            .iter()
            .position(|x| *x == st)
        };
        let reached = match stop {
            // Cancelled or merged from the last stage its times show.
            "cancelled" | "merged" => {
                if shipped.is_some() {
                    rank("shipped")
                } else if approved.is_some() {
                    rank("approved")
                } else if paid.is_some() {
                    rank("paid")
                } else {
                    rank("pending_payment")
                }
            }
            st => rank(st),
        }
        .unwrap_or(0);
        let routine = placed >= self.full_since;
        for (i, (status, action, at)) in stages.iter().enumerate() {
            if i + 1 > reached {
                break;
            }
            let Some(at) = *at else { continue };
            if !routine && matches!(*action, "pick" | "pack") {
                continue;
            }
            let who = if *action == "pay" { owner } else { "lin" };
            let mut set = vec![("status", V::S(status))];
            if *action == "ship" {
                set.push(("carrier", opt(&o.carrier)));
                set.push(("tracking_no", opt(&o.tracking_no)));
            }
            // Now and then a customer asks to wait before it leaves.
            if *action == "pick" && self.dice.chance(0.04) {
                let who = self.support();
                self.step(
                    &mut s,
                    "hold",
                    who,
                    at - 2 * HOUR,
                    &[
                        ("status", V::S("on_hold")),
                        ("hold_reason", V::S("customer_request")),
                        ("held_from", V::S("approved")),
                    ],
                )?;
                self.step(
                    &mut s,
                    "release",
                    who,
                    at - 30 * MINUTE,
                    &[
                        ("status", V::S("approved")),
                        ("hold_reason", V::Null),
                        ("held_from", V::Null),
                    ],
                )?;
            }
            self.step(&mut s, action, who, at, &set)?;
        }
        if let Some(d) = o.delivered_at.as_deref().and_then(secs_of)
            && reached >= rank("delivered").unwrap_or(usize::MAX)
        {
            self.step(&mut s, "deliver", owner, d, &[("status", V::S("delivered"))])?;
        }
        if let Some(c) = o.completed_at.as_deref().and_then(secs_of)
            && o.status == "completed"
        {
            self.step(&mut s, "complete", owner, c, &[("status", V::S("completed"))])?;
        }
        match o.status.as_str() {
            "on_hold" => {
                let who = self.support();
                self.step(
                    &mut s,
                    "hold",
                    who,
                    updated,
                    &[
                        ("status", V::S("on_hold")),
                        ("hold_reason", opt(&o.hold_reason)),
                        ("held_from", opt(&o.held_from)),
                    ],
                )?;
            }
            "cancelled" => {
                let who = self.support();
                let at = o.cancelled_at.as_deref().and_then(secs_of).unwrap_or(updated);
                self.step(
                    &mut s,
                    "cancel",
                    who,
                    at,
                    &[
                        ("status", V::S("cancelled")),
                        ("cancel_reason", opt(&o.cancel_reason)),
                    ],
                )?;
            }
            "merged" => {
                self.step(
                    &mut s,
                    "merge",
                    "lin",
                    updated,
                    &[
                        ("status", V::S("merged")),
                        ("merged_into", o.merged_into.map_or(V::Null, V::N)),
                    ],
                )?;
            }
            _ => {}
        }
        // The stored row has the last word (a field a step could not know).
        let last = [
            ("status", V::S(&o.status)),
            ("hold_reason", opt(&o.hold_reason)),
            ("held_from", opt(&o.held_from)),
            ("cancel_reason", opt(&o.cancel_reason)),
            ("merged_into", o.merged_into.map_or(V::Null, V::N)),
            ("carrier", opt(&o.carrier)),
            ("tracking_no", opt(&o.tracking_no)),
        ];
        let differs = last.iter().any(|(k, v)| s.get(k) != Some(*v));
        if differs && self.rows > rows_before {
            self.step(&mut s, "update", owner, updated, &last)?;
        }
        Ok(())
    }

    fn merchant(&mut self, m: &MerchantFacts) -> Result<()> {
        let Some(applied) = secs_of(&m.applied_at) else {
            return Ok(());
        };
        let decided = m.decided_at.as_deref().and_then(secs_of);
        let updated = secs_of(&m.updated_at).unwrap_or(applied);
        let mut s = State {
            entity: "merchant",
            id: m.id,
            image: vec![("status", V::S("submitted")), ("status_reason", V::Null)],
            at: applied,
        };
        object(&mut self.after, &mut s.image.clone());
        let owner = self.owner;
        self.row("merchant", m.id, "apply", owner, applied, false)?;
        let reason = opt(&m.status_reason);
        let review_start = applied + self.dice.range(2 * HOUR, 2 * DAY);
        let decision = decided.unwrap_or(updated);
        let reviewed = m.status != "submitted";
        if reviewed {
            self.step(
                &mut s,
                "start_review",
                "lin",
                review_start,
                &[("status", V::S("under_review"))],
            )?;
        }
        match m.status.as_str() {
            "needs_changes" => {
                self.step(
                    &mut s,
                    "request_changes",
                    "lin",
                    decision,
                    &[("status", V::S("needs_changes")), ("status_reason", reason)],
                )?;
            }
            "rejected" => {
                self.step(
                    &mut s,
                    "reject",
                    owner,
                    decision,
                    &[("status", V::S("rejected")), ("status_reason", reason)],
                )?;
            }
            "approved" | "active" | "suspended" | "terminated" => {
                self.step(
                    &mut s,
                    "approve",
                    owner,
                    decision,
                    &[("status", V::S("approved"))],
                )?;
                if m.status != "approved" {
                    let at = decision + self.dice.range(HOUR, 3 * DAY);
                    self.step(&mut s, "activate", "lin", at, &[("status", V::S("active"))])?;
                }
                if matches!(m.status.as_str(), "suspended" | "terminated") {
                    let action = if m.status == "suspended" {
                        "suspend"
                    } else {
                        "terminate"
                    };
                    self.step(
                        &mut s,
                        action,
                        owner,
                        updated,
                        &[("status", V::S(&m.status)), ("status_reason", reason)],
                    )?;
                }
            }
            _ => {}
        }
        // The stored reason has the last word (one the steps did not set).
        if s.get("status_reason") != Some(opt(&m.status_reason)) {
            self.step(
                &mut s,
                "update",
                owner,
                updated,
                &[("status_reason", opt(&m.status_reason))],
            )?;
        }
        if s.get("status") != Some(V::S(&m.status)) {
            self.step(&mut s, "update", owner, updated, &[("status", V::S(&m.status))])?;
        }
        Ok(())
    }
}

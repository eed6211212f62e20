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
//! as `check` expects of a record with no version in its image.

use serde_json::{Map, Value as Json, json};

use super::Ctx;
use super::util::{Dice, ts};
use crate::Result;
use crate::store::audit::{Chain, Entry};
use crate::store::seed::{Load, MerchantFacts, OrderFacts};

const STREAM_HISTORY: u64 = 8;
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

/// Appends the history: every merchant's and every order's. Returns the
/// number of audit rows written.
pub fn write(l: &Load<'_>, ctx: &Ctx<'_>, full_window: i64) -> Result<u64> {
    let mut w = Writer {
        l,
        chain: l.audit_chain()?,
        dice: Dice::new(ctx.seed, STREAM_HISTORY),
        owner: ctx.owner,
        now: ctx.now,
        full_since: ctx.now.saturating_sub(full_window),
        rows: 0,
    };
    l.each_merchant(|m| w.merchant(m))?;
    l.each_order(|o| w.order(o))?;
    Ok(w.rows)
}

struct Writer<'a, 'l> {
    l: &'a Load<'l>,
    chain: Chain,
    dice: Dice,
    owner: &'a str,
    now: i64,
    /// Orders placed before this get only the deciding steps.
    full_since: i64,
    rows: u64,
}

/// A record's tracked fields as the steps so far left them.
struct State {
    entity: &'static str,
    id: i64,
    image: Map<String, Json>,
    /// The last step's time: steps never go back in time.
    at: i64,
}

fn secs(stamp: &str) -> Option<i64> {
    crate::clock::parse_stamp(stamp).ok().map(|t| t.timestamp())
}

fn opt(v: &Option<String>) -> Json {
    v.as_ref().map_or(Json::Null, |s| json!(s))
}

impl Writer<'_, '_> {
    /// One step: `set` changes the image, the row records before and after.
    fn step(
        &mut self,
        s: &mut State,
        action: &str,
        actor: &str,
        at: i64,
        set: &[(&str, Json)],
    ) -> Result<()> {
        let at = at.clamp(s.at, self.now);
        // The images name only the fields this step sets: a row stays a
        // couple of hundred bytes, and the last one still says what the
        // stored record holds for them.
        let mut before = Map::new();
        let mut after = Map::new();
        for (k, v) in set {
            let old = s.image.insert((*k).to_string(), v.clone()).unwrap_or(Json::Null);
            before.insert((*k).to_string(), old);
            after.insert((*k).to_string(), v.clone());
        }
        let stamp = ts(at);
        self.l.audit(
            &mut self.chain,
            &Entry {
                at: &stamp,
                actor,
                entity: s.entity,
                entity_id: s.id,
                action,
                before: Some(Json::Object(before)),
                after: Some(Json::Object(after)),
            },
        )?;
        s.at = at;
        self.rows += 1;
        Ok(())
    }

    fn support(&mut self) -> &'static str {
        if self.dice.chance(0.5) { "mei" } else { "omar" }
    }

    fn order(&mut self, o: &OrderFacts) -> Result<()> {
        let Some(placed) = secs(&o.placed_at) else {
            return Ok(());
        };
        let updated = secs(&o.updated_at).unwrap_or(placed);
        let rows_before = self.rows;
        let mut s = State {
            entity: "order",
            id: o.id,
            image: Map::new(),
            at: placed,
        };
        for (k, v) in [
            ("status", json!("pending_payment")),
            ("hold_reason", Json::Null),
            ("held_from", Json::Null),
            ("cancel_reason", Json::Null),
            ("merged_into", Json::Null),
            ("carrier", Json::Null),
            ("tracking_no", Json::Null),
        ] {
            s.image.insert(k.to_string(), v);
        }
        // The stages the order went through, up to where it stopped: a held
        // order stopped where it was held, a cancelled or merged one where
        // its times say.
        let stop = match o.status.as_str() {
            "on_hold" => o.held_from.clone().unwrap_or_else(|| "paid".into()),
            _ => o.status.clone(),
        };
        let paid = o.paid_at.as_deref().and_then(secs);
        let approved = o.approved_at.as_deref().and_then(secs);
        let shipped = o.shipped_at.as_deref().and_then(secs);
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
        let reached = match stop.as_str() {
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
            let mut set = vec![("status", json!(status))];
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
                        ("status", json!("on_hold")),
                        ("hold_reason", json!("customer_request")),
                        ("held_from", json!("approved")),
                    ],
                )?;
                self.step(
                    &mut s,
                    "release",
                    who,
                    at - 30 * MINUTE,
                    &[
                        ("status", json!("approved")),
                        ("hold_reason", Json::Null),
                        ("held_from", Json::Null),
                    ],
                )?;
            }
            self.step(&mut s, action, who, at, &set)?;
        }
        if let Some(d) = o.delivered_at.as_deref().and_then(secs)
            && reached >= rank("delivered").unwrap_or(usize::MAX)
        {
            self.step(&mut s, "deliver", owner, d, &[("status", json!("delivered"))])?;
        }
        if let Some(c) = o.completed_at.as_deref().and_then(secs)
            && o.status == "completed"
        {
            self.step(&mut s, "complete", owner, c, &[("status", json!("completed"))])?;
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
                        ("status", json!("on_hold")),
                        ("hold_reason", opt(&o.hold_reason)),
                        ("held_from", opt(&o.held_from)),
                    ],
                )?;
            }
            "cancelled" => {
                let who = self.support();
                let at = o.cancelled_at.as_deref().and_then(secs).unwrap_or(updated);
                self.step(
                    &mut s,
                    "cancel",
                    who,
                    at,
                    &[
                        ("status", json!("cancelled")),
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
                        ("status", json!("merged")),
                        ("merged_into", o.merged_into.map_or(Json::Null, |m| json!(m))),
                    ],
                )?;
            }
            _ => {}
        }
        // The stored row has the last word (a field a step could not know).
        let last = [
            ("status", json!(o.status)),
            ("hold_reason", opt(&o.hold_reason)),
            ("held_from", opt(&o.held_from)),
            ("cancel_reason", opt(&o.cancel_reason)),
            ("merged_into", o.merged_into.map_or(Json::Null, |m| json!(m))),
            ("carrier", opt(&o.carrier)),
            ("tracking_no", opt(&o.tracking_no)),
        ];
        let differs = last.iter().any(|(k, v)| s.image.get(*k) != Some(v));
        if differs && self.rows > rows_before {
            self.step(&mut s, "update", owner, updated, &last)?;
        }
        Ok(())
    }

    fn merchant(&mut self, m: &MerchantFacts) -> Result<()> {
        let Some(applied) = secs(&m.applied_at) else {
            return Ok(());
        };
        let decided = m.decided_at.as_deref().and_then(secs);
        let updated = secs(&m.updated_at).unwrap_or(applied);
        let mut s = State {
            entity: "merchant",
            id: m.id,
            image: Map::new(),
            at: applied,
        };
        s.image.insert("status".into(), json!("submitted"));
        s.image.insert("status_reason".into(), Json::Null);
        let stamp = ts(applied);
        self.l.audit(
            &mut self.chain,
            &Entry {
                at: &stamp,
                actor: self.owner,
                entity: "merchant",
                entity_id: m.id,
                action: "apply",
                before: None,
                after: Some(Json::Object(s.image.clone())),
            },
        )?;
        self.rows += 1;
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
                &[("status", json!("under_review"))],
            )?;
        }
        let owner = self.owner;
        match m.status.as_str() {
            "needs_changes" => {
                self.step(
                    &mut s,
                    "request_changes",
                    "lin",
                    decision,
                    &[("status", json!("needs_changes")), ("status_reason", reason)],
                )?;
            }
            "rejected" => {
                self.step(
                    &mut s,
                    "reject",
                    owner,
                    decision,
                    &[("status", json!("rejected")), ("status_reason", reason)],
                )?;
            }
            "approved" | "active" | "suspended" | "terminated" => {
                self.step(
                    &mut s,
                    "approve",
                    owner,
                    decision,
                    &[("status", json!("approved"))],
                )?;
                if m.status != "approved" {
                    let at = decision + self.dice.range(HOUR, 3 * DAY);
                    self.step(&mut s, "activate", "lin", at, &[("status", json!("active"))])?;
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
                        &[("status", json!(m.status)), ("status_reason", reason.clone())],
                    )?;
                }
            }
            _ => {}
        }
        // The stored reason has the last word (one the steps did not set).
        if s.image.get("status_reason") != Some(&opt(&m.status_reason)) {
            self.step(
                &mut s,
                "update",
                owner,
                updated,
                &[("status_reason", opt(&m.status_reason))],
            )?;
        }
        if s.image.get("status") != Some(&json!(m.status)) {
            self.step(&mut s, "update", owner, updated, &[("status", json!(m.status))])?;
        }
        Ok(())
    }
}

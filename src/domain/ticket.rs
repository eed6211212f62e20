//! After-sales tickets (SPEC 4.4): the ticket state machine, the return and
//! reopen windows, refund limits and canned-reply placeholders.

use chrono::{DateTime, TimeDelta, Utc};

use super::money::Money;
use super::{Refusal, step, text_enum};

text_enum! {
    pub enum TicketKind ("ticket kind") {
        /// 7-day no-reason return.
        Return = "return", "return";
        Exchange = "exchange", "exchange";
        Repair = "repair", "repair";
        RefundOnly = "refund_only", "refund only";
        Complaint = "complaint", "complaint";
        /// Buyer against merchant; the platform arbitrates.
        Dispute = "dispute", "dispute";
        Logistics = "logistics", "logistics";
        Inquiry = "inquiry", "inquiry";
    }
}

text_enum! {
    pub enum TicketStatus ("ticket status") {
        New = "new", "new";
        Approved = "approved", "approved";
        InProgress = "in_progress", "in progress";
        WaitingCustomer = "waiting_customer", "waiting for customer";
        WaitingMerchant = "waiting_merchant", "waiting for merchant";
        Escalated = "escalated", "escalated";
        Resolved = "resolved", "resolved";
        Reopened = "reopened", "reopened";
        Closed = "closed", "closed";
        Rejected = "rejected", "rejected";
    }
}

impl TicketStatus {
    /// Someone still has work to do: everything but resolved, closed and
    /// rejected (escalated counts as open).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Rejected
        )
    }

    pub fn is_final(self) -> bool {
        matches!(self, TicketStatus::Closed | TicketStatus::Rejected)
    }
}

text_enum! {
    pub enum Resolution ("resolution") {
        Refund = "refund", "refund";
        Replace = "replace", "replace";
        Repair = "repair", "repair";
        Compensation = "compensation", "compensation";
        NoAction = "no_action", "no action";
    }
}

text_enum! {
    pub enum Priority ("priority") {
        Low = "low", "low";
        Normal = "normal", "normal";
        High = "high", "high";
        Urgent = "urgent", "urgent";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAction {
    Approve,
    Reject {
        reason: String,
    },
    Start,
    WaitCustomer,
    WaitMerchant,
    /// Back to work from waiting for the customer or the merchant.
    Resume,
    Escalate,
    Resolve(Resolution),
    Reopen,
    Close,
}

impl TicketAction {
    /// The action's name in the audit log and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            TicketAction::Approve => "approve",
            TicketAction::Reject { .. } => "reject",
            TicketAction::Start => "start",
            TicketAction::WaitCustomer => "wait_customer",
            TicketAction::WaitMerchant => "wait_merchant",
            TicketAction::Resume => "resume",
            TicketAction::Escalate => "escalate",
            TicketAction::Resolve(_) => "resolve",
            TicketAction::Reopen => "reopen",
            TicketAction::Close => "close",
        }
    }
}

/// The transition table: every allowed (state, action) pair, nothing else.
fn transition(from: TicketStatus, action: &TicketAction) -> Option<TicketStatus> {
    use TicketAction as A;
    use TicketStatus as S;
    match (from, action) {
        (S::New, A::Approve) => Some(S::Approved),
        (S::New, A::Reject { .. }) => Some(S::Rejected),
        (S::Approved, A::Start) => Some(S::InProgress),
        (S::InProgress, A::WaitCustomer) => Some(S::WaitingCustomer),
        (S::InProgress, A::WaitMerchant) => Some(S::WaitingMerchant),
        (S::WaitingCustomer | S::WaitingMerchant, A::Resume) => Some(S::InProgress),
        (
            S::New | S::Approved | S::InProgress | S::WaitingCustomer | S::WaitingMerchant | S::Reopened,
            A::Escalate,
        ) => Some(S::Escalated),
        (S::InProgress | S::Escalated, A::Resolve(_)) => Some(S::Resolved),
        (S::Resolved, A::Reopen) => Some(S::Reopened),
        (S::Reopened, A::Start) => Some(S::InProgress),
        (S::Resolved, A::Close) => Some(S::Closed),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or a refusal naming both. The
/// reopen window and refund limits are separate checks.
pub fn next(from: TicketStatus, action: &TicketAction) -> Result<TicketStatus, Refusal> {
    let to = step(action.name(), "ticket", from, &TicketStatus::ALL, |s| {
        transition(s, action)
    })?;
    if let TicketAction::Reject { reason } = action
        && reason.trim().is_empty()
    {
        return Err(Refusal::cannot("reject", "ticket", "a reason is required"));
    }
    Ok(to)
}

/// Someone still has work to do: everything but resolved, closed and rejected
/// (escalated counts as open).
pub fn is_open(s: TicketStatus) -> bool {
    s.is_open()
}

/// The SLA clock stops while the ticket waits for the customer.
pub fn sla_paused(s: TicketStatus) -> bool {
    s == TicketStatus::WaitingCustomer
}

fn plus_days(t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    TimeDelta::try_days(days)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// People read times in the shop's zone.
fn when(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    super::calendar::shop_minute(t, tz)
}

/// Why a no-reason return or exchange is not accepted: only `return` and
/// `exchange` tickets without a quality problem are bound by the window,
/// which runs `window_days` from delivery. Other kinds go through their
/// own review.
pub fn return_window_blocker(
    kind: TicketKind,
    quality_issue: bool,
    delivered_at: Option<DateTime<Utc>>,
    window_days: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<String> {
    if !matches!(kind, TicketKind::Return | TicketKind::Exchange) || quality_issue {
        return None;
    }
    let what = kind.label();
    let Some(delivered) = delivered_at else {
        return Some(format!(
            "a no-reason {what} needs a delivered order, and this one has no delivery recorded"
        ));
    };
    let ends = plus_days(delivered, window_days);
    (now > ends).then(|| {
        format!(
            "the {window_days}-day no-reason {what} window ended {} (delivered {}); \
             a quality problem is not bound by it",
            when(ends, tz),
            when(delivered, tz)
        )
    })
}

/// Why a resolved ticket may not be reopened: only within `reopen_days` of resolution.
pub fn reopen_blocker(
    resolved_at: Option<DateTime<Utc>>,
    reopen_days: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<String> {
    let Some(resolved) = resolved_at else {
        return Some("the ticket has no resolution time recorded".to_string());
    };
    let ends = plus_days(resolved, reopen_days);
    (now > ends).then(|| {
        format!(
            "a ticket can be reopened only within {reopen_days} days of resolution (resolved {}, window ended {})",
            when(resolved, tz),
            when(ends, tz)
        )
    })
}

/// Why a refund of `amount` (minor units) may not be issued: it must be
/// positive, never more than what was paid less earlier refunds, and within
/// the role's per-refund limit (`None` = unlimited, i.e. an owner).
pub fn refund_blocker(
    amount: i64,
    paid_total: i64,
    refunded_so_far: i64,
    role_limit: Option<i64>,
) -> Option<String> {
    if amount <= 0 {
        return Some("the refund amount must be greater than 0".to_string());
    }
    let refundable = paid_total.saturating_sub(refunded_so_far).max(0);
    if amount > refundable {
        return Some(format!(
            "a refund of {} is more than the {} still refundable (paid {}, already refunded {})",
            Money(amount),
            Money(refundable),
            Money(paid_total),
            Money(refunded_so_far)
        ));
    }
    match role_limit {
        Some(limit) if amount > limit => Some(format!(
            "a refund of {} is above your limit of {}: it needs an owner's approval",
            Money(amount),
            Money(limit)
        )),
        _ => None,
    }
}

text_enum! {
    /// Who bears the return shipping of a return or exchange.
    pub enum ShippingPayer ("shipping payer") {
        Buyer = "buyer", "buyer";
        Merchant = "merchant", "merchant";
        Platform = "platform", "platform";
    }
}

text_enum! {
    /// Who pays a dispute ruling's refund.
    pub enum RulingPayer ("payer") {
        Merchant = "merchant", "merchant";
        Platform = "platform", "platform";
        /// Half each; the odd fen is the platform's.
        Split = "split", "split";
    }
}

/// The merchant's share of a ruling's refund (charged on its settlement).
pub fn merchant_share(refund: i64, payer: RulingPayer) -> i64 {
    match payer {
        RulingPayer::Merchant => refund,
        RulingPayer::Platform => 0,
        RulingPayer::Split => refund / 2,
    }
}

/// A reason code is a quality problem when it is `quality` or under it
/// (`quality.damaged`): such returns are not bound by the 7-day window.
pub fn is_quality_reason(code: &str) -> bool {
    code == "quality" || code.starts_with("quality.")
}

/// Why a satisfaction score may not be recorded: each of the four is 1–5,
/// and only once the ticket is resolved or closed.
pub fn csat_blocker(status: TicketStatus, scores: &[(&str, i64)]) -> Option<String> {
    if !matches!(status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Some(format!(
            "satisfaction is recorded after resolution, and the ticket is {}",
            status.label()
        ));
    }
    let bad: Vec<String> = scores
        .iter()
        .filter(|(_, n)| !(1..=5).contains(n))
        .map(|(name, n)| format!("{name} {n} is not 1 to 5"))
        .collect();
    (!bad.is_empty()).then(|| bad.join("; "))
}

/// Fills `{name}` placeholders from `vars`. Unknown placeholders are left as
/// written (so a typo shows up in the preview), and substituted values are not
/// scanned again.
pub fn fill_macro(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            vars.iter()
                .find(|(k, _)| *k == &after[..close])
                .map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::machine_tests::{every_pair_matches, walk_stays_in_table};
    use TicketStatus as S;
    use proptest::prelude::*;

    /// The allowed transitions, written out independently of `transition`.
    const ALLOWED: &[(TicketStatus, &str, TicketStatus)] = &[
        (S::New, "approve", S::Approved),
        (S::New, "reject", S::Rejected),
        (S::Approved, "start", S::InProgress),
        (S::InProgress, "wait_customer", S::WaitingCustomer),
        (S::InProgress, "wait_merchant", S::WaitingMerchant),
        (S::WaitingCustomer, "resume", S::InProgress),
        (S::WaitingMerchant, "resume", S::InProgress),
        (S::New, "escalate", S::Escalated),
        (S::Approved, "escalate", S::Escalated),
        (S::InProgress, "escalate", S::Escalated),
        (S::WaitingCustomer, "escalate", S::Escalated),
        (S::WaitingMerchant, "escalate", S::Escalated),
        (S::Reopened, "escalate", S::Escalated),
        (S::Escalated, "resolve", S::Resolved),
        (S::InProgress, "resolve", S::Resolved),
        (S::Resolved, "reopen", S::Reopened),
        (S::Reopened, "start", S::InProgress),
        (S::Resolved, "close", S::Closed),
    ];

    fn samples() -> Vec<TicketAction> {
        vec![
            TicketAction::Approve,
            TicketAction::Reject {
                reason: "outside policy".into(),
            },
            TicketAction::Start,
            TicketAction::WaitCustomer,
            TicketAction::WaitMerchant,
            TicketAction::Resume,
            TicketAction::Escalate,
            TicketAction::Resolve(Resolution::Refund),
            TicketAction::Reopen,
            TicketAction::Close,
        ]
    }

    #[test]
    fn every_state_and_action_matches_the_table() {
        every_pair_matches(ALLOWED, &TicketStatus::ALL, &samples(), TicketAction::name, next);
    }

    #[test]
    fn refusals_and_reasons() {
        let e = next(S::Closed, &TicketAction::Reopen).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot reopen ticket: it is closed (reopen needs resolved)"
        );
        let e = next(S::Escalated, &TicketAction::Escalate).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot escalate ticket: it is escalated (escalate needs new, approved,"),
            "{e}"
        );
        assert!(
            next(S::New, &TicketAction::Reject { reason: "".into() })
                .unwrap_err()
                .to_string()
                .contains("reason")
        );
    }

    #[test]
    fn statuses_and_flags() {
        for s in TicketStatus::ALL {
            assert_eq!(s.as_str().parse::<TicketStatus>(), Ok(s));
            assert_eq!(s.is_final(), !ALLOWED.iter().any(|(f, _, _)| *f == s));
        }
        assert_eq!("refund-only".parse::<TicketKind>(), Ok(TicketKind::RefundOnly));
        assert_eq!(Resolution::NoAction.as_str(), "no_action");
        assert!(is_open(S::Escalated) && is_open(S::Reopened) && is_open(S::New));
        assert!(!is_open(S::Resolved) && !is_open(S::Closed) && !is_open(S::Rejected));
        assert!(sla_paused(S::WaitingCustomer) && !sla_paused(S::WaitingMerchant));
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn return_and_reopen_windows() {
        let delivered = Some(t("2026-03-01T08:00:00Z"));
        let late = t("2026-03-08T08:00:01Z");
        assert_eq!(
            return_window_blocker(
                TicketKind::Return,
                false,
                delivered,
                7,
                t("2026-03-08T08:00:00Z"),
                SH
            ),
            None
        );
        let e = return_window_blocker(TicketKind::Return, false, delivered, 7, late, SH).unwrap();
        // In shop time (Shanghai, UTC+8), not UTC.
        assert!(e.contains("7-day") && e.contains("2026-03-08 16:00"), "{e}");
        assert!(!e.contains("UTC"), "{e}");
        assert_eq!(
            return_window_blocker(TicketKind::Return, true, delivered, 7, late, SH),
            None
        );
        assert_eq!(
            return_window_blocker(TicketKind::Repair, false, delivered, 7, late, SH),
            None
        );
        assert!(return_window_blocker(TicketKind::Return, false, None, 7, late, SH).is_some());
        let resolved = Some(t("2026-03-01T00:00:00Z"));
        assert_eq!(reopen_blocker(resolved, 7, t("2026-03-08T00:00:00Z"), SH), None);
        assert!(
            reopen_blocker(resolved, 7, t("2026-03-08T00:00:01Z"), SH)
                .unwrap()
                .contains("within 7 days")
        );
        assert!(reopen_blocker(None, 7, late, SH).is_some());
    }

    #[test]
    fn refunds() {
        assert_eq!(refund_blocker(5_000, 10_000, 0, Some(20_000)), None);
        assert_eq!(refund_blocker(10_000, 10_000, 0, None), None);
        let e = refund_blocker(5_000, 10_000, 7_000, None).unwrap();
        assert_eq!(
            e,
            "a refund of 50.00 is more than the 30.00 still refundable (paid 100.00, already refunded 70.00)"
        );
        let e = refund_blocker(30_000, 100_000, 0, Some(20_000)).unwrap();
        assert!(e.contains("limit of 200.00") && e.contains("owner"), "{e}");
        assert!(refund_blocker(0, 100, 0, None).is_some());
        assert!(refund_blocker(-1, 100, 0, None).is_some());
        assert!(refund_blocker(1, 100, 200, None).is_some());
    }

    #[test]
    fn macros() {
        let vars = [("customer", "王芳"), ("order", "1042"), ("x", "{order}")];
        assert_eq!(
            fill_macro("您好 {customer}，订单 {order} 已退款。", &vars),
            "您好 王芳，订单 1042 已退款。"
        );
        assert_eq!(fill_macro("{unknown} and {order}", &vars), "{unknown} and 1042");
        assert_eq!(fill_macro("{x}", &vars), "{order}");
        assert_eq!(fill_macro("{{order}} {", &vars), "{1042} {");
        assert_eq!(fill_macro("", &vars), "");
    }

    fn action_strategy() -> impl Strategy<Value = TicketAction> {
        prop_oneof![
            Just(TicketAction::Approve),
            prop_oneof![Just(String::new()), "[a-z]{1,6}"].prop_map(|reason| TicketAction::Reject { reason }),
            Just(TicketAction::Start),
            Just(TicketAction::WaitCustomer),
            Just(TicketAction::WaitMerchant),
            Just(TicketAction::Resume),
            Just(TicketAction::Escalate),
            prop::sample::select(Resolution::ALL.to_vec()).prop_map(TicketAction::Resolve),
            Just(TicketAction::Reopen),
            Just(TicketAction::Close),
        ]
    }

    proptest! {
        #[test]
        fn random_walks_stay_in_the_table(actions in prop::collection::vec(action_strategy(), 0..200)) {
            walk_stays_in_table(ALLOWED, S::New, &actions, TicketAction::name, next, S::is_final, |a| {
                !matches!(a, TicketAction::Reject { reason } if reason.trim().is_empty())
            })?;
        }

        #[test]
        fn fill_macro_never_panics(template in "\\PC{0,40}", value in "\\PC{0,8}") {
            let _ = fill_macro(&template, &[("a", &value), ("", "empty")]);
        }
    }
}

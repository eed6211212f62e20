//! Merchant onboarding (SPEC 4.1): the review state machine, required
//! documents, activation preconditions and the credit score.

use chrono::NaiveDate;

use super::{Refusal, step, text_enum};

text_enum! {
    /// Where a merchant is in onboarding and cooperation.
    pub enum MerchantStatus ("merchant status") {
        Submitted = "submitted", "submitted";
        UnderReview = "under_review", "under review";
        NeedsChanges = "needs_changes", "needs changes";
        Approved = "approved", "approved";
        Rejected = "rejected", "rejected";
        Active = "active", "active";
        Suspended = "suspended", "suspended";
        Terminated = "terminated", "terminated";
    }
}

impl MerchantStatus {
    /// Still waiting for a review decision (submitted or under review):
    /// these have a review due time.
    pub fn awaits_review(self) -> bool {
        matches!(self, MerchantStatus::Submitted | MerchantStatus::UnderReview)
    }

    /// Someone must act on the merchant (changes asked for, or suspended).
    pub fn needs_attention(self) -> bool {
        matches!(self, MerchantStatus::NeedsChanges | MerchantStatus::Suspended)
    }

    /// Rejected and terminated merchants never change again.
    pub fn is_final(self) -> bool {
        matches!(self, MerchantStatus::Rejected | MerchantStatus::Terminated)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MerchantAction {
    StartReview,
    RequestChanges { note: String },
    Resubmit,
    Approve,
    Reject { reason: String },
    Activate,
    Suspend { reason: String },
    Reinstate,
    Terminate { reason: String },
}

impl MerchantAction {
    /// The action's name in the audit log and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            MerchantAction::StartReview => "start_review",
            MerchantAction::RequestChanges { .. } => "request_changes",
            MerchantAction::Resubmit => "resubmit",
            MerchantAction::Approve => "approve",
            MerchantAction::Reject { .. } => "reject",
            MerchantAction::Activate => "activate",
            MerchantAction::Suspend { .. } => "suspend",
            MerchantAction::Reinstate => "reinstate",
            MerchantAction::Terminate { .. } => "terminate",
        }
    }

    /// The note or reason this action must carry, if any.
    fn required_text(&self) -> Option<&str> {
        match self {
            MerchantAction::RequestChanges { note } => Some(note),
            MerchantAction::Reject { reason }
            | MerchantAction::Suspend { reason }
            | MerchantAction::Terminate { reason } => Some(reason),
            _ => None,
        }
    }
}

/// The transition table: every allowed (state, action) pair, nothing else.
fn transition(from: MerchantStatus, action: &MerchantAction) -> Option<MerchantStatus> {
    use MerchantAction as A;
    use MerchantStatus as S;
    match (from, action) {
        (S::Submitted, A::StartReview) => Some(S::UnderReview),
        (S::UnderReview, A::RequestChanges { .. }) => Some(S::NeedsChanges),
        (S::NeedsChanges, A::Resubmit) => Some(S::Submitted),
        (S::UnderReview, A::Approve) => Some(S::Approved),
        (S::UnderReview, A::Reject { .. }) => Some(S::Rejected),
        (S::Approved, A::Activate) => Some(S::Active),
        (S::Active, A::Suspend { .. }) => Some(S::Suspended),
        (S::Suspended, A::Reinstate) => Some(S::Active),
        (S::Active, A::Terminate { .. }) => Some(S::Terminated),
        (S::Suspended, A::Terminate { .. }) => Some(S::Terminated),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or a refusal naming both.
/// Document and deposit preconditions are checked separately
/// ([`approval_blockers`], [`activation_blockers`]).
pub fn next(from: MerchantStatus, action: &MerchantAction) -> Result<MerchantStatus, Refusal> {
    let to = step(action.name(), "merchant", from, &MerchantStatus::ALL, |s| {
        transition(s, action)
    })?;
    if let Some(text) = action.required_text()
        && text.trim().is_empty()
    {
        return Err(Refusal::cannot(action.name(), "merchant", "a reason is required"));
    }
    Ok(to)
}

text_enum! {
    /// How the merchant works with the platform.
    pub enum CooperationMode ("cooperation mode") {
        /// The merchant supplies its own brand.
        Direct = "direct", "direct brand supply";
        /// The merchant sells a brand it is authorised to distribute.
        Agency = "agency", "agency";
        Joint = "joint", "joint promotion";
    }
}

text_enum! {
    pub enum DocKind ("document kind") {
        BusinessLicence = "business_licence", "business licence";
        TaxRegistration = "tax_registration", "tax registration";
        LegalRepId = "legal_rep_id", "legal representative ID";
        TrademarkCertificate = "trademark_certificate", "trademark certificate";
        BrandAuthorisation = "brand_authorisation", "brand authorisation";
        QualityInspectionReport = "quality_inspection_report", "quality inspection report";
        QualitySystemCertificate = "quality_system_certificate", "quality-system certificate";
        IntegrityPledge = "integrity_pledge", "integrity pledge";
    }
}

text_enum! {
    /// The check status of one document.
    pub enum DocStatus ("document status") {
        Pending = "pending", "pending";
        Verified = "verified", "verified";
        Rejected = "rejected", "rejected";
        Expired = "expired", "expired";
    }
}

/// Documents that must be verified before approval. Every mode needs the legal
/// basics (licence, tax registration, legal representative ID, integrity
/// pledge); `direct` sells its own brand so it proves the trademark; `agency`
/// sells someone else's so it proves the authorisation; `joint` promotion needs
/// only the basics. Quality reports are per product, so never required here.
pub fn required_docs(mode: CooperationMode) -> &'static [DocKind] {
    use DocKind::*;
    match mode {
        CooperationMode::Direct => &[
            BusinessLicence,
            TaxRegistration,
            LegalRepId,
            TrademarkCertificate,
            IntegrityPledge,
        ],
        CooperationMode::Agency => &[
            BusinessLicence,
            TaxRegistration,
            LegalRepId,
            BrandAuthorisation,
            IntegrityPledge,
        ],
        CooperationMode::Joint => &[BusinessLicence, TaxRegistration, LegalRepId, IntegrityPledge],
    }
}

/// Why approval must wait: required documents that are missing, not verified,
/// or past their expiry date on `today`. Empty means approval may go ahead.
pub fn approval_blockers(
    mode: CooperationMode,
    docs: &[(DocKind, DocStatus, Option<NaiveDate>)],
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    for kind in required_docs(mode) {
        match docs.iter().find(|(k, _, _)| k == kind) {
            None => out.push(format!("{} is missing", kind.label())),
            Some((_, status, _)) if *status != DocStatus::Verified => {
                out.push(format!("{} is not verified (it is {status})", kind.label()))
            }
            Some((_, _, Some(expires))) if *expires < today => {
                out.push(format!("{} expired on {expires}", kind.label()))
            }
            Some(_) => {}
        }
    }
    out
}

/// A document expiring within `warn_days` of `today` (or already expired)
/// should be re-verified.
pub fn doc_needs_reverification(expires: Option<NaiveDate>, today: NaiveDate, warn_days: i64) -> bool {
    expires.is_some_and(|d| (d - today).num_days() <= warn_days)
}

/// Why `approved → active` must wait.
pub fn activation_blockers(deposit_paid: bool, agreement_signed: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !deposit_paid {
        out.push("the deposit is not recorded as paid".to_string());
    }
    if !agreement_signed {
        out.push("the agreement is not signed".to_string());
    }
    out
}

text_enum! {
    pub enum Severity ("violation severity") {
        Minor = "minor", "minor";
        Major = "major", "major";
        Severe = "severe", "severe";
    }
}

impl Severity {
    /// Points a violation of this severity costs unless the reviewer says otherwise.
    pub fn default_points(self) -> i64 {
        match self {
            Severity::Minor => 1,
            Severity::Major => 3,
            Severity::Severe => 6,
        }
    }
}

/// Enough accumulated points suspend an active merchant automatically.
pub fn violation_suspends(total_points: i64, threshold: i64) -> bool {
    threshold > 0 && total_points >= threshold
}

/// What the credit score is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CreditInputs {
    /// Average buyer review score 1–5; `None` when there are no reviews.
    pub review_avg: Option<f64>,
    /// Disputed orders / orders, 0–1.
    pub dispute_rate: f64,
    /// Orders shipped after their ship-by deadline / shipped orders, 0–1.
    pub late_shipment_rate: f64,
    /// Violation points accumulated.
    pub violation_points: i64,
}

/// Credit score 0–100, starting from 100 and subtracting:
///
/// - reviews: `5 × (5 − review_avg)`, at most 20 (no reviews: nothing);
/// - disputes: `200 × dispute_rate`, at most 30 (15 % disputes costs the maximum);
/// - late shipments: `100 × late_shipment_rate`, at most 20;
/// - violations: `2 × violation_points`, at most 30.
///
/// Rates are clamped to 0–1 and the result is rounded to the nearest integer.
/// So a new merchant with no history scores 100, and one at every cap scores 0.
pub fn credit_score(inputs: &CreditInputs) -> u8 {
    let rate = |r: f64| if r.is_finite() { r.clamp(0.0, 1.0) } else { 0.0 };
    let review = match inputs.review_avg {
        Some(avg) if avg.is_finite() => (5.0 * (5.0 - avg.clamp(1.0, 5.0))).min(20.0),
        _ => 0.0,
    };
    let disputes = (200.0 * rate(inputs.dispute_rate)).min(30.0);
    let late = (100.0 * rate(inputs.late_shipment_rate)).min(20.0);
    let points = (2 * inputs.violation_points.clamp(0, 15)) as f64;
    let score = (100.0 - review - disputes - late - points)
        .round()
        .clamp(0.0, 100.0);
    score as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::machine_tests::{every_pair_matches, walk_stays_in_table};
    use MerchantStatus as S;
    use proptest::prelude::*;

    /// The allowed transitions, written out independently of `transition`.
    const ALLOWED: &[(MerchantStatus, &str, MerchantStatus)] = &[
        (S::Submitted, "start_review", S::UnderReview),
        (S::UnderReview, "request_changes", S::NeedsChanges),
        (S::NeedsChanges, "resubmit", S::Submitted),
        (S::UnderReview, "approve", S::Approved),
        (S::UnderReview, "reject", S::Rejected),
        (S::Approved, "activate", S::Active),
        (S::Active, "suspend", S::Suspended),
        (S::Suspended, "reinstate", S::Active),
        (S::Active, "terminate", S::Terminated),
        (S::Suspended, "terminate", S::Terminated),
    ];

    fn samples() -> Vec<MerchantAction> {
        let t = || "documents unclear".to_string();
        vec![
            MerchantAction::StartReview,
            MerchantAction::RequestChanges { note: t() },
            MerchantAction::Resubmit,
            MerchantAction::Approve,
            MerchantAction::Reject { reason: t() },
            MerchantAction::Activate,
            MerchantAction::Suspend { reason: t() },
            MerchantAction::Reinstate,
            MerchantAction::Terminate { reason: t() },
        ]
    }

    #[test]
    fn every_state_and_action_matches_the_table() {
        every_pair_matches(
            ALLOWED,
            &MerchantStatus::ALL,
            &samples(),
            MerchantAction::name,
            next,
        );
    }

    #[test]
    fn refusals_name_state_and_action() {
        let e = next(S::Submitted, &MerchantAction::Approve).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot approve merchant: it is submitted (approve needs under_review)"
        );
        let e = next(S::Terminated, &MerchantAction::Terminate { reason: "x".into() }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot terminate merchant: it is terminated (terminate needs active or suspended)"
        );
    }

    #[test]
    fn reasons_are_required() {
        for action in [
            MerchantAction::Reject { reason: " ".into() },
            MerchantAction::RequestChanges { note: String::new() },
        ] {
            assert!(
                next(S::UnderReview, &action)
                    .unwrap_err()
                    .to_string()
                    .contains("reason is required")
            );
        }
        assert!(next(S::Active, &MerchantAction::Suspend { reason: "".into() }).is_err());
        assert!(next(S::Active, &MerchantAction::Terminate { reason: "\t".into() }).is_err());
    }

    #[test]
    fn statuses_round_trip_and_finals() {
        for s in MerchantStatus::ALL {
            assert_eq!(s.as_str().parse::<MerchantStatus>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
            assert_eq!(s.is_final(), !ALLOWED.iter().any(|(f, _, _)| *f == s));
        }
        assert_eq!("Under-Review".parse::<MerchantStatus>(), Ok(S::UnderReview));
        assert!(
            "open"
                .parse::<MerchantStatus>()
                .unwrap_err()
                .to_string()
                .contains("\"open\"")
        );
        assert_eq!("joint".parse::<CooperationMode>(), Ok(CooperationMode::Joint));
        assert_eq!(DocKind::ALL.len(), 8);
        assert_eq!(
            serde_json::to_string(&S::NeedsChanges).unwrap(),
            "\"needs_changes\""
        );
    }

    #[test]
    fn documents_block_approval() {
        use DocKind::*;
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let v = |k| (k, DocStatus::Verified, None);
        let basics = vec![
            v(BusinessLicence),
            v(TaxRegistration),
            v(LegalRepId),
            v(IntegrityPledge),
        ];
        assert!(approval_blockers(CooperationMode::Joint, &basics, today).is_empty());
        let b = approval_blockers(CooperationMode::Agency, &basics, today);
        assert_eq!(b, vec!["brand authorisation is missing"]);
        let mut docs = basics.clone();
        docs.push((BrandAuthorisation, DocStatus::Pending, None));
        docs[0].2 = NaiveDate::from_ymd_opt(2026, 3, 1);
        let b = approval_blockers(CooperationMode::Agency, &docs, today);
        assert_eq!(
            b,
            vec![
                "business licence expired on 2026-03-01",
                "brand authorisation is not verified (it is pending)"
            ]
        );
        assert!(approval_blockers(CooperationMode::Direct, &basics, today)[0].contains("trademark"));
        assert!(doc_needs_reverification(
            NaiveDate::from_ymd_opt(2026, 4, 1),
            today,
            30
        ));
        assert!(!doc_needs_reverification(
            NaiveDate::from_ymd_opt(2026, 4, 2),
            today,
            30
        ));
        assert!(!doc_needs_reverification(None, today, 30));
    }

    #[test]
    fn activation_and_violations() {
        assert!(activation_blockers(true, true).is_empty());
        assert_eq!(activation_blockers(false, false).len(), 2);
        assert_eq!(Severity::Severe.default_points(), 6);
        assert!(violation_suspends(12, 12));
        assert!(!violation_suspends(11, 12));
    }

    #[test]
    fn credit_score_formula() {
        assert_eq!(credit_score(&CreditInputs::default()), 100);
        let typical = CreditInputs {
            review_avg: Some(4.6),
            dispute_rate: 0.01,
            late_shipment_rate: 0.05,
            violation_points: 3,
        };
        // 100 − 2 − 2 − 5 − 6
        assert_eq!(credit_score(&typical), 85);
        let worst = CreditInputs {
            review_avg: Some(1.0),
            dispute_rate: 1.0,
            late_shipment_rate: 1.0,
            violation_points: 99,
        };
        assert_eq!(credit_score(&worst), 0);
        let odd = CreditInputs {
            review_avg: Some(f64::NAN),
            dispute_rate: -1.0,
            late_shipment_rate: f64::INFINITY,
            violation_points: -5,
        };
        assert_eq!(credit_score(&odd), 100);
    }

    fn action_strategy() -> impl Strategy<Value = MerchantAction> {
        let text = prop_oneof![Just(String::new()), Just("  ".to_string()), "[a-z]{1,8}"];
        prop_oneof![
            Just(MerchantAction::StartReview),
            text.clone()
                .prop_map(|note| MerchantAction::RequestChanges { note }),
            Just(MerchantAction::Resubmit),
            Just(MerchantAction::Approve),
            text.clone().prop_map(|reason| MerchantAction::Reject { reason }),
            Just(MerchantAction::Activate),
            text.clone().prop_map(|reason| MerchantAction::Suspend { reason }),
            Just(MerchantAction::Reinstate),
            text.prop_map(|reason| MerchantAction::Terminate { reason }),
        ]
    }

    proptest! {
        #[test]
        fn random_walks_stay_in_the_table(actions in prop::collection::vec(action_strategy(), 0..200)) {
            walk_stays_in_table(ALLOWED, S::Submitted, &actions, MerchantAction::name, next, S::is_final, |a| {
                a.required_text().is_none_or(|t| !t.trim().is_empty())
            })?;
        }
    }
}

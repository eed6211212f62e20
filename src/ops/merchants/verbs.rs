//! The merchant verbs (SPEC §4.1, §6): one row each, and the one function
//! that turns a verb and its values into the workflow call.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::merchant::{self as rules, MerchantAction, MerchantStatus, Severity};
use crate::domain::{Permission, Refusal};
use crate::ops::Session;
use crate::ops::verbs::{
    Entity, EntityOps, FieldKind, FieldSpec, Outcome as VerbOutcome, Target, Values, VerbSpec,
};
use crate::{Error, Result};

use super::{DelistCause, DepositKind, NewDocument, NewViolation, Outcome};

/// Document kinds as the command line spells them.
const DOC_KINDS: [&str; 9] = [
    "business_licence",
    "tax_registration",
    "organisation_code",
    "legal_rep_id",
    "trademark_certificate",
    "brand_authorisation",
    "quality_inspection_report",
    "quality_system_certificate",
    "integrity_pledge",
];

const SEVERITIES: [&str; 3] = ["minor", "major", "severe"];
const CAUSES: [&str; 2] = ["violation", "merchant_request"];
const VIOLATION_KINDS: [&str; 6] = [
    "counterfeit",
    "false_advertising",
    "late_shipment",
    "price_fraud",
    "poor_service",
    "other",
];

const fn verb(name: &'static str, label: &'static str, about: &'static str) -> VerbSpec {
    VerbSpec {
        permission: Permission::ManageMerchants,
        ..VerbSpec::new(Entity::Merchant, name, label, about)
    }
}

const fn field(name: &'static str, label: &'static str, help: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, label, help, kind)
}

const REASON: FieldSpec = field("reason", "reason", "why (the merchant is told)", FieldKind::Text);
const KIND_ARG: FieldSpec =
    field("kind", "kind", "the document kind", FieldKind::Choice(&DOC_KINDS)).positional();

pub static VERBS: [VerbSpec; 19] = [
    VerbSpec {
        forward: true,
        key: Some("R"),
        done: "taken into review",
        ..verb(
            "start_review",
            "start review",
            "take a submitted application into review",
        )
    },
    VerbSpec {
        key: Some("K"),
        done: "claimed",
        ..verb(
            "claim",
            "claim review",
            "take an application awaiting review, so no other reviewer takes it",
        )
    },
    VerbSpec {
        key: Some("L"),
        done: "released",
        ..verb("release", "release claim", "give up the claim on an application")
    },
    VerbSpec {
        key: Some("C"),
        fields: &[field(
            "feedback",
            "feedback",
            "what the merchant must change (overall and per document)",
            FieldKind::LongText,
        )],
        done: "sent back for changes",
        ..verb(
            "request_changes",
            "request changes…",
            "send the application back to the merchant with feedback",
        )
    },
    VerbSpec {
        forward: true,
        key: Some("U"),
        done: "resubmitted",
        ..verb(
            "resubmit",
            "resubmit",
            "the merchant fixed the application: submit it again (counts resubmissions)",
        )
    },
    VerbSpec {
        forward: true,
        key: Some("A"),
        done: "approved",
        ..verb(
            "approve",
            "approve",
            "approve an application under review (every required document verified)",
        )
    },
    VerbSpec {
        key: Some("J"),
        confirm: Some("Reject {name}? This is final."),
        fields: &[REASON],
        done: "rejected",
        ..verb("reject", "reject…", "reject an application under review (final)")
    },
    VerbSpec {
        forward: true,
        key: Some("O"),
        done: "activated",
        ..verb(
            "activate",
            "activate",
            "open an approved merchant: deposit paid, platform fee paid, agreement signed",
        )
    },
    VerbSpec {
        key: Some("P"),
        fields: &[REASON],
        done: "suspended",
        ..verb(
            "suspend",
            "suspend…",
            "suspend an active merchant and hide its listed products",
        )
    },
    VerbSpec {
        key: Some("I"),
        done: "reinstated",
        ..verb(
            "reinstate",
            "reinstate",
            "reinstate a suspended merchant and list its hidden products again",
        )
    },
    VerbSpec {
        key: Some("X"),
        confirm: Some(
            "Terminate {name}? All its products are delisted and the deposit refunded. This is final.",
        ),
        fields: &[
            REASON,
            field(
                "cause",
                "delist cause",
                "the products' delist reason",
                FieldKind::Choice(&CAUSES),
            ),
        ],
        done: "terminated",
        ..verb(
            "terminate",
            "terminate…",
            "end the cooperation: delist every product and refund the deposit balance",
        )
    },
    VerbSpec {
        fields: &[
            field(
                "entry",
                "entry",
                "pay, top-up or refund",
                FieldKind::Suggest(&["pay", "top-up", "refund"]),
            )
            .positional(),
            field("amount", "amount", "the amount", FieldKind::Money),
        ],
        ..verb(
            "deposit",
            "deposit…",
            "record a deposit payment, top-up or refund (the deposit ledger)",
        )
    },
    VerbSpec {
        fields: &[
            field("entry", "entry", "pay", FieldKind::Choice(&["pay"])).positional(),
            field("amount", "amount", "the amount paid", FieldKind::Money),
        ],
        ..verb("fee", "platform fee…", "record a platform (annual) fee payment")
    },
    VerbSpec {
        ..verb(
            "sign",
            "sign agreement",
            "record the cooperation agreement as signed",
        )
    },
    VerbSpec {
        fields: &[
            field(
                "deposit",
                "required deposit",
                "the deposit required before opening (decimal, 0 for none)",
                FieldKind::Token,
            )
            .optional(),
            field(
                "fee",
                "platform fee",
                "the platform (annual) fee (decimal, 0 for none)",
                FieldKind::Token,
            )
            .optional(),
            field(
                "commission",
                "commission",
                "the merchant's own rate (5.5% or 0.055), or default",
                FieldKind::Token,
            )
            .optional(),
        ],
        ..verb(
            "terms",
            "set terms…",
            "set the required deposit, the platform fee and the merchant's commission rate",
        )
    },
    VerbSpec {
        group: Some("doc"),
        fields: &[
            field("kind", "kind", "the document kind", FieldKind::Choice(&DOC_KINDS)),
            field("number", "number", "the document's number", FieldKind::Text).optional(),
            field("issuer", "issuer", "who issued it", FieldKind::Text).optional(),
            field("expires", "expires", "expiry date, YYYY-MM-DD", FieldKind::Token).optional(),
            field(
                "file",
                "file",
                "the scan to store (at most 20 MB)",
                FieldKind::Text,
            )
            .optional(),
        ],
        ..verb(
            "doc_add",
            "add document…",
            "add or replace a document (number, issuer, expiry, scan); it is pending until verified",
        )
    },
    VerbSpec {
        group: Some("doc"),
        key: Some("Y"),
        fields: &[KIND_ARG],
        ..verb("doc_verify", "verify document…", "mark a document verified")
    },
    VerbSpec {
        group: Some("doc"),
        key: Some("D"),
        fields: &[KIND_ARG, REASON],
        ..verb(
            "doc_reject",
            "reject document…",
            "reject a document with a reason",
        )
    },
    VerbSpec {
        key: Some("V"),
        fields: &[
            field(
                "kind",
                "kind",
                "what happened",
                FieldKind::Suggest(&VIOLATION_KINDS),
            ),
            field(
                "severity",
                "severity",
                "minor, major or severe",
                FieldKind::Choice(&SEVERITIES),
            ),
            field(
                "points",
                "points",
                "default by severity: minor 1, major 3, severe 6",
                FieldKind::Int,
            )
            .optional(),
            field("deduct", "deduct", "taken from the deposit", FieldKind::Money).optional(),
            field("note", "note", "what was found", FieldKind::Text),
        ],
        ..verb(
            "violation",
            "record violation…",
            "record a violation; enough points in 12 months suspends automatically",
        )
    },
];

pub static OPS: EntityOps = EntityOps {
    resolve: super::resolve,
    target,
    state_refusal,
    // No merchant verb takes a reference to another record yet.
    candidates: |_, _, _, _| Ok(Vec::new()),
    run,
    verbs: &VERBS,
};

fn target(conn: &Connection, id: i64) -> Result<Option<Target>> {
    let Some(m) = crate::store::merchants::get(conn, id)? else {
        return Ok(None);
    };
    let name = super::label(&m);
    let status = super::status_of(&m)?;
    Ok(Some(Target {
        entity: Entity::Merchant,
        id: m.id,
        version: m.version,
        note: format!("{name} · {}", status.label()),
        name,
        prefill: Vec::new(),
        state: vec![m.status.clone()],
    }))
}

/// A stand-in action with valid arguments, to ask the transition table.
fn sample(name: &str) -> Option<MerchantAction> {
    let t = || "x".to_string();
    Some(match name {
        "start_review" => MerchantAction::StartReview,
        "request_changes" => MerchantAction::RequestChanges { note: t() },
        "resubmit" => MerchantAction::Resubmit,
        "approve" => MerchantAction::Approve,
        "reject" => MerchantAction::Reject { reason: t() },
        "activate" => MerchantAction::Activate,
        "suspend" => MerchantAction::Suspend { reason: t() },
        "reinstate" => MerchantAction::Reinstate,
        "terminate" => MerchantAction::Terminate { reason: t() },
        _ => return None,
    })
}

fn state_refusal(verb: &VerbSpec, t: &Target) -> Option<Refusal> {
    let status: MerchantStatus = t.state.first()?.parse().ok()?;
    if matches!(verb.name, "claim" | "release") {
        return (!status.awaits_review()).then(|| Refusal::WrongState {
            verb: verb.cli_path(),
            thing: "merchant".into(),
            subject: None,
            from: status.to_string(),
            needs: MerchantStatus::ALL
                .iter()
                .filter(|s| s.awaits_review())
                .map(|s| s.to_string())
                .collect(),
        });
    }
    match sample(verb.name) {
        Some(a) => rules::next(status, &a).err(),
        None => status.is_final().then(|| Refusal::WrongState {
            verb: verb.cli_path(),
            thing: "merchant".into(),
            subject: None,
            from: status.to_string(),
            needs: super::open_states(),
        }),
    }
}

fn text(v: &Values, name: &str) -> String {
    v.text(name).unwrap_or_default().to_string()
}

/// The state-machine action a verb and its values stand for.
pub fn action(verb: &VerbSpec, v: &Values) -> Result<MerchantAction> {
    Ok(match verb.name {
        "request_changes" => MerchantAction::RequestChanges {
            note: text(v, "feedback"),
        },
        "reject" => MerchantAction::Reject {
            reason: text(v, "reason"),
        },
        "suspend" => MerchantAction::Suspend {
            reason: text(v, "reason"),
        },
        "terminate" => MerchantAction::Terminate {
            reason: text(v, "reason"),
        },
        name => sample(name).ok_or_else(|| Error::input(format!("merchant {name} is not a state change")))?,
    })
}

fn run(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    v: &Values,
    now: DateTime<Utc>,
) -> Result<VerbOutcome> {
    let amount = || {
        v.int("amount")
            .ok_or_else(|| Error::input(format!("merchant {}: --amount is required", verb.cli_path())))
    };
    let o = match verb.name {
        "deposit" => {
            let kind = DepositKind::parse(&text(v, "entry"))?;
            super::deposit_at(s, id, shown, kind, amount()?, now)?
        }
        "fee" => super::fee_at(s, id, shown, amount()?, now)?,
        "sign" => super::sign_at(s, id, shown, now)?,
        "claim" => super::claim_at(s, id, shown, now)?,
        "release" => super::release_at(s, id, shown, now)?,
        "terms" => {
            let t = super::Terms::parse(v.text("deposit"), v.text("fee"), v.text("commission"))?;
            super::terms_at(s, id, shown, t, now)?
        }
        "doc_add" => {
            let d = NewDocument {
                kind: text(v, "kind"),
                number: v.text("number").map(str::to_string),
                issuer: v.text("issuer").map(str::to_string),
                expires: v.text("expires").map(str::to_string),
                file: v.text("file").map(PathBuf::from),
            };
            super::add_document_at(s, id, shown, &d, now)?
        }
        "doc_verify" => super::check_document_at(s, id, shown, &text(v, "kind"), None, now)?,
        "doc_reject" => {
            let reason = text(v, "reason");
            super::check_document_at(s, id, shown, &text(v, "kind"), Some(&reason), now)?
        }
        "violation" => {
            let severity: Severity = text(v, "severity").parse().map_err(Error::Refused)?;
            let nv = NewViolation {
                kind: text(v, "kind"),
                severity,
                points: v.int("points"),
                deduct: v.int("deduct"),
                note: text(v, "note"),
            };
            super::violation_at(s, id, shown, &nv, now)?
        }
        "terminate" => {
            let cause = v.text("cause").map(DelistCause::parse).transpose()?;
            super::act_at(s, id, shown, &action(verb, v)?, cause, now)?
        }
        _ => super::act_at(s, id, shown, &action(verb, v)?, None, now)?,
    };
    Ok(outcome(verb, o))
}

fn outcome(verb: &'static VerbSpec, o: Outcome) -> VerbOutcome {
    VerbOutcome {
        entity: Entity::Merchant,
        id: o.id,
        name: o.label,
        verb: verb.name,
        status: o.status.label(),
        version: o.version,
        attention: o.attention,
        message: o.message,
    }
}

//! The ticket verbs (SPEC §4.4, §6): one row each, and the one function
//! that turns a verb and its values into the workflow call. `ticket open`
//! (no ticket yet) and `show` are in the CLI beside these.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::ticket::{
    self as rules, Resolution, RulingPayer, ShippingPayer, TicketAction, TicketStatus,
};
use crate::domain::{Permission, Refusal};
use crate::ops::Session;
use crate::ops::verbs::{Entity, EntityOps, FieldKind, FieldSpec, Outcome, Target, Values, VerbSpec};
use crate::ops::workflow::Applied;
use crate::store::tickets::Ticket;
use crate::{Error, Result};

use super::money::Resolve;

const RESOLUTIONS: [&str; 5] = ["refund", "replace", "repair", "compensation", "no_action"];
/// "no" first: the form starts an optional choice on its first value.
const YES_NO: [&str; 2] = ["no", "yes"];
const SHIPPING: [&str; 3] = ["buyer", "merchant", "platform"];
const PAYERS: [&str; 3] = ["merchant", "platform", "split"];
const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];

const fn verb(name: &'static str, label: &'static str, about: &'static str) -> VerbSpec {
    VerbSpec {
        permission: Permission::ManageTickets,
        ..VerbSpec::new(Entity::Ticket, name, label, about)
    }
}

const fn field(name: &'static str, label: &'static str, help: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, label, help, kind)
}

const BODY: FieldSpec = field(
    "body",
    "text",
    "the message (ctrl-e opens $EDITOR)",
    FieldKind::LongText,
);
const REFUND: FieldSpec = field("refund", "refund", "the amount to refund", FieldKind::Money);
const RESTOCK: FieldSpec = field(
    "restock",
    "restock",
    "the returned goods go back into stock",
    FieldKind::Choice(&YES_NO),
)
.optional()
.flag();

const fn score(name: &'static str) -> FieldSpec {
    field(
        name,
        name,
        "1 (poor) to 5 (excellent)",
        FieldKind::Choice(&SCORES),
    )
}

pub static VERBS: [VerbSpec; 22] = [
    VerbSpec {
        forward: true,
        key: Some("C"),
        done: "claimed",
        ..verb(
            "claim",
            "claim",
            "take an unassigned ticket (if someone holds it, you are told who)",
        )
    },
    VerbSpec {
        batch: true,
        key: Some("N"),
        fields: &[field(
            "to",
            "to",
            "the staff login that will hold it",
            FieldKind::Token,
        )],
        done: "assigned",
        ..verb(
            "assign",
            "assign…",
            "give the ticket to a staff login (assign or reassign)",
        )
    },
    VerbSpec {
        forward: true,
        key: Some("A"),
        done: "approved",
        ..verb(
            "approve",
            "approve",
            "accept a new ticket (the audit); the customer is told",
        )
    },
    VerbSpec {
        key: Some("J"),
        confirm: Some("Reject {name}? The customer is told."),
        fields: &[field(
            "reason",
            "reason",
            "why (the customer is told)",
            FieldKind::Text,
        )],
        done: "rejected",
        ..verb(
            "reject",
            "reject…",
            "refuse a new ticket with a reason; the customer is told",
        )
    },
    VerbSpec {
        forward: true,
        key: Some("B"),
        done: "started",
        ..verb(
            "start",
            "start work",
            "begin work on an approved or reopened ticket",
        )
    },
    VerbSpec {
        key: Some("W"),
        done: "waiting for the customer",
        ..verb(
            "wait_customer",
            "wait for customer",
            "wait for the customer's answer (the SLA clock stops)",
        )
    },
    VerbSpec {
        key: Some("M"),
        done: "waiting for the merchant",
        ..verb("wait_merchant", "wait for merchant", "wait for the merchant")
    },
    VerbSpec {
        key: Some("U"),
        done: "resumed",
        ..verb(
            "resume",
            "resume",
            "back to work after waiting (the SLA clock runs again)",
        )
    },
    VerbSpec {
        batch: true,
        key: Some("X"),
        done: "escalated",
        ..verb("escalate", "escalate", "escalate an open ticket for arbitration")
    },
    VerbSpec {
        forward: true,
        key: Some("D"),
        fields: &[
            field(
                "resolution",
                "resolution",
                "how it ends",
                FieldKind::Choice(&RESOLUTIONS),
            ),
            REFUND.optional(),
            RESTOCK,
            // A suggestion, not a choice: left empty it records nobody.
            field(
                "shipping",
                "return shipping",
                "who bears the return shipping: buyer, merchant or platform",
                FieldKind::Suggest(&SHIPPING),
            )
            .optional(),
        ],
        done: "resolved",
        ..verb(
            "resolve",
            "resolve…",
            "resolve: refund (within what is left and your limit), replace, repair, compensation, no action",
        )
    },
    VerbSpec {
        key: Some("O"),
        done: "reopened",
        ..verb(
            "reopen",
            "reopen",
            "reopen a resolved ticket (within 7 days of resolution)",
        )
    },
    VerbSpec {
        batch: true,
        key: Some("Z"),
        done: "closed",
        ..verb("close", "close", "close a resolved ticket")
    },
    VerbSpec {
        key: Some("R"),
        fields: &[BODY],
        done: "replied",
        ..verb("reply", "reply…", "a public reply to the customer")
    },
    VerbSpec {
        key: Some("I"),
        fields: &[BODY],
        done: "noted",
        ..verb(
            "note",
            "internal note…",
            "an internal note (staff only; the customer never sees it)",
        )
    },
    VerbSpec {
        key: Some("K"),
        fields: &[field("name", "macro", "the canned reply's name", FieldKind::Token).positional()],
        done: "replied",
        ..verb(
            "macro",
            "canned reply…",
            "send a canned reply, its {customer} {order} {due} {refund} {ticket} filled in",
        )
    },
    VerbSpec {
        key: Some("Q"),
        fields: &[
            score("attitude"),
            score("speed"),
            score("resolution"),
            score("overall"),
        ],
        done: "scored",
        ..verb(
            "csat",
            "satisfaction…",
            "record the customer's satisfaction (1–5 each) after resolution",
        )
    },
    VerbSpec {
        key: Some("V"),
        permission: Permission::RevealPii,
        fields: &[field(
            "reason",
            "reason",
            "why you need to see it (audited)",
            FieldKind::Text,
        )],
        done: "revealed",
        ..verb(
            "reveal",
            "reveal phone and address…",
            "show the customer's phone and address for this ticket (audited with the reason)",
        )
    },
    VerbSpec {
        key: Some("F"),
        fields: &[REFUND, RESTOCK],
        done: "sent to an owner",
        ..verb(
            "request_refund",
            "refund needing an owner…",
            "send a refund above your limit to an owner for approval",
        )
    },
    VerbSpec {
        key: Some("Y"),
        permission: Permission::ApproveRefunds,
        confirm: Some("Approve the refund waiting on {name} and resolve it?"),
        done: "refund approved",
        ..verb(
            "approve_refund",
            "approve refund",
            "approve the refund waiting for an owner: the ticket is resolved with it",
        )
    },
    VerbSpec {
        key: Some("P"),
        fields: &[BODY],
        done: "responded",
        ..verb(
            "respond",
            "merchant's response…",
            "record the merchant's response to a dispute",
        )
    },
    VerbSpec {
        key: Some("L"),
        fields: &[
            REFUND.optional(),
            field(
                "payer",
                "payer",
                "who pays the refund",
                FieldKind::Choice(&PAYERS),
            )
            .optional(),
        ],
        done: "ruled",
        ..verb(
            "rule",
            "ruling…",
            "the platform's ruling on a dispute: a refund and who pays it (merchant, platform, split)",
        )
    },
    VerbSpec {
        key: Some("H"),
        fields: &[field(
            "priority",
            "priority",
            "low, normal, high or urgent",
            FieldKind::Choice(&["low", "normal", "high", "urgent"]),
        )
        .positional()],
        done: "reprioritised",
        ..verb("priority", "priority…", "set the ticket's priority")
    },
];

pub static OPS: EntityOps = EntityOps {
    resolve: super::resolve,
    target,
    state_refusal,
    candidates: |_, _, _, _| Ok(Vec::new()),
    run,
    verbs: &VERBS,
};

fn target(conn: &Connection, id: i64) -> Result<Option<Target>> {
    let Some(t) = crate::store::tickets::get(conn, id)? else {
        return Ok(None);
    };
    let name = super::label(&t);
    let status = super::status_of(&t)?;
    Ok(Some(Target {
        entity: Entity::Ticket,
        id: t.id,
        version: t.version,
        note: format!("{name} · {} · {}", status.label(), t.subject),
        name,
        prefill: Vec::new(),
        state: vec![t.status.clone(), t.kind.clone()],
    }))
}

/// The state-machine action a verb stands for (with stand-in arguments).
fn sample(name: &str) -> Option<TicketAction> {
    Some(match name {
        "approve" => TicketAction::Approve,
        "reject" => TicketAction::Reject { reason: "x".into() },
        "start" => TicketAction::Start,
        "wait_customer" => TicketAction::WaitCustomer,
        "wait_merchant" => TicketAction::WaitMerchant,
        "resume" => TicketAction::Resume,
        "escalate" => TicketAction::Escalate,
        "resolve" | "request_refund" | "approve_refund" | "rule" => TicketAction::Resolve(Resolution::Refund),
        "reopen" => TicketAction::Reopen,
        "close" => TicketAction::Close,
        _ => return None,
    })
}

fn state_refusal(verb: &VerbSpec, t: &Target) -> Option<Refusal> {
    let status: TicketStatus = t.state.first()?.parse().ok()?;
    let kind = t.state.get(1).map(String::as_str);
    if matches!(verb.name, "respond" | "rule") && kind != Some("dispute") {
        return Some(Refusal::new(format!("{} is for disputes only", verb.cli_path())));
    }
    match sample(verb.name) {
        Some(a) => rules::next(status, &a).err(),
        None if verb.name == "csat" => rules::csat_blocker(status, &[]).map(Refusal::new),
        None if verb.name == "reveal" => None,
        None => status.is_final().then(|| Refusal::WrongState {
            verb: verb.cli_path(),
            thing: "ticket".into(),
            subject: None,
            from: status.to_string(),
            needs: super::open_states(),
        }),
    }
}

fn text(v: &Values, name: &str) -> String {
    v.text(name).unwrap_or_default().to_string()
}

fn parse<T: std::str::FromStr<Err = Refusal>>(v: &Values, name: &str) -> Result<Option<T>> {
    v.text(name)
        .map(|s| s.parse::<T>().map_err(|e| Error::input(format!("--{name}: {e}"))))
        .transpose()
}

fn run(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    v: &Values,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let yes = |name: &str| v.text(name) == Some("yes");
    let (t, applied): (Ticket, Applied) = match verb.name {
        "claim" => super::work::claim_at(s, id, shown, now)?,
        "assign" => super::work::assign_at(s, id, shown, &text(v, "to"), now)?,
        "reply" => super::work::message_at(s, id, shown, "reply", &text(v, "body"), false, now)?,
        "note" => super::work::message_at(s, id, shown, "note", &text(v, "body"), true, now)?,
        "respond" => super::work::message_at(s, id, shown, "respond", &text(v, "body"), false, now)?,
        "macro" => {
            let body = super::work::macro_text(s, id, &text(v, "name"), now)?;
            super::work::message_at(s, id, shown, "reply", &body, false, now)?
        }
        "csat" => {
            let n = |name: &str| v.text(name).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
            let scores = [n("attitude"), n("speed"), n("resolution"), n("overall")];
            super::work::csat_at(s, id, shown, scores, now)?
        }
        "reveal" => {
            let (t, message) = super::work::reveal_at(s, id, &text(v, "reason"), now)?;
            (t, Applied::unchanged(message))
        }
        "priority" => super::work::priority_at(s, id, shown, &text(v, "priority"), now)?,
        "resolve" => {
            let resolution: Resolution =
                parse(v, "resolution")?.ok_or_else(|| Error::input("--resolution is required"))?;
            let r = Resolve {
                resolution,
                refund: v.int("refund"),
                restock: yes("restock"),
                shipping: parse::<ShippingPayer>(v, "shipping")?,
            };
            super::money::resolve_at(s, id, shown, &r, now)?
        }
        "request_refund" => {
            let amount = v
                .int("refund")
                .ok_or_else(|| Error::input("--refund is required"))?;
            super::money::request_at(s, id, shown, amount, yes("restock"), now)?
        }
        "approve_refund" => super::money::approve_at(s, id, shown, now)?,
        "rule" => {
            let payer = parse::<RulingPayer>(v, "payer")?;
            super::money::rule_at(s, id, shown, v.int("refund"), payer, now)?
        }
        name => {
            let action = match name {
                "reject" => TicketAction::Reject {
                    reason: text(v, "reason"),
                },
                n => sample(n).ok_or_else(|| Error::input(format!("ticket {n} is not a verb")))?,
            };
            super::flow::act_at(s, id, shown, &action, now)?
        }
    };
    let status = super::status_of(&t)?;
    Ok(Outcome {
        entity: Entity::Ticket,
        id: t.id,
        name: super::label(&t),
        verb: verb.name,
        status: status.label(),
        version: t.version,
        message: applied.message,
        attention: applied.attention,
    })
}

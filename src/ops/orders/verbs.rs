//! The order verbs (SPEC §4.3, §6): one row each, and the one function that
//! turns a verb and its values into the workflow call.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::order::{self as rules, HoldReason, OrderAction, OrderStatus};
use crate::domain::{Permission, Refusal};
use crate::ops::Session;
use crate::ops::verbs::{
    Entity, EntityOps, FieldKind, FieldSpec, Outcome as VerbOutcome, Target, Values, VerbSpec,
};
use crate::{Error, Result};

use super::{AddressChange, NewEvent, Outcome};

/// The carriers offered when shipping (any other name may be typed).
pub const CARRIERS: [&str; 7] = [
    "SF Express 顺丰",
    "JD Logistics 京东",
    "ZTO 中通",
    "YTO 圆通",
    "STO 申通",
    "Yunda 韵达",
    "EMS",
];

const HOLD_REASONS: [&str; 5] = [
    "insufficient_stock",
    "address_problem",
    "risk_review",
    "customer_request",
    "other",
];

const fn verb(name: &'static str, label: &'static str, about: &'static str) -> VerbSpec {
    VerbSpec::new(Entity::Order, name, label, about)
}

const fn field(name: &'static str, label: &'static str, help: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, label, help, kind)
}

const fn optional(f: FieldSpec) -> FieldSpec {
    f.optional()
}

const fn pii(f: FieldSpec) -> FieldSpec {
    f.pii()
}

pub static VERBS: [VerbSpec; 14] = [
    VerbSpec {
        forward: true,
        key: Some("$"),
        ..verb(
            "pay",
            "pay",
            "record the payment and reserve stock (held when stock is short)",
        )
    },
    VerbSpec {
        forward: true,
        batch: true,
        key: Some("A"),
        done: "approved",
        ..verb("approve", "approve", "audit the address and approve for picking")
    },
    VerbSpec {
        permission: Permission::HoldOrChangeAddress,
        key: Some("H"),
        fields: &[field(
            "reason",
            "reason",
            "why the order is held",
            FieldKind::Choice(&HOLD_REASONS),
        )],
        ..verb("hold", "hold…", "put on hold with a reason")
    },
    VerbSpec {
        forward: true,
        key: Some("R"),
        ..verb(
            "release",
            "release hold",
            "release a hold: the order returns to where it was",
        )
    },
    VerbSpec {
        forward: true,
        batch: true,
        key: Some("P"),
        done: "moved to picking",
        ..verb("pick", "start picking", "start picking an approved order")
    },
    VerbSpec {
        forward: true,
        key: Some("K"),
        fields: &[field(
            "weight_g",
            "weight (g)",
            "parcel weight in grams, e.g. 850",
            FieldKind::Int,
        )],
        ..verb("pack", "pack…", "record the packed parcel's weight")
    },
    VerbSpec {
        forward: true,
        key: Some("T"),
        fields: &[
            field(
                "carrier",
                "carrier",
                "the carrier's name",
                FieldKind::Suggest(&CARRIERS),
            ),
            field(
                "tracking",
                "tracking no",
                "as printed on the waybill, no spaces",
                FieldKind::Token,
            ),
        ],
        ..verb(
            "ship",
            "ship…",
            "hand the parcel to a carrier; consumes the reserved stock",
        )
    },
    VerbSpec {
        key: Some("E"),
        fields: &[
            field("status", "status", "e.g. 运输中 in transit", FieldKind::Text),
            optional(field(
                "location",
                "location",
                "e.g. 杭州转运中心",
                FieldKind::Text,
            )),
            optional(field("note", "note", "optional", FieldKind::Text)),
            optional(field(
                "at",
                "at",
                "when it happened (default: now)",
                FieldKind::Time,
            )),
        ],
        ..verb(
            "event",
            "shipment event…",
            "add a tracking event to a shipped or delivered order",
        )
    },
    VerbSpec {
        forward: true,
        key: Some("D"),
        ..verb("deliver", "mark delivered", "record delivery")
    },
    VerbSpec {
        forward: true,
        key: Some("C"),
        ..verb(
            "complete",
            "complete",
            "close a delivered order after the return window, with no open ticket",
        )
    },
    VerbSpec {
        key: Some("X"),
        confirm: Some("Cancel {name}? Stock is released; a paid order gets a refund record."),
        fields: &[field(
            "reason",
            "reason",
            "why the order is cancelled",
            FieldKind::Text,
        )],
        ..verb(
            "cancel",
            "cancel…",
            "cancel an order that has not shipped (releases stock; refunds a paid order)",
        )
    },
    VerbSpec {
        permission: Permission::HoldOrChangeAddress,
        key: Some("W"),
        aliases: &["address"],
        fields: &[
            optional(field("name", "name", "the recipient", FieldKind::Text)),
            pii(optional(field("phone", "phone", "", FieldKind::Text))),
            pii(optional(field("address", "address", "", FieldKind::Text))),
            optional(field("city", "city", "", FieldKind::Text)),
        ],
        ..verb(
            "change_address",
            "change address…",
            "change the shipping address of an order that has not shipped",
        )
    },
    VerbSpec {
        key: Some("M"),
        confirm: Some("Merge {name} into order {into}? It becomes merged."),
        fields: &[field(
            "into",
            "into order",
            "the order that absorbs this one (same customer, address, merchant)",
            FieldKind::Ref(Entity::Order),
        )],
        ..verb(
            "merge",
            "merge into…",
            "merge into another order of the same customer, address and merchant",
        )
    },
    // The ticket's own verbs are on the Tickets screen; opening one starts
    // from the order it is about (`ticket open --order` is the same call).
    VerbSpec {
        permission: Permission::ManageTickets,
        key: Some("O"),
        done: "ticket opened",
        fields: &[
            field(
                "kind",
                "kind",
                "what the customer asks for",
                FieldKind::Choice(&TICKET_KINDS),
            ),
            field(
                "reason",
                "reason",
                "a reason code of the taxonomy, e.g. quality.damaged (`shopdesk ticket reasons` lists them)",
                FieldKind::Suggest(&[]),
            ),
            field(
                "subject",
                "subject",
                "one line: what it is about",
                FieldKind::Text,
            ),
            optional(field(
                "body",
                "description",
                "the customer's words (ctrl-e opens $EDITOR)",
                FieldKind::LongText,
            )),
        ],
        ..verb(
            "open_ticket",
            "open ticket…",
            "open ticket: an after-sales ticket on this order (return window and warranty checked)",
        )
    },
];

/// Every ticket kind's stored spelling (`TicketKind`; a test checks).
pub const TICKET_KINDS: [&str; 8] = [
    "return",
    "exchange",
    "repair",
    "refund_only",
    "complaint",
    "dispute",
    "logistics",
    "inquiry",
];

pub static OPS: EntityOps = EntityOps {
    resolve: super::resolve,
    target,
    state_refusal,
    candidates,
    run,
    verbs: &VERBS,
};

/// The orders a merge may absorb this one into (the merge's own rules).
fn candidates(
    conn: &Connection,
    verb: &VerbSpec,
    field: &FieldSpec,
    t: &Target,
) -> Result<Vec<(String, String)>> {
    if verb.name == "open_ticket" && field.name == "reason" {
        return reasons(conn);
    }
    if verb.name != "merge" || field.name != "into" {
        return Ok(Vec::new());
    }
    let currency = crate::store::settings::load(conn)?.currency;
    Ok(crate::store::orders::merge_candidates(conn, t.id, 9)?
        .into_iter()
        .map(|c| {
            let status = c
                .status
                .parse::<OrderStatus>()
                .map_or(c.status.clone(), |s| s.label().to_string());
            let money = crate::domain::money::Money(c.total_minor).format(&currency);
            let key = format!("{}:{}", c.channel, c.external_id);
            (
                key,
                format!("order {} ({}) · {status} · {money}", c.id, c.external_id),
            )
        })
        .collect())
}

/// The reason taxonomy's leaf codes, "quality › damaged in transit".
fn reasons(conn: &Connection) -> Result<Vec<(String, String)>> {
    let all = crate::store::tickets::reasons(conn)?;
    let parent = |p: &str| {
        all.iter()
            .find(|(c, _, _)| c == p)
            .map_or(p.to_string(), |(_, _, l)| l.clone())
    };
    Ok(all
        .iter()
        .filter_map(|(code, p, label)| {
            p.as_deref()
                .map(|p| (code.clone(), format!("{} › {label}", parent(p))))
        })
        .collect())
}

/// An order as a verb target (the detail view's data, read now).
fn target(conn: &Connection, id: i64) -> Result<Option<Target>> {
    let Some(d) = crate::store::lists::orders::detail(conn, id)? else {
        return Ok(None);
    };
    let name = format!("order {} ({})", d.row.id, d.row.external_id);
    let status = d.row.status;
    Ok(Some(Target {
        entity: Entity::Order,
        id: d.row.id,
        version: d.version,
        note: format!("{name} · {} · {}", status.label(), d.row.customer_name),
        name,
        prefill: vec![
            ("name", d.ship_name.clone()),
            ("phone", d.ship_phone.clone()),
            ("address", d.ship_address.clone()),
            ("city", d.ship_city.clone()),
        ],
        state: vec![
            d.row.status.to_string(),
            d.held_from.map(|s| s.to_string()).unwrap_or_default(),
        ],
    }))
}

/// The state machine's word on `verb` from the target's state.
fn state_refusal(verb: &VerbSpec, t: &Target) -> Option<Refusal> {
    let status: OrderStatus = t.state.first()?.parse().ok()?;
    let held_from = t.state.get(1).and_then(|s| s.parse().ok());
    if verb.name == "event" {
        return (!status.has_tracking()).then(|| Refusal::WrongState {
            verb: "event".into(),
            thing: "order".into(),
            subject: None,
            from: status.to_string(),
            needs: OrderStatus::names_where(OrderStatus::has_tracking),
        });
    }
    rules::next(status, held_from, &sample(verb.name)?).err()
}

/// A stand-in action with valid arguments, to ask the transition table.
fn sample(name: &str) -> Option<OrderAction> {
    Some(match name {
        "pay" => OrderAction::Pay,
        "approve" => OrderAction::Approve,
        "hold" => OrderAction::Hold(HoldReason::Other),
        "release" => OrderAction::Release,
        "pick" => OrderAction::Pick,
        "pack" => OrderAction::Pack { weight_g: 1 },
        "ship" => OrderAction::Ship {
            carrier: "x".into(),
            tracking: "x".into(),
        },
        "deliver" => OrderAction::Deliver,
        "complete" => OrderAction::Complete,
        "cancel" => OrderAction::Cancel { reason: "x".into() },
        "change_address" => OrderAction::ChangeAddress,
        "merge" => OrderAction::MergeInto(i64::MAX),
        _ => return None,
    })
}

fn text(v: &Values, name: &str) -> String {
    v.text(name).unwrap_or_default().to_string()
}

/// The domain action a verb and its values stand for.
pub fn action(verb: &VerbSpec, v: &Values) -> Result<OrderAction> {
    let missing = |f: &str| Error::input(format!("order {}: --{f} is required", verb.cli_name()));
    Ok(match verb.name {
        "hold" => OrderAction::Hold(text(v, "reason").parse().map_err(Error::Refused)?),
        "pack" => {
            let g = v.int("weight_g").ok_or_else(|| missing("weight-g"))?;
            OrderAction::Pack {
                weight_g: u32::try_from(g).map_err(|_| Error::input("the weight is too large"))?,
            }
        }
        "ship" => OrderAction::Ship {
            carrier: text(v, "carrier"),
            tracking: text(v, "tracking"),
        },
        "cancel" => OrderAction::Cancel {
            reason: text(v, "reason"),
        },
        name => sample(name).ok_or_else(|| Error::input(format!("order {name} is not a state change")))?,
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
    let o = match verb.name {
        "event" => {
            let ev = NewEvent {
                at: v.time("at").unwrap_or(now),
                status: text(v, "status"),
                location: text(v, "location"),
                note: text(v, "note"),
            };
            super::add_event_at(s, id, shown, &ev, now)?
        }
        "change_address" => {
            let change = AddressChange {
                name: v.text("name").map(str::to_string),
                phone: v.text("phone").map(str::to_string),
                address: v.text("address").map(str::to_string),
                city: v.text("city").map(str::to_string),
            };
            super::change_address_at(s, id, shown, &change, now)?
        }
        "merge" => {
            let into = super::resolve(&s.conn, v.text("into").unwrap_or_default())?;
            super::merge_at(s, id, into, shown, now)?
        }
        "open_ticket" => return open_ticket(s, verb, id, v, now),
        _ => super::act_at(s, id, shown, &action(verb, v)?, now)?,
    };
    Ok(outcome(verb, o))
}

fn outcome(verb: &'static VerbSpec, o: Outcome) -> VerbOutcome {
    VerbOutcome {
        entity: Entity::Order,
        id: o.id,
        name: o.label.clone(),
        verb: verb.name,
        status: o.status.label(),
        version: o.version,
        // Only pay and approve can end on hold unasked (short stock, a bad address).
        attention: o.held() && matches!(verb.name, "pay" | "approve"),
        message: o.message,
    }
}

/// Opens a ticket on order `id`: the same call as `ticket open --order`.
/// The order itself does not change, so the version the screen showed is
/// not required to be current (an address edited meanwhile does not stop a
/// complaint from being recorded).
fn open_ticket(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    v: &Values,
    now: DateTime<Utc>,
) -> Result<VerbOutcome> {
    let args = crate::ops::tickets::NewTicketArgs {
        order: id.to_string(),
        kind: text(v, "kind"),
        reason: text(v, "reason"),
        subject: text(v, "subject"),
        body: v.text("body").map(str::to_string),
    };
    let (_, message) = crate::ops::tickets::open_at(s, &args, now)?;
    let t = target(&s.conn, id)?.ok_or_else(|| Error::not_found("order", id))?;
    let status = t
        .state
        .first()
        .and_then(|x| x.parse::<OrderStatus>().ok())
        .map_or("", |st| st.label());
    Ok(VerbOutcome {
        entity: Entity::Order,
        id,
        name: t.name,
        verb: verb.name,
        status,
        version: t.version,
        message,
        attention: false,
    })
}

#[cfg(test)]
mod tests {
    use crate::domain::ticket::TicketKind;

    #[test]
    fn the_ticket_kinds_offered_are_the_domain_s() {
        let kinds: Vec<&str> = TicketKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, super::TICKET_KINDS);
    }
}

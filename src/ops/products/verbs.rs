//! The product verbs (SPEC §4.2, §6): one row each, and the one function
//! that turns a verb and its values into the workflow call.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::money::Money;
use crate::domain::product::{self as rules, DelistReason, ProductAction, ProductStatus};
use crate::domain::{Permission, Refusal};
use crate::ops::Session;
use crate::ops::verbs::{Entity, EntityOps, FieldKind, FieldSpec, Outcome, Target, Values, VerbSpec};
use crate::store::products as db;
use crate::{Error, Result};

use super::Edit;

/// A scheduled delisting's reasons, its default (seasonal) first: the form
/// starts on the first.
const SCHEDULE_REASONS: [&str; 6] = [
    "seasonal",
    "out_of_stock",
    "violation",
    "merchant_request",
    "replaced",
    "other",
];

/// Delist reasons as the command line spells them (the domain's list).
const REASONS: [&str; 6] = [
    "out_of_stock",
    "seasonal",
    "violation",
    "merchant_request",
    "replaced",
    "other",
];

const fn verb(name: &'static str, label: &'static str, about: &'static str) -> VerbSpec {
    VerbSpec {
        permission: Permission::ManageProducts,
        ..VerbSpec::new(Entity::Product, name, label, about)
    }
}

const fn field(name: &'static str, label: &'static str, help: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, label, help, kind)
}

const fn opt(name: &'static str, label: &'static str, help: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, label, help, kind).optional()
}

pub static VERBS: [VerbSpec; 10] = [
    VerbSpec {
        forward: true,
        batch: true,
        key: Some("U"),
        done: "submitted",
        ..verb("submit", "submit for review", "send a draft to listing review")
    },
    VerbSpec {
        forward: true,
        batch: true,
        key: Some("A"),
        done: "approved",
        ..verb(
            "approve",
            "approve",
            "approve a listing: runs the checklist (title, description, price, category, merchant active, brand authorisation) and lists it, or at its scheduled time",
        )
    },
    VerbSpec {
        key: Some("J"),
        fields: &[field(
            "reason",
            "reason",
            "why (the merchant is told)",
            FieldKind::Text,
        )],
        done: "rejected",
        ..verb(
            "reject",
            "reject…",
            "reject a listing under review; the merchant gets a notice",
        )
    },
    VerbSpec {
        key: Some("W"),
        done: "redrafted",
        ..verb(
            "redraft",
            "back to draft",
            "take a rejected listing back to draft to fix it",
        )
    },
    VerbSpec {
        batch: true,
        key: Some("D"),
        fields: &[
            field(
                "reason",
                "reason",
                "why it leaves sale",
                FieldKind::Choice(&REASONS),
            ),
            opt(
                "note",
                "note",
                "more detail, kept with the record",
                FieldKind::Text,
            ),
        ],
        done: "delisted",
        ..verb(
            "delist",
            "delist…",
            "take a listed product off sale with a reason",
        )
    },
    VerbSpec {
        key: Some("L"),
        done: "sent to review",
        ..verb(
            "relist",
            "relist",
            "put a delisted product back: it is reviewed again",
        )
    },
    VerbSpec {
        key: Some("E"),
        fields: &[
            opt("title", "title", "the product's title", FieldKind::Text),
            opt(
                "description",
                "description",
                "what buyers read",
                FieldKind::LongText,
            ),
            opt("spec", "spec", "specification", FieldKind::Text),
            opt("model", "model", "model number", FieldKind::Text),
            opt("origin", "origin", "place of origin", FieldKind::Text),
            opt("brand", "brand", "brand name (\"-\" clears it)", FieldKind::Text),
            opt(
                "branded",
                "branded",
                "a branded product: yes or no",
                FieldKind::Choice(&["yes", "no"]),
            ),
            opt("price", "price", "the selling price", FieldKind::Money),
            opt("cost", "cost", "the purchase cost (for margin)", FieldKind::Money),
            opt(
                "warranty_months",
                "warranty months",
                "months of warranty",
                FieldKind::Count,
            ),
            opt(
                "after_sales",
                "after-sales",
                "the after-sales policy buyers see",
                FieldKind::Text,
            ),
            opt(
                "threshold",
                "warning line",
                "low stock when available is at or under this",
                FieldKind::Count,
            ),
            opt(
                "category",
                "category",
                "a category path such as \"Home > Kitchen\"",
                FieldKind::Text,
            ),
        ],
        done: "edited",
        ..verb(
            "edit",
            "edit…",
            "edit master data; a listed product whose category or brand changes goes back to review",
        )
    },
    VerbSpec {
        key: Some("T"),
        fields: &[
            opt(
                "list_at",
                "list at",
                "when to list (once approved)",
                FieldKind::Time,
            ),
            opt("delist_at", "delist at", "when to delist", FieldKind::Time),
            opt(
                "reason",
                "delist reason",
                "the reason the delisting carries (default seasonal)",
                FieldKind::Choice(&SCHEDULE_REASONS),
            ),
            opt(
                "clear",
                "clear",
                "take a scheduled time away: list, delist or both (none: keep them)",
                FieldKind::Choice(&super::schedule::CLEAR_WORDS),
            ),
        ],
        done: "scheduled",
        ..verb(
            "schedule",
            "schedule…",
            "set (or clear) a time to list (after approval) or to delist",
        )
    },
    VerbSpec {
        group: Some("stock"),
        key: Some("I"),
        fields: &[
            field("qty", "quantity", "units received", FieldKind::Int),
            opt(
                "note",
                "note",
                "e.g. the supplier's delivery number",
                FieldKind::Text,
            ),
        ],
        done: "received",
        ..verb(
            "stock_receive",
            "receive stock…",
            "receive units into stock (a receive movement)",
        )
    },
    VerbSpec {
        group: Some("stock"),
        key: Some("N"),
        fields: &[
            field("counted", "counted", "units on the shelf", FieldKind::Count),
            field(
                "reason",
                "reason",
                "why it differs (kept with the adjust movement)",
                FieldKind::Text,
            ),
        ],
        done: "counted",
        ..verb(
            "stock_count",
            "count stock…",
            "record a shelf count: the difference is an adjust movement (never below reserved)",
        )
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
    let Some(p) = db::get(conn, id)? else {
        return Ok(None);
    };
    let name = super::label(conn, id)?;
    let status = super::status_of(&p)?;
    let money = |m: i64| Money(m).plain();
    let category = match p.category_id {
        Some(c) => db::category_path(conn, c)?.unwrap_or_default(),
        None => String::new(),
    };
    let prefill = vec![
        ("title", p.title.clone()),
        ("description", p.description.clone()),
        ("spec", p.spec.clone()),
        ("model", p.model.clone()),
        ("origin", p.origin.clone()),
        ("brand", p.brand.clone().unwrap_or_default()),
        ("branded", if p.branded { "yes" } else { "no" }.to_string()),
        (
            "price",
            if p.price_minor > 0 {
                money(p.price_minor)
            } else {
                String::new()
            },
        ),
        (
            "cost",
            p.cost_minor.filter(|c| *c > 0).map(money).unwrap_or_default(),
        ),
        ("warranty_months", p.warranty_months.to_string()),
        ("after_sales", p.after_sales.clone()),
        ("threshold", p.low_stock_threshold.to_string()),
        ("category", category),
    ];
    Ok(Some(Target {
        entity: Entity::Product,
        id: p.id,
        version: p.version,
        note: format!("{name} · {}", status.label()),
        name,
        prefill,
        state: vec![p.status.clone()],
    }))
}

/// A stand-in action with valid arguments, to ask the transition table.
fn sample(name: &str) -> Option<ProductAction> {
    Some(match name {
        "submit" => ProductAction::Submit,
        "approve" => ProductAction::Approve,
        "reject" => ProductAction::Reject { reason: "x".into() },
        "redraft" => ProductAction::Redraft,
        "delist" => ProductAction::Delist {
            reason: DelistReason::Other,
        },
        "relist" => ProductAction::Relist,
        _ => return None,
    })
}

fn state_refusal(verb: &VerbSpec, t: &Target) -> Option<Refusal> {
    let status: ProductStatus = t.state.first()?.parse().ok()?;
    let a = sample(verb.name)?;
    rules::next(status, &a).err()
}

fn text(v: &Values, name: &str) -> Option<String> {
    v.text(name).map(str::to_string)
}

fn reason(v: &Values) -> Result<Option<DelistReason>> {
    v.text("reason")
        .map(|r| r.parse::<DelistReason>().map_err(Error::Refused))
        .transpose()
}

/// The state-machine action a verb and its values stand for.
pub fn action(verb: &VerbSpec, v: &Values) -> Result<ProductAction> {
    Ok(match verb.name {
        "reject" => ProductAction::Reject {
            reason: text(v, "reason").unwrap_or_default(),
        },
        "delist" => ProductAction::Delist {
            reason: reason(v)?.ok_or_else(|| Error::input("product delist: --reason is required"))?,
        },
        name => sample(name).ok_or_else(|| Error::input(format!("product {name} is not a state change")))?,
    })
}

fn run(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    v: &Values,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    match verb.name {
        "stock_receive" => {
            let qty = v
                .int("qty")
                .ok_or_else(|| Error::input("product stock receive: --qty is required"))?;
            super::receive_at(s, id, shown, qty, v.text("note").unwrap_or(""), now)
        }
        "stock_count" => {
            let counted = v
                .int("counted")
                .ok_or_else(|| Error::input("product stock count: --counted is required"))?;
            super::count_at(s, id, shown, counted, v.text("reason").unwrap_or(""), now)
        }
        "edit" => super::edit_at(s, id, shown, &edit_of(v), now),
        "schedule" => {
            let delist = v
                .time("delist_at")
                .map(|t| Ok::<_, Error>((t, reason(v)?.unwrap_or(DelistReason::Seasonal))))
                .transpose()?;
            let clear = v
                .text("clear")
                .map(|c| c.parse::<super::Clear>().map_err(Error::input))
                .transpose()?
                .unwrap_or_default();
            let plan = super::Plan {
                list_at: v.time("list_at"),
                delist_at: delist,
                clear,
            };
            super::schedule_at(s, id, shown, &plan, now)
        }
        "delist" => {
            let a = action(verb, v)?;
            super::act_at(s, id, shown, &a, v.text("note"), now)
        }
        _ => super::act_at(s, id, shown, &action(verb, v)?, None, now),
    }
}

fn edit_of(v: &Values) -> Edit {
    Edit {
        title: text(v, "title"),
        description: text(v, "description"),
        spec: text(v, "spec"),
        model: text(v, "model"),
        origin: text(v, "origin"),
        brand: text(v, "brand").map(|b| if b.trim() == "-" { String::new() } else { b }),
        branded: v.text("branded").map(|b| b == "yes"),
        price_minor: v.int("price"),
        cost_minor: v.int("cost"),
        warranty_months: v.int("warranty_months"),
        after_sales: text(v, "after_sales"),
        threshold: v.int("threshold"),
        category: text(v, "category"),
    }
}

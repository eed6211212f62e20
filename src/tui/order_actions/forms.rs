//! The order forms: pack (weight), ship (carrier, tracking), shipment
//! event, cancel (reason, then y/n), change address (prefilled), merge
//! (into which order, then y/n). Each turns its valid values into a job.

use super::run::{Job, OneAct};
use super::{Op, Target};
use crate::ops::orders::AddressChange;
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::keymap::Context;
use crate::tui::overlays::form::{self, Field, Form, Rule};

/// The carriers offered when shipping; the last one asks for a name.
pub const CARRIERS: [&str; 8] = [
    "SF Express 顺丰",
    "JD Logistics 京东",
    "ZTO 中通",
    "YTO 圆通",
    "STO 申通",
    "Yunda 韵达",
    "EMS",
    "Other…",
];
const OTHER: usize = CARRIERS.len() - 1;

/// A form with the order and the action it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderForm {
    pub form: Form,
    pub target: Target,
    pub op: Op,
    /// The values the form started with (to send only what changed).
    pub initial: Vec<String>,
}

pub fn build(app: &App, op: Op, t: Target) -> OrderForm {
    let masked = !app.fmt.sees_pii();
    let (title, verb, fields) = match op {
        Op::Pack => (
            "pack",
            "pack",
            vec![Field::text(
                "weight (g)",
                Rule::PositiveInt,
                "parcel weight in grams, e.g. 850",
            )],
        ),
        Op::Ship => (
            "ship",
            "ship",
            vec![
                Field::choice("carrier", &CARRIERS, "←/→ or 1–8 to choose"),
                Field::text("carrier name", Rule::Required, "the carrier's name").only_if(0, OTHER),
                Field::text("tracking no", Rule::Token, "as printed on the waybill, no spaces"),
            ],
        ),
        Op::Event => (
            "shipment event",
            "add event",
            vec![
                Field::text("status", Rule::Required, "e.g. 运输中 in transit"),
                Field::text("location", Rule::Optional, "e.g. 杭州转运中心"),
                Field::text("note", Rule::Optional, "optional; the time is now"),
            ],
        ),
        Op::Cancel => (
            "cancel",
            "cancel order",
            vec![Field::text(
                "reason",
                Rule::Required,
                "stock is released; a paid order gets a refund record",
            )],
        ),
        Op::Address => {
            let pii = |v: &str| if masked { String::new() } else { v.to_string() };
            let hint = if masked {
                "masked for your role; empty keeps it"
            } else {
                ""
            };
            (
                "change address",
                "save address",
                vec![
                    Field::text("name", Rule::Required, "").with_value(&t.ship_name),
                    Field::text("phone", Rule::Optional, hint).with_value(&pii(&t.ship_phone)),
                    Field::text("address", Rule::Optional, hint).with_value(&pii(&t.ship_address)),
                    Field::text("city", Rule::Required, "").with_value(&t.ship_city),
                ],
            )
        }
        _ => (
            "merge",
            "merge",
            vec![Field::text(
                "into order",
                Rule::PositiveInt,
                "id of the order that absorbs this one (same customer, address, merchant)",
            )],
        ),
    };
    let initial = fields.iter().map(|f| f.value.clone()).collect();
    let form = Form::new(format!("{title} {}", t.name()), t.note(), verb, fields);
    OrderForm {
        form,
        target: t,
        op,
        initial,
    }
}

/// The footer of a form: its keys as bound now.
pub fn footer(app: &App, form: &Form) -> String {
    let stack = [Context::Form];
    let k = |a: Action| app.keymap.key_for(&stack, a).unwrap_or_default();
    format!(
        "{} {} · {} next field · {} cancel",
        k(Action::Submit),
        form.verb,
        k(Action::NextField),
        k(Action::Cancel)
    )
}

pub fn key(app: &mut App, mut f: Box<OrderForm>, a: Action) -> Vec<Effect> {
    match f.form.key(a) {
        form::Outcome::Stay => {
            app.overlay = Some(Overlay::Form(f));
            vec![]
        }
        form::Outcome::Cancel => {
            app.say(format!("{}: nothing changed", f.target.name()));
            vec![]
        }
        form::Outcome::Submit => submit(app, f),
    }
}

fn submit(app: &mut App, f: Box<OrderForm>) -> Vec<Effect> {
    let t = &f.target;
    let one = |act: OneAct| {
        Effect::Order(Box::new(Job::One {
            id: t.id,
            version: Some(t.version),
            act,
        }))
    };
    let v = |i: usize| f.form.value(i).to_string();
    let effect = match f.op {
        Op::Pack => match v(0).parse::<u32>() {
            Ok(g) => one(OneAct::Pack(g)),
            Err(_) => return refuse(app, f, "the weight must be a whole number of grams"),
        },
        Op::Ship => {
            let carrier = match f.form.fields[0].chosen() {
                Some(_) if f.form.choice(0) == OTHER => v(1),
                Some(c) => c.to_string(),
                None => v(1),
            };
            one(OneAct::Ship(carrier, v(2)))
        }
        Op::Event => one(OneAct::Event {
            status: v(0),
            location: v(1),
            note: v(2),
        }),
        Op::Cancel => {
            let prompt = format!("Cancel {}? reason: {}", t.name(), v(0));
            return confirm(app, prompt, one(OneAct::Cancel(v(0))));
        }
        Op::Address => {
            let masked = !app.fmt.sees_pii();
            let changed = |i: usize| {
                let new = v(i);
                let keep = new == f.initial[i].trim() || (masked && (i == 1 || i == 2) && new.is_empty());
                (!keep).then_some(new)
            };
            let change = AddressChange {
                name: changed(0),
                phone: changed(1),
                address: changed(2),
                city: changed(3),
            };
            if change == AddressChange::default() {
                return refuse(app, f, "nothing changed: edit a field, or esc to leave");
            }
            one(OneAct::Address(change))
        }
        _ => {
            let into = v(0).parse::<i64>().unwrap_or(0);
            if into == t.id {
                return refuse(app, f, "an order cannot be merged into itself");
            }
            let prompt = format!("Merge {} into order {into}? It becomes merged.", t.name());
            return confirm(app, prompt, one(OneAct::Merge(into)));
        }
    };
    vec![effect]
}

fn refuse(app: &mut App, mut f: Box<OrderForm>, why: &str) -> Vec<Effect> {
    f.form.error = Some(why.to_string());
    app.overlay = Some(Overlay::Form(f));
    vec![]
}

fn confirm(app: &mut App, prompt: String, effect: Effect) -> Vec<Effect> {
    app.overlay = Some(Overlay::Confirm {
        prompt,
        effect: Box::new(effect),
    });
    vec![]
}

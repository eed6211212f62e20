//! Order actions on the Orders screen (SPEC §4.3): every workflow of
//! `ops::orders` on the cursor row or the order in the detail view, and the
//! batch ones (approve, pick, print) on the Space selection.
//!
//! Keys resolve to `Action::Order*` through the `[orders]` keymap table;
//! `update` turns one into an overlay (a form, the hold-reason menu, the `a`
//! action menu, a y/n confirmation) or an [`Effect::Order`] job, and
//! `run.rs` executes jobs: the workflow call, the status-bar message, and the
//! reload of the list row and the detail view.
//!
//! The version passed to a workflow is the one the screen showed: the detail
//! view's, or the list row's (the list refreshes every second, so that is
//! what the person saw); a change by someone else since is a conflict,
//! reported with who and when, and `r` reloads.

mod forms;
mod run;

pub use forms::{CARRIERS, OrderForm, footer};
pub use run::{Job, OneAct, Then};

use crate::domain::order::{self as rules, HoldReason, OrderAction, OrderStatus};
use crate::domain::{Permission, Role};
use crate::store::lists::order_queues;
use crate::store::lists::orders::Detail;
use crate::tui::action::Action;
use crate::tui::app::{App, Chip, Effect, Overlay};
use crate::tui::keymap::Context;
use crate::tui::overlays::menu::{self, Item, Menu};
use crate::tui::screens::{DetailData, Tab};

/// One order action, whatever key or menu entry asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Pay,
    Approve,
    Hold,
    Release,
    Pick,
    Pack,
    Ship,
    Event,
    Deliver,
    Complete,
    Cancel,
    Address,
    Merge,
    Print,
}

impl Op {
    pub const ALL: [Op; 14] = [
        Op::Pay,
        Op::Approve,
        Op::Hold,
        Op::Release,
        Op::Pick,
        Op::Pack,
        Op::Ship,
        Op::Event,
        Op::Deliver,
        Op::Complete,
        Op::Cancel,
        Op::Address,
        Op::Merge,
        Op::Print,
    ];

    pub fn action(self) -> Action {
        match self {
            Op::Pay => Action::OrderPay,
            Op::Approve => Action::OrderApprove,
            Op::Hold => Action::OrderHold,
            Op::Release => Action::OrderRelease,
            Op::Pick => Action::OrderPick,
            Op::Pack => Action::OrderPack,
            Op::Ship => Action::OrderShip,
            Op::Event => Action::OrderEvent,
            Op::Deliver => Action::OrderDeliver,
            Op::Complete => Action::OrderComplete,
            Op::Cancel => Action::OrderCancel,
            Op::Address => Action::OrderAddress,
            Op::Merge => Action::OrderMerge,
            Op::Print => Action::OrderPrint,
        }
    }

    pub fn from_action(a: Action) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.action() == a)
    }

    /// The menu entry ("…" when a form or choice follows).
    pub fn label(self) -> &'static str {
        match self {
            Op::Pay => "pay",
            Op::Approve => "approve",
            Op::Hold => "hold…",
            Op::Release => "release hold",
            Op::Pick => "start picking",
            Op::Pack => "pack…",
            Op::Ship => "ship…",
            Op::Event => "shipment event…",
            Op::Deliver => "mark delivered",
            Op::Complete => "complete",
            Op::Cancel => "cancel…",
            Op::Address => "change address…",
            Op::Merge => "merge into…",
            Op::Print => "print pick list",
        }
    }

    /// The verb in refusals ("cannot ship").
    pub fn verb(self) -> &'static str {
        match self {
            Op::Event => "add a shipment event",
            Op::Address => "change the address",
            Op::Print => "print a pick list",
            op => op.action().name().trim_start_matches("order_"),
        }
    }

    /// Moves the order along its pipeline (the menu starts on these).
    fn forward(self) -> bool {
        matches!(
            self,
            Op::Pay | Op::Approve | Op::Release | Op::Pick | Op::Pack | Op::Ship | Op::Deliver | Op::Complete
        )
    }

    /// Works on the Space selection when there is one.
    pub fn batch(self) -> bool {
        matches!(self, Op::Approve | Op::Pick | Op::Print)
    }

    fn permission(self) -> Permission {
        match self {
            Op::Hold | Op::Address => Permission::HoldOrChangeAddress,
            _ => Permission::ManageOrders,
        }
    }

    /// A stand-in action for checking the transition table.
    fn sample(self) -> Option<OrderAction> {
        Some(match self {
            Op::Pay => OrderAction::Pay,
            Op::Approve => OrderAction::Approve,
            Op::Hold => OrderAction::Hold(HoldReason::Other),
            Op::Release => OrderAction::Release,
            Op::Pick => OrderAction::Pick,
            Op::Pack => OrderAction::Pack { weight_g: 1 },
            Op::Ship => OrderAction::Ship {
                carrier: "x".into(),
                tracking: "x".into(),
            },
            Op::Deliver => OrderAction::Deliver,
            Op::Complete => OrderAction::Complete,
            Op::Cancel => OrderAction::Cancel { reason: "x".into() },
            Op::Address => OrderAction::ChangeAddress,
            Op::Merge => OrderAction::MergeInto(i64::MAX),
            Op::Event | Op::Print => return None,
        })
    }
}

/// The order an action is about, as the screen showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub external_id: String,
    pub version: i64,
    pub status: OrderStatus,
    pub held_from: Option<OrderStatus>,
    pub customer: String,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
}

impl Target {
    pub fn from_detail(d: &Detail) -> Option<Target> {
        Some(Target {
            id: d.row.id,
            external_id: d.row.external_id.clone(),
            version: d.version,
            status: d.row.status.parse().ok()?,
            held_from: d.held_from.as_deref().and_then(|s| s.parse().ok()),
            customer: d.row.customer_name.clone(),
            ship_name: d.ship_name.clone(),
            ship_phone: d.ship_phone.clone(),
            ship_address: d.ship_address.clone(),
            ship_city: d.ship_city.clone(),
        })
    }

    /// "order 7 (DY00000007)".
    pub fn name(&self) -> String {
        format!("order {} ({})", self.id, self.external_id)
    }

    /// "order 7 (DY00000007) · on hold · 张伟".
    pub fn note(&self) -> String {
        format!("{} · {} · {}", self.name(), self.status.label(), self.customer)
    }
}

/// Why `role` cannot do `op` on `t` now, if so: the role's refusal
/// ("the support role may not change orders") or what the state machine
/// needs ("needs packed").
pub fn unavailable(op: Op, role: Role, t: &Target) -> Option<String> {
    role_refusal(op, role).or_else(|| state_needs(op, t))
}

fn role_refusal(op: Op, role: Role) -> Option<String> {
    role.require(op.permission()).err().map(|r| r.to_string())
}

/// "needs packed" when the order's state does not allow `op`.
fn state_needs(op: Op, t: &Target) -> Option<String> {
    let needs = |ok: bool, what: &str| (!ok).then(|| format!("needs {what}"));
    match op {
        Op::Event => needs(
            matches!(t.status, OrderStatus::Shipped | OrderStatus::Delivered),
            "shipped or delivered",
        ),
        Op::Print => needs(
            matches!(t.status, OrderStatus::Approved | OrderStatus::Picking),
            "approved or picking",
        ),
        _ => {
            let a = op.sample()?;
            let r = rules::next(t.status, t.held_from, &a).err()?.0;
            let why = match r.rsplit_once(" needs ") {
                Some((_, list)) => format!("needs {}", list.trim_end_matches(')')),
                None => r.split_once(": ").map_or(r.clone(), |(_, w)| w.to_string()),
            };
            Some(why.replace('_', " "))
        }
    }
}

/// Whether `update` should hand `a` to this module.
pub fn handles(app: &App, a: Action) -> bool {
    Op::from_action(a).is_some() || (a == Action::BulkActions && app.tab == Tab::Orders)
}

/// The order shown in the Orders detail view.
fn detail_target(app: &App) -> Option<Target> {
    match app.detail(Tab::Orders).map(|d| &d.data) {
        Some(DetailData::Order(d, _)) => Target::from_detail(d),
        _ => None,
    }
}

fn selection(app: &App) -> Vec<i64> {
    let mut ids: Vec<i64> = app.lists[Tab::Orders.index()].selected.iter().copied().collect();
    ids.sort_unstable();
    ids
}

pub fn update(app: &mut App, a: Action) -> Vec<Effect> {
    if app.tab != Tab::Orders {
        let key = app
            .keymap
            .key_for(&[Context::Global], Action::TabOrders)
            .unwrap_or_else(|| "3".into());
        app.warn(format!("order actions work on the Orders screen (press {key})"));
        return vec![];
    }
    let in_detail = app.detail(Tab::Orders).is_some();
    if in_detail {
        let Some(t) = detail_target(app) else {
            app.warn("this order's status is not one shopdesk knows; run `shopdesk check`");
            return vec![];
        };
        return match Op::from_action(a) {
            Some(op) => start(app, op, t),
            None => {
                open_menu(app, Some(t), Vec::new());
                vec![]
            }
        };
    }
    let ids = selection(app);
    let cursor = app.lists[Tab::Orders.index()]
        .current()
        .map(|r| (r.id, r.version));
    let op = Op::from_action(a);
    if let Some(op) = op
        && op.batch()
        && !ids.is_empty()
    {
        return batch(app, op, ids);
    }
    match (cursor, op) {
        (Some((id, shown)), Some(op)) => job(Job::Load {
            id,
            shown,
            then: Then::Start(op),
        }),
        (Some((id, shown)), None) => job(Job::Load {
            id,
            shown,
            then: Then::Menu,
        }),
        (None, None) if !ids.is_empty() => {
            open_menu(app, None, ids);
            vec![]
        }
        (None, _) => {
            app.say("no order here (the list is empty)");
            vec![]
        }
    }
}

fn job(j: Job) -> Vec<Effect> {
    vec![Effect::Order(Box::new(j))]
}

/// Batch approve / pick / print on `ids`.
pub fn batch(app: &mut App, op: Op, ids: Vec<i64>) -> Vec<Effect> {
    if let Err(r) = app.session.actor.role.require(op.permission()) {
        app.warn(r.to_string());
        return vec![];
    }
    match op {
        Op::Print => job(Job::Print { ids }),
        _ => job(Job::Batch { op, ids }),
    }
}

/// Starts `op` on one order: runs it, or opens its form or reason menu.
pub fn start(app: &mut App, op: Op, t: Target) -> Vec<Effect> {
    let one = |act: OneAct| {
        job(Job::One {
            id: t.id,
            version: Some(t.version),
            act,
        })
    };
    match op {
        // Direct actions: the workflow itself checks role and state, against
        // the current row, so a stale screen gives a conflict, not a guess.
        Op::Pay => one(OneAct::Pay),
        Op::Approve => one(OneAct::Approve),
        Op::Release => one(OneAct::Release),
        Op::Pick => one(OneAct::Pick),
        Op::Deliver => one(OneAct::Deliver),
        Op::Complete => one(OneAct::Complete),
        Op::Print => batch(app, op, vec![t.id]),
        _ => {
            if let Some(r) = role_refusal(op, app.session.actor.role) {
                app.warn(format!("{}: {r}", t.name()));
                return vec![];
            }
            if let Some(why) = state_needs(op, &t) {
                let (name, verb, status) = (t.name(), op.verb(), t.status.label());
                app.warn(format!("{name}: cannot {verb}: it is {status}; {verb} {why}"));
                return vec![];
            }
            if op == Op::Hold {
                let items = HoldReason::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Item::new((i + 1).to_string(), r.label(), None, Pick::Hold(*r)))
                    .collect();
                let title = format!("hold {} — why?", t.name());
                app.overlay = Some(Overlay::Menu(Box::new(OrderMenu {
                    menu: Menu::new(title, items),
                    target: Some(t),
                    ids: Vec::new(),
                })));
                return vec![];
            }
            let form = forms::build(app, op, t);
            app.overlay = Some(Overlay::Form(Box::new(form)));
            vec![]
        }
    }
}

/// What a menu entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    One(Op),
    Batch(Op),
    Hold(HoldReason),
}

/// The `a` action menu or the hold-reason menu, with what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderMenu {
    pub menu: Menu<Pick>,
    pub target: Option<Target>,
    pub ids: Vec<i64>,
}

/// Opens the action menu: batch entries for the selection, then every
/// action on `target`, unavailable ones marked with the reason.
pub fn open_menu(app: &mut App, target: Option<Target>, ids: Vec<i64>) {
    let role = app.session.actor.role;
    let stack = [Context::Orders];
    let key = |op: Op| app.keymap.key_for(&stack, op.action()).unwrap_or_default();
    let mut items = Vec::new();
    let n = ids.len();
    if n > 0 {
        let denied = role
            .require(Permission::ManageOrders)
            .err()
            .map(|r| r.to_string());
        items.push(Item::heading(format!("{n} selected")));
        for (op, label) in [
            (Op::Approve, format!("approve {n} selected")),
            (Op::Pick, format!("start picking {n} selected")),
            (Op::Print, format!("print pick list + packing slips ({n})")),
        ] {
            items.push(Item::new(key(op), label, denied.clone(), Pick::Batch(op)));
        }
    }
    if let Some(t) = &target {
        items.push(Item::heading(t.note()));
        for op in Op::ALL {
            // With a selection, these keys act on it; the entry acts on this order.
            let k = if n > 0 && op.batch() {
                String::new()
            } else {
                key(op)
            };
            items.push(Item::new(k, op.label(), unavailable(op, role, t), Pick::One(op)));
        }
    }
    let title = "actions — enter runs, esc closes".to_string();
    let mut menu = Menu::new(title, items);
    // Without a selection, start on the order's next step.
    if n == 0
        && let Some(i) = menu.items.iter().position(|i| {
            i.unavailable.is_none() && i.pick.is_some_and(|p| matches!(p, Pick::One(op) if op.forward()))
        })
    {
        menu.selected = i;
    }
    app.overlay = Some(Overlay::Menu(Box::new(OrderMenu { menu, target, ids })));
}

/// A key in an order menu.
pub fn menu_key(app: &mut App, mut m: Box<OrderMenu>, a: Action) -> Vec<Effect> {
    match m.menu.key(a) {
        menu::Outcome::Stay => {
            app.overlay = Some(Overlay::Menu(m));
            vec![]
        }
        menu::Outcome::Close => vec![],
        menu::Outcome::Chosen(Err(why)) => {
            app.warn(why);
            app.overlay = Some(Overlay::Menu(m));
            vec![]
        }
        menu::Outcome::Chosen(Ok(pick)) => match (pick, m.target) {
            (Pick::Batch(op), _) => batch(app, op, m.ids),
            (Pick::One(op), Some(t)) => start(app, op, t),
            (Pick::Hold(r), Some(t)) => job(Job::One {
                id: t.id,
                version: Some(t.version),
                act: OneAct::Hold(r),
            }),
            (_, None) => vec![],
        },
    }
}

/// A key in an order form.
pub fn form_key(app: &mut App, f: Box<OrderForm>, a: Action) -> Vec<Effect> {
    forms::key(app, f, a)
}

/// Adds the exception queues to the Orders status chips: each hold reason
/// right under "on hold", and "late to ship" (now) at the end.
pub fn add_queue_chips(app: &App, chips: &mut Vec<Chip>) -> crate::Result<()> {
    let now = crate::clock::stamp(app.fmt.now);
    let mut queues = order_queues::chips(&app.session.conn, &now)?;
    let late = queues.pop();
    let at = chips
        .iter()
        .position(|c| c.status.as_deref() == Some(OrderStatus::OnHold.as_str()))
        .map_or(chips.len(), |i| i + 1);
    let held = queues.into_iter().map(|(status, label, n)| Chip {
        status: Some(status),
        label: format!("  ↳ {}", label.trim_start_matches("on hold: ")),
        n,
    });
    chips.splice(at..at, held);
    if let Some((status, label, n)) = late {
        chips.push(Chip {
            status: Some(status),
            label,
            n,
        });
    }
    Ok(())
}

/// A character typed in an order menu: the entry with that key is chosen,
/// as if it were selected and Enter pressed.
pub fn menu_typed(app: &mut App, s: &str) {
    let Some(Overlay::Menu(m)) = &mut app.overlay else {
        return;
    };
    let hit = m
        .menu
        .items
        .iter()
        .position(|it| it.pick.is_some() && !it.key.is_empty() && it.key == s);
    if let Some(i) = hit {
        m.menu.selected = i;
        app.dispatch(Action::Submit);
    }
}

//! Every verb of the verb table has every face: a CLI subcommand with a flag
//! per field, a keymap action bound by default to the key the table names,
//! a palette entry and a help line; every transition of a built state
//! machine has a verb; and the keymap file binds no verb the table lacks.

use std::collections::HashSet;

use clap::CommandFactory;
use shopdesk::cli::Cli;
use shopdesk::domain::order::{self, HoldReason, OrderAction, OrderStatus};
use shopdesk::domain::settlement::{self as settlement, StatementAction, StatementStatus};
use shopdesk::ops::verbs::{self, Entity, FieldKind};
use shopdesk::tui::action::Action;
use shopdesk::tui::keymap::{Context, Keymap};

fn context_of(e: Entity) -> Context {
    match e {
        Entity::Merchant => Context::Merchants,
        Entity::Product => Context::Products,
        Entity::Order => Context::Orders,
        Entity::Ticket => Context::Tickets,
        Entity::Settlement => Context::Settlement,
    }
}

#[test]
fn every_verb_is_unique_and_has_a_cli_subcommand_with_its_flags() {
    let mut seen = HashSet::new();
    let cli = Cli::command();
    for v in verbs::all() {
        assert!(
            seen.insert((v.entity, v.name)),
            "{} {} defined twice",
            v.entity,
            v.name
        );
        assert!(
            !v.about.is_empty() && !v.label.is_empty(),
            "{} {}",
            v.entity,
            v.name
        );
        let entity = cli
            .find_subcommand(v.entity.as_str())
            .unwrap_or_else(|| panic!("no `shopdesk {}`", v.entity));
        let parent = match v.group {
            Some(g) => entity
                .find_subcommand(g.replace('_', "-"))
                .unwrap_or_else(|| panic!("no `shopdesk {} {g}`", v.entity)),
            None => entity,
        };
        let sub = parent
            .find_subcommand(v.cli_name())
            .unwrap_or_else(|| panic!("no `shopdesk {} {}`", v.entity, v.cli_path()));
        assert_eq!(sub.get_about().map(|s| s.to_string()).as_deref(), Some(v.about));
        for f in v.fields {
            let flag = f.name.replace('_', "-");
            let arg = sub
                .get_arguments()
                .find(|a| match f.positional {
                    true => a.get_id() == f.name && a.is_positional(),
                    false => a.get_long() == Some(flag.as_str()),
                })
                .unwrap_or_else(|| panic!("`{} {}` has no {flag}", v.entity, v.cli_path()));
            assert!(arg.get_help().is_some(), "--{flag} has no help");
            assert_eq!(arg.is_required_set(), f.required, "--{flag}");
            if let FieldKind::Choice(options) = f.kind {
                let listed: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|p| p.get_name().to_string())
                    .collect();
                assert_eq!(listed, options, "--{flag} lists its allowed values");
            }
        }
        for alias in v.aliases {
            assert!(
                entity.find_subcommand(alias.replace('_', "-")).is_some(),
                "the old name `{} {alias}` still works",
                v.entity
            );
        }
    }
}

#[test]
fn the_default_keymap_and_the_table_agree() {
    let km = Keymap::defaults();
    for v in verbs::all() {
        let a = Action::of_verb(v).expect("every verb is an action");
        assert_eq!(a.name(), format!("{}_{}", v.entity, v.name));
        assert_eq!(Action::from_name(a.name()), Some(a));
        let bound = km.key_for(&[context_of(v.entity)], a);
        assert_eq!(
            bound.as_deref(),
            v.key,
            "keymaps/default.toml vs the table for {}",
            a.name()
        );
    }
    // Nothing in a screen table runs a verb of another entity or one the table lacks.
    for e in Entity::ALL {
        for b in km.bindings(context_of(e)) {
            if let Some(v) = b.action.verb() {
                assert_eq!(
                    v.entity,
                    e,
                    "{} bound in [{}]",
                    b.action.name(),
                    context_of(e).name()
                );
            }
        }
    }
}

#[test]
fn renamed_keymap_actions_still_work_and_say_their_new_name() {
    let (km, notes) = Keymap::build(Some(("keymap.toml", "[orders]\nW = \"order_address\"\n")));
    let change = verbs::find(Entity::Order, "change_address").unwrap();
    assert_eq!(
        km.key_for(&[Context::Orders], Action::of_verb(change).unwrap())
            .as_deref(),
        Some("W")
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("keymap.toml:2") && n.contains("now called \"order_change_address\"")),
        "{notes:?}"
    );
}

#[test]
fn every_verb_is_in_the_palette_and_the_action_list() {
    let all = Action::all();
    for v in verbs::all() {
        let a = Action::of_verb(v).unwrap();
        assert!(all.contains(&a));
        let found = shopdesk::tui::update::palette_matches(v.name);
        assert!(found.contains(&a), "palette finds {}", a.name());
        // Typed as words ("settlement pay"), the verb is the first match.
        let words = format!("{} {}", v.entity, v.name.replace('_', " "));
        let found = shopdesk::tui::update::palette_matches(&words);
        assert_eq!(found.first(), Some(&a), "palette's first for {words:?}");
        assert!(a.description().contains(v.about));
    }
}

/// Every action the order state machine allows from some state has a verb.
#[test]
fn every_order_transition_has_a_verb() {
    let samples = [
        OrderAction::Pay,
        OrderAction::Approve,
        OrderAction::Hold(HoldReason::Other),
        OrderAction::Release,
        OrderAction::Pick,
        OrderAction::Pack { weight_g: 1 },
        OrderAction::Ship {
            carrier: "x".into(),
            tracking: "y".into(),
        },
        OrderAction::Deliver,
        OrderAction::Complete,
        OrderAction::Cancel { reason: "x".into() },
        OrderAction::MergeInto(2),
        OrderAction::ChangeAddress,
    ];
    for a in &samples {
        let reachable = OrderStatus::ALL
            .iter()
            .any(|s| order::next(*s, Some(OrderStatus::Paid), a).is_ok());
        assert!(reachable, "{} is allowed from no state", a.name());
        assert!(
            verbs::find(Entity::Order, a.name()).is_some(),
            "order action {} has no verb",
            a.name()
        );
    }
}

/// Every transition of a statement (SPEC §4.6) has a verb, and the verb's
/// availability is the state machine's.
#[test]
fn every_statement_transition_has_a_verb() {
    for a in [StatementAction::Confirm, StatementAction::Pay] {
        let verb = verbs::find(Entity::Settlement, a.as_str())
            .unwrap_or_else(|| panic!("statement action {} has no verb", a.as_str()));
        for from in StatementStatus::ALL {
            let t = target_in(from);
            let allowed = settlement::next(from, a).is_ok();
            let refused = verb.unavailable(shopdesk::domain::Role::Owner, &t).is_some();
            assert_eq!(allowed, !refused, "{} from {from}", a.as_str());
        }
        assert!(
            verb.unavailable(
                shopdesk::domain::Role::Operator,
                &target_in(StatementStatus::Draft)
            )
            .is_some(),
            "owner only"
        );
    }
}

fn target_in(s: StatementStatus) -> verbs::Target {
    verbs::Target {
        entity: Entity::Settlement,
        id: 1,
        version: 1,
        name: "statement 1".into(),
        note: String::new(),
        prefill: Vec::new(),
        state: vec![s.as_str().to_string()],
    }
}

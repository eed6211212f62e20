//! Keymap validation: which actions mean something in which context, prefix
//! clashes, and whether a key is left to quit. Every check is one pass with
//! hash sets, so a large file costs time in proportion to its size.

use std::collections::HashMap;

use crossterm::event::KeyModifiers;

use super::{Binding, Context, Key, Keymap, chord_text};
use crate::ops::verbs::Entity;
use crate::tui::action::Action;

/// Actions only an overlay acts on (`update::overlay` and the forms).
const OVERLAY_ONLY: &[Action] = &[
    Action::Submit,
    Action::Cancel,
    Action::DeleteBack,
    Action::ClearInput,
    Action::NextField,
    Action::PrevField,
    Action::ChoiceNext,
    Action::ChoicePrev,
    Action::EditExternal,
];

/// What `update::detail` ignores: these act on list rows only.
const LIST_ONLY: &[Action] = &[
    Action::Open,
    Action::ToggleSelect,
    Action::ClearSelection,
    Action::FilterText,
    Action::FilterStatus,
    Action::ClearFilters,
    Action::SortNext,
    Action::SortReverse,
    Action::Export,
];

/// What works on every screen, lists or not (`update::update` before it
/// hands the action to a list or detail).
const SCREEN_WIDE: &[Action] = &[
    Action::Quit,
    Action::ForceQuit,
    Action::NextTab,
    Action::PrevTab,
    Action::TabMerchants,
    Action::TabProducts,
    Action::TabOrders,
    Action::TabTickets,
    Action::TabDashboard,
    Action::Help,
    Action::Palette,
];

/// What only the dashboard acts on (its `Screen::key`).
const DASHBOARD_ONLY: &[Action] = &[
    Action::DashToday,
    Action::Dash7d,
    Action::Dash30d,
    Action::Dash90d,
    Action::DashThisMonth,
    Action::DashLastMonth,
    Action::DashCustom,
    Action::DashPrevPeriod,
    Action::DashNextPeriod,
    Action::DashNextAlert,
    Action::DashPrevAlert,
    Action::DashOpenAlert,
    Action::DashPanels,
    Action::DashRefresh,
];

/// The actions each overlay acts on (see `update::overlay`, the menu and
/// the form); force_quit works in all of them.
fn modal_actions(ctx: Context) -> &'static [Action] {
    use Action::*;
    match ctx {
        Context::Help => &[
            Back, Cancel, Help, Quit, Down, Up, PageDown, PageUp, FirstRow, LastRow, ForceQuit,
        ],
        Context::Palette => &[Cancel, Back, Submit, Down, Up, DeleteBack, ClearInput, ForceQuit],
        Context::Prompt => &[Cancel, Back, Submit, DeleteBack, ClearInput, ForceQuit],
        // The status picker and the order action menu.
        Context::Picker | Context::Settlement => {
            &[Cancel, Back, Quit, Submit, Down, Up, FirstRow, LastRow, ForceQuit]
        }
        Context::Confirm => &[Submit, Cancel, Back, ForceQuit],
        Context::Form => &[
            Cancel,
            Back,
            Submit,
            NextField,
            PrevField,
            Down,
            Up,
            ChoiceNext,
            ChoicePrev,
            DeleteBack,
            ClearInput,
            EditExternal,
            ForceQuit,
        ],
        _ => &[],
    }
}

fn names(list: &[Action]) -> String {
    list.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
}

/// Why `action` bound to `keys` in `ctx` could never do anything, if so.
pub(super) fn meaningless(ctx: Context, action: Action, keys: &[Key]) -> Option<String> {
    let here = format!("\"{}\" does nothing in [{}]", action.name(), ctx.name());
    // The Settlement view takes the settlement verbs besides its picker keys.
    if ctx == Context::Settlement && action.verb().is_some_and(|v| v.entity == Entity::Settlement) {
        return None;
    }
    if ctx.is_modal() {
        let ok = modal_actions(ctx);
        return (!ok.contains(&action)).then(|| format!("{here} (it acts on: {})", names(ok)));
    }
    // Overlays pass ctrl-keys down to [global], so an overlay action on a
    // ctrl-key there does reach them.
    let reaches_overlays = ctx == Context::Global
        && keys
            .first()
            .is_some_and(|k| k.mods.contains(KeyModifiers::CONTROL));
    if OVERLAY_ONLY.contains(&action) && !reaches_overlays {
        return Some(format!(
            "{here}: it belongs to an overlay table ([palette], [prompt], [picker], [confirm] or [form])"
        ));
    }
    // A verb works on its own entity's screen (and [table]/[detail]/[global]
    // under it); on another screen it can never act.
    let screen_entity = match ctx {
        Context::Merchants => Some(Entity::Merchant),
        Context::Products => Some(Entity::Product),
        Context::Orders => Some(Entity::Order),
        Context::Tickets => Some(Entity::Ticket),
        _ => None,
    };
    if let (Some(v), Some(e)) = (action.verb(), screen_entity)
        && v.entity != e
    {
        let table = match v.entity {
            Entity::Settlement => "settlement".to_string(),
            e => format!("{e}s"),
        };
        return Some(format!(
            "{here}: {} actions work on the {} screen ([{table}])",
            v.entity, v.entity
        ));
    }
    let is_order = action == Action::OrderPrint;
    match ctx {
        Context::Detail if LIST_ONLY.contains(&action) => {
            Some(format!("{here}: it acts on list rows ([table])"))
        }
        Context::Dashboard if !SCREEN_WIDE.contains(&action) && !DASHBOARD_ONLY.contains(&action) => {
            Some(format!(
                "{here}: the dashboard has no rows (it takes: {} and the dash_ actions)",
                names(SCREEN_WIDE)
            ))
        }
        Context::Global | Context::Dashboard => None,
        _ if DASHBOARD_ONLY.contains(&action) => {
            Some(format!("{here}: it works on the dashboard ([dashboard])"))
        }
        Context::Merchants | Context::Products | Context::Tickets if is_order => Some(format!(
            "{here}: order actions work on the orders screen ([orders])"
        )),
        _ => None,
    }
}

/// Warns when no key quits: with `q` and `ctrl-c` both unbound only the
/// palette's `:quit` is left (and nothing at all without the palette).
pub(super) fn quit_warning(km: &Keymap, path: &str) -> Option<String> {
    let global = km.bindings(Context::Global);
    let quits = global
        .iter()
        .any(|b| matches!(b.action, Action::Quit | Action::ForceQuit));
    if quits {
        return None;
    }
    let palette = global.iter().find(|b| b.action == Action::Palette);
    Some(match palette {
        Some(p) => format!(
            "{path}: warning: no key in [global] quits (quit and force_quit are unbound): only `{} quit` in the palette is left",
            chord_text(&p.keys)
        ),
        None => format!(
            "{path}: warning: no key in [global] quits and the palette is unbound: nothing but a signal ends shopdesk"
        ),
    })
}

/// The context pairs a key is looked up in together: each with itself, and
/// each screen or table/detail with the ones below it. The dashboard is
/// not a list: its stack is itself and global (`App::screen_stack`).
fn stacked_pairs() -> Vec<(Context, Context)> {
    let mut pairs: Vec<(Context, Context)> = Context::ALL.iter().map(|&c| (c, c)).collect();
    for s in Context::ALL.into_iter().filter(|c| c.is_screen()) {
        if s == Context::Dashboard {
            pairs.push((s, Context::Global));
        } else {
            pairs.extend([(s, Context::Table), (s, Context::Detail), (s, Context::Global)]);
        }
    }
    pairs.extend([
        (Context::Table, Context::Global),
        (Context::Detail, Context::Global),
    ]);
    pairs
}

/// Every proper prefix of every chord in a context, with the first binding
/// that has it. Chords are at most `MAX_CHORD_KEYS` long, so this is linear.
fn prefixes(list: &[Binding]) -> HashMap<&[Key], &Binding> {
    let mut out = HashMap::new();
    for b in list {
        for n in 1..b.keys.len() {
            out.entry(&b.keys[..n]).or_insert(b);
        }
    }
    out
}

/// Prefix clashes ("g" and "g g") within a context or between a context
/// and the ones below it in a lookup stack, and chords bound twice.
pub(super) fn clashes(km: &Keymap) -> Vec<String> {
    let mut errors = Vec::new();
    let pre: Vec<HashMap<&[Key], &Binding>> =
        Context::ALL.iter().map(|&c| prefixes(km.bindings(c))).collect();
    let clash = |short: &Binding, sc: Context, long: &Binding, lc: Context| {
        format!(
            "{}: [{}] \"{}\" is a prefix of \"{}\" ([{}], {}): the longer chord could never be typed",
            short.origin,
            sc.name(),
            chord_text(&short.keys),
            chord_text(&long.keys),
            lc.name(),
            long.origin
        )
    };
    for (a, b) in stacked_pairs() {
        for x in km.bindings(a) {
            if let Some(y) = pre[b as usize].get(x.keys.as_slice()) {
                errors.push(clash(x, a, y, b));
            }
        }
        if a != b {
            for y in km.bindings(b) {
                if let Some(x) = pre[a as usize].get(y.keys.as_slice()) {
                    errors.push(clash(y, b, x, a));
                }
            }
        }
    }
    for c in Context::ALL {
        let mut seen: HashMap<&[Key], &Binding> = HashMap::new();
        for b in km.bindings(c) {
            if let Some(first) = seen.insert(&b.keys, b) {
                errors.push(format!(
                    "{}: [{}] \"{}\" is bound twice (also {})",
                    b.origin,
                    c.name(),
                    chord_text(&b.keys),
                    first.origin
                ));
            }
        }
    }
    errors
}

//! The one list of things a person can do. The keymap file names these, the
//! `?` help shows their descriptions and the `:` palette runs them by name,
//! so the three cannot drift apart. Workflow verbs are not listed here: each
//! row of the verb table (`ops::verbs`) is an `Action::Verb`, named
//! `{entity}_{verb}` ("order_ship").

use std::sync::OnceLock;

use crate::ops::verbs::{self, VerbSpec};

macro_rules! actions {
    ($($variant:ident = $name:literal, $desc:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)+
            /// The verb with this index in `ops::verbs::all()`.
            Verb(u16),
        }

        impl Action {
            /// The actions that are not verbs.
            pub const FIXED: &'static [Action] = &[$(Action::$variant,)+];

            /// The name used in keymap files and the palette.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                    Action::Verb(i) => verb_names().get(usize::from(i)).map_or("unknown_verb", |(n, _)| n.as_str()),
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)+
                    Action::Verb(i) => verb_names().get(usize::from(i)).map_or("", |(_, d)| d.as_str()),
                }
            }

            fn fixed_from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Quit = "quit", "quit (from the top level)";
    ForceQuit = "force_quit", "quit at once";
    NextTab = "next_tab", "next screen";
    PrevTab = "prev_tab", "previous screen";
    TabMerchants = "tab_merchants", "go to Merchants";
    TabProducts = "tab_products", "go to Products";
    TabOrders = "tab_orders", "go to Orders";
    TabTickets = "tab_tickets", "go to Tickets";
    TabDashboard = "tab_dashboard", "go to Dashboard";
    Down = "down", "move down one row";
    Up = "up", "move up one row";
    PageDown = "page_down", "page down";
    PageUp = "page_up", "page up";
    HalfPageDown = "half_page_down", "half a page down";
    HalfPageUp = "half_page_up", "half a page up";
    FirstRow = "first_row", "go to the first row";
    LastRow = "last_row", "go to the last row";
    Open = "open", "open the detail view";
    Back = "back", "back / cancel";
    ToggleSelect = "toggle_select", "select or unselect the row";
    ClearSelection = "clear_selection", "unselect all rows";
    BulkActions = "bulk_actions", "actions on the selection";
    FilterText = "filter_text", "filter by text";
    FilterStatus = "filter_status", "filter by status";
    ClearFilters = "clear_filters", "clear the status and text filters";
    SortNext = "sort_next", "sort by the next sortable column";
    SortReverse = "sort_reverse", "reverse the sort order";
    Refresh = "refresh", "reload from the database";
    Export = "export", "export the filtered view to CSV";
    Help = "help", "show the keys";
    Messages = "messages", "the message log: every message in full, with its time";
    Palette = "palette", "command palette: run any action by name";
    Submit = "submit", "accept (in prompts and pickers)";
    Cancel = "cancel", "cancel (in prompts and pickers)";
    DeleteBack = "delete_back", "delete the character before the cursor";
    ClearInput = "clear_input", "clear the prompt";
    NextField = "next_field", "next field (in forms)";
    PrevField = "prev_field", "previous field (in forms)";
    ChoiceNext = "choice_next", "next choice of a list field (in forms)";
    ChoicePrev = "choice_prev", "previous choice of a list field (in forms)";
    EditExternal = "edit_external", "edit a long text field in $VISUAL / $EDITOR (in forms)";
    OrderPrint = "order_print", "order: write pick list and packing slips; the selection if any";
    Notices = "notices", "the notices outbox: read each notice, mark it sent";
    DelistReport = "delist_report", "products: delistings by reason and category over a period";
    DashToday = "dash_today", "dashboard: today";
    Dash7d = "dash_7d", "dashboard: the 7 days to today";
    Dash30d = "dash_30d", "dashboard: the 30 days to today";
    Dash90d = "dash_90d", "dashboard: the 90 days to today";
    DashThisMonth = "dash_this_month", "dashboard: this month so far";
    DashLastMonth = "dash_last_month", "dashboard: last month";
    DashCustom = "dash_custom", "dashboard: a period of your own (from, to)";
    DashPrevPeriod = "dash_prev_period", "dashboard: the previous period choice";
    DashNextPeriod = "dash_next_period", "dashboard: the next period choice";
    DashNextAlert = "dash_next_alert", "dashboard: move to the next alert";
    DashPrevAlert = "dash_prev_alert", "dashboard: move to the previous alert";
    DashOpenAlert = "dash_open_alert", "dashboard: open the alert's filtered list";
    DashPanels = "dash_panels", "dashboard: turn the panels that did not fit into view";
    DashRefresh = "dash_refresh", "dashboard: compute the figures again";
    Settlement = "settlement", "merchant settlement: statements by period and state, confirm, pay, export";
}

/// (action name, description) of every verb, by verb index.
fn verb_names() -> &'static [(String, String)] {
    static NAMES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        verbs::all()
            .iter()
            .map(|v| {
                let batch = if v.batch { "; the selection if any" } else { "" };
                (
                    action_name(v, v.name),
                    format!("{}: {}{batch}", v.entity, v.about),
                )
            })
            .collect()
    })
}

fn action_name(v: &VerbSpec, name: &str) -> String {
    format!("{}_{name}", v.entity)
}

impl Action {
    /// Every action: the fixed ones, then every verb.
    pub fn all() -> Vec<Action> {
        let verbs = (0..verbs::all().len()).filter_map(|i| u16::try_from(i).ok().map(Action::Verb));
        Action::FIXED.iter().copied().chain(verbs).collect()
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::fixed_from_name(name).or_else(|| Action::renamed(name).map(|(a, _)| a))
    }

    /// A verb's action by its name or an earlier name; the second value is
    /// the current name when `name` was an earlier one (the keymap warns).
    pub fn renamed(name: &str) -> Option<(Action, Option<&'static str>)> {
        verbs::all().iter().enumerate().find_map(|(i, v)| {
            let a = Action::Verb(u16::try_from(i).ok()?);
            if action_name(v, v.name) == name {
                Some((a, None))
            } else if v.aliases.iter().any(|old| action_name(v, old) == name) {
                Some((a, Some(a.name())))
            } else {
                None
            }
        })
    }

    /// The verb this action runs, if it is one.
    pub fn verb(self) -> Option<&'static VerbSpec> {
        match self {
            Action::Verb(i) => verbs::all().get(usize::from(i)).copied(),
            _ => None,
        }
    }

    pub fn of_verb(v: &VerbSpec) -> Option<Action> {
        let i = verbs::all().iter().position(|w| std::ptr::eq(*w, v))?;
        u16::try_from(i).ok().map(Action::Verb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in &Action::all() {
            assert!(seen.insert(a.name()), "{}", a.name());
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(!a.description().is_empty());
        }
    }
}

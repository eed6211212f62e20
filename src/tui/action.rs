//! The one list of things a person can do. The keymap file names these, the
//! `?` help shows their descriptions and the `:` palette runs them by name,
//! so the three cannot drift apart.

macro_rules! actions {
    ($($variant:ident = $name:literal, $desc:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The name used in keymap files and the palette.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)+
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
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
    Palette = "palette", "command palette: run any action by name";
    Submit = "submit", "accept (in prompts and pickers)";
    Cancel = "cancel", "cancel (in prompts and pickers)";
    DeleteBack = "delete_back", "delete the character before the cursor";
    ClearInput = "clear_input", "clear the prompt";
    NextField = "next_field", "next field (in forms)";
    PrevField = "prev_field", "previous field (in forms)";
    ChoiceNext = "choice_next", "next choice of a list field (in forms)";
    ChoicePrev = "choice_prev", "previous choice of a list field (in forms)";
    OrderPay = "order_pay", "order: record the payment (reserves stock)";
    OrderApprove = "order_approve", "order: approve (checks the address); the selection if any";
    OrderHold = "order_hold", "order: put on hold, with a reason";
    OrderRelease = "order_release", "order: release the hold";
    OrderPick = "order_pick", "order: start picking; the selection if any";
    OrderPack = "order_pack", "order: pack (parcel weight in grams)";
    OrderShip = "order_ship", "order: ship (carrier and tracking number)";
    OrderEvent = "order_event", "order: add a shipment tracking event";
    OrderDeliver = "order_deliver", "order: mark delivered";
    OrderComplete = "order_complete", "order: complete (return window passed)";
    OrderCancel = "order_cancel", "order: cancel, with a reason (asks first)";
    OrderAddress = "order_address", "order: change the shipping address";
    OrderMerge = "order_merge", "order: merge into another order (asks first)";
    OrderPrint = "order_print", "order: write pick list and packing slips; the selection if any";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.name()), "{}", a.name());
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(!a.description().is_empty());
        }
    }
}

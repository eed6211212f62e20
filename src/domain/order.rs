//! Order handling (SPEC 4.3): the order state machine with its side states
//! (on hold, cancelled, merged), and the pure checks around it.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Refusal, text_enum};

text_enum! {
    pub enum OrderStatus ("order status") {
        PendingPayment = "pending_payment", "pending payment";
        Paid = "paid", "paid";
        Approved = "approved", "approved";
        Picking = "picking", "picking";
        Packed = "packed", "packed";
        Shipped = "shipped", "shipped";
        Delivered = "delivered", "delivered";
        Completed = "completed", "completed";
        OnHold = "on_hold", "on hold";
        Cancelled = "cancelled", "cancelled";
        Merged = "merged", "merged";
    }
}

impl OrderStatus {
    /// Open: not shipped yet and not ended (pending payment through packed,
    /// and on hold). Only an open order can be late to ship.
    pub fn is_open(self) -> bool {
        use OrderStatus as S;
        matches!(
            self,
            S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold
        )
    }

    /// Cancelled or merged into another: no longer a sale (not in GMV).
    pub fn is_void(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Merged)
    }

    /// On its way or arrived (shipped, delivered or completed).
    pub fn is_shipped(self) -> bool {
        matches!(
            self,
            OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Completed
        )
    }

    /// Ready for or being picked (approved, picking): pick lists and
    /// packing slips can be printed.
    pub fn is_pickable(self) -> bool {
        matches!(self, OrderStatus::Approved | OrderStatus::Picking)
    }

    /// With the carrier (shipped, delivered): tracking events can be added.
    pub fn has_tracking(self) -> bool {
        matches!(self, OrderStatus::Shipped | OrderStatus::Delivered)
    }

    /// Someone must act: the order is on hold.
    pub fn needs_attention(self) -> bool {
        self == OrderStatus::OnHold
    }

    /// The stored spellings of the set `pick` selects ("needs approved or
    /// picking" lists these).
    pub fn names_where(pick: fn(Self) -> bool) -> Vec<String> {
        Self::all_where(pick).iter().map(|s| s.to_string()).collect()
    }

    /// Every status of the set `pick` selects, in workflow order.
    pub fn all_where(pick: fn(Self) -> bool) -> Vec<Self> {
        Self::ALL.into_iter().filter(|s| pick(*s)).collect()
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Completed | OrderStatus::Cancelled | OrderStatus::Merged
        )
    }
}

text_enum! {
    /// Why an order is on hold.
    pub enum HoldReason ("hold reason") {
        InsufficientStock = "insufficient_stock", "insufficient stock";
        AddressProblem = "address_problem", "address problem";
        RiskReview = "risk_review", "risk review";
        CustomerRequest = "customer_request", "customer request";
        Other = "other", "other";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderAction {
    Pay,
    Approve,
    Hold(HoldReason),
    Release,
    Pick,
    Pack {
        weight_g: u32,
    },
    Ship {
        carrier: String,
        tracking: String,
    },
    Deliver,
    Complete,
    Cancel {
        reason: String,
    },
    /// Absorb this order into the order with this id.
    MergeInto(i64),
    /// Changing the address keeps the state; it is an action so it is checked and audited.
    ChangeAddress,
}

impl OrderAction {
    /// The action's name in the audit log and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            OrderAction::Pay => "pay",
            OrderAction::Approve => "approve",
            OrderAction::Hold(_) => "hold",
            OrderAction::Release => "release",
            OrderAction::Pick => "pick",
            OrderAction::Pack { .. } => "pack",
            OrderAction::Ship { .. } => "ship",
            OrderAction::Deliver => "deliver",
            OrderAction::Complete => "complete",
            OrderAction::Cancel { .. } => "cancel",
            OrderAction::MergeInto(_) => "merge",
            OrderAction::ChangeAddress => "change_address",
        }
    }

    /// What is wrong with the action's own data, if anything.
    fn argument_problem(&self) -> Option<&'static str> {
        match self {
            OrderAction::Pack { weight_g: 0 } => Some("the parcel weight in grams must be greater than 0"),
            OrderAction::Ship { carrier, .. } if carrier.trim().is_empty() => Some("a carrier is required"),
            OrderAction::Ship { tracking, .. } if tracking.trim().is_empty() => {
                Some("a tracking number is required")
            }
            OrderAction::Cancel { reason } if reason.trim().is_empty() => Some("a reason is required"),
            OrderAction::MergeInto(id) if *id <= 0 => Some("the id of the order to merge into is required"),
            _ => None,
        }
    }
}

/// States an order may be put on hold from (and so may return to).
pub fn holdable_from(s: OrderStatus) -> bool {
    use OrderStatus as S;
    matches!(
        s,
        S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed
    )
}

/// The transition table: every allowed (state, action) pair, nothing else.
/// `held_from` is where an on-hold order returns when released.
fn transition(
    from: OrderStatus,
    held_from: Option<OrderStatus>,
    action: &OrderAction,
) -> Option<OrderStatus> {
    use OrderAction as A;
    use OrderStatus as S;
    match (from, action) {
        (S::PendingPayment, A::Pay) => Some(S::Paid),
        (S::Paid, A::Approve) => Some(S::Approved),
        (S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed, A::Hold(_)) => Some(S::OnHold),
        (S::OnHold, A::Release) => held_from.filter(|h| holdable_from(*h)),
        (S::Approved, A::Pick) => Some(S::Picking),
        (S::Picking, A::Pack { .. }) => Some(S::Packed),
        (S::Packed, A::Ship { .. }) => Some(S::Shipped),
        (S::Shipped, A::Deliver) => Some(S::Delivered),
        (S::Delivered, A::Complete) => Some(S::Completed),
        (
            S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold,
            A::Cancel { .. },
        ) => Some(S::Cancelled),
        (S::Paid | S::Approved, A::MergeInto(_)) => Some(S::Merged),
        (
            S::PendingPayment | S::Paid | S::Approved | S::Picking | S::Packed | S::OnHold,
            A::ChangeAddress,
        ) => Some(from),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or a refusal naming both.
/// Stock, address and merge-partner checks belong to the caller.
pub fn next(
    from: OrderStatus,
    held_from: Option<OrderStatus>,
    action: &OrderAction,
) -> Result<OrderStatus, Refusal> {
    let name = action.name();
    let Some(to) = transition(from, held_from, action) else {
        if from == OrderStatus::OnHold && *action == OrderAction::Release {
            let was = held_from.map_or("nothing".to_string(), |h| h.to_string());
            return Err(Refusal::cannot(
                name,
                "order",
                format!("it is on_hold but the state to return to is {was}"),
            ));
        }
        // Any holdable state as the dummy `held_from`, so `release` lists on_hold.
        return Err(Refusal::wrong_state(
            name,
            "order",
            from,
            &OrderStatus::ALL,
            |s| transition(s, Some(OrderStatus::Paid), action).is_some(),
        ));
    };
    if let Some(problem) = action.argument_problem() {
        return Err(Refusal::cannot(name, "order", problem));
    }
    Ok(to)
}

/// Whether an order in this state normally has its lines' stock reserved:
/// paid through packed, or on hold from one of those. (An order held for
/// insufficient stock may hold only part of it; the lines' `reserved_qty` is
/// the ledger's truth.)
pub fn holds_stock(s: OrderStatus, held_from: Option<OrderStatus>) -> bool {
    use OrderStatus as S;
    let reserving = |s: OrderStatus| matches!(s, S::Paid | S::Approved | S::Picking | S::Packed);
    match s {
        S::OnHold => held_from.is_some_and(reserving),
        s => reserving(s),
    }
}

/// What makes a shipping address unusable; empty means it looks complete.
pub fn address_problems(name: &str, phone: &str, address: &str, city: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.trim().is_empty() {
        out.push("the recipient name is empty".to_string());
    }
    if phone.trim().is_empty() {
        out.push("the phone number is empty".to_string());
    } else if phone.chars().filter(char::is_ascii_digit).count() < 7 {
        out.push(format!(
            "the phone number {} has fewer than 7 digits",
            super::limits::quote(phone.trim())
        ));
    }
    let address_len = address.trim().chars().count();
    if address_len == 0 {
        out.push("the address is empty".to_string());
    } else if address_len < 5 {
        out.push(format!(
            "the address {} is shorter than 5 characters",
            super::limits::quote(address.trim())
        ));
    }
    if city.trim().is_empty() {
        out.push("the city is empty".to_string());
    }
    out
}

/// The ship-by deadline: payment time plus `ship_by_hours` of wall-clock time
/// (couriers collect at weekends too).
pub fn ship_by(paid_at: DateTime<Utc>, ship_by_hours: i64) -> DateTime<Utc> {
    TimeDelta::try_hours(ship_by_hours)
        .and_then(|d| paid_at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Not yet shipped (and not cancelled or merged) after its ship-by deadline.
pub fn is_late_to_ship(status: OrderStatus, ship_by_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    status.is_open() && ship_by_at.is_some_and(|due| now > due)
}

/// Why `delivered → completed` must wait: no delivery time, the return window
/// still open, or after-sales tickets still open.
pub fn completion_blocker(
    delivered_at: Option<DateTime<Utc>>,
    return_window_days: i64,
    now: DateTime<Utc>,
    open_tickets: usize,
    tz: chrono_tz::Tz,
) -> Option<String> {
    let Some(delivered) = delivered_at else {
        return Some("the order has no delivery time recorded".to_string());
    };
    let window_ends = TimeDelta::try_days(return_window_days)
        .and_then(|d| delivered.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if now < window_ends {
        return Some(format!(
            "the {return_window_days}-day return window is open until {}",
            super::calendar::shop_minute(window_ends, tz)
        ));
    }
    match open_tickets {
        0 => None,
        1 => Some("1 after-sales ticket is still open".to_string()),
        n => Some(format!("{n} after-sales tickets are still open")),
    }
}

/// "13812345678" → "138****5678": the first 3 and last 4 characters. Shorter
/// values show less (5–7 characters: first 1 and last 2; up to 4: nothing), so
/// masking never reveals most of a short number. Works on characters, not bytes.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let (head, tail) = match chars.len() {
        0 => return String::new(),
        1..=4 => (0, 0),
        5..=7 => (1, 2),
        _ => (3, 4),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str("****");
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// The first 6 characters (or half of a shorter address) then "****":
/// enough to recognise the city and district, not the door.
pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let keep = 6.min(chars.len() / 2);
    let mut out: String = chars[..keep].iter().collect();
    out.push_str("****");
    out
}

#[cfg(test)]
#[path = "order_tests.rs"]
mod tests;

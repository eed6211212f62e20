//! What a list's status filter selects: one status of the list's entity, or
//! an order exception queue. Typed, so nobody encodes a queue in a string.

use super::{merchants, orders, products, tickets};
use crate::domain::merchant::MerchantStatus;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::domain::product::ProductStatus;
use crate::domain::ticket::{TicketStatus, sla_paused};

/// One status of one entity: what a plain status chip filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Merchant(MerchantStatus),
    Product(ProductStatus),
    Order(OrderStatus),
    Ticket(TicketStatus),
}

impl Status {
    /// The stored spelling (the `status` column, `status_counts.status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Merchant(s) => s.as_str(),
            Status::Product(s) => s.as_str(),
            Status::Order(s) => s.as_str(),
            Status::Ticket(s) => s.as_str(),
        }
    }

    /// The entity whose status this is (`status_counts.entity`).
    pub fn entity(self) -> &'static str {
        match self {
            Status::Merchant(_) => merchants::ENTITY,
            Status::Product(_) => products::ENTITY,
            Status::Order(_) => orders::ENTITY,
            Status::Ticket(_) => tickets::ENTITY,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Merchant(s) => s.label(),
            Status::Product(s) => s.label(),
            Status::Order(s) => s.label(),
            Status::Ticket(s) => s.label(),
        }
    }
}

/// An order exception queue: a chip that is not one status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderQueue {
    /// On hold for this reason.
    Held(HoldReason),
    /// Open and past its ship-by time at `cutoff` (an RFC 3339 stamp, the
    /// time the chip was offered, so its count and pages agree).
    LateToShip { cutoff: String },
}

impl OrderQueue {
    /// "on hold: risk review", "late to ship".
    pub fn label(&self) -> String {
        match self {
            OrderQueue::Held(r) => format!("on hold: {}", r.label()),
            OrderQueue::LateToShip { .. } => "late to ship".to_string(),
        }
    }
}

/// A merchant queue: a chip that is several statuses at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MerchantQueue {
    /// Submitted or under review: the applications someone must decide.
    AwaitingReview,
    /// Not rejected or terminated, with a document expiring on or before
    /// `until` (today plus the warning window, or already past): the
    /// re-verification queue (SPEC §4.1).
    Reverify { until: chrono::NaiveDate },
    /// Active or suspended with a deposit recorded and the ledger balance
    /// below the required deposit (a deduction took it under): the
    /// dashboard alert (`deposit_short` of `merchant show`).
    UnderDeposit,
}

impl MerchantQueue {
    pub fn label(self) -> &'static str {
        match self {
            MerchantQueue::AwaitingReview => "awaiting review",
            MerchantQueue::Reverify { .. } => "documents to re-verify",
            MerchantQueue::UnderDeposit => "under their deposit",
        }
    }

    /// The statuses the queue holds (the domain's set).
    pub fn statuses(self) -> Vec<MerchantStatus> {
        match self {
            MerchantQueue::AwaitingReview => MerchantStatus::ALL
                .into_iter()
                .filter(|s| s.awaits_review())
                .collect(),
            MerchantQueue::Reverify { .. } => MerchantStatus::ALL
                .into_iter()
                .filter(|s| !s.is_final())
                .collect(),
            MerchantQueue::UnderDeposit => vec![MerchantStatus::Active, MerchantStatus::Suspended],
        }
    }
}

/// A product queue: a chip that is a stock or sales condition, not a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductQueue {
    /// Available at or under the warning line: the restock list.
    LowStock,
    /// ABC class 'A', 'B' or 'C' from the stored 90-day revenue figures.
    Abc(char),
}

impl ProductQueue {
    pub fn label(self) -> String {
        match self {
            ProductQueue::LowStock => "low stock".to_string(),
            ProductQueue::Abc(c) => format!("class {c}"),
        }
    }
}

/// A ticket queue: a chip over the open tickets (store/lists/ticket_queues.rs
/// has their conditions and the indexes that read them in SLA order).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TicketQueue {
    /// Open with the SLA clock running: the tickets someone must work on,
    /// read by SLA due, overdue first.
    SlaRunning,
    /// Held by staff `me`, clock running (waiting for the customer is in
    /// "waiting", not here).
    NeedsMe {
        me: i64,
    },
    /// Held by nobody, clock running.
    Unassigned,
    /// Clock running and past the deadline that matters now (the audit's
    /// while new, else the resolution's) at `cutoff` (an RFC 3339 stamp,
    /// the time the chip was offered, so its count and pages agree). A
    /// paused ticket is not late while paused.
    Overdue {
        cutoff: String,
    },
    /// Waiting for the customer or the merchant.
    Waiting,
    Escalated,
}

impl TicketQueue {
    pub fn label(&self) -> &'static str {
        match self {
            TicketQueue::SlaRunning => "open, by SLA due",
            TicketQueue::NeedsMe { .. } => "needs me",
            TicketQueue::Unassigned => "unassigned",
            TicketQueue::Overdue { .. } => "overdue",
            TicketQueue::Waiting => "waiting",
            TicketQueue::Escalated => "escalated",
        }
    }

    /// The statuses the queue holds (the domain's sets); the queues with
    /// more conditions than a status are counted by their own query.
    pub fn statuses(&self) -> Vec<TicketStatus> {
        let running = || {
            TicketStatus::ALL
                .into_iter()
                .filter(|s| s.is_open() && !sla_paused(*s))
                .collect()
        };
        match self {
            TicketQueue::SlaRunning
            | TicketQueue::NeedsMe { .. }
            | TicketQueue::Unassigned
            | TicketQueue::Overdue { .. } => running(),
            TicketQueue::Waiting => vec![TicketStatus::WaitingCustomer, TicketStatus::WaitingMerchant],
            TicketQueue::Escalated => vec![TicketStatus::Escalated],
        }
    }

    /// Whether its count is the sum of its statuses' counts.
    pub fn is_statuses(&self) -> bool {
        matches!(
            self,
            TicketQueue::SlaRunning | TicketQueue::Waiting | TicketQueue::Escalated
        )
    }
}

/// What a list's status filter selects: one status, or a queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    Status(Status),
    Queue(OrderQueue),
    Merchants(MerchantQueue),
    Products(ProductQueue),
    Tickets(TicketQueue),
}

impl StatusFilter {
    /// The plain status, if this is one.
    pub fn status(&self) -> Option<Status> {
        match self {
            StatusFilter::Status(s) => Some(*s),
            StatusFilter::Queue(_)
            | StatusFilter::Merchants(_)
            | StatusFilter::Products(_)
            | StatusFilter::Tickets(_) => None,
        }
    }

    /// Every sort `needs_me_sort` names.
    pub const NEEDS_ME_SORTS: &'static [&'static str] = &["review due", "ship by", "SLA due"];

    /// The sort key (by name) a chip is read in when it is chosen: the
    /// "needs me" order, most urgent first. Review due for the review
    /// queue; ship-by (late first) for late to ship and the open order
    /// statuses that have a ship-by time; SLA due (overdue first) for the
    /// open-ticket queue and the ticket statuses whose SLA clock runs.
    pub fn needs_me_sort(&self) -> Option<&'static str> {
        match self {
            StatusFilter::Merchants(MerchantQueue::AwaitingReview) => Some("review due"),
            StatusFilter::Queue(OrderQueue::LateToShip { .. }) => Some("ship by"),
            StatusFilter::Queue(OrderQueue::Held(_)) => None,
            StatusFilter::Status(Status::Order(s)) if s.is_open() && *s != OrderStatus::PendingPayment => {
                Some("ship by")
            }
            StatusFilter::Tickets(_) => Some("SLA due"),
            StatusFilter::Status(Status::Ticket(s)) if s.is_open() && !sla_paused(*s) => Some("SLA due"),
            StatusFilter::Status(_)
            | StatusFilter::Products(_)
            | StatusFilter::Merchants(MerchantQueue::Reverify { .. } | MerchantQueue::UnderDeposit) => None,
        }
    }

    /// The statuses a plain status or a status queue selects (an order
    /// exception queue selects by its own conditions: none here).
    pub fn statuses(&self) -> Vec<Status> {
        match self {
            StatusFilter::Status(s) => vec![*s],
            StatusFilter::Merchants(q) => q.statuses().into_iter().map(Status::Merchant).collect(),
            StatusFilter::Tickets(q) => q.statuses().into_iter().map(Status::Ticket).collect(),
            StatusFilter::Queue(_) | StatusFilter::Products(_) => Vec::new(),
        }
    }

    pub fn is_queue(&self) -> bool {
        !matches!(self, StatusFilter::Status(_))
    }

    /// Whether `a` and `b` are the same chip of the picker: equal, except
    /// that late to ship and overdue are one chip whatever their cutoff (the
    /// picker offers them at the time it opens, so the current filter's
    /// cutoff is older).
    pub fn same_chip(a: Option<&StatusFilter>, b: Option<&StatusFilter>) -> bool {
        use OrderQueue::LateToShip;
        use TicketQueue::Overdue;
        match (a, b) {
            (Some(StatusFilter::Queue(LateToShip { .. })), Some(StatusFilter::Queue(LateToShip { .. })))
            | (Some(StatusFilter::Tickets(Overdue { .. })), Some(StatusFilter::Tickets(Overdue { .. }))) => {
                true
            }
            (a, b) => a == b,
        }
    }

    /// Words for people: the status label or the queue's.
    pub fn label(&self) -> String {
        match self {
            StatusFilter::Status(s) => s.label().to_string(),
            StatusFilter::Queue(q) => q.label(),
            StatusFilter::Merchants(q) => q.label().to_string(),
            StatusFilter::Products(q) => q.label(),
            StatusFilter::Tickets(q) => q.label().to_string(),
        }
    }
}

impl From<Status> for StatusFilter {
    fn from(s: Status) -> Self {
        StatusFilter::Status(s)
    }
}

impl From<OrderQueue> for StatusFilter {
    fn from(q: OrderQueue) -> Self {
        StatusFilter::Queue(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ticket queue opens by SLA due; overdue is one chip whatever
    /// its cutoff; needs me is per reader.
    #[test]
    fn ticket_queues_open_by_sla_due_and_overdue_is_one_chip() {
        let overdue = |c: &str| StatusFilter::Tickets(TicketQueue::Overdue { cutoff: c.into() });
        assert!(StatusFilter::same_chip(
            Some(&overdue("2026-11-22T08:00:00Z")),
            Some(&overdue("2026-11-22T08:05:00Z"))
        ));
        let me = |id| StatusFilter::Tickets(TicketQueue::NeedsMe { me: id });
        assert!(!StatusFilter::same_chip(Some(&me(1)), Some(&me(2))));
        for q in [
            TicketQueue::NeedsMe { me: 1 },
            TicketQueue::Unassigned,
            TicketQueue::Waiting,
            TicketQueue::Escalated,
        ] {
            assert_eq!(StatusFilter::Tickets(q).needs_me_sort(), Some("SLA due"));
        }
        assert_eq!(overdue("x").needs_me_sort(), Some("SLA due"));
        assert!(!TicketQueue::Waiting.statuses().contains(&TicketStatus::New));
        assert!(
            !TicketQueue::Unassigned
                .statuses()
                .contains(&TicketStatus::WaitingCustomer)
        );
    }

    #[test]
    fn late_to_ship_is_one_chip_whatever_its_cutoff() {
        let late = |c: &str| StatusFilter::Queue(OrderQueue::LateToShip { cutoff: c.into() });
        let (a, b) = (late("2026-11-22T08:00:00Z"), late("2026-11-22T08:05:00Z"));
        assert!(StatusFilter::same_chip(Some(&a), Some(&b)));
        let held = StatusFilter::Queue(OrderQueue::Held(HoldReason::RiskReview));
        let paid = StatusFilter::Status(Status::Order(OrderStatus::Paid));
        assert!(!StatusFilter::same_chip(Some(&a), Some(&held)));
        assert!(!StatusFilter::same_chip(Some(&paid), None));
        assert!(StatusFilter::same_chip(None, None));
        assert!(StatusFilter::same_chip(Some(&paid), Some(&paid.clone())));
    }

    /// Each queue opens in its "needs me" order: review due, ship-by (late
    /// first), SLA due (overdue first); held orders and closed statuses keep
    /// the list's order.
    #[test]
    fn queues_open_in_their_needs_me_order() {
        let order = |s| StatusFilter::Status(Status::Order(s)).needs_me_sort();
        let ticket = |s| StatusFilter::Status(Status::Ticket(s)).needs_me_sort();
        let late = StatusFilter::Queue(OrderQueue::LateToShip { cutoff: "x".into() });
        assert_eq!(late.needs_me_sort(), Some("ship by"));
        assert_eq!(order(OrderStatus::Paid), Some("ship by"));
        assert_eq!(order(OrderStatus::OnHold), Some("ship by"));
        assert_eq!(order(OrderStatus::PendingPayment), None);
        assert_eq!(order(OrderStatus::Completed), None);
        assert_eq!(
            StatusFilter::Queue(OrderQueue::Held(HoldReason::RiskReview)).needs_me_sort(),
            None
        );
        assert_eq!(
            StatusFilter::Tickets(TicketQueue::SlaRunning).needs_me_sort(),
            Some("SLA due")
        );
        assert_eq!(ticket(TicketStatus::InProgress), Some("SLA due"));
        assert_eq!(ticket(TicketStatus::WaitingCustomer), None);
        assert_eq!(ticket(TicketStatus::Closed), None);
        assert_eq!(
            StatusFilter::Merchants(MerchantQueue::AwaitingReview).needs_me_sort(),
            Some("review due")
        );
        for f in [late.clone(), StatusFilter::Tickets(TicketQueue::SlaRunning)] {
            assert!(StatusFilter::NEEDS_ME_SORTS.contains(&f.needs_me_sort().unwrap_or("")));
        }
        // The sort keys they name exist and are index-backed with a status.
        for (keys, name) in [
            (orders::SORT_KEYS, "ship by"),
            (tickets::SORT_KEYS, "SLA due"),
            (merchants::SORT_KEYS, "review due"),
        ] {
            assert!(keys.iter().any(|k| k.name == name && k.with_status()), "{name}");
        }
        // The open-ticket queue holds the statuses whose SLA clock runs.
        let held = TicketQueue::SlaRunning.statuses();
        assert!(held.contains(&TicketStatus::New) && held.contains(&TicketStatus::Escalated));
        assert!(!held.contains(&TicketStatus::WaitingCustomer) && !held.contains(&TicketStatus::Resolved));
    }

    /// The open-ticket queue's condition and the SLA expression repeat the
    /// `tickets_open_sla` index word for word (else SQLite will not use it).
    #[test]
    fn sla_queue_condition_is_the_index_condition() {
        let schema = include_str!("../../../schema.sql");
        let index = schema
            .split("CREATE INDEX tickets_open_sla")
            .nth(1)
            .and_then(|s| s.split(';').next())
            .unwrap_or("");
        let want = format!("WHERE status IN ({})", tickets::sla_running_list());
        assert!(index.contains(&want), "{index:?} vs {want:?}");
        assert!(index.contains(&tickets::SLA_DUE.replace("t.", "")), "{index:?}");
    }
}

//! What a list's status filter selects: one status of the list's entity, or
//! an order exception queue. Typed, so nobody encodes a queue in a string.

use super::{merchants, orders, products, tickets};
use crate::domain::merchant::MerchantStatus;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::domain::product::ProductStatus;
use crate::domain::ticket::TicketStatus;

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
}

impl MerchantQueue {
    pub fn label(self) -> &'static str {
        match self {
            MerchantQueue::AwaitingReview => "awaiting review",
            MerchantQueue::Reverify { .. } => "documents to re-verify",
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

/// What a list's status filter selects: one status, or a queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    Status(Status),
    Queue(OrderQueue),
    Merchants(MerchantQueue),
    Products(ProductQueue),
}

impl StatusFilter {
    /// The plain status, if this is one.
    pub fn status(&self) -> Option<Status> {
        match self {
            StatusFilter::Status(s) => Some(*s),
            StatusFilter::Queue(_) | StatusFilter::Merchants(_) | StatusFilter::Products(_) => None,
        }
    }

    /// The statuses a plain status or a status queue selects (an order
    /// exception queue selects by its own conditions: none here).
    pub fn statuses(&self) -> Vec<Status> {
        match self {
            StatusFilter::Status(s) => vec![*s],
            StatusFilter::Merchants(q) => q.statuses().into_iter().map(Status::Merchant).collect(),
            StatusFilter::Queue(_) | StatusFilter::Products(_) => Vec::new(),
        }
    }

    pub fn is_queue(&self) -> bool {
        !matches!(self, StatusFilter::Status(_))
    }

    /// Whether `a` and `b` are the same chip of the picker: equal, except
    /// that late to ship is one chip whatever its cutoff (the picker offers
    /// it at the time it opens, so the current filter's cutoff is older).
    pub fn same_chip(a: Option<&StatusFilter>, b: Option<&StatusFilter>) -> bool {
        use OrderQueue::LateToShip;
        match (a, b) {
            (Some(StatusFilter::Queue(LateToShip { .. })), Some(StatusFilter::Queue(LateToShip { .. }))) => {
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
}

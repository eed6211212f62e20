//! Pure types and rules: no SQL, no terminal. Everyone may use this layer.

pub mod calendar;
pub mod merchant;
pub mod money;
pub mod order;
pub mod product;
pub mod role;
pub mod ticket;

pub use role::{Permission, Role};

/// A rule said no. The message names the state and the action, or the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl Refusal {
    pub fn new(msg: impl Into<String>) -> Self {
        Refusal(msg.into())
    }
}

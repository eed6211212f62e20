//! Reusable widgets.
pub mod table;
pub mod text;

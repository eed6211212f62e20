//! shopdesk: a keyboard-driven terminal back office over one SQLite file.
//!
//! Layers (see `../shared/ARCHITECTURE.md` and `docs/ARCHITECTURE.md`):
//! `tui`/`cli` → `ops` (one transaction per user intent) → `store` (SQL) → SQLite,
//! with `domain` (pure types and rules) used by all of them.

pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod identity;
pub mod io;
pub mod ops;
pub mod store;
pub mod tui;

pub use error::{Error, Result};

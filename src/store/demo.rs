//! Demo data (being written).
use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::Result;

pub const DEMO_SHOP_NAME: &str = "shopdesk demo";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub owner: String,
}

pub struct DemoSummary {}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "")
    }
}

pub fn generate(_conn: &mut Connection, _opts: &DemoOptions) -> Result<DemoSummary> {
    Err(crate::Error::refused("demo data is not built yet"))
}

//! The terminal UI (being written).
pub mod keymap;

use crate::ops::Session;
use crate::{Error, Result};

pub struct Options {
    pub monochrome: bool,
}

pub fn run(_session: Session, _opts: Options) -> Result<()> {
    Err(Error::refused("the TUI is not built yet"))
}

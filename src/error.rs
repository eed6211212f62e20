//! The error every layer above `domain` returns, and its exit code (SPEC §6).

use crate::domain::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A business rule, a permission or a state machine said no. Exit 1.
    #[error("{0}")]
    Refused(String),
    /// Someone else changed the row first (optimistic concurrency). Exit 1.
    #[error("{0}")]
    Conflict(String),
    /// Bad usage, bad input file, unknown id. Exit 2.
    #[error("{0}")]
    Input(String),
    /// The database could not be opened, read or written. Exit 3.
    #[error("database: {0}")]
    Db(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Refused(_) | Error::Conflict(_) => 1,
            Error::Input(_) => 2,
            Error::Db(_) => 3,
        }
    }

    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    pub fn refused(msg: impl Into<String>) -> Self {
        Error::Refused(msg.into())
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::Refused(r.to_string())
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Db(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Input(e.to_string())
    }
}

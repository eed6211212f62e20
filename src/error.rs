//! The error every layer above `domain` returns, and its exit code (SPEC §6).
//! Refusals and conflicts are typed values: the TUI and the CLI format them,
//! nobody parses the text back.

use crate::domain::Refusal;

/// Someone else changed the row since it was loaded (optimistic concurrency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// "order", "merchant": the audit log's entity.
    pub entity: String,
    pub id: i64,
    /// Who made the last change and when (in shop time), if the audit log says.
    pub by: Option<(String, String)>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Conflict { entity, id, by } = self;
        match by {
            Some((actor, at)) => write!(
                f,
                "{entity} {id} was changed by {actor} at {at} — reload (r) and try again"
            ),
            None => write!(
                f,
                "{entity} {id} was changed by someone else — reload (r) and try again"
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A business rule, a permission or a state machine said no. Exit 1.
    #[error("{0}")]
    Refused(Refusal),
    /// Someone else changed the row first. Exit 1.
    #[error("{0}")]
    Conflict(Conflict),
    /// No such record (by the key people see). Exit 2.
    #[error("{entity} {key} does not exist")]
    NotFound { entity: &'static str, key: String },
    /// Bad usage, bad input file. Exit 2.
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
            Error::Input(_) | Error::NotFound { .. } => 2,
            Error::Db(_) => 3,
        }
    }

    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    /// A refusal that is already a sentence.
    pub fn refused(msg: impl Into<String>) -> Self {
        Error::Refused(Refusal::Rule(msg.into()))
    }

    pub fn not_found(entity: &'static str, key: impl std::fmt::Display) -> Self {
        Error::NotFound {
            entity,
            key: key.to_string(),
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::Refused(r)
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

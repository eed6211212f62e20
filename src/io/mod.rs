//! CSV import/export and printable documents.
pub mod picking;

//! CSV import/export and printable documents.

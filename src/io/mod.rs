//! CSV import/export and printable documents.

pub mod csv_in;
pub mod export;
pub mod import_after_sales;
pub mod import_fields;
pub mod import_merchants;
pub mod import_orders;
pub mod import_products;
pub mod import_sync;
pub mod picking;
pub mod read_guard;

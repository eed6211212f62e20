//! products.csv (SPEC §7): one row per product; `category` is a path
//! ("Home > Kitchen") whose missing levels are created.

use super::csv_in::{self, Column, Problem, Row, opt, req};
use crate::domain::limits::TextKind;
use crate::domain::product::ProductStatus;
use crate::store::import::catalog::ProductRow;

pub const COLUMNS: &[Column] = &[
    req("merchant_code").kind(TextKind::Token),
    req("sku").kind(TextKind::Token),
    req("title"),
    opt("category"),
    req("price").kind(TextKind::Number),
    opt("stock").kind(TextKind::Number),
    opt("low_stock_threshold").kind(TextKind::Number),
    opt("status"),
    opt("description").kind(TextKind::Paragraph),
    opt("model"),
    opt("brand"),
    opt("branded"),
    opt("cost").kind(TextKind::Number),
    opt("warranty_months").kind(TextKind::Number),
];

const MERCHANT_CODE: usize = 0;
const SKU: usize = 1;
const TITLE: usize = 2;
const CATEGORY: usize = 3;
const PRICE: usize = 4;
const STOCK: usize = 5;
const LOW_STOCK: usize = 6;
const STATUS: usize = 7;
const DESCRIPTION: usize = 8;
const MODEL: usize = 9;
const BRAND: usize = 10;
const BRANDED: usize = 11;
const COST: usize = 12;
const WARRANTY: usize = 13;

#[derive(Debug, Clone)]
pub struct ProductIn {
    pub line: u64,
    pub row: ProductRow,
    pub status: ProductStatus,
    pub status_given: bool,
}

/// "Home >Kitchen " → ["Home", "Kitchen"]; refuses empty levels.
pub fn category_levels(path: &str) -> Result<Vec<&str>, String> {
    let levels: Vec<&str> = path.split('>').map(str::trim).collect();
    if levels.iter().any(|l| l.is_empty()) {
        return Err(format!(
            "{path:?} has an empty level (write paths like \"Home > Kitchen\")"
        ));
    }
    Ok(levels)
}

pub fn parse_row(row: &Row<'_>) -> Result<ProductIn, Vec<Problem>> {
    let line = row.line;
    let mut problems = Vec::new();
    let mut bad = |col: usize, p: String| problems.push(Problem::new(line, COLUMNS[col].name, p));
    for col in [MERCHANT_CODE, SKU, TITLE] {
        if row.get(col).is_empty() {
            bad(col, "is required".into());
        }
    }
    let category = match csv_in::optional(row.get(CATEGORY)).map(category_levels) {
        None => String::new(),
        Some(Ok(levels)) => levels.join(" > "),
        Some(Err(e)) => {
            bad(CATEGORY, e);
            String::new()
        }
    };
    let price = csv_in::required(row.get(PRICE))
        .and_then(csv_in::money)
        .unwrap_or_else(|e| {
            bad(PRICE, e);
            0
        });
    let mut count = |col: usize| {
        csv_in::optional(row.get(col))
            .map_or(Ok(0), |v| csv_in::int(v, 0, 1_000_000_000))
            .unwrap_or_else(|e| {
                bad(col, e);
                0
            })
    };
    let stock = count(STOCK);
    let low = count(LOW_STOCK);
    let warranty = csv_in::optional(row.get(WARRANTY))
        .map_or(Ok(0), |v| csv_in::int(v, 0, 1200))
        .unwrap_or_else(|e| {
            bad(WARRANTY, e);
            0
        });
    let cost = match csv_in::optional(row.get(COST)).map(csv_in::money) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            bad(COST, e);
            None
        }
    };
    let branded = match csv_in::optional(row.get(BRANDED))
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("no" | "false" | "0") => false,
        Some("yes" | "true" | "1") => true,
        Some(other) => {
            bad(BRANDED, format!("{other:?} is not yes or no"));
            false
        }
    };
    let status_text = row.get(STATUS);
    let status = match csv_in::optional(status_text).map(str::parse::<ProductStatus>) {
        None => ProductStatus::Draft,
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            bad(STATUS, e.to_string());
            ProductStatus::Draft
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ProductIn {
        line,
        row: ProductRow {
            merchant_code: row.get(MERCHANT_CODE).to_string(),
            sku: row.get(SKU).to_string(),
            title: row.get(TITLE).to_string(),
            category,
            price_minor: price,
            stock,
            low_stock_threshold: low,
            status: status.as_str().to_string(),
            description: row.get(DESCRIPTION).to_string(),
            model: row.get(MODEL).to_string(),
            brand: csv_in::optional(row.get(BRAND)).map(str::to_string),
            branded,
            cost_minor: cost,
            warranty_months: warranty,
        },
        status,
        status_given: !status_text.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_paths_are_normalised_and_empty_levels_refused() {
        assert_eq!(category_levels("Home >Kitchen ").unwrap(), ["Home", "Kitchen"]);
        assert!(category_levels("Home > > Kitchen").is_err());
        assert!(category_levels(">").is_err());
    }
}

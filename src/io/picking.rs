//! Picking documents: a pick list for a batch of orders (grouped by merchant,
//! then SKU, with totals) and a packing slip per order, as printable plain
//! text and as CSV. Pure formatting from plain data; the workflow layer
//! (`ops::orders::pick_documents`) gathers the data and picks the directory.
//!
//! Text columns are laid out by display width (`unicode-width`), so CJK
//! titles such as 蓝牙耳机 line up; long text is cut on a character boundary
//! and marked with `…`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::{Error, Result};

/// One order as the documents need it. Times are already formatted for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickOrder {
    pub id: i64,
    pub channel: String,
    pub external_id: String,
    pub status: String,
    pub placed_at: String,
    pub ship_by_at: String,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub lines: Vec<PickLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickLine {
    pub line_no: i64,
    pub merchant_code: String,
    pub merchant_name: String,
    pub sku: String,
    pub title: String,
    pub qty: i64,
}

/// A batch of orders to pick, and the orders left out with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub shop_name: String,
    /// When the documents were made, formatted for people.
    pub generated: String,
    pub orders: Vec<PickOrder>,
    pub skipped: Vec<String>,
}

/// One pick-list row: a SKU of a merchant, with the units to pick and the
/// orders that need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickRow {
    pub merchant_code: String,
    pub merchant_name: String,
    pub sku: String,
    pub title: String,
    pub qty: i64,
    pub orders: Vec<i64>,
}

/// Groups the batch's lines by (merchant code, SKU), in that order.
pub fn pick_rows(orders: &[PickOrder]) -> Vec<PickRow> {
    let mut rows: BTreeMap<(&str, &str), PickRow> = BTreeMap::new();
    for o in orders {
        for l in &o.lines {
            let row = rows
                .entry((l.merchant_code.as_str(), l.sku.as_str()))
                .or_insert_with(|| PickRow {
                    merchant_code: l.merchant_code.clone(),
                    merchant_name: l.merchant_name.clone(),
                    sku: l.sku.clone(),
                    title: l.title.clone(),
                    qty: 0,
                    orders: Vec::new(),
                });
            row.qty += l.qty;
            if !row.orders.contains(&o.id) {
                row.orders.push(o.id);
            }
        }
    }
    rows.into_values().collect()
}

/// `s` cut to at most `width` display columns, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` cut to `width` columns and padded with spaces to exactly `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    t.extend(std::iter::repeat_n(' ', pad));
    t
}

/// Right-aligned in `width` columns.
fn right(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    let mut out: String = std::iter::repeat_n(' ', pad).collect();
    out.push_str(&t);
    out
}

const SKU_W: usize = 16;
const TITLE_W: usize = 28;
const QTY_W: usize = 5;
const ORDERS_W: usize = 20;

fn order_ids(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
}

fn units(orders: &[PickOrder]) -> i64 {
    orders.iter().flat_map(|o| &o.lines).map(|l| l.qty).sum()
}

/// The printable pick list.
pub fn pick_list_text(b: &Batch) -> String {
    let rows = pick_rows(&b.orders);
    let mut out = String::new();
    out.push_str(&format!("PICK LIST — {}\n", b.shop_name));
    out.push_str(&format!(
        "Generated {} · {} order(s) · {} unit(s) in {} row(s)\n",
        b.generated,
        b.orders.len(),
        units(&b.orders),
        rows.len()
    ));
    out.push_str("Grouped by merchant, then SKU (shopdesk keeps no bin locations).\n");
    let header = format!(
        "    {} {} {}  {}",
        fit("SKU", SKU_W),
        fit("Title", TITLE_W),
        right("Qty", QTY_W),
        "Orders"
    );
    let mut merchant: Option<&str> = None;
    let mut merchant_total = 0;
    let total_line = |label: &str, qty: i64| {
        format!(
            "    {} {}\n",
            fit(label, SKU_W + 1 + TITLE_W),
            right(&qty.to_string(), QTY_W)
        )
    };
    for r in &rows {
        if merchant != Some(r.merchant_code.as_str()) {
            if merchant.is_some() {
                out.push_str(&total_line("merchant total", merchant_total));
            }
            merchant = Some(r.merchant_code.as_str());
            merchant_total = 0;
            out.push_str(&format!("\n== {} {} ==\n", r.merchant_code, r.merchant_name));
            out.push_str(header.trim_end());
            out.push('\n');
        }
        merchant_total += r.qty;
        let line = format!(
            "[ ] {} {} {}  {}",
            fit(&r.sku, SKU_W),
            fit(&r.title, TITLE_W),
            right(&r.qty.to_string(), QTY_W),
            truncate(&order_ids(&r.orders), ORDERS_W)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if merchant.is_some() {
        out.push_str(&total_line("merchant total", merchant_total));
    }
    out.push('\n');
    out.push_str(&total_line("TOTAL UNITS", units(&b.orders)));
    out.push_str("\nOrders in this batch:\n");
    for o in &b.orders {
        out.push_str(&format!(
            "  {} ({}:{}) {} line(s)\n",
            o.id,
            o.channel,
            o.external_id,
            o.lines.len()
        ));
    }
    if !b.skipped.is_empty() {
        out.push_str("\nSkipped:\n");
        for s in &b.skipped {
            out.push_str(&format!("  {s}\n"));
        }
    }
    out
}

fn csv_text(rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)
            .map_err(|e| Error::input(format!("csv: {e}")))?;
    }
    let bytes = w.into_inner().map_err(|e| Error::input(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::input(format!("csv: {e}")))
}

/// The pick list as CSV: one row per (merchant, SKU).
pub fn pick_list_csv(b: &Batch) -> Result<String> {
    let mut rows = vec![
        ["merchant_code", "merchant_name", "sku", "title", "qty", "orders"]
            .map(String::from)
            .to_vec(),
    ];
    for r in pick_rows(&b.orders) {
        rows.push(vec![
            r.merchant_code,
            r.merchant_name,
            r.sku,
            r.title,
            r.qty.to_string(),
            order_ids(&r.orders),
        ]);
    }
    csv_text(rows)
}

/// The printable packing slip of one order (no prices: it goes in the parcel).
pub fn packing_slip_text(b: &Batch, o: &PickOrder) -> String {
    let mut out = String::new();
    out.push_str(&format!("PACKING SLIP — {}\n", b.shop_name));
    out.push_str(&format!(
        "Order {}   {}:{}   placed {}\n",
        o.id, o.channel, o.external_id, o.placed_at
    ));
    if !o.ship_by_at.is_empty() {
        out.push_str(&format!("Ship by {}\n", o.ship_by_at));
    }
    out.push_str(&format!("\nShip to: {}  {}\n", o.ship_name, o.ship_phone));
    out.push_str(&format!("         {}\n", o.ship_address));
    out.push_str(&format!("         {}\n\n", o.ship_city));
    let head = format!(
        "{} {} {} {} {}",
        right("No", 3),
        fit("Merchant", 8),
        fit("SKU", SKU_W),
        fit("Title", TITLE_W + 6),
        right("Qty", QTY_W)
    );
    out.push_str(&head);
    out.push('\n');
    for l in &o.lines {
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            right(&l.line_no.to_string(), 3),
            fit(&l.merchant_code, 8),
            fit(&l.sku, SKU_W),
            fit(&l.title, TITLE_W + 6),
            right(&l.qty.to_string(), QTY_W)
        ));
    }
    let n: i64 = o.lines.iter().map(|l| l.qty).sum();
    out.push_str(&format!(
        "\n{} line(s), {} unit(s)   packed by: ________   checked by: ________\n",
        o.lines.len(),
        n
    ));
    out
}

/// Every packing slip of the batch as one CSV: one row per order line.
pub fn packing_slips_csv(b: &Batch) -> Result<String> {
    let mut rows = vec![
        [
            "order_id",
            "channel",
            "external_id",
            "ship_name",
            "ship_phone",
            "ship_address",
            "ship_city",
            "line_no",
            "merchant_code",
            "sku",
            "title",
            "qty",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for o in &b.orders {
        for l in &o.lines {
            rows.push(vec![
                o.id.to_string(),
                o.channel.clone(),
                o.external_id.clone(),
                o.ship_name.clone(),
                o.ship_phone.clone(),
                o.ship_address.clone(),
                o.ship_city.clone(),
                l.line_no.to_string(),
                l.merchant_code.clone(),
                l.sku.clone(),
                l.title.clone(),
                l.qty.to_string(),
            ]);
        }
    }
    csv_text(rows)
}

/// Writes the pick list (.txt and .csv), one packing slip .txt per order and
/// the packing slips' .csv into `dir`, names tagged with `file_stamp`.
/// Returns the paths written, pick list first.
pub fn write(dir: &Path, file_stamp: &str, b: &Batch) -> Result<Vec<PathBuf>> {
    crate::identity::as_caller(|| std::fs::create_dir_all(dir))
        .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
    let mut files = vec![
        (format!("pick-list-{file_stamp}.txt"), pick_list_text(b)),
        (format!("pick-list-{file_stamp}.csv"), pick_list_csv(b)?),
        (format!("packing-slips-{file_stamp}.csv"), packing_slips_csv(b)?),
    ];
    for o in &b.orders {
        files.push((
            format!("packing-slip-{file_stamp}-{}.txt", o.id),
            packing_slip_text(b, o),
        ));
    }
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        // As the caller, with the shared install's group and mode: a packing
        // slip carries a name, a phone and an address.
        crate::identity::create_for_caller(&path, false)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_width_and_char_boundaries() {
        assert_eq!(truncate("蓝牙耳机", 8), "蓝牙耳机");
        assert_eq!(truncate("蓝牙耳机", 7), "蓝牙耳…");
        assert_eq!(truncate("蓝牙耳机", 6), "蓝牙…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(fit("蓝牙", 6), "蓝牙  ");
        assert_eq!(fit("蓝牙耳机", 7).width(), 7);
        assert_eq!(right("5", 3), "  5");
    }
}

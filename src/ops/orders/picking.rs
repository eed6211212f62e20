//! Picking documents for a batch of orders: gathers the orders, leaves out
//! those not ready to pick (saying why), and writes the files through
//! `io::picking`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::Permission;
use crate::io::picking::{self as docs, Batch, PickLine, PickOrder};
use crate::{Result, clock, store};

use super::super::Session;
use super::{label, status_of};

/// What `pick_documents` wrote, and which orders it left out and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickResult {
    pub paths: Vec<PathBuf>,
    pub included: Vec<i64>,
    pub skipped: Vec<(i64, String)>,
}

/// Writes the pick list and packing slips for the orders among `ids` that are
/// approved or picking, into `dir`. Reads only; moving orders to picking is
/// `pick` / `pick_many`.
pub fn pick_documents(s: &Session, ids: &[i64], dir: &Path) -> Result<PickResult> {
    pick_documents_at(s, ids, dir, s.now()?)
}

pub fn pick_documents_at(s: &Session, ids: &[i64], dir: &Path, now: DateTime<Utc>) -> Result<PickResult> {
    // Packing slips carry the full address and phone.
    s.require(Permission::ManageOrders)?;
    let tz: chrono_tz::Tz = s.settings.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let local = |stamp: &str| -> String {
        clock::parse_stamp(stamp)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| stamp.to_string())
    };
    let mut orders = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = Vec::new();
    for &id in ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(o) = store::orders::get(&s.conn, id)? else {
            skipped.push((id, format!("order {id}: does not exist")));
            continue;
        };
        let (status, _) = status_of(&o);
        if !status.is_pickable() {
            skipped.push((
                id,
                format!(
                    "{}: it is {status} (pick lists need approved or picking)",
                    label(&o)
                ),
            ));
            continue;
        }
        let lines = store::orders::lines(&s.conn, id)?
            .into_iter()
            .map(|l| PickLine {
                line_no: l.line_no,
                merchant_code: l.merchant_code,
                merchant_name: l.merchant_name,
                sku: l.sku,
                title: l.title,
                qty: l.qty,
            })
            .collect();
        orders.push(PickOrder {
            id,
            channel: o.channel.clone(),
            external_id: o.external_id.clone(),
            status: o.status.to_string(),
            placed_at: local(&o.placed_at),
            ship_by_at: o.ship_by_at.as_deref().map(local).unwrap_or_default(),
            ship_name: o.ship_name,
            ship_phone: o.ship_phone,
            ship_address: o.ship_address,
            ship_city: o.ship_city,
            lines,
        });
    }
    if orders.is_empty() {
        let why: Vec<&str> = skipped.iter().map(|(_, w)| w.as_str()).collect();
        return Err(crate::Error::refused(format!(
            "no order is ready to pick: {}",
            if why.is_empty() {
                "none given".to_string()
            } else {
                why.join("; ")
            }
        )));
    }
    let batch = Batch {
        shop_name: s.settings.shop_name.clone(),
        generated: format!(
            "{} ({})",
            now.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            tz.name()
        ),
        orders,
        skipped: skipped.iter().map(|(_, w)| w.clone()).collect(),
    };
    let file_stamp = now.with_timezone(&tz).format("%Y%m%d-%H%M%S").to_string();
    let paths = docs::write(dir, &file_stamp, &batch)?;
    Ok(PickResult {
        paths,
        included: batch.orders.iter().map(|o| o.id).collect(),
        skipped,
    })
}

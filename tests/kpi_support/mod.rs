//! The hand-made shop of the KPI tests (tests/kpi_truth.rs): orders
//! imported through the CLI, one merge, and reviews, tickets, refunds and
//! traffic written straight to their tables.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, params};

use super::cli_support::ok;

const HEADER: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at,shipped_at,delivered_at,promised_at,carrier,tracking_no";

/// A tiny deterministic generator, so the shop is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The shop in time zone `tz`: 3 merchants, 6 products, 48 orders over
/// November 2026 and a merged pair, then reviews, tickets, refunds and
/// traffic. The orders come in two imports: the first into the empty shop
/// (rollups summed once at the end), the second into a bigger shop (the
/// triggers keep them row by row).
pub fn shop(dir: &Path, tz: &str) -> std::path::PathBuf {
    let db = dir.join("shop.db");
    let d = db.to_str().unwrap();
    ok(dir, &["--db", d, "init", "--timezone", tz]);
    let merchants = dir.join("m.csv");
    std::fs::write(
        &merchants,
        "code,name,cooperation_mode,status,commission_rate,applied_at\n\
         M1,甲商户,direct,active,5%,2026-01-01 09:00:00\n\
         M2,乙商户,direct,active,5%,2026-01-01 09:00:00\n\
         M3,丙商户,direct,active,5%,2026-01-01 09:00:00\n",
    )
    .unwrap();
    ok(
        dir,
        &["--db", d, "import", "merchants", merchants.to_str().unwrap()],
    );
    let products = dir.join("p.csv");
    std::fs::write(
        &products,
        "merchant_code,sku,title,category,price,stock,status,description\n\
         M1,A1,保温杯,Home > Kitchen,19.90,500,listed,d\n\
         M1,A2,Tea set,Home > Kitchen,88.00,500,listed,d\n\
         M2,B1,耳机,数码 > 耳机,129.50,500,listed,d\n\
         M2,B2,Charger,数码 > 手机配件,35.00,500,listed,d\n\
         M3,C1,Tent,Sports > Outdoor,399.00,500,listed,d\n\
         M3,C2,Mat,Sports > Outdoor,45.10,500,listed,d\n",
    )
    .unwrap();
    ok(
        dir,
        &["--db", d, "import", "products", products.to_str().unwrap()],
    );

    let skus = [
        ("M1", "A1"),
        ("M1", "A2"),
        ("M2", "B1"),
        ("M2", "B2"),
        ("M3", "C1"),
        ("M3", "C2"),
    ];
    let prices = ["19.90", "88.00", "129.50", "35.00", "399.00", "45.10"];
    let statuses = [
        "pending_payment",
        "paid",
        "approved",
        "shipped",
        "delivered",
        "completed",
        "completed",
        "cancelled",
    ];
    let mut g = Lcg(7);
    let mut csv = format!("{HEADER}\n");
    for k in 0..48 {
        if k == 36 {
            let first = dir.join("o1.csv");
            std::fs::write(&first, std::mem::replace(&mut csv, format!("{HEADER}\n"))).unwrap();
            ok(dir, &["--db", d, "import", "orders", first.to_str().unwrap()]);
        }
        let status = statuses[g.next(statuses.len() as u64) as usize];
        // Every fourth order sits within an hour of the shop's midnight
        // (16:00 UTC), on either side of it.
        let day = 1 + g.next(28) as u32;
        let placed = if k % 4 == 0 {
            Utc.with_ymd_and_hms(2026, 11, day, 15, 30, 0).unwrap()
                + chrono::Duration::minutes(g.next(60) as i64)
        } else {
            Utc.with_ymd_and_hms(2026, 11, day, g.next(24) as u32, g.next(60) as u32, 0)
                .unwrap()
        };
        let paid = match status {
            "pending_payment" => None,
            "cancelled" if k % 2 == 0 => None,
            _ => Some(placed + chrono::Duration::minutes(5)),
        };
        let shipped = matches!(status, "shipped" | "delivered" | "completed");
        let delivered = matches!(status, "delivered" | "completed");
        let ship_at = shipped.then(|| placed + chrono::Duration::hours(20));
        let del_at = delivered.then(|| placed + chrono::Duration::hours(30 + g.next(100) as i64));
        let promised = (delivered && g.next(3) > 0).then(|| placed + chrono::Duration::hours(72));
        let cust = g.next(9);
        let lines = 1 + g.next(3) as usize;
        let first = g.next(6) as usize;
        let channel = if k % 3 == 0 { "JD" } else { "TM" };
        for l in 0..lines {
            let p = (first + l * 2) % 6;
            let (m, sku) = skus[p];
            let opt = |t: Option<DateTime<Utc>>| t.map(stamp).unwrap_or_default();
            writeln!(
                csv,
                "{channel},K{k},{},{status},c{cust},顾客{cust},1390000000{cust},地址{cust},上海,{m},{sku},{},{},{},{},{},{},{},{},{}",
                stamp(placed),
                1 + g.next(3),
                prices[p],
                if l == 0 { "6.00" } else { "0" },
                opt(paid),
                opt(ship_at),
                opt(del_at),
                opt(promised),
                if shipped { "SF" } else { "" },
                if shipped { format!("SF{k}") } else { String::new() },
            )
            .unwrap();
        }
    }
    // A pair to merge: same customer, address and merchant, both paid.
    for (ext, h) in [("X1", 2), ("X2", 3)] {
        writeln!(
            csv,
            "TM,{ext},2026-11-10T0{h}:00:00Z,paid,c1,顾客1,13900000001,地址1,上海,M2,B1,1,129.50,6.00,2026-11-10T0{h}:05:00Z,,,,,"
        )
        .unwrap();
    }
    let orders = dir.join("o.csv");
    std::fs::write(&orders, csv).unwrap();
    ok(dir, &["--db", d, "import", "orders", orders.to_str().unwrap()]);
    ok(dir, &["--db", d, "order", "merge", "TM:X2", "--into", "TM:X1"]);

    // What has no import yet (issue 13): written straight to the tables.
    let c = Connection::open(&db).unwrap();
    let ids: Vec<i64> = {
        let mut st = c.prepare("SELECT id FROM orders ORDER BY id").unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        c.execute(
            "INSERT INTO reviews (order_id, score, comment, created_at) VALUES (?1, ?2, '', '2026-11-29T00:00:00Z')",
            params![id, (1 + (i * 7) % 5) as i64],
        )
        .unwrap();
    }
    let kinds = [
        "return",
        "complaint",
        "refund_only",
        "complaint",
        "inquiry",
        "logistics",
    ];
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 4 == 1) {
        let opened = Utc
            .with_ymd_and_hms(2026, 11, 1 + (i as u32 % 27), 3 + (i as u32 % 20), 0, 0)
            .unwrap();
        let resolved = (i % 8 != 5).then(|| opened + chrono::Duration::hours(10 + (i as i64 * 13) % 90));
        let due = (i % 5 != 0).then(|| opened + chrono::Duration::hours(72));
        let score = |k: usize| resolved.map(|_| 1 + ((i + k) % 5) as i64);
        c.execute(
            "INSERT INTO tickets (order_id, kind, status, subject, opened_at, resolve_due_at, resolved_at, resolution,
                 refund_minor, sat_attitude, sat_speed, sat_resolution, sat_overall, created_at, updated_at)
             VALUES (?1, ?2, ?3, 's', ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11, ?4, ?4)",
            params![
                id,
                kinds[i % kinds.len()],
                if resolved.is_some() { "resolved" } else { "in_progress" },
                stamp(opened),
                due.map(stamp),
                resolved.map(stamp),
                resolved.map(|_| "no_action"),
                score(0),
                if i % 3 == 0 { None } else { score(1) },
                score(2),
                score(3),
            ],
        )
        .unwrap();
        let t = c.last_insert_rowid();
        let msg = |kind: &str, internal: i64, h: i64| {
            c.execute(
                "INSERT INTO ticket_messages (ticket_id, author, author_kind, internal, body, created_at)
                 VALUES (?1, 'x', ?2, ?3, 'b', ?4)",
                params![t, kind, internal, stamp(opened + chrono::Duration::hours(h))],
            )
            .unwrap();
        };
        msg("customer", 0, 0);
        msg("staff", 1, 1);
        if i % 6 != 3 {
            msg("staff", 0, 2 + i as i64 % 7);
            msg("staff", 0, 30);
        }
        // Within what the order is worth (refunds_within_paid); a merged
        // order is worth nothing of its own.
        let worth: i64 = c
            .query_row(
                "SELECT items_minor + shipping_minor FROM orders WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        if i % 2 == 1 && worth >= 2 {
            let amount = (500 + i as i64 * 37).min(worth / 2);
            c.execute(
                "INSERT INTO refunds (order_id, ticket_id, amount_minor, actor, created_at) VALUES (?1, ?2, ?3, 'x', ?4)",
                params![id, t, amount, stamp(opened)],
            )
            .unwrap();
            // The ticket carries its refunds' total (`check` compares them).
            c.execute(
                "UPDATE tickets SET refund_minor = ?2 WHERE id = ?1",
                params![t, 500 + i as i64 * 37],
            )
            .unwrap();
        }
    }
    // A refund without a ticket (a cancelled paid order) is not a ticket refund.
    c.execute(
        "INSERT INTO refunds (order_id, amount_minor, actor, created_at) VALUES (?1, 999, 'x', '2026-11-15T00:00:00Z')",
        params![ids[2]],
    )
    .unwrap();
    for day in 1..=30 {
        c.execute(
            "INSERT INTO traffic_daily (date, channel, visits) VALUES (?1, 'TM', ?2), (?1, 'JD', ?3)",
            params![format!("2026-11-{day:02}"), 100 + day * 3, 40 + day],
        )
        .unwrap();
    }
    db
}

//! Generated import files for tests and the import benchmark (included with
//! `#[path]`, so it is not a test crate of its own).
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

pub const ORDER_HEADER: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at,shipped_at,delivered_at,promised_at,carrier,tracking_no";

/// `n` merchants M0..M{n-1}, all active.
pub fn merchants_csv(n: usize) -> String {
    let mut s = String::from("code,name,cooperation_mode,status,commission_rate,applied_at\n");
    for i in 0..n {
        writeln!(s, "M{i},商户{i},direct,active,5%,2026-01-01 09:00:00").unwrap();
    }
    s
}

/// `per` products per merchant: SKU S{j}, price 10.00 + j, `stock` units each.
pub fn products_csv(merchants: usize, per: usize, stock: i64) -> String {
    let mut s = String::from("merchant_code,sku,title,category,price,stock,status,description\n");
    for i in 0..merchants {
        for j in 0..per {
            writeln!(
                s,
                "M{i},S{j},商品 {i}-{j},Home > Kitchen,{}.00,{stock},listed,desc {j}",
                10 + j
            )
            .unwrap();
        }
    }
    s
}

/// The status of order number `k`: mostly history, some open, a few others.
pub fn status_of(k: usize) -> &'static str {
    match k % 20 {
        0..=9 => "completed",
        10..=11 => "delivered",
        12..=13 => "shipped",
        14 => "paid",
        15 => "approved",
        16 => "packed",
        17 => "picking",
        18 => "cancelled",
        _ => "pending_payment",
    }
}

/// One order's lines (1 to 3 of them) for order number `k`.
pub fn order_rows(k: usize, merchants: usize, per: usize, out: &mut String) -> usize {
    let status = status_of(k);
    let day = 1 + (k / 1000) % 28;
    let placed = format!("2026-10-{day:02} {:02}:{:02}:00", (k / 60) % 24, k % 60);
    let paid = if status == "pending_payment" || (status == "cancelled" && k.is_multiple_of(2)) {
        String::new()
    } else {
        format!("2026-10-{day:02} {:02}:{:02}:30", (k / 60) % 24, k % 60)
    };
    let shipped = matches!(status, "shipped" | "delivered" | "completed");
    let delivered = matches!(status, "delivered" | "completed");
    let (ship_at, carrier, tracking) = if shipped {
        (format!("2026-11-{day:02}T08:00:00+08:00"), "SF", format!("SF{k}"))
    } else {
        (String::new(), "", String::new())
    };
    let del_at = if delivered {
        format!("2026-11-{day:02}T18:00:00+08:00")
    } else {
        String::new()
    };
    let m = (k * 7) % merchants;
    let lines = 1 + k % 3;
    for l in 0..lines {
        let j = (k + l * 13) % per;
        writeln!(
            out,
            "TM,TM{k},{placed},{status},c{},顾客{},1380000{:04},浙江省杭州市西湖区{k}号,杭州,M{m},S{j},{},{}.00,{},{paid},{ship_at},{del_at},,{carrier},{tracking}",
            k % 50_000,
            k % 50_000,
            k % 10_000,
            1 + l,
            10 + j,
            if l == 0 { "5.00" } else { "0" },
        )
        .unwrap();
    }
    lines
}

/// Writes an orders file of at least `lines` lines (whole orders) starting
/// at order number `first`; returns (lines, orders).
pub fn write_orders(path: &Path, first: usize, lines: usize, merchants: usize, per: usize) -> (usize, usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "{ORDER_HEADER}").unwrap();
    let (mut n, mut k) = (0, first);
    let mut buf = String::new();
    while n < lines {
        buf.clear();
        n += order_rows(k, merchants, per, &mut buf);
        f.write_all(buf.as_bytes()).unwrap();
        k += 1;
    }
    f.flush().unwrap();
    (n, k - first)
}

//! Picking documents: columns line up by display width with CJK titles,
//! long titles are cut with `…`, and only approved/picking orders are listed.

mod orders_support;

use orders_support::*;
use shopdesk::domain::order::OrderAction;
use shopdesk::io::picking::{self, Batch, PickLine, PickOrder};
use shopdesk::ops::orders;
use unicode_width::UnicodeWidthStr;

fn line(no: i64, merchant: &str, sku: &str, title: &str, qty: i64) -> PickLine {
    PickLine {
        line_no: no,
        merchant_code: merchant.into(),
        merchant_name: format!("{merchant} 商店"),
        sku: sku.into(),
        title: title.into(),
        qty,
    }
}

fn batch() -> Batch {
    let order = |id: i64, lines: Vec<PickLine>| PickOrder {
        id,
        channel: "tmall".into(),
        external_id: format!("TM{id}"),
        status: "approved".into(),
        placed_at: "2026-11-20 09:00".into(),
        ship_by_at: "2026-11-22 09:00".into(),
        ship_name: "韩梅梅".into(),
        ship_phone: "13900001111".into(),
        ship_address: "浦东新区世纪大道100号".into(),
        ship_city: "上海".into(),
        lines,
    };
    Batch {
        shop_name: "星辰小店".into(),
        generated: "2026-11-20 18:00 (Asia/Shanghai)".into(),
        orders: vec![
            order(
                1042,
                vec![
                    line(1, "M001", "BT-01", "蓝牙耳机", 2),
                    line(2, "M001", "CB-02", "USB-C cable", 10),
                ],
            ),
            order(
                1043,
                vec![
                    line(1, "M001", "BT-01", "蓝牙耳机", 1),
                    line(
                        2,
                        "M002",
                        "MUG-7",
                        "マグカップ 特大サイズ 陶器 ギフトボックス入り 限定版",
                        120,
                    ),
                    line(3, "M002", "TEE-S", "T恤 white S", 3),
                ],
            ),
        ],
        skipped: vec!["order 1044 (tmall:TM1044): it is paid (pick lists need approved or picking)".into()],
    }
}

/// The display width of `s` up to the first occurrence of `needle` after `from`.
fn col_of(s: &str, needle: &str) -> usize {
    let at = s
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {s:?}"));
    s[..at].width()
}

#[test]
fn pick_list_columns_line_up_with_cjk_titles() {
    let b = batch();
    let text = picking::pick_list_text(&b);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("[ ]")).collect();
    assert_eq!(rows.len(), 4, "{text}");
    let header = text
        .lines()
        .find(|l| l.contains("SKU") && l.contains("Qty"))
        .unwrap();
    let qty_end = col_of(header, "Qty") + 3;
    let orders_at = col_of(header, "Orders");
    for r in &rows {
        // Everything before the Orders column has the same display width,
        // and the quantity ends exactly under "Qty".
        let prefix: String = {
            let mut w = 0;
            r.chars()
                .take_while(|c| {
                    w += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                    w <= orders_at
                })
                .collect()
        };
        assert_eq!(prefix.width(), orders_at, "{r:?}\n{text}");
        assert_eq!(prefix.trim_end().width(), qty_end, "{r:?}\n{text}");
        assert!(r.width() <= 80, "{r:?} is wider than a printed line");
    }
    assert!(text.contains("[ ] BT-01"), "{text}");
    let bt = rows.iter().find(|r| r.contains("BT-01")).unwrap();
    assert!(
        bt.contains("蓝牙耳机") && bt.trim_end().ends_with("3  1042 1043"),
        "{bt}"
    );
    let mug = rows.iter().find(|r| r.contains("MUG-7")).unwrap();
    assert!(mug.contains('…'), "a long title is cut: {mug}");
    assert!(text.contains("Grouped by merchant, then SKU"), "{text}");
    let m1 = text.find("== M001").unwrap();
    let m2 = text.find("== M002").unwrap();
    assert!(m1 < m2);
    assert!(text.contains("TOTAL UNITS"));
    assert!(text.contains("order 1044 (tmall:TM1044): it is paid"), "{text}");
    let totals: Vec<&str> = text.lines().filter(|l| l.contains("merchant total")).collect();
    assert!(
        totals[0].trim_end().ends_with(" 13") && totals[1].trim_end().ends_with(" 123"),
        "{totals:?}"
    );
    for t in totals {
        assert_eq!(t.trim_end().width(), qty_end, "{t:?}");
    }
}

#[test]
fn packing_slip_columns_line_up_and_csv_round_trips() {
    let b = batch();
    let slip = picking::packing_slip_text(&b, &b.orders[1]);
    let header = slip.lines().find(|l| l.contains("Qty")).unwrap();
    let end = header.trim_end().width();
    let rows: Vec<&str> = slip
        .lines()
        .skip_while(|l| !l.contains("Qty"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 3, "{slip}");
    for r in rows {
        assert_eq!(r.width(), end, "{r:?}\n{slip}");
    }
    assert!(slip.contains("韩梅梅") && slip.contains("浦东新区世纪大道100号"));

    let csv = picking::packing_slips_csv(&b).unwrap();
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), 5);
    assert_eq!(
        &recs[3][10], "マグカップ 特大サイズ 陶器 ギフトボックス入り 限定版",
        "CSV keeps full titles"
    );
    let rows = picking::pick_rows(&b.orders);
    assert_eq!(rows[0].sku, "BT-01");
    assert_eq!((rows[0].qty, rows[0].orders.clone()), (3, vec![1042, 1043]));
}

#[test]
fn only_approved_and_picking_orders_are_picked() {
    let shop = Shop::new();
    let p = &shop.path;
    let m = merchant(p, "M001", "星辰电子");
    let ear = product(p, m, "BT-01", "蓝牙耳机", 19900, 10);
    let cu = customer(p, "C1", "李雷");
    let a = order(p, "A", cu, m, &[(ear, 2)], &GOOD);
    let b = order(p, "B", cu, m, &[(ear, 1)], &GOOD);
    let c = order(p, "C", cu, m, &[(ear, 1)], &GOOD);
    let mut s = shop.session("lin");
    for id in [a, b, c] {
        orders::act_at(&mut s, id, None, &OrderAction::Pay, now()).unwrap();
    }
    orders::act_at(&mut s, a, None, &OrderAction::Approve, now()).unwrap();
    orders::act_at(&mut s, b, None, &OrderAction::Approve, now()).unwrap();
    orders::act_at(&mut s, b, None, &OrderAction::Pick, now()).unwrap();
    let out = shop.dir.path().join("docs");
    let r = orders::pick_documents_at(&s, &[a, b, c, 99], &out, now()).unwrap();
    assert_eq!(r.included, vec![a, b]);
    let why: Vec<&str> = r.skipped.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(
        why,
        [
            format!("order {c} (web:C): it is paid (pick lists need approved or picking)").as_str(),
            "order 99: does not exist"
        ]
    );
    assert_eq!(r.paths.len(), 5);
    assert!(r.paths.iter().all(|p| p.exists()));
    let e = orders::pick_documents_at(&shop.session("mei"), &[a], &out, now()).unwrap_err();
    assert_eq!(e.exit_code(), 1);
}

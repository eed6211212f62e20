//! `import tickets`, `import reviews`, `import traffic` (issue 13 item 12):
//! SPEC §7's formats, all or nothing, every bad row as `file:line: column:
//! problem`, missing orders named, re-imports report what is present.

mod cli_support;

use std::path::Path;

use cli_support::{ORDERS_HEADER, check_ok, count, fails, init, ok, write};

fn shop(dir: &Path) -> String {
    let db = init(dir);
    let m = write(
        dir,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,一号店,direct,active\n",
    );
    ok(dir, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        dir,
        "p.csv",
        "merchant_code,sku,title,price,stock\nM1,A,蓝牙耳机,50.00,100\n",
    );
    ok(dir, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let mut o = format!("{ORDERS_HEADER}\n");
    for k in 1..=3 {
        o.push_str(&format!(
            "TM,TM{k},2026-11-10 10:00:00,delivered,c{k},王芳,1381234567{k},西湖区{k}号,杭州,M1,A,2,50.00,10.00,2026-11-10 10:05:00,2026-11-11 10:00:00,2026-11-12 10:00:00,,SF,SF{k}\n"
        ));
    }
    let f = write(dir, "o.csv", o);
    ok(dir, &["--db", &db, "import", "orders", f.to_str().unwrap()]);
    db
}

fn import(dir: &Path, db: &str, kind: &str, file: &Path) -> String {
    ok(dir, &["--db", db, "import", kind, file.to_str().unwrap()])
}

#[test]
fn reviews_and_traffic_all_or_nothing_with_each_bad_row_named() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let bad = write(
        dir,
        "r.csv",
        "channel,external_id,score,comment,created_at\nTM,TM1,5,很好,2026-11-13 10:00:00\nTM,NOPE,4,,\nTM,TM2,6,太棒,\nTM,TM3,3,,yesterday\n",
    );
    let e = fails(dir, &["--db", &db, "import", "reviews", bad.to_str().unwrap()], 2);
    let name = bad.display().to_string();
    assert!(
        e.contains(&format!("{name}:3: external_id: no order TM:NOPE in shopdesk")),
        "{e}"
    );
    assert!(
        e.contains(&format!("{name}:4: score: 6 is out of range (1 to 5)")),
        "{e}"
    );
    assert!(e.contains(&format!("{name}:5: created_at:")), "{e}");
    assert!(e.contains("nothing was written"), "{e}");
    assert_eq!(count(&db, "SELECT count(*) FROM reviews"), 0);
    let good = write(
        dir,
        "r2.csv",
        "channel,external_id,score,comment,created_at\nTM,TM1,5,很好,2026-11-13 10:00:00\nTM,TM2,2,差,2026-11-13 11:00:00\n",
    );
    let out = import(dir, &db, "reviews", &good);
    assert!(out.contains("2 new"), "{out}");
    let again = import(dir, &db, "reviews", &good);
    assert!(again.contains("0 new, 2 already present"), "{again}");
    assert_eq!(count(&db, "SELECT count(*) FROM reviews"), 2);

    let bad = write(
        dir,
        "t.csv",
        "date,channel,visits\n2026-11-01,TM,100\n2026-13-01,TM,5\n2026-11-02,TM,-3\n2026-11-01,TM,7\n",
    );
    let e = fails(dir, &["--db", &db, "import", "traffic", bad.to_str().unwrap()], 2);
    let name = bad.display().to_string();
    assert!(e.contains(&format!("{name}:3: date:")), "{e}");
    assert!(e.contains(&format!("{name}:4: visits:")), "{e}");
    assert!(
        e.contains(&format!(
            "{name}:5: date: 2026-11-01 TM appears again (first on line 2)"
        )),
        "{e}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM traffic_daily"), 0);
    let good = write(
        dir,
        "t2.csv",
        "date,channel,visits\n2026-11-01,TM,100\n2026-11-02,TM,120\n",
    );
    assert!(import(dir, &db, "traffic", &good).contains("2 new"));
    let changed = write(dir, "t3.csv", "date,channel,visits\n2026-11-01,TM,101\n");
    let out = import(dir, &db, "traffic", &changed);
    assert!(out.contains("visits (file \"101\", shopdesk \"100\")"), "{out}");
    assert_eq!(
        count(&db, "SELECT visits FROM traffic_daily WHERE date = '2026-11-01'"),
        100
    );
    check_ok(dir, &db);
}

#[test]
fn tickets_find_their_order_and_never_refund_more_than_is_left() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let head = "channel,external_id,kind,status,opened_at,subject,description,reason,resolution,refund,resolved_at,csat_attitude,csat_speed,csat_resolution,csat_overall";
    let bad = write(
        dir,
        "k.csv",
        format!(
            "{head}\n\
             TM,TM1,return,resolved,2026-11-13 10:00:00,退货,,other.no_reason,refund,60.00,2026-11-14 10:00:00,5,5,4,5\n\
             TM,TM1,complaint,resolved,2026-11-13 11:00:00,又退,,service.slow,compensation,60.01,2026-11-14 10:00:00,,,,\n\
             TM,NOPE,return,new,2026-11-13 10:00:00,x,,,,,,,,,\n\
             TM,TM2,swap,new,2026-11-13 10:00:00,x,,,,,,,,,\n\
             TM,TM2,return,resolved,2026-11-13 10:00:00,x,,,,,,,,,\n\
             TM,TM2,return,new,2026-11-13 10:00:00,x,,,,,,5,,,\n\
             TM,TM3,return,new,2026-11-13 10:00:00,x,,bogus.code,,,,,,,\n"
        ),
    );
    let e = fails(dir, &["--db", &db, "import", "tickets", bad.to_str().unwrap()], 2);
    let name = bad.display().to_string();
    for want in [
        format!("{name}:3: refund: 60.01 is more than the 50.00 left to refund on order TM:TM1"),
        format!("{name}:4: external_id: no order TM:NOPE in shopdesk"),
        format!("{name}:5: kind:"),
        format!("{name}:6: resolution: is required for a resolved ticket"),
        format!("{name}:7: csat_overall: give all four satisfaction scores or none"),
        format!("{name}:8: reason: \"bogus.code\" is not a reason code"),
    ] {
        assert!(e.contains(&want), "wanted {want:?} in:\n{e}");
    }
    assert!(!e.contains(&format!("{name}:2:")), "{e}");
    assert_eq!(count(&db, "SELECT count(*) FROM tickets"), 0, "nothing written");
    assert_eq!(count(&db, "SELECT count(*) FROM refunds"), 0);
    let good = write(
        dir,
        "k2.csv",
        format!(
            "{head}\n\
             TM,TM1,return,resolved,2026-11-13 10:00:00,退货,不想要了,other.no_reason,refund,60.00,2026-11-14 10:00:00,5,5,4,5\n\
             TM,TM2,dispute,escalated,2026-11-13 10:00:00,纠纷,商家拒绝,description.not_as_described,,,,,,,\n\
             TM,TM3,inquiry,closed,2026-11-13 10:00:00,发票,,,no_action,,2026-11-13 12:00:00,,,,\n"
        ),
    );
    let out = import(dir, &db, "tickets", &good);
    assert!(out.contains("3 new"), "{out}");
    assert!(import(dir, &db, "tickets", &good).contains("0 new, 3 already present"));
    assert_eq!(
        count(
            &db,
            "SELECT sum(amount_minor) FROM refunds WHERE ticket_id IS NOT NULL"
        ),
        6000
    );
    let show = ok(dir, &["--db", &db, "ticket", "show", "1"]);
    assert!(
        show.contains("resolution refund") && show.contains("satisfaction attitude 5"),
        "{show}"
    );
    // Imported tickets take the verbs like any other.
    ok(
        dir,
        &[
            "--db", &db, "ticket", "rule", "2", "--refund", "10.00", "--payer", "platform",
        ],
    );
    check_ok(dir, &db);
}

//! `shopdesk order ...` through the built binary: happy paths, refusal exit
//! codes, `show --json`, pick lists, and processes racing on one file.

#[path = "cli_support/mod.rs"]
mod cli;
mod orders_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli::text;
use orders_support::*;
use shopdesk::domain::Role;
use shopdesk::ops::{self, Session};

/// `shopdesk --db DB args...` through the shared runner.
fn cmd(dir: &Path, db: &Path, args: &[&str], now: &str) -> Command {
    let mut c = cli::command_at(dir, now, &[]);
    c.arg("--db").arg(db).args(args);
    c
}

fn run_at(dir: &Path, db: &Path, args: &[&str], now: &str) -> Output {
    cli::output(cmd(dir, db, args, now))
}

fn run(dir: &Path, db: &Path, args: &[&str]) -> Output {
    run_at(dir, db, args, NOW)
}

#[track_caller]
fn ok(dir: &Path, db: &Path, args: &[&str]) -> String {
    cli::expect_ok(&run(dir, db, args), &args)
}

/// Exit code and stderr.
#[track_caller]
fn fails(dir: &Path, db: &Path, args: &[&str], code: i32) -> String {
    cli::expect_code(&run(dir, db, args), &args, code)
}

struct CliShop {
    dir: tempfile::TempDir,
    db: PathBuf,
    merchant: i64,
    cust: i64,
    ear: i64,
}

/// `shopdesk init` (this OS login becomes owner), then data through the library.
fn cli_shop(ear_stock: i64) -> CliShop {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let out = run(dir.path(), &db, &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let merchant = merchant(&db, "M001", "星辰电子");
    let ear = product(&db, merchant, "BT-01", "蓝牙耳机", 19900, ear_stock);
    let cust = customer(&db, "C001", "李雷");
    CliShop {
        dir,
        db,
        merchant,
        cust,
        ear,
    }
}

impl CliShop {
    fn order(&self, ext: &str, qty: i64) -> String {
        order(&self.db, ext, self.cust, self.merchant, &[(self.ear, qty)], &GOOD).to_string()
    }
    fn ok(&self, args: &[&str]) -> String {
        ok(self.dir.path(), &self.db, args)
    }
    fn fails(&self, args: &[&str], code: i32) -> String {
        fails(self.dir.path(), &self.db, args, code)
    }
    fn check_clean(&self) {
        let out = run(self.dir.path(), &self.db, &["check"]);
        assert!(out.status.success(), "{}", text(&out.stdout));
    }
}

#[test]
fn the_whole_lifecycle_from_the_command_line() {
    let s = cli_shop(10);
    let id = s.order("W1", 2);
    assert!(s.ok(&["order", "pay", "web:W1"]).contains("paid"));
    assert!(s.ok(&["order", "approve", &id]).contains("approved"));
    assert!(s.ok(&["order", "pick", &id]).contains("picking"));
    s.ok(&["order", "pack", &id, "--weight-g", "300"]);
    s.ok(&["order", "ship", &id, "--carrier", "SF", "--tracking", "SF123"]);
    s.ok(&[
        "order",
        "event",
        &id,
        "--status",
        "已揽收",
        "--location",
        "深圳",
        "--at",
        "2026-11-20 20:00",
    ]);
    s.ok(&["order", "deliver", &id]);
    let e = s.fails(&["order", "complete", &id], 1);
    assert!(e.contains("return window is open"), "{e}");
    // Past the return window the scheduled completion (SPEC §4.7,
    // docs/settlement.md) completes it when the next command opens the file.
    let out = run_at(
        s.dir.path(),
        &s.db,
        &["order", "complete", &id],
        "2026-12-01T00:00:00Z",
    );
    assert!(
        text(&out.stderr).contains("it is completed"),
        "{}",
        text(&out.stderr)
    );

    let json: serde_json::Value = serde_json::from_str(&s.ok(&["order", "show", &id, "--json"])).unwrap();
    let keys = [
        "id",
        "channel",
        "external_id",
        "status",
        "hold_reason",
        "held_from",
        "customer",
        "ship",
        "lines",
        "items_minor",
        "shipping_minor",
        "total_minor",
        "times",
        "ship_by_at",
        "late",
        "carrier",
        "tracking_no",
        "weight_g",
        "events",
        "version",
    ];
    for k in keys {
        assert!(json.get(k).is_some(), "missing {k}: {json}");
    }
    assert_eq!(json["status"], "completed");
    assert_eq!(json["total_minor"], 2 * 19900 + 1000);
    assert_eq!(json["ship"]["phone"], "13812345678", "the owner sees PII");
    assert_eq!(json["lines"][0]["sku"], "BT-01");
    assert_eq!(json["lines"][0]["reserved_qty"], 0);
    assert_eq!(
        json["events"][0]["at"], "2026-11-20T12:00:00Z",
        "local 20:00 in Shanghai"
    );
    assert_eq!(json["times"]["paid_at"], NOW);
    for k in ["name", "phone", "address", "city"] {
        assert!(json["ship"].get(k).is_some());
    }
    let human = s.ok(&["order", "show", &id]);
    assert!(human.contains("蓝牙耳机") && human.contains("已揽收"), "{human}");
    assert!(human.contains("history") && human.contains("ship"), "{human}");
    // Each step with the fields it changed (shop time, money as money).
    assert!(human.contains("status: delivered → completed"), "{human}");
    s.check_clean();
}

#[test]
fn refusals_exit_1_and_bad_usage_exits_2() {
    let s = cli_shop(10);
    let id = s.order("R1", 1);
    let e = s.fails(&["order", "ship", &id, "--carrier", "SF", "--tracking", "1"], 1);
    assert!(
        e.contains(&format!(
            "order {id} (web:R1): cannot ship: it is pending_payment (ship needs packed)"
        )),
        "{e}"
    );
    s.fails(&["order", "hold", &id, "--reason", "bored"], 2);
    s.fails(&["order", "pack", &id], 2);
    s.fails(&["order", "cancel", &id], 2);
    let e = s.fails(&["order", "pay", "999"], 2);
    assert!(e.contains("order 999 does not exist"), "{e}");
    s.fails(&["order", "pay", "web:NOPE"], 2);
    s.fails(&["order", "pay", "nonsense"], 2);
    s.fails(&["order", "address", &id], 2);
    s.fails(&["order", "event", &id, "--status", "x"], 1);
    s.fails(&["order", "deliver", &id], 1);
    s.fails(&["order", "release", &id], 1);
    s.fails(&["order", "merge", &id, "--into", &id], 2);

    assert!(
        s.ok(&["order", "hold", &id, "--reason", "customer_request"])
            .contains("on hold")
    );
    assert!(s.ok(&["order", "release", &id]).contains("pending_payment"));
    s.ok(&["order", "address", &id, "--phone", "13900001111"]);
    s.ok(&["order", "pay", &id]);
    let out = s.ok(&["order", "cancel", &id, "--reason", "buyer asked"]);
    assert!(out.contains("refund of ¥209.00"), "{out}");
    s.fails(&["order", "cancel", &id, "--reason", "again"], 1);
    s.check_clean();
}

#[test]
fn pay_short_of_stock_reports_the_hold_and_merge_works() {
    let s = cli_shop(3);
    let a = s.order("P1", 2);
    let b = s.order("P2", 1);
    let c = s.order("P3", 5);
    s.ok(&["order", "pay", &a]);
    s.ok(&["order", "pay", &b]);
    let out = run(s.dir.path(), &s.db, &["order", "pay", &c]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("insufficient stock"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("warning"), "{}", text(&out.stderr));
    let out = s.ok(&["order", "merge", &b, "--into", &a]);
    assert!(out.contains("merged into"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["order", "show", &a, "--json"])).unwrap();
    assert_eq!(json["lines"].as_array().unwrap().len(), 2);
    assert_eq!(json["item_count"], 3);
    s.check_clean();
}

#[test]
fn support_may_hold_but_not_ship_and_sees_masked_pii() {
    let s = cli_shop(10);
    let id = s.order("S1", 1);
    s.ok(&["order", "pay", &id]);
    // Hand ownership to "ana" and make this login support.
    let me = shopdesk::identity::os_login().unwrap();
    let mut owner = Session::open_as(&s.db, &me).unwrap();
    ops::staff::add(&mut owner, "ana", Role::Owner).unwrap();
    let mut ana = Session::open_as(&s.db, "ana").unwrap();
    ops::staff::set_role(&mut ana, &me, Role::Support).unwrap();

    let e = s.fails(&["order", "approve", &id], 1);
    assert!(e.contains("support role may not change orders"), "{e}");
    s.ok(&["order", "hold", &id, "--reason", "risk_review"]);
    s.ok(&["order", "address", &id, "--city", "上海"]);
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["order", "show", &id, "--json"])).unwrap();
    assert_eq!(json["ship"]["phone"], "138****5678");
    assert_eq!(json["pii_masked"], true);
    s.fails(&["order", "pick-list", &id], 1);
}

#[test]
fn pick_list_writes_documents_and_says_what_it_skipped() {
    let s = cli_shop(10);
    let a = s.order("K1", 2);
    let b = s.order("K2", 1);
    let c = s.order("K3", 1);
    for id in [&a, &b, &c] {
        s.ok(&["order", "pay", id]);
    }
    s.ok(&["order", "approve", &a, &b]);
    let out_dir = s.dir.path().join("docs");
    let out = run(
        s.dir.path(),
        &s.db,
        &[
            "order",
            "pick-list",
            &a,
            &b,
            &c,
            "--pick",
            "-o",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "order {c} (web:K3): it is paid (pick lists need approved or picking)"
        )),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("wrote ").count(), 5, "{stdout}");
    let list = std::fs::read_to_string(out_dir.join("pick-list-20261120-180000.txt")).unwrap();
    assert!(
        list.contains("蓝牙耳机") && list.contains("TOTAL UNITS"),
        "{list}"
    );
    assert!(
        out_dir
            .join(format!("packing-slip-20261120-180000-{a}.txt"))
            .exists()
    );
    let csv = std::fs::read_to_string(out_dir.join("pick-list-20261120-180000.csv")).unwrap();
    assert!(
        csv.starts_with("merchant_code,merchant_name,sku,title,qty,orders"),
        "{csv}"
    );
    assert!(csv.contains(&format!("BT-01,蓝牙耳机,3,{a} {b}")), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["order", "show", &a, "--json"])).unwrap();
    assert_eq!(json["status"], "picking", "--pick moved it");
    let e = s.fails(&["order", "pick-list", &c], 1);
    assert!(e.contains("no order is ready to pick"), "{e}");
}

#[test]
fn two_ship_processes_at_once_one_wins() {
    let s = cli_shop(10);
    let id = s.order("X1", 2);
    for args in [
        vec!["order", "pay", &id],
        vec!["order", "approve", &id],
        vec!["order", "pick", &id],
        vec!["order", "pack", &id, "--weight-g", "200"],
    ] {
        s.ok(&args);
    }
    let children: Vec<_> = (0..2)
        .map(|i| {
            let tracking = format!("T{i}");
            cmd(
                s.dir.path(),
                &s.db,
                &["order", "ship", &id, "--carrier", "SF", "--tracking", &tracking],
                NOW,
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [0, 1],
        "{:?}",
        outs.iter().map(|o| text(&o.stderr)).collect::<Vec<_>>()
    );
    let loser = outs.iter().find(|o| !o.status.success()).unwrap();
    let e = text(&loser.stderr);
    assert!(
        e.contains("cannot ship: it is shipped") || e.contains("was changed by"),
        "{e}"
    );
    assert_eq!(stock(&s.db, s.ear), (8, 0));
    s.check_clean();
}

#[test]
fn ten_processes_pay_for_the_last_units_without_overselling() {
    let s = cli_shop(6);
    let ids: Vec<String> = (0..10).map(|i| s.order(&format!("Z{i}"), 1)).collect();
    let children: Vec<_> = ids
        .iter()
        .map(|id| {
            cmd(s.dir.path(), &s.db, &["order", "pay", id], NOW)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let (on_hand, reserved) = stock(&s.db, s.ear);
    assert_eq!((on_hand, reserved), (6, 6));
    let conn = shopdesk::store::open(&s.db).unwrap();
    let mut paid = 0;
    let mut held = 0;
    for id in &ids {
        let o = shopdesk::store::orders::get(&conn, id.parse().unwrap())
            .unwrap()
            .unwrap();
        match o.status.as_str() {
            "paid" => paid += 1,
            "on_hold" => {
                assert_eq!(o.hold_reason.map(|h| h.as_str()), Some("insufficient_stock"));
                held += 1;
            }
            other => panic!("order {id} is {other}"),
        }
    }
    assert_eq!((paid, held), (6, 4));
    s.check_clean();
}

//! After-sales from the command line alone, running the binary (issue 13,
//! "done when"): as a support login claim a new return, see its audit due
//! time, approve it, reply with a macro, wait for the customer (the clock
//! stops), resume, resolve with a partial refund and restock, record CSAT;
//! a refund above the support limit goes to the owner; a dispute runs
//! through response and ruling; a reveal leaves its audit row; bad input
//! exits as the issue says and writes nothing.

mod cli_support;
mod tickets_cli_support;

use cli_support::{check_ok, count, ok};
use tickets_cli_support::{become_role, shop, t, t_fails};

#[test]
fn a_support_day_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    // The owner writes a canned reply (macros are a shop setting).
    t(
        dir,
        &db,
        &[
            "macros",
            "set",
            "got-it",
            "--body",
            "您好 {customer}，订单 {order} 的退款 {refund} 已受理，预计 {due} 前处理完毕。",
        ],
    );
    become_role(&db, "support");
    t_fails(dir, &db, &["macros", "set", "x", "--body", "y"], 1);

    let out = t(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM1",
            "--kind",
            "return",
            "--reason",
            "other.no_reason",
            "--subject",
            "七天无理由退货",
            "--body",
            "不喜欢颜色",
        ],
    );
    assert!(
        out.contains("ticket #1 (return) opened on order TM:TM1; audit due 2026-11-23 18:00"),
        "{out}"
    );
    let q = t(dir, &db, &["queue", "unassigned"]);
    assert!(q.contains("unassigned: 1 ticket(s)") && q.contains("#1"), "{q}");
    assert!(t(dir, &db, &["claim", "1"]).contains("claimed"));
    let mine = t(dir, &db, &["queue", "me"]);
    assert!(mine.contains("needs me: 1 ticket(s)"), "{mine}");
    t(dir, &db, &["approve", "1"]);
    t(dir, &db, &["start", "1"]);
    t(dir, &db, &["macro", "1", "got-it"]);
    t(dir, &db, &["note", "1", "--body", "客户已发照片"]);
    t(dir, &db, &["wait-customer", "1"]);
    let show = t(dir, &db, &["show", "1"]);
    assert!(show.contains("paused (waiting for the customer)"), "{show}");
    // The history says what each step changed, as the TUI's detail does.
    assert!(show.contains("status: approved → in progress"), "{show}");
    assert!(show.contains("assignee: — → "), "{show}");
    assert!(
        show.contains("phone 138****5671") && show.contains("masked"),
        "{show}"
    );
    // The approval's notice went to the customer's phone: masked too.
    assert!(
        show.contains("to 138****5671 via sms") && !show.contains("13812345671"),
        "{show}"
    );
    assert!(
        show.contains("[INTERNAL NOTE]") && show.contains("您好 王芳，订单 TM:TM1"),
        "{show}"
    );
    t(dir, &db, &["resume", "1"]);
    let r = t(
        dir,
        &db,
        &[
            "resolve",
            "1",
            "--resolution",
            "refund",
            "--refund",
            "50.00",
            "--restock",
            "yes",
            "--shipping",
            "buyer",
        ],
    );
    assert!(r.contains("refunded ¥50.00") && r.contains("restocked"), "{r}");
    assert_eq!(
        count(&db, "SELECT sum(amount_minor) FROM refunds WHERE ticket_id = 1"),
        5000
    );
    // (Imported delivered orders are history and moved no stock; the return does.)
    assert_eq!(
        count(
            &db,
            "SELECT sum(on_hand_delta) FROM stock_movements WHERE kind = 'return' AND ticket_id = 1"
        ),
        2
    );
    assert_eq!(count(&db, "SELECT stock_on_hand FROM products"), 102);
    let order = ok(dir, &["--db", &db, "order", "show", "TM:TM1"]);
    assert!(order.contains("50.00"), "refunds appear on the order: {order}");
    t(
        dir,
        &db,
        &[
            "csat",
            "1",
            "--attitude",
            "5",
            "--speed",
            "4",
            "--resolution",
            "4",
            "--overall",
            "5",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&t(dir, &db, &["show", "1", "--json"])).unwrap();
    assert_eq!(json["ticket"]["sat_overall"], 5);
    assert_eq!(json["sla"]["paused_spans"].as_array().unwrap().len(), 1);
    assert_eq!(json["ticket"]["return_shipping"], "buyer");

    // Bad input: refused, nothing written.
    let audits = count(&db, "SELECT count(*) FROM audit_log");
    t_fails(
        dir,
        &db,
        &[
            "csat",
            "1",
            "--attitude",
            "0",
            "--speed",
            "4",
            "--resolution",
            "4",
            "--overall",
            "5",
        ],
        2,
    );
    t_fails(
        dir,
        &db,
        &[
            "csat",
            "1",
            "--attitude",
            "6",
            "--speed",
            "4",
            "--resolution",
            "4",
            "--overall",
            "5",
        ],
        2,
    );
    t_fails(dir, &db, &["reply", "1", "--body", ""], 2);
    let e = t_fails(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM4",
            "--kind",
            "return",
            "--reason",
            "other.no_reason",
            "--subject",
            "x",
        ],
        1,
    );
    assert!(
        e.contains("window ended 2026-11-08 10:00 (delivered 2026-11-01 10:00)"),
        "{e}"
    );
    t(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM2",
            "--kind",
            "refund_only",
            "--reason",
            "quality.defective",
            "--subject",
            "坏了",
        ],
    );
    t(dir, &db, &["approve", "2"]);
    t(dir, &db, &["start", "2"]);
    let before = count(&db, "SELECT count(*) FROM audit_log");
    let e = t_fails(
        dir,
        &db,
        &["resolve", "2", "--resolution", "refund", "--refund", "261.00"],
        1,
    );
    assert!(e.contains("260.00 still refundable"), "{e}");
    let e = t_fails(
        dir,
        &db,
        &["resolve", "2", "--resolution", "refund", "--refund", "250.00"],
        1,
    );
    assert!(e.contains("needs an owner"), "{e}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log"),
        before,
        "nothing written"
    );
    assert!(audits < before);
    // It goes to the owner, who approves it.
    t(dir, &db, &["request-refund", "2", "--refund", "250.00"]);
    assert!(t(dir, &db, &["queue", "owner"]).contains("#2"));
    t_fails(dir, &db, &["approve-refund", "2"], 1);
    become_role(&db, "owner");
    let a = t(dir, &db, &["approve-refund", "2"]);
    assert!(a.contains("refunded ¥250.00") && a.contains("approved"), "{a}");
    become_role(&db, "support");

    // A dispute: the buyer's claim, the merchant's response, the ruling.
    let o = t(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM3",
            "--kind",
            "dispute",
            "--reason",
            "description.not_as_described",
            "--subject",
            "与描述不符",
            "--body",
            "商家拒绝退款",
        ],
    );
    assert!(o.contains("merchant's response due"), "{o}");
    t(dir, &db, &["approve", "3"]);
    t(dir, &db, &["start", "3"]);
    t(dir, &db, &["respond", "3", "--body", "商品无问题"]);
    t(dir, &db, &["escalate", "3"]);
    let r = t(
        dir,
        &db,
        &["rule", "3", "--refund", "30.00", "--payer", "merchant"],
    );
    assert!(r.contains("merchant pays") && r.contains("¥30.00"), "{r}");

    // Reveal: the number, and the audit row with the reason.
    let v = t(
        dir,
        &db,
        &["reveal", "3", "--reason", "customer asked for a call back"],
    );
    assert!(v.contains("13812345673"), "{v}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'reveal' AND after_json LIKE '%call back%'"
        ),
        1
    );

    let rep = t(
        dir,
        &db,
        &["report", "--from", "2026-11-01", "--to", "2026-11-21", "--json"],
    );
    let rep: serde_json::Value = serde_json::from_str(&rep).unwrap();
    assert_eq!(rep["tickets_by_reason"].as_array().unwrap().len(), 3, "{rep}");
    assert_eq!(rep["csat"][1]["overall"], 5.0, "{rep}");
    assert!(t(dir, &db, &["reasons"]).contains("quality.damaged"));
    become_role(&db, "owner");
    check_ok(dir, &db);
}

#[test]
fn ticket_help_lists_every_verb_and_bad_keys_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let help = ok(dir, &["--db", &db, "ticket", "--help"]);
    for v in [
        "open",
        "approve",
        "reject",
        "start",
        "wait-customer",
        "wait-merchant",
        "resume",
        "escalate",
        "resolve",
        "reopen",
        "close",
        "claim",
        "assign",
        "reply",
        "note",
        "macro",
        "csat",
        "reveal",
        "respond",
        "rule",
        "request-refund",
        "approve-refund",
        "queue",
        "show",
    ] {
        assert!(help.contains(v), "ticket --help lists {v}: {help}");
    }
    t_fails(dir, &db, &["approve", "abc"], 2);
    t_fails(dir, &db, &["approve", "99"], 2);
    t_fails(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:NOPE",
            "--kind",
            "return",
            "--reason",
            "quality",
            "--subject",
            "x",
        ],
        2,
    );
    t_fails(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM1",
            "--kind",
            "swap",
            "--reason",
            "quality",
            "--subject",
            "x",
        ],
        2,
    );
    t_fails(
        dir,
        &db,
        &[
            "open",
            "--order",
            "TM:TM1",
            "--kind",
            "return",
            "--reason",
            "bogus",
            "--subject",
            "x",
        ],
        2,
    );
    assert_eq!(count(&db, "SELECT count(*) FROM tickets"), 0);
}

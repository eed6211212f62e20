//! Merchant verbs at the ops level: every transition through the verb
//! engine, refusals that write nothing, roles, the race of two reviewers,
//! the 12-month points window, and the audit rows.

use chrono::{DateTime, Utc};
use rusqlite::params;
use shopdesk::Error;
use shopdesk::domain::Role;
use shopdesk::ops::verbs::{self, Entity, Value, Values};
use shopdesk::ops::{self, Session};
use shopdesk::store;

const NOW: &str = "2026-11-20T10:00:00Z";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Shop {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        ops::staff::init(&path, "ana", "test shop", "CNY", "Asia/Shanghai").unwrap();
        let mut s = Session::open_as(&path, "ana").unwrap();
        ops::staff::add(&mut s, "lin", Role::Operator).unwrap();
        ops::staff::add(&mut s, "mei", Role::Support).unwrap();
        ops::staff::add(&mut s, "vic", Role::Viewer).unwrap();
        ops::staff::add(&mut s, "bo", Role::Operator).unwrap();
        Shop { _dir: dir, path }
    }

    fn session(&self, login: &str) -> Session {
        Session::open_as(&self.path, login).unwrap()
    }

    /// A merchant in `status` (joint mode, no email: notices go by SMS).
    fn merchant(&self, code: &str, status: &str) -> i64 {
        let c = store::open(&self.path).unwrap();
        let opened = matches!(status, "active" | "suspended");
        c.execute(
            "INSERT INTO merchants (code, name, phone, cooperation_mode, status, status_reason, deposit_paid,
                                    agreement_signed, applied_at, created_at, updated_at)
             VALUES (?1, ?1, '13800000000', 'joint', ?2, CASE WHEN ?2 = 'rejected' THEN 'no' END, ?3, ?3, ?4, ?4, ?4)",
            params![code, status, opened, NOW],
        )
        .unwrap();
        c.last_insert_rowid()
    }

    fn status(&self, id: i64) -> String {
        let c = store::open(&self.path).unwrap();
        c.query_row("SELECT status FROM merchants WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        let c = store::open(&self.path).unwrap();
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn values(pairs: &[(&'static str, Value)]) -> Values {
    let mut v = Values::default();
    for (n, x) in pairs {
        v.set(n, x.clone());
    }
    v
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn run(s: &mut Session, verb: &str, id: i64, v: &Values) -> shopdesk::Result<verbs::Outcome> {
    let spec = verbs::find(Entity::Merchant, verb).unwrap();
    verbs::run_at(s, spec, id, None, v, t(NOW))
}

/// Every transition of the state machine through the engine, with its audit row.
#[test]
fn every_transition_runs_and_is_audited() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let reason = values(&[("reason", text("x"))]);
    let cases: &[(&str, &str, Values, &str)] = &[
        ("submitted", "start_review", Values::default(), "under_review"),
        (
            "under_review",
            "request_changes",
            values(&[("feedback", text("fix it"))]),
            "needs_changes",
        ),
        ("needs_changes", "resubmit", Values::default(), "submitted"),
        ("under_review", "reject", reason.clone(), "rejected"),
        ("active", "suspend", reason.clone(), "suspended"),
        ("suspended", "reinstate", Values::default(), "active"),
        (
            "active",
            "terminate",
            values(&[("reason", text("x")), ("cause", text("violation"))]),
            "terminated",
        ),
        (
            "suspended",
            "terminate",
            values(&[("reason", text("x")), ("cause", text("merchant_request"))]),
            "terminated",
        ),
    ];
    for (i, (from, verb, v, to)) in cases.iter().enumerate() {
        let id = shop.merchant(&format!("T{i}"), from);
        let o = run(&mut s, verb, id, v).unwrap_or_else(|e| panic!("{verb} from {from}: {e}"));
        assert_eq!(shop.status(id), *to, "{verb}");
        assert_eq!(o.version, 1);
        let audited = shop.count(&format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'merchant' AND entity_id = {id} AND action = '{verb}' AND actor = 'lin'"
        ));
        assert_eq!(audited, 1, "{verb}");
    }
    // Approve (documents) and activate (money) have their own tests below;
    // from the wrong state every verb is refused and writes nothing.
    let id = shop.merchant("W1", "approved");
    let before = shop.count("SELECT count(*) FROM audit_log");
    for verb in ["start_review", "resubmit", "approve", "reinstate"] {
        let e = run(&mut s, verb, id, &Values::default()).unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{verb}: {e}");
        assert!(
            e.to_string().contains("merchant W1") && e.to_string().contains("it is approved"),
            "{e}"
        );
    }
    assert_eq!(shop.count("SELECT count(*) FROM audit_log"), before);
}

#[test]
fn approval_needs_every_required_document_verified_and_the_setting_decides_which() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let id = shop.merchant("D1", "under_review");
    let e = run(&mut s, "approve", id, &Values::default()).unwrap_err();
    // joint promotion needs all nine by default (brand authorisation too).
    assert_eq!(e.to_string().matches("is missing").count(), 9, "{e}");
    // The setting: joint needs only the licence.
    store::open(&shop.path)
        .unwrap()
        .execute_batch(
            "DELETE FROM required_documents WHERE cooperation_mode = 'joint' AND kind <> 'business_licence';",
        )
        .unwrap();
    let e = run(&mut s, "approve", id, &Values::default()).unwrap_err();
    assert_eq!(e.to_string().matches("is missing").count(), 1, "{e}");
    run(
        &mut s,
        "doc_add",
        id,
        &values(&[
            ("kind", text("business_licence")),
            ("expires", text("2026-11-19")),
        ]),
    )
    .unwrap();
    // Verified while it was valid; its date passed before any tick ran:
    // approval reads the date, not only the stored check.
    let verify = verbs::find(Entity::Merchant, "doc_verify").unwrap();
    let kind = values(&[("kind", text("business_licence"))]);
    verbs::run_at(&mut s, verify, id, None, &kind, t("2026-11-18T10:00:00Z")).unwrap();
    let e = run(&mut s, "approve", id, &Values::default()).unwrap_err();
    assert!(
        e.to_string().contains("business licence expired on 2026-11-19"),
        "{e}"
    );
    run(
        &mut s,
        "doc_add",
        id,
        &values(&[
            ("kind", text("business_licence")),
            ("expires", text("2031-01-01")),
        ]),
    )
    .unwrap();
    // Re-adding starts the check again.
    let e = run(&mut s, "approve", id, &Values::default()).unwrap_err();
    assert!(e.to_string().contains("not verified (it is pending)"), "{e}");
    run(
        &mut s,
        "doc_verify",
        id,
        &values(&[("kind", text("business_licence"))]),
    )
    .unwrap();
    run(&mut s, "approve", id, &Values::default()).unwrap();
    assert_eq!(shop.status(id), "approved");
    // The notice went by SMS (no email on file).
    assert_eq!(
        shop.count("SELECT count(*) FROM notices WHERE channel = 'sms' AND recipient = '13800000000'"),
        1
    );
}

#[test]
fn support_and_viewer_only_read_merchants() {
    let shop = Shop::new();
    let id = shop.merchant("R1", "submitted");
    let before = shop.count("SELECT count(*) FROM audit_log");
    for login in ["mei", "vic"] {
        let mut s = shop.session(login);
        for verb in ["start_review", "deposit", "violation", "sign"] {
            let v = match verb {
                "deposit" => values(&[("entry", text("pay")), ("amount", Value::Money(100))]),
                "violation" => values(&[
                    ("kind", text("x")),
                    ("severity", text("minor")),
                    ("note", text("n")),
                ]),
                _ => Values::default(),
            };
            let e = run(&mut s, verb, id, &v).unwrap_err();
            assert!(matches!(e, Error::Refused(_)), "{login} {verb}: {e}");
            assert!(e.to_string().contains("may not change merchants"), "{e}");
        }
        assert!(ops::merchants::detail_at(&s, id, t(NOW)).is_ok());
    }
    assert_eq!(shop.status(id), "submitted");
    assert_eq!(shop.count("SELECT count(*) FROM audit_log"), before);
    assert_eq!(shop.count("SELECT count(*) FROM merchant_ledger"), 0);
}

/// Two reviewers approve the same application from the version their
/// screens showed: exactly one wins, the other is told who did it.
#[test]
fn two_reviewers_approving_at_once_one_wins_the_other_hears_who() {
    let shop = Shop::new();
    let id = shop.merchant("C1", "under_review");
    store::open(&shop.path)
        .unwrap()
        .execute_batch("DELETE FROM required_documents;")
        .unwrap();
    let mut lin = shop.session("lin");
    let mut bo = shop.session("bo");
    let approve = verbs::find(Entity::Merchant, "approve").unwrap();
    let shown_lin = verbs::load_target(&lin.conn, Entity::Merchant, id, None)
        .unwrap()
        .version;
    let shown_bo = verbs::load_target(&bo.conn, Entity::Merchant, id, None)
        .unwrap()
        .version;
    let a = verbs::run_at(&mut lin, approve, id, Some(shown_lin), &Values::default(), t(NOW));
    let b = verbs::run_at(&mut bo, approve, id, Some(shown_bo), &Values::default(), t(NOW));
    assert!(a.is_ok(), "{a:?}");
    match b {
        Err(Error::Conflict(c)) => {
            assert_eq!(c.entity, "merchant");
            assert_eq!(c.id, id);
            assert_eq!(c.by.as_ref().map(|(who, _)| who.as_str()), Some("lin"));
        }
        other => panic!("expected a conflict naming lin, got {other:?}"),
    }
    assert_eq!(
        shop.count("SELECT count(*) FROM audit_log WHERE action = 'approve'"),
        1
    );
    assert_eq!(shop.count("SELECT count(*) FROM notices"), 1);
}

#[test]
fn only_the_last_12_months_of_points_suspend_and_a_deduction_needs_the_balance() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let id = shop.merchant("P1", "active");
    // 11 points recorded 13 months ago do not count.
    store::open(&shop.path)
        .unwrap()
        .execute(
            "INSERT INTO merchant_violations (merchant_id, kind, severity, points, note, created_at, created_by)
             VALUES (?1, 'old', 'severe', 11, 'long ago', '2025-10-01T00:00:00Z', 'ana')",
            [id],
        )
        .unwrap();
    let v = |sev: &str, pts: Option<i64>, deduct: Option<i64>| {
        let mut v = values(&[
            ("kind", text("late_shipment")),
            ("severity", text(sev)),
            ("note", text("late")),
        ]);
        if let Some(p) = pts {
            v.set("points", Value::Int(p));
        }
        if let Some(d) = deduct {
            v.set("deduct", Value::Money(d));
        }
        v
    };
    let e = run(&mut s, "violation", id, &v("minor", None, Some(1))).unwrap_err();
    assert!(e.to_string().contains("more than the deposit balance"), "{e}");
    assert_eq!(shop.count("SELECT count(*) FROM merchant_violations"), 1);
    let o = run(&mut s, "violation", id, &v("severe", Some(11), None)).unwrap();
    assert!(!o.attention, "{}", o.message);
    assert_eq!(shop.status(id), "active");
    let o = run(&mut s, "violation", id, &v("minor", None, None)).unwrap();
    assert!(
        o.attention && o.message.contains("12 violation points"),
        "{}",
        o.message
    );
    assert_eq!(shop.status(id), "suspended");
    // The credit score is recomputed: 100 − 2 × 12 points (no orders yet).
    assert_eq!(
        shop.count(&format!("SELECT credit_score FROM merchants WHERE id = {id}")),
        76
    );
    let d = ops::merchants::detail_at(&s, id, t(NOW)).unwrap();
    assert_eq!((d.credit_score_now, d.credit_inputs.violation_points), (76, 12));
    // A violation on a suspended merchant is recorded without another suspension.
    run(&mut s, "violation", id, &v("minor", None, None)).unwrap();
    assert_eq!(
        shop.count("SELECT count(*) FROM notices WHERE subject LIKE '%suspended%'"),
        1
    );
}

#[test]
fn activation_needs_the_ledger_balance_the_fee_and_the_signature() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let id = shop.merchant("A1", "approved");
    store::open(&shop.path)
        .unwrap()
        .execute(
            "UPDATE merchants SET deposit_minor = 1000, platform_fee_minor = 500 WHERE id = ?1",
            [id],
        )
        .unwrap();
    let pay = |entry: &str, amount: i64| values(&[("entry", text(entry)), ("amount", Value::Money(amount))]);
    run(&mut s, "deposit", id, &pay("pay", 1000)).unwrap();
    run(&mut s, "deposit", id, &pay("refund", 1)).unwrap();
    run(&mut s, "fee", id, &pay("pay", 499)).unwrap();
    run(&mut s, "sign", id, &Values::default()).unwrap();
    let e = run(&mut s, "sign", id, &Values::default()).unwrap_err();
    assert!(e.to_string().contains("already signed"), "{e}");
    let e = run(&mut s, "activate", id, &Values::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("the deposit balance ¥9.99 is below the required ¥10.00"),
        "{msg}"
    );
    assert!(
        msg.contains("the platform fee is paid only ¥4.99 of ¥5.00"),
        "{msg}"
    );
    assert!(!msg.contains("agreement"), "{msg}");
    run(&mut s, "deposit", id, &pay("top-up", 1)).unwrap();
    run(&mut s, "fee", id, &pay("pay", 1)).unwrap();
    run(&mut s, "activate", id, &Values::default()).unwrap();
    assert_eq!(shop.status(id), "active");
    assert_eq!(
        shop.count("SELECT sum(amount_minor) FROM merchant_ledger WHERE account = 'deposit'"),
        1000
    );
    // A rejected merchant takes no money.
    let r = shop.merchant("A2", "rejected");
    let e = run(&mut s, "deposit", r, &pay("pay", 1)).unwrap_err();
    assert!(e.to_string().contains("it is rejected"), "{e}");
}

/// A file made by the previous schema (version 2) is brought to the shape
/// of a new one, its documents kept.
#[test]
fn a_version_2_file_is_migrated_to_the_schema_of_a_new_one() {
    let shop = Shop::new();
    let id = shop.merchant("V2", "under_review");
    let schema = |p: &std::path::Path| -> Vec<(String, String)> {
        let c = rusqlite::Connection::open(p).unwrap();
        let mut st = c
            .prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let fresh = schema(&shop.path);
    let c = rusqlite::Connection::open(&shop.path).unwrap();
    c.execute_batch(
        "DROP TABLE notices; DROP TABLE merchant_hidden_products; DROP TABLE merchant_submissions;
         DROP TABLE merchant_ledger; DROP TABLE merchant_document_files; DROP TABLE required_documents;
         DROP TABLE merchant_documents;
         CREATE TABLE merchant_documents (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('business_licence', 'tax_registration', 'legal_rep_id',
                 'trademark_certificate', 'brand_authorisation', 'quality_inspection_report',
                 'quality_system_certificate', 'integrity_pledge')),
    number       TEXT    NOT NULL DEFAULT '',
    issuer       TEXT    NOT NULL DEFAULT '',
    expires_on   TEXT,
    check_status TEXT    NOT NULL DEFAULT 'pending' CHECK (check_status IN ('pending', 'verified', 'rejected', 'expired')),
    note         TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (merchant_id, kind)
);
         CREATE INDEX merchant_documents_expiry ON merchant_documents (expires_on);
         PRAGMA user_version = 2;",
    )
    .unwrap();
    c.execute(
        "INSERT INTO merchant_documents (merchant_id, kind, number, check_status) VALUES (?1, 'tax_registration', 'T-1', 'verified')",
        [id],
    )
    .unwrap();
    drop(c);
    assert_ne!(schema(&shop.path), fresh);
    let mut s = shop.session("lin");
    assert_eq!(schema(&shop.path), fresh);
    assert_eq!(
        shop.count(
            "SELECT count(*) FROM merchant_documents WHERE number = 'T-1' AND check_status = 'verified'"
        ),
        1
    );
    assert_eq!(shop.count("SELECT count(*) FROM required_documents"), 26);
    // The new kind is accepted after the upgrade.
    run(
        &mut s,
        "doc_add",
        id,
        &values(&[("kind", text("organisation_code"))]),
    )
    .unwrap();
    drop(s);
    drop(store::open(&shop.path).unwrap());
    assert_eq!(schema(&shop.path), fresh);
}

/// An applicant sharing a licence number or legal representative id with a
/// rejected or terminated merchant is flagged (not refused), and the
/// changes-needed notice carries each rejected document's reason.
#[test]
fn bad_records_are_flagged_and_feedback_names_each_document() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let old = shop.merchant("OLD", "rejected");
    let new = shop.merchant("NEW", "under_review");
    let other = shop.merchant("OK1", "active");
    let c = store::open(&shop.path).unwrap();
    c.execute(
        "UPDATE merchants SET license_no = 'L-1' WHERE id IN (?1, ?2, ?3)",
        params![old, new, other],
    )
    .unwrap();
    drop(c);
    run(
        &mut s,
        "doc_add",
        new,
        &values(&[
            ("kind", text("legal_rep_id")),
            ("number", text("330100199001011234")),
        ]),
    )
    .unwrap();
    // The rejected merchant's document, from before it was rejected.
    store::open(&shop.path)
        .unwrap()
        .execute(
            "INSERT INTO merchant_documents (merchant_id, kind, number) VALUES (?1, 'legal_rep_id', '330100199001011234')",
            [old],
        )
        .unwrap();
    let d = ops::merchants::detail_at(&s, new, t(NOW)).unwrap();
    let found: Vec<(String, String)> = d
        .bad_records
        .iter()
        .map(|b| (b.code.clone(), b.matched.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("OLD".to_string(), "legal representative id".to_string()),
            ("OLD".to_string(), "licence number".to_string())
        ]
    );
    // The active one sharing the licence is no bad record.
    assert!(
        ops::merchants::detail_at(&s, other, t(NOW))
            .unwrap()
            .bad_records
            .iter()
            .all(|b| b.code == "OLD")
    );
    run(
        &mut s,
        "doc_reject",
        new,
        &values(&[
            ("kind", text("legal_rep_id")),
            ("reason", text("照片不清 photo unreadable")),
        ]),
    )
    .unwrap();
    run(
        &mut s,
        "request_changes",
        new,
        &values(&[("feedback", text("please fix the ID"))]),
    )
    .unwrap();
    let body: String = store::open(&shop.path)
        .unwrap()
        .query_row("SELECT body FROM notices WHERE entity_id = ?1", [new], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        body.contains("please fix the ID")
            && body.contains("legal representative ID: 照片不清 photo unreadable"),
        "{body}"
    );
}

/// A resubmission counts its round and the review shows what changed since
/// the round the feedback was given on.
#[test]
fn resubmissions_count_and_show_what_changed() {
    let shop = Shop::new();
    let mut s = shop.session("lin");
    let id = shop.merchant("RS", "under_review");
    let add = |kind: &str, number: &str| values(&[("kind", text(kind)), ("number", text(number))]);
    run(&mut s, "doc_add", id, &add("business_licence", "N1")).unwrap();
    run(
        &mut s,
        "doc_verify",
        id,
        &values(&[("kind", text("business_licence"))]),
    )
    .unwrap();
    assert!(
        ops::merchants::detail_at(&s, id, t(NOW))
            .unwrap()
            .changes_since_last_round
            .is_empty()
    );
    run(
        &mut s,
        "request_changes",
        id,
        &values(&[("feedback", text("wrong licence"))]),
    )
    .unwrap();
    run(&mut s, "doc_add", id, &add("business_licence", "N2")).unwrap();
    run(&mut s, "doc_add", id, &add("tax_registration", "T1")).unwrap();
    let o = run(&mut s, "resubmit", id, &Values::default()).unwrap();
    assert!(o.message.contains("1st resubmission"), "{}", o.message);
    let d = ops::merchants::detail_at(&s, id, t(NOW)).unwrap();
    assert_eq!(d.round, 2);
    assert_eq!(
        d.changes_since_last_round,
        vec![
            "business licence: number N1 → N2, check_status verified → pending",
            "tax registration: added"
        ]
    );
    // The review is due 5 business days after the resubmission
    // (Friday 2026-11-20 18:00 shop time → Friday 2026-11-27).
    assert_eq!(d.merchant.review_due_at.as_deref(), Some("2026-11-27T10:00:00Z"));
    run(&mut s, "start_review", id, &Values::default()).unwrap();
    run(
        &mut s,
        "request_changes",
        id,
        &values(&[("feedback", text("still wrong"))]),
    )
    .unwrap();
    let o = run(&mut s, "resubmit", id, &Values::default()).unwrap();
    assert!(o.message.contains("2nd resubmission"), "{}", o.message);
    let d = ops::merchants::detail_at(&s, id, t(NOW)).unwrap();
    assert_eq!(d.round, 3);
    assert!(
        d.changes_since_last_round.is_empty(),
        "{:?}",
        d.changes_since_last_round
    );
}

/// The commission is the merchant's, else its categories' (nearest
/// ancestor with a rate), else the shop's default, each saying which.
#[test]
fn commission_says_where_it_comes_from() {
    let shop = Shop::new();
    let s = shop.session("vic");
    let id = shop.merchant("K1", "submitted");
    let c = store::open(&shop.path).unwrap();
    c.execute_batch(
        "INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (1, NULL, '家居', '家居', 450);
         INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (2, 1, '厨房', '家居 > 厨房', NULL);
         INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (3, NULL, '服装', '服装', NULL);",
    )
    .unwrap();
    c.execute(
        "UPDATE merchants SET requested_categories = '家居 > 厨房, 服装' WHERE id = ?1",
        [id],
    )
    .unwrap();
    let rates = |s: &Session| -> Vec<(String, Option<String>, i64)> {
        ops::merchants::detail_at(s, id, t(NOW))
            .unwrap()
            .commission
            .into_iter()
            .map(|c| (c.source.to_string(), c.category, c.bp))
            .collect()
    };
    assert_eq!(
        rates(&s),
        vec![
            ("category".to_string(), Some("家居 > 厨房".to_string()), 450),
            ("default".to_string(), Some("服装".to_string()), 500)
        ]
    );
    c.execute("UPDATE merchants SET commission_bp = 600 WHERE id = ?1", [id])
        .unwrap();
    assert_eq!(rates(&s), vec![("merchant".to_string(), None, 600)]);
}

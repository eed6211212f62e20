//! Merchant review from the command line alone, running the binary: an
//! application from submission to opening, the blockers named on the way,
//! a rejection, violations until the automatic suspension, reinstatement,
//! termination, and the notices sent through a fake sendmail.

mod cli_support;

use std::path::Path;

use cli_support::{check_ok, count, fails, init, ok, write};
use sha2::Digest;

fn m(dir: &Path, db: &str, args: &[&str]) -> String {
    let mut all = vec!["--db", db, "merchant"];
    all.extend_from_slice(args);
    ok(dir, &all)
}

fn m_fails(dir: &Path, db: &str, args: &[&str], code: i32) -> String {
    let mut all = vec!["--db", db, "merchant"];
    all.extend_from_slice(args);
    fails(dir, &all, code)
}

const KINDS: [&str; 9] = [
    "business_licence",
    "tax_registration",
    "organisation_code",
    "legal_rep_id",
    "trademark_certificate",
    "brand_authorisation",
    "quality_inspection_report",
    "quality_system_certificate",
    "integrity_pledge",
];

/// A shop with M1 (agency, deposit ¥500, fee ¥100, two listed products
/// and a draft) and M2 (direct), both submitted.
fn shop(dir: &Path) -> String {
    let db = init(dir);
    let csv = write(
        dir,
        "m.csv",
        "code,name,contact_name,email,phone,cooperation_mode,status\n\
         M1,杭州好物,张三,m1@example.com,13800000001,agency,submitted\n\
         M2,深圳优选,李四,m2@example.com,13800000002,direct,submitted\n",
    );
    ok(dir, &["--db", &db, "import", "merchants", csv.to_str().unwrap()]);
    // The terms an operator agrees with the merchant.
    let out = ok(
        dir,
        &[
            "--db",
            &db,
            "merchant",
            "terms",
            "M1",
            "--deposit",
            "500",
            "--fee",
            "100.00",
        ],
    );
    assert!(out.contains("deposit ¥0.00 → ¥500.00"), "{out}");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "INSERT INTO products (merchant_id, sku, title, price_minor, status, created_at, updated_at)
           SELECT id, 'A', '茶杯', 1200, 'listed', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z' FROM merchants WHERE code = 'M1';
         INSERT INTO products (merchant_id, sku, title, price_minor, status, created_at, updated_at)
           SELECT id, 'B', '茶壶', 5600, 'listed', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z' FROM merchants WHERE code = 'M1';
         INSERT INTO products (merchant_id, sku, title, price_minor, status, created_at, updated_at)
           SELECT id, 'C', '茶盘', 0, 'draft', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z' FROM merchants WHERE code = 'M1';",
    )
    .unwrap();
    db
}

fn status(db: &str, code: &str) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT status FROM merchants WHERE code = ?1", [code], |r| {
        r.get(0)
    })
    .unwrap()
}

fn listed(db: &str) -> i64 {
    count(
        db,
        "SELECT count(*) FROM products p JOIN merchants m ON m.id = p.merchant_id
         WHERE m.code = 'M1' AND p.status = 'listed'",
    )
}

#[test]
fn an_application_from_submission_to_termination_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let audit_before = count(&db, "SELECT count(*) FROM audit_log");

    // Wrong state: nothing to approve before review.
    let e = m_fails(dir, &db, &["approve", "M1"], 1);
    assert!(e.contains("M1") && e.contains("it is submitted"), "{e}");
    m(dir, &db, &["start-review", "M1"]);
    // Starting the review claims it.
    let show = m(dir, &db, &["show", "M1"]);
    let me = shopdesk::identity::os_login().unwrap();
    assert!(show.contains(&format!("claimed by {me} ")), "{show}");

    // Every required document is named while missing.
    let e = m_fails(dir, &db, &["approve", "M1"], 1);
    for what in [
        "business licence is missing",
        "organisation code certificate is missing",
        "brand authorisation is missing",
        "integrity pledge is missing",
    ] {
        assert!(e.contains(what), "{what}: {e}");
    }
    // Per-document feedback: the licence rejected with its reason.
    m(
        dir,
        &db,
        &["doc", "add", "M1", "--kind", "business_licence", "--number", "N0"],
    );
    m(
        dir,
        &db,
        &[
            "doc",
            "reject",
            "M1",
            "business_licence",
            "--reason",
            "扫描不清晰 scan unreadable",
        ],
    );
    // Feedback is required text.
    m_fails(dir, &db, &["request-changes", "M1"], 2);
    m(
        dir,
        &db,
        &[
            "request-changes",
            "M1",
            "--feedback",
            "请补充材料 / please complete the documents",
        ],
    );
    assert_eq!(status(&db, "M1"), "needs_changes");
    let notices = ok(dir, &["--db", &db, "notices", "export"]);
    assert!(
        notices.contains("business licence: 扫描不清晰 scan unreadable"),
        "the notice names each rejected document: {notices}"
    );
    // The merchant sends a new licence and resubmits: the review shows the diff.
    m(
        dir,
        &db,
        &["doc", "add", "M1", "--kind", "business_licence", "--number", "N1"],
    );
    let out = m(dir, &db, &["resubmit", "M1"]);
    assert!(out.contains("1st resubmission"), "{out}");
    m(dir, &db, &["start-review", "M1"]);
    let show = m(dir, &db, &["show", "M1"]);
    assert!(
        show.contains("changed since round 1") && show.contains("N0 → N1"),
        "{show}"
    );

    // A scan is stored with its hash; a missing or oversized file writes nothing.
    let scan = write(dir, "licence.pdf", b"%PDF-1.4 licence scan");
    let docs = count(&db, "SELECT count(*) FROM merchant_documents");
    let e = m_fails(
        dir,
        &db,
        &[
            "doc",
            "add",
            "M1",
            "--kind",
            "business_licence",
            "--file",
            "/nonexistent/x.pdf",
        ],
        2,
    );
    assert!(
        e.contains("/nonexistent/x.pdf") && e.contains("nothing was written"),
        "{e}"
    );
    let big = dir.join("big.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(20 * 1024 * 1024 + 1)
        .unwrap();
    let e = m_fails(
        dir,
        &db,
        &[
            "doc",
            "add",
            "M1",
            "--kind",
            "business_licence",
            "--file",
            big.to_str().unwrap(),
        ],
        2,
    );
    assert!(e.contains("20 MB"), "{e}");
    assert_eq!(count(&db, "SELECT count(*) FROM merchant_documents"), docs);
    let out = m(
        dir,
        &db,
        &[
            "doc",
            "add",
            "M1",
            "--kind",
            "business_licence",
            "--number",
            "91330100MA2XXXX",
            "--issuer",
            "杭州市市场监督管理局",
            "--expires",
            "2030-12-31",
            "--file",
            scan.to_str().unwrap(),
        ],
    );
    let want = hex::encode(sha2::Sha256::digest(b"%PDF-1.4 licence scan"));
    assert!(out.contains(&want) && out.contains("application/pdf"), "{out}");
    for k in KINDS.iter().skip(1) {
        m(dir, &db, &["doc", "add", "M1", "--kind", k, "--number", "N1"]);
    }
    for k in KINDS {
        m(dir, &db, &["doc", "verify", "M1", k]);
    }
    m_fails(dir, &db, &["doc", "reject", "M1", "trademark_certificate"], 2);
    m(
        dir,
        &db,
        &[
            "doc",
            "reject",
            "M1",
            "trademark_certificate",
            "--reason",
            "expired copy",
        ],
    );
    let e = m_fails(dir, &db, &["approve", "M1"], 1);
    assert!(
        e.contains("trademark certificate is not verified (it is rejected)"),
        "{e}"
    );
    assert!(!e.contains("business licence"), "{e}");
    m(dir, &db, &["doc", "verify", "M1", "trademark_certificate"]);
    m(dir, &db, &["approve", "M1"]);
    assert_eq!(status(&db, "M1"), "approved");

    // The scan comes back byte for byte.
    let out_file = dir.join("out.pdf");
    m(
        dir,
        &db,
        &[
            "doc",
            "export",
            "M1",
            "business_licence",
            "-o",
            out_file.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), b"%PDF-1.4 licence scan");
    // It never overwrites.
    m_fails(
        dir,
        &db,
        &[
            "doc",
            "export",
            "M1",
            "business_licence",
            "-o",
            out_file.to_str().unwrap(),
        ],
        2,
    );

    // Money before opening: each blocker named.
    let e = m_fails(dir, &db, &["activate", "M1"], 1);
    assert!(e.contains("no deposit is recorded (required ¥500.00)"), "{e}");
    assert!(e.contains("the platform fee is not recorded as paid"), "{e}");
    assert!(e.contains("the agreement is not signed"), "{e}");
    let out = m(dir, &db, &["deposit", "M1", "pay", "--amount", "300"]);
    assert!(out.contains("below the required deposit"), "{out}");
    m(dir, &db, &["fee", "M1", "pay", "--amount", "100.00"]);
    m(dir, &db, &["sign", "M1"]);
    let e = m_fails(dir, &db, &["activate", "M1"], 1);
    assert!(
        e.contains("the deposit balance ¥300.00 is below the required ¥500.00"),
        "{e}"
    );
    assert!(!e.contains("agreement"), "{e}");
    m_fails(dir, &db, &["deposit", "M1", "donate", "--amount", "1"], 2);
    m_fails(dir, &db, &["deposit", "M1", "refund", "--amount", "301"], 1);
    m(dir, &db, &["deposit", "M1", "top-up", "--amount", "200"]);
    m(dir, &db, &["activate", "M1"]);
    assert_eq!(status(&db, "M1"), "active");

    // Reject another; a rejection needs its reason and is final.
    m(dir, &db, &["start-review", "M2"]);
    m_fails(dir, &db, &["reject", "M2"], 2);
    m(
        dir,
        &db,
        &[
            "reject",
            "M2",
            "--reason",
            "资质不符 documents do not match the company",
        ],
    );
    let e = m_fails(dir, &db, &["start-review", "M2"], 1);
    assert!(e.contains("it is rejected"), "{e}");

    // Violations until the automatic suspension hides the listed products.
    assert_eq!(listed(&db), 2);
    for _ in 0..3 {
        let out = m(
            dir,
            &db,
            &[
                "violation",
                "M1",
                "--kind",
                "late_shipment",
                "--severity",
                "major",
                "--note",
                "发货超时",
            ],
        );
        assert!(!out.contains("suspended"), "{out}");
    }
    assert_eq!(status(&db, "M1"), "active");
    let out = m(
        dir,
        &db,
        &[
            "violation",
            "M1",
            "--kind",
            "counterfeit",
            "--severity",
            "severe",
            "--deduct",
            "100",
            "--note",
            "假货",
        ],
    );
    assert!(
        out.contains("suspended automatically") && out.contains("15 violation points"),
        "{out}"
    );
    assert_eq!(status(&db, "M1"), "suspended");
    assert_eq!(listed(&db), 0);
    // Gone from the listed view as the command line shows it.
    let listed_csv = ok(dir, &["--db", &db, "export", "products", "--status", "listed"]);
    assert_eq!(listed_csv.lines().count(), 1, "only the header: {listed_csv}");
    let show = m(dir, &db, &["show", "M1", "--json"]);
    let j: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(j["deposit_balance_minor"], 40000);
    assert_eq!(j["deposit_short"], true);
    assert_eq!(j["violation_points"], 15);
    assert_eq!(j["round"], 2);

    m(dir, &db, &["reinstate", "M1"]);
    assert_eq!(status(&db, "M1"), "active");
    assert_eq!(listed(&db), 2);
    // The credit score travels with the export.
    let csv = ok(dir, &["--db", &db, "export", "merchants"]);
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.ends_with(",credit_score"), "{header}");
    let score = j["credit_score"].as_i64().unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("M1,") && l.ends_with(&format!(",{score}"))),
        "{csv}"
    );

    // Termination delists everything and refunds the balance.
    m_fails(dir, &db, &["terminate", "M1", "--reason", "合同到期"], 2);
    let out = m(
        dir,
        &db,
        &[
            "terminate",
            "M1",
            "--reason",
            "合同到期 contract ended",
            "--cause",
            "merchant_request",
        ],
    );
    assert!(
        out.contains("3 product(s) delisted") && out.contains("refunded ¥400.00"),
        "{out}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE status = 'delisted' AND delist_reason = 'merchant_request'"
        ),
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT sum(amount_minor) FROM merchant_ledger WHERE account = 'deposit'"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM merchant_ledger WHERE kind = 'refund' AND amount_minor = -40000"
        ),
        1
    );

    // Every change left its audit row, and the file checks clean.
    assert!(count(&db, "SELECT count(*) FROM audit_log") > audit_before + 30);
    check_ok(dir, &db);

    // Notices: changes needed, approved, activated, suspended, terminated for
    // M1 and rejected for M2.
    let list = ok(dir, &["--db", &db, "notices", "list", "--json"]);
    let notices: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let subjects: Vec<&str> = notices.iter().map(|n| n["subject"].as_str().unwrap()).collect();
    assert_eq!(notices.len(), 6, "{subjects:?}");
    for s in [
        "Changes needed",
        "approved",
        "open",
        "not accepted",
        "suspended",
        "ended",
    ] {
        assert!(subjects.iter().any(|x| x.contains(s)), "{s}: {subjects:?}");
    }

    // A fake sendmail that fails on its second message.
    let mail = dir.join("mail.txt");
    let counter = dir.join("count");
    let script = write(
        dir,
        "fake-sendmail",
        format!(
            "#!/bin/sh\nn=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'\ncat >> '{m}'\n[ $n -ne 2 ] || {{ echo 'mailbox busy' >&2; exit 75; }}\n",
            c = counter.display(),
            m = mail.display()
        ),
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let via = format!("{} -t", script.display());
    let e = fails(dir, &["--db", &db, "notices", "send", "--via", &via], 1);
    assert!(
        e.contains("mailbox busy") && e.contains("1 of 6 notice(s) not sent"),
        "{e}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM notices WHERE sent_at IS NULL"),
        1
    );
    let out = ok(dir, &["--db", &db, "notices", "send", "--via", &via]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM notices WHERE sent_at IS NULL"),
        0
    );
    let sent = std::fs::read_to_string(&mail).unwrap();
    assert!(
        sent.contains("To: m1@example.com") && sent.contains("To: m2@example.com"),
        "{sent}"
    );
    assert!(sent.contains("Subject: Your shop is open (M1)"), "{sent}");
    // Nothing left: a third send sends nothing and runs nothing.
    ok(dir, &["--db", &db, "notices", "send", "--via", &via]);
    assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "7");
    let out = ok(dir, &["--db", &db, "notices", "mark-sent", "1"]);
    assert!(out.contains("already sent"), "{out}");
    check_ok(dir, &db);
}

#[test]
fn merchant_show_names_the_blockers_and_unknown_codes_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    m(dir, &db, &["start-review", "M2"]);
    let out = m(dir, &db, &["show", "M2"]);
    assert!(out.contains("approval blocked by"), "{out}");
    assert!(
        out.contains("trademark_certificate") && out.contains("MISSING"),
        "{out}"
    );
    let e = m_fails(dir, &db, &["show", "M9"], 2);
    assert!(e.contains("M9"), "{e}");
    let e = m_fails(dir, &db, &["approve", "M9"], 2);
    assert!(e.contains("M9"), "{e}");
}

/// `shopdesk tick` marks a document past its expiry date expired, audited
/// by `system`; a second tick changes nothing.
#[test]
fn tick_expires_documents_once() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = shop(dir);
    let add = |kind: &str, expires: &str| {
        m(
            dir,
            &db,
            &["doc", "add", "M1", "--kind", kind, "--expires", expires],
        );
    };
    add("business_licence", "2026-11-20");
    add("tax_registration", "2026-11-21");
    m(dir, &db, &["doc", "verify", "M1", "business_licence"]);
    // Nothing is past its date today (2026-11-20 in Shanghai).
    let out = cli_support::run(dir, &["--db", &db, "tick"]);
    assert!(out.status.success());
    assert!(cli_support::text(&out.stdout).is_empty());
    // The next day the licence is past it: tick marks it expired, once.
    let next_day = "2026-11-21T10:00:00Z";
    let out = cli_support::run_at(dir, next_day, &["--db", &db, "tick"]);
    assert!(out.status.success(), "{}", cli_support::text(&out.stderr));
    assert_eq!(
        cli_support::text(&out.stdout).trim(),
        "merchant M1 (杭州好物): business licence expired on 2026-11-20"
    );
    let expired = || {
        count(
            &db,
            "SELECT count(*) FROM merchant_documents WHERE check_status = 'expired'",
        )
    };
    assert_eq!(expired(), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE actor = 'system' AND action = 'doc_expire'"
        ),
        1
    );
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    let again = cli_support::run_at(dir, next_day, &["--db", &db, "tick"]);
    assert!(again.status.success());
    assert!(cli_support::text(&again.stdout).is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
    // An expired document is not verified again; approval names it.
    let later = |args: &[&str], code: i32| {
        let mut all = vec!["--db", db.as_str(), "merchant"];
        all.extend_from_slice(args);
        let out = cli_support::run_at(dir, next_day, &all);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            cli_support::text(&out.stderr)
        );
        cli_support::text(&out.stderr)
    };
    let e = later(&["doc", "verify", "M1", "business_licence"], 1);
    assert!(e.contains("expired on 2026-11-20"), "{e}");
    later(&["start-review", "M1"], 0);
    let e = later(&["approve", "M1"], 1);
    assert!(
        e.contains("business licence is not verified (it is expired)"),
        "{e}"
    );
    check_ok(dir, &db);
}

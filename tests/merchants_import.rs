//! `import merchant-documents`: a good file lands as one audited change per
//! merchant, a re-import changes nothing (and names what differs), a bad
//! row writes nothing, `--skip-invalid` writes the good rows. (The refusals
//! of every kind of bad file are the corpus in tests/bad_input.)

mod cli_support;

use cli_support::{check_ok, count, fails, init, ok, write};

const HEADER: &str = "merchant_code,kind,number,issuer,expires_on,status\n";

fn shop(d: &std::path::Path) -> String {
    let db = init(d);
    let csv = write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,杭州好物,joint,submitted\nM2,深圳优选,direct,submitted\n",
    );
    ok(d, &["--db", &db, "import", "merchants", csv.to_str().unwrap()]);
    db
}

#[test]
fn documents_import_all_or_nothing_and_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let kinds = [
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
    let mut body = String::from(HEADER);
    for (i, k) in kinds.iter().enumerate() {
        body.push_str(&format!(
            "M1,{k},N-{i},杭州市监局,2030-01-0{},verified\n",
            i % 9 + 1
        ));
    }
    body.push_str("M2,business_licence,L-2,深圳市监局,,\n");
    let f = write(d, "docs.csv", &body);
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    let out = ok(
        d,
        &["--db", &db, "import", "merchant-documents", f.to_str().unwrap()],
    );
    assert!(out.contains("10 new"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM merchant_documents"), 10);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM merchant_documents WHERE check_status = 'pending'"
        ),
        1,
        "status defaults to pending"
    );
    // One audited change per merchant, not per row.
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log") - audit, 2);
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log WHERE action = 'doc_import'"),
        2
    );
    check_ok(d, &db);
    // The verified set lets M1 be approved.
    ok(d, &["--db", &db, "merchant", "start-review", "M1"]);
    ok(d, &["--db", &db, "merchant", "approve", "M1"]);
    // Again: nothing new, nothing overwritten; a difference is named.
    let again = write(
        d,
        "again.csv",
        format!(
            "{HEADER}M1,business_licence,N-0,杭州市监局,2030-01-01,verified\nM2,business_licence,L-3,深圳市监局,,\n"
        ),
    );
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "merchant-documents",
            again.to_str().unwrap(),
        ],
    );
    assert!(out.contains("0 new, 1 already present, 1 changed"), "{out}");
    assert!(
        out.contains("M2/business_licence: number (file \"L-3\", shopdesk \"L-2\")"),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
    // One bad row: nothing written, the row named.
    let bad = write(
        d,
        "bad.csv",
        format!("{HEADER}M2,tax_registration,T-1,,2030-01-01,\nM2,legal_rep_id,R-1,,2030-13-01,\n"),
    );
    let e = fails(
        d,
        &["--db", &db, "import", "merchant-documents", bad.to_str().unwrap()],
        2,
    );
    assert!(e.contains("bad.csv:3: expires_on:"), "{e}");
    assert_eq!(count(&db, "SELECT count(*) FROM merchant_documents"), 10);
    // --skip-invalid writes the good row and rejects the bad one.
    let out = ok(
        d,
        &[
            "--db",
            &db,
            "import",
            "merchant-documents",
            bad.to_str().unwrap(),
            "--skip-invalid",
        ],
    );
    assert!(out.contains("1 new") && out.contains("1 rows rejected"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM merchant_documents"), 11);
    let rejects = std::fs::read_to_string(format!("{}.rejects.csv", bad.display())).unwrap();
    assert!(rejects.contains("R-1"), "{rejects}");
    check_ok(d, &db);
}

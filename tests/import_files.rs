//! Import files as spreadsheets and channels write them: GBK, BOM, CRLF,
//! quoted newlines; merchants and products imports.

#[path = "cli_support/mod.rs"]
mod cli;

use cli::{check_ok, count, init, ok, run, text, write};

fn query_text(db: &str, sql: &str) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn gbk_file_imports_with_encoding_gbk_and_is_refused_without() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    let csv = "code,name,legal_name,city,cooperation_mode\n\
               M1,蓝牙耳机旗舰店,深圳市声学科技有限公司,深圳,direct\n\
               M2,\"茶叶, 直营\",杭州茶业,杭州,joint\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(csv);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file really is not UTF-8"
    );
    let f = write(d, "gbk.csv", &bytes);
    let f = f.to_str().unwrap();

    let out = run(d, &["--db", &db, "import", "merchants", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{f}:2: the text is not valid UTF-8")),
        "{err}"
    );
    assert!(err.contains("--encoding gbk"), "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM merchants"), 0);

    let out = ok(d, &["--db", &db, "import", "merchants", f, "--encoding", "gbk"]);
    assert!(out.contains("2 new"), "{out}");
    assert_eq!(
        query_text(&db, "SELECT name FROM merchants WHERE code = 'M1'"),
        "蓝牙耳机旗舰店"
    );
    assert_eq!(
        query_text(&db, "SELECT legal_name FROM merchants WHERE code = 'M1'"),
        "深圳市声学科技有限公司"
    );
    assert_eq!(
        query_text(&db, "SELECT name FROM merchants WHERE code = 'M2'"),
        "茶叶, 直营"
    );
}

#[test]
fn bom_crlf_and_quoted_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    let m = write(
        d,
        "m.csv",
        "\u{feff}code,name,cooperation_mode,status\r\nM1,Acme,direct,active\r\n",
    );
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        d,
        "p.csv",
        "\u{feff}sku,merchant_code,title,category,price,stock,status,description\r\n\
         A-1,M1,\"Kettle, 1.5 L\",Home > Kitchen,199.00,10,listed,\"line one\nline two \"\"quoted\"\"\"\r\n\
         A-2,M1,Pan,Home > Kitchen,59.90,0,draft,\r\n\
         A-3,M1,Rake,Home>Garden,25,3,draft,plain\r\n",
    );
    let out = ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    assert!(out.contains("3 new"), "{out}");
    assert!(out.contains("created 3 categories"), "{out}");
    assert_eq!(
        query_text(&db, "SELECT description FROM products WHERE sku = 'A-1'"),
        "line one\nline two \"quoted\""
    );
    assert_eq!(
        query_text(&db, "SELECT title FROM products WHERE sku = 'A-1'"),
        "Kettle, 1.5 L"
    );
    assert_eq!(
        query_text(
            &db,
            "SELECT group_concat(path, '|') FROM (SELECT path FROM categories ORDER BY path)"
        ),
        "Home|Home > Garden|Home > Kitchen"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM categories c JOIN categories p ON p.id = c.parent_id WHERE p.path = 'Home'"
        ),
        2
    );
    // Stock arrives as `receive` movements; the ledger adds up.
    assert_eq!(
        count(
            &db,
            "SELECT sum(on_hand_delta) FROM stock_movements WHERE kind = 'receive'"
        ),
        13
    );
    assert_eq!(
        count(&db, "SELECT price_minor FROM products WHERE sku = 'A-2'"),
        5990
    );
    check_ok(d, &db);

    // A record that starts on line 2 and spans two lines: the next is line 4.
    let bad = write(
        d,
        "bad.csv",
        "sku,merchant_code,title,price,description\r\n\
         B-1,M1,Ok,1.00,\"two\nlines\"\r\n\
         B-2,M1,Bad,1.005,x\r\n",
    );
    let bad = bad.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "products", bad]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{bad}:4: price:")), "{err}");
}

#[test]
fn merchants_statuses_defaults_and_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    let f = write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status,commission_rate,applied_at\n\
         M1,Active One,direct,active,5%,2026-11-02 09:00:00\n\
         M2,New One,agency,,0.035,2026-11-16T09:00:00+08:00\n\
         M3,Gone,joint,rejected,,\n",
    );
    let f = f.to_str().unwrap();
    let out = ok(d, &["--db", &db, "import", "merchants", f]);
    assert!(out.contains("3 new"), "{out}");
    assert!(out.contains("deposit paid and agreement signed"), "{out}");
    let q = |sql: &str| count(&db, sql);
    assert_eq!(
        q("SELECT deposit_paid + agreement_signed FROM merchants WHERE code = 'M1'"),
        2
    );
    assert_eq!(q("SELECT commission_bp FROM merchants WHERE code = 'M1'"), 500);
    assert_eq!(q("SELECT commission_bp FROM merchants WHERE code = 'M2'"), 350);
    assert_eq!(
        query_text(&db, "SELECT status FROM merchants WHERE code = 'M2'"),
        "submitted"
    );
    // Monday 09:00 + 5 business days of 09:00-18:00 = Friday 18:00 (Shanghai).
    assert_eq!(
        query_text(&db, "SELECT review_due_at FROM merchants WHERE code = 'M2'"),
        "2026-11-20T10:00:00Z"
    );
    assert_eq!(
        query_text(&db, "SELECT applied_at FROM merchants WHERE code = 'M3'"),
        cli::NOW
    );
    assert_eq!(
        q("SELECT count(*) FROM audit_log WHERE entity = 'merchant' AND action = 'import'"),
        3
    );
    let out = ok(d, &["--db", &db, "import", "merchants", f]);
    assert!(out.contains("0 new, 3 already present, 0 changed"), "{out}");
    let g = write(
        d,
        "m2.csv",
        "code,name,cooperation_mode\nM1,Renamed,direct\nM4,Four,direct\n",
    );
    let out = ok(d, &["--db", &db, "import", "merchants", g.to_str().unwrap()]);
    assert!(out.contains("1 new, 0 already present, 1 changed"), "{out}");
    assert!(
        out.contains("M1: name (file \"Renamed\", shopdesk \"Active One\")"),
        "{out}"
    );
    let bad = write(
        d,
        "m3.csv",
        "code,name,cooperation_mode\nM5,Five,franchise\nM5,Five again,direct\n",
    );
    let bad = bad.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "merchants", bad]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{bad}:2: cooperation_mode: unknown cooperation mode")),
        "{err}"
    );
    check_ok(d, &db);
}

#[test]
fn products_listing_rules_and_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    let m = write(
        d,
        "m.csv",
        "code,name,cooperation_mode,status\nM1,Live,direct,active\nM2,Waiting,direct,submitted\n",
    );
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        d,
        "p.csv",
        "merchant_code,sku,title,category,price,stock,low_stock_threshold,status,description\n\
         M1,S1,Tea,Food > Tea,30.00,5,2,listed,green tea\n\
         M2,S2,Cup,Home,9.00,1,0,listed,a cup\n\
         M1,S3,Pot,,0,0,0,listed,\n\
         M1,S1,Tea again,Food > Tea,30.00,5,2,draft,\n",
    );
    let p = p.to_str().unwrap();
    let out = run(d, &["--db", &db, "import", "products", p]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{p}:3: status: cannot be listed: the merchant is not active"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{p}:4: status: cannot be listed: the description is empty"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:5: sku: M1/S1 appears again (first on line 2)")),
        "{err}"
    );
    let out = ok(d, &["--db", &db, "import", "products", p, "--skip-invalid"]);
    assert!(out.contains("1 new"), "{out}");
    let rejects = std::fs::read_to_string(format!("{p}.rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 4, "{rejects}");
    let again = write(
        d,
        "again.csv",
        "merchant_code,sku,title,category,price,stock,low_stock_threshold,status,description\n\
         M1,S1,Tea,Food > Tea,32.00,5,2,listed,green tea\n",
    );
    let out = ok(d, &["--db", &db, "import", "products", again.to_str().unwrap()]);
    assert!(
        out.contains("M1/S1: price (file \"32.00\", shopdesk \"30.00\")"),
        "{out}"
    );
    assert_eq!(
        count(&db, "SELECT price_minor FROM products WHERE sku = 'S1'"),
        3000
    );
    check_ok(d, &db);
}

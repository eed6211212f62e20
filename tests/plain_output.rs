//! Plain CLI output and error messages carry no control characters, whatever
//! the database or an input file holds (issue 9, item 11): a customer named
//! `ESC ]2;PWNED BEL` must not retitle the terminal of whoever runs
//! `order show`.

mod cli_support;
mod orders_support;

use std::path::Path;

use cli_support::{init, run, text, write};
use orders_support::Addr;

/// An OSC title change, a C1 CSI (colour) and a carriage return.
const EVIL: &str = "\x1b]2;PWNED\x07Li\u{9b}31mLei\rX";

/// No control character but the newlines between lines.
fn assert_clean(what: &str, bytes: &[u8]) {
    let s = text(bytes);
    let bad: Vec<char> = s.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "{what}: control characters {bad:?} in:\n{s:?}");
}

fn shop(dir: &Path) -> (String, i64) {
    let db = init(dir);
    let path = Path::new(&db);
    let m = orders_support::merchant(path, "M\x1b[2J1", EVIL);
    let p = orders_support::product(path, m, "SKU\x1b[H1", EVIL, 1990, 10);
    let c = orders_support::customer(path, "C\x07001", EVIL);
    let addr = Addr {
        name: EVIL,
        phone: "138\x1b[31m12345678",
        address: EVIL,
        city: "北京\x1b]0;x\x07",
    };
    let o = orders_support::order(path, "W\x1b]2;T\x071", c, m, &[(p, 2)], &addr);
    // A staff login no `staff add` would accept, as a damaged or hand-edited
    // file could hold.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO staff (login, role, created_at) VALUES (?1, 'viewer', ?2)",
        rusqlite::params![EVIL, cli_support::NOW],
    )
    .unwrap();
    (db, o)
}

#[test]
fn order_show_and_staff_list_neutralise_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = shop(dir.path());
    let out = run(dir.path(), &["--db", &db, "order", "show", &id.to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_clean("order show", &out.stdout);
    let shown = text(&out.stdout);
    // The text is still there, with the controls turned into spaces.
    assert!(shown.contains(" ]2;PWNED Li 31mLei X"), "{shown}");
    assert!(shown.contains("customer  C 001"), "{shown}");

    // --json keeps the exact value, escaped by JSON (which escapes C0 only).
    let out = run(
        dir.path(),
        &["--db", &db, "order", "show", &id.to_string(), "--json"],
    );
    assert!(out.status.success());
    assert!(!text(&out.stdout).contains(['\x1b', '\x07', '\r']));
    assert!(text(&out.stdout).contains("\\u001b]2;PWNED\\u0007"));

    let out = run(dir.path(), &["--db", &db, "staff", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_clean("staff list", &out.stdout);
    assert!(text(&out.stdout).contains(" ]2;PWNED Li 31mLei X"));

    let out = run(dir.path(), &["--db", &db, "whoami"]);
    assert!(out.status.success());
    assert_clean("whoami", &out.stdout);

    // A workflow's report names the order.
    let out = run(dir.path(), &["--db", &db, "order", "pay", &id.to_string()]);
    assert_clean("order pay", &out.stdout);
    assert_clean("order pay (stderr)", &out.stderr);
}

#[test]
fn error_messages_neutralise_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    // Our own errors quote the bad value.
    let out = run(
        dir.path(),
        &["--db", &db, "order", "show", "web:\x1b]2;PWNED\x07"],
    );
    assert!(!out.status.success());
    assert_clean("order show error", &out.stderr);
    assert!(text(&out.stderr).contains("PWNED"), "{}", text(&out.stderr));
    // So do clap's, also when it would colour them (as on a terminal).
    for args in [
        &["--db", &db, "order", "hold", "1", "--reason", "\x1b]2;PWNED\x07"][..],
        &["\x1b]2;PWNED\x07"][..],
    ] {
        let out = cli_support::command(dir.path(), args)
            .env("CLICOLOR_FORCE", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_clean("clap error", &out.stderr);
        assert!(text(&out.stderr).contains("error: "), "{}", text(&out.stderr));
    }
    // Without control characters clap's message is untouched (coloured here).
    let out = cli_support::command(dir.path(), &["order", "hold", "1", "--reason", "soon"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("\x1b["), "{}", text(&out.stderr));
    // A path is a value too.
    let bad_db = dir.path().join("no\x1b]2;PWNED\x07dir").join("shop.db");
    let out = run(dir.path(), &["--db", &bad_db.display().to_string(), "whoami"]);
    assert!(!out.status.success());
    assert_clean("bad --db", &out.stderr);
}

#[test]
fn import_reports_and_errors_neutralise_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = shop(dir.path());
    // An orders file whose merchant is unknown: the problem quotes it, in the
    // report (--skip-invalid --dry-run) and in the error (plain import).
    let orders = format!(
        "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price\n\
         TM,1,2026-11-01 10:00:00,pending_payment,c1,{n},13812341111,{n},Hangzhou,M\x1b]2;PWNED\x07,A,1,5.00\n",
        n = "Li\x1b]2;PWNED\x07Lei"
    );
    let file = write(dir.path(), "orders\x1b]2;F\x07.csv", orders);
    let f = file.display().to_string();
    let out = run(
        dir.path(),
        &["--db", &db, "import", "orders", &f, "--skip-invalid", "--dry-run"],
    );
    assert_clean("import report", &out.stdout);
    assert_clean("import report (stderr)", &out.stderr);
    assert!(
        text(&out.stdout).contains("PWNED"),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = run(dir.path(), &["--db", &db, "import", "orders", &f]);
    assert!(!out.status.success());
    assert_clean("import error", &out.stderr);
    assert!(text(&out.stderr).contains("PWNED"), "{}", text(&out.stderr));
}

#[test]
fn keys_and_keymap_errors_neutralise_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config").join("shopdesk");
    std::fs::create_dir_all(&config).unwrap();
    // A key that is a control character is a valid binding; `keys` shows it.
    write(&config, "keymap.toml", "[table]\n\"\\u0007\" = \"refresh\"\n");
    let out = run(dir.path(), &["keys"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    assert_clean("keys", &out.stdout);
    // A bad key is quoted in the error.
    write(
        &config,
        "keymap.toml",
        "[table]\n\"\\u001b]2;PWNED\\u0007 x\" = \"up\"\n",
    );
    let out = run(dir.path(), &["keys"]);
    assert!(text(&out.stderr).contains("PWNED"), "{}", text(&out.stderr));
    assert_clean("keys (errors)", &out.stderr);
}

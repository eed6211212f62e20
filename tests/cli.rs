//! The built binary on temp databases: commands, exit codes, messages.

#[path = "cli_support/mod.rs"]
mod cli;

use std::path::Path;

use cli::{run as shopdesk, text};

fn init(dir: &Path) -> String {
    let db = dir.join("shop.db").display().to_string();
    let out = shopdesk(dir, &["--db", &db, "init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

#[test]
fn init_whoami_check_and_staff() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());

    let out = shopdesk(dir.path(), &["--db", &db, "whoami"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let who = text(&out.stdout);
    assert!(who.trim_end().ends_with(" owner"), "{who}");

    let out = shopdesk(
        dir.path(),
        &["--db", &db, "staff", "add", "mei", "--role", "support"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = shopdesk(dir.path(), &["--db", &db, "staff", "list"]);
    assert!(text(&out.stdout).contains("mei"));
    let out = shopdesk(dir.path(), &["--db", &db, "staff", "add", "x", "--role", "admin"]);
    assert_eq!(out.status.code(), Some(2), "unknown role is bad usage");

    let out = shopdesk(dir.path(), &["--db", &db, "check"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("ok    audit chain"));
}

#[test]
fn init_twice_is_refused_and_missing_db_names_init() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let out = shopdesk(dir.path(), &["--db", &db, "init"]);
    assert_eq!(out.status.code(), Some(1));
    let missing = dir.path().join("nope.db").display().to_string();
    let out = shopdesk(dir.path(), &["--db", &missing, "whoami"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("shopdesk init"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_tampered_audit_row_fails_check_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    assert!(
        shopdesk(
            dir.path(),
            &["--db", &db, "staff", "add", "lin", "--role", "operator"]
        )
        .status
        .success()
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE audit_log SET after_json = '{}' WHERE id = 2", [])
        .unwrap();
    drop(conn);
    let out = shopdesk(dir.path(), &["--db", &db, "check"]);
    assert_eq!(out.status.code(), Some(3));
    let s = text(&out.stdout);
    assert!(
        s.contains("FAIL  audit chain") && s.contains("audit_log row 2"),
        "{s}"
    );
}

#[test]
fn not_a_shopdesk_file_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.db");
    std::fs::write(&f, b"hello").unwrap();
    let out = shopdesk(dir.path(), &["--db", f.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("not a shopdesk database"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn backup_completions_and_man() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let copy = dir.path().join("copy.db").display().to_string();
    let out = shopdesk(dir.path(), &["--db", &db, "backup", &copy]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(shopdesk(dir.path(), &["--db", &copy, "check"]).status.success());

    let out = shopdesk(dir.path(), &["completions", "bash"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("shopdesk"));
    let out = shopdesk(dir.path(), &["man"]);
    assert!(text(&out.stdout).contains(".TH shopdesk"));
    let out = shopdesk(dir.path(), &["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn db_path_comes_from_env_then_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = shopdesk(dir.path(), &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("data/shopdesk/shopdesk.db").exists());

    let envdb = dir.path().join("env.db");
    // The data-directory file exists now, so this init succeeds only if
    // SHOPDESK_DB wins over it.
    let mut c = cli::command(dir.path(), &["init"]);
    c.env("SHOPDESK_DB", &envdb);
    let out = cli::output(c);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(envdb.exists());
}

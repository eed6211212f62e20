//! A file that is not a shop is refused by every command and left exactly as
//! it was: same bytes, no -wal, -shm or -journal beside it (issue 9, item 4).

#[path = "cli_support/mod.rs"]
mod cli;

use std::path::{Path, PathBuf};

use cli::{run, text};

/// Every command that opens the database, as (args after `--db FILE`).
fn commands(d: &Path) -> Vec<Vec<String>> {
    let csv = d.join("m.csv");
    std::fs::write(&csv, "code,name\nM1,One\n").unwrap();
    let out = d.join("out.csv").display().to_string();
    let backup = d.join("copy.db").display().to_string();
    [
        vec![], // the TUI
        vec!["check"],
        vec!["whoami"],
        vec!["staff", "list"],
        vec!["staff", "add", "mei", "--role", "support"],
        vec!["order", "show", "1"],
        vec!["export", "orders", "-o", &out],
        vec!["import", "merchants", csv.to_str().unwrap()],
        vec!["backup", &backup],
        vec!["bench", "--rounds", "1"],
        vec!["demo", "--no-tui"],
        vec!["init"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect()
}

fn side_files(f: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = f.as_os_str().to_owned();
            p.push(s);
            PathBuf::from(p)
        })
        .filter(|p| p.exists())
        .collect()
}

/// Runs every command on `f` and asserts each fails and leaves it as it was.
fn refused_and_untouched(d: &Path, f: &Path, skip: &[&str]) {
    let before = std::fs::read(f).unwrap();
    for args in commands(d) {
        if args.first().is_some_and(|a| skip.contains(&a.as_str())) {
            continue;
        }
        let mut all = vec!["--db".to_string(), f.display().to_string()];
        all.extend(args.iter().cloned());
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = run(d, &all);
        assert!(
            !out.status.success(),
            "{args:?} accepted {}: {}",
            f.display(),
            text(&out.stdout)
        );
        let after = std::fs::read(f).unwrap();
        assert!(
            after == before,
            "{args:?} changed {} ({} bytes before, {} after); stderr: {}",
            f.display(),
            before.len(),
            after.len(),
            text(&out.stderr)
        );
        assert_eq!(
            side_files(f),
            Vec::<PathBuf>::new(),
            "{args:?} left files beside it"
        );
        assert!(!d.join("copy.db").exists(), "{args:?} wrote a backup");
    }
}

#[test]
fn a_foreign_sqlite_file_in_rollback_mode_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("other.db");
    {
        let c = rusqlite::Connection::open(&f).unwrap();
        c.execute_batch(
            "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO notes(body) VALUES ('keep me'), ('and me');",
        )
        .unwrap();
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "delete");
    }
    refused_and_untouched(d, &f, &[]);
    let out = run(d, &["--db", f.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("is not a shopdesk database"),
        "{}",
        text(&out.stderr)
    );
    // Still in rollback-journal mode for its own program.
    let c = rusqlite::Connection::open_with_flags(&f, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete");
}

#[test]
fn a_foreign_sqlite_file_in_wal_mode_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("walled.db");
    {
        let c = rusqlite::Connection::open(&f).unwrap();
        c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert!(
        side_files(&f).is_empty(),
        "closing checkpoints and removes the -wal"
    );
    refused_and_untouched(d, &f, &[]);
}

#[test]
fn a_zero_length_file_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("empty.db");
    std::fs::write(&f, b"").unwrap();
    // `init` may make an empty file a shop: that is what it is for.
    refused_and_untouched(d, &f, &["init"]);
    assert_eq!(std::fs::metadata(&f).unwrap().len(), 0);
    let out = run(d, &["--db", f.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("is not a shopdesk database"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_text_file_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("notes.txt");
    std::fs::write(&f, b"not a database at all\n").unwrap();
    refused_and_untouched(d, &f, &[]);
}

//! `shopdesk backup` (issue 9, items 2 and 3): it finishes while another
//! process keeps writing, with a consistent copy; a killed backup leaves
//! nothing under the target's name; bad targets are bad usage.

#[path = "data/cli_support.rs"]
mod cli;
#[path = "data/import_support.rs"]
mod support;

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};

use cli::{check_ok, init, ok, run, text, write};

/// Adds `mb` MB of filler pages to a shop (a table shopdesk does not know),
/// so a backup takes many steps, plus two counters on pages far apart whose
/// sum a consistent copy keeps at zero.
fn bulk_up(db: &str, mb: usize) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE filler(id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, b BLOB);
         INSERT INTO filler(id, n, b) VALUES (1, 0, NULL);
         WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < {})
         INSERT INTO filler(id, b) SELECT i, randomblob(3900) FROM k;
         INSERT INTO filler(id, n, b) VALUES (1000000, 0, NULL);",
        mb * 256
    ))
    .unwrap();
}

#[test]
fn a_backup_finishes_while_another_process_keeps_writing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    bulk_up(&db, 24);
    let copy = d.join("copy.db");
    let copy_s = copy.to_str().unwrap().to_string();

    let mut child = cli::command(d, &["--db", &db, "backup", &copy_s])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // One commit after another, each moving a unit between the two
    // counters, for as long as the backup runs, but at most `LIMIT` of
    // them: the backup must finish before the writer runs out (it used to
    // restart on each commit and only finish once the writes stopped).
    const LIMIT: usize = 20_000;
    let finished = AtomicBool::new(false);
    let (writes, status) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut c = rusqlite::Connection::open(&db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let mut n = 0;
            while n < LIMIT && !finished.load(Ordering::SeqCst) {
                let tx = c.transaction().unwrap();
                tx.execute("UPDATE filler SET n = n + 1 WHERE id = 1", [])
                    .unwrap();
                tx.execute("UPDATE filler SET n = n - 1 WHERE id = 1000000", [])
                    .unwrap();
                tx.commit().unwrap();
                n += 1;
            }
            n
        });
        let status = child.wait().unwrap();
        finished.store(true, Ordering::SeqCst);
        (writer.join().unwrap(), status)
    });
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "backup failed: {err}");
    assert!(
        writes < LIMIT,
        "the backup only finished after the writer stopped ({writes} commits)"
    );
    assert!(writes > 0, "the writer never ran beside the backup");
    check_ok(d, &copy_s);
    let c = rusqlite::Connection::open(&copy).unwrap();
    let (a, b): (i64, i64) = c
        .query_row(
            "SELECT (SELECT n FROM filler WHERE id = 1), (SELECT n FROM filler WHERE id = 1000000)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(a + b, 0, "the copy holds half a commit: {a} and {b}");
    let filler: i64 = c
        .query_row("SELECT count(*) FROM filler", [], |r| r.get(0))
        .unwrap();
    assert_eq!(filler, 24 * 256 + 1);
}

/// Everything in `d` whose name starts with `prefix`.
fn named(d: &Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn a_killed_backup_leaves_nothing_under_the_target_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    bulk_up(&db, 64);
    let out_dir = d.join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("shop.bak");
    let target_s = target.to_str().unwrap().to_string();

    let mut child = cli::command(d, &["--db", &db, "backup", &target_s])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has started writing (any file in the target's
    // directory with data in it), or when it is done.
    loop {
        let started = std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.metadata().is_ok_and(|m| m.len() > 0));
        if started || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::yield_now();
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    let left = named(&out_dir, "shop.bak");
    if status.success() {
        // The kill landed after the copy was complete: then it is whole.
        assert_eq!(left, vec!["shop.bak".to_string()]);
        check_ok(d, &target_s);
        return;
    }
    assert_eq!(left, Vec::<String>::new(), "a killed backup left these");
    // The same name works next time, and the copy is whole.
    let out = ok(d, &["--db", &db, "backup", &target_s]);
    assert!(out.contains("backed up"), "{out}");
    check_ok(d, &target_s);
    assert_eq!(named(&out_dir, "shop.bak"), vec!["shop.bak".to_string()]);
}

#[test]
fn bad_targets_are_bad_usage_and_touch_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);

    let missing = d.join("no-such-dir").join("shop.bak");
    let out = run(d, &["--db", &db, "backup", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("no-such-dir").exists());

    let existing = write(d, "taken.bak", "somebody's file");
    let out = run(d, &["--db", &db, "backup", existing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "somebody's file");
    assert_eq!(named(d, ".taken"), Vec::<String>::new());
}

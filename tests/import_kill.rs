//! Killing an import (SIGKILL) at any moment leaves the database as it was
//! and `shopdesk check` clean: the import is one transaction.

#[path = "cli_support/mod.rs"]
mod cli;
#[path = "data/import_support.rs"]
mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use cli::{check_ok, counts, init, ok, write};

#[test]
fn sigkill_during_an_import_leaves_the_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = init(d);
    let m = write(d, "m.csv", support::merchants_csv(20));
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(d, "p.csv", support::products_csv(20, 50, 1_000_000));
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let big = d.join("big.csv");
    support::write_orders(&big, 1000, 20_000, 20, 50);
    let big = big.to_str().unwrap();
    let before = counts(&db);
    // What the import leaves when it completes, from a copy of the shop.
    let copy = d.join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    ok(d, &["--db", copy, "import", "orders", big]);
    let after = counts(copy);
    assert_ne!(after, before);

    // How long the whole import takes here, without committing.
    let t = Instant::now();
    ok(d, &["--db", &db, "import", "orders", big, "--dry-run"]);
    let full = t.elapsed();
    assert_eq!(counts(&db), before);

    // Early (reading the file, write lock held) and late (writing, or committing).
    for at in [Duration::from_millis(300), full.mul_f64(0.9)] {
        let mut child = cli::command(d, &["--db", &db, "import", "orders", big])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        // The kill may land after the commit (while the process reports and
        // closes the file): then the import is whole. Anything in between
        // would be half an import.
        let _ = child.kill();
        let _ = child.wait().unwrap();
        let now = counts(&db);
        assert!(
            now == before || now == after,
            "killed after {at:?}: {now:?} is neither {before:?} nor {after:?}"
        );
        check_ok(d, &db);
        if now == after {
            return;
        }
    }

    // The shop still works: the same file imports afterwards.
    let small = d.join("small.csv");
    support::write_orders(&small, 1000, 50, 20, 50);
    let out = ok(d, &["--db", &db, "import", "orders", small.to_str().unwrap()]);
    assert!(out.contains(" new, 0 already present"), "{out}");
    check_ok(d, &db);
}

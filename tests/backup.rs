//! `shopdesk backup` (issue 9, items 2, 3 and 9): it finishes while another
//! process keeps writing, with a consistent copy; a killed backup leaves
//! nothing under the target's name; bad targets are bad usage; and only the
//! owner may take one (it holds every phone and address unmasked), as only
//! the owner's exports are unmasked.

#[path = "cli_support/mod.rs"]
mod cli;
#[path = "data/os_user.rs"]
mod os_user;
#[path = "data/import_support.rs"]
mod support;

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cli::{check_ok, init, ok, run, text, write};
use shopdesk::domain::Role;
use shopdesk::ops::Session;
use shopdesk::ops::export::{self, ExportOptions, What};

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

    // A writer commits one transaction after another, each moving a unit
    // between the two counters, about every millisecond, from before the
    // backup starts until it ends, but at most `LIMIT` times: the backup
    // must finish before the writer runs out (it used to restart on every
    // commit and so finished only once the writes stopped).
    const LIMIT: usize = 20_000;
    let written = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let (writes, status, mut child) = std::thread::scope(|s| {
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
                written.store(n, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n
        });
        while written.load(Ordering::SeqCst) < 10 && !writer.is_finished() {
            std::thread::yield_now();
        }
        let mut child = cli::command(d, &["--db", &db, "backup", &copy_s])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = child.wait().unwrap();
        finished.store(true, Ordering::SeqCst);
        (writer.join().unwrap(), status, child)
    });
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "backup failed: {err}");
    assert!(
        writes < LIMIT,
        "the backup only finished after the writer stopped ({writes} commits)"
    );
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
    // The same name works next time, the copy is whole, and what the killed
    // one left beside it under its temporary name is gone.
    let out = ok(d, &["--db", &db, "backup", &target_s]);
    assert!(out.contains("backed up"), "{out}");
    check_ok(d, &target_s);
    assert_eq!(named(&out_dir, "shop.bak"), vec!["shop.bak".to_string()]);
    assert_eq!(named(&out_dir, ".shop.bak"), Vec::<String>::new());
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

/// A shop with a few orders (phones and addresses) and one login per role.
fn shop_with_staff(d: &Path) -> std::path::PathBuf {
    let db = init(d);
    let m = write(d, "m.csv", support::merchants_csv(1));
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(d, "p.csv", support::products_csv(1, 2, 100));
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    let o = d.join("o.csv");
    support::write_orders(&o, 1000, 10, 1, 2);
    ok(d, &["--db", &db, "import", "orders", o.to_str().unwrap()]);
    for (login, role) in [("lin", "operator"), ("mei", "support"), ("zhou", "viewer")] {
        ok(d, &["--db", &db, "staff", "add", login, "--role", role]);
    }
    db.into()
}

#[test]
fn only_the_owner_may_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop_with_staff(d);
    let owner = shopdesk::identity::os_login().unwrap();
    for login in ["lin", "mei", "zhou"] {
        let s = Session::open_as(&db, login).unwrap();
        let dest = d.join(format!("{login}.bak"));
        let e = export::backup(&s, &dest).unwrap_err();
        assert_eq!(e.exit_code(), 1, "{login}: {e}");
        assert!(e.to_string().contains("owner-only"), "{e}");
        assert!(!dest.exists(), "{login} got a copy");
        assert_eq!(named(d, &format!(".{login}")), Vec::<String>::new());
    }
    let s = Session::open_as(&db, &owner).unwrap();
    assert_eq!(s.role(), Role::Owner);
    export::backup(&s, &d.join("owner.bak")).unwrap();
    check_ok(d, d.join("owner.bak").to_str().unwrap());
}

/// The customer_phone column of an orders export by `login`.
fn exported_phones(db: &Path, login: &str) -> Vec<String> {
    let s = Session::open_as(db, login).unwrap();
    let mut out = Vec::new();
    export::export(&s, What::Orders, &ExportOptions::default(), &mut out).unwrap();
    let mut r = csv::Reader::from_reader(out.as_slice());
    let at = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "customer_phone")
        .unwrap();
    r.records().map(|rec| rec.unwrap()[at].to_string()).collect()
}

#[test]
fn only_the_owner_exports_unmasked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop_with_staff(d);
    let owner = shopdesk::identity::os_login().unwrap();
    let full = exported_phones(&db, &owner);
    assert!(!full.is_empty());
    let stored: Vec<String> = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let mut st = c.prepare("SELECT DISTINCT ship_phone FROM orders").unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert!(full.iter().all(|p| stored.contains(p)), "owner: {full:?}");
    for login in ["lin", "mei", "zhou"] {
        let masked = exported_phones(&db, login);
        assert_eq!(masked.len(), full.len());
        for (m, f) in masked.iter().zip(&full) {
            assert_ne!(m, f, "{login} exported {f} unmasked");
        }
    }
}

#[test]
fn a_support_logins_backup_exits_1_from_the_command_line() {
    let Some(_) = os_user::reader() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop_with_staff(d);
    let db = db.to_str().unwrap();
    ok(
        d,
        &["--db", db, "staff", "add", os_user::READER, "--role", "support"],
    );
    // The reader may write the shop and the directory: only the role stops it.
    use std::os::unix::fs::PermissionsExt;
    for p in [d, Path::new(db)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let dest = d.join("support.bak");
    let out = os_user::as_reader(d, db, &["backup", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("owner-only"), "{}", text(&out.stderr));
    assert!(!dest.exists());
    assert_eq!(named(d, ".support.bak"), Vec::<String>::new());
}

//! Opening the shop again in one process must not drop the locks SQLite
//! holds for the first connection. POSIX locks belong to the process:
//! closing *any* descriptor of the file releases them all, so a plain
//! `File::open` of the database beside a live connection lets another
//! process, closing as "the last one", checkpoint and delete the `-wal`
//! under it (seen in tmux: the TUI's session lost its WAL when its writer
//! worker opened the file). The TUI opens the file several times.

#[path = "cli_support/mod.rs"]
mod cli;

/// The POSIX locks this process holds (from /proc/locks), or `None` where
/// the kernel does not say.
fn my_locks() -> Option<usize> {
    let pid = std::process::id().to_string();
    let all = std::fs::read_to_string("/proc/locks").ok()?;
    Some(
        all.lines()
            .filter(|l| l.split_whitespace().nth(4) == Some(pid.as_str()))
            .count(),
    )
}

#[test]
fn a_second_open_in_this_process_keeps_the_first_connections_locks() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli::init(dir.path());
    let path = std::path::Path::new(&db);
    let first = shopdesk::store::open(path).unwrap();
    let _: i64 = first
        .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))
        .unwrap();
    let wal = dir
        .path()
        .join(format!("{}-wal", path.file_name().unwrap().to_string_lossy()));
    assert!(wal.exists(), "a live WAL connection has its -wal");
    let Some(before) = my_locks() else {
        eprintln!("skipped: /proc/locks is not readable here");
        return;
    };
    assert!(before > 0, "the live connection holds locks");
    // The same process opens it again (as the TUI's writer does) and closes.
    let second = shopdesk::store::open(path).unwrap();
    assert_eq!(
        my_locks(),
        Some(before),
        "opening again dropped the first connection's locks"
    );
    drop(second);
    assert_eq!(
        my_locks(),
        Some(before),
        "closing the second dropped the first's locks"
    );
    // Another process opens and closes the file; our -wal stays.
    cli::ok(dir.path(), &["--db", &db, "whoami"]);
    assert!(wal.exists(), "the -wal was deleted under a live connection");
    drop(first);
}

//! The bad-input corpus (issue 9): every file under tests/bad_input/ (listed
//! in its MANIFEST with the line and column the first problem must name) is
//! refused by `shopdesk import` with exit 2, a bounded message naming
//! `file:line[: column]`, nothing written, `check` clean, no panic, and the
//! log free of raw input. The huge cases (megabyte fields, hundreds of MB of
//! NUL bytes, /dev/zero) are generated here rather than committed, and run
//! with a time limit while the child's peak memory is measured.

#[path = "cli_support/mod.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use cli::{check_ok, command, counts, init, ok, text, write};

/// A message may quote about 100 characters of a bad value; with the file
/// name, column and explanation a line stays well under this.
const MAX_LINE: usize = 400;
/// All of stderr for one refused file.
const MAX_STDERR: usize = 16 * 1024;
/// Peak memory of one import of a huge or endless file.
const MAX_RSS_KB: u64 = 256 * 1024;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input")
}

struct Case {
    file: PathBuf,
    kind: String,
    line: u64,
    column: Option<String>,
    extra: Vec<String>,
}

fn manifest() -> Vec<Case> {
    let dir = corpus_dir();
    let text = std::fs::read_to_string(dir.join("MANIFEST")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut w = l.split_whitespace();
            let rel = w.next().unwrap();
            let line = w.next().unwrap().parse().unwrap();
            let column = match w.next().unwrap() {
                "-" => None,
                c => Some(c.to_string()),
            };
            Case {
                file: dir.join(rel),
                kind: rel.split('/').next().unwrap().to_string(),
                line,
                column,
                extra: w.map(str::to_string).collect(),
            }
        })
        .collect()
}

/// A shop with the merchant and products the corpus's otherwise-good rows
/// refer to, so each file fails only for its one fault.
fn shop(d: &Path) -> String {
    let db = init(d);
    let m = write(
        d,
        "base_merchants.csv",
        "code,name,cooperation_mode,status\nM1,Acme,direct,active\n",
    );
    ok(d, &["--db", &db, "import", "merchants", m.to_str().unwrap()]);
    let p = write(
        d,
        "base_products.csv",
        "merchant_code,sku,title,price,stock\nM1,A-1,Kettle,10.00,100\nM1,A-2,Pan,20.00,100\n",
    );
    ok(d, &["--db", &db, "import", "products", p.to_str().unwrap()]);
    db
}

fn log_path(d: &Path) -> PathBuf {
    d.join("data/shopdesk/shopdesk.log")
}

/// What `out` (the import of `file`) breaks of the promises every refusal
/// keeps; empty when it kept them all.
fn broken_promises(out: &Output, file: &str, line: u64, column: Option<&str>) -> Vec<String> {
    let err = text(&out.stderr);
    let mut broken = Vec::new();
    if out.status.code() != Some(2) {
        broken.push(format!("exit {:?}, not 2", out.status.code()));
    }
    if err.contains("panicked") {
        broken.push("panicked".into());
    }
    if err.len() > MAX_STDERR {
        broken.push(format!("{} bytes on stderr", err.len()));
    }
    if let Some(l) = err.lines().find(|l| l.chars().count() > MAX_LINE + file.len()) {
        broken.push(format!("a {}-character line on stderr", l.chars().count()));
    }
    if let Some(l) = err.lines().find(|l| l.chars().any(char::is_control)) {
        broken.push(format!("a control character on stderr: {:?}", bounded(l)));
    }
    let at = match column {
        Some(c) => format!("{file}:{line}: {c}:"),
        None => format!("{file}:{line}:"),
    };
    if !err.contains(&at) {
        broken.push(format!("stderr does not name {at:?}"));
    }
    if !broken.is_empty() {
        broken.push(format!("stderr was: {}", bounded(&err)));
    }
    broken
}

fn bounded(s: &str) -> String {
    s.chars().take(2000).collect()
}

#[track_caller]
fn assert_log_clean(d: &Path) {
    let log = std::fs::read(log_path(d)).unwrap_or_default();
    // The refusals are logged, so an empty log would prove nothing.
    assert!(!log.is_empty(), "nothing logged at {}", log_path(d).display());
    assert!(log.len() < 256 * 1024, "the log holds {} bytes", log.len());
    let log = String::from_utf8_lossy(&log);
    for l in log.lines() {
        assert!(
            l.chars().count() <= 2 * MAX_LINE,
            "a {}-character log line: {}",
            l.chars().count(),
            bounded(l)
        );
        assert!(
            !l.chars().any(|c| c.is_control() && c != '\t'),
            "raw control characters in the log: {l:?}"
        );
    }
}

#[test]
fn every_corpus_file_is_refused_naming_its_line_and_nothing_is_written() {
    let cases = manifest();
    assert!(cases.len() >= 60, "the corpus has {} files", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut shop_dir = tempfile::tempdir_in(d).unwrap();
    let mut db = shop(shop_dir.path());
    let before = counts(&db);
    let mut failures = Vec::new();
    for c in &cases {
        assert!(
            c.file.exists(),
            "{} is in the MANIFEST but missing",
            c.file.display()
        );
        let f = c.file.to_str().unwrap();
        let mut args = vec!["--db", &db, "import", &c.kind, f];
        args.extend(c.extra.iter().map(String::as_str));
        let mut cmd = command(d, &args);
        cmd.env("SHOPDESK_LOG", "debug");
        let out = cli::output(cmd);
        // Collect rather than stop at the first, so one run shows every gap.
        let mut broken = broken_promises(&out, f, c.line, c.column.as_deref());
        if counts(&db) != before {
            broken.insert(0, "wrote something".into());
            // A fresh shop, so the next files are judged on their own.
            shop_dir = tempfile::tempdir_in(d).unwrap();
            db = shop(shop_dir.path());
        }
        if !broken.is_empty() {
            let short = f.rsplit("bad_input/").next().unwrap_or(f);
            failures.push(format!("{short}: {}", broken.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files were not refused as promised:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    check_ok(d, &db);
    assert_log_clean(d);
}

/// Every corpus file is listed in the MANIFEST (a file added without an
/// expectation would never be run).
#[test]
fn the_manifest_lists_every_corpus_file() {
    let listed: std::collections::BTreeSet<PathBuf> = manifest().into_iter().map(|c| c.file).collect();
    let mut missing = Vec::new();
    for kind in std::fs::read_dir(corpus_dir()).unwrap() {
        let kind = kind.unwrap().path();
        if !kind.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&kind).unwrap() {
            let f = f.unwrap().path();
            if !listed.contains(&f) {
                missing.push(f);
            }
        }
    }
    assert!(missing.is_empty(), "not in tests/bad_input/MANIFEST: {missing:?}");
}

/// Runs an import of `file` with a time limit, sampling the child's peak
/// RSS; returns its output and the peak in KB.
fn run_bounded(d: &Path, db: &str, kind: &str, file: &str, limit: Duration) -> (Output, u64) {
    let mut cmd = command(d, &["--db", db, "import", kind, file]);
    cmd.env("SHOPDESK_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    // Drain the pipes on threads so a child writing a lot cannot block.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).ok();
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        // Keep at most 1 MB: an unbounded echo must fail the test, not the machine.
        let mut buf = [0u8; 64 * 1024];
        loop {
            match std::io::Read::read(&mut se, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) if v.len() < 1 << 20 => v.extend_from_slice(&buf[..n]),
                Ok(_) => {}
            }
        }
        v
    });
    let started = Instant::now();
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            let err = t_err.join().unwrap();
            panic!(
                "{file}: still running after {limit:?} (peak {peak_kb} KB); stderr: {}",
                bounded(&text(&err))
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The kernel's own figure, in case the last sample missed the peak: the
    // largest child this test process has waited for (every one of them
    // must stay under the bound anyway).
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } == 0 {
        let largest = ru.ru_maxrss as u64;
        assert!(
            largest < MAX_RSS_KB,
            "{file}: a child of this test peaked at {largest} KB (limit {MAX_RSS_KB} KB)"
        );
    }
    let out = Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    (out, peak_kb)
}

/// What, the file, the import kind, the line and column it must name, and
/// what stderr must say.
type Huge = (
    String,
    String,
    &'static str,
    u64,
    Option<&'static str>,
    &'static str,
);

#[test]
fn huge_and_endless_input_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let before = counts(&db);
    let orders_header = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at\n";
    let order = |phone: &str, address: &str| {
        format!(
            "TM,TM1,2026-11-01 10:00:00,paid,C1,Li Lei,{phone},{address},Hangzhou,M1,A-1,1,10.00,0,2026-11-01 10:05:00\n"
        )
    };
    // A sparse file: hundreds of MB of NUL bytes without using the disk.
    let nul = d.join("nul.csv");
    std::fs::File::create(&nul).unwrap().set_len(300 << 20).unwrap();
    let cases: Vec<Huge> = vec![
        (
            "phone of 100,000 digits".into(),
            write(
                d,
                "phone.csv",
                format!("{orders_header}{}", order(&"1".repeat(100_000), "1 Road")),
            )
            .display()
            .to_string(),
            "orders",
            2,
            Some("customer_phone"),
            "too long",
        ),
        (
            "a 2 MB address".into(),
            write(
                d,
                "address.csv",
                format!("{orders_header}{}", order("138", &"A".repeat(2_000_000))),
            )
            .display()
            .to_string(),
            "orders",
            2,
            Some("ship_address"),
            "too long (2000000 bytes, limit",
        ),
        (
            "a 2 MB quoted field of many lines".into(),
            write(
                d,
                "lines.csv",
                format!(
                    "{orders_header}{}",
                    order("138", &format!("\"{}\"", "A\n".repeat(1_000_000)))
                ),
            )
            .display()
            .to_string(),
            "orders",
            2,
            Some("ship_address"),
            "too long",
        ),
        (
            "a 10 MB header line".into(),
            write(d, "wide.csv", format!("code,{}\n", "x".repeat(10 << 20)))
                .display()
                .to_string(),
            "merchants",
            1,
            None,
            "too long",
        ),
        (
            "a header of 200,000 empty columns".into(),
            write(
                d,
                "commas.csv",
                format!("code,name,cooperation_mode{}\n", ",".repeat(200_000)),
            )
            .display()
            .to_string(),
            "merchants",
            1,
            None,
            "",
        ),
        (
            "300 MB of NUL bytes".into(),
            nul.display().to_string(),
            "orders",
            1,
            None,
            "too long",
        ),
        (
            "/dev/zero".into(),
            "/dev/zero".into(),
            "orders",
            1,
            None,
            "too long",
        ),
    ];
    let mut figures = Vec::new();
    for (what, file, kind, line, column, says) in &cases {
        let (out, peak_kb) = run_bounded(d, &db, kind, file, Duration::from_secs(120));
        let broken = broken_promises(&out, file, *line, *column);
        assert!(broken.is_empty(), "{what}: {}", broken.join("; "));
        let err = text(&out.stderr);
        assert!(
            err.contains(says),
            "{what}: expected {says:?} in:\n{}",
            bounded(&err)
        );
        assert!(
            peak_kb < MAX_RSS_KB,
            "{what}: peak RSS {peak_kb} KB (limit {MAX_RSS_KB} KB)"
        );
        assert_eq!(counts(&db), before, "{what} wrote something");
        figures.push(format!("{what}: peak {peak_kb} KB"));
    }
    // Visible with --nocapture: the figures for the notes.
    println!("{}", figures.join("\n"));
    check_ok(d, &db);
    assert_log_clean(d);
}

/// The money ceiling is the database's too (issue 9 item 10): a new file
/// refuses an amount past it however it is written, and an older file is
/// upgraded to the same CHECKs, with `check` naming a row already past it.
#[test]
fn the_database_holds_the_money_ceiling_and_an_upgraded_file_names_rows_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = shop(d);
    let c = rusqlite::Connection::open(&db).unwrap();
    for sql in [
        "UPDATE products SET price_minor = 10000000001",
        "UPDATE products SET price_minor = 9223372036854775807",
    ] {
        let e = c.execute(sql, []).unwrap_err().to_string();
        assert!(e.contains("CHECK constraint failed"), "{sql}: {e}");
    }
    c.execute("UPDATE products SET price_minor = 10000000000", [])
        .unwrap();
    drop(c);

    // A schema-2 file (as shopdesk 2 wrote it) with a product past the ceiling.
    let old = d.join("v2.db");
    let c = rusqlite::Connection::open(&old).unwrap();
    c.execute_batch(include_str!("fixtures/schema_v2.sql")).unwrap();
    c.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = 2;
         INSERT INTO settings (id) VALUES (1);
         INSERT INTO merchants (code, name, cooperation_mode, applied_at, created_at, updated_at)
             VALUES ('M1', 'Acme', 'direct', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
         INSERT INTO products (merchant_id, sku, title, price_minor, created_at, updated_at)
             VALUES (1, 'X-1', 'Gold', 9223372036854775807, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');",
        shopdesk::store::APPLICATION_ID
    ))
    .unwrap();
    drop(c);
    let out = cli::run(d, &["--db", old.to_str().unwrap(), "check"]);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("products") && said.contains("price_minor BETWEEN 0 AND 10000000000"),
        "{said}"
    );
    let c = rusqlite::Connection::open(&old).unwrap();
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, shopdesk::store::SCHEMA_VERSION);
    let e = c
        .execute(
            "INSERT INTO products (merchant_id, sku, title, price_minor, created_at, updated_at)
             VALUES (1, 'X-2', 'More gold', 10000000001, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            [],
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("CHECK constraint failed"), "{e}");
}

/// schema.sql's CHECKs and `money::MAX_MINOR` are one number.
#[test]
fn ceiling_matches_schema() {
    let max = shopdesk::domain::money::MAX_MINOR.to_string();
    let schema = shopdesk::store::SCHEMA;
    for (column, check) in [
        ("price_minor", format!("price_minor BETWEEN 0 AND {max}")),
        ("items_minor", format!("items_minor BETWEEN 0 AND {max}")),
        ("orders total", format!("items_minor + shipping_minor <= {max}")),
        (
            "unit_price_minor",
            format!("unit_price_minor BETWEEN 0 AND {max}"),
        ),
        ("line total", format!("qty * unit_price_minor <= {max}")),
        ("refund_minor", format!("refund_minor BETWEEN 0 AND {max}")),
        ("amount_minor", format!("amount_minor BETWEEN 1 AND {max}")),
    ] {
        assert!(schema.contains(&check), "{column}: schema.sql lacks {check:?}");
    }
    assert_eq!(
        schema
            .matches(&format!("shipping_minor BETWEEN 0 AND {max}"))
            .count(),
        2,
        "orders and order_lines"
    );
}

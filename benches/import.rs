//! `cargo bench --bench import`: generates an orders CSV of BENCH_LINES lines
//! (default 200,000), imports it into a fresh database and prints lines/s,
//! then imports it again (all present) and a tenth as many new lines on top.
//! SPEC §8 asks for at least 100,000 order lines per second.

#[path = "../tests/data/import_support.rs"]
mod support;

use std::time::Instant;

use shopdesk::io::csv_in::ReadOptions;
use shopdesk::ops::Session;
use shopdesk::ops::import::{self, Kind, Options};

const MERCHANTS: usize = 200;
const PER: usize = 50;

/// CPU time of this process: contention from other processes on a shared
/// machine inflates wall time, not this.
fn cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() {
    let lines: usize = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    shopdesk::ops::staff::init(&db, "bench", "bench", "CNY", "Asia/Shanghai").expect("init");
    let mut s = Session::open_as(&db, "bench").expect("open");
    let opts = Options {
        read: ReadOptions::default(),
        ..Options::default()
    };
    let m = dir.path().join("m.csv");
    std::fs::write(&m, support::merchants_csv(MERCHANTS)).expect("write");
    import::import(&mut s, Kind::Merchants, &m, &opts).expect("merchants");
    let p = dir.path().join("p.csv");
    std::fs::write(&p, support::products_csv(MERCHANTS, PER, 1_000_000)).expect("write");
    import::import(&mut s, Kind::Products, &p, &opts).expect("products");

    let o = dir.path().join("o.csv");
    let t = Instant::now();
    let (n, orders) = support::write_orders(&o, 1000, lines, MERCHANTS, PER);
    let gen_secs = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&o).map(|m| m.len()).unwrap_or(0);
    let (t, c) = (Instant::now(), cpu());
    let r = import::import(&mut s, Kind::Orders, &o, &opts).expect("orders");
    let (secs, cpu_secs) = (t.elapsed().as_secs_f64(), cpu() - c);
    println!(
        "generated {n} lines / {orders} orders ({:.1} MB) in {gen_secs:.2}s",
        size as f64 / 1e6
    );
    println!(
        "import orders: {n} lines in {secs:.2}s = {:.0} lines/s (CPU {cpu_secs:.2}s = {:.0} lines/s; {} new orders, {} audit rows taking {:.2}s = {:.0}%)",
        n as f64 / secs,
        n as f64 / cpu_secs,
        r.new,
        r.audit_rows,
        r.audit_time.as_secs_f64(),
        100.0 * r.audit_time.as_secs_f64() / secs
    );
    let (t, c) = (Instant::now(), cpu());
    let r = import::import(&mut s, Kind::Orders, &o, &opts).expect("re-import");
    let (secs, cpu_secs) = (t.elapsed().as_secs_f64(), cpu() - c);
    println!(
        "re-import (all present): {n} lines in {secs:.2}s = {:.0} lines/s (CPU {:.0} lines/s; {} already present)",
        n as f64 / secs,
        n as f64 / cpu_secs,
        r.present
    );
    // A day's orders into the shop that now holds the first file: small
    // against the table, so indexes are kept up to date row by row.
    let more = dir.path().join("more.csv");
    let (n, _) = support::write_orders(&more, 1000 + orders, lines / 10, MERCHANTS, PER);
    let (t, c) = (Instant::now(), cpu());
    let r = import::import(&mut s, Kind::Orders, &more, &opts).expect("more orders");
    let (secs, cpu_secs) = (t.elapsed().as_secs_f64(), cpu() - c);
    println!(
        "import into that shop: {n} lines in {secs:.2}s = {:.0} lines/s (CPU {:.0} lines/s; {} new orders)",
        n as f64 / secs,
        n as f64 / cpu_secs,
        r.new
    );
}

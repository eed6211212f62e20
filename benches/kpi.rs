//! `BENCH_DB=FILE cargo bench --bench kpi`: times `ops::kpi::report` (what
//! the dashboard and `kpi --json` call) on an existing shop for the last
//! day, 7, 30 and 90 days and the whole history (the shop's first order to
//! its last), BENCH_RUNS times each (default 5), and prints the best and
//! worst run (wall) and the best run's CPU time, then the CPU time of each
//! part of the report in one more run (and the customer figures the old
//! way, one pass over the period's chains, for comparison). The
//! file is opened as it is (migrate a copy first; the bench only reads).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use shopdesk::ops::Session;
use shopdesk::ops::kpi::{self, Period};
use shopdesk::store::kpi as st;

/// CPU time of this process (the machine is shared: wall time includes
/// waiting for a core).
fn cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let Ok(db) = std::env::var("BENCH_DB") else {
        eprintln!("set BENCH_DB to a shop file (a copy: opening may migrate it)");
        return;
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let s = Session::open(std::path::Path::new(&db)).expect("open");
    let cal = s.calendar().expect("calendar");
    let (first, last): (String, String) = s
        .conn
        .query_row("SELECT min(placed_at), max(placed_at) FROM orders", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("range");
    let date = |t: &str| cal.local_date(shopdesk::clock::parse_stamp(t).expect("stamp"));
    let (first, last) = (date(&first), date(&last));
    let end = last + chrono::Duration::days(1);
    let periods: Vec<(&str, NaiveDate)> = vec![
        ("1 day", end - chrono::Duration::days(1)),
        ("7 days", end - chrono::Duration::days(7)),
        ("30 days", end - chrono::Duration::days(30)),
        ("90 days", end - chrono::Duration::days(90)),
        ("whole history", first),
    ];
    println!("{db}: orders {first} to {last}, {runs} runs per period, times in ms");
    println!(
        "period         wall best  worst  CPU best | CPU: facts customers (one pass) tickets reasons    tops  daily alerts"
    );
    for (name, from) in periods {
        let p = Period::new(from, end).expect("period");
        let mut times = Vec::new();
        let mut cpus = Vec::new();
        for _ in 0..runs {
            let (t, c) = (Instant::now(), cpu());
            let r = kpi::report(&s.conn, &cal, p).expect("report");
            std::hint::black_box(r);
            times.push(t.elapsed());
            cpus.push(cpu() - c);
        }
        times.sort();
        cpus.sort();
        // The parts, once each, in the order report runs them.
        let (f, t) = (cal.local_day_bounds(p.from).0, cal.local_day_bounds(p.to).0);
        let (fs, ts) = (shopdesk::clock::stamp(f), shopdesk::clock::stamp(t));
        let time = |run: &mut dyn FnMut()| {
            let t = cpu();
            run();
            cpu() - t
        };
        let facts = time(&mut || {
            st::facts(&s.conn, f, t).expect("facts");
        });
        let customers = time(&mut || {
            shopdesk::store::kpi_chain::customer_sums_days(&s.conn, &fs, &ts).expect("customers");
        });
        let customers_pass = time(&mut || {
            shopdesk::store::kpi_chain::customer_sums_base(&s.conn, &fs, &ts).expect("customers");
        });
        let tickets = time(&mut || {
            st::ticket_sums(&s.conn, &fs, &ts).expect("tickets");
        });
        let reasons = time(&mut || {
            st::tickets_by_reason(&s.conn, &fs, &ts).expect("reasons");
        });
        let tops = time(&mut || {
            shopdesk::store::kpi_tops::tops(&s.conn, &fs, &ts, kpi::TOP).expect("tops");
        });
        let daily = time(&mut || {
            kpi::daily(&s.conn, &cal, &p).expect("daily");
        });
        let alerts = time(&mut || {
            let now = chrono::Utc::now();
            shopdesk::ops::alerts::alerts(&s.conn, cal.local_date(now), now).expect("alerts");
        });
        println!(
            "{name:<14} {:>9} {:>6} {:>9} | {:>10} {:>9} {:>10} {:>7} {:>7} {:>7} {:>6} {:>6}",
            ms(times[0]),
            ms(times[times.len() - 1]),
            ms(cpus[0]),
            ms(facts),
            ms(customers),
            ms(customers_pass),
            ms(tickets),
            ms(reasons),
            ms(tops),
            ms(daily),
            ms(alerts)
        );
    }
}

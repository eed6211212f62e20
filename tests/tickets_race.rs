//! Races between real processes (issue 13): two agents claiming one ticket
//! at once (one wins, the other is told who), two resolving it (one
//! wins, one refund), and a ticket refund racing
//! the order's cancellation (the total refunded never exceeds what was
//! paid). The children are this test binary run again with `RACE_CHILD`
//! set; each opens its session, waits for the go file, then acts.

mod tickets_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shopdesk::domain::order::OrderAction;
use shopdesk::ops::Session;
use shopdesk::ops::verbs::{self, Entity, Values};
use tickets_support::*;

const NOW: &str = "2026-11-18T02:00:00Z";

/// In a child: `RACE_CHILD` = "db|login|what|id|go-file". Prints one
/// `RESULT ok|err <message>` line.
#[test]
fn race_child() {
    let Ok(spec) = std::env::var("RACE_CHILD") else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [db, login, what, id, go] = parts[..] else {
        panic!("bad RACE_CHILD {spec:?}");
    };
    let id: i64 = id.parse().unwrap();
    let mut s = Session::open_as(Path::new(db), login).unwrap();
    let started = Instant::now();
    while !Path::new(go).exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "no go file");
        std::thread::sleep(Duration::from_millis(1));
    }
    let r = match what {
        "claim" => run(&mut s, id, "claim", &[]).map(|o| o.message),
        "refund" => run(
            &mut s,
            id,
            "resolve",
            &[("resolution", "refund"), ("refund", "60.00")],
        )
        .map(|o| o.message),
        "partial" => run(
            &mut s,
            id,
            "resolve",
            &[("resolution", "refund"), ("refund", "40.00")],
        )
        .map(|o| o.message),
        "cancel" => shopdesk::ops::orders::act_at(
            &mut s,
            id,
            None,
            &OrderAction::Cancel {
                reason: "customer request".into(),
            },
            t(NOW),
        )
        .map(|o| o.message),
        other => panic!("unknown race {other}"),
    };
    match r {
        Ok(m) => println!("RESULT ok {m}"),
        Err(e) => println!("RESULT err {e}"),
    }
}

fn run(
    s: &mut Session,
    id: i64,
    name: &str,
    fields: &[(&str, &str)],
) -> shopdesk::Result<shopdesk::ops::verbs::Outcome> {
    let v = verbs::find(Entity::Ticket, name).unwrap();
    let raw: Vec<(&str, String)> = fields.iter().map(|(k, x)| (*k, x.to_string())).collect();
    let values = Values::parse(v, &raw, "UTC")?;
    verbs::run_at(s, v, id, None, &values, t(NOW))
}

/// Starts one child per (login, what, id), lets them go at once, and
/// returns each one's RESULT line in the same order.
fn race(shop: &Shop, children: &[(&str, &str, i64)], round: usize) -> Vec<String> {
    let go = shop.dir.path().join(format!("go{round}"));
    let exe = std::env::current_exe().unwrap();
    let procs: Vec<_> = children
        .iter()
        .map(|(login, what, id)| {
            let spec = format!("{}|{login}|{what}|{id}|{}", shop.path.display(), go.display());
            Command::new(&exe)
                .args(["--exact", "race_child", "--nocapture", "--test-threads=1"])
                .env("RACE_CHILD", spec)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Give both time to open their sessions before the go.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&go, "go").unwrap();
    procs
        .into_iter()
        .map(|p| {
            let out = p.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines()
                .find_map(|l| l.find("RESULT ").map(|i| l[i + 7..].to_string()))
                .unwrap_or_else(|| panic!("no result: {text}{}", String::from_utf8_lossy(&out.stderr)))
        })
        .collect()
}

#[test]
fn two_agents_claiming_at_once_one_wins_the_other_is_told_who() {
    let shop = Shop::new();
    let (o, _) = order(
        &shop,
        "R1",
        1,
        "2026-11-09T02:00:00Z",
        Some("2026-11-16T02:00:00Z"),
    );
    let mut mei = shop.session("mei");
    for round in 0..4 {
        let id = open(&mut mei, o, "inquiry", "other.changed_mind", t(NOW)).unwrap();
        let results = race(&shop, &[("mei", "claim", id), ("lin", "claim", id)], round);
        let wins: Vec<&String> = results.iter().filter(|r| r.starts_with("ok ")).collect();
        assert_eq!(wins.len(), 1, "exactly one claim wins: {results:?}");
        let holder = text(
            &shop,
            &format!("SELECT s.login FROM tickets t JOIN staff s ON s.id = t.assignee_id WHERE t.id = {id}"),
        );
        let loser = results.iter().find(|r| r.starts_with("err ")).unwrap();
        assert!(loser.contains(&format!("{holder} already holds it")), "{loser}");
        assert_eq!(
            one(
                &shop,
                &format!(
                    "SELECT count(*) FROM audit_log WHERE entity = 'ticket' AND entity_id = {id} AND action = 'claim'"
                )
            ),
            1
        );
    }
}

#[test]
fn a_refund_racing_the_cancellation_never_refunds_more_than_was_paid() {
    let shop = Shop::new();
    for round in 0..4 {
        // 1 × 50.00 + 10.00 shipping, paid, not shipped: cancellable.
        let (o, _) = order(&shop, &format!("R2{round}"), 1, "2026-11-17T02:00:00Z", None);
        let mut ana = shop.session("ana");
        let id = open(&mut ana, o, "refund_only", "price.overcharged", t(NOW)).unwrap();
        run(&mut ana, id, "approve", &[]).unwrap();
        run(&mut ana, id, "start", &[]).unwrap();
        let results = race(&shop, &[("ana", "refund", id), ("ana", "cancel", o)], round + 10);
        let total = one(
            &shop,
            &format!("SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE order_id = {o}"),
        );
        assert_eq!(total, 6000, "paid 60.00, refunded exactly that once: {results:?}");
        assert!(
            results[1].starts_with("ok "),
            "the cancellation always lands: {results:?}"
        );
    }
    assert_checks_pass(&shop.path);
}

#[test]
fn two_agents_resolving_one_ticket_one_wins_and_one_refund_is_paid() {
    let shop = Shop::new();
    for round in 0..3 {
        let (o, _) = order(
            &shop,
            &format!("R3{round}"),
            1,
            "2026-11-09T02:00:00Z",
            Some("2026-11-16T02:00:00Z"),
        );
        let mut mei = shop.session("mei");
        let id = open(&mut mei, o, "return", "quality.damaged", t(NOW)).unwrap();
        run(&mut mei, id, "approve", &[]).unwrap();
        run(&mut mei, id, "start", &[]).unwrap();
        let results = race(
            &shop,
            &[("mei", "partial", id), ("lin", "partial", id)],
            round + 20,
        );
        let wins = results.iter().filter(|r| r.starts_with("ok ")).count();
        assert_eq!(wins, 1, "{results:?}");
        let loser = results.iter().find(|r| r.starts_with("err ")).unwrap();
        assert!(loser.contains("it is resolved"), "{loser}");
        assert_eq!(
            one(
                &shop,
                &format!("SELECT sum(amount_minor) FROM refunds WHERE order_id = {o}")
            ),
            4000
        );
    }
}

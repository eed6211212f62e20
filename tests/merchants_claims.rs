//! Claiming a review (issue 11): a claim keeps other reviewers' review
//! verbs off an application, naming the claimer; the owner, or anyone once
//! the claim is older than the setting, takes it over; a decision ends it.
//! The race of two reviewers claiming at once runs as two real processes of
//! two OS users. Also `merchant terms` (deposit, fee, commission).

mod cli_support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Utc};
use rusqlite::params;
use shopdesk::Error;
use shopdesk::domain::Role;
use shopdesk::ops::verbs::{self, Entity, Value, Values};
use shopdesk::ops::{self, Session};
use shopdesk::store;

use cli_support::{check_ok, count, init, ok, text, write};

const NOW: &str = "2026-11-20T10:00:00Z";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Shop {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        ops::staff::init(&path, "ana", "test shop", "CNY", "Asia/Shanghai").unwrap();
        let mut s = Session::open_as(&path, "ana").unwrap();
        ops::staff::add(&mut s, "lin", Role::Operator).unwrap();
        ops::staff::add(&mut s, "bo", Role::Operator).unwrap();
        ops::staff::add(&mut s, "vic", Role::Viewer).unwrap();
        Shop { _dir: dir, path }
    }

    fn session(&self, login: &str) -> Session {
        Session::open_as(&self.path, login).unwrap()
    }

    fn merchant(&self, code: &str, status: &str) -> i64 {
        let c = store::open(&self.path).unwrap();
        c.execute(
            "INSERT INTO merchants (code, name, phone, cooperation_mode, status, applied_at, created_at, updated_at)
             VALUES (?1, ?1, '13800000000', 'joint', ?2, ?3, ?3, ?3)",
            params![code, status, NOW],
        )
        .unwrap();
        c.last_insert_rowid()
    }

    fn one<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        let c = store::open(&self.path).unwrap();
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn claimer(&self, id: i64) -> Option<String> {
        self.one(&format!(
            "SELECT (SELECT claimed_by FROM merchant_claims WHERE merchant_id = {id})"
        ))
    }
}

fn run_at(s: &mut Session, verb: &str, id: i64, v: &Values, now: &str) -> shopdesk::Result<verbs::Outcome> {
    let spec = verbs::find(Entity::Merchant, verb).unwrap();
    verbs::run_at(s, spec, id, None, v, t(now))
}

fn run(s: &mut Session, verb: &str, id: i64) -> shopdesk::Result<verbs::Outcome> {
    run_at(s, verb, id, &Values::default(), NOW)
}

#[test]
fn a_claim_keeps_other_reviewers_off_until_released_taken_over_or_decided() {
    let shop = Shop::new();
    let (mut lin, mut bo, mut ana) = (shop.session("lin"), shop.session("bo"), shop.session("ana"));
    let id = shop.merchant("M1", "submitted");
    run(&mut lin, "claim", id).unwrap();
    assert_eq!(shop.claimer(id).as_deref(), Some("lin"));
    let audit = || shop.one::<i64>("SELECT count(*) FROM audit_log");
    let before = audit();
    // Another reviewer's claim, start-review and release are refused naming lin.
    for verb in ["claim", "start_review", "release"] {
        let e = run_at(&mut bo, verb, id, &Values::default(), "2026-11-20T10:20:00Z").unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{verb}: {e}");
        let msg = e.to_string();
        assert!(
            msg.contains("merchant M1") && msg.contains("claimed by lin 20m ago"),
            "{msg}"
        );
    }
    assert_eq!(audit(), before, "refusals write nothing");
    // lin's own start-review keeps the claim.
    run(&mut lin, "start_review", id).unwrap();
    assert_eq!(shop.claimer(id).as_deref(), Some("lin"));
    // bo's approve is refused (the claim, not the documents, is named).
    let e = run(&mut bo, "approve", id).unwrap_err().to_string();
    assert!(e.contains("claimed by lin"), "{e}");
    // Four hours on (the setting), bo may take it over.
    run_at(&mut bo, "claim", id, &Values::default(), "2026-11-20T14:00:00Z").unwrap();
    assert_eq!(shop.claimer(id).as_deref(), Some("bo"));
    let e = run(&mut lin, "release", id).unwrap_err().to_string();
    assert!(e.contains("claimed by bo"), "{e}");
    // The owner takes over any claim.
    run(&mut ana, "claim", id).unwrap();
    assert_eq!(shop.claimer(id).as_deref(), Some("ana"));
    run(&mut ana, "release", id).unwrap();
    assert_eq!(shop.claimer(id), None);
    // A decision ends the claim.
    run(&mut bo, "claim", id).unwrap();
    let fb = {
        let mut v = Values::default();
        v.set("feedback", Value::Text("the licence scan is unreadable".into()));
        v
    };
    run_at(&mut bo, "request_changes", id, &fb, NOW).unwrap();
    assert_eq!(shop.claimer(id), None);
    // Only applications awaiting review are claimed.
    let e = run(&mut bo, "claim", id).unwrap_err().to_string();
    assert!(e.contains("it is needs_changes"), "{e}");
    // Viewers do not claim.
    let other = shop.merchant("M2", "submitted");
    let mut vic = shop.session("vic");
    assert!(run(&mut vic, "claim", other).is_err());
    // Each claim, take-over and release is audited on the merchant.
    let audited: i64 = shop.one(&format!(
        "SELECT count(*) FROM audit_log WHERE entity = 'merchant' AND entity_id = {id} AND action IN ('claim', 'release')"
    ));
    assert_eq!(audited, 5);
    // The setting decides when a claim may be taken over.
    {
        let c = store::open(&shop.path).unwrap();
        c.execute(
            "UPDATE merchant_review_settings SET claim_takeover_minutes = 30",
            [],
        )
        .unwrap();
    }
    run(&mut lin, "claim", other).unwrap();
    assert!(
        run_at(
            &mut bo,
            "claim",
            other,
            &Values::default(),
            "2026-11-20T10:29:00Z"
        )
        .is_err()
    );
    run_at(
        &mut bo,
        "claim",
        other,
        &Values::default(),
        "2026-11-20T10:30:00Z",
    )
    .unwrap();
    // `show` names the claim.
    let d = ops::merchants::detail_at(&bo, other, t("2026-11-20T10:50:00Z")).unwrap();
    let c = d.claim.unwrap();
    assert_eq!(
        (c.by.as_str(), c.ago.as_str(), c.stale),
        ("bo", "bo 20m ago", false)
    );
}

#[test]
fn terms_set_the_deposit_the_fee_and_the_commission_and_activation_follows_them() {
    let shop = Shop::new();
    let mut lin = shop.session("lin");
    let id = shop.merchant("M1", "approved");
    let terms = |pairs: &[(&'static str, &str)]| {
        let mut v = Values::default();
        for (k, x) in pairs {
            v.set(k, Value::Text((*x).to_string()));
        }
        v
    };
    let o = run_at(
        &mut lin,
        "terms",
        id,
        &terms(&[("deposit", "800.00"), ("fee", "120"), ("commission", "6.5%")]),
        NOW,
    )
    .unwrap();
    assert!(
        o.message.contains("¥800.00") && o.message.contains("6.5%"),
        "{}",
        o.message
    );
    let (dep, fee, bp): (i64, i64, Option<i64>) = {
        let c = store::open(&shop.path).unwrap();
        c.query_row(
            "SELECT deposit_minor, platform_fee_minor, commission_bp FROM merchants WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!((dep, fee, bp), (80000, 12000, Some(650)));
    // A deposit of 500 is short of 800: activation names it.
    let mut pay = Values::default();
    pay.set("entry", Value::Text("pay".into()));
    pay.set("amount", Value::Money(50000));
    run_at(&mut lin, "deposit", id, &pay, NOW).unwrap();
    let e = run(&mut lin, "activate", id).unwrap_err().to_string();
    assert!(e.contains("deposit"), "{e}");
    // Lowering the requirement to 500 and back to the default rate.
    run_at(
        &mut lin,
        "terms",
        id,
        &terms(&[("deposit", "500"), ("commission", "default")]),
        NOW,
    )
    .unwrap();
    let bp: Option<i64> = shop.one(&format!("SELECT commission_bp FROM merchants WHERE id = {id}"));
    assert_eq!(bp, None);
    // Bad values and nothing at all are refused before anything is written.
    let before: i64 = shop.one("SELECT count(*) FROM audit_log");
    for bad in [
        terms(&[("deposit", "-5")]),
        terms(&[("fee", "abc")]),
        terms(&[("commission", "150%")]),
        Values::default(),
    ] {
        assert!(run_at(&mut lin, "terms", id, &bad, NOW).is_err(), "{bad:?}");
    }
    assert_eq!(shop.one::<i64>("SELECT count(*) FROM audit_log"), before);
    let mut vic = shop.session("vic");
    assert!(run_at(&mut vic, "terms", id, &terms(&[("fee", "1")]), NOW).is_err());
    let problems = store::check::run_all(&store::open(&shop.path).unwrap()).unwrap();
    assert!(problems.iter().all(|r| r.ok()), "{problems:?}");
}

/// A system user for the race (created if missing); `None` where this
/// machine cannot run other users, with the reason printed.
fn os_user(name: &str) -> Option<()> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        println!("SKIPPED: not root, so cannot run commands as other OS users");
        return None;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        println!("SKIPPED: setpriv (util-linux) is not installed");
        return None;
    }
    let exists = || {
        Command::new("id")
            .args(["-u", name])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !exists() {
        let _ = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ])
            .output();
    }
    if !exists() {
        println!("SKIPPED: cannot create the OS user {name}");
        return None;
    }
    Some(())
}

fn as_user(d: &Path, user: &str, db: &str, args: &[&str]) -> Command {
    let home = d.join(format!("home-{user}"));
    let mut c = Command::new("setpriv");
    c.args(["--reuid", user, "--regid", user, "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_shopdesk"))
        .args(["--db", db])
        .args(args)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("SHOPDESK_NOW", NOW)
        .env_remove("SHOPDESK_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The shop's files are 0666 here (the test's stand-in for a shared
    // install's group); under umask 022 SQLite creates a -shm as 0644 and
    // only then widens it to the database's mode, and a second login
    // opening it in that instant can only read it ("attempt to write a
    // readonly database"). A shared install runs under umask 007 (identity::
    // harden), which never narrows the 0660 it copies.
    // SAFETY: umask is async-signal-safe and cannot fail.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    c
}

#[test]
fn two_reviewers_claiming_at_once_one_wins_the_other_hears_who() {
    let users = ["sdreader", "sdclaim2"];
    if users.iter().any(|u| os_user(u).is_none()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = init(d);
    for u in users {
        ok(d, &["--db", &db, "staff", "add", u, "--role", "operator"]);
    }
    let rounds = 6;
    let mut csv = String::from("code,name,cooperation_mode,status\n");
    for i in 0..rounds {
        csv.push_str(&format!("R{i},店{i},direct,submitted\n"));
    }
    let f = write(d, "m.csv", csv);
    ok(d, &["--db", &db, "import", "merchants", f.to_str().unwrap()]);
    // SQLite gives -wal and -shm the main file's mode.
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{db}{suffix}");
        if Path::new(&p).exists() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        }
    }
    for i in 0..rounds {
        let code = format!("R{i}");
        // Alternate who starts first, and which verb each uses.
        let verbs = if i % 2 == 0 {
            ["claim", "start-review"]
        } else {
            ["start-review", "claim"]
        };
        let children: Vec<_> = users
            .iter()
            .zip(verbs)
            .map(|(u, verb)| as_user(d, u, &db, &["merchant", verb, &code]).spawn().unwrap())
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
        let errs: Vec<String> = outs.iter().map(|o| text(&o.stderr)).collect();
        let winners: Vec<usize> = (0..2).filter(|&k| codes[k] == Some(0)).collect();
        assert_eq!(winners.len(), 1, "{code}: exits {codes:?}, stderr {errs:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        assert_eq!(codes[l], Some(1), "{code}: {errs:?}");
        assert!(
            errs[l].contains(&format!("claimed by {}", users[w])),
            "{code}: the loser is told who: {}",
            errs[l]
        );
        let claimer: String = {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.query_row(
                "SELECT claimed_by FROM merchant_claims JOIN merchants m ON m.id = merchant_id WHERE m.code = ?1",
                [&code],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(claimer, users[w]);
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action IN ('claim', 'start_review')"
        ),
        rounds
    );
    check_ok(d, &db);
}

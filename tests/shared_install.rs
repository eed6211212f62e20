//! The shared install of SPEC §5 with real OS users (issue 9, item 8): a
//! group that owns the database directory, the binary setgid to it, and two
//! staff logins who are not in the group. Each may work through shopdesk;
//! neither can open the file any other way.
//!
//! Needs root (to create users and a setgid file) plus `groupadd`,
//! `useradd`, `userdel`, `groupdel`, `getent` and `setpriv`; skips with the reason
//! otherwise. Names carry the process id and a counter, so runs in parallel
//! or one after another never meet, and a guard removes them even when an
//! assertion fails.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static SEQ: AtomicU32 = AtomicU32::new(0);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<String> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root: cannot create users or setgid files".into());
    }
    for tool in ["groupadd", "useradd", "userdel", "groupdel", "setpriv", "getent"] {
        if !have(tool) {
            return Some(format!("{tool} is not installed"));
        }
    }
    None
}

fn must(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// A group and logins made for one test, removed on drop.
struct Accounts {
    group: String,
    users: Vec<String>,
}

impl Accounts {
    fn new(tag: &str, users: &[&str]) -> Accounts {
        let id = format!("{}{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst));
        let group = format!("sdg{tag}{id}");
        must(Command::new("groupadd").args(["--system", &group]));
        let mut acc = Accounts {
            group,
            users: Vec::new(),
        };
        for u in users {
            let name = format!("sd{u}{id}");
            // No home directory, no login group clash: a user group of its own.
            must(Command::new("useradd").args([
                "--no-create-home",
                "--user-group",
                "--shell",
                "/bin/sh",
                &name,
            ]));
            acc.users.push(name);
        }
        acc
    }

    fn gid(&self) -> u32 {
        let out = must(Command::new("getent").args(["group", &self.group]));
        text(&out.stdout)
            .split(':')
            .nth(2)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
}

impl Drop for Accounts {
    fn drop(&mut self) {
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).output();
        }
        let _ = Command::new("groupdel").arg(&self.group).output();
    }
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The install of README's four commands, into `root`: returns (binary,
/// shared directory).
fn install(root: &Path, gid: u32) -> (PathBuf, PathBuf) {
    let bin = root.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let exe = bin.join("shopdesk");
    std::fs::copy(env!("CARGO_BIN_EXE_shopdesk"), &exe).unwrap();
    chown(&exe, 0, gid);
    chmod(&exe, 0o2755);
    let shared = root.join("shared");
    std::fs::create_dir(&shared).unwrap();
    chown(&shared, 0, gid);
    chmod(&shared, 0o2770);
    let key = shared.join("audit.key");
    let bytes: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
    std::fs::write(&key, bytes).unwrap();
    chown(&key, 0, gid);
    chmod(&key, 0o440);
    (exe, shared)
}

/// Runs `program args` as `user` (real and effective ids, no supplementary
/// groups), with a home of its own.
fn as_user(user: &str, home: &Path, program: &Path, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args([
            &format!("--reuid={user}"),
            &format!("--regid={user}"),
            "--clear-groups",
            "--",
        ])
        .arg(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("SHOPDESK_NOW", "2001-01-01T00:00:00Z")
        .current_dir(home)
        .output()
        .unwrap()
}

fn home_for(root: &Path, user: &str) -> PathBuf {
    let home = root.join(format!("home-{user}"));
    std::fs::create_dir(&home).unwrap();
    must(Command::new("chown").args([&format!("{user}:{user}"), home.to_str().unwrap()]));
    home
}

#[test]
fn a_second_os_user_works_through_shopdesk_and_cannot_open_the_file() {
    if let Some(why) = cannot_run() {
        println!("SKIPPED shared install test: {why}");
        return;
    }
    let acc = Accounts::new("a", &["own", "sup"]);
    let (owner, support) = (acc.users[0].clone(), acc.users[1].clone());
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let (exe, shared) = install(root.path(), acc.gid());
    let db = shared.join("shop.db");
    let dbs = db.to_str().unwrap();
    let owner_home = home_for(root.path(), &owner);
    let support_home = home_for(root.path(), &support);

    let out = as_user(&owner, &owner_home, &exe, &["--db", dbs, "init"]);
    assert!(out.status.success(), "init: {}", text(&out.stderr));
    let out = as_user(
        &owner,
        &owner_home,
        &exe,
        &["--db", dbs, "staff", "add", &support, "--role", "operator"],
    );
    assert!(out.status.success(), "staff add: {}", text(&out.stderr));

    // Identity is the real user, not root or the group.
    let out = as_user(&support, &support_home, &exe, &["--db", dbs, "whoami"]);
    assert!(out.status.success(), "whoami: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), format!("{support} operator"));

    // A write verb, through shopdesk.
    let csv = support_home.join("merchants.csv");
    std::fs::write(&csv, "code,name,cooperation_mode\nM1,Shop One,direct\n").unwrap();
    must(Command::new("chown").args([&format!("{support}:{support}"), csv.to_str().unwrap()]));
    let out = as_user(
        &support,
        &support_home,
        &exe,
        &["--db", dbs, "import", "merchants", csv.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "import: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = as_user(&support, &support_home, &exe, &["--db", dbs, "check"]);
    assert!(
        out.status.success(),
        "check: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("audit chain keyed with"),
        "{}",
        text(&out.stdout)
    );

    // SHOPDESK_NOW (2001) was ignored: the rows carry the real time.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let oldest: String = conn
        .query_row("SELECT min(at) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert!(
        oldest.as_str() > "2020",
        "audit rows dated {oldest}: SHOPDESK_NOW was obeyed"
    );
    let actor: String = conn
        .query_row("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(actor, support);
    drop(conn);

    // The file is the group's: mode 660, in a directory they cannot enter.
    let meta = std::fs::metadata(&db).unwrap();
    assert_eq!(meta.gid(), acc.gid());
    assert_eq!(
        meta.mode() & 0o007,
        0,
        "world bits on the database: {:o}",
        meta.mode()
    );

    // Neither login can reach the file without shopdesk.
    for (user, home) in [(&owner, &owner_home), (&support, &support_home)] {
        if Path::new("/usr/bin/sqlite3").exists() {
            let out = as_user(
                user,
                home,
                Path::new("/usr/bin/sqlite3"),
                &[dbs, "update staff set role='owner'"],
            );
            assert!(!out.status.success(), "{user} wrote the file with sqlite3");
        }
        let out = as_user(user, home, Path::new("/bin/cat"), &[dbs]);
        assert!(!out.status.success(), "{user} read the file with cat");
        assert!(
            text(&out.stderr).contains("Permission denied"),
            "{}",
            text(&out.stderr)
        );
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let owners: i64 = conn
        .query_row("SELECT count(*) FROM staff WHERE role = 'owner'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(owners, 1);
    drop(conn);

    // Files the caller names are opened with the caller's group: the key
    // cannot be read through an import, the database not replaced by an
    // export.
    let key = shared.join("audit.key");
    let out = as_user(
        &support,
        &support_home,
        &exe,
        &["--db", dbs, "import", "merchants", key.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Permission denied"),
        "{}",
        text(&out.stderr)
    );
    let before = std::fs::read(&db).unwrap();
    let out = as_user(
        &support,
        &support_home,
        &exe,
        &["--db", dbs, "export", "merchants", "-o", dbs],
    );
    assert!(
        !out.status.success(),
        "export over the database: {}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the export touched the database"
    );
    let out = as_user(&support, &support_home, &exe, &["--db", dbs, "check"]);
    assert!(
        out.status.success(),
        "check after: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // --db outside the shared directory is refused while setgid.
    let mine = support_home.join("mine.db");
    let out = as_user(
        &support,
        &support_home,
        &exe,
        &["--db", mine.to_str().unwrap(), "init"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("shared install"),
        "{}",
        text(&out.stderr)
    );
    assert!(!mine.exists());
}

#[test]
fn a_key_others_can_read_is_refused_in_a_shared_install() {
    if let Some(why) = cannot_run() {
        println!("SKIPPED shared install test: {why}");
        return;
    }
    let acc = Accounts::new("k", &["own"]);
    let owner = acc.users[0].clone();
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let (exe, shared) = install(root.path(), acc.gid());
    chmod(&shared.join("audit.key"), 0o444);
    let home = home_for(root.path(), &owner);
    let db = shared.join("shop.db");
    let out = as_user(&owner, &home, &exe, &["--db", db.to_str().unwrap(), "init"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("audit key"), "{}", text(&out.stderr));
}

/// Files made for a person in a shared install (a backup, an export) get
/// what the database has: the install's group and mode 660, nothing for
/// others, not the caller's everyday group (which colleagues may share).
#[test]
fn a_backup_and_an_export_get_the_installs_group_and_mode() {
    if let Some(why) = cannot_run() {
        println!("SKIPPED shared install test: {why}");
        return;
    }
    let acc = Accounts::new("f", &["own"]);
    let owner = acc.users[0].clone();
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let (exe, shared) = install(root.path(), acc.gid());
    let home = home_for(root.path(), &owner);
    let db = shared.join("shop.db");
    let dbs = db.to_str().unwrap();
    let out = as_user(&owner, &home, &exe, &["--db", dbs, "init"]);
    assert!(out.status.success(), "init: {}", text(&out.stderr));
    let backup = home.join("shop-backup.db");
    let export = home.join("merchants.csv");
    for args in [
        vec!["--db", dbs, "backup", backup.to_str().unwrap()],
        vec!["--db", dbs, "export", "merchants", "-o", export.to_str().unwrap()],
    ] {
        let out = as_user(&owner, &home, &exe, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    let want = std::fs::metadata(&db).unwrap();
    for f in [&backup, &export] {
        let meta = std::fs::metadata(f).unwrap();
        assert_eq!(
            (meta.gid(), meta.mode() & 0o777),
            (acc.gid(), 0o660),
            "{}: group and mode (the database has group {} mode {:o})",
            f.display(),
            want.gid(),
            want.mode() & 0o777
        );
    }
    // Still the owner's to read (they own the file), and nobody else's.
    let out = as_user(&owner, &home, Path::new("/bin/cat"), &[export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("code,"), "{}", text(&out.stdout));
}

/// Children get the caller's ids only if every child is made by
/// `identity::child_command`; hold the source to that.
#[test]
fn every_child_process_is_made_through_identity_child_command() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("identity.rs") {
                let s = std::fs::read_to_string(&p).unwrap();
                // clap's `Command` (always written `clap::Command` in src/) builds parsers.
                let spawns = s
                    .lines()
                    .any(|l| l.contains("Command::new(") && !l.contains("clap::Command::new("));
                if spawns || s.contains("process::Command") || s.contains("libc::exec") {
                    offenders.push(p.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "spawn children with identity::child_command (drops the install's group): {offenders:?}"
    );
}

//! Who is running this process, and the shared install (SPEC §5).
//!
//! Identity is the OS login of the *real* user id: in a shared install the
//! binary is setgid to a group that owns the database directory, so the
//! effective ids are the program's, not the person's. While setgid
//! (`getegid() != getgid()`, or a setuid install), the environment is the
//! caller's and is not trusted: `SHOPDESK_NOW` is ignored (clock.rs),
//! `--db`/`SHOPDESK_DB` must name a file in a directory of the install's
//! group (config.rs), and every child process runs without the group
//! (`child_command`).

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The login name of the real user, from the password database.
pub fn os_login() -> Result<String> {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    login_of(uid)
}

fn login_of(uid: libc::uid_t) -> Result<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: getpwuid_r writes only into the buffers we own and reports
    // errors through its return value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return Err(Error::refused(format!(
            "cannot find a login name for user id {uid} in the password database"
        )));
    }
    // SAFETY: pw_name points into `buf`, NUL-terminated, alive for this scope.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Ok(name.to_string_lossy().into_owned())
}

/// Runs with other ids than the caller's (setgid or setuid).
pub fn is_privileged() -> bool {
    // SAFETY: these four calls cannot fail.
    unsafe { libc::getegid() != libc::getgid() || libc::geteuid() != libc::getuid() }
}

/// Process-wide settings of a shared install, once per command that opens a
/// shop: files it creates (the database, its -wal/-shm, which SQLite gives
/// the database's mode) are readable and writable by the install's group
/// and nobody else, so every staff login can write through shopdesk and no
/// other program of theirs can read them.
pub fn harden() {
    if is_privileged() {
        // SAFETY: umask cannot fail.
        unsafe {
            libc::umask(0o007);
        }
    }
}

/// SQLite creates a database with mode 0644 less the umask, so in a shared
/// install the file `init` makes is not writable by the group yet. The
/// login that owns the file (the owner, whose `staff add` must come before
/// anyone else can work) makes it and its -wal/-shm group-writable and
/// closed to others; other logins cannot and need not.
pub fn share_files(db: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        // Never through a symbolic link; a file that is not there is fine.
        let Ok(f) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(PathBuf::from(p))
        else {
            continue;
        };
        // Best effort: a file we cannot change stays as it is, and opening
        // it then says what is wrong.
        let _ = share_file(&f);
    }
}

/// Gives a file this login owns the shared install's group and the
/// database's mode: readable and writable by the group, nothing for
/// others. The one place that decides what "shared" means for a file: the
/// database and its -wal/-shm (`share_files`), and every file made for a
/// person (`create_for_caller`). Outside a shared install it changes
/// nothing. Call it with the install's group in force (not inside
/// `as_caller`).
pub fn share_file(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !is_privileged() {
        return Ok(());
    }
    let meta = file.metadata()?;
    // SAFETY: getuid/getegid cannot fail.
    let (uid, egid) = unsafe { (libc::getuid(), libc::getegid()) };
    if !meta.is_file() || meta.uid() != uid {
        return Ok(());
    }
    if meta.gid() != egid {
        // SAFETY: fchown on a descriptor we hold; the owner may give a file
        // to a group the process is in (the effective one).
        if unsafe { libc::fchown(file.as_raw_fd(), u32::MAX, egid) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    let mode = meta.mode() & 0o777;
    let wanted = (mode | 0o660) & !0o007;
    if mode != wanted {
        file.set_permissions(std::fs::Permissions::from_mode(wanted))?;
    }
    Ok(())
}

/// Creates a file a person asked for (an export, a pick list, a backup):
/// opened as the caller (`as_caller`, so a path into the shared directory
/// fails as it would for them), then given the shared install's group and
/// mode (`share_file`) before anything is written, so personal data never
/// sits in a file that the caller's everyday group can read. `new`: fail if
/// it exists, else truncate.
pub fn create_for_caller(path: &Path, new: bool) -> std::io::Result<std::fs::File> {
    let file = as_caller(|| {
        let mut o = std::fs::OpenOptions::new();
        o.write(true);
        if new {
            o.create_new(true);
        } else {
            o.create(true).truncate(true);
        }
        o.open(path)
    })?;
    if let Err(e) = share_file(&file) {
        drop(file);
        if new {
            let _ = std::fs::remove_file(path);
        }
        return Err(std::io::Error::new(
            e.kind(),
            format!("cannot give it the shared install's group and mode: {e}"),
        ));
    }
    Ok(file)
}

/// Runs `f` (opening a file the caller named: an import, an export, a
/// keymap, a reject file) with the caller's own group in force, so in a
/// shared install a path into the shared directory fails as it would for
/// the caller and cannot be used to read the key or truncate the database.
/// The saved set-group-ID keeps the install's group for afterwards. (The
/// switch is process-wide; call it where no other thread opens files.)
pub fn as_caller<T>(f: impl FnOnce() -> T) -> T {
    if !is_privileged() {
        return f();
    }
    // SAFETY: getgid/getegid cannot fail; setegid to the real or the saved
    // set-group-ID is always allowed.
    let (real, effective) = unsafe { (libc::getgid(), libc::getegid()) };
    let dropped = unsafe { libc::setegid(real) } == 0;
    let out = f();
    if dropped {
        // SAFETY: as above; failing to get the group back only makes the
        // next database open fail with a clear error.
        unsafe {
            libc::setegid(effective);
        }
    }
    out
}

/// A command for a child process (an editor, a pager, ...): when setgid it
/// runs with the caller's real ids, so the program the caller chose never
/// holds the install's group. Every child process is made through here
/// (tests/shared_install.rs holds the rest of `src/` to that).
pub fn child_command(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(program);
    if is_privileged() {
        // SAFETY: getgid/getuid cannot fail. The child calls setgid/setuid
        // before exec; exec then resets the saved ids to these.
        let (gid, uid) = unsafe { (libc::getgid(), libc::getuid()) };
        cmd.gid(gid).uid(uid);
    }
    cmd
}

/// In a shared install, `path` must be a database in a directory that
/// belongs to the install's group: not owned by the caller (who could
/// otherwise point shopdesk at a directory they made), not writable by
/// others. Returns the path with symbolic links resolved.
pub fn shared_db_path(path: &Path) -> Result<PathBuf> {
    let refuse = |why: String| {
        Error::refused(format!(
            "{}: this shopdesk is a shared install and only opens a database in its shared directory ({why})",
            path.display()
        ))
    };
    let resolved = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => {
            // A file not made yet (init): its directory must exist already.
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .ok_or_else(|| refuse("it names no file".to_string()))?;
            std::fs::canonicalize(dir)
                .map_err(|e| refuse(format!("{}: {e}", dir.display())))?
                .join(name)
        }
    };
    let dir = resolved
        .parent()
        .ok_or_else(|| refuse("it has no directory".to_string()))?;
    let meta = std::fs::metadata(dir).map_err(|e| refuse(format!("{}: {e}", dir.display())))?;
    use std::os::unix::fs::MetadataExt;
    // SAFETY: these calls cannot fail.
    let (egid, uid) = unsafe { (libc::getegid(), libc::getuid()) };
    if meta.gid() != egid {
        return Err(refuse(format!(
            "{} does not belong to the install's group",
            dir.display()
        )));
    }
    if meta.uid() == uid || meta.mode() & 0o002 != 0 {
        return Err(refuse(format!(
            "{} is owned by you or writable by anyone",
            dir.display()
        )));
    }
    Ok(resolved)
}

/// In a shared install the audit key must be the group's alone: a key that
/// others can read lets them forge rows, one that others can write lets them
/// replace it.
pub fn check_key_file(path: &Path) -> Result<()> {
    if !is_privileged() {
        return Ok(());
    }
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Db(format!("cannot read the audit key {}: {e}", path.display())))?;
    // SAFETY: getegid cannot fail.
    let egid = unsafe { libc::getegid() };
    if meta.gid() != egid || meta.mode() & 0o037 != 0 {
        return Err(Error::Db(format!(
            "the audit key {} must belong to the install's group and be readable by it alone (mode 0440 or 0640); fix it with chgrp and chmod",
            path.display()
        )));
    }
    Ok(())
}

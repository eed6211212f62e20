//! Who is running this process: the OS login of the effective user id
//! (not `$USER`, which anyone can set).

use crate::{Error, Result};

/// The login name of the effective user, from the password database.
pub fn os_login() -> Result<String> {
    // SAFETY: geteuid cannot fail; getpwuid_r writes only into the buffers we
    // own and reports errors through its return value.
    let uid = unsafe { libc::geteuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
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

//! Long text through `$VISUAL` / `$EDITOR` (else `vi`): the TUI steps aside,
//! the editor gets a private temporary file with the current text, and what
//! it saved comes back. The editor runs as the caller (the shared install's
//! group is dropped: `identity::child_command`).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

/// The text after editing, or why nothing changed.
pub fn edit(initial: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi").to_string();
    let args: Vec<String> = words.map(str::to_string).collect();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = std::env::temp_dir().join(format!("shopdesk-{}-{stamp}.txt", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(initial.as_bytes())
    };
    write().map_err(|e| format!("cannot make a file for the editor in {}: {e}", path.display()))?;
    let status = super::terminal::outside(|| {
        crate::identity::child_command(&program)
            .args(&args)
            .arg(&path)
            .status()
    });
    let text = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => return Err(format!("{program} exited with {s}; nothing changed")),
        Err(e) => return Err(format!("cannot run {program} ($VISUAL/$EDITOR): {e}")),
    }
    let text = text.map_err(|e| format!("cannot read what {program} saved: {e}"))?;
    Ok(text.trim_end_matches('\n').to_string())
}

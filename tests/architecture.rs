//! Data flows one way (ARCHITECTURE.md): each layer knows only the layers
//! below it. This scans the source so a wrong import fails the build's tests.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// Lines of code outside `#[cfg(test)]` modules (tests may use anything).
fn code_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    let cut = src.find("#[cfg(test)]").unwrap_or(src.len());
    src[..cut]
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
}

fn violations(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(layer),
        &mut files,
    );
    let mut bad = Vec::new();
    for (path, src) in &files {
        for (n, line) in code_lines(src) {
            for f in forbidden {
                if line.contains(f) {
                    bad.push(format!("{path}:{n}: {layer} must not use {f}: {}", line.trim()));
                }
            }
        }
    }
    bad
}

#[test]
fn domain_is_pure() {
    let bad = violations(
        "domain",
        &[
            "rusqlite",
            "ratatui",
            "crossterm",
            "crate::store",
            "crate::ops",
            "crate::tui",
            "crate::cli",
            "std::env",
            "Utc::now",
        ],
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn store_knows_no_terminal_and_no_workflows() {
    let bad = violations(
        "store",
        &["ratatui", "crossterm", "crate::ops", "crate::tui", "crate::cli"],
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn ops_knows_no_terminal() {
    let bad = violations("ops", &["ratatui", "crossterm", "crate::tui", "crate::cli"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn sql_lives_in_the_store() {
    let mut bad = violations("tui", &["rusqlite", "SELECT ", "UPDATE ", "INSERT INTO"]);
    bad.extend(violations(
        "cli",
        &["rusqlite", "SELECT ", "UPDATE ", "INSERT INTO"],
    ));
    bad.extend(violations(
        "ops",
        &["SELECT ", "UPDATE ", "INSERT INTO", "DELETE FROM"],
    ));
    bad.extend(violations(
        "io",
        &["rusqlite", "SELECT ", "UPDATE ", "INSERT INTO"],
    ));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

//! Data flows one way (ARCHITECTURE.md): each layer knows only the layers
//! below it. This scans the source so a wrong import fails the build's tests.
//!
//! Test code (`#[cfg(test)]` items, and files that are `#[cfg(test)] mod x;`)
//! may use anything; every other line of every file is read, including code
//! after a test module.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where a layer may reach into `store/` although ARCHITECTURE.md says it
/// goes through `ops/`. Each entry is a known, argued exception; anything
/// else fails, and so does an entry nothing uses any more.
struct Allowed {
    /// A file or folder under `src/`.
    under: &'static str,
    /// A module path under `crate::store` ("lists", "import::catalog").
    module: &'static str,
    /// The items of that module that may be named; empty: any.
    items: &'static [&'static str],
    why: &'static str,
}

const TUI_STORE: &[Allowed] = &[Allowed {
    under: "tui/",
    module: "lists",
    items: &[],
    why: "the list screens' read path: keyset pages, counts, chips, filters, detail loads and the \
              background reader. Reads with no workflow, no role check and no write, which ops would \
              only forward (runtime.rs is where the TUI reads)",
}];

const IO_STORE: &[Allowed] = &[
    Allowed {
        under: "io/",
        module: "import::catalog",
        items: &["MerchantRow", "ProductRow"],
        why: "plain row structs (data, no connection: io may not name rusqlite) that imports parse \
              into and exports format from; 'one row struct per table' may move them",
    },
    Allowed {
        under: "io/export.rs",
        module: "import::export",
        items: &["OrderLineRow", "TicketRow"],
        why: "the export's row structs, data only, as above",
    },
];

// ---------------------------------------------------------------- scanning

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir` that is not test code, with its text.
fn sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut skip = BTreeSet::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    // `#[cfg(test)] mod x;` in this folder's mod.rs/lib.rs names x.rs or x/ here.
    for p in &entries {
        if p.extension().is_some_and(|e| e == "rs") {
            let src = std::fs::read_to_string(p).unwrap();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let owner_dir = if matches!(stem.as_str(), "mod" | "lib" | "main") {
                dir.to_path_buf()
            } else {
                dir.join(&stem)
            };
            for m in scan(&src).test_mods {
                skip.insert(owner_dir.join(format!("{m}.rs")));
                skip.insert(owner_dir.join(&m));
            }
        }
    }
    for p in entries {
        if skip.contains(&p) {
            continue;
        }
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let src = std::fs::read_to_string(&p).unwrap();
            out.push((p, src));
        }
    }
}

/// A file's lines outside test items, and the test modules it declares
/// as files (`#[cfg(test)] mod x;`).
struct Scanned {
    /// Line numbers (1-based) inside `#[cfg(test)]` items.
    test_lines: BTreeSet<usize>,
    test_mods: Vec<String>,
}

/// Finds the extent of every `#[cfg(test)]` item: up to its `;`, or to the
/// `}` closing its first block. Strings, chars and comments are skipped so
/// their braces do not count.
fn scan(src: &str) -> Scanned {
    let b = src.as_bytes();
    let mut line = 1;
    let mut i = 0;
    let mut test_lines = BTreeSet::new();
    let mut test_mods = Vec::new();
    // (start line, depth when the item's block opened, text since the attribute)
    let mut item: Option<(usize, Option<usize>, String)> = None;
    let mut depth = 0usize;
    let attr = b"#[cfg(test)]";
    while i < b.len() {
        let c = b[i];
        // Comments.
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b[i..].starts_with(b"/*") {
            let mut nest = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    nest += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings r"..." / r#"..."# (and br).
        if (c == b'r' || (c == b'b' && b.get(i + 1) == Some(&b'r')))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let mut j = i + if c == b'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) == Some(&b'"') {
                let mut close = vec![b'"'];
                close.extend(std::iter::repeat_n(b'#', hashes));
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    if b[j] == b'\n' {
                        line += 1;
                    }
                    j += 1;
                }
                i = j + close.len();
                continue;
            }
        }
        if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        // A char literal ('{', '\'', '\u{7b}'), not a lifetime ('a).
        if c == b'\'' {
            if b.get(i + 1) == Some(&b'\\') {
                // Skip the escaped character, then up to the closing quote.
                let mut j = i + 3;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            if let Some(ch) = src[i + 1..].chars().next() {
                let after = i + 1 + ch.len_utf8();
                if b.get(after) == Some(&b'\'') {
                    i = after + 1;
                    continue;
                }
            }
        }
        if item.is_none() && b[i..].starts_with(attr) {
            item = Some((line, None, String::new()));
            i += attr.len();
            continue;
        }
        if let Some((start, opened, text)) = item.as_mut() {
            text.push(c as char);
            let end = match c {
                b'{' if opened.is_none() => {
                    *opened = Some(depth);
                    false
                }
                b'}' => opened.is_some_and(|d| d + 1 == depth),
                b';' => opened.is_none(),
                _ => false,
            };
            if end {
                test_lines.extend(*start..=line);
                if c == b';' {
                    let words: Vec<&str> = text.split_whitespace().collect();
                    if let Some(k) = words.iter().position(|w| *w == "mod")
                        && let Some(name) = words.get(k + 1)
                    {
                        test_mods.push(name.trim_end_matches(';').to_string());
                    }
                }
                item = None;
            }
        }
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
        i += 1;
    }
    Scanned {
        test_lines,
        test_mods,
    }
}

/// Lines of code outside test items and comment lines.
fn code_lines(src: &str) -> Vec<(usize, &str)> {
    let tests = scan(src).test_lines;
    src.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(n, l)| !tests.contains(n) && !l.trim_start().starts_with("//"))
        .collect()
}

/// The file with test items and comment lines blanked (line numbers kept),
/// so a `use` spanning lines reads as one.
fn code_text(src: &str) -> String {
    let keep: BTreeSet<usize> = code_lines(src).into_iter().map(|(n, _)| n).collect();
    src.lines()
        .enumerate()
        .map(|(i, l)| if keep.contains(&(i + 1)) { l } else { "" })
        .collect::<Vec<_>>()
        .join("\n")
}

fn layer_files(layer: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(&src_dir().join(layer), &mut files);
    files
        .into_iter()
        .map(|(p, s)| {
            let rel = p.strip_prefix(src_dir()).unwrap().display().to_string();
            (rel, s)
        })
        .collect()
}

fn violations(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    for (path, src) in &layer_files(layer) {
        for (n, line) in code_lines(src) {
            for f in forbidden {
                if line.contains(f) {
                    bad.push(format!(
                        "src/{path}:{n}: {layer} must not use {f}: {}",
                        line.trim()
                    ));
                }
            }
        }
    }
    bad
}

/// The paths under `crate::` that `text` names, group imports expanded:
/// `crate::store::lists::{Count, Seek}` → ["store::lists::Count", "store::lists::Seek"].
fn crate_paths(text: &str) -> Vec<String> {
    crate_paths_at(text).into_iter().map(|(_, p)| p).collect()
}

/// As `crate_paths`, each with the byte offset of its `crate::`.
fn crate_paths_at(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = text[from..].find("crate::") {
        let at = from + k;
        from = at + "crate::".len();
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue; // `mycrate::`
        }
        let mut paths = Vec::new();
        expand("", &text[from..], &mut paths);
        out.extend(paths.into_iter().map(|p| (at, p)));
    }
    out
}

/// Expands the path (or `{group}`) at the start of `s`, under `prefix`.
fn expand(prefix: &str, s: &str, out: &mut Vec<String>) {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(prefix, &inner[start..i], out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(prefix, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let seg_len = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let seg = &s[..seg_len];
    if seg.is_empty() {
        if !prefix.is_empty() {
            out.push(prefix.to_string());
        }
        return;
    }
    let path = if prefix.is_empty() {
        seg.to_string()
    } else {
        format!("{prefix}::{seg}")
    };
    match s[seg_len..].strip_prefix("::") {
        Some(more) => expand(&path, more, out),
        None => out.push(path),
    }
}

/// Every place `layer` names `crate::store`, minus the allowed ones; and
/// the allowances nothing used.
fn store_uses(layer: &str, allowed: &[Allowed]) -> (Vec<String>, Vec<String>) {
    let mut bad = Vec::new();
    let mut used = vec![false; allowed.len()];
    for (path, src) in &layer_files(layer) {
        let code = code_text(src);
        for (at, p) in crate_paths_at(&code) {
            if p != "store" && !p.starts_with("store::") {
                continue;
            }
            let segs: Vec<&str> = p.split("::").skip(1).collect();
            let hit = allowed.iter().position(|a| {
                let module: Vec<&str> = a.module.split("::").filter(|s| !s.is_empty()).collect();
                // With named items, importing the module itself is refused:
                // its alias would let any item through unseen.
                path.starts_with(a.under)
                    && segs.len() >= module.len()
                    && segs[..module.len()] == module[..]
                    && (a.items.is_empty() || segs.get(module.len()).is_some_and(|i| a.items.contains(i)))
            });
            match hit {
                Some(k) => used[k] = true,
                None => {
                    let n = code[..at].matches('\n').count() + 1;
                    let line = code.lines().nth(n - 1).unwrap_or("").trim();
                    bad.push(format!(
                        "src/{path}:{n}: {layer} must reach the store through ops, not crate::{p}: {line}"
                    ));
                }
            }
        }
    }
    let stale = allowed
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(a, _)| {
            format!(
                "allowed {layer}→store::{} {:?} under src/{} is no longer used: remove it ({})",
                a.module, a.items, a.under, a.why
            )
        })
        .collect();
    bad.sort();
    bad.dedup();
    (bad, stale)
}

// ------------------------------------------------------------------- rules

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
            "crate::io",
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
fn io_knows_no_terminal_and_no_workflows() {
    let bad = violations(
        "io",
        &["ratatui", "crossterm", "crate::ops", "crate::tui", "crate::cli"],
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn demo_knows_no_terminal_and_no_workflows() {
    let bad = violations(
        "demo",
        &[
            "ratatui",
            "crossterm",
            "crate::ops",
            "crate::tui",
            "crate::cli",
            "crate::io",
        ],
    );
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
    // The demo generator decides values; `store::seed` writes them.
    bad.extend(violations("demo", DEMO_FORBIDDEN));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// What src/demo/ may not hold: a connection type or any SQL text.
const DEMO_FORBIDDEN: &[&str] = &[
    "rusqlite", "SELECT ", "UPDATE ", "INSERT ", "DELETE ", "PRAGMA ", "CREATE ", "DROP ", "prepare",
    "execute",
];

#[test]
fn the_demo_rule_finds_sql_and_rusqlite() {
    let src = "use rusqlite::params;\n\
               // INSERT INTO in a comment is fine\n\
               fn f() { l.execute(\"INSERT OR IGNORE INTO holidays (date) VALUES (?1)\"); }\n";
    let hits: Vec<&str> = code_lines(src)
        .into_iter()
        .filter(|(_, l)| DEMO_FORBIDDEN.iter().any(|f| l.contains(f)))
        .map(|(_, l)| l.trim())
        .collect();
    assert_eq!(hits.len(), 2, "{hits:?}");
}

#[test]
fn tui_reaches_the_store_only_where_allowed() {
    let (bad, stale) = store_uses("tui", TUI_STORE);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn io_reaches_the_store_only_for_row_types() {
    let (bad, stale) = store_uses("io", IO_STORE);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

// ------------------------------------------------- the scanner itself

#[test]
fn the_scanner_reads_past_test_modules_and_skips_only_them() {
    let src = "use a;\n\
               #[cfg(test)]\n\
               mod tests {\n\
                   fn f() { let s = \"}\"; let c = '}'; }\n\
                   use crate::tui::X;\n\
               }\n\
               use crate::tui::after;\n\
               #[cfg(test)]\n\
               mod more;\n\
               #[cfg(test)]\n\
               fn helper() -> &'static str { \"{\" }\n\
               use crate::tui::last;\n";
    let lines: Vec<&str> = code_lines(src).into_iter().map(|(_, l)| l.trim()).collect();
    assert_eq!(
        lines,
        ["use a;", "use crate::tui::after;", "use crate::tui::last;"]
    );
    assert_eq!(scan(src).test_mods, ["more"]);
}

#[test]
fn import_paths_are_expanded_from_groups() {
    assert_eq!(
        crate_paths("use crate::store::lists::{self, Count, orders::{Detail, Row}};"),
        [
            "store::lists::self",
            "store::lists::Count",
            "store::lists::orders::Detail",
            "store::lists::orders::Row"
        ]
    );
    assert_eq!(crate_paths("use crate::{Error, store};"), ["Error", "store"]);
    assert_eq!(
        crate_paths("let x = crate::store::conflict(&c); mycrate::store::y"),
        ["store::conflict"]
    );
}

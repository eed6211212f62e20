//! Long text goes through `$EDITOR`: what the editor saves comes back, and
//! an editor that fails changes nothing. (Its own test binary: it sets
//! `EDITOR`, which is process-wide.)

use std::os::unix::fs::PermissionsExt;

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

#[test]
fn the_editor_gets_the_text_and_gives_back_what_it_saved() {
    let dir = tempfile::tempdir().unwrap();
    // Appends a line to what it was given, as a person would.
    let ok = script(dir.path(), "ed-ok", r#"printf '第二行 second line\n' >> "$1""#);
    let fails = script(dir.path(), "ed-fail", "exit 3");
    unsafe {
        std::env::remove_var("VISUAL");
        std::env::set_var("EDITOR", &ok);
    }
    let got = shopdesk::tui::editor::edit("营业执照已过期\n").unwrap();
    assert_eq!(got, "营业执照已过期\n第二行 second line");

    unsafe { std::env::set_var("EDITOR", &fails) };
    let err = shopdesk::tui::editor::edit("kept").unwrap_err();
    assert!(err.contains("exited") && err.contains("nothing changed"), "{err}");

    unsafe { std::env::set_var("EDITOR", dir.path().join("missing-editor")) };
    let err = shopdesk::tui::editor::edit("kept").unwrap_err();
    assert!(err.contains("cannot run"), "{err}");
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("shopdesk-{}-", std::process::id()))
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

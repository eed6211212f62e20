//! `e` and the pick list ask where to write (issue 10, item 11): the prompt
//! offers a whole path in the export folder, makes a folder that is
//! missing, refuses to write over a file, and the message log names the
//! whole path of what was written.

mod tui_support;

use shopdesk::tui::app::{App, Overlay};
use shopdesk::tui::screens::Tab;
use tui_support::{app, shop};

fn prompt_value(a: &App) -> String {
    match &a.overlay {
        Some(Overlay::SaveAs(s)) => s.form.value(0).to_string(),
        _ => panic!("no path prompt open"),
    }
}

fn prompt_error(a: &App) -> Option<String> {
    match &a.overlay {
        Some(Overlay::SaveAs(s)) => s.form.error.clone(),
        _ => None,
    }
}

fn last_message(a: &App) -> String {
    a.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn export_asks_for_the_path_makes_the_folder_and_names_the_whole_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 80, 24);
    a.press("3");
    a.press("e");
    // Nothing is written before the path is settled.
    let offered = prompt_value(&a);
    assert!(
        offered.starts_with(&dir.path().display().to_string()) && offered.ends_with(".csv"),
        "{offered}"
    );
    assert!(!std::path::Path::new(&offered).exists());

    // A path in a folder that does not exist yet: made, then written.
    let target = dir.path().join("reports").join("nov").join("orders.csv");
    a.press("ctrl-u");
    a.type_text(&target.display().to_string());
    a.press("enter");
    assert!(a.overlay.is_none(), "the prompt closed");
    a.wait_jobs();
    let msg = last_message(&a);
    assert_eq!(
        msg,
        format!("exported 200 rows to {}", target.display()),
        "the whole path"
    );
    assert!(target.is_file());

    // Over an existing file: refused, the prompt stays with what was typed.
    a.press("e");
    a.press("ctrl-u");
    a.type_text(&target.display().to_string());
    a.press("enter");
    let err = prompt_error(&a).expect("an error in the prompt");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(prompt_value(&a), target.display().to_string());
    a.press("esc");
    assert!(a.overlay.is_none());
    assert_eq!(last_message(&a), "nothing saved");
}

#[test]
fn the_pick_list_asks_for_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let mut a = app(&path, 120, 40);
    a.press("3");
    // Order 1 is paid: approve it so it can be printed.
    a.press("A");
    a.press("p");
    assert_eq!(prompt_value(&a), dir.path().display().to_string());
    let folder = dir.path().join("picking");
    a.press("ctrl-u");
    a.type_text(&folder.display().to_string());
    a.press("enter");
    let msg = last_message(&a);
    assert!(
        msg.contains(&format!("written to {}", folder.join("pick-list-").display())),
        "{msg}"
    );
    let files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.starts_with("pick-list-")), "{files:?}");
    assert_eq!(a.list(Tab::Orders).unwrap().current().unwrap().id, 1);
}

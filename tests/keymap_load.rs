//! Loading the user's keymap: the size cap, a large file loaded whole, the
//! warning when no key quits, and actions bound where they mean nothing
//! (issue 9, item 14).

use shopdesk::tui::action::Action;
use shopdesk::tui::keymap::{self, Context, Keymap, MAX_FILE_BYTES, Resolved, parse_chord};

fn is_default(km: &Keymap) -> bool {
    km.resolve(&[Context::Global], &parse_chord("q").unwrap()) == Resolved::Action(Action::Quit)
        && km.resolve(&[Context::Table], &parse_chord("j").unwrap()) == Resolved::Action(Action::Down)
}

#[test]
fn a_keymap_over_the_size_cap_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    // Valid TOML, one byte over the cap.
    let mut text = String::from("[table]\nj = \"up\"\n");
    text.push_str(&"#".repeat(MAX_FILE_BYTES as usize + 1 - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len() as u64, MAX_FILE_BYTES + 1);
    std::fs::write(&path, &text).unwrap();
    let (km, notes) = keymap::load_from(&path);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with(&path.display().to_string()), "{notes:?}");
    assert!(notes[0].contains("larger than the 256 KiB"), "{notes:?}");
    assert!(notes[0].contains("default keys are in force"), "{notes:?}");
    assert!(is_default(&km));

    // At the cap exactly it is read and used.
    text.truncate(MAX_FILE_BYTES as usize - 1);
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    let (km, notes) = keymap::load_from(&path);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        km.resolve(&[Context::Table], &parse_chord("j").unwrap()),
        Resolved::Action(Action::Up)
    );
}

#[test]
fn an_endless_keymap_file_is_refused_without_reading_it_all() {
    // /dev/zero never ends: only a bounded read can return.
    let (km, notes) = keymap::load_from(std::path::Path::new("/dev/zero"));
    assert!(notes[0].starts_with("/dev/zero: larger than"), "{notes:?}");
    assert!(is_default(&km));
}

#[test]
fn a_large_keymap_loads_every_chord() {
    // ~17,000 three-key chords, under the cap: each one is bound.
    // First keys no default binding uses (`m` is the message log).
    let first = "bchilnotvwyz6789";
    let rest: Vec<char> = ('!'..='~').filter(|c| !matches!(c, '"' | '\\' | '\'')).collect();
    let mut text = String::from("[table]\n");
    let mut chords = Vec::new();
    for a in first.chars() {
        for b in &rest {
            for c in &rest[..12] {
                let chord = format!("{a} {b} {c}");
                text.push_str(&format!("\"{chord}\"=\"up\"\n"));
                chords.push(chord);
            }
        }
    }
    assert!(chords.len() > 17_000 && (text.len() as u64) < MAX_FILE_BYTES);
    let (km, notes) = Keymap::build(Some(("big.toml", &text)));
    assert!(notes.is_empty(), "{:?}", &notes[..notes.len().min(3)]);
    assert_eq!(
        km.bindings(Context::Table).len(),
        chords.len() + Keymap::defaults().bindings(Context::Table).len()
    );
    let stack = [Context::Merchants, Context::Table, Context::Global];
    for chord in [&chords[0], &chords[chords.len() / 2], &chords[chords.len() - 1]] {
        assert_eq!(
            km.resolve(&stack, &parse_chord(chord).unwrap()),
            Resolved::Action(Action::Up),
            "{chord}"
        );
    }
    // The line numbers are still right at the end of the file.
    let clash = format!("{text}b = \"refresh\"\n");
    let (_, notes) = Keymap::build(Some(("big.toml", &clash)));
    let line = chords.len() + 2;
    assert!(
        notes[0].starts_with(&format!(
            "big.toml:{line}: [table] \"b\" is a prefix of \"b ! !\""
        )),
        "{notes:?}"
    );
}

#[test]
fn many_errors_are_counted_after_the_first_twenty() {
    let mut text = String::from("[table]\n");
    for i in 0..50 {
        text.push_str(&format!("\"f{} {i}\" = \"fly\"\n", 1 + i % 12));
    }
    let (km, notes) = Keymap::build(Some(("k.toml", &text)));
    assert_eq!(notes.len(), 22, "{notes:?}");
    assert!(notes[0].starts_with("k.toml:2: [table]"), "{notes:?}");
    assert_eq!(notes[20], "k.toml: and 30 more errors");
    assert!(notes[21].contains("default keys are in force"));
    assert!(is_default(&km));
}

#[test]
fn a_chord_longer_than_four_keys_is_an_error() {
    let (_, notes) = Keymap::build(Some(("k.toml", "[table]\n\"z z z z z\" = \"up\"\n")));
    assert!(
        notes[0].starts_with("k.toml:2: [table] \"z z z z z\": a chord has at most 4 keys"),
        "{notes:?}"
    );
    let (_, notes) = Keymap::build(Some(("k.toml", "[table]\n\"z z z z\" = \"up\"\n")));
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn unbinding_q_and_ctrl_c_warns_that_only_the_palette_quits() {
    let user = "[global]\nq = \"noop\"\nctrl-c = \"noop\"\n";
    let (km, notes) = Keymap::build(Some(("/home/x/keymap.toml", user)));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("/home/x/keymap.toml: warning: no key in [global] quits"),
        "{notes:?}"
    );
    assert!(
        notes[0].contains("only `: quit` in the palette is left"),
        "{notes:?}"
    );
    // A warning, not an error: the file is in force.
    assert_eq!(
        km.resolve(&[Context::Global], &parse_chord("q").unwrap()),
        Resolved::Unbound
    );

    // Without the palette as well nothing but a signal is left.
    let (_, notes) = Keymap::build(Some((
        "k.toml",
        "[global]\nq = \"noop\"\nctrl-c = \"noop\"\n\":\" = \"noop\"\n",
    )));
    assert!(
        notes[0].contains("nothing but a signal ends shopdesk"),
        "{notes:?}"
    );

    // One of them, or quit on another key, is enough.
    for user in [
        "[global]\nq = \"noop\"\n",
        "[global]\nctrl-c = \"noop\"\n",
        "[global]\nq = \"noop\"\nctrl-c = \"noop\"\nQ = \"quit\"\n",
    ] {
        let (_, notes) = Keymap::build(Some(("k.toml", user)));
        assert!(notes.is_empty(), "{user}: {notes:?}");
    }
}

#[test]
fn an_action_bound_where_it_means_nothing_is_an_error_naming_file_and_line() {
    let cases = [
        (
            "[global]\nw = \"submit\"\n",
            "k.toml:2: [global] \"w\": \"submit\" does nothing in [global]",
        ),
        (
            "[table]\n\ny = \"choice_next\"\n",
            "k.toml:3: [table] \"y\": \"choice_next\" does nothing in [table]",
        ),
        (
            "[detail]\ns = \"sort_next\"\n",
            "k.toml:2: [detail] \"s\": \"sort_next\" does nothing in [detail]",
        ),
        (
            "[dashboard]\nj = \"down\"\n",
            "k.toml:2: [dashboard] \"j\": \"down\" does nothing in [dashboard]",
        ),
        (
            "[merchants]\nP = \"order_pick\"\n",
            "k.toml:2: [merchants] \"P\": \"order_pick\" does nothing in [merchants]",
        ),
        (
            "[confirm]\nx = \"export\"\n",
            "k.toml:2: [confirm] \"x\": \"export\" does nothing in [confirm]",
        ),
        (
            "[help]\n1 = \"tab_merchants\"\n",
            "k.toml:2: [help] \"1\": \"tab_merchants\" does nothing in [help]",
        ),
        (
            "[prompt]\nctrl-d = \"page_down\"\n",
            "k.toml:2: [prompt] \"ctrl-d\": \"page_down\" does nothing in [prompt]",
        ),
    ];
    for (user, want) in cases {
        let (km, notes) = Keymap::build(Some(("k.toml", user)));
        assert!(notes[0].starts_with(want), "{user}: {notes:?}");
        assert!(
            notes.last().unwrap().contains("default keys are in force"),
            "{notes:?}"
        );
        assert!(is_default(&km));
    }
    // Where they do mean something they are accepted: a ctrl-key in
    // [global] reaches the overlays, order actions work on the orders screen.
    for user in [
        "[global]\nctrl-s = \"submit\"\n",
        "[orders]\nZ = \"order_pick\"\n",
        "[table]\nZ = \"order_pick\"\n",
        "[dashboard]\nZ = \"tab_orders\"\n",
        "[form]\nctrl-n = \"next_field\"\n",
        "[global]\nz = \"noop\"\n",
    ] {
        let (_, notes) = Keymap::build(Some(("k.toml", user)));
        assert!(notes.is_empty(), "{user}: {notes:?}");
    }
}

//! Keymaps: `keymaps/default.toml` (embedded) overridden per key by the user's
//! `keymap.toml`. A key is resolved in a stack of contexts (overlay → screen →
//! table/detail → global) into an [`Action`]; chords ("g g") wait for their
//! next key.

use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::{DeTable, DeValue};

use super::action::Action;

pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
const DEFAULT_NAME: &str = "keymaps/default.toml";

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Table,
    Detail,
    Merchants,
    Products,
    Orders,
    Tickets,
    Dashboard,
    Help,
    Palette,
    Prompt,
    Picker,
    Confirm,
    Form,
}

impl Context {
    pub const ALL: [Context; 14] = [
        Context::Global,
        Context::Table,
        Context::Detail,
        Context::Merchants,
        Context::Products,
        Context::Orders,
        Context::Tickets,
        Context::Dashboard,
        Context::Help,
        Context::Palette,
        Context::Prompt,
        Context::Picker,
        Context::Confirm,
        Context::Form,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Table => "table",
            Context::Detail => "detail",
            Context::Merchants => "merchants",
            Context::Products => "products",
            Context::Orders => "orders",
            Context::Tickets => "tickets",
            Context::Dashboard => "dashboard",
            Context::Help => "help",
            Context::Palette => "palette",
            Context::Prompt => "prompt",
            Context::Picker => "picker",
            Context::Confirm => "confirm",
            Context::Form => "form",
        }
    }

    pub fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }

    /// Overlays take every key: only ctrl-keys fall through to global.
    pub fn is_modal(self) -> bool {
        matches!(
            self,
            Context::Help
                | Context::Palette
                | Context::Prompt
                | Context::Picker
                | Context::Confirm
                | Context::Form
        )
    }

    /// Typed characters go into a text field (or choose a menu entry by key).
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Palette | Context::Prompt | Context::Form | Context::Picker
        )
    }

    fn is_screen(self) -> bool {
        matches!(
            self,
            Context::Merchants | Context::Products | Context::Orders | Context::Tickets | Context::Dashboard
        )
    }
}

/// One key press, normalised: characters carry their case, not SHIFT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    pub fn from_event(e: &KeyEvent) -> Key {
        Key::new(e.code, e.modifiers)
    }

    /// A typed character for text fields (no ctrl/alt).
    pub fn text_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
            _ => None,
        }
    }

    /// Parses one key: "j", "G", "ctrl-d", "shift-tab", "pagedown", "f5".
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(format!("\"{s}\" is not a key")),
            (Some(c), None) => {
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "\"{s}\" is not a key (try j, G, ctrl-d, shift-tab, pagedown)"
                    ));
                }
            },
        };
        Ok(Key::new(code, mods))
    }

    /// ctrl-h/i/j/m arrive as Backspace/Tab/Enter over many terminals.
    fn is_ambiguous_ctrl(&self) -> bool {
        self.mods.contains(KeyModifiers::CONTROL) && matches!(self.code, KeyCode::Char('h' | 'i' | 'j' | 'm'))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Parses a chord: keys separated by spaces ("g g").
pub fn parse_chord(s: &str) -> Result<Vec<Key>, String> {
    let keys = s
        .split_whitespace()
        .map(Key::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err("an empty key".to_string());
    }
    Ok(keys)
}

pub fn chord_text(keys: &[Key]) -> String {
    keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
}

/// One key bound to an action, with where it was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub origin: String,
}

/// The effective keymap.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Indexed like `Context::ALL`.
    contexts: Vec<Vec<Binding>>,
}

/// What a key (sequence) means in a context stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// A chord has begun; wait for the next key.
    Pending,
    Unbound,
}

struct Entry {
    ctx: Context,
    keys: Vec<Key>,
    /// `None` for "noop".
    action: Option<Action>,
    origin: String,
}

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// Parses one keymap file into entries; errors name file, line and key.
fn parse_file(src: &str, file: &str) -> (Vec<Entry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let doc = match DeTable::parse(src) {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(src, s.start));
            errors.push(format!("{file}:{line}: {}", e.message().trim()));
            return (entries, errors);
        }
    };
    let mut tables: Vec<_> = doc.get_ref().iter().collect();
    tables.sort_by_key(|(k, _)| k.span().start);
    for (ctx_name, table) in tables {
        let line = line_of(src, ctx_name.span().start);
        let Some(ctx) = Context::from_name(ctx_name.get_ref()) else {
            let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
            errors.push(format!(
                "{file}:{line}: [{}] is not a context (expected one of: {})",
                ctx_name.get_ref(),
                names.join(", ")
            ));
            continue;
        };
        let DeValue::Table(t) = table.get_ref() else {
            errors.push(format!(
                "{file}:{line}: {} must be a table like [{}]",
                ctx.name(),
                ctx.name()
            ));
            continue;
        };
        let mut keys: Vec<_> = t.iter().collect();
        keys.sort_by_key(|(k, _)| k.span().start);
        for (key, value) in keys {
            let line = line_of(src, key.span().start);
            let key_text = key.get_ref();
            let chord = match parse_chord(key_text) {
                Ok(c) => c,
                Err(e) => {
                    errors.push(format!("{file}:{line}: [{}] {e}", ctx.name()));
                    continue;
                }
            };
            let Some(name) = value.get_ref().as_str() else {
                errors.push(format!(
                    "{file}:{line}: [{}] \"{key_text}\": the action must be a string such as \"down\" or \"noop\"",
                    ctx.name()
                ));
                continue;
            };
            let action = if name == "noop" {
                None
            } else if let Some(a) = Action::from_name(name) {
                Some(a)
            } else {
                errors.push(format!(
                    "{file}:{line}: [{}] \"{key_text}\": unknown action \"{name}\" (`shopdesk keys` lists them)",
                    ctx.name()
                ));
                continue;
            };
            entries.push(Entry {
                ctx,
                keys: chord,
                action,
                origin: format!("{file}:{line}"),
            });
        }
    }
    (entries, errors)
}

impl Keymap {
    /// The embedded defaults alone.
    pub fn defaults() -> Keymap {
        Keymap::build(None).0
    }

    /// Defaults overridden by a user file (`(path, text)`). With any error in
    /// the user file the defaults are used alone; the errors come back as
    /// messages, followed by warnings.
    pub fn build(user: Option<(&str, &str)>) -> (Keymap, Vec<String>) {
        let (defaults, mut errors) = parse_file(DEFAULT_TOML, DEFAULT_NAME);
        let mut km = Keymap {
            contexts: vec![Vec::new(); Context::ALL.len()],
        };
        km.apply(defaults);
        errors.extend(km.validate());
        let Some((path, text)) = user else {
            return (km, errors);
        };
        let (entries, mut user_errors) = parse_file(text, path);
        let warnings: Vec<String> = entries
            .iter()
            .filter(|e| e.action.is_some() && e.keys.iter().any(Key::is_ambiguous_ctrl))
            .map(|e| {
                format!(
                    "{}: [{}] \"{}\": warning: ctrl-h/i/j/m arrive as backspace/tab/enter on many terminals",
                    e.origin,
                    e.ctx.name(),
                    chord_text(&e.keys)
                )
            })
            .collect();
        let mut merged = km.clone();
        merged.apply(entries);
        if user_errors.is_empty() {
            user_errors = merged.validate();
        }
        if user_errors.is_empty() {
            errors.extend(warnings);
            (merged, errors)
        } else {
            errors.extend(user_errors);
            errors.push(format!("{path}: not used; the default keys are in force"));
            (km, errors)
        }
    }

    fn apply(&mut self, entries: Vec<Entry>) {
        for e in entries {
            let list = &mut self.contexts[e.ctx as usize];
            list.retain(|b| b.keys != e.keys);
            if let Some(action) = e.action {
                list.push(Binding {
                    keys: e.keys,
                    action,
                    origin: e.origin,
                });
            }
        }
    }

    /// Prefix clashes ("g" and "g g") within a context or between a context
    /// and the ones below it in a lookup stack.
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let mut pairs: Vec<(Context, Context)> = Vec::new();
        for c in Context::ALL {
            pairs.push((c, c));
        }
        for s in Context::ALL.into_iter().filter(|c| c.is_screen()) {
            pairs.extend([(s, Context::Table), (s, Context::Detail), (s, Context::Global)]);
        }
        pairs.extend([
            (Context::Table, Context::Global),
            (Context::Detail, Context::Global),
        ]);
        for (a, b) in pairs {
            let la = self.bindings(a);
            let lb = self.bindings(b);
            for (i, x) in la.iter().enumerate() {
                for (j, y) in lb.iter().enumerate() {
                    if a == b && i >= j {
                        continue;
                    }
                    let (short, long, sc, lc) = if x.keys.len() <= y.keys.len() {
                        (x, y, a, b)
                    } else {
                        (y, x, b, a)
                    };
                    if short.keys.len() < long.keys.len() && long.keys.starts_with(&short.keys) {
                        errors.push(format!(
                            "{}: [{}] \"{}\" is a prefix of \"{}\" ([{}], {}): the longer chord could never be typed",
                            short.origin,
                            sc.name(),
                            chord_text(&short.keys),
                            chord_text(&long.keys),
                            lc.name(),
                            long.origin
                        ));
                    } else if a == b && short.keys == long.keys {
                        errors.push(format!(
                            "{}: [{}] \"{}\" is bound twice (also {})",
                            long.origin,
                            a.name(),
                            chord_text(&long.keys),
                            short.origin
                        ));
                    }
                }
            }
        }
        errors
    }

    pub fn bindings(&self, ctx: Context) -> &[Binding] {
        self.contexts.get(ctx as usize).map_or(&[], Vec::as_slice)
    }

    /// Resolves the keys typed so far in a stack of contexts (most specific
    /// first). Modal contexts pass only ctrl-keys on to `global`.
    pub fn resolve(&self, stack: &[Context], pending: &[Key]) -> Resolved {
        let Some(last) = pending.last() else {
            return Resolved::Unbound;
        };
        let visible = |ctx: Context| -> bool {
            let modal = stack.first().is_some_and(|c| c.is_modal());
            !modal || stack.first() == Some(&ctx) || last.mods.contains(KeyModifiers::CONTROL)
        };
        for &ctx in stack.iter().filter(|c| visible(**c)) {
            if let Some(b) = self.bindings(ctx).iter().find(|b| b.keys == pending) {
                return Resolved::Action(b.action);
            }
        }
        let prefix = stack.iter().filter(|c| visible(**c)).any(|&ctx| {
            self.bindings(ctx)
                .iter()
                .any(|b| b.keys.len() > pending.len() && b.keys.starts_with(pending))
        });
        if prefix {
            Resolved::Pending
        } else {
            Resolved::Unbound
        }
    }

    /// The first key bound to `action` in the stack, for hints.
    pub fn key_for(&self, stack: &[Context], action: Action) -> Option<String> {
        stack
            .iter()
            .flat_map(|&c| self.bindings(c))
            .find(|b| b.action == action)
            .map(|b| chord_text(&b.keys))
    }

    /// Every binding of a context grouped by action, in file order:
    /// `(keys, action)` with all keys for the action joined by ", ".
    pub fn grouped(&self, ctx: Context) -> Vec<(String, Action)> {
        let mut out: Vec<(String, Action)> = Vec::new();
        for b in self.bindings(ctx) {
            let k = chord_text(&b.keys);
            match out.iter_mut().find(|(_, a)| *a == b.action) {
                Some((keys, _)) => {
                    keys.push_str(", ");
                    keys.push_str(&k);
                }
                None => out.push((k, b.action)),
            }
        }
        out
    }

    /// The effective keymap as text (`shopdesk keys`).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for ctx in Context::ALL {
            let groups = self.grouped(ctx);
            if groups.is_empty() {
                continue;
            }
            s.push_str(&format!("[{}]\n", ctx.name()));
            for (keys, action) in groups {
                s.push_str(&format!(
                    "  {keys:<28} {:<16} {}\n",
                    action.name(),
                    action.description()
                ));
            }
            s.push('\n');
        }
        s
    }
}

/// The defaults overridden by the user's keymap file, if there is one, and
/// the messages (errors, warnings) to show.
pub fn load_effective() -> (Keymap, Vec<String>) {
    match crate::config::keymap_path() {
        Ok(p) => load_from(&p),
        Err(e) => {
            let (km, mut msgs) = Keymap::build(None);
            msgs.push(format!("keymap: {e}"));
            (km, msgs)
        }
    }
}

/// Like `load_effective` for an explicit file.
pub fn load_from(path: &Path) -> (Keymap, Vec<String>) {
    match crate::identity::as_caller(|| std::fs::read_to_string(path)) {
        Ok(text) => Keymap::build(Some((&path.display().to_string(), &text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Keymap::build(None),
        Err(e) => {
            let (km, mut msgs) = Keymap::build(None);
            msgs.push(format!(
                "{}: cannot read: {e}; the default keys are in force",
                path.display()
            ));
            (km, msgs)
        }
    }
}

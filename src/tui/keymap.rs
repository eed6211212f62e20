//! Keymaps: `keymaps/default.toml` (embedded) overridden per key by the user's
//! `keymap.toml`. A key is resolved in a stack of contexts (overlay → screen →
//! table/detail → global) into an [`Action`]; chords ("g g") wait for their
//! next key.

mod check;
mod key;

pub use key::{Key, chord_text, parse_chord};

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crossterm::event::KeyModifiers;
use toml::de::{DeTable, DeValue};

use super::action::Action;

pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
const DEFAULT_NAME: &str = "keymaps/default.toml";

/// A keymap file larger than this is refused (the default map is ~3 KiB);
/// the TUI's start waits for the keymap, so its size must be bounded.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// The longest chord; also keeps the prefix checks linear in the file size.
pub const MAX_CHORD_KEYS: usize = 4;
/// Errors shown for one file; the rest are counted.
const MAX_ERRORS: usize = 20;

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
    /// The Settlement view: a picker whose rows take the settlement verbs.
    Settlement,
    Confirm,
    Form,
}

impl Context {
    pub const ALL: [Context; 15] = [
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
        Context::Settlement,
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
            Context::Settlement => "settlement",
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
                | Context::Settlement
                | Context::Confirm
                | Context::Form
        )
    }

    /// Typed characters go into a text field (or choose a menu entry by key).
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Palette | Context::Prompt | Context::Form | Context::Picker | Context::Settlement
        )
    }

    fn is_screen(self) -> bool {
        matches!(
            self,
            Context::Merchants | Context::Products | Context::Orders | Context::Tickets | Context::Dashboard
        )
    }
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

/// Byte offsets where lines start, so a span's line is a binary search
/// instead of a count from the top of the file for every key.
struct Lines(Vec<usize>);

impl Lines {
    fn new(src: &str) -> Lines {
        let starts = std::iter::once(0).chain(src.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts.collect())
    }

    /// 1-based line of a byte offset.
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset).max(1)
    }
}

/// Parses one keymap file into entries; errors name file, line and key.
fn parse_file(src: &str, file: &str) -> (Vec<Entry>, Vec<String>, Vec<String>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let lines = Lines::new(src);
    let doc = match DeTable::parse(src) {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map_or(1, |s| lines.of(s.start));
            errors.push(format!("{file}:{line}: {}", e.message().trim()));
            return (entries, errors, warnings);
        }
    };
    let mut tables: Vec<_> = doc.get_ref().iter().collect();
    tables.sort_by_key(|(k, _)| k.span().start);
    for (ctx_name, table) in tables {
        let line = lines.of(ctx_name.span().start);
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
            let line = lines.of(key.span().start);
            let key_text = key.get_ref();
            let chord = match parse_chord(key_text) {
                Ok(c) if c.len() > MAX_CHORD_KEYS => {
                    errors.push(format!(
                        "{file}:{line}: [{}] \"{key_text}\": a chord has at most {MAX_CHORD_KEYS} keys",
                        ctx.name()
                    ));
                    continue;
                }
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
            } else if let Some((a, renamed)) = Action::renamed(name) {
                if let Some(new) = renamed {
                    warnings.push(format!(
                        "{file}:{line}: [{}] \"{key_text}\": warning: action \"{name}\" is now called \"{new}\" (it still works)",
                        ctx.name()
                    ));
                }
                Some(a)
            } else if let Some(a) = Action::from_name(name) {
                Some(a)
            } else {
                errors.push(format!(
                    "{file}:{line}: [{}] \"{key_text}\": unknown action \"{name}\" (`shopdesk keys` lists them)",
                    ctx.name()
                ));
                continue;
            };
            if let Some(why) = action.and_then(|a| check::meaningless(ctx, a, &chord)) {
                errors.push(format!("{file}:{line}: [{}] \"{key_text}\": {why}", ctx.name()));
                continue;
            }
            entries.push(Entry {
                ctx,
                keys: chord,
                action,
                origin: format!("{file}:{line}"),
            });
        }
    }
    (entries, errors, warnings)
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
        let (defaults, mut errors, renamed) = parse_file(DEFAULT_TOML, DEFAULT_NAME);
        errors.extend(renamed);
        let mut km = Keymap {
            contexts: vec![Vec::new(); Context::ALL.len()],
        };
        km.apply(defaults);
        errors.extend(km.validate());
        let Some((path, text)) = user else {
            return (km, errors);
        };
        let (entries, mut user_errors, renamed) = parse_file(text, path);
        let mut warnings: Vec<String> = entries
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
        warnings.extend(renamed);
        let mut merged = km.clone();
        merged.apply(entries);
        if user_errors.is_empty() {
            user_errors = merged.validate();
        }
        if user_errors.is_empty() {
            warnings.extend(check::quit_warning(&merged, path));
            errors.extend(warnings);
            (merged, errors)
        } else {
            let n = user_errors.len();
            if n > MAX_ERRORS {
                user_errors.truncate(MAX_ERRORS);
                user_errors.push(format!("{path}: and {} more errors", n - MAX_ERRORS));
            }
            errors.extend(user_errors);
            errors.push(format!("{path}: not used; the default keys are in force"));
            (km, errors)
        }
    }

    /// Later entries replace earlier ones with the same chord (which move to
    /// the end, in file order); "noop" removes. One hash lookup per entry.
    fn apply(&mut self, entries: Vec<Entry>) {
        let mut lists: Vec<Vec<Option<Binding>>> = self
            .contexts
            .drain(..)
            .map(|l| l.into_iter().map(Some).collect())
            .collect();
        let mut index: Vec<HashMap<Vec<Key>, usize>> = lists
            .iter()
            .map(|l| {
                l.iter()
                    .enumerate()
                    .filter_map(|(i, b)| b.as_ref().map(|b| (b.keys.clone(), i)))
                    .collect()
            })
            .collect();
        for e in entries {
            let (list, index) = (&mut lists[e.ctx as usize], &mut index[e.ctx as usize]);
            if let Some(i) = index.remove(&e.keys) {
                list[i] = None;
            }
            if let Some(action) = e.action {
                index.insert(e.keys.clone(), list.len());
                list.push(Some(Binding {
                    keys: e.keys,
                    action,
                    origin: e.origin,
                }));
            }
        }
        self.contexts = lists
            .into_iter()
            .map(|l| l.into_iter().flatten().collect())
            .collect();
    }

    fn validate(&self) -> Vec<String> {
        check::clashes(self)
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
    // Opened as the caller, not the install's group (shared install).
    match crate::identity::as_caller(|| read_capped(path)) {
        Ok(Some(text)) => Keymap::build(Some((&path.display().to_string(), &text))),
        Ok(None) => Keymap::build(None),
        Err(why) => {
            let (km, mut msgs) = Keymap::build(None);
            msgs.push(format!(
                "{}: {why}; the default keys are in force",
                path.display()
            ));
            (km, msgs)
        }
    }
}

/// The file's text, `None` when there is no file. Reads at most one byte
/// past the cap, so a huge file (or /dev/zero) costs nothing.
fn read_capped(path: &Path) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read: {e}")),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than the {} KiB a keymap may be",
            MAX_FILE_BYTES / 1024
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

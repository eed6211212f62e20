//! The verb table: every workflow verb of every entity, defined once. The
//! TUI's action menu, forms, `:` palette, `?` help and keymap action names,
//! and the CLI's subcommands, flags and `--help`, are all built from these
//! rows; `run` is the one dispatch. Adding a verb: docs/verbs.md.
//!
//! A verb's typed inputs are [`FieldSpec`]s. Their text is checked by
//! [`FieldSpec::parse`], the same function the TUI form calls as you type
//! and the CLI calls on each flag, so the two cannot disagree.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::limits::{self, TextKind};
use crate::domain::money::Money;
use crate::domain::{Permission, Refusal, Role};
use crate::{Error, Result};

use super::Session;

/// The records people act on. `as_str` is the audit log's `entity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Merchant,
    Product,
    Order,
    Ticket,
    /// A merchant's settlement statement (SPEC §4.6).
    Settlement,
}

impl Entity {
    pub const ALL: [Entity; 5] = [
        Entity::Merchant,
        Entity::Product,
        Entity::Order,
        Entity::Ticket,
        Entity::Settlement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Merchant => "merchant",
            Entity::Product => "product",
            Entity::Order => "order",
            Entity::Ticket => "ticket",
            Entity::Settlement => "settlement",
        }
    }

    /// The key's placeholder in `--help` (`ID`, `CODE`).
    pub fn key_name(self) -> &'static str {
        match self {
            Entity::Merchant => "CODE",
            Entity::Product => "PRODUCT",
            Entity::Order => "ID",
            Entity::Ticket => "TICKET",
            Entity::Settlement => "STATEMENT",
        }
    }

    /// How people write the key of one record on the command line.
    pub fn key_help(self) -> &'static str {
        match self {
            Entity::Merchant => "merchant code",
            Entity::Product => "MERCHANT_CODE:SKU or numeric id",
            Entity::Order => "numeric id or CHANNEL:EXTERNAL_ID",
            Entity::Ticket => "ticket number",
            Entity::Settlement => "statement number",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a field's text must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text (control characters refused).
    Text,
    /// Several lines; the TUI offers `$EDITOR` for it.
    LongText,
    /// One word, no spaces (tracking numbers).
    Token,
    /// A whole number greater than 0.
    Int,
    /// A whole number, 0 or more (a shelf count, a warning line).
    Count,
    /// Decimal money ("12.50").
    Money,
    /// Exactly one of these spellings.
    Choice(&'static [&'static str]),
    /// Free text; these are offered first (the TUI lists them, "other…" types one).
    Suggest(&'static [&'static str]),
    /// RFC 3339 or `YYYY-MM-DD HH:MM[:SS]` in the shop's time zone.
    Time,
    /// Another record, by the key people see.
    Ref(Entity),
}

/// One typed input of a verb.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The flag (`--weight-g` for `weight_g`) and the key in [`Values`].
    pub name: &'static str,
    /// The form's label.
    pub label: &'static str,
    /// One line: the flag's help and the form's hint.
    pub help: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Personal data: shown masked to roles that may not see it.
    pub pii: bool,
    /// On the command line, a positional argument after the record's key
    /// (`merchant doc verify CODE KIND`) instead of a `--flag`.
    pub positional: bool,
    /// A yes/no choice that is a flag on the command line: `--restock`
    /// alone means yes, and `--restock yes|no` still works (SPEC §6 writes
    /// the flag form; earlier releases took the value).
    pub flag: bool,
}

impl FieldSpec {
    /// A required field of `kind` (the table's rows start from this).
    pub const fn new(
        name: &'static str,
        label: &'static str,
        help: &'static str,
        kind: FieldKind,
    ) -> FieldSpec {
        FieldSpec {
            name,
            label,
            help,
            kind,
            required: true,
            pii: false,
            positional: false,
            flag: false,
        }
    }

    pub const fn optional(mut self) -> FieldSpec {
        self.required = false;
        self
    }

    pub const fn pii(mut self) -> FieldSpec {
        self.pii = true;
        self
    }

    pub const fn positional(mut self) -> FieldSpec {
        self.positional = true;
        self
    }

    /// See [`FieldSpec::flag`]: for a `Choice(["no", "yes"])` field.
    pub const fn flag(mut self) -> FieldSpec {
        self.flag = true;
        self
    }
}

/// A field's limit in characters (SPEC §5: every field has a documented
/// maximum): the domain's one table, which imports use too.
pub fn max_chars(kind: FieldKind) -> usize {
    limits::max_chars(text_kind(kind))
}

fn text_kind(kind: FieldKind) -> TextKind {
    match kind {
        FieldKind::LongText => TextKind::Paragraph,
        FieldKind::Token => TextKind::Token,
        FieldKind::Int | FieldKind::Count | FieldKind::Money => TextKind::Number,
        _ => TextKind::Line,
    }
}

/// A parsed field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Int(i64),
    Money(i64),
    Time(DateTime<Utc>),
    /// The key as typed; the entity's runner resolves it inside its transaction.
    Ref(String),
}

impl FieldSpec {
    /// Checks and converts the text of this field; `Ok(None)` for an empty
    /// optional field. The error is a phrase for the form or the CLI.
    pub fn parse(&self, raw: &str, timezone: &str) -> std::result::Result<Option<Value>, String> {
        let v = raw.trim();
        if v.is_empty() {
            return if self.required {
                Err(format!("{} is required", self.label))
            } else {
                Ok(None)
            };
        }
        let n = v.chars().count();
        // A phone is a line of text with its own, shorter limit (issue 9:
        // `--phone` took 100,000 digits).
        let max = if self.name == "phone" {
            limits::PHONE_CHARS
        } else {
            max_chars(self.kind)
        };
        if n > max {
            return Err(format!("too long ({n} characters, at most {max})"));
        }
        let multi_line = matches!(self.kind, FieldKind::LongText);
        if v.chars().any(|c| limits::is_forbidden(c, multi_line)) {
            return Err("control characters are not allowed".into());
        }
        Ok(Some(match self.kind {
            FieldKind::Text | FieldKind::LongText | FieldKind::Suggest(_) => Value::Text(v.to_string()),
            FieldKind::Token if v.chars().any(char::is_whitespace) => return Err("no spaces allowed".into()),
            FieldKind::Token => Value::Text(v.to_string()),
            FieldKind::Int => match v.parse::<u32>() {
                Ok(0) => return Err("must be greater than 0".into()),
                Ok(n) => Value::Int(i64::from(n)),
                Err(_) if v.chars().all(|c| c.is_ascii_digit()) => return Err("too large".into()),
                Err(_) => return Err(format!("\"{v}\" is not a whole number (digits only, e.g. 850)")),
            },
            FieldKind::Count => match v.parse::<u32>() {
                Ok(n) => Value::Int(i64::from(n)),
                Err(_) if v.chars().all(|c| c.is_ascii_digit()) => return Err("too large".into()),
                Err(_) => {
                    return Err(format!(
                        "\"{v}\" is not a whole number (digits only, e.g. 0 or 12)"
                    ));
                }
            },
            FieldKind::Money => match Money::parse(v) {
                Ok(m) if m.0 > 0 => Value::Money(m.0),
                Ok(_) => return Err("must be greater than 0".into()),
                Err(e) => return Err(e.to_string()),
            },
            FieldKind::Choice(options) => {
                let key = v.to_ascii_lowercase().replace(['-', ' '], "_");
                match options.iter().find(|o| **o == key) {
                    Some(o) => Value::Text((*o).to_string()),
                    None => return Err(format!("\"{v}\" is not one of: {}", options.join(", "))),
                }
            }
            FieldKind::Time => match super::orders::parse_time(v, timezone) {
                Ok(t) => Value::Time(t),
                Err(e) => return Err(e.to_string()),
            },
            FieldKind::Ref(_) => Value::Ref(v.to_string()),
        }))
    }
}

/// A verb's parsed inputs, by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(Vec<(&'static str, Value)>);

impl Values {
    pub fn set(&mut self, name: &'static str, v: Value) {
        self.0.retain(|(n, _)| *n != name);
        self.0.push((name, v));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::Text(s) | Value::Ref(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Value::Int(n) | Value::Money(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn time(&self, name: &str) -> Option<DateTime<Utc>> {
        match self.get(name) {
            Some(Value::Time(t)) => Some(*t),
            _ => None,
        }
    }

    /// Parses `raw` (field name, text) against `verb`'s fields: every
    /// required field present, every value valid, no unknown name.
    pub fn parse(verb: &VerbSpec, raw: &[(&str, String)], timezone: &str) -> Result<Values> {
        let mut out = Values::default();
        let mut problems = Vec::new();
        for f in verb.fields {
            let text = raw
                .iter()
                .find(|(n, _)| *n == f.name)
                .map_or("", |(_, t)| t.as_str());
            match f.parse(text, timezone) {
                Ok(Some(v)) => out.set(f.name, v),
                Ok(None) => {}
                Err(e) if f.positional => problems.push(format!("{}: {e}", f.label.to_uppercase())),
                Err(e) => problems.push(format!("--{}: {e}", f.name.replace('_', "-"))),
            }
        }
        for (n, _) in raw {
            if verb.field(n).is_none() {
                problems.push(format!("{} {} takes no {n}", verb.entity, verb.cli_path()));
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(Error::input(problems.join("; ")))
        }
    }
}

/// What a verb did, for the face to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub entity: Entity,
    pub id: i64,
    /// "order 1042 (tmall:TM123)".
    pub name: String,
    pub verb: &'static str,
    /// The record's state after, in words ("on hold").
    pub status: &'static str,
    /// The record's version after (pass it to the next call).
    pub version: i64,
    /// One line for people.
    pub message: String,
    /// The verb landed but not as asked (paid, then held for stock): warn.
    pub attention: bool,
}

/// What a verb acts on, as the screen showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub entity: Entity,
    pub id: i64,
    pub version: i64,
    /// "order 7 (DY00000007)".
    pub name: String,
    /// "order 7 (DY00000007) · on hold · 张伟".
    pub note: String,
    /// Initial form values by field name (the address being changed).
    pub prefill: Vec<(&'static str, String)>,
    /// Entity-specific state the availability check reads (the status, and
    /// for orders where a hold returns to).
    pub state: Vec<String>,
}

/// One workflow verb. The row is the only place its name, help, role, inputs
/// and default key are written.
#[derive(Debug)]
pub struct VerbSpec {
    pub entity: Entity,
    /// The audit log's `action`; the CLI subcommand with `_` as `-`; the
    /// keymap action `{entity}_{name}`.
    pub name: &'static str,
    /// The menu entry ("ship…": "…" when a form or choice follows).
    pub label: &'static str,
    /// One line for `--help`, the palette and `?`.
    pub about: &'static str,
    pub permission: Permission,
    pub fields: &'static [FieldSpec],
    /// Asked before a destructive verb runs ("Cancel {name}?").
    pub confirm: Option<&'static str>,
    /// Works on the Space selection (and takes many ids on the CLI).
    pub batch: bool,
    /// Moves the record along its main path (the action menu starts on these).
    pub forward: bool,
    /// The default key in `keymaps/default.toml` (a test checks they agree).
    pub key: Option<&'static str>,
    /// Past tense for batch reports ("approved 9 of 10").
    pub done: &'static str,
    /// Earlier names that still work (CLI subcommand and keymap action).
    pub aliases: &'static [&'static str],
    /// On the command line the verb sits under this group: `doc_verify` in
    /// group `doc` is `shopdesk merchant doc verify`.
    pub group: Option<&'static str>,
}

/// A verb is its entity and name (the table has each once; a test checks).
impl PartialEq for VerbSpec {
    fn eq(&self, other: &Self) -> bool {
        self.entity == other.entity && self.name == other.name
    }
}

impl Eq for VerbSpec {}

impl VerbSpec {
    /// A verb with the defaults every table row starts from (`..VerbSpec::new(..)`).
    pub const fn new(
        entity: Entity,
        name: &'static str,
        label: &'static str,
        about: &'static str,
    ) -> VerbSpec {
        VerbSpec {
            entity,
            name,
            label,
            about,
            permission: Permission::ManageOrders,
            fields: &[],
            confirm: None,
            batch: false,
            forward: false,
            key: None,
            done: name,
            aliases: &[],
            group: None,
        }
    }

    /// The subcommand: `request-changes` for `request_changes`; in a group,
    /// the name without the group's prefix (`verify` for `doc_verify`).
    pub fn cli_name(&self) -> String {
        let name = match self.group {
            Some(g) => self
                .name
                .strip_prefix(g)
                .map_or(self.name, |n| n.trim_start_matches('_')),
            None => self.name,
        };
        name.replace('_', "-")
    }

    /// The whole command line path after the entity: `doc verify`, `ship`.
    pub fn cli_path(&self) -> String {
        match self.group {
            Some(g) => format!("{} {}", g.replace('_', "-"), self.cli_name()),
            None => self.cli_name(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Why `role` may not use this verb at all.
    pub fn role_refusal(&self, role: Role) -> Option<Refusal> {
        role.require(self.permission).err()
    }

    /// Why this verb cannot run on `t` now (role, then state), if so.
    pub fn unavailable(&self, role: Role, t: &Target) -> Option<Refusal> {
        self.role_refusal(role)
            .or_else(|| (ops_of(self.entity).state_refusal)(self, t))
    }
}

/// Runs a verb on record `id`, refusing a change since the version shown.
pub type RunFn =
    fn(&mut Session, &'static VerbSpec, i64, Option<i64>, &Values, DateTime<Utc>) -> Result<Outcome>;

/// See [`EntityOps::candidates`].
pub type CandidatesFn = fn(&Connection, &VerbSpec, &FieldSpec, &Target) -> Result<Vec<(String, String)>>;

/// What each entity's workflows provide to the engine.
pub struct EntityOps {
    /// The id of the record with this key (`CHANNEL:EXTERNAL_ID`, code, ...).
    pub resolve: fn(&Connection, &str) -> Result<i64>,
    /// The record as a verb target, read now.
    pub target: fn(&Connection, i64) -> Result<Option<Target>>,
    /// Whether the state machine allows `verb` from the target's state.
    pub state_refusal: fn(&VerbSpec, &Target) -> Option<Refusal>,
    /// Valid values of a reference field of `verb` on the target, as
    /// (key people type, one line describing it): the form's pick list.
    pub candidates: CandidatesFn,
    /// Runs `verb` on record `id`, refusing a change since `shown`.
    pub run: RunFn,
    pub verbs: &'static [VerbSpec],
}

/// Each entity's workflow: its verbs and how they reach the store.
pub fn ops_of(entity: Entity) -> &'static EntityOps {
    match entity {
        Entity::Order => &super::orders::verbs::OPS,
        Entity::Merchant => &super::merchants::verbs::OPS,
        Entity::Product => &super::products::verbs::OPS,
        Entity::Ticket => &super::tickets::verbs::OPS,
        Entity::Settlement => &super::settlement::OPS,
    }
}

/// Every verb, entity by entity, in table order. A verb's index here is its id.
pub fn all() -> &'static [&'static VerbSpec] {
    static ALL: OnceLock<Vec<&'static VerbSpec>> = OnceLock::new();
    ALL.get_or_init(|| Entity::ALL.iter().flat_map(|e| ops_of(*e).verbs.iter()).collect())
}

/// The verbs of one entity.
pub fn of(entity: Entity) -> impl Iterator<Item = &'static VerbSpec> {
    all().iter().copied().filter(move |v| v.entity == entity)
}

pub fn find(entity: Entity, name: &str) -> Option<&'static VerbSpec> {
    let name = name.replace('-', "_");
    of(entity).find(|v| v.name == name || v.aliases.contains(&name.as_str()))
}

/// The record a verb is about to act on, read now; a change since `shown`
/// (the version the screen showed) is a conflict naming who and when.
pub fn load_target(conn: &Connection, entity: Entity, id: i64, shown: Option<i64>) -> Result<Target> {
    let t = (ops_of(entity).target)(conn, id)?.ok_or_else(|| Error::not_found(entity.as_str(), id))?;
    match shown {
        Some(v) if v != t.version => Err(crate::store::conflict(
            conn,
            entity.as_str(),
            table_of(entity),
            id,
        )),
        _ => Ok(t),
    }
}

fn table_of(e: Entity) -> &'static str {
    match e {
        Entity::Merchant => "merchants",
        Entity::Product => "products",
        Entity::Order => "orders",
        Entity::Ticket => "tickets",
        Entity::Settlement => "settlement_statements",
    }
}

/// Runs `verb` on the record with key `key` (as people write it).
pub fn run_key(s: &mut Session, verb: &'static VerbSpec, key: &str, values: &Values) -> Result<Outcome> {
    let id = (ops_of(verb.entity).resolve)(&s.conn, key)?;
    run(s, verb, id, None, values)
}

/// Runs `verb` on record `id`; `shown` is the version the caller displayed
/// (a change since is a conflict), `None` for "as it is now" (the CLI).
pub fn run(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    values: &Values,
) -> Result<Outcome> {
    let now = s.now()?;
    run_at(s, verb, id, shown, values, now)
}

pub fn run_at(
    s: &mut Session,
    verb: &'static VerbSpec,
    id: i64,
    shown: Option<i64>,
    values: &Values,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    s.require(verb.permission)?;
    (ops_of(verb.entity).run)(s, verb, id, shown, values, now)
}

/// A batch verb on many records, each its own transaction with the version
/// its row showed, so one refusal or conflict does not stop the rest.
pub fn run_many(
    s: &mut Session,
    verb: &'static VerbSpec,
    targets: &[(i64, Option<i64>)],
    values: &Values,
) -> Vec<(i64, Result<Outcome>)> {
    targets
        .iter()
        .map(|&(id, shown)| (id, run(s, verb, id, shown, values)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9 item 13: `order address --phone` took 100,000 digits and a
    /// NUL byte in a name was stored.
    #[test]
    fn fields_use_the_domain_limits_and_refuse_invisible_characters() {
        let verb = find(Entity::Order, "address").unwrap();
        let phone = verb.field("phone").unwrap();
        let err = phone.parse(&"1".repeat(100_000), "UTC").unwrap_err();
        assert!(err.contains("at most 32"), "{err}");
        assert!(phone.parse("+86 138 0000 0000", "UTC").is_ok());
        let name = verb.field("name").unwrap();
        for bad in ["Li\0Lei", "\u{1b}]2;PWNED\u{7}", "Li\u{202e}Lei"] {
            assert!(name.parse(bad, "UTC").is_err(), "{bad:?}");
        }
        assert_eq!(max_chars(FieldKind::Text), limits::LINE_CHARS);
        assert_eq!(max_chars(FieldKind::LongText), limits::PARAGRAPH_CHARS);
    }
}

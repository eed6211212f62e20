//! The workflow verbs on the command line, built from the verb table
//! (`ops::verbs`): one subcommand per verb (`_` written as `-`), one flag per
//! field with its help and allowed values, the record's key as the
//! positional argument (many keys for batch verbs).

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::domain::Refusal;
use crate::ops::Session;
use crate::ops::verbs::{self, Entity, FieldKind, Outcome, Values, VerbSpec};
use crate::{Error, Result};

/// One verb as parsed from argv.
#[derive(Debug, Clone)]
pub struct VerbArgs {
    pub verb: &'static VerbSpec,
    pub keys: Vec<String>,
    /// (field name, text) for every flag given.
    pub raw: Vec<(&'static str, String)>,
}

fn flag_help(f: &verbs::FieldSpec) -> String {
    let what = match f.kind {
        FieldKind::Money => " (decimal, e.g. 12.50)",
        FieldKind::Time => " (RFC 3339 or YYYY-MM-DD HH:MM:SS in the shop's time zone)",
        FieldKind::Int => " (a whole number > 0)",
        FieldKind::Count => " (a whole number, 0 or more)",
        FieldKind::Ref(Entity::Order) => " (numeric id or CHANNEL:EXTERNAL_ID)",
        _ => "",
    };
    let mut help = format!("{}{what}", if f.help.is_empty() { f.label } else { f.help });
    if let FieldKind::Suggest(options) = f.kind
        && !options.is_empty()
    {
        help.push_str(&format!("; e.g. {}", options.join(", ")));
    }
    help
}

/// The subcommand of one verb.
pub fn command(v: &'static VerbSpec) -> Command {
    let key_help = v.entity.key_help();
    let key = if v.batch {
        Arg::new("keys")
            .value_name(v.entity.key_name())
            .required(true)
            .num_args(1..)
            .help(format!("{} ({key_help}); several allowed", v.entity))
    } else {
        Arg::new("keys")
            .value_name(v.entity.key_name())
            .required(true)
            .help(format!("{} ({key_help})", v.entity))
    };
    let mut c = clap::Command::new(v.cli_name())
        .about(v.about.to_string())
        .arg(key)
        .visible_aliases(v.aliases.iter().map(|a| a.replace('_', "-")));
    for f in v.fields.iter().filter(|f| f.positional) {
        let mut a = Arg::new(f.name)
            .value_name(f.label.to_uppercase().replace(' ', "_"))
            .required(f.required)
            .help(flag_help(f));
        if let FieldKind::Choice(options) = f.kind {
            a = a.value_parser(PossibleValuesParser::new(options.iter().copied()));
        }
        c = c.arg(a);
    }
    for f in v.fields.iter().filter(|f| !f.positional) {
        let mut a = Arg::new(f.name)
            .long(f.name.replace('_', "-"))
            .value_name(f.label.to_uppercase().replace(' ', "_"))
            .required(f.required)
            .action(ArgAction::Set)
            .help(flag_help(f));
        if let FieldKind::Choice(options) = f.kind {
            a = a.value_parser(PossibleValuesParser::new(options.iter().copied()));
        }
        if f.flag {
            // `--restock` alone is yes; `--restock no` / `--restock yes` too.
            a = a
                .num_args(0..=1)
                .default_missing_value("yes")
                .value_name("yes|no")
                .help(format!(
                    "{} (a flag: alone means yes; `yes` or `no` may follow)",
                    flag_help(f)
                ));
        }
        c = c.arg(a);
    }
    c
}

/// Adds every verb of `entity` to `cmd`; grouped verbs under their group's
/// subcommand.
pub fn augment(mut cmd: Command, entity: Entity) -> Command {
    let mut groups: Vec<&'static str> = Vec::new();
    for v in verbs::of(entity) {
        match v.group {
            None => cmd = cmd.subcommand(command(v)),
            Some(g) if !groups.contains(&g) => groups.push(g),
            Some(_) => {}
        }
    }
    for g in groups {
        let subs = verbs::of(entity).filter(|v| v.group == Some(g)).map(command);
        let about = format!(
            "{entity} {g}: {}",
            verbs::of(entity)
                .filter(|v| v.group == Some(g))
                .map(|v| v.cli_name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        cmd = cmd.subcommand(
            clap::Command::new(g.replace('_', "-"))
                .about(about)
                .subcommand_required(true)
                .subcommands(subs),
        );
    }
    cmd
}

/// The verb `name` of `entity` with its arguments, if `name` is one (or a
/// group whose subcommand is one).
pub fn from_matches(entity: Entity, name: &str, m: &ArgMatches) -> Option<VerbArgs> {
    let group = verbs::of(entity).find(|v| v.group.is_some_and(|g| g.replace('_', "-") == name));
    let (verb, m) = match group {
        Some(g) => {
            let (sub, sm) = m.subcommand()?;
            (
                verbs::of(entity).find(|v| v.group == g.group && v.cli_name() == sub)?,
                sm,
            )
        }
        None => (verbs::find(entity, name).filter(|v| v.group.is_none())?, m),
    };
    let keys = m
        .get_many::<String>("keys")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let raw = verb
        .fields
        .iter()
        .filter_map(|f| m.get_one::<String>(f.name).map(|v| (f.name, v.clone())))
        .collect();
    Some(VerbArgs { verb, keys, raw })
}

pub fn is_verb(entity: Entity, name: &str) -> bool {
    verbs::of(entity).any(|v| match v.group {
        Some(g) => g.replace('_', "-") == name,
        None => v.cli_name() == name || v.aliases.iter().any(|a| a.replace('_', "-") == name),
    })
}

/// Runs a parsed verb: prints each outcome; a batch fails (with the first
/// failure's exit code) when any record failed.
pub fn run(s: &mut Session, a: VerbArgs) -> Result<()> {
    let values = Values::parse(a.verb, &a.raw, &s.settings.timezone)?;
    let ops = verbs::ops_of(a.verb.entity);
    if a.keys.len() == 1 {
        return report(&verbs::run_key(s, a.verb, &a.keys[0], &values)?);
    }
    let mut targets = Vec::new();
    for k in &a.keys {
        targets.push(((ops.resolve)(&s.conn, k)?, None));
    }
    let mut first_err: Option<Error> = None;
    let mut failed = 0;
    for (_, r) in verbs::run_many(s, a.verb, &targets, &values) {
        match r {
            Ok(o) => report(&o)?,
            Err(e) => {
                failed += 1;
                errln!("shopdesk: {e}");
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        None => Ok(()),
        Some(e) => {
            let msg = format!(
                "{failed} of {} {}s: {} refused",
                a.keys.len(),
                a.verb.entity,
                a.verb.cli_name()
            );
            Err(match e {
                Error::Refused(_) | Error::Conflict(_) => Error::Refused(Refusal::Rule(msg)),
                Error::Input(_) | Error::NotFound { .. } => Error::Input(msg),
                Error::Db(_) => Error::Db(msg),
            })
        }
    }
}

fn report(o: &Outcome) -> Result<()> {
    outln!("{}", o.message);
    if o.attention {
        errln!(
            "warning: {} is {}; see `shopdesk {} show {}`",
            o.name,
            o.status,
            o.entity,
            o.id
        );
    }
    Ok(())
}

/// The clap glue of an entity command whose subcommands are its verb
/// table's verbs plus `$extra`'s own (`show`, `queue`, ...): `$cmd` must
/// have the variants `Verb(VerbArgs)` and `Other($extra)`.
macro_rules! verb_subcommand {
    ($cmd:ident, $extra:ident, $entity:expr) => {
        impl clap::FromArgMatches for $cmd {
            fn from_arg_matches(m: &clap::ArgMatches) -> std::result::Result<Self, clap::Error> {
                if let Some((name, sub)) = m.subcommand()
                    && let Some(v) = verbs::from_matches($entity, name, sub)
                {
                    return Ok($cmd::Verb(v));
                }
                <$extra as clap::FromArgMatches>::from_arg_matches(m).map($cmd::Other)
            }

            fn update_from_arg_matches(
                &mut self,
                m: &clap::ArgMatches,
            ) -> std::result::Result<(), clap::Error> {
                *self = <Self as clap::FromArgMatches>::from_arg_matches(m)?;
                Ok(())
            }
        }

        impl clap::Subcommand for $cmd {
            fn augment_subcommands(cmd: clap::Command) -> clap::Command {
                verbs::augment(
                    <$extra as clap::Subcommand>::augment_subcommands(cmd),
                    $entity,
                )
            }

            fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
                <Self as clap::Subcommand>::augment_subcommands(cmd)
            }

            fn has_subcommand(name: &str) -> bool {
                verbs::is_verb($entity, name) || <$extra as clap::Subcommand>::has_subcommand(name)
            }
        }
    };
}
pub(crate) use verb_subcommand;

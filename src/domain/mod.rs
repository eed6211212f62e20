//! Pure types and rules: no SQL, no terminal. Everyone may use this layer.
//!
//! This file also holds what every state machine here shares: `text_enum!`
//! (so every status type spells itself the same way), `or_list`, and the
//! refusals in the "cannot approve product: it is draft (approve needs
//! pending_review)" form.

use std::fmt;

pub mod calendar;
pub mod limits;
pub mod merchant;
pub mod money;
pub mod order;
pub mod pii;
pub mod product;
pub mod role;
pub mod settlement;
pub mod text;
pub mod ticket;
pub mod ticket_sla;
pub mod ticket_warranty;

pub use role::{Permission, Role};

/// A rule said no: a typed value the faces format (nobody parses the text).
/// `subject` names the record once ops knows it ("order 1042 (tmall:TM1)");
/// until then the message names the kind of thing ("cannot ship order").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The state machine: `verb` is not allowed from `from`; it needs one of `needs`.
    WrongState {
        verb: String,
        thing: String,
        subject: Option<String>,
        from: String,
        needs: Vec<String>,
    },
    /// The role may not do this.
    NotAllowed { role: Role, what: String },
    /// Rules that stand in the way, each a phrase ("a reason is required").
    Blocked {
        verb: String,
        thing: String,
        subject: Option<String>,
        blockers: Vec<String>,
    },
    /// Anything else, already a sentence.
    Rule(String),
}

impl std::error::Error for Refusal {}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head =
            |f: &mut fmt::Formatter<'_>, verb: &str, thing: &str, subject: &Option<String>| match subject {
                Some(s) => write!(f, "{s}: cannot {verb}: "),
                None => write!(f, "cannot {verb} {thing}: "),
            };
        match self {
            Refusal::WrongState {
                verb,
                thing,
                subject,
                from,
                needs,
            } => {
                head(f, verb, thing, subject)?;
                let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
                write!(f, "it is {from} ({verb} needs {})", or_list(&needs))
            }
            Refusal::NotAllowed { role, what } => write!(f, "the {role} role may not {what}"),
            Refusal::Blocked {
                verb,
                thing,
                subject,
                blockers,
            } => {
                head(f, verb, thing, subject)?;
                f.write_str(&blockers.join("; "))
            }
            Refusal::Rule(m) => f.write_str(m),
        }
    }
}

impl Refusal {
    pub fn new(msg: impl Into<String>) -> Self {
        Refusal::Rule(msg.into())
    }

    /// "cannot {action} {thing}: {why}", the form every state machine refuses in.
    pub(crate) fn cannot(action: &str, thing: &str, why: impl fmt::Display) -> Self {
        Refusal::Blocked {
            verb: action.to_string(),
            thing: thing.to_string(),
            subject: None,
            blockers: vec![why.to_string()],
        }
    }

    /// `action` is not allowed on a `thing` in state `from`; names the states
    /// (of `states`, in order) it is allowed from: "cannot approve product:
    /// it is draft (approve needs pending_review)".
    pub(crate) fn wrong_state<S: Copy + fmt::Display>(
        action: &str,
        thing: &str,
        from: S,
        states: &[S],
        allowed_from: impl Fn(S) -> bool,
    ) -> Self {
        Refusal::WrongState {
            verb: action.to_string(),
            thing: thing.to_string(),
            subject: None,
            from: from.to_string(),
            needs: states
                .iter()
                .copied()
                .filter(|s| allowed_from(*s))
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// The same refusal, naming the record: "order 7 (jd:JD1): cannot ship: …".
    pub fn about(mut self, name: impl Into<String>) -> Self {
        if let Refusal::WrongState { subject, .. } | Refusal::Blocked { subject, .. } = &mut self {
            *subject = Some(name.into());
        }
        self
    }

    /// What is missing, without the "cannot …" head: "needs packed",
    /// "a reason is required" (the action menu shows this beside a verb).
    pub fn why(&self) -> String {
        match self {
            Refusal::WrongState { needs, .. } => {
                let needs: Vec<String> = needs.iter().map(|s| s.replace('_', " ")).collect();
                let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
                format!("needs {}", or_list(&needs))
            }
            Refusal::Blocked { blockers, .. } => blockers.join("; "),
            other => other.to_string(),
        }
    }
}

/// "a", "a or b", "a, b or c": for refusals that list what would have worked.
pub(crate) fn or_list(items: &[&str]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Defines a fieldless enum stored as text, with `ALL`, `as_str` (the exact
/// database/CLI spelling), `label` (words for people), `Display` = `as_str`,
/// `FromStr` (also accepting "Pending-Payment" style input; refusing unknown
/// text with the accepted list), and serde as the same text.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$($text),+].len()] = [$(Self::$variant),+];

            /// The stored spelling (matches schema.sql).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// Words for people.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::Refusal;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                Self::ALL.iter().copied().find(|v| v.as_str() == key).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::domain::Refusal::new(format!(
                        "unknown {} {} (expected one of: {})",
                        $what,
                        $crate::domain::limits::quote(s.trim()),
                        names.join(", ")
                    ))
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use text_enum;

/// One step of a state machine whose `transition` depends on nothing but the
/// state: where it leads from `from`, or the [`Refusal::wrong_state`] naming
/// the states of `states` it would be allowed from.
pub(crate) fn step<S: Copy + fmt::Display>(
    action: &str,
    thing: &str,
    from: S,
    states: &[S],
    transition: impl Fn(S) -> Option<S>,
) -> Result<S, Refusal> {
    transition(from)
        .ok_or_else(|| Refusal::wrong_state(action, thing, from, states, |s| transition(s).is_some()))
}

/// Checks every state machine's tests share: each compares `next` with a
/// table of the allowed `(from, action name, to)` rows written out by hand.
#[cfg(test)]
pub(crate) mod machine_tests {
    use std::fmt::{Debug, Display};

    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    use super::Refusal;

    /// Where the table says `name` leads from `from`, if anywhere.
    pub fn allowed<S: Copy + PartialEq>(table: &[(S, &str, S)], from: S, name: &str) -> Option<S> {
        table
            .iter()
            .find(|(f, n, _)| *f == from && *n == name)
            .map(|(_, _, to)| *to)
    }

    /// Every state and every sample action: `next` goes where the table
    /// says, and otherwise refuses naming the state and the action.
    pub fn every_pair_matches<S, A>(
        table: &[(S, &str, S)],
        states: &[S],
        samples: &[A],
        name: impl Fn(&A) -> &'static str,
        next: impl Fn(S, &A) -> Result<S, Refusal>,
    ) where
        S: Copy + PartialEq + Debug + Display,
    {
        for &from in states {
            for action in samples {
                let name = name(action);
                match (next(from, action), allowed(table, from, name)) {
                    (Ok(to), Some(expected)) => assert_eq!(to, expected, "{from} {name}"),
                    (Err(e), None) => {
                        assert!(
                            e.to_string().contains(&from.to_string()) && e.to_string().contains(name),
                            "{e}"
                        )
                    }
                    (got, want) => panic!("{from} {name}: got {got:?}, table says {want:?}"),
                }
            }
        }
    }

    /// Walks `actions` from `start`: every step taken is in the table, a
    /// final state refuses everything, and a step in the table is refused
    /// only for its arguments (`args_ok` false).
    pub fn walk_stays_in_table<S, A>(
        table: &[(S, &str, S)],
        start: S,
        actions: &[A],
        name: impl Fn(&A) -> &'static str,
        next: impl Fn(S, &A) -> Result<S, Refusal>,
        is_final: impl Fn(S) -> bool,
        args_ok: impl Fn(&A) -> bool,
    ) -> Result<(), TestCaseError>
    where
        S: Copy + PartialEq + Debug + Display,
    {
        let mut state = start;
        for action in actions {
            let (name, args_ok) = (name(action), args_ok(action));
            let result = next(state, action);
            if is_final(state) {
                prop_assert!(result.is_err());
            }
            match (result, allowed(table, state, name)) {
                (Ok(to), Some(expected)) => {
                    prop_assert!(args_ok);
                    prop_assert_eq!(to, expected);
                    state = to;
                }
                (Ok(to), None) => prop_assert!(false, "{} --{}--> {} is not in the table", state, name, to),
                (Err(_), Some(_)) => prop_assert!(!args_ok, "{} refused {}", state, name),
                (Err(_), None) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_list_reads_naturally() {
        assert_eq!(or_list(&[]), "nothing");
        assert_eq!(or_list(&["a"]), "a");
        assert_eq!(or_list(&["a", "b"]), "a or b");
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn refusals_read_the_same_everywhere() {
        assert_eq!(
            Refusal::cannot("reject", "ticket", "a reason is required").to_string(),
            "cannot reject ticket: a reason is required"
        );
        let e = Refusal::wrong_state("ship", "order", "paid", &["picking", "packed"], |s| s == "packed");
        assert_eq!(e.to_string(), "cannot ship order: it is paid (ship needs packed)");
        let e = Refusal::wrong_state("undo", "order", "paid", &["paid"], |_| false);
        assert_eq!(
            e.to_string(),
            "cannot undo order: it is paid (undo needs nothing)"
        );
    }
}

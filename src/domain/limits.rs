//! The one table of text limits (SPEC §5: every field has a documented
//! maximum; docs/FILES.md lists them): imports, CLI verbs and TUI forms all
//! check fields here, and every message that shows a bad value quotes it
//! through [`quote`], so no message (nor the log) carries a long or raw value.

/// What shape of text a field holds; each has its maximum in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: names, cities, addresses, titles, categories.
    Line,
    /// Several lines: descriptions, notes, resolutions.
    Paragraph,
    /// One word, no spaces: codes, SKUs, channels, order ids, tracking numbers.
    Token,
    /// A phone number as people write it (`+86 138 0000 0000`).
    Phone,
    /// A number as typed: money, quantities, rates.
    Number,
}

pub const LINE_CHARS: usize = 200;
pub const PARAGRAPH_CHARS: usize = 4000;
pub const TOKEN_CHARS: usize = 64;
pub const PHONE_CHARS: usize = 32;
pub const NUMBER_CHARS: usize = 30;

/// How much of a bad value a message shows.
pub const QUOTE_CHARS: usize = 100;

/// The limit of `kind`, in characters.
pub const fn max_chars(kind: TextKind) -> usize {
    match kind {
        TextKind::Line => LINE_CHARS,
        TextKind::Paragraph => PARAGRAPH_CHARS,
        TextKind::Token => TOKEN_CHARS,
        TextKind::Phone => PHONE_CHARS,
        TextKind::Number => NUMBER_CHARS,
    }
}

/// Characters no field may hold: control characters (NUL, ESC, DEL, C1),
/// except tab and line breaks in multi-line text; and the invisible ones
/// that reorder or hide text (bidi overrides and isolates, a stray BOM).
pub fn is_forbidden(c: char, multi_line: bool) -> bool {
    if c.is_control() {
        return !(multi_line && matches!(c, '\n' | '\r' | '\t'));
    }
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Checks `v` (already trimmed) against `kind`: the phrase that follows
/// `column: ` when it does not fit.
pub fn check(v: &str, kind: TextKind) -> Result<(), String> {
    let max = max_chars(kind);
    // Byte length first: a huge value is refused without counting it.
    if v.len() > max {
        let n = v.chars().count();
        if n > max {
            return Err(format!("too long ({n} characters, at most {max})"));
        }
    }
    let multi_line = kind == TextKind::Paragraph;
    if let Some(c) = v.chars().find(|&c| is_forbidden(c, multi_line)) {
        return Err(format!(
            "{} holds the character {}, which is not allowed{}",
            quote(v),
            c.escape_unicode(),
            if multi_line || !matches!(c, '\n' | '\r') {
                ""
            } else {
                " (a line break in a one-line field)"
            }
        ));
    }
    if kind == TextKind::Token && v.chars().any(char::is_whitespace) {
        return Err(format!("{} holds a space; it must be one word", quote(v)));
    }
    Ok(())
}

/// `v` for a message: in double quotes with control and invisible
/// characters escaped (`\u{1b}`), cut to [`QUOTE_CHARS`] characters with
/// the full length after it.
pub fn quote(v: &str) -> String {
    let mut out = String::from("\"");
    for (shown, c) in v.chars().enumerate() {
        if shown == QUOTE_CHARS {
            out.push_str(&format!("\"… ({} characters)", v.chars().count()));
            return out;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_forbidden(c, false) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_and_bounds() {
        assert_eq!(quote("12.505"), "\"12.505\"");
        assert_eq!(quote("a\u{1b}]2;x\u{7}"), "\"a\\u{1b}]2;x\\u{7}\"");
        let long = quote(&"9".repeat(100_000));
        assert!(long.len() < 130, "{long}");
        assert!(long.ends_with("(100000 characters)"), "{long}");
    }

    #[test]
    fn check_refuses_controls_invisibles_and_length() {
        assert!(check("Acme", TextKind::Line).is_ok());
        assert!(check("蓝牙耳机旗舰店", TextKind::Line).is_ok());
        for bad in [
            "Ac\0me",
            "a\u{1b}b",
            "a\tb",
            "a\nb",
            "a\u{7f}",
            "a\u{85}",
            "x\u{202e}y",
            "\u{feff}M1",
        ] {
            assert!(check(bad, TextKind::Line).is_err(), "{bad:?}");
        }
        assert!(check("line one\nline two\tend", TextKind::Paragraph).is_ok());
        assert!(check("a\0b", TextKind::Paragraph).is_err());
        assert!(
            check(&"1".repeat(33), TextKind::Phone)
                .unwrap_err()
                .contains("33 characters, at most 32")
        );
        // Characters, not bytes: 200 Chinese characters fit a line.
        assert!(check(&"茶".repeat(200), TextKind::Line).is_ok());
        assert!(check("TM 1", TextKind::Token).is_err());
    }
}

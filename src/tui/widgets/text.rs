//! Display-width helpers: every width sum goes through `unicode-width`, text
//! is cut on character boundaries (never bytes) and marked with `…`.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    // Control characters are replaced before drawing; count them as one.
    UnicodeWidthChar::width(c).unwrap_or(1)
}

pub use crate::domain::text::one_line;

/// At most `max` columns; a cut string ends with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Exactly `cols` columns: truncated, then padded on the right (or left when
/// `right` aligns). A wide character that does not fit leaves a space.
pub fn fit(s: &str, cols: usize, right: bool) -> String {
    let t = truncate(s, cols);
    let pad = cols.saturating_sub(width(&t));
    if right {
        format!("{}{t}", " ".repeat(pad))
    } else {
        format!("{t}{}", " ".repeat(pad))
    }
}

pub use crate::domain::money::thousands;

/// Wraps text to `cols` columns by display width (for detail views): at
/// spaces between words ("warehouse" is never cut into "warehou" / "se"),
/// anywhere between wide (CJK) characters, and inside a word only when the
/// word alone is wider than a line. Spaces at a break are dropped.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let para = one_line(para);
        let mut line = String::new();
        let mut w = 0;
        // Spaces waiting to be written before the next word on this line.
        let mut gap = String::new();
        // At the start of the paragraph (indentation is kept) rather than
        // after a break (where spaces go).
        let mut fresh = true;
        for token in tokens(&para) {
            if token.starts_with(' ') {
                gap.push_str(token);
                continue;
            }
            let tw = width(token);
            if (w > 0 || fresh) && w + width(&gap) + tw > cols {
                if w > 0 {
                    lines.push(std::mem::take(&mut line));
                }
                w = 0;
                fresh = false;
            }
            if w > 0 || fresh {
                line.push_str(&gap);
                w += width(&gap);
            }
            fresh = false;
            gap.clear();
            if tw <= cols - w.min(cols) {
                line.push_str(token);
                w += tw;
                continue;
            }
            // A word wider than a line: cut it by characters.
            for c in token.chars() {
                let cw = char_width(c);
                if w + cw > cols && w > 0 {
                    lines.push(std::mem::take(&mut line));
                    w = 0;
                }
                line.push(c);
                w += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Words, runs of spaces, and each wide character on its own (text in
/// Chinese may break between any two characters).
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut kind = 0u8; // 0 none, 1 word, 2 spaces
    for (i, c) in s.char_indices() {
        let k = if c == ' ' {
            2
        } else if char_width(c) > 1 {
            3
        } else {
            1
        };
        if k == 3 {
            if kind != 0 && start < i {
                out.push(&s[start..i]);
            }
            out.push(&s[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
            kind = 0;
            continue;
        }
        if k != kind && kind != 0 && start < i {
            out.push(&s[start..i]);
            start = i;
        } else if kind == 0 {
            start = i;
        }
        kind = k;
    }
    if kind != 0 && start < s.len() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_truncates_on_char_boundaries_by_width() {
        assert_eq!(truncate("蓝牙耳机降噪版", 7), "蓝牙耳…");
        assert_eq!(width(&truncate("蓝牙耳机降噪版", 6)), 5);
        assert_eq!(fit("蓝牙耳机", 9, false), "蓝牙耳机 ");
        assert_eq!(fit("蓝牙耳机", 6, false), "蓝牙… ");
        assert_eq!(fit("¥12.50", 8, true), "  ¥12.50");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("😀😀😀", 4), "😀…");
    }

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(41), "41");
    }

    #[test]
    fn wrap_by_width() {
        assert_eq!(wrap("蓝牙耳机", 4), vec!["蓝牙", "耳机"]);
        assert_eq!(wrap("ab\ncd", 10), vec!["ab", "cd"]);
    }

    #[test]
    fn wrap_at_word_boundaries() {
        assert_eq!(
            wrap("returned to the warehouse today", 20),
            vec!["returned to the", "warehouse today"]
        );
        // Spaces at the break go; spaces inside a line stay.
        assert_eq!(wrap("a  b", 10), vec!["a  b"]);
        assert_eq!(wrap("aaaa bbbb", 4), vec!["aaaa", "bbbb"]);
        // A word longer than the line is cut.
        assert_eq!(wrap("abcdefghij xy", 4), vec!["abcd", "efgh", "ij", "xy"]);
        // CJK breaks between characters, mixed with words.
        assert_eq!(wrap("发往 Shanghai 仓库", 12), vec!["发往", "Shanghai 仓", "库"]);
        assert_eq!(wrap("", 5), vec![""]);
        // A paragraph's indentation stays.
        assert_eq!(wrap("    indented text", 12), vec!["    indented", "text"]);
        for (text, cols) in [("蓝牙耳机 Pro 黑色 降噪版 wireless", 7), ("x", 1), ("ab cd", 1)] {
            for l in wrap(text, cols) {
                assert!(width(&l) <= cols, "{l:?} in {cols}");
            }
        }
    }
}

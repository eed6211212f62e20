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

/// Replaces control characters (newlines, tabs, escapes) so one value stays
/// on one line and cannot move the cursor.
pub fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

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

/// "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Wraps text to `cols` columns by display width (for detail views).
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for c in para.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let cw = char_width(c);
            if w + cw > cols {
                lines.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
        lines.push(line);
    }
    lines
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
}

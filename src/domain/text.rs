//! Text as people read it on any face (TUI, CLI, reports).

/// Replaces control characters (newlines, tabs, escapes) so one value stays
/// on one line and cannot move the cursor.
pub fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

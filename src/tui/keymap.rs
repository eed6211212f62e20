//! Keymaps (being written).
pub struct Keymap;
impl Keymap {
    pub fn describe(&self) -> String {
        String::new()
    }
}
pub fn load_effective() -> (Keymap, Vec<String>) {
    (Keymap, Vec::new())
}

//! Personal data: who sees it, and how it looks masked (SPEC §5). One policy
//! for every face: the order detail (`order show` and the TUI), the TUI's
//! list screens and exports all ask a [`PiiMask`] built from the reader's role.
//!
//! Masked for roles without `SeePii` (support, viewer): phone numbers
//! ("138****5678"), street addresses (the first part, enough for city and
//! district: "北京市朝阳区****"; the separate city field stays readable),
//! e-mail addresses ("a****@example.com"), and the before/after JSON of
//! audit rows (it holds addresses). Owner and operator see everything.

use super::order::{mask_address, mask_phone};
use super::{Permission, Role};

/// A kind of personal value the policy knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiField {
    Phone,
    Address,
    Email,
    /// An audit row's before/after JSON.
    AuditJson,
}

impl PiiField {
    pub const ALL: [PiiField; 4] = [
        PiiField::Phone,
        PiiField::Address,
        PiiField::Email,
        PiiField::AuditJson,
    ];
}

/// The masking one reader gets. Faces build it once from the role and pass
/// every personal value through it; none decides on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiMask {
    masked: bool,
}

impl PiiMask {
    /// Shows everything (for owner-only paths and tests).
    pub const NONE: PiiMask = PiiMask { masked: false };

    pub fn for_role(role: Role) -> Self {
        PiiMask {
            masked: !role.may(Permission::SeePii),
        }
    }

    /// For a file that leaves the shop (export, SPEC §5): unmasked for the
    /// owner only, even an operator who sees the values on screen.
    pub fn for_export(role: Role) -> Self {
        PiiMask {
            masked: role != Role::Owner,
        }
    }

    /// Whether anything is masked (faces say "masked for your role").
    pub fn is_on(self) -> bool {
        self.masked
    }

    /// Whether `field` is hidden from this reader.
    pub fn hides(self, field: PiiField) -> bool {
        // Every personal field follows the one permission today; the field
        // is named so a finer rule has one place to go.
        let _ = field;
        self.masked
    }

    /// `value` as this reader may see it.
    pub fn show(self, field: PiiField, value: &str) -> String {
        if !self.hides(field) {
            return value.to_string();
        }
        match field {
            PiiField::Phone => mask_phone(value),
            PiiField::Address => mask_address(value),
            PiiField::Email => mask_email(value),
            PiiField::AuditJson => String::new(),
        }
    }

    pub fn phone(self, value: &str) -> String {
        self.show(PiiField::Phone, value)
    }

    pub fn address(self, value: &str) -> String {
        self.show(PiiField::Address, value)
    }

    pub fn email(self, value: &str) -> String {
        self.show(PiiField::Email, value)
    }

    /// An audit row's before/after JSON, or nothing when it is hidden.
    pub fn audit_json(self, json: Option<String>) -> Option<String> {
        json.filter(|_| !self.hides(PiiField::AuditJson))
    }
}

/// "ana@example.com" → "a****@example.com": the first character of the
/// user part and the domain. A value without "@" is masked like a phone.
pub fn mask_email(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}****@{domain}")
        }
        None => mask_phone(email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_and_viewer_are_masked_owner_and_operator_are_not() {
        for role in Role::ALL {
            let m = PiiMask::for_role(role);
            let masked = matches!(role, Role::Support | Role::Viewer);
            assert_eq!(m.is_on(), masked, "{role:?}");
            for f in PiiField::ALL {
                assert_eq!(m.hides(f), masked, "{role:?} {f:?}");
            }
            let (phone, address, email) = if masked {
                ("138****5678", "北京市朝阳区****", "a****@example.com")
            } else {
                ("13812345678", "北京市朝阳区建国路88号", "ana@example.com")
            };
            assert_eq!(m.phone("13812345678"), phone);
            assert_eq!(m.address("北京市朝阳区建国路88号"), address);
            assert_eq!(m.email("ana@example.com"), email);
            assert_eq!(m.audit_json(Some("{}".into())).is_none(), masked);
        }
    }

    #[test]
    fn odd_values_mask_without_revealing() {
        let m = PiiMask::for_role(Role::Viewer);
        assert_eq!(m.email("@example.com"), "****@example.com");
        assert_eq!(m.email("1234"), "****");
        assert_eq!(m.email(""), "");
        assert_eq!(m.phone(""), "");
        assert_eq!(PiiMask::NONE.phone("1234"), "1234");
    }
}

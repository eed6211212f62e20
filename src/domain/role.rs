//! Roles and what each may do (SPEC §5). Checked in the workflow layer.

use std::fmt;
use std::str::FromStr;

use super::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Owner,
    Operator,
    Support,
    Viewer,
}

/// Something a person may want to do; `Role::may` says who can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageStaff,
    ManageSettings,
    ManageMerchants,
    ManageProducts,
    /// Every order transition.
    ManageOrders,
    /// Hold an order and change its address (support may do these).
    HoldOrChangeAddress,
    ManageTickets,
    ImportData,
    /// See phone numbers and addresses unmasked without revealing on purpose.
    SeePii,
    /// Reveal one masked value on purpose (audited).
    RevealPii,
    /// Approve a refund above the requester's limit (owner only).
    ApproveRefunds,
    /// Confirm and pay merchant statements (owner only, SPEC §4.6).
    SettleMerchants,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Operator, Role::Support, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Operator => "operator",
            Role::Support => "support",
            Role::Viewer => "viewer",
        }
    }

    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Operator => !matches!(p, ManageStaff | ManageSettings | ApproveRefunds | SettleMerchants),
            Role::Support => matches!(p, HoldOrChangeAddress | ManageTickets | RevealPii),
            Role::Viewer => false,
        }
    }

    /// `Ok` when this role may do `p`, else a refusal naming both.
    pub fn require(self, p: Permission) -> Result<(), Refusal> {
        if self.may(p) {
            Ok(())
        } else {
            Err(Refusal::NotAllowed {
                role: self,
                what: p.describe().to_string(),
            })
        }
    }
}

impl Permission {
    pub fn describe(self) -> &'static str {
        use Permission::*;
        match self {
            ManageStaff => "manage staff",
            ManageSettings => "change settings",
            ManageMerchants => "change merchants",
            ManageProducts => "change products",
            ManageOrders => "change orders",
            HoldOrChangeAddress => "hold orders or change their address",
            ManageTickets => "change tickets",
            ImportData => "import data",
            SeePii => "see customer phone numbers and addresses",
            RevealPii => "reveal customer phone numbers and addresses",
            ApproveRefunds => "approve refunds above a role's limit",
            SettleMerchants => "confirm or pay merchant statements",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Refusal> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Refusal::new(format!("unknown role {s:?} (owner, operator, support, viewer)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_may_everything_viewer_nothing() {
        for p in [
            Permission::ManageStaff,
            Permission::ManageOrders,
            Permission::SeePii,
        ] {
            assert!(Role::Owner.may(p));
            assert!(!Role::Viewer.may(p));
        }
    }

    #[test]
    fn operator_cannot_manage_staff_support_only_tickets_and_holds() {
        assert!(!Role::Operator.may(Permission::ManageStaff));
        assert!(Role::Operator.may(Permission::ManageOrders));
        assert!(Role::Support.may(Permission::ManageTickets));
        assert!(Role::Support.may(Permission::HoldOrChangeAddress));
        assert!(!Role::Support.may(Permission::ManageOrders));
        assert!(!Role::Support.may(Permission::SeePii));
        let msg = Role::Support
            .require(Permission::ManageOrders)
            .unwrap_err()
            .to_string();
        assert_eq!(msg, "the support role may not change orders");
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("admin".parse::<Role>().is_err());
    }
}

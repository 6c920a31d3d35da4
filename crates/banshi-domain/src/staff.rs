//! Staff roles and what each may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A staff member's role. Each page and API call names the roles it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Centres, windows, staff accounts, the catalogue.
    Admin,
    /// 中心负责人/值班领导: watches the hall, its notices, deadlines and staff.
    Manager,
    /// 窗口工作人员: receives applicants and issues notices.
    WindowStaff,
    /// 后台审批: reviews cases routed from the windows.
    Approver,
    /// 监督: reads the audit trail and the figures.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Manager, Role::WindowStaff, Role::Approver, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::WindowStaff => "window_staff",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role \"{s}\": one of admin, manager, window_staff, approver, auditor"))
    }
}

//! Staff roles and what each may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A staff member's role. Each page and API call names the roles it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: the installation's admin — the centres, the shared base catalogue, the calendar's
    /// years — and an admin of their own centre besides.
    SystemAdmin,
    /// 中心管理员: the centre's staff accounts, its hall, its list of items, its calendar days.
    Admin,
    /// 中心负责人/值班领导: watches the hall, its notices, deadlines and staff.
    Manager,
    /// 窗口工作人员: receives applicants and issues notices.
    WindowStaff,
    /// 后台审批: reviews cases routed from the windows.
    Approver,
    /// 监督: reads the audit trail and the figures.
    Auditor,
    /// 区级负责人: reads the figures of the centres of their district, changes nothing.
    DistrictManager,
    /// 区级监督: reads the figures of the centres of their district, changes nothing.
    DistrictAuditor,
    /// 市级负责人: reads the figures of the centres of their city, changes nothing.
    CityManager,
    /// 市级监督: reads the figures of the centres of their city, changes nothing.
    CityAuditor,
}

/// The centres a district or city role reads: those sharing its own centre's district or city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    District,
    City,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::SystemAdmin,
        Role::Admin,
        Role::Manager,
        Role::WindowStaff,
        Role::Approver,
        Role::Auditor,
        Role::DistrictManager,
        Role::DistrictAuditor,
        Role::CityManager,
        Role::CityAuditor,
    ];

    /// The roles that work in a centre (the others read a region's figures).
    pub const CENTRE: [Role; 6] = [Role::SystemAdmin, Role::Admin, Role::Manager, Role::WindowStaff, Role::Approver, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::WindowStaff => "window_staff",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::DistrictManager => "district_manager",
            Role::DistrictAuditor => "district_auditor",
            Role::CityManager => "city_manager",
            Role::CityAuditor => "city_auditor",
        }
    }

    /// The region a district or city role reads.
    pub fn region(self) -> Option<Region> {
        match self {
            Role::DistrictManager | Role::DistrictAuditor => Some(Region::District),
            Role::CityManager | Role::CityAuditor => Some(Region::City),
            _ => None,
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
            .ok_or_else(|| format!("unknown role \"{s}\": one of {}", Role::ALL.map(Role::as_str).join(", ")))
    }
}

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

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Why a password is too weak to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordWeakness {
    TooShort,
    /// On the shipped list of common passwords, or one character or a short run repeated, or a
    /// straight run of the keyboard or the alphabet.
    Common,
    /// Holds the account's own username.
    HoldsUsername,
}

/// Checks a new password: at least [`MIN_PASSWORD_CHARS`] characters, not a common one, not the
/// username.
pub fn password_weakness(password: &str, username: &str) -> Option<PasswordWeakness> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(PasswordWeakness::TooShort);
    }
    let lower = password.to_lowercase();
    let username = username.trim().to_lowercase();
    if username.chars().count() >= 3 && lower.contains(&username) {
        return Some(PasswordWeakness::HoldsUsername);
    }
    let listed = COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|common| common == lower);
    if listed || is_repetition(&lower) || is_straight_run(&lower) {
        return Some(PasswordWeakness::Common);
    }
    None
}

/// A chunk of up to four characters repeated (`aaaaaaaaaaaa`, `abcabcabcabc`).
fn is_repetition(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    (1..=4).any(|n| chars.len().is_multiple_of(n) && chars.chunks(n).all(|chunk| chunk == &chars[..n]))
}

/// Each character the next of the last on a keyboard row, the digits or the alphabet, either way.
fn is_straight_run(password: &str) -> bool {
    const RUNS: [&str; 5] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz"];
    let chars: Vec<char> = password.chars().collect();
    let next_in_a_run = |a: char, b: char| {
        RUNS.iter().any(|run| {
            let run: Vec<char> = run.chars().collect();
            run.windows(2).any(|w| (w[0] == a && w[1] == b) || (w[1] == a && w[0] == b))
        })
    };
    chars.windows(2).all(|w| next_in_a_run(w[0], w[1]))
}

#[cfg(test)]
mod password_tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_and_long_unusual_ones_pass() {
        assert_eq!(password_weakness("12345678", "limin"), Some(PasswordWeakness::TooShort));
        assert_eq!(password_weakness("12345678901", "limin"), Some(PasswordWeakness::TooShort));
        assert_eq!(password_weakness("123456789012", "limin"), Some(PasswordWeakness::Common));
        assert_eq!(password_weakness("Password1234", "limin"), Some(PasswordWeakness::Common));
        assert_eq!(password_weakness("aaaaaaaaaaaa", "limin"), Some(PasswordWeakness::Common));
        assert_eq!(password_weakness("abcabcabcabc", "limin"), Some(PasswordWeakness::Common));
        assert_eq!(password_weakness("qwertyuiopoi", "limin"), Some(PasswordWeakness::Common));
        assert_eq!(password_weakness("limin-at-the-window", "limin"), Some(PasswordWeakness::HoldsUsername));
        assert_eq!(password_weakness("窗口三号的新密码很长", "limin"), Some(PasswordWeakness::TooShort), "ten characters");
        assert_eq!(password_weakness("窗口三号的新密码足够长了", "limin"), None);
        assert_eq!(password_weakness("first-admin-password", "zhangli"), None);
        assert_eq!(password_weakness("correct horse battery", "limin"), None);
    }
}

//! Who may do what: each set of roles named once, for the handlers (`visitor.require(…)`) and the
//! navigation alike.

use banshi_domain::Role::{self, Admin, Approver, Auditor, Manager, WindowStaff};

/// Everyone on the staff: anyone may be asked first (首问负责) and record what they are asked.
pub const STAFF: &[Role] = &Role::ALL;
/// The installation's administrators: accounts, catalogue, calendar.
pub const ADMINS: &[Role] = &[Admin];
/// Who works the windows: the window staff, and the duty leader stepping in.
pub const WINDOW_ROLES: &[Role] = &[WindowStaff, Manager];
/// Who issues one-time notices and opens cases: whoever works a window.
pub const NOTICE_ISSUERS: &[Role] = WINDOW_ROLES;
/// Who works cases and their follow-ups: the windows, the duty leader, the back office.
pub const CASE_ROLES: &[Role] = &[WindowStaff, Manager, Approver];
/// The back-office inbox: the approvers, and the manager who sees every review.
pub const REVIEWERS: &[Role] = &[Approver, Manager];
/// Who reads the centre's figures: notice counts, trips, the forecast, the hall now, rating exports.
pub const FIGURE_READERS: &[Role] = &[Admin, Manager, Auditor];
/// Who reads the audit log.
pub const AUDIT_READERS: &[Role] = &[Admin, Auditor];
/// Who plans the hall (what-if) and loads the eligibility rules.
pub const PLANNERS: &[Role] = &[Manager, Admin];
/// Who sets the hall up: its hours, queues and windows (the centre's admin and its manager).
pub const HALL_KEEPERS: &[Role] = &[Admin, Manager];
/// Who sees the bad-rating ledger: the manager's desk, admins and auditors; an officer sees the
/// items about them (to appeal).
pub const LEDGER_ROLES: &[Role] = &[Manager, Admin, Auditor, WindowStaff];
/// The duty leader: works the ledger and decides appeals, closes a window its officer left, takes
/// a complaint over from its owner.
pub const MANAGERS: &[Role] = &[Manager];

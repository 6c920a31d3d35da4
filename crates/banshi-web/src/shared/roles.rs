//! Who may do what: each set of roles named once, for the handlers (`visitor.require(…)`) and the
//! navigation alike.

use banshi_domain::Role::{self, Admin, Approver, Auditor, CityAuditor, CityManager, DistrictAuditor, DistrictManager, Manager, SystemAdmin, WindowStaff};

/// Everyone working in a centre: anyone may be asked first (首问负责) and record what they are
/// asked. (District and city roles read figures and change nothing.)
pub const STAFF: &[Role] = &Role::CENTRE;
/// Who records and answers what the public asks and complains of: everyone in a centre but its
/// auditor, who reads everything and writes nothing.
pub const FRONT_LINE: &[Role] = &[SystemAdmin, Admin, Manager, WindowStaff, Approver];
/// Every account, the district and city roles included: its own password, its session.
pub const ACCOUNTS: &[Role] = &Role::ALL;
/// The installation's admin: the centres, the shared base catalogue, the calendar's years.
pub const INSTALLATION_ADMINS: &[Role] = &[SystemAdmin];
/// A centre's admins: its staff accounts, its list of items, its own calendar days.
pub const ADMINS: &[Role] = &[SystemAdmin, Admin];
/// Who works the windows: the window staff, and the duty leader stepping in.
pub const WINDOW_ROLES: &[Role] = &[WindowStaff, Manager];
/// Who issues one-time notices and opens cases: whoever works a window.
pub const NOTICE_ISSUERS: &[Role] = WINDOW_ROLES;
/// Who works cases and their follow-ups: the windows, the duty leader, the back office.
pub const CASE_ROLES: &[Role] = &[WindowStaff, Manager, Approver];
/// The back-office inbox: the approvers, and the manager who sees every review.
pub const REVIEWERS: &[Role] = &[Approver, Manager];
/// Who reads a centre's figures: notice counts, trips, the forecast, the hall now, rating exports;
/// the district and city roles read those of their region's centres.
pub const FIGURE_READERS: &[Role] = &[SystemAdmin, Admin, Manager, Auditor, DistrictManager, DistrictAuditor, CityManager, CityAuditor];
/// Who reads the audit log: the centre's own (the installation's admin, the whole log).
pub const AUDIT_READERS: &[Role] = &[SystemAdmin, Admin, Auditor];
/// Who plans the hall (what-if) and loads the eligibility rules.
pub const PLANNERS: &[Role] = &[Manager, SystemAdmin, Admin];
/// Who sets the hall up: its hours, queues and windows (the centre's admins and its manager).
pub const HALL_KEEPERS: &[Role] = &[SystemAdmin, Admin, Manager];
/// Who sees the bad-rating ledger: the manager's desk, admins and auditors; an officer sees the
/// items about them (to appeal).
pub const LEDGER_ROLES: &[Role] = &[Manager, SystemAdmin, Admin, Auditor, WindowStaff];
/// The duty leader: works the ledger and decides appeals, closes a window its officer left, takes
/// a complaint over from its owner.
pub const MANAGERS: &[Role] = &[Manager];
/// Who may send a whole file (a catalogue, a hall, a calendar year, eligibility rules), which
/// needs a larger body than any form.
pub const IMPORTERS: &[Role] = &[SystemAdmin, Admin, Manager];
/// Who must sign in with a second factor unless the hall settings say otherwise: whoever can
/// change who may do what, read the whole audit trail, or the figures of many centres.
pub const SECOND_FACTOR_REQUIRED: &[Role] = &[SystemAdmin, Admin, Manager, Auditor, DistrictManager, DistrictAuditor, CityManager, CityAuditor];
/// Who reads a district's or a city's centres.
pub const REGIONAL: &[Role] = &[DistrictManager, DistrictAuditor, CityManager, CityAuditor];

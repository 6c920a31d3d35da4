//! The demo hall: one centre with 12 windows (its hall file, `catalog/demo-hall.toml`), the demo
//! catalogue, and staff accounts for every role, each enrolled in a second factor, with fresh
//! random passwords and TOTP secrets printed to the console at each start.

use anyhow::{bail, Context};
use banshi_domain::{parse_catalog, Role};
use banshi_storage::{connect, Actor, Centre, NewStaff, Store};
use std::path::Path;
use std::sync::Arc;

const DEMO_CATALOG: &str = include_str!("../../../catalog/demo.json");
const DEMO_DATABASE: &str = "data/demo.db";

pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub password: String,
    /// The TOTP secret in base32, as an authenticator app takes it.
    pub totp: String,
}

/// data/demo.db, deleted and created anew; or the named database, which must be empty.
pub async fn fresh_database(url: Option<&str>) -> anyhow::Result<Arc<dyn Store>> {
    match url {
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let file = format!("{DEMO_DATABASE}{suffix}");
                if Path::new(&file).exists() {
                    std::fs::remove_file(&file).with_context(|| format!("cannot remove the old demo database {file}"))?;
                }
            }
            Ok(connect(DEMO_DATABASE).await?)
        }
        Some(url) => {
            let store = connect(url).await?;
            if store.default_centre().await?.is_some() {
                bail!("the demo fills an empty database, and this one already has a centre");
            }
            Ok(store)
        }
    }
}

/// The demo's hall: open around the clock, its queues and windows (docs/hall.md).
const DEMO_HALL: &str = include_str!("../../../catalog/demo-hall.toml");

const STAFF: [(&str, &str, &str, Role); 6] = [
    ("admin", "系统管理员", "A0001", Role::SystemAdmin),
    ("wangjg", "王建国", "M0001", Role::Manager),
    ("chenjing", "陈静", "310125", Role::WindowStaff),
    ("limin", "李敏", "S0012", Role::WindowStaff),
    ("zhaoqiang", "赵强", "P0003", Role::Approver),
    ("sunli", "孙丽", "J0002", Role::Auditor),
];

const DEMO_APPROVAL_DEPARTMENT: &str = "综合审批科";

pub async fn seed(store: &dyn Store, sealer: &banshi_web::sealing::Sealer) -> anyhow::Result<Vec<DemoAccount>> {
    let actor = Actor::system("demo");
    let centre = Centre {
        code: "SF01".into(),
        name: "示范市示范区政务服务中心".into(),
        address: "示范市示范区民生路88号一楼大厅".into(),
        hours: "演示大厅每天全天开放".into(),
        consult_phone: "0000-12345678".into(),
        supervision_phone: "12345".into(),
        district: "示范区".into(),
        city: "示范市".into(),
    };
    store.save_centre(&actor, &centre).await?;
    let catalog = parse_catalog(DEMO_CATALOG).map_err(|problems| {
        let lines: Vec<String> = banshi_web::fault_problems(&problems).iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the demo catalogue is invalid:\n{}", lines.join("\n"))
    })?;
    store.replace_catalog(&actor, &catalog).await?;
    // Through the same code path as an admin's `banshi hall import`, so the demo cannot drift from
    // what a hall can do.
    let today = chrono::Local::now().date_naive();
    banshi_web::import_hall(store, &actor, &centre.code, DEMO_HALL, today).await.map_err(|err| anyhow::anyhow!("the demo hall is invalid:\n{}", err.lines().join("\n")))?;

    seed_arrivals(store, &centre.code).await?;
    seed_residents(store, &centre.code).await?;

    let mut accounts = Vec::new();
    for (username, name, badge, role) in STAFF {
        let password = banshi_web::random_password();
        let staff = NewStaff {
            // The approver reviews for the centre's approval section: cases can be routed to it.
            department: if role == Role::Approver { DEMO_APPROVAL_DEPARTMENT.into() } else { String::new() },
            username: username.into(),
            name: name.into(),
            badge_number: badge.into(),
            role,
            centre_code: centre.code.clone(),
            password_hash: banshi_web::hash_password(&password),
        };
        let created = store.create_staff(&actor, &staff).await?;
        let secret = banshi_web::new_second_factor_secret();
        banshi_web::enrol_second_factor(store, sealer, &actor, created.id, &secret, 0, None).await?;
        accounts.push(DemoAccount { username, name, role, password, totp: banshi_web::second_factor_base32(&secret) });
    }
    Ok(accounts)
}

/// Two residents the articles tell of, so the follow-up list shows what the eligibility rules find:
/// the unemployed man of 53 in a special work type, and the unemployed resident, seriously ill, with
/// a month of unemployment benefit left. Made-up names; no phone numbers.
async fn seed_residents(store: &dyn Store, centre: &str) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    let birth = |months: u32| (today - chrono::Months::new(months)).to_string();
    let residents = [
        ("周建华", serde_json::json!({ "birth": birth(53 * 12 + 2), "sex": "male", "work_type": "special", "employment": "unemployed" })),
        ("吴秀英", serde_json::json!({ "birth": birth(48 * 12), "sex": "female", "employment": "unemployed", "insured_months": 4, "benefit_months_left": 1, "serious_illness": true })),
    ];
    for (name, facts) in residents {
        let facts = facts.as_object().cloned().unwrap_or_default();
        let resident = banshi_storage::NewResident { centre_code: centre.to_string(), name: name.to_string(), phone_cipher: None, facts };
        store.save_resident(&Actor::system("demo"), None, &resident).await?;
    }
    Ok(())
}

/// Eight weeks of past arrivals on the working days, so the forecast page has a history to learn
/// from: busier mornings and Mondays, each queue its share, some day-to-day noise. Only the
/// arrivals: these tickets were never called, as the forecast reads nothing else of them.
async fn seed_arrivals(store: &dyn Store, centre: &str) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, Local, TimeZone, Weekday};
    let calendar = banshi_domain::calendar::WorkingCalendar::china();
    let today = Local::now().date_naive();
    let shares = [("A", 0.30), ("B", 0.25), ("C", 0.25), ("D", 0.08), ("E", 0.12)];
    // A fixed pseudo-random sequence: every demo has the same history.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f64 / 1000.0
    };
    let mut tickets = Vec::new();
    for back in 1..=56 {
        let day = today - Duration::days(back);
        if !calendar.day(day).working {
            continue;
        }
        let monday = if day.weekday() == Weekday::Mon { 1.3 } else { 1.0 };
        for slot in 18..34u32 {
            // 9:00–17:00 in half hours: a morning peak and a smaller one after lunch.
            let shape = match slot { 19..=22 => 1.5, 27..=30 => 1.2, _ => 0.8 };
            for (queue, share) in shares {
                let expected = 12.0 * shape * monday * share * (0.8 + 0.4 * noise());
                for i in 0..expected.round() as u32 {
                    let minute = (slot % 2) * 30 + (i * 7) % 30;
                    let Some(local) = Local.from_local_datetime(&day.and_hms_opt(slot / 2, minute, 0).expect("a valid time")).single() else { continue };
                    tickets.push(banshi_storage::NewTicket {
                        centre_code: centre.to_string(),
                        queue: queue.to_string(),
                        priority: None,
                        items: vec![],
                        phone_cipher: None,
                        arrived_at: local.with_timezone(&chrono::Utc),
                        token: format!("demo-history-{}", tickets.len()),
                        issuer: Actor::system("kiosk"),
                        booking: None,
                        daily_quota: None,
                        phone_limit: None,
                    });
                }
            }
        }
    }
    // Taken many at a time, so the store commits them in batches.
    for chunk in tickets.chunks(200) {
        let taken = futures_util::future::join_all(chunk.iter().map(|ticket| store.take_ticket(ticket))).await;
        for result in taken {
            result?;
        }
    }
    Ok(())
}

/// Ten characters from an alphabet without look-alikes (no 0/O, 1/l/I), easy to type from a screen.
pub fn print_accounts(address: &str, accounts: &[DemoAccount]) {
    println!("banshi demo: http://{address}/");
    println!("demo staff accounts (new passwords and TOTP secrets at each start; put a secret into an authenticator app):");
    for account in accounts {
        println!("  account {:<10} password {} totp {}  {} ({})", account.username, account.password, account.totp, account.name, account.role);
    }
}

/// The demo's hall settings: the defaults, with this machine as the hall's kiosk (whoever tries
/// the demo takes ticket after ticket from one browser).
pub fn settings() -> banshi_web::HallSettings {
    let kiosks_from = vec![std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()];
    banshi_web::HallSettings { limits: banshi_web::Limits { kiosks_from, ..Default::default() }, ..Default::default() }
}

//! The command line: catalogue validate, import and export, migrate, and the working-day calendar.

use std::process::{Command, Output};

const FIXTURE: &str = include_str!("../../banshi-domain/tests/fixture.json");
const DEMO: &str = "../../catalog/demo.json";

fn banshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_banshi")).args(args).env_remove("BANSHI_DATABASE_URL").output().expect("banshi runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_accepts_the_demo_catalogue() {
    let out = banshi(&["catalog", "validate", DEMO]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("valid"));
}

#[test]
fn validate_names_every_problem_and_fails() {
    let folder = tempfile::tempdir().unwrap();
    let mut bad: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    bad["items"][0]["materials"][2]["when"] = serde_json::json!({ "born_in": ["yes"] });
    bad["items"][0]["promised_limit"]["working_days"] = serde_json::json!(99);
    let file = folder.path().join("bad.json");
    std::fs::write(&file, bad.to_string()).unwrap();
    let out = banshi(&["catalog", "validate", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("items[0].materials[2].when: 没有问题“born_in”"), "{stderr}");
    assert!(stderr.contains("items[0].promised_limit.working_days: 承诺时限99个工作日超过了法定时限20个工作日"), "{stderr}");
    assert!(stderr.contains("2 problem(s); nothing imported"), "{stderr}");
    let missing = banshi(&["catalog", "validate", "no-such-file.json"]);
    assert!(!missing.status.success() && text(&missing.stderr).contains("cannot read no-such-file.json"));
}

#[test]
fn import_then_export_round_trips_and_a_bad_import_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("data").join("banshi.db");
    let database = database.to_str().unwrap();
    let migrated = banshi(&["migrate", "--database", database]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    assert!(text(&migrated.stdout).contains("sqlite database is up to date"));

    let imported = banshi(&["catalog", "import", DEMO, "--database", database]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let first = banshi(&["catalog", "export", "--database", database]);
    assert!(first.status.success());
    let exported_file = folder.path().join("exported.json");
    std::fs::write(&exported_file, &first.stdout).unwrap();
    let again = banshi(&["catalog", "import", exported_file.to_str().unwrap(), "--database", database]);
    assert!(again.status.success());
    let second = banshi(&["catalog", "export", "--database", database]);
    assert_eq!(text(&first.stdout), text(&second.stdout), "export, import, export again: identical");

    let bad_file = folder.path().join("bad.json");
    std::fs::write(&bad_file, r#"{"schema_version": 1, "items": []}"#).unwrap();
    let refused = banshi(&["catalog", "import", bad_file.to_str().unwrap(), "--database", database]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("items: 目录中至少要有一个事项"));
    let after = banshi(&["catalog", "export", "--database", database]);
    assert_eq!(text(&after.stdout), text(&first.stdout), "a refused import changes nothing");
}

#[test]
fn a_new_hall_is_set_up_from_the_command_line() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("hall.db");
    let database = database.to_str().unwrap();
    let no_centre = Command::new(env!("CARGO_BIN_EXE_banshi"))
        .args(["staff", "add", "boss", "--name", "张三", "--badge", "A1", "--role", "admin", "--database", database])
        .output()
        .unwrap();
    assert!(!no_centre.status.success() && text(&no_centre.stderr).contains("no centre in this database"));

    let centre = banshi(&["centre", "set", "HZ02", "--name", "某某街道便民服务中心", "--address", "某路1号", "--hours", "工作日", "--consult-phone", "0571-1234567", "--database", database]);
    assert!(centre.status.success(), "{}", text(&centre.stderr));
    let bad_code = banshi(&["centre", "set", "H Z", "--name", "x", "--address", "x", "--hours", "x", "--consult-phone", "1", "--database", database]);
    assert!(!bad_code.status.success() && text(&bad_code.stderr).contains("must be 1 to 16 letters or digits"));

    let mut add = Command::new(env!("CARGO_BIN_EXE_banshi"))
        .args(["staff", "add", "boss", "--name", "张三", "--badge", "A1", "--role", "admin", "--database", database])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"a-long-password\n").unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success());
    assert!(text(&added.stdout).contains("added boss (张三, admin)"));
}

#[test]
fn serve_refuses_hall_settings_it_cannot_read() {
    let folder = tempfile::tempdir().unwrap();
    let settings = folder.path().join("hall.json");
    std::fs::write(&settings, r#"{ "policy": { "max_wait": 30 } }"#).unwrap();
    let database = folder.path().join("hall.db");
    let out = banshi(&["serve", "--bind", "127.0.0.1:0", "--database", database.to_str().unwrap(), "--hall-settings", settings.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("not valid hall settings") && stderr.contains("unknown field `max_wait`"), "{stderr}");
}

#[test]
fn calendar_add_and_check_print_the_date_first() {
    let first_line = |args: &[&str]| {
        let out = banshi(args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).lines().next().unwrap_or_default().to_string()
    };
    assert_eq!(first_line(&["calendar", "add", "2026-02-13", "2"]), "2026-02-24");
    assert_eq!(first_line(&["calendar", "add", "2026-12-30", "3"]), "2027-01-04 provisional");
    assert_eq!(first_line(&["calendar", "check", "2026-02-14"]), "working make-up working day (春节)");
    assert_eq!(first_line(&["calendar", "check", "2026-10-01"]), "off 国庆节");
    assert_eq!(first_line(&["calendar", "check", "2026-10-11"]), "off weekend");
    let bad = banshi(&["calendar", "add", "2026-02-30", "1"]);
    assert!(!bad.status.success() && text(&bad.stderr).contains("2026-02-30"), "{}", text(&bad.stderr));
}

#[test]
fn a_year_loaded_into_the_database_counts_and_is_no_longer_provisional() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("hall.db");
    let database = database.to_str().unwrap();
    let schedule = folder.path().join("2027.json");
    std::fs::write(&schedule, r#"{ "year": 2027, "days": [{ "name": "元旦", "date": "2027-01-01", "isOffDay": true }] }"#).unwrap();
    let loaded = banshi(&["calendar", "load", schedule.to_str().unwrap(), "--database", database]);
    assert!(loaded.status.success(), "{}", text(&loaded.stderr));
    assert!(text(&loaded.stdout).starts_with("2027: 1 days loaded"));
    let first_line = |args: &[&str]| text(&banshi(args).stdout).lines().next().unwrap_or_default().to_string();
    assert_eq!(first_line(&["calendar", "add", "2026-12-30", "3", "--database", database]), "2027-01-05");
    assert_eq!(first_line(&["calendar", "check", "2027-01-01", "--database", database]), "off 元旦");
    assert_eq!(first_line(&["calendar", "add", "2026-12-30", "3"]), "2027-01-04 provisional", "without the database: built in only");
    std::fs::write(&schedule, r#"{ "year": 2027, "days": [{ "name": "", "date": "2027-01-01", "isOffDay": true }] }"#).unwrap();
    let refused = banshi(&["calendar", "load", schedule.to_str().unwrap(), "--database", database]);
    assert!(!refused.status.success() && text(&refused.stderr).contains("days: 2027-01-01：节假日须写明名称"), "{}", text(&refused.stderr));
}

#[test]
fn simulate_prints_the_waits_and_the_json_keys_the_issue_names() {
    let hall = concat!(env!("CARGO_MANIFEST_DIR"), "/../../benches/peers/hall.toml");
    let out = banshi(&["simulate", hall, "--days", "3", "--seed", "9", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["days"], 3);
    assert!(report["visitors"].as_u64().unwrap() > 1000);
    assert!(report["wait"]["mean"].is_number() && report["wait"]["p90"].is_number());
    assert_eq!(report["wait"]["mean_ci95"].as_array().map(Vec::len), Some(2));
    assert!(report["queues"]["A"]["wait"]["mean"].is_number());
    assert_eq!(report["windows"][0]["id"], 1);
    assert!(report["windows"][0]["utilisation"].as_f64().unwrap() > 0.0);
    let again = banshi(&["simulate", hall, "--days", "3", "--seed", "9", "--json"]);
    assert_eq!(out.stdout, again.stdout, "one seed, one result");
    let table = text(&banshi(&["simulate", hall, "--days", "2"]).stdout);
    assert!(table.contains("mean 95% CI") && table.contains("window 12"), "{table}");
}

#[test]
fn a_bad_scenario_is_refused_with_its_lines_and_fields() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("bad.toml");
    std::fs::write(
        &file,
        "days = 5\nopen = \"08:00\"\nclose = \"09:00\"\nvisitors_per_day = 50\nhourly_weights = [1, 2]\n[[queue]]\nid = \"A\"\nshare = 1.0\nservice = { dist = \"exponential\", mean = 4 }\n[[window]]\nid = 1\nserves = [\"B\"]\n",
    )
    .unwrap();
    let out = banshi(&["simulate", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 5: hourly_weights: one weight per opening hour: 1 from 08:00 to 09:00, not 2"), "{stderr}");
    assert!(stderr.contains("line 12: window[0].serves: no queue \"B\""), "{stderr}");
}

#[test]
fn a_hall_file_imports_whole_or_not_at_all_and_exports_back() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("banshi.db");
    let database = database.to_str().unwrap();
    let centre = banshi(&["centre", "set", "SF01", "--name", "示范中心", "--address", "民生路88号", "--hours", "工作日", "--consult-phone", "0000-1234567", "--database", database]);
    assert!(centre.status.success(), "{}", text(&centre.stderr));
    assert!(banshi(&["catalog", "import", DEMO, "--database", database]).status.success());

    let broken = folder.path().join("broken.toml");
    std::fs::write(&broken, "[hours]\nworking_days = \"9点-12点\"\n\n[[queue]]\nprefix = \"A\"\nname = \"户籍\"\nitems = [\"NOPE\"]\n").unwrap();
    let refused = banshi(&["hall", "import", broken.to_str().unwrap(), "--database", database]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("hours.working_days: 第2行：“9点-12点”不是营业时间"), "{stderr}");
    assert!(stderr.contains("queue[0].items[0]: 第7行：事项目录中没有事项“NOPE”"), "{stderr}");
    assert!(stderr.contains("nothing imported"), "{stderr}");

    let demo_hall = "../../catalog/demo-hall.toml";
    let imported = banshi(&["hall", "import", demo_hall, "--centre", "SF01", "--database", database]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(text(&imported.stdout).contains("5 queues, 12 windows"));
    let exported = banshi(&["hall", "export", "--database", database]);
    let exported_file = folder.path().join("exported.toml");
    std::fs::write(&exported_file, &exported.stdout).unwrap();
    assert!(banshi(&["hall", "import", exported_file.to_str().unwrap(), "--database", database]).status.success());
    assert_eq!(text(&banshi(&["hall", "export", "--database", database]).stdout), text(&exported.stdout), "export, import, export: identical");
    let elsewhere = banshi(&["hall", "import", demo_hall, "--centre", "NOPE", "--database", database]);
    assert!(!elsewhere.status.success() && text(&elsewhere.stderr).contains("no centre NOPE"));
}

/// `banshi audit verify`: a whole log passes; one whose triggers were dropped and an entry deleted
/// behind banshi's back fails (exit status 1), naming the entry where the chain breaks.
#[tokio::test]
async fn audit_verify_finds_an_entry_deleted_behind_banshis_back() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("banshi.db");
    let database = database.to_str().unwrap();
    for code in ["SF01", "SF02", "SF01", "SF01"] {
        let set = banshi(&["centre", "set", code, "--name", "示范中心", "--address", "民生路88号", "--hours", "工作日", "--consult-phone", "1", "--supervision-phone", "2", "--database", database]);
        assert!(set.status.success(), "{}", text(&set.stderr));
    }
    let whole = banshi(&["audit", "verify", "--database", database]);
    assert!(whole.status.success(), "{}", text(&whole.stderr));
    assert!(text(&whole.stdout).contains("the audit log is whole"), "{}", text(&whole.stdout));

    use sqlx::Connection;
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{database}")).await.unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_delete").execute(&mut raw).await.unwrap();
    let (first,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM audit_log WHERE centre_code = 'SF01'").fetch_one(&mut raw).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(first).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    let broken = banshi(&["audit", "verify", "--database", database]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(text(&broken.stderr).contains("the audit log is broken at entry") && text(&broken.stderr).contains("deleted or changed"), "{}", text(&broken.stderr));
}

/// `--crypto national` at set-up: kept in the database, its audit chain hashed with SM3 and whole;
/// asking for the standard algorithms later refuses.
#[test]
fn an_installation_chooses_the_national_algorithms_once() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("banshi.db");
    let database = database.to_str().unwrap();
    let centre = |crypto: &str| banshi(&["centre", "set", "SF01", "--name", "示范中心", "--address", "民生路88号", "--hours", "工作日", "--consult-phone", "1", "--database", database, "--crypto", crypto]);
    let set = centre("national");
    assert!(set.status.success(), "{}", text(&set.stderr));
    let verified = banshi(&["audit", "verify", "--database", database]);
    assert!(verified.status.success() && text(&verified.stdout).contains("last hash sm3:"), "{}", text(&verified.stdout));
    let refused = centre("standard");
    assert!(!refused.status.success() && text(&refused.stderr).contains("SM4-GCM, SM3"), "{}", text(&refused.stderr));
    assert!(centre("national").status.success());
}

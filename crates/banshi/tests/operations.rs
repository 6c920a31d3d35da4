//! Running a hall's server: ready and alive, backed up while it writes and restored with every
//! acknowledged ticket, the data key checked against the database (a lost or wrong key refused,
//! never replaced), and rotated with everything sealed anew.

mod serve_process;

use serve_process::{banshi, text, Server};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEMO_CATALOG: &str = "../../catalog/demo.json";
const DEMO_HALL: &str = "../../catalog/demo-hall.toml";

/// A new hall from the command line: a centre, the demo catalogue and the demo's hall file.
fn new_hall(database: &str) {
    let steps: [&[&str]; 3] = [
        &["centre", "set", "SF01", "--name", "示范中心", "--address", "民生路88号", "--hours", "工作日", "--consult-phone", "0000-1234567", "--database", database],
        &["catalog", "import", DEMO_CATALOG, "--database", database],
        &["hall", "import", DEMO_HALL, "--database", database],
    ];
    for step in steps {
        let out = banshi(step, &[]);
        assert!(out.status.success(), "{step:?}: {}", text(&out.stderr));
    }
}

/// A new hall in a folder of its own, and its database's path.
fn fresh_hall() -> (tempfile::TempDir, String) {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("banshi.db").to_str().unwrap().to_string();
    new_hall(&database);
    (folder, database)
}

fn key_file(folder: &Path) -> PathBuf {
    folder.join("banshi.key")
}

#[tokio::test]
async fn a_lost_or_wrong_data_key_is_refused_and_never_replaced() {
    let (folder, database) = fresh_hall();
    let database = database.as_str();
    let server = Server::start(database, &[]).await.unwrap();
    assert!(key_file(folder.path()).exists(), "a new database gets its key file");
    let client = reqwest::Client::new();
    assert_eq!(client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let taken = client.post(server.url("/api/v1/tickets")).json(&serde_json::json!({ "queue": "A", "phone": "13812345678" })).send().await.unwrap();
    assert_eq!(taken.status(), 201, "a phone is sealed with the key");
    server.stop();

    let key = std::fs::read_to_string(key_file(folder.path())).unwrap();
    std::fs::rename(key_file(folder.path()), folder.path().join("kept.key")).unwrap();
    let lost = Server::start(database, &[]).await.err().expect("refused without its key");
    assert!(lost.contains("is missing") && lost.contains("a new key would leave every sealed value unreadable"), "{lost}");
    assert!(!key_file(folder.path()).exists(), "no new key was made");
    let wrong = Server::start(database, &[("BANSHI_DATA_KEY", &"11".repeat(32))]).await.err().expect("refused with another key");
    assert!(wrong.contains("is not this database's"), "{wrong}");

    std::fs::rename(folder.path().join("kept.key"), key_file(folder.path())).unwrap();
    let back = Server::start(database, &[("BANSHI_DATA_KEY", key.trim())]).await.unwrap();
    back.stop();
    let restarted = Server::start(database, &[]).await.unwrap();
    restarted.stop();
}

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_restores_every_acknowledged_ticket() {
    let (folder, database) = fresh_hall();
    let database = database.as_str();
    // The four kiosks are the hall's own, which take tickets for everyone who comes.
    let settings = folder.path().join("hall-settings.json");
    std::fs::write(&settings, r#"{ "limits": { "kiosks_from": ["127.0.0.1"] } }"#).unwrap();
    let server = Server::start(database, &[("BANSHI_HALL_SETTINGS", settings.to_str().unwrap())]).await.unwrap();
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let kiosks: Vec<_> = (0..4)
        .map(|kiosk| {
            let (client, url, acknowledged, running) = (client.clone(), server.url("/api/v1/tickets"), acknowledged.clone(), running.clone());
            tokio::spawn(async move {
                let queue = ["A", "B", "C", "D"][kiosk];
                while running.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok(response) = client.post(&url).json(&serde_json::json!({ "queue": queue })).send().await else { break };
                    if response.status() == 201 {
                        let body: serde_json::Value = response.json().await.unwrap();
                        acknowledged.lock().unwrap().push((Instant::now(), body["ticket"]["token"].as_str().unwrap().to_string()));
                    }
                }
            })
        })
        .collect();
    let writing = Instant::now();
    while acknowledged.lock().unwrap().len() < 100 {
        assert!(writing.elapsed() < Duration::from_secs(60), "the kiosks took too few tickets");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let backup = folder.path().join("backup.db");
    let started = Instant::now();
    let out = banshi(&["backup", backup.to_str().unwrap(), "--database", database], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    for kiosk in kiosks {
        kiosk.await.unwrap();
    }
    let refused = banshi(&["restore", backup.to_str().unwrap(), "--database", database], &[]);
    assert!(!refused.status.success() && text(&refused.stderr).contains("a banshi server is using this database"), "{}", text(&refused.stderr));
    server.stop();

    let restored = banshi(&["restore", backup.to_str().unwrap(), "--database", database], &[]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let server = Server::start(database, &[]).await.unwrap();
    let before: Vec<String> = acknowledged.lock().unwrap().iter().filter(|(at, _)| *at < started).map(|(_, token)| token.clone()).collect();
    assert!(before.len() >= 100);
    for token in &before {
        let status = client.get(server.url(&format!("/api/v1/tickets/{token}"))).send().await.unwrap().status();
        assert_eq!(status, 200, "a ticket acknowledged before the backup is in it");
    }
    server.stop();
    let again = banshi(&["backup", backup.to_str().unwrap(), "--database", database], &[]);
    assert!(!again.status.success() && text(&again.stderr).contains("exists already"), "a backup never overwrites one");
}

#[tokio::test]
async fn a_rotated_key_seals_everything_anew_and_the_server_starts_with_it() {
    let (folder, database) = fresh_hall();
    let database = database.as_str();
    let server = Server::start(database, &[]).await.unwrap();
    let client = reqwest::Client::new();
    let taken: serde_json::Value = client.post(server.url("/api/v1/tickets")).json(&serde_json::json!({ "queue": "A", "phone": "13812345678" })).send().await.unwrap().json().await.unwrap();
    let refused = banshi(&["key", "rotate", "--database", database], &[]);
    assert!(!refused.status.success(), "not under a running server");
    server.stop();
    let old_key = std::fs::read_to_string(key_file(folder.path())).unwrap();
    let rotated = banshi(&["key", "rotate", "--database", database], &[]);
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(text(&rotated.stdout).contains("1 sealed values sealed anew"), "{}", text(&rotated.stdout));
    let new_key = std::fs::read_to_string(key_file(folder.path())).unwrap();
    assert_ne!(old_key, new_key);
    assert_eq!(std::fs::read_to_string(folder.path().join("banshi.key.old")).unwrap(), old_key);
    let old_refused = Server::start(database, &[("BANSHI_DATA_KEY", old_key.trim())]).await.err().expect("the old key no longer fits");
    assert!(old_refused.contains("is not this database's"), "{old_refused}");
    let server = Server::start(database, &[]).await.unwrap();
    let status = client.get(server.url(&format!("/api/v1/tickets/{}", taken["ticket"]["token"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(status.status(), 200);
    server.stop();
    let store = banshi_storage::connect(database).await.unwrap();
    let sealed = store.ticket_phone(taken["ticket"]["id"].as_i64().unwrap()).await.unwrap().unwrap();
    let new = banshi_web::sealing::Sealer::from_hex(&new_key).unwrap();
    assert_eq!(new.open(&sealed).unwrap(), "13812345678", "the phone opens with the new key");
}

#[tokio::test]
async fn behind_https_every_cookie_is_secure_and_on_plain_http_it_cannot_be() {
    let (_folder, database) = fresh_hall();
    let database = database.as_str();
    let cookie_of = |response: &reqwest::Response| response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>().join("\n");
    let server = Server::start(database, &[("BANSHI_PUBLIC_URL", "https://hall.example.cn")]).await.unwrap();
    let login = reqwest::Client::new().get(server.url("/login")).send().await.unwrap();
    let cookies = cookie_of(&login);
    assert!(cookies.contains("banshi_csrf=") && cookies.contains("Secure"), "{cookies}");
    server.stop();
    // Reached over plain http (a hall trying it out), a Secure cookie would never come back.
    let server = Server::start(database, &[]).await.unwrap();
    let login = reqwest::Client::new().get(server.url("/login")).send().await.unwrap();
    assert!(!cookie_of(&login).contains("Secure"));
    server.stop();
}

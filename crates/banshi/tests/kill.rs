//! No acknowledged ticket is lost when the server is killed with SIGKILL under load: every ticket
//! the kiosk was told about is there, with its number, after a restart on the same database.

mod demo_process;

use demo_process::DemoProcess;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::test]
async fn acknowledged_tickets_survive_sigkill() {
    let folder = tempfile::tempdir().unwrap();
    let mut demo = DemoProcess::start(folder.path());
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let load: Vec<_> = (0..8)
        .map(|kiosk| {
            let (client, url, acknowledged) = (client.clone(), demo.url("/api/v1/tickets"), acknowledged.clone());
            tokio::spawn(async move {
                let queue = ["A", "B", "C", "D"][kiosk % 4];
                // Until the server dies: every answer that says "created" is a promise kept.
                while let Ok(response) = client.post(&url).json(&serde_json::json!({ "queue": queue })).send().await {
                    if response.status() == 201 {
                        if let Ok(body) = response.json::<serde_json::Value>().await {
                            let ticket = &body["ticket"];
                            acknowledged.lock().unwrap().push((ticket["token"].as_str().unwrap().to_string(), ticket["number"].as_str().unwrap().to_string()));
                        }
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 200 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    demo.kill();
    for task in load {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 100, "only {} tickets under load", acknowledged.len());

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_banshi"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database"])
        .arg(folder.path().join("demo.db"))
        .env("BANSHI_DATA_KEY", "00".repeat(32))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while client.get(format!("{base}/api/v1/queues")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the server did not restart");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (token, number) in &acknowledged {
        let status: serde_json::Value = client.get(format!("{base}/api/v1/tickets/{token}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(status["ticket"]["number"].as_str(), Some(number.as_str()), "acknowledged ticket {number} lost");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

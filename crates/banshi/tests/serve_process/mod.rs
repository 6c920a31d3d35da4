//! Shared by several test binaries, each of which uses part of it.
#![allow(dead_code)]

//! The `banshi` binary as its user runs it: its commands, and `banshi serve` on a port of its own,
//! waited for until it is ready.

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn banshi(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_banshi"));
    command.args(args).env_remove("BANSHI_DATABASE_URL").env_remove("BANSHI_DATA_KEY");
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().expect("banshi runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A command fed `input` on its standard input (`banshi staff add` reads the password there).
pub fn banshi_with_input(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_banshi"))
        .args(args)
        .env_remove("BANSHI_DATABASE_URL")
        .env_remove("BANSHI_DATA_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("banshi runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `banshi serve`, waiting until it is ready; the error output when it refuses to start.
    pub async fn start(database: &str, envs: &[(&str, &str)]) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_banshi"));
        command.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", database]).env_remove("BANSHI_DATA_KEY").stdout(Stdio::null()).stderr(Stdio::piped());
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(response) = client.get(format!("{base}/readyz")).send().await {
                assert_eq!(response.status(), 200);
                return Ok(Server { child, base });
            }
            if let Some(_exit) = child.try_wait().unwrap() {
                let mut stderr = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
                return Err(stderr);
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}


/// A new installation from the command line as its README says: one centre (XQ01) and its
/// first admin (the installation's), nothing else.
pub fn first_admin(database: &str, username: &str, password: &str) {
    let centre = ["centre", "set", "XQ01", "--name", "新区政务服务中心", "--address", "新区大道1号", "--hours", "工作日 9:00-17:00", "--consult-phone", "0000-7654321", "--database", database];
    let out = banshi(&centre, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let admin = ["staff", "add", username, "--name", "张丽", "--badge", "A001", "--role", "system_admin", "--centre", "XQ01", "--database", database];
    let out = banshi_with_input(&admin, &format!("{password}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

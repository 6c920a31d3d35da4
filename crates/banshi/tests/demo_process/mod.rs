//! Shared by several test binaries, each of which uses part of it.
#![allow(dead_code)]

//! Runs `banshi demo` on port 0 with its own database, and reads the address and the demo
//! accounts from what it prints.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct DemoProcess {
    child: Child,
    pub base: String,
    pub passwords: HashMap<String, String>,
    /// Each account's TOTP secret, in base32.
    pub totp_secrets: HashMap<String, String>,
}

impl DemoProcess {
    pub fn start(folder: &Path) -> Self {
        let database = folder.join("demo.db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_banshi"))
            .args(["demo", "--bind", "127.0.0.1:0", "--database"])
            .arg(&database)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("banshi demo starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut base = String::new();
        let mut passwords = HashMap::new();
        let mut totp_secrets = HashMap::new();
        while passwords.len() < 6 {
            let line = lines.next().expect("the demo prints its accounts").unwrap();
            if let Some(url) = line.strip_prefix("banshi demo: ") {
                base = url.trim_end_matches('/').to_string();
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["account", username, "password", password, "totp", secret, ..] = words[..] {
                passwords.insert(username.to_string(), password.to_string());
                totp_secrets.insert(username.to_string(), secret.to_string());
            }
        }
        DemoProcess { child, base, passwords, totp_secrets }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn password(&self, username: &str) -> &str {
        self.passwords.get(username).unwrap_or_else(|| panic!("no demo account {username}"))
    }

    pub fn totp_secret(&self, username: &str) -> &str {
        self.totp_secrets.get(username).unwrap_or_else(|| panic!("no demo account {username}"))
    }
}

impl DemoProcess {
    /// SIGKILL: no shutdown, no flushing; what was committed must be on disk already.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

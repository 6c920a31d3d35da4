//! `banshi serve --tls-cert --tls-key`: HTTPS from the binary itself, for a hall without a reverse
//! proxy, with every cookie `Secure`; plain HTTP on that port gets no page, and a certificate that
//! does not go with its key is refused at start.

mod serve_process;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

/// One HTTP/1.1 request over TLS, trusting only `cert`; the whole answer.
async fn https_get(port: u16, cert: &rcgen::CertifiedKey, path: &str) -> std::io::Result<String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().unwrap().with_root_certificates(roots).with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let mut tls = connector.connect(rustls::pki_types::ServerName::try_from("localhost").unwrap(), tcp).await?;
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.ok();
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn the_binary_serves_https_itself_with_secure_cookies() {
    let folder = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_file, key_file) = (folder.path().join("hall.crt"), folder.path().join("hall.key"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.key_pair.serialize_pem()).unwrap();
    let database = folder.path().join("banshi.db");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_banshi"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", database.to_str().unwrap()])
        .arg("--tls-cert")
        .arg(&cert_file)
        .arg("--tls-key")
        .arg(&key_file)
        .env_remove("BANSHI_DATA_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        match https_get(port, &cert, "/readyz").await {
            Ok(answer) if answer.starts_with("HTTP/1.1 200") => break answer,
            _ => {
                assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert!(ready.starts_with("HTTP/1.1 200"));
    let login = https_get(port, &cert, "/login").await.unwrap();
    let cookie = login.lines().find(|line| line.to_ascii_lowercase().starts_with("set-cookie:")).unwrap_or_default().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(login.contains("工作人员登录"));
    // Plain HTTP on the same port is no way in.
    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{port}/login")).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    server.kill().unwrap();
    server.wait().unwrap();

    // A key that is not the certificate's: refused at start, saying so.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(&key_file, other.key_pair.serialize_pem()).unwrap();
    let refused = serve_process::banshi(&["serve", "--bind", "127.0.0.1:0", "--database", database.to_str().unwrap(), "--tls-cert", cert_file.to_str().unwrap(), "--tls-key", key_file.to_str().unwrap()], &[]);
    assert!(!refused.status.success());
    assert!(serve_process::text(&refused.stderr).contains("do not go together"), "{}", serve_process::text(&refused.stderr));
}

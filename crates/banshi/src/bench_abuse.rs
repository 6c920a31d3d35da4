//! `banshi bench abuse`: what anonymous clients can do to a server with the hall's limits on, on
//! loopback: a crowd of sign-ins with random names (the server's memory while they run), a body of
//! megabytes where a few kilobytes belong (refused before it is sent), connections that send half a
//! request and wait (closed at the header timeout), and a phone number taking ticket after ticket.
//! The crowd of sign-ins is also sent to a server with every limit off, as the figure to beat.

use crate::bench::{prepare, print_machine, started, status_kib, Limits, Server};
use anyhow::Context;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(clap::Args)]
pub struct AbuseBench {
    /// Sign-ins at once, each with a random username and password.
    #[arg(long, default_value_t = 200)]
    sign_ins: usize,
    /// Connections that send half a request's headers and then nothing.
    #[arg(long, default_value_t = 1000)]
    slow_connections: usize,
    /// The body an anonymous client sends where a ticket request belongs, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    body_bytes: usize,
}

/// The server's resident memory and its peak so far, in MiB.
fn memory_mib(server: &Server) -> (f64, f64) {
    let field = |name: &str| status_kib(&server.child, name).unwrap_or(0.0) / 1024.0;
    (field("VmRSS:"), field("VmHWM:"))
}

fn port_of(server: &Server) -> &str {
    server.base.rsplit(':').next().unwrap_or_default()
}

pub async fn run(bench: AbuseBench) -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let [limited_url, everywhere_url, open_url] = ["limited", "everywhere", "open"].map(|name| folder.path().join(format!("{name}.db")).display().to_string());
    for url in [&limited_url, &everywhere_url, &open_url] {
        prepare(url, 1).await?;
    }
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    let limited = started(&limited_url, &http, Limits::Default).await?;
    println!("banshi bench abuse: servers with the default limits (and, to compare, with every limit off), database SQLite");
    print_machine();
    println!("server at rest: RSS {:.0} MiB", memory_mib(&limited).0);

    let statuses = sign_in_crowd(&limited, bench.sign_ins).await?;
    let (rss, peak) = memory_mib(&limited);
    println!("{} sign-ins at once with random names, limits on: answered {statuses}; RSS now {rss:.0} MiB, peak {peak:.0} MiB (target: under 300 MiB)", bench.sign_ins);

    // As from as many addresses: only the bound on password checks at once stands in the way.
    let everywhere = started(&everywhere_url, &http, Limits::SignInsFromEverywhere).await?;
    let statuses = sign_in_crowd(&everywhere, bench.sign_ins).await?;
    let (rss, peak) = memory_mib(&everywhere);
    println!("{} sign-ins at once with random names, as from as many addresses (no limit per address): answered {statuses}; RSS now {rss:.0} MiB, peak {peak:.0} MiB (target: under 300 MiB)", bench.sign_ins);
    drop(everywhere);

    let refused = oversized_body(&limited, bench.body_bytes).await?;
    println!("{refused}");

    let closed = slow_connections(&limited, bench.slow_connections).await?;
    println!("{closed}");

    let phone = one_phone_many_tickets(&limited, &http).await?;
    println!("{phone}");

    // The figure to beat: the same crowd where nothing is limited.
    let open = started(&open_url, &http, Limits::Off).await?;
    let statuses = sign_in_crowd(&open, bench.sign_ins).await?;
    let (rss, peak) = memory_mib(&open);
    println!("{} sign-ins at once with random names, every limit off: answered {statuses}; RSS now {rss:.0} MiB, peak {peak:.0} MiB", bench.sign_ins);
    Ok(())
}

/// Sends `count` sign-ins at once, each on its own connection as from its own address, and tells
/// how they were answered.
async fn sign_in_crowd(server: &Server, count: usize) -> anyhow::Result<String> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..count {
        let url = format!("{}/api/v1/session", server.base);
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(120)).build().ok()?;
            let name = format!("guess{:016x}", rand::random::<u64>());
            let body = serde_json::json!({ "username": name, "password": format!("{:032x}", rand::random::<u128>()) });
            client.post(url).json(&body).send().await.ok().map(|r| r.status().as_u16())
        }));
    }
    let mut counts = std::collections::BTreeMap::new();
    for task in tasks {
        *counts.entry(task.await?.map_or("no answer".to_string(), |s| s.to_string())).or_insert(0) += 1;
    }
    let answered: Vec<String> = counts.iter().map(|(status, n)| format!("{n}× {status}")).collect();
    Ok(format!("{} in {:.1} s", answered.join(", "), started.elapsed().as_secs_f64()))
}

/// Declares a body of `bytes` for the ticket route and sends none of it: the answer must come
/// before the body is sent.
async fn oversized_body(server: &Server, bytes: usize) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(format!("127.0.0.1:{}", port_of(server))).await?;
    let started = Instant::now();
    let head = format!("POST /api/v1/tickets HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await.context("no answer to the oversized body in 10 s")??;
    let status = String::from_utf8_lossy(&answer[..read]).lines().next().unwrap_or_default().to_string();
    Ok(format!("an anonymous body of {} MiB declared, 0 bytes of it sent: answered \"{status}\" in {:.1} ms", bytes / (1024 * 1024), started.elapsed().as_secs_f64() * 1000.0))
}

/// Opens `count` connections that each send half a request's headers, and counts those the server
/// has closed by the header timeout (10 s by default) and a little after.
async fn slow_connections(server: &Server, count: usize) -> anyhow::Result<String> {
    let address = format!("127.0.0.1:{}", port_of(server));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..count {
        let address = address.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(address).await.ok()?;
            stream.write_all(b"GET /kiosk HTTP/1.1\r\nHost: bench\r\nX-Slow: ").await.ok()?;
            let mut byte = [0u8; 1];
            // The server closes the connection (or answers 408 and closes): either ends the read.
            match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut byte)).await {
                Ok(_) => Some(started.elapsed()),
                Err(_) => None,
            }
        }));
    }
    let mut closed = Vec::new();
    for task in tasks {
        if let Some(at) = task.await? {
            closed.push(at.as_secs_f64());
        }
    }
    closed.sort_by(f64::total_cmp);
    let (first, last) = (closed.first().copied().unwrap_or(0.0), closed.last().copied().unwrap_or(0.0));
    Ok(format!("{count} connections sending half a request: {} closed by the server, between {first:.1} s and {last:.1} s after they opened; {} still open after 20 s", closed.len(), count - closed.len()))
}

/// One phone number asks for ten tickets: the first few are given, then refused.
async fn one_phone_many_tickets(server: &Server, http: &reqwest::Client) -> anyhow::Result<String> {
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let answer = http.post(format!("{}/api/v1/tickets", server.base)).json(&serde_json::json!({ "queue": "A", "phone": "13800000000" })).send().await?;
        statuses.push(answer.status().as_u16().to_string());
    }
    Ok(format!("one phone number asking for 10 tickets: answered {}", statuses.join(" ")))
}

//! `banshi bench queue`: a busy day's queue traffic against a real server on loopback.
//!
//! The bench prepares a hall in a database of its own (SQLite by default; a fresh database on a
//! PostgreSQL server with `--database postgres://…`), starts `banshi serve` on it as a separate
//! process and signs in one officer per window. Then two phases: for a fixed time kiosks take
//! tickets while every window calls, starts and finishes them as fast as the server answers
//! (throughput and latency percentiles per operation); then the boards connect and one window calls
//! at a busy hall's pace while every board's receipt of every call is timed (delivery percentiles
//! and the server's memory with the boards connected).

use anyhow::{bail, Context};
use banshi_domain::Role;
use banshi_storage::{connect, Actor, Centre, NewStaff, Queue, Window, WindowSkills};
use banshi_web::sealing::Sealer;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct QueueBench {
    /// Where the bench hall lives: an SQLite file in a temporary folder by default; with a
    /// PostgreSQL server URL, a new database made on that server and dropped afterwards.
    #[arg(long)]
    database: Option<String>,
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Windows calling at once (one officer each).
    #[arg(long, default_value_t = 12)]
    windows: i32,
    /// Kiosks taking tickets at once.
    #[arg(long, default_value_t = 8)]
    kiosks: usize,
    /// Display boards connected over server-sent events in the second phase.
    #[arg(long, default_value_t = 1000)]
    boards: usize,
    /// Calls per second in the second phase, all heard by every board.
    #[arg(long, default_value_t = 10)]
    calls_per_second: u64,
    /// Instead of the boards' phase: the same load on the empty hall and on a hall with a year of
    /// history (130,000 past tickets, 8,000 of them never closed until the server starts), in
    /// alternating rounds, side by side.
    #[arg(long)]
    history: bool,
    /// Instead of the boards' phase: the same load on a server with every limit at its default
    /// (the bench's kiosks listed as the hall's own, as a hall lists its kiosks) and on one with
    /// every limit off, in alternating rounds, side by side.
    #[arg(long, conflicts_with = "history")]
    limits: bool,
    /// Rounds of each hall with `--history` or `--limits`.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

/// The limits a bench server runs with.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Limits {
    /// The defaults, with the bench's kiosks (on loopback) listed as the hall's own.
    Default,
    /// The defaults but no limit of sign-ins per address: what a crowd from many addresses meets.
    SignInsFromEverywhere,
    /// Every rate and size limit off.
    Off,
}

impl Limits {
    fn settings(self) -> serde_json::Value {
        match self {
            Limits::Default => serde_json::json!({ "limits": { "kiosks_from": ["127.0.0.1"] } }),
            Limits::SignInsFromEverywhere => serde_json::json!({ "limits": { "kiosks_from": ["127.0.0.1"], "sign_ins_per_minute": 0 } }),
            Limits::Off => serde_json::json!({ "limits": {
                "sign_ins_per_minute": 0, "tickets_per_minute": 0, "tickets_per_phone_per_day": 0, "feedback_per_hour": 0,
                "ratings_per_minute": 0, "progress_queries_per_minute": 0, "anonymous_body_bytes": 1usize << 30,
                "staff_body_bytes": 1usize << 30, "import_body_bytes": 1usize << 30, "header_read_seconds": 86400,
                "body_read_seconds": 86400, "max_connections": 1usize << 20, "password_checks_at_once": 512
            } }),
        }
    }
}

const PASSWORD: &str = "bench-password";
/// Kiosks pause while this many tickets wait: a busy hall, not an ever-growing queue.
const MAX_WAITING: i64 = 300;

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// The hall settings file the server reads, kept until it stops.
    _settings: tempfile::NamedTempFile,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn run(bench: QueueBench) -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let halls = if bench.history {
        vec!["empty", "history"]
    } else if bench.limits {
        vec!["limits_on", "limits_off"]
    } else {
        vec!["bench"]
    };
    let mut urls = Vec::new();
    let mut made = Vec::new();
    for hall in &halls {
        match &bench.database {
            None => urls.push(folder.path().join(format!("{hall}.db")).display().to_string()),
            Some(server) if server.starts_with("postgres") => {
                let name = format!("banshi_bench_{hall}_{:08x}", rand::random::<u32>());
                admin_sql(server, &format!("CREATE DATABASE {name}")).await?;
                urls.push(replace_database(server, &name));
                made.push((server.clone(), name));
            }
            Some(other) => bail!("--database takes a PostgreSQL server URL; without it the bench uses a fresh SQLite file ({other})"),
        }
    }
    let result = if bench.history {
        compare_history(&bench, &urls[0], &urls[1]).await
    } else if bench.limits {
        compare_limits(&bench, &urls[0], &urls[1]).await
    } else {
        run_on(&bench, &urls[0]).await
    };
    for (server, name) in made {
        admin_sql(&server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    }
    result
}

async fn admin_sql(url: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url).await.context("cannot reach the PostgreSQL server")?;
    sqlx::query(sql).execute(&mut connection).await?;
    Ok(())
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub(crate) async fn prepare(url: &str, windows: i32) -> anyhow::Result<()> {
    // As a hall is set up: with the algorithms `--crypto` asks for, before anything is written.
    let store = crate::open(url).await?;
    let actor = Actor::system("bench");
    let centre = Centre {
        code: "BENCH".into(),
        name: "压力测试大厅".into(),
        address: "-".into(),
        hours: "-".into(),
        consult_phone: "12345".into(),
        supervision_phone: "12345".into(),
        ..Centre::default()
    };
    store.save_centre(&actor, &centre).await?;
    for (position, prefix) in ["A", "B", "C", "D"].into_iter().enumerate() {
        let queue = Queue { centre_code: "BENCH".into(), prefix: prefix.into(), name: format!("队列{prefix}"), item_codes: vec![], position: position as i32 };
        store.save_queue(&actor, &queue).await?;
    }
    let hash = banshi_web::hash_password(PASSWORD);
    for number in 1..=windows {
        store.save_window(&actor, &Window { centre_code: "BENCH".into(), number, name: format!("{number}号窗口") }).await?;
        let first = ["A", "B", "C", "D"][(number as usize - 1) % 4];
        let queues = std::iter::once(first).chain(["A", "B", "C", "D"].into_iter().filter(|q| *q != first)).map(String::from).collect();
        store.save_window_skills(&actor, &WindowSkills { centre_code: "BENCH".into(), number, queues, green_channel: false }).await?;
        let officer = NewStaff {
            department: String::new(),
            username: format!("officer{number}"),
            name: format!("窗口{number}"),
            badge_number: format!("B{number:04}"),
            role: Role::WindowStaff,
            centre_code: "BENCH".into(),
            password_hash: hash.clone(),
        };
        store.create_staff(&actor, &officer).await?;
    }
    Ok(())
}

fn start_server(url: &str, limits: Limits) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let settings = tempfile::NamedTempFile::new()?;
    std::fs::write(settings.path(), limits.settings().to_string())?;
    let child = Command::new(std::env::current_exe()?)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", url, "--hall-settings"])
        .arg(settings.path())
        .env("BANSHI_DATA_KEY", Sealer::generate_key())
        .env("BANSHI_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the server")?;
    Ok(Server { child, base: format!("http://127.0.0.1:{port}"), _settings: settings })
}

/// Latencies of one kind of operation, in microseconds.
#[derive(Default)]
struct Samples(Vec<u64>);

impl Samples {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank] as f64 / 1000.0
    }
}

type Recorder = Arc<Mutex<HashMap<&'static str, Samples>>>;

fn record(recorder: &Recorder, op: &'static str, started: Instant) {
    recorder.lock().unwrap().entry(op).or_default().0.push(started.elapsed().as_micros() as u64);
}

/// A signed-in officer at their window: its number, the session's client and CSRF token.
type Officer = (i32, reqwest::Client, String);

/// The first phase's figures: each operation's latencies, and the requests that failed.
struct Load {
    recorder: Recorder,
    errors: i64,
}

impl Load {
    fn operations(&self) -> usize {
        self.recorder.lock().unwrap().values().map(|s| s.0.len()).sum()
    }
}

/// Starts `banshi serve` on the hall and waits until it answers.
pub(crate) async fn started(url: &str, http: &reqwest::Client, limits: Limits) -> anyhow::Result<Server> {
    let server = start_server(url, limits)?;
    let started = Instant::now();
    while http.get(format!("{}/readyz", server.base)).send().await.map(|r| r.status().is_success()).ok() != Some(true) {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(server)
}

/// Officers sign in and open their windows.
async fn open_windows(server: &Server, windows: i32) -> anyhow::Result<Vec<Officer>> {
    let mut officers = Vec::new();
    for number in 1..=windows {
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        let session: serde_json::Value = client
            .post(format!("{}/api/v1/session", server.base))
            .json(&serde_json::json!({ "username": format!("officer{number}"), "password": PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let csrf = session["csrf_token"].as_str().context("sign-in failed")?.to_string();
        let opened = client
            .post(format!("{}/api/v1/windows/{number}/status", server.base))
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({ "status": "open" }))
            .send()
            .await?;
        if !opened.status().is_success() {
            bail!("window {number} did not open: {}", opened.text().await?);
        }
        officers.push((number, client, csrf));
    }
    Ok(officers)
}

/// For `seconds`, kiosks take tickets while every window calls, starts and finishes them as fast
/// as the server answers. `waiting` counts the hall's waiting tickets across rounds.
async fn load(bench: &QueueBench, server: &Server, http: &reqwest::Client, officers: &[Officer], waiting: &Arc<AtomicI64>) -> anyhow::Result<Load> {
    let recorder: Recorder = Arc::default();
    let errors = Arc::new(AtomicI64::new(0));
    let deadline = Instant::now() + Duration::from_secs(bench.seconds);
    let mut tasks = Vec::new();
    for kiosk in 0..bench.kiosks {
        let (http, base, recorder, waiting, errors) = (http.clone(), server.base.clone(), recorder.clone(), waiting.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = kiosk;
            while Instant::now() < deadline {
                if waiting.load(Ordering::Relaxed) >= MAX_WAITING {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                let queue = ["A", "B", "C", "D"][n % 4];
                n += 1;
                let started = Instant::now();
                match http.post(format!("{base}/api/v1/tickets")).json(&serde_json::json!({ "queue": queue })).send().await {
                    Ok(r) if r.status().is_success() => {
                        record(&recorder, "take", started);
                        waiting.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for (number, client, csrf) in officers.iter().cloned() {
        let (base, recorder, waiting, errors) = (server.base.clone(), recorder.clone(), waiting.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let started = Instant::now();
                let called: serde_json::Value = match client.post(format!("{base}/api/v1/windows/{number}/call-next")).header("X-CSRF-Token", &csrf).send().await {
                    Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                record(&recorder, "call", started);
                let Some(id) = called["ticket"]["id"].as_i64() else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                waiting.fetch_sub(1, Ordering::Relaxed);
                for (op, body) in [("start", serde_json::json!({ "action": "start" })), ("finish", serde_json::json!({ "action": "finish", "outcome": "done" }))] {
                    let started = Instant::now();
                    let url = format!("{base}/api/v1/windows/{number}/tickets/{id}");
                    match client.post(url).header("X-CSRF-Token", &csrf).json(&body).send().await {
                        Ok(r) if r.status().is_success() => record(&recorder, op, started),
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let errors = errors.load(Ordering::Relaxed);
    Ok(Load { recorder, errors })
}

fn print_load(load: &Load, seconds: f64) {
    let total = load.operations();
    let recorder = load.recorder.lock().unwrap();
    let all = Samples(recorder.values().flat_map(|s| s.0.iter().copied()).collect());
    println!("operations: {total} in {seconds:.0} s = {:.0} per second; errors {}", total as f64 / seconds, load.errors);
    println!("{:<8} {:>9} {:>9} {:>9} {:>9} {:>9}", "op", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
    for op in ["take", "call", "start", "finish"] {
        if let Some(samples) = recorder.get(op) {
            println!("{op:<8} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}", samples.0.len(), samples.percentile(50.0), samples.percentile(90.0), samples.percentile(99.0), samples.percentile(100.0));
        }
    }
    println!("{:<8} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}", "all", all.0.len(), all.percentile(50.0), all.percentile(90.0), all.percentile(99.0), all.percentile(100.0));
}

fn database_name(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

async fn run_on(bench: &QueueBench, url: &str) -> anyhow::Result<()> {
    prepare(url, bench.windows).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let server = started(url, &http, Limits::Default).await?;
    let officers = open_windows(&server, bench.windows).await?;
    let load = load(bench, &server, &http, &officers, &Arc::default()).await?;
    println!("banshi bench queue: {} windows, {} kiosks, {} s, database {}", bench.windows, bench.kiosks, bench.seconds, database_name(url));
    print_machine();
    print_load(&load, bench.seconds as f64);

    // Boards listen; each call's arrival at each board is kept, and matched with the call's start
    // afterwards (a board may hear a call before the caller has its answer).
    let calls_sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let arrivals: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut board_tasks = Vec::new();
    let board_client = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    for _ in 0..bench.boards {
        let response = board_client.get(format!("{}/api/v1/events?centre=BENCH", server.base)).send().await?;
        let (arrivals, stop) = (arrivals.clone(), stop.clone());
        board_tasks.push(tokio::spawn(async move {
            let mut response = response;
            let mut buffer = String::new();
            while !stop.load(Ordering::Relaxed) {
                let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_millis(500), response.chunk()).await else { continue };
                let arrived = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let message: String = buffer.drain(..end + 2).collect();
                    if let Some(number) = message.split("\"number\":\"").nth(1).and_then(|rest| rest.split('"').next()) {
                        arrivals.lock().unwrap().push((number.to_string(), arrived));
                    }
                }
            }
        }));
    }
    let rss_with_boards = memory(&server.child);
    let (_, officer, csrf) = &officers[0];
    paced_calls(&server.base, officer, csrf, bench.calls_per_second, &calls_sent).await?;
    stop.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let rss_after = memory(&server.child);
    for task in board_tasks {
        task.abort();
    }

    let calls_sent = calls_sent.lock().unwrap();
    let heard = arrivals.lock().unwrap();
    let deliveries = Samples(heard.iter().filter_map(|(number, arrived)| calls_sent.get(number).map(|sent| arrived.saturating_duration_since(*sent).as_micros() as u64)).collect());
    let expected = calls_sent.len() * bench.boards;
    println!(
        "call to board ({} boards, {} calls a second; from the call request to each board's receipt): {} of {} deliveries, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        bench.boards,
        bench.calls_per_second,
        deliveries.0.len(),
        expected,
        deliveries.percentile(50.0),
        deliveries.percentile(99.0),
        deliveries.percentile(100.0)
    );
    println!("server memory with the boards connected: {rss_with_boards} before their calls; {rss_after} after them");
    Ok(())
}

/// Past tickets in the history hall: a year of working days, about 530 a day.
const HISTORY_TICKETS_A_DAY: usize = 530;
/// The last working days left without their close, as an instance that was down would leave them:
/// 16 × 530 = 8,480 tickets still waiting when the server starts.
const UNCLOSED_DAYS: usize = 16;

/// A year of the hall's past: every working day's tickets from 9:00 to 17:00, taken through the
/// store as the kiosks took them, and every day closed but the last few.
async fn add_history(url: &str) -> anyhow::Result<(usize, usize)> {
    use chrono::{Duration as Days, Local, TimeZone};
    let store = connect(url).await?;
    let calendar = banshi_domain::calendar::WorkingCalendar::china();
    let today = Local::now().date_naive();
    let days: Vec<_> = (1..=365).rev().map(|back| today - Days::days(back)).filter(|day| calendar.day(*day).working).collect();
    let mut past = 0;
    for day in &days {
        let opening = Local.from_local_datetime(&day.and_hms_opt(9, 0, 0).context("a time")?).single().context("a local time")?.with_timezone(&chrono::Utc);
        let tickets: Vec<_> = (0..HISTORY_TICKETS_A_DAY)
            .map(|i| banshi_storage::NewTicket {
                centre_code: "BENCH".into(),
                queue: ["A", "B", "C", "D"][i % 4].into(),
                priority: None,
                items: vec![],
                phone_cipher: None,
                arrived_at: opening + chrono::Duration::seconds((i * 8 * 3600 / HISTORY_TICKETS_A_DAY) as i64),
                token: format!("history-{day}-{i}"),
                issuer: Actor::system("kiosk"),
                booking: None,
                daily_quota: None,
                phone_limit: None,
            })
            .collect();
        // Many at a time, so the store commits them in batches.
        for chunk in tickets.chunks(200) {
            for taken in futures_util::future::join_all(chunk.iter().map(|ticket| store.take_ticket(ticket))).await {
                taken?;
            }
        }
        past += tickets.len();
    }
    let actor = Actor::system("bench");
    for day in &days[..days.len().saturating_sub(UNCLOSED_DAYS)] {
        let closing = Local.from_local_datetime(&day.and_hms_opt(23, 30, 0).context("a time")?).single().context("a local time")?.with_timezone(&chrono::Utc);
        store.close_day(&actor, "BENCH", *day, closing, true).await?;
    }
    Ok((past, UNCLOSED_DAYS.min(days.len()) * HISTORY_TICKETS_A_DAY))
}

/// `--history`: the empty hall and the hall with a year behind it, under the same load in
/// alternating rounds, so that the machine's noise falls on both alike.
async fn compare_history(bench: &QueueBench, empty_url: &str, history_url: &str) -> anyhow::Result<()> {
    prepare(empty_url, bench.windows).await?;
    prepare(history_url, bench.windows).await?;
    let prepared = Instant::now();
    let (past, unclosed) = add_history(history_url).await?;
    println!("banshi bench queue --history: {} windows, {} kiosks, {} rounds of {} s on each hall, database {}", bench.windows, bench.kiosks, bench.rounds, bench.seconds, database_name(empty_url));
    print_machine();
    println!("history: {past} past tickets over a year of working days, {unclosed} of them on the last {UNCLOSED_DAYS} days never closed (made in {:.0} s)", prepared.elapsed().as_secs_f64());

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let empty = started(empty_url, &http, Limits::Default).await?;
    let starting = Instant::now();
    let history = started(history_url, &http, Limits::Default).await?;
    // The server closes the missed days as it starts; the load begins once they are closed.
    let store = connect(history_url).await?;
    let today = chrono::Local::now().date_naive();
    while !store.unclosed_days("BENCH", today).await?.is_empty() {
        if starting.elapsed() > Duration::from_secs(120) {
            bail!("the server did not close the missed days");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("the missed days closed as the server started, within {:.1} s of its start", starting.elapsed().as_secs_f64());

    let (empty_rate, history_rate) = alternate(bench, [("empty", &empty), ("history", &history)]).await?;
    println!(
        "empty hall {empty_rate:.0}, a year of history {history_rate:.0} operations per second (means of {} rounds): the history hall runs at {:.1}% of the empty hall's",
        bench.rounds,
        100.0 * history_rate / empty_rate.max(1.0)
    );
    Ok(())
}

/// The same load on two servers in alternating rounds, so that the machine's noise falls on both
/// alike; the mean operations per second of each.
async fn alternate(bench: &QueueBench, halls: [(&str, &Server); 2]) -> anyhow::Result<(f64, f64)> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let mut officers = Vec::new();
    for (_, server) in halls {
        officers.push(open_windows(server, bench.windows).await?);
    }
    let waiting: [Arc<AtomicI64>; 2] = Default::default();
    let mut rates = [Vec::new(), Vec::new()];
    for round in 1..=bench.rounds {
        for (i, (name, server)) in halls.iter().enumerate() {
            let done = load(bench, server, &http, &officers[i], &waiting[i]).await?;
            let rate = done.operations() as f64 / bench.seconds as f64;
            println!("round {round} {name:<10} {rate:>7.0} operations per second, errors {}", done.errors);
            rates[i].push(rate);
        }
    }
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    Ok((mean(&rates[0]), mean(&rates[1])))
}

/// `--limits`: a hall day with every limit on beside the same day with every limit off.
async fn compare_limits(bench: &QueueBench, on_url: &str, off_url: &str) -> anyhow::Result<()> {
    prepare(on_url, bench.windows).await?;
    prepare(off_url, bench.windows).await?;
    println!("banshi bench queue --limits: {} windows, {} kiosks, {} rounds of {} s on each server, database {}", bench.windows, bench.kiosks, bench.rounds, bench.seconds, database_name(on_url));
    print_machine();
    let http = reqwest::Client::new();
    let on = started(on_url, &http, Limits::Default).await?;
    let off = started(off_url, &http, Limits::Off).await?;
    let (on_rate, off_rate) = alternate(bench, [("limits on", &on), ("limits off", &off)]).await?;
    println!(
        "every limit on {on_rate:.0}, every limit off {off_rate:.0} operations per second (means of {} rounds): with the limits the hall runs at {:.1}% of its speed without",
        bench.rounds,
        100.0 * on_rate / off_rate.max(1.0)
    );
    Ok(())
}

/// One window takes and calls tickets at `per_second`, noting when each call was made.
async fn paced_calls(base: &str, officer: &reqwest::Client, csrf: &str, per_second: u64, calls_sent: &Mutex<HashMap<String, Instant>>) -> anyhow::Result<()> {
    let window = 1;
    let pace = Duration::from_micros(1_000_000 / per_second.max(1));
    let kiosk = reqwest::Client::new();
    for _ in 0..per_second * 5 {
        let next = Instant::now() + pace;
        kiosk.post(format!("{base}/api/v1/tickets")).json(&serde_json::json!({ "queue": "A" })).send().await?;
        let started = Instant::now();
        let called: serde_json::Value = officer.post(format!("{base}/api/v1/windows/{window}/call-next")).header("X-CSRF-Token", csrf).send().await?.json().await?;
        let (Some(id), Some(number)) = (called["ticket"]["id"].as_i64(), called["ticket"]["number"].as_str()) else { continue };
        calls_sent.lock().unwrap().insert(number.to_string(), started);
        for body in [serde_json::json!({ "action": "start" }), serde_json::json!({ "action": "finish", "outcome": "done" })] {
            officer.post(format!("{base}/api/v1/windows/{window}/tickets/{id}")).header("X-CSRF-Token", csrf).json(&body).send().await?;
        }
        tokio::time::sleep_until(next.into()).await;
    }
    Ok(())
}

/// The server's resident and peak memory, from /proc (Linux).
fn memory(child: &Child) -> String {
    let field = |name: &str| status_kib(child, name).map_or_else(|| "?".to_string(), |kib| format!("{kib:.0} kB"));
    format!("RSS {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

/// A memory figure of the server process (`VmRSS:`, `VmHWM:`), in KiB, from /proc.
pub(crate) fn status_kib(child: &Child, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
}

/// The line every bench prints under its heading: figures mean little without the machine.
pub(crate) fn print_machine() {
    println!("machine: {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
}

#[derive(clap::Args)]
pub struct DeadlineBench {
    /// Open cases whose deadlines are recomputed.
    #[arg(long, default_value_t = 10_000_000)]
    cases: usize,
}

/// `banshi bench deadlines`: recomputes the deadlines of a province's open cases (accepted over the
/// last three months, limits of 1–60 working days, some extended, some suspended once, one in fifty
/// waiting for materials now) on every core, and prints the time and the lights counted.
pub fn deadlines(bench: DeadlineBench) -> anyhow::Result<()> {
    use banshi_domain::calendar::WorkingCalendar;
    use banshi_domain::deadline::{deadline, Clock, Suspension, WarnPolicy};
    use chrono::{Duration as Days, NaiveDate};

    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let index = WorkingCalendar::china().index(today - Days::days(800), today + Days::days(800));
    // A fixed pseudo-random mix (xorshift), so every run recomputes the same cases.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let clocks: Vec<Clock> = (0..bench.cases)
        .map(|_| {
            let started = today - Days::days(next(90) as i64);
            let mut suspensions = Vec::new();
            if next(10) == 0 {
                let from = started + Days::days(next(20) as i64 + 1);
                suspensions.push(Suspension { from, until: Some(from + Days::days(next(15) as i64 + 1)) });
            }
            if next(50) == 0 {
                suspensions.push(Suspension { from: today - Days::days(next(10) as i64), until: None });
            }
            Clock { started, limit: next(60) as u32 + 1, extended: if next(20) == 0 { 10 } else { 0 }, suspensions }
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = clocks
            .chunks(clocks.len().div_ceil(threads).max(1))
            .map(|chunk| {
                let index = &index;
                scope.spawn(move || {
                    // Green, yellow, red, suspended (the order of `Light`), then failures.
                    let mut counts = [0usize; 5];
                    for clock in chunk {
                        match deadline(clock, today, index, WarnPolicy::default()) {
                            Ok(found) => counts[found.light as usize] += 1,
                            Err(_) => counts[4] += 1,
                        }
                    }
                    counts
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a worker")).fold([0usize; 5], |mut total, c| {
            total.iter_mut().zip(c).for_each(|(t, c)| *t += c);
            total
        })
    });
    let elapsed = started.elapsed();
    println!("banshi bench deadlines: {} open cases, {threads} threads", bench.cases);
    println!("recomputed in {:.3} s ({:.0} per second)", elapsed.as_secs_f64(), bench.cases as f64 / elapsed.as_secs_f64());
    let [green, yellow, red, suspended, failed] = counts;
    println!("green {green}, yellow {yellow}, red {red}, suspended {suspended}, outside the calendar {failed}");
    Ok(())
}

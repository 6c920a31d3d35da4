//! `banshi`: the one binary. Serves the hall, starts the demo, migrates the database, and checks,
//! imports and exports the service catalogue.

mod bench;
mod bench_abuse;
mod demo;
mod simulate;

use anyhow::{bail, Context};
use banshi_domain::calendar::WorkingCalendar;
use banshi_domain::{parse_catalog, Role};
use banshi_storage::{connect, Actor, Centre, CryptoSuite, NewStaff, Store, DEFAULT_DATABASE_URL};
use banshi_web::sealing::Sealer;
use banshi_web::HallSettings;
use banshi_web::AppState;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "banshi", version, about = "banshi (办事): the software a government service hall runs on")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The algorithms that seal personal data and hash the audit chain, chosen by the first
    /// command that sets the installation up (`migrate`, `centre set` or `serve`) and kept in its
    /// database: `standard` (AES-256-GCM, SHA-256) or `national` (国密 SM4-GCM, SM3, for 密评).
    /// Asking for other algorithms than the database keeps refuses.
    #[arg(long, global = true, env = "BANSHI_CRYPTO", value_parser = ["standard", "national"])]
    crypto: Option<String>,
}

/// The algorithms `--crypto` asked for, for whichever command opens a database first.
static WANTED_CRYPTO: std::sync::OnceLock<CryptoSuite> = std::sync::OnceLock::new();

#[derive(clap::Args)]
struct Database {
    /// `postgres://…` for PostgreSQL; `sqlite://PATH` or a path for an SQLite file.
    #[arg(long = "database", env = "BANSHI_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    url: String,
}

#[derive(clap::Args)]
struct Bind {
    /// Address and port to listen on.
    #[arg(long, env = "BANSHI_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hall's pages and API.
    Serve {
        #[command(flatten)]
        bind: Bind,
        #[command(flatten)]
        database: Database,
        /// A JSON file of hall settings: queue rules (green-channel age, waiting limit, calls before
        /// a no-show), the "almost your turn" distance, traffic-light minutes (docs/hall-settings.md).
        #[arg(long, env = "BANSHI_HALL_SETTINGS")]
        hall_settings: Option<PathBuf>,
        /// Addresses that read `/metrics` without signing in (a Prometheus server's), comma-separated.
        #[arg(long, env = "BANSHI_METRICS_FROM", value_delimiter = ',')]
        metrics_from: Vec<std::net::IpAddr>,
        /// The address people reach the hall at (`https://…` behind a reverse proxy that ends TLS):
        /// printed links and QR codes (ticket, receipt) name it; with https, every cookie is
        /// marked `Secure`.
        #[arg(long, env = "BANSHI_PUBLIC_URL")]
        public_url: Option<String>,
        /// Serve HTTPS itself (a hall without a reverse proxy): the certificate chain, PEM; every
        /// cookie is then marked `Secure`.
        #[arg(long, env = "BANSHI_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key, PEM.
        #[arg(long, env = "BANSHI_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Start a complete demo hall on a fresh database (data/demo.db unless --database names an empty one).
    Demo {
        #[command(flatten)]
        bind: Bind,
        /// An empty database to fill with the demo; by default data/demo.db, recreated at each start.
        #[arg(long = "database", env = "BANSHI_DEMO_DATABASE_URL")]
        database: Option<String>,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate {
        #[command(flatten)]
        database: Database,
    },
    /// The service catalogue (事项目录), as JSON (docs/catalog.md).
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The centre (hall) this database serves: create it or change its public facts.
    Centre {
        #[command(subcommand)]
        command: CentreCommand,
    },
    /// The hall as its people set it up: hours, queues, windows (TOML, docs/hall.md).
    Hall {
        #[command(subcommand)]
        command: HallCommand,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// China's working-day calendar: the State Council's schedules 2019–2026, built in.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Simulate a hall scenario (TOML, docs/simulate.md): waits with confidence intervals, queue
    /// lengths, window use.
    Simulate(simulate::SimulateCommand),
    /// A consistent copy of an SQLite database, taken while the server runs and writes (for
    /// PostgreSQL, pg_dump: docs/operations.md). Keep the data key with it.
    Backup {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
    /// Put a backup in the database's place; refused while a server uses the database.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
    /// The data key that seals personal data.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Benchmarks, measured against a real server on loopback.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the date N working days after DATE (the period starts the day after, 民法典 art. 201),
    /// then ` provisional` when the count crossed a year with no schedule loaded.
    Add {
        date: chrono::NaiveDate,
        n: u32,
        #[command(flatten)]
        stored: StoredCalendar,
    },
    /// Print `working` or `off` for DATE, then why: weekday, weekend, the holiday's name, make-up
    /// working day, a centre's closure or extended-service day.
    Check {
        date: chrono::NaiveDate,
        #[command(flatten)]
        stored: StoredCalendar,
    },
    /// Load a year's holiday schedule (holiday-cn's JSON format) into the database, for every
    /// centre; loading a year again replaces it.
    Load {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
}

/// Without `--database`, the built-in State Council schedules alone.
#[derive(clap::Args)]
struct StoredCalendar {
    /// Count on the years loaded into this database too.
    #[arg(long = "database")]
    database: Option<String>,
    /// And on this centre's own days (closures, extended-service days).
    #[arg(long, requires = "database")]
    centre: Option<String>,
}

impl StoredCalendar {
    async fn calendar(&self) -> anyhow::Result<WorkingCalendar> {
        let Some(url) = &self.database else { return Ok(WorkingCalendar::china()) };
        let store = open(url).await?;
        banshi_web::calendar::working_calendar(store.as_ref(), self.centre.as_deref()).await.map_err(|e| anyhow::anyhow!(e.message()))
    }
}

#[derive(Subcommand)]
enum BenchCommand {
    /// A busy day's queue traffic over HTTP: throughput, latency, calls reaching the boards, memory.
    Queue(bench::QueueBench),
    /// What anonymous clients can do with the limits on: a crowd of sign-ins, an oversized body,
    /// half-sent requests, one phone taking ticket after ticket.
    Abuse(bench_abuse::AbuseBench),
    /// Recompute the deadlines of a province's open cases (10 million by default) on every core.
    Deadlines(bench::DeadlineBench),
    /// The simulator: the reference hall, M/M/c against Erlang C, staffing; `--peer` runs SimPy too.
    Sim(simulate::SimBench),
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Check a catalogue file; print every problem with its place and exit non-zero if any.
    Validate { file: PathBuf },
    /// Validate and import a catalogue file, replacing the stored catalogue; nothing is imported if invalid.
    Import {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
    /// Write the stored catalogue as JSON to standard output.
    Export {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum CentreCommand {
    /// Create or update a centre; its code starts every notice number.
    Set {
        /// Short code of letters and digits, e.g. SF01.
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: String,
        /// 办公时间, as the public should read it.
        #[arg(long)]
        hours: String,
        #[arg(long)]
        consult_phone: String,
        #[arg(long, default_value = "12345")]
        supervision_phone: String,
        /// The district (区) it belongs to, whose district roles read its figures.
        #[arg(long, default_value = "")]
        district: String,
        /// The city (市) it belongs to, whose city roles read its figures.
        #[arg(long, default_value = "")]
        city: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Seal everything anew under a new key, in one transaction; the new key is written to the
    /// key file (SQLite; the old one kept beside it) or printed (PostgreSQL: set it as
    /// BANSHI_DATA_KEY on every instance). Stop the servers first.
    Rotate {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the whole audit log's hash chains: report the first entry where a deletion or a change
    /// broke one (exit status 1), and each chain's last hash, to keep elsewhere and compare later.
    Verify {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum HallCommand {
    /// Check a hall file whole and make it the centre's hall; nothing changes when anything is
    /// wrong (every fault is printed with its line and field).
    Import {
        file: PathBuf,
        /// The centre; the first centre when omitted.
        #[arg(long)]
        centre: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Write the centre's hall as a hall file to standard output.
    Export {
        #[arg(long)]
        centre: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff account; the password is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// 警号 or 工号
        #[arg(long)]
        badge: String,
        /// system_admin (the installation's: the first account of a new installation), admin,
        /// manager, window_staff, approver, auditor, district_manager, district_auditor,
        /// city_manager or city_auditor
        #[arg(long)]
        role: Role,
        /// The centre the account belongs to; the first centre when omitted.
        #[arg(long)]
        centre: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("BANSHI_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(Cli::parse())) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("banshi: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(suite) = cli.crypto.as_deref().and_then(CryptoSuite::parse) {
        WANTED_CRYPTO.set(suite).expect("set once, here");
    }
    match cli.command {
        Command::Serve { bind, database, hall_settings, metrics_from, public_url, tls_cert, tls_key } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(banshi_web::Tls::from_pem_files(&cert, &key).map_err(anyhow::Error::msg)?),
                _ => None,
            };
            let settings = match hall_settings {
                Some(file) => {
                    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                    serde_json::from_str(&text).with_context(|| format!("{}: not valid hall settings", file.display()))?
                }
                None => HallSettings::default(),
            };
            // One server owns an SQLite file: held while it serves, so `banshi restore` knows.
            let _owner = Owner::of(&database.url)?.unless_in_use("one server to an SQLite database")?;
            let store = open(&database.url).await?;
            if store.default_centre().await?.is_none() {
                tracing::warn!("this database has no centre yet: `banshi centre set` and `banshi staff add --role system_admin` make the first admin, who sets up the hall on its pages (README: a new hall)");
            }
            let sealer = checked_data_key(store.as_ref(), &database.url).await?;
            let secure = tls.is_some() || public_url.as_deref().is_some_and(|url| url.starts_with("https://"));
            let state = AppState::with_settings(store, sealer, settings).with_metrics_from(metrics_from).with_secure_cookies(secure).with_public_url(public_url.as_deref());
            serve(listen(&bind.bind).await?, state, tls).await?;
        }
        Command::Demo { bind, database } => {
            let store = demo::fresh_database(database.as_deref()).await?;
            // A fresh demo database each start: a fresh key is enough, and none is recorded (the
            // demo's database is thrown away; served again, its key check starts afresh).
            let suite = store.choose_crypto_suite(WANTED_CRYPTO.get().copied().unwrap_or_default()).await?;
            let sealer = Sealer::from_hex_with(&Sealer::generate_key(), suite).map_err(anyhow::Error::msg)?;
            let accounts = demo::seed(store.as_ref(), &sealer).await?;
            let listener = listen(&bind.bind).await?;
            demo::print_accounts(&listener.local_addr()?.to_string(), &accounts);
            serve(listener, AppState::with_settings(store, sealer, demo::settings()), None).await?;
        }
        Command::Migrate { database } => {
            let store = open(&database.url).await?;
            println!("{} database is up to date", store.backend());
        }
        Command::Catalog { command } => return catalog(command).await,
        Command::Calendar { command: CalendarCommand::Add { date, n, stored } } => println!("{}", stored.calendar().await?.add_working_days(date, n)),
        Command::Calendar { command: CalendarCommand::Check { date, stored } } => println!("{}", stored.calendar().await?.day(date)),
        Command::Calendar { command: CalendarCommand::Load { file, database } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let schedule: banshi_domain::calendar::HolidaySchedule = serde_json::from_str(&text).with_context(|| format!("{}: not a schedule in holiday-cn's format", file.display()))?;
            banshi_web::calendar::check_schedule(&schedule).map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message()))?;
            let store = open(&database.url).await?;
            store.save_calendar_year(&Actor::system("cli"), &schedule).await?;
            println!("{}: {} days loaded", schedule.year, schedule.days.len());
        }
        Command::Backup { file, database } => {
            let path = sqlite_path(&database.url).context("for PostgreSQL, back up with pg_dump (docs/operations.md)")?;
            if file.exists() {
                bail!("{} exists already: name a new file", file.display());
            }
            banshi_storage::backup_sqlite(&path, &file).with_context(|| format!("cannot back up {}", path.display()))?;
            println!("{} backed up to {}; keep the data key ({}) with it, apart", path.display(), file.display(), path.with_extension("key").display());
        }
        Command::Restore { file, database } => {
            let path = sqlite_path(&database.url).context("for PostgreSQL, restore with pg_restore (docs/operations.md)")?;
            let _owner = Owner::of(&database.url)?.unless_in_use("then restore")?;
            banshi_storage::restore_sqlite(&file, &path).with_context(|| format!("cannot restore {}", file.display()))?;
            println!("{} restored from {}", path.display(), file.display());
        }
        Command::Key { command: KeyCommand::Rotate { database } } => rotate_key(&database.url).await?,
        Command::Audit { command: AuditCommand::Verify { database } } => verify_audit(&database.url).await?,
        Command::Bench { command: BenchCommand::Queue(options) } => bench::run(options).await?,
        Command::Bench { command: BenchCommand::Abuse(options) } => bench_abuse::run(options).await?,
        Command::Bench { command: BenchCommand::Deadlines(options) } => bench::deadlines(options)?,
        Command::Bench { command: BenchCommand::Sim(options) } => simulate::bench(options)?,
        Command::Simulate(command) => simulate::run(command)?,
        Command::Centre { command: CentreCommand::Set { code, name, address, hours, consult_phone, supervision_phone, district, city, database } } => {
            if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                bail!("the centre code \"{code}\" must be 1 to 16 letters or digits");
            }
            let store = open(&database.url).await?;
            let centre = Centre { code, name, address, hours, consult_phone, supervision_phone, district, city };
            store.save_centre(&Actor::system("cli"), &centre).await?;
            println!("centre {} saved", centre.code);
        }
        Command::Hall { command: HallCommand::Import { file, centre, database } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = open(&database.url).await?;
            let centre = centre_or_first(store.as_ref(), centre).await?;
            let today = chrono::Local::now().date_naive();
            match banshi_web::import_hall(store.as_ref(), &Actor::system("cli"), &centre, &text, today).await {
                Ok(hall) => println!("centre {centre}: {} queues, {} windows", hall.queues.len(), hall.windows.len()),
                Err(err) => {
                    for line in err.lines() {
                        eprintln!("{}: {line}", file.display());
                    }
                    eprintln!("{}: nothing imported", file.display());
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Hall { command: HallCommand::Export { centre, database } } => {
            let store = open(&database.url).await?;
            let centre = centre_or_first(store.as_ref(), centre).await?;
            print!("{}", banshi_domain::hall::hall_toml(&store.hall(&centre).await?));
        }
        Command::Staff { command: StaffCommand::Add { username, name, badge, role, centre, database } } => {
            let store = open(&database.url).await?;
            let centre_code = centre_or_first(store.as_ref(), centre).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            match banshi_domain::staff::password_weakness(password, &username) {
                Some(banshi_domain::staff::PasswordWeakness::TooShort) => bail!("the password (read from standard input) needs at least {} characters", banshi_domain::staff::MIN_PASSWORD_CHARS),
                Some(_) => bail!("the password (read from standard input) is too common, a run or a repeat, or holds the username: choose another"),
                None => {}
            }
            let staff = NewStaff { department: String::new(), username, name, badge_number: badge, role, centre_code, password_hash: banshi_web::hash_password(password) };
            let created = store.create_staff(&Actor::system("cli"), &staff).await?;
            println!("added {} ({}, {})", created.username, created.name, created.role);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The centre named, which must exist, or the database's first.
async fn centre_or_first(store: &dyn Store, named: Option<String>) -> anyhow::Result<String> {
    match named {
        Some(code) => Ok(store.centre(&code).await?.with_context(|| format!("no centre {code} in this database: `banshi centre set` makes it"))?.code),
        None => Ok(store.default_centre().await?.context("no centre in this database: `banshi centre set` makes it")?.code),
    }
}

async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = connect(url).await.with_context(|| format!("cannot open the database {}", redact(url)))?;
    if let Some(wanted) = WANTED_CRYPTO.get() {
        let kept = store.choose_crypto_suite(*wanted).await?;
        if kept != *wanted {
            bail!("this installation seals with the {} algorithms ({}), chosen when it was set up; --crypto {} cannot change them", kept.as_str(), kept.algorithms(), wanted.as_str());
        }
    }
    Ok(store)
}

/// A URL fit for logs: no password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}

async fn listen(bind: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))
}

/// An SQLite database's file, from its URL; none for PostgreSQL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    (!url.starts_with("postgres://") && !url.starts_with("postgresql://")).then(|| PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
}

/// The lock file beside an SQLite database, held for as long as it lives: one server at a time,
/// and no restore or key rotation under a running one. PostgreSQL has no file to hold.
enum Owner {
    Held(#[allow(dead_code)] std::fs::File),
    InUse,
    Shared,
}

impl Owner {
    fn of(url: &str) -> anyhow::Result<Owner> {
        let Some(path) = sqlite_path(url) else { return Ok(Owner::Shared) };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let lock = path.with_extension("lock");
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock).with_context(|| format!("cannot open {}", lock.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Owner::Held(file)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(Owner::InUse),
            Err(std::fs::TryLockError::Error(err)) => Err(err).with_context(|| format!("cannot lock {}", lock.display())),
        }
    }

    /// Refuses when a server holds the database.
    fn unless_in_use(self, what: &str) -> anyhow::Result<Owner> {
        match self {
            Owner::InUse => bail!("a banshi server is using this database: stop it first ({what})"),
            other => Ok(other),
        }
    }
}

/// `banshi audit verify`: the report, and exit status 1 where a chain breaks.
async fn verify_audit(url: &str) -> anyhow::Result<()> {
    let report = open(url).await?.verify_audit_chain().await?;
    println!("{} audit entries read; {} older than the chain, not checked", report.entries, report.older_than_chain);
    for (centre, head) in &report.heads {
        println!("  chain {:<8} last hash {head}", if centre.is_empty() { "(none)" } else { centre });
    }
    match report.first_break {
        None => {
            println!("the audit log is whole: no entry was deleted or changed");
            Ok(())
        }
        Some(broken) => {
            let what = match broken.kind {
                banshi_storage::BreakKind::EntryBeforeRemoved => "the entry before it in its chain was deleted or changed",
                banshi_storage::BreakKind::EntryChanged => "the entry itself was changed",
                banshi_storage::BreakKind::EntryUnchained => "the entry was written round banshi, without its hash",
            };
            eprintln!("the audit log is broken at entry {} (centre {}): {what}", broken.id, broken.centre_code.as_deref().unwrap_or("(none)"));
            std::process::exit(1);
        }
    }
}

/// The data key that seals personal data: `BANSHI_DATA_KEY` (64 hex digits), or for an SQLite
/// database a key file beside it. It must be the key the database's sealed values were sealed
/// with (its fingerprint is stored): a missing or different key refuses to start, and a key file
/// is made only for a database with nothing sealed yet. Several instances sharing PostgreSQL
/// share one key, given.
/// The algorithms are the installation's (`--crypto` at its set-up; the standard ones else).
async fn checked_data_key(store: &dyn Store, url: &str) -> anyhow::Result<Sealer> {
    let recorded = store.data_key_fingerprint().await?;
    let sealed = store.a_sealed_value().await?;
    let suite = store.crypto_suite().await?.unwrap_or_default();
    let sealer = match std::env::var("BANSHI_DATA_KEY") {
        Ok(key) => Sealer::from_hex_with(&key, suite).map_err(|e| anyhow::anyhow!("BANSHI_DATA_KEY: {e}"))?,
        Err(_) => {
            let Some(database) = sqlite_path(url) else { bail!("set BANSHI_DATA_KEY (64 hex digits, the same on every instance) to serve from PostgreSQL") };
            let key_file = database.with_extension("key");
            if !key_file.exists() {
                if recorded.is_some() || sealed.is_some() {
                    bail!("the data key {} is missing, and this database's personal data is sealed with it: put the key back (from the backup kept with the database) or set BANSHI_DATA_KEY; a new key would leave every sealed value unreadable", key_file.display());
                }
                write_private(&key_file, &Sealer::generate_key())?;
                tracing::info!(file = %key_file.display(), "created the data key; back it up with the database");
            }
            let key = std::fs::read_to_string(&key_file).with_context(|| format!("cannot read the data key {}", key_file.display()))?;
            Sealer::from_hex_with(&key, suite).map_err(|e| anyhow::anyhow!("{}: {e}", key_file.display()))?
        }
    };
    match recorded {
        Some(fingerprint) if fingerprint == sealer.fingerprint() => {}
        Some(fingerprint) => bail!("the data key given (fingerprint {}) is not this database's (fingerprint {fingerprint}): its sealed personal data would be unreadable; start with the key it was sealed with", sealer.fingerprint()),
        None => {
            if let Some(value) = sealed {
                if sealer.open(&value).is_err() {
                    bail!("the data key given does not open this database's sealed personal data: start with the key it was sealed with");
                }
            }
            store.record_data_key_fingerprint(sealer.fingerprint(), suite).await?;
        }
    }
    tracing::info!(fingerprint = sealer.fingerprint(), algorithms = suite.algorithms(), "data key checked");
    Ok(sealer)
}

/// Seals everything anew under a new key, in one transaction, then keeps the new key: the key
/// file's old key beside it as `.key.old` (SQLite), or printed for BANSHI_DATA_KEY (PostgreSQL).
async fn rotate_key(url: &str) -> anyhow::Result<()> {
    let _owner = Owner::of(url)?.unless_in_use("then rotate the key")?;
    let store = open(url).await?;
    let old = checked_data_key(store.as_ref(), url).await?;
    let new_key = Sealer::generate_key();
    let new = Sealer::from_hex_with(&new_key, old.suite()).map_err(anyhow::Error::msg)?;
    // Written before the database changes: a crash between leaves the new key on disk.
    let staged = sqlite_path(url).map(|database| database.with_extension("key.new"));
    if let Some(staged) = &staged {
        write_private(staged, &new_key)?;
    }
    let reseal = |sealed: &str| old.open(sealed).map(|plain| new.seal(&plain));
    let count = store.reseal_all(&Actor::system("cli key rotate"), &reseal, new.fingerprint()).await?;
    match (staged, sqlite_path(url)) {
        (Some(staged), Some(database)) => {
            let key_file = database.with_extension("key");
            if key_file.exists() {
                std::fs::rename(&key_file, database.with_extension("key.old"))?;
            }
            std::fs::rename(&staged, &key_file)?;
            println!("{count} sealed values sealed anew; the new key is {} (the old one {}.old until you discard it)", key_file.display(), key_file.display());
        }
        _ => println!("{count} sealed values sealed anew. Set on every instance, then start them:\nBANSHI_DATA_KEY={new_key}"),
    }
    Ok(())
}

/// Writes a file only its owner may read.
fn write_private(path: &std::path::Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(content.as_bytes())?;
    Ok(())
}

async fn serve(listener: tokio::net::TcpListener, state: AppState, tls: Option<banshi_web::Tls>) -> anyhow::Result<()> {
    tracing::info!(address = %listener.local_addr()?, backend = state.store.backend(), tls = tls.is_some(), "banshi is serving");
    let shutdown = async {
        tokio::signal::ctrl_c().await.ok();
        tracing::info!("shutting down");
    };
    match tls {
        Some(tls) => banshi_web::serve_tls(listener, state, tls, shutdown).await?,
        None => banshi_web::serve(listener, state, shutdown).await?,
    }
    Ok(())
}

async fn catalog(command: CatalogCommand) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::Validate { file } => {
            let json = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            match parse_catalog(&json) {
                Ok(catalog) => println!("{}: valid, {} items", file.display(), catalog.items.len()),
                Err(problems) => return Ok(report(&file, &problems)),
            }
        }
        CatalogCommand::Import { file, database } => {
            let json = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let catalog = match parse_catalog(&json) {
                Ok(catalog) => catalog,
                Err(problems) => return Ok(report(&file, &problems)),
            };
            let store = open(&database.url).await?;
            store.replace_catalog(&Actor::system("cli"), &catalog).await?;
            println!("imported {} items", catalog.items.len());
        }
        CatalogCommand::Export { database } => {
            let store = open(&database.url).await?;
            println!("{}", serde_json::to_string_pretty(&store.catalog().await?)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report(file: &std::path::Path, problems: &[banshi_domain::Fault]) -> ExitCode {
    for problem in banshi_web::fault_problems(problems) {
        eprintln!("{problem}");
    }
    eprintln!("{}: {} problem(s); nothing imported", file.display(), problems.len());
    ExitCode::FAILURE
}

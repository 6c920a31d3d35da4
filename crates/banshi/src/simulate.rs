//! `banshi simulate FILE`: runs a hall scenario (docs/simulate.md) and prints the waits, queue
//! lengths and window use; `banshi bench sim`: the simulator's speed targets, and the same model
//! in SimPy beside it (benches/peers/).

use anyhow::{bail, Context};
use banshi_domain::erlang::{erlang_c, windows_needed, ServiceTarget};
use banshi_sim::stats::WaitSummary;
use banshi_sim::{simulate, Outcome, Scenario};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct SimulateCommand {
    /// The scenario, TOML (docs/simulate.md).
    file: PathBuf,
    /// Run this many days instead of the scenario's.
    #[arg(long)]
    days: Option<u32>,
    /// Use this seed instead of the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Print the results as JSON (times in minutes).
    #[arg(long)]
    json: bool,
}

/// Reads a scenario file; its problems, each with its line, make the error.
pub fn read_scenario(file: &Path) -> anyhow::Result<Scenario> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Scenario::parse(&text).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("{}: {p}", file.display())).collect();
        anyhow::anyhow!(lines.join("\n"))
    })
}

pub fn run(command: SimulateCommand) -> anyhow::Result<()> {
    let mut scenario = read_scenario(&command.file)?;
    if let Some(days) = command.days {
        if days == 0 {
            bail!("--days: at least one day");
        }
        scenario.days = days;
    }
    if let Some(seed) = command.seed {
        scenario.seed = seed;
    }
    let outcome = simulate(&scenario);
    if command.json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        print_outcome(&command.file, &outcome);
    }
    Ok(())
}

fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map_or_else(|| "—".to_string(), |[low, high]| format!("[{low:.2}, {high:.2}]"))
}

fn wait_row(name: &str, wait: &WaitSummary) -> String {
    format!(
        "{name:<10} {:>8} {:>7.2} {:>18} {:>7.2} {:>7.2} {:>18} {:>7.2} {:>8.2}",
        wait.served,
        wait.mean,
        interval(wait.mean_ci95),
        wait.p50,
        wait.p90,
        interval(wait.p90_ci95),
        wait.p95,
        wait.max
    )
}

fn print_outcome(file: &Path, outcome: &Outcome) {
    println!("banshi simulate {}: {} days, {} visitors", file.display(), outcome.days, outcome.visitors);
    println!("served {}, no-shows {}, served after closing {}, not served {}", outcome.served, outcome.no_shows, outcome.served_after_close, outcome.unserved);
    println!("\nwait in minutes (95% confidence intervals by batch means over the days)");
    println!("{:<10} {:>8} {:>7} {:>18} {:>7} {:>7} {:>18} {:>7} {:>8}", "queue", "served", "mean", "mean 95% CI", "p50", "p90", "p90 95% CI", "p95", "max");
    println!("{}", wait_row("all", &outcome.wait));
    for (id, queue) in &outcome.queues {
        println!("{}", wait_row(id, &queue.wait));
    }
    println!("\npeople waiting during opening hours");
    for (id, queue) in &outcome.queues {
        println!("{id:<10} visitors {:>8}  mean {:>6.2}  max {:>4}", queue.visitors, queue.queue_length_mean, queue.queue_length_max);
    }
    println!("\nwindows");
    for window in &outcome.windows {
        println!("window {:<4} served {:>8}  utilisation {:>5.1}%", window.id, window.served, 100.0 * window.utilisation);
    }
}

#[derive(clap::Args)]
pub struct SimBench {
    /// The reference hall (12 windows, 4 queues, a year): benches/peers/hall.toml by default.
    #[arg(long, default_value = "benches/peers/hall.toml")]
    hall: PathBuf,
    /// Customers in the M/M/c run.
    #[arg(long, default_value_t = 10_000_000)]
    customers: u64,
    /// Also run the same hall in SimPy 4 (benches/peers/simpy_hall.py; needs python3 with simpy)
    /// and print the speed ratio and both results.
    #[arg(long)]
    peer: bool,
}

/// `banshi bench sim`: the reference hall, M/M/c against Erlang C, and a day's staffing plan.
pub fn bench(options: SimBench) -> anyhow::Result<()> {
    println!("banshi bench sim: machine {} cores (one used)", std::thread::available_parallelism().map_or(1, |n| n.get()));

    let hall = read_scenario(&options.hall)?;
    simulate(&hall); // warm up
    let mut times = Vec::new();
    let mut outcome = None;
    for _ in 0..HALL_RUNS {
        let started = Instant::now();
        outcome = Some(simulate(&hall));
        times.push(started.elapsed().as_secs_f64());
    }
    let hall_times = Timings::of(times);
    let outcome = outcome.expect("at least one run");
    println!(
        "reference hall ({}): {} windows, {} queues, {} days, {} visitors: {}; wait mean {:.2} min {}, p90 {:.2}",
        options.hall.display(),
        hall.windows.len(),
        hall.queues.len(),
        hall.days,
        outcome.visitors,
        hall_times,
        outcome.wait.mean,
        interval(outcome.wait.mean_ci95),
        outcome.wait.p90
    );

    // M/M/c: c = 5, λ = 0.9/min, μ = 0.2/min.
    let theory = erlang_c(5, 0.9, 0.2).expect("a stable system").mean_wait;
    let days = (options.customers as f64 / (0.9 * 1440.0)).ceil() as u32;
    let mmc = mmc_scenario(5, 0.9, 5.0, days);
    let started = Instant::now();
    let run = simulate(&mmc);
    let seconds = started.elapsed().as_secs_f64();
    let off = (run.wait.mean - theory) / theory * 100.0;
    println!("M/M/c (c = 5, λ = 0.9/min, μ = 0.2/min): {} customers in {seconds:.2} s; mean wait {:.3} min against Erlang C {theory:.3} ({off:+.2}%)", run.visitors, run.wait.mean);

    // Staffing: 48 half hours × 20 queues by Erlang C.
    let problems: Vec<(f64, f64)> = (0..48 * 20).map(|i| (0.05 + (i % 37) as f64 * 0.03, 1.0 / (3.0 + (i % 11) as f64))).collect();
    let rounds = 100;
    let started = Instant::now();
    let mut total = 0u64;
    for _ in 0..rounds {
        total += problems.iter().map(|(arrivals, service)| u64::from(windows_needed(*arrivals, *service, ServiceTarget::default()))).sum::<u64>();
    }
    let per_plan = started.elapsed().as_secs_f64() / rounds as f64;
    println!("staffing 48 half hours × 20 queues (80% within 15 min): {:.3} ms per plan ({} windows over the day)", per_plan * 1000.0, total / rounds);

    if options.peer {
        peer(&options.hall, &hall_times, &hall)?;
    }
    Ok(())
}

/// The M/M/c hall: open around the clock, one queue, `windows` windows.
fn mmc_scenario(windows: u32, arrivals: f64, mean_service: f64, days: u32) -> Scenario {
    let weights = vec!["1"; 24].join(", ");
    let mut text = format!(
        "days = {days}\nopen = \"00:00\"\nclose = \"24:00\"\nseed = 1\nvisitors_per_day = {}\nhourly_weights = [{weights}]\n\
         [[queue]]\nid = \"A\"\nshare = 1.0\nservice = {{ dist = \"exponential\", mean = {mean_service} }}\n",
        arrivals * 1440.0
    );
    for id in 1..=windows {
        text.push_str(&format!("[[window]]\nid = {id}\nserves = [\"A\"]\n"));
    }
    Scenario::parse(&text).expect("a valid M/M/c scenario")
}

/// Runs of the reference hall timed: enough that one of them runs undisturbed on a shared machine.
const HALL_RUNS: usize = 21;

/// Run times: the fastest is the run least disturbed by the machine's other work (timeit's
/// convention), so speed ratios compare fastest with fastest; the median is shown beside it.
struct Timings {
    fastest: f64,
    median: f64,
    runs: usize,
}

impl Timings {
    fn of(mut seconds: Vec<f64>) -> Timings {
        seconds.sort_by(f64::total_cmp);
        Timings { fastest: seconds[0], median: seconds[seconds.len() / 2], runs: seconds.len() }
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1} ms fastest, {:.1} ms median of {} runs", self.fastest * 1000.0, self.median * 1000.0, self.runs)
    }
}

/// Seeds of the replications compared with SimPy: each model's mean wait over the same seeds.
const PEER_SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// Runs the SimPy model of the same hall, times it, and compares the two models' mean waits over
/// replications (their random numbers differ, so only statistically).
fn peer(hall: &Path, ours: &Timings, scenario: &Scenario) -> anyhow::Result<()> {
    let script = hall.with_file_name("simpy_hall.py");
    let mut theirs = Vec::new();
    let mut seconds = Vec::new();
    let mut version = String::new();
    for seed in PEER_SEEDS {
        let output = std::process::Command::new("python3")
            .arg(&script)
            .arg(hall)
            .arg(seed.to_string())
            .output()
            .with_context(|| format!("cannot run python3 {}", script.display()))?;
        if !output.status.success() {
            bail!("{} failed (pip install simpy==4.*): {}", script.display(), String::from_utf8_lossy(&output.stderr));
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("the SimPy model's report is not JSON")?;
        seconds.push(report["seconds"].as_f64().context("no seconds in the SimPy report")?);
        theirs.push(report["wait_mean"].as_f64().context("no wait_mean in the SimPy report")?);
        version = report["simpy"].as_str().unwrap_or("?").to_string();
    }
    let theirs_times = Timings::of(seconds);
    let ours_means: Vec<f64> = PEER_SEEDS.iter().map(|seed| simulate(&Scenario { seed: *seed, ..scenario.clone() }).wait.mean).collect();
    let (mean_a, var_a) = mean_and_variance(&ours_means);
    let (mean_b, var_b) = mean_and_variance(&theirs);
    let n = PEER_SEEDS.len() as f64;
    let t = (mean_a - mean_b) / (var_a / n + var_b / n).sqrt();
    println!(
        "SimPy {version} ({}): {theirs_times}; banshi is {:.0} times faster (fastest against fastest; {:.0} times, median against median)",
        script.display(),
        theirs_times.fastest / ours.fastest,
        theirs_times.median / ours.median
    );
    println!(
        "mean wait over seeds {PEER_SEEDS:?}: banshi {mean_a:.3} min, SimPy {mean_b:.3} min; Welch t = {t:.2} ({})",
        if t.abs() < 2.78 { "no significant difference at 95%" } else { "DIFFERENT at 95%" }
    );
    Ok(())
}

fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (mean, values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0))
}

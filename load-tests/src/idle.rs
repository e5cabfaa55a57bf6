//! The `idle` scenario: C connections, each signed in with one of a few delegate
//! sessions and subscribed to the demo meeting, held idle with keepalives; reports the
//! hub's resident memory per connection and its CPU while idle, read from /proc.

mod job;
mod pool;
pub(crate) mod worker;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{ArgGroup, Args};
use quorum_client::Http;
use serde::Serialize;

use crate::hub_process::{HubProcess, STARTED_HUB_ENV};
use crate::record::{self, Provenance};
use crate::sample::ProcessSample;
use pool::{Plan, Pool};

/// A pause before the baseline, for the hub to finish what the sign-ins started.
const BASELINE_PAUSE: Duration = Duration::from_secs(1);

/// How often the hold prints where it is.
const HOLD_REPORT_EVERY: Duration = Duration::from_secs(10);

/// `quorum-load idle`.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("hub").required(true).args(["server_pid", "start_server"])))]
pub(crate) struct IdleArgs {
    /// Connections to open.
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Measure the hub running as this process; --data names its data directory.
    #[arg(long, value_name = "PID", requires = "data")]
    server_pid: Option<u32>,
    /// Start `quorum serve --demo` on a fresh temporary data directory and measure it
    /// (with QUORUM_LIMITS__MAX_CONNECTIONS=19500, QUORUM_LIMITS__HEARTBEAT_MS=600000,
    /// RUST_LOG=warn).
    #[arg(long)]
    start_server: bool,
    /// The `quorum` binary for --start-server [default: the one beside this program].
    #[arg(long, value_name = "FILE")]
    quorum_bin: Option<PathBuf>,
    /// More environment for the started hub, such as
    /// QUORUM_LIMITS__READ_BUFFER_BYTES=1024 (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_env)]
    server_env: Vec<(String, String)>,
    /// The hub's HTTP address [default: `url` in demo.json].
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The data directory where `quorum serve --demo` wrote demo.json (with
    /// --server-pid; its one-time codes must be unused).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// How long to hold the connections idle, in seconds.
    #[arg(long, default_value_t = 60)]
    hold_secs: u64,
    /// How long to wait after the last connection before measuring, in seconds.
    #[arg(long, default_value_t = 5)]
    settle_secs: u64,
    /// Delegate sessions to sign in; connections take their tokens in turn.
    #[arg(long, default_value_t = 30)]
    sessions: usize,
    /// Connections per worker process (each worker connects from its own 127.0.0.x).
    #[arg(long, default_value_t = 2_500)]
    per_worker: usize,
    /// Handshakes in flight per worker.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// Also write the result here as JSON, with a Markdown summary beside it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The result of one run.
#[derive(Debug, Clone, Serialize)]
struct IdleResult {
    scenario: &'static str,
    /// Connections asked for.
    connections: usize,
    /// Connections welcomed (authenticated).
    connected: u64,
    /// Connections that received the meeting's snapshot: the ones held.
    subscribed: u64,
    /// Connections that failed before being subscribed.
    failed: u64,
    /// Connections still open at the end of the hold.
    open_at_end: u64,
    rss_baseline_bytes: u64,
    rss_connected_bytes: u64,
    rss_end_bytes: u64,
    /// (connected − baseline) / subscribed, from VmRSS.
    bytes_per_connection: i64,
    kib_per_connection: f64,
    /// (end − baseline) / subscribed, from VmRSS.
    bytes_per_connection_end: i64,
    rss_anon_baseline_bytes: Option<u64>,
    rss_anon_connected_bytes: Option<u64>,
    rss_anon_end_bytes: Option<u64>,
    /// (connected − baseline) / subscribed, from RssAnon.
    anon_bytes_per_connection: Option<i64>,
    /// VmHWM at the end: the peak, connection bursts included.
    rss_peak_bytes: Option<u64>,
    /// utime + stime of the hub over the hold.
    server_cpu_seconds_idle: f64,
    hold_secs: u64,
    settle_secs: u64,
    /// From the first connection to the last one tried.
    connect_secs: f64,
    /// The heartbeat the hub asked for.
    heartbeat_ms: Option<u64>,
    /// Pings sent by all connections, from connection to the end of the hold.
    pings: u64,
    sessions: usize,
    workers: usize,
    hub: HubInfo,
    /// Why connections failed (the first few distinct reasons).
    errors: Vec<String>,
    /// Why connections closed during the hold (the first few distinct reasons).
    closes: Vec<String>,
    #[serde(flatten)]
    provenance: Provenance,
}

/// Which hub was measured.
#[derive(Debug, Clone, Serialize)]
struct HubInfo {
    /// Whether this run started it.
    started: bool,
    /// Its settings from the environment, for a started hub.
    env: Vec<String>,
    /// The binary, for a started hub.
    binary: Option<PathBuf>,
}

/// Runs the scenario and reports.
pub(crate) async fn run(args: IdleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.connections > 0, "--connections must be at least 1");
    anyhow::ensure!(args.sessions > 0, "--sessions must be at least 1");
    let (hub, info) = match (args.server_pid, &args.data) {
        (Some(pid), Some(data)) => (
            HubProcess::attach(pid, data)?,
            HubInfo {
                started: false,
                env: Vec::new(),
                binary: None,
            },
        ),
        _ => {
            let binary = quorum_binary(args.quorum_bin.as_deref())?;
            let hub = HubProcess::start(&binary, &args.server_env).await?;
            let env = STARTED_HUB_ENV
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .chain(
                    args.server_env
                        .iter()
                        .map(|(key, value)| format!("{key}={value}")),
                )
                .collect();
            (
                hub,
                HubInfo {
                    started: true,
                    env,
                    binary: Some(binary),
                },
            )
        }
    };
    let measured = measure(&args, &hub, info).await;
    if measured.is_err()
        && let Some(log) = hub.log_path()
    {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if !text.is_empty() {
            crate::warn(&format!("the hub's log:\n{text}"));
        }
    }
    hub.stop().await?;
    let result = measured?;
    let json = serde_json::to_string_pretty(&result)?;
    if let Some(out) = &args.out {
        record::write(out, &result, &summary(&result))?;
    }
    print_result(&json);
    Ok(())
}

/// Signs in, takes the baseline, connects, settles, holds, and measures.
async fn measure(args: &IdleArgs, hub: &HubProcess, info: HubInfo) -> anyhow::Result<IdleResult> {
    let (http_url, ws_url) = addresses(args.url.as_deref(), hub)?;
    let tokens = sign_in(&Http::new(&http_url)?, hub, args.sessions).await?;
    tokio::time::sleep(BASELINE_PAUSE).await;
    let baseline = ProcessSample::read(hub.pid)?;

    let plan = Plan {
        ws_url,
        meeting: hub.demo()?.meeting.clone(),
        tokens,
        connections: args.connections,
        per_worker: args.per_worker,
        concurrency: args.concurrency,
    };
    let connecting = Instant::now();
    let mut pool = Pool::start(&plan.jobs()?).await?;
    let ready = pool.wait_ready(args.connections).await?;
    let connect_secs = connecting.elapsed().as_secs_f64();
    anyhow::ensure!(
        ready.counts.subscribed > 0,
        "no connection was subscribed: {}",
        ready.errors.join("; ")
    );
    crate::warn(&format!(
        "idle: {} subscribed in {connect_secs:.1} s; settling {} s, then holding {} s",
        ready.counts.subscribed, args.settle_secs, args.hold_secs
    ));
    tokio::time::sleep(Duration::from_secs(args.settle_secs)).await;
    let connected = ProcessSample::read(hub.pid)?;
    hold(hub.pid, Duration::from_secs(args.hold_secs)).await?;
    let end = ProcessSample::read(hub.pid)?;
    let workers = pool.len();
    let done = pool.finish().await?;

    let held = i64::try_from(ready.counts.subscribed).unwrap_or(i64::MAX);
    let per_connection = |before: u64, after: u64| {
        let delta =
            i64::try_from(after).unwrap_or(i64::MAX) - i64::try_from(before).unwrap_or(i64::MAX);
        delta / held
    };
    let bytes_per_connection = per_connection(baseline.rss_bytes, connected.rss_bytes);
    let cpu = end.cpu.saturating_sub(connected.cpu);
    Ok(IdleResult {
        scenario: "idle",
        connections: args.connections,
        connected: ready.counts.connected,
        subscribed: ready.counts.subscribed,
        failed: ready.counts.failed,
        open_at_end: done.counts.open,
        rss_baseline_bytes: baseline.rss_bytes,
        rss_connected_bytes: connected.rss_bytes,
        rss_end_bytes: end.rss_bytes,
        bytes_per_connection,
        kib_per_connection: round2(bytes_per_connection as f64 / 1024.0),
        bytes_per_connection_end: per_connection(baseline.rss_bytes, end.rss_bytes),
        rss_anon_baseline_bytes: baseline.rss_anon_bytes,
        rss_anon_connected_bytes: connected.rss_anon_bytes,
        rss_anon_end_bytes: end.rss_anon_bytes,
        anon_bytes_per_connection: baseline
            .rss_anon_bytes
            .zip(connected.rss_anon_bytes)
            .map(|(before, after)| per_connection(before, after)),
        rss_peak_bytes: end.rss_peak_bytes,
        server_cpu_seconds_idle: round2(cpu.as_secs_f64()),
        hold_secs: args.hold_secs,
        settle_secs: args.settle_secs,
        connect_secs: round2(connect_secs),
        heartbeat_ms: ready.heartbeat_ms,
        pings: done.counts.pings,
        sessions: plan.tokens.len(),
        workers,
        hub: info,
        errors: ready.errors,
        closes: done.closes,
        provenance: Provenance::now(),
    })
}

/// The hub's HTTP and WebSocket addresses: from --url if given, else from demo.json.
fn addresses(url: Option<&str>, hub: &HubProcess) -> anyhow::Result<(String, String)> {
    let Some(url) = url else {
        return Ok((hub.url.clone(), hub.ws_url.clone()));
    };
    let base = url.trim_end_matches('/');
    let ws_base = if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else {
        anyhow::bail!("--url must start with http:// or https://");
    };
    Ok((base.to_owned(), format!("{ws_base}/ws")))
}

/// Redeems the first `sessions` delegates' one-time codes; returns their tokens.
async fn sign_in(http: &Http, hub: &HubProcess, sessions: usize) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::with_capacity(sessions);
    for link in hub.demo()?.delegates.iter().take(sessions) {
        let session = http.redeem(&link.code).await.with_context(|| {
            format!(
                "cannot sign in delegate {} (each code works once: \
                 restart the hub with --demo for fresh ones)",
                link.member.as_deref().unwrap_or("?")
            )
        })?;
        tokens.push(session.token);
    }
    anyhow::ensure!(!tokens.is_empty(), "demo.json lists no delegate");
    Ok(tokens)
}

/// Waits out the hold, saying where it is every few seconds.
async fn hold(pid: u32, length: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while let Some(left) = length.checked_sub(started.elapsed()) {
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(left.min(HOLD_REPORT_EVERY)).await;
        let sample = ProcessSample::read(pid)?;
        crate::warn(&format!(
            "idle: holding {:.0}/{} s, hub RSS {:.1} MiB",
            started.elapsed().as_secs_f64().min(length.as_secs_f64()),
            length.as_secs(),
            sample.rss_bytes as f64 / 1_048_576.0
        ));
    }
    Ok(())
}

/// The hub binary: as given, else `quorum` beside this program (both are in
/// target/release after `cargo build --release -p quorum -p quorum-load`).
pub(crate) fn quorum_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(given) = given {
        return Ok(given.to_owned());
    }
    let program = std::env::current_exe().context("cannot find this program")?;
    Ok(program.with_file_name("quorum"))
}

pub(crate) fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[allow(clippy::print_stdout, reason = "the result is the command's output")]
pub(crate) fn print_result(json: &str) {
    println!("{json}");
}

/// The Markdown summary written beside the JSON result.
fn summary(result: &IdleResult) -> String {
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / 1_048_576.0);
    let anon = match result.anon_bytes_per_connection {
        Some(bytes) => format!("{bytes} B ({:.2} KiB)", bytes as f64 / 1024.0),
        None => "n/a".to_owned(),
    };
    format!(
        "# idle: {connections} connections\n\n\
         {date}, commit {commit}, {cpus} CPUs; hub {hub}.\n\n\
         | figure | value |\n\
         |---|---|\n\
         | connected / subscribed / failed / open at the end \
         | {connected} / {subscribed} / {failed} / {open} |\n\
         | hub RSS: baseline → connected → end of hold | {baseline} → {after} → {end} |\n\
         | **memory per idle connection (VmRSS)** | **{bytes} B ({kib:.2} KiB)** |\n\
         | memory per idle connection (RssAnon) | {anon} |\n\
         | hub CPU during the {hold} s hold | {cpu:.2} s |\n\
         | connecting took | {connect:.1} s |\n",
        connections = result.connections,
        date = result.provenance.date,
        commit = result.provenance.git_commit.as_deref().unwrap_or("unknown"),
        cpus = result.provenance.machine.cpus,
        hub = if result.hub.started {
            format!("started with {}", result.hub.env.join(" "))
        } else {
            "given by pid".to_owned()
        },
        connected = result.connected,
        subscribed = result.subscribed,
        failed = result.failed,
        open = result.open_at_end,
        baseline = mib(result.rss_baseline_bytes),
        after = mib(result.rss_connected_bytes),
        end = mib(result.rss_end_bytes),
        bytes = result.bytes_per_connection,
        kib = result.kib_per_connection,
        hold = result.hold_secs,
        cpu = result.server_cpu_seconds_idle,
        connect = result.connect_secs,
    )
}

//! The hub under test: a `quorum serve --demo` started on a fresh temporary data
//! directory (or a cluster node without the demo), or a running one given by its
//! process id and data directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::process::{Child, Command};

use crate::demo::DemoFile;

/// Settings the load generator gives a hub it starts: room for every connection, and
/// keepalives rare enough that pings do not dominate an idle hold.
pub(crate) const STARTED_HUB_ENV: [(&str, &str); 3] = [
    ("QUORUM_LIMITS__MAX_CONNECTIONS", "19500"),
    ("QUORUM_LIMITS__HEARTBEAT_MS", "600000"),
    ("RUST_LOG", "warn"),
];

/// How long a started hub may take to seed the demo and write demo.json.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a graceful stop may take before the hub is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// The hub process being measured.
#[derive(Debug)]
pub(crate) struct HubProcess {
    /// Its process id, for /proc.
    pub(crate) pid: u32,
    /// Its HTTP address.
    pub(crate) url: String,
    /// Its WebSocket address.
    pub(crate) ws_url: String,
    /// Its demo meeting and sign-in codes, if started with `--demo`.
    demo: Option<DemoFile>,
    /// The hub, if this run started it.
    child: Option<Child>,
    /// The started hub's temporary directory (data and log), removed at the end.
    scratch: Option<tempfile::TempDir>,
}

impl HubProcess {
    /// Starts `binary serve --demo` on a free port of 127.0.0.1 and a fresh data
    /// directory, with [`STARTED_HUB_ENV`] and then `extra_env`, and waits for demo.json.
    pub(crate) async fn start(
        binary: &Path,
        extra_env: &[(String, String)],
    ) -> anyhow::Result<HubProcess> {
        HubProcess::start_node(binary, extra_env, true).await
    }

    /// Starts `binary serve` as [`HubProcess::start`] does; without `demo`, it waits for
    /// `/healthz` instead of demo.json (a cluster node that shares another's store).
    pub(crate) async fn start_node(
        binary: &Path,
        extra_env: &[(String, String)],
        demo: bool,
    ) -> anyhow::Result<HubProcess> {
        let scratch = tempfile::Builder::new()
            .prefix("quorum-load-")
            .tempdir()
            .context("cannot create a temporary data directory")?;
        let data = scratch.path().join("data");
        let log_path = scratch.path().join("hub.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--data")
            .arg(&data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .args(demo.then_some("--demo"))
            .envs(STARTED_HUB_ENV)
            .envs(extra_env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = command.spawn().with_context(|| {
            format!(
                "cannot start {} (build it with `cargo build --release -p quorum`, \
                 or give --quorum-bin)",
                binary.display()
            )
        })?;
        let pid = child.id().context("the hub exited at once")?;
        let url = format!("http://127.0.0.1:{port}");
        let http = quorum_client::Http::new(&url)?;
        let started = Instant::now();
        let demo = loop {
            if let Some(status) = child.try_wait()? {
                anyhow::bail!(
                    "the hub exited ({status}) before it was ready: {}",
                    log_tail(&log_path)
                );
            }
            if demo {
                // demo.json may be half written when first seen: retry until it parses.
                if let Ok(demo) = DemoFile::read(&data) {
                    break Some(demo);
                }
            } else if http
                .get_bytes("/healthz", None)
                .await
                .is_ok_and(|response| response.status.is_success())
            {
                break None;
            }
            if started.elapsed() > START_TIMEOUT {
                anyhow::bail!(
                    "the hub was not ready in {START_TIMEOUT:?}: {}",
                    log_tail(&log_path)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        Ok(HubProcess {
            pid,
            ws_url: format!("ws://127.0.0.1:{port}/ws"),
            url,
            demo,
            child: Some(child),
            scratch: Some(scratch),
        })
    }

    /// A hub already running as process `pid`, whose `quorum serve --demo` wrote
    /// `data`/demo.json (its codes must not have been used yet).
    pub(crate) fn attach(pid: u32, data: &Path) -> anyhow::Result<HubProcess> {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            anyhow::bail!("no process {pid}");
        }
        let demo = DemoFile::read(data)?;
        Ok(HubProcess {
            pid,
            url: demo.url.clone(),
            ws_url: demo.ws_url.clone(),
            demo: Some(demo),
            child: None,
            scratch: None,
        })
    }

    /// Its demo meeting and sign-in codes.
    pub(crate) fn demo(&self) -> anyhow::Result<&DemoFile> {
        self.demo
            .as_ref()
            .context("this hub was started without --demo")
    }

    /// The started hub's log file, if this run started it.
    pub(crate) fn log_path(&self) -> Option<PathBuf> {
        self.scratch
            .as_ref()
            .map(|scratch| scratch.path().join("hub.log"))
    }

    /// Stops a hub this run started (SIGTERM, then SIGKILL after a while) and removes
    /// its data; a hub given by pid is left running.
    pub(crate) async fn stop(mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let terminated = i32::try_from(self.pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .is_some_and(|pid| {
                rustix::process::kill_process(pid, rustix::process::Signal::TERM).is_ok()
            });
        if terminated && let Ok(status) = tokio::time::timeout(STOP_TIMEOUT, child.wait()).await {
            status?;
            return Ok(());
        }
        child.kill().await?;
        Ok(())
    }
}

/// A port of 127.0.0.1 free right now (the hub binds it a moment later).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .context("cannot find a free port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

/// The end of the hub's log, to explain why it stopped.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines
        .get(lines.len().saturating_sub(10)..)
        .unwrap_or_default()
        .join("\n");
    if tail.is_empty() {
        format!("{} is empty", path.display())
    } else {
        tail
    }
}

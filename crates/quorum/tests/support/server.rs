//! `quorum serve` as a child process, for the tests that drive the real binary (the
//! crash test, the outbox, the minutes): waits until it listens and `/healthz` answers;
//! SIGTERM or SIGKILL on demand, SIGKILL on drop.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use quorum_client::Http;
use quorum_domain::{MeetingId, MemberId};
use serde::Deserialize;
use tokio::sync::oneshot;

/// How long the server may take to start.
const WAIT: Duration = Duration::from_secs(20);

/// What `quorum serve --demo` writes to DATA/demo.json (the fields the tests use).
#[derive(Debug, Deserialize)]
pub(crate) struct DemoFile {
    pub(crate) meeting: MeetingId,
    pub(crate) url: String,
    pub(crate) ws_url: String,
    pub(crate) chair: DemoLink,
    pub(crate) delegates: Vec<DemoLink>,
}

/// One invitation link of the demo.
#[derive(Debug, Deserialize)]
pub(crate) struct DemoLink {
    pub(crate) member: Option<MemberId>,
    pub(crate) code: String,
}

impl DemoFile {
    pub(crate) fn read(data: &Path) -> DemoFile {
        let text = std::fs::read_to_string(data.join("demo.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// The hub as a child process.
pub(crate) struct Server {
    child: Child,
    log: PathBuf,
}

/// How to start the binary.
struct Launch<'a> {
    data: &'a Path,
    port: u16,
    log: &'a Path,
    /// A TOML file layered over the defaults.
    config: Option<&'a Path>,
    /// Seed the demo meetings (`--demo`).
    demo: bool,
    env: &'a [(&'a str, &'a Path)],
}

/// The command line of `quorum serve` for `launch`, with no `QUORUM_*` variable of the
/// test's own environment leaking in.
fn command(launch: &Launch<'_>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
    command.arg("serve");
    if let Some(config) = launch.config {
        command.arg("--config").arg(config);
    }
    command
        .arg("--data")
        .arg(launch.data)
        .arg("--listen")
        .arg(format!("127.0.0.1:{}", launch.port));
    if launch.demo {
        command.arg("--demo");
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(launch.log.with_extension("err")).unwrap())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QUORUM_") {
            command.env_remove(key);
        }
    }
    for (key, value) in launch.env {
        command.env(key, value);
    }
    command
}

impl Server {
    /// Starts `quorum serve --demo` with `config` and waits until `/healthz` answers.
    pub(crate) async fn start(data: &Path, port: u16, config: &Path, log: &Path) -> Server {
        Server::start_with(data, port, config, log, &[]).await
    }

    /// Like [`Server::start`], with extra environment variables.
    pub(crate) async fn start_with(
        data: &Path,
        port: u16,
        config: &Path,
        log: &Path,
        env: &[(&str, &Path)],
    ) -> Server {
        Server::launch(Launch {
            data,
            port,
            log,
            config: Some(config),
            demo: true,
            env,
        })
        .await
    }

    /// Starts `quorum serve --demo` on its defaults.
    pub(crate) async fn demo(data: &Path, port: u16, log: &Path) -> Server {
        Server::launch(Launch {
            data,
            port,
            log,
            config: None,
            demo: true,
            env: &[],
        })
        .await
    }

    /// Starts `quorum serve` on its defaults, without the demo.
    pub(crate) async fn plain(data: &Path, port: u16, log: &Path) -> Server {
        Server::launch(Launch {
            data,
            port,
            log,
            config: None,
            demo: false,
            env: &[],
        })
        .await
    }

    async fn launch(launch: Launch<'_>) -> Server {
        let log = launch.log;
        let port = launch.port;
        let mut child = command(&launch).spawn().unwrap();
        let listening = copy_log(child.stdout.take().unwrap(), log.to_owned());
        let mut server = Server {
            child,
            log: log.to_owned(),
        };
        match tokio::time::timeout(WAIT, listening).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => panic!("the hub exited before listening:\n{}", server.log_text()),
            Err(_) => panic!("the hub did not listen in time:\n{}", server.log_text()),
        }
        let health = Http::new(&format!("http://127.0.0.1:{port}"))
            .unwrap()
            .get_bytes("/healthz", None)
            .await;
        match health {
            Ok(response) if response.status.is_success() => {}
            other => panic!("/healthz did not answer: {other:?}\n{}", server.log_text()),
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the hub exited:\n{}",
            server.log_text()
        );
        server
    }

    /// Runs the binary expecting it to refuse to start; returns what it printed.
    pub(crate) fn refuses_to_start(data: &Path, port: u16, config: &Path, log: &Path) -> String {
        let mut command = command(&Launch {
            data,
            port,
            log,
            config: Some(config),
            demo: true,
            env: &[],
        });
        command.stdout(Stdio::null());
        let mut child = command.spawn().unwrap();
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(!status.success(), "the hub should have refused to start");
                break;
            }
            if started.elapsed() > WAIT {
                let _ = child.kill();
                panic!("the hub started with a bad configuration");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
    }

    /// SIGTERM (a graceful stop); returns whether it exited successfully within `limit`.
    pub(crate) fn terminate(&mut self, limit: Duration) -> bool {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// SIGKILL, and waits for the process to be gone.
    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// What the hub logged (on stdout) and reported (on stderr).
    pub(crate) fn log_text(&self) -> String {
        let out = std::fs::read_to_string(&self.log).unwrap_or_default();
        let err = std::fs::read_to_string(self.log.with_extension("err")).unwrap_or_default();
        format!("{out}{err}")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies the hub's log lines to `path` on a thread of its own; resolves when the hub
/// says it listens, or fails if it exits first.
fn copy_log(stdout: std::process::ChildStdout, path: PathBuf) -> oneshot::Receiver<()> {
    let (listening, receiver) = oneshot::channel();
    std::thread::spawn(move || {
        let mut listening = Some(listening);
        let mut file = std::fs::File::create(path).unwrap();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(file, "{line}");
            if line.contains("quorum hub listening")
                && let Some(listening) = listening.take()
            {
                let _ = listening.send(());
            }
        }
    });
    receiver
}

/// A port that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

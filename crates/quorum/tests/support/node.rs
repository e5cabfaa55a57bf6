//! The nodes of a cluster as child processes: `quorum serve --config NODE.toml` on one
//! PostgreSQL and one Redis, each with its own port and data directory, sharing a
//! documents directory (or one embedded node on SQLite); the admin commands on the same
//! store; and the nodes' logs for a failed test's report.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quorum_client::Http;

/// How long a node may take to answer `/healthz`, then `/readyz`.
const START_LIMIT: Duration = Duration::from_secs(30);
/// How long an admin command may take.
const ADMIN_LIMIT: Duration = Duration::from_secs(60);
/// How much of each log a failed test prints.
const TAIL_BYTES: u64 = 6_000;

/// Where the cluster keeps its state: the store, the fan-out, and the channel prefix.
#[derive(Debug, Clone)]
pub(crate) struct Backends {
    /// A PostgreSQL config string (`host=… port=… user=… dbname=…`).
    pub(crate) postgres: String,
    /// `redis://host:port/`.
    pub(crate) redis: String,
    /// The prefix of every Redis channel and key of this cluster.
    pub(crate) prefix: String,
}

/// Nodes of one cluster, not all necessarily running.
#[derive(Debug)]
pub(crate) struct Cluster {
    pub(crate) nodes: Vec<Node>,
    /// Where the admin commands find the store: a configuration and a data directory.
    admin: (PathBuf, PathBuf),
    /// Every node's directory; removed with the cluster.
    _root: tempfile::TempDir,
}

/// One `quorum serve` process.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) port: u16,
    config: PathBuf,
    data: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Cluster {
    /// Writes the configuration of `count` nodes (`n1`, `n2`, …) and of the admin
    /// commands; starts nothing.
    pub(crate) fn configure(backends: &Backends, count: usize) -> Cluster {
        let root = tempfile::Builder::new()
            .prefix("quorum-cluster-")
            .tempdir()
            .unwrap();
        let documents = root.path().join("shared-docs");
        std::fs::create_dir_all(&documents).unwrap();
        for name in ["admin".to_owned()]
            .into_iter()
            .chain((1..=count).map(|index| format!("n{index}")))
        {
            let dir = root.path().join(&name);
            std::fs::create_dir_all(dir.join("data")).unwrap();
            let toml = node_toml(backends, &documents, &name);
            std::fs::write(dir.join("node.toml"), toml).unwrap();
        }
        let nodes = (1..=count)
            .map(|index| {
                let dir = root.path().join(format!("n{index}"));
                Node {
                    name: format!("n{index}"),
                    port: free_port(),
                    config: dir.join("node.toml"),
                    data: dir.join("data"),
                    log: dir.join("serve.log"),
                    child: None,
                }
            })
            .collect();
        let admin = root.path().join("admin");
        Cluster {
            nodes,
            admin: (admin.join("node.toml"), admin.join("data")),
            _root: root,
        }
    }

    /// One node in the embedded mode (SQLite in its data directory, no Redis), with the
    /// admin commands on the same directory and `limits` (TOML lines) added to its
    /// `[limits]`; starts nothing.
    pub(crate) fn embedded(limits: &str) -> Cluster {
        let root = tempfile::Builder::new()
            .prefix("quorum-embedded-")
            .tempdir()
            .unwrap();
        let dir = root.path().join("n1");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let toml = format!("{EMBEDDED_TOML}{limits}\n");
        std::fs::write(dir.join("node.toml"), toml).unwrap();
        let node = Node {
            name: "n1".to_owned(),
            port: free_port(),
            config: dir.join("node.toml"),
            data: dir.join("data"),
            log: dir.join("serve.log"),
            child: None,
        };
        Cluster {
            admin: (node.config.clone(), node.data.clone()),
            nodes: vec![node],
            _root: root,
        }
    }

    /// Starts every node at once and waits until each is ready.
    pub(crate) async fn start_all(&mut self) {
        for node in &mut self.nodes {
            node.spawn();
        }
        for index in 0..self.nodes.len() {
            let waited = self.nodes[index].wait_ready().await;
            if let Err(error) = waited {
                panic!("{error}\n{}", self.log_tails());
            }
        }
    }

    /// Runs `quorum ARGS --config admin.toml --data DIR` against the cluster's store;
    /// returns what it printed. It must succeed.
    pub(crate) async fn admin(&self, args: &[&str]) -> String {
        let (config, data) = &self.admin;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .args(args)
            .arg("--config")
            .arg(config)
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        scrub_environment(command.as_std_mut());
        let output = tokio::time::timeout(ADMIN_LIMIT, command.output())
            .await
            .unwrap_or_else(|_| panic!("`quorum {}` took over {ADMIN_LIMIT:?}", args[0]))
            .unwrap();
        assert!(
            output.status.success(),
            "`quorum {}` failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Every node's `ws://…/ws`.
    pub(crate) fn ws_urls(&self) -> Vec<String> {
        self.nodes.iter().map(Node::ws_url).collect()
    }

    /// The end of every node's log, for a failed test's report.
    pub(crate) fn log_tails(&self) -> String {
        log_tails(&self.log_paths())
    }

    /// Every node's log files, to print after a failure (see [`LogsOnFailure`]).
    pub(crate) fn log_paths(&self) -> Vec<PathBuf> {
        self.nodes
            .iter()
            .flat_map(|node| [node.log.clone(), node.log.with_extension("err")])
            .collect()
    }
}

impl Node {
    /// `ws://127.0.0.1:PORT/ws`.
    pub(crate) fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    /// The node's data directory.
    pub(crate) fn data(&self) -> &Path {
        &self.data
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Whether the process runs.
    pub(crate) fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| child.try_wait().ok().flatten().is_none())
    }

    /// Starts the node again on its port and data directory, and waits until it is ready.
    pub(crate) async fn restart(&mut self) -> Result<(), String> {
        self.kill();
        self.spawn();
        self.wait_ready().await
    }

    /// SIGKILL, and waits until the process is gone.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `/readyz`'s status code and body now (0 if the node does not answer).
    pub(crate) async fn readiness(&self) -> (u16, String) {
        let http = Http::new(&self.http_url())
            .unwrap()
            .with_timeout(Duration::from_secs(2));
        match http.get_bytes("/readyz", None).await {
            Ok(response) => (
                response.status.as_u16(),
                String::from_utf8_lossy(&response.body).into_owned(),
            ),
            Err(error) => (0, error.to_string()),
        }
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let errors = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log.with_extension("err"))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .arg("serve")
            .arg("--config")
            .arg(&self.config)
            .arg("--data")
            .arg(&self.data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(errors)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1");
        scrub_environment(&mut command);
        self.child = Some(command.spawn().unwrap());
    }

    /// Waits until `/healthz` answers, then until `/readyz` says 200.
    async fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let http = Http::new(&self.http_url())
            .unwrap()
            .with_timeout(Duration::from_secs(2));
        for path in ["/healthz", "/readyz"] {
            loop {
                if !self.is_running() {
                    return Err(format!("node {} exited before {path} answered", self.name));
                }
                let response = http.get_bytes(path, None).await;
                if matches!(&response, Ok(response) if response.status.is_success()) {
                    break;
                }
                if started.elapsed() > START_LIMIT {
                    return Err(format!(
                        "node {}: {path} did not answer 200 within {START_LIMIT:?}: {response:?}",
                        self.name
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Prints the nodes' logs if the test panics while it is alive.
#[derive(Debug)]
pub(crate) struct LogsOnFailure(pub(crate) Vec<PathBuf>);

impl Drop for LogsOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            #[allow(clippy::print_stderr, reason = "a failed test's report")]
            {
                eprintln!("{}", log_tails(&self.0));
            }
        }
    }
}

/// The embedded node's configuration: the defaults (SQLite in the data directory), with
/// the same allowances as a cluster node's.
const EMBEDDED_TOML: &str = "allow_missing_origin = true\n\n[limits]\noutbound_queue = 4096\n";

/// The node's configuration; the binary refuses unknown keys, so this is also what the
/// cluster mode accepts.
fn node_toml(backends: &Backends, documents: &Path, node: &str) -> String {
    let quoted = |text: &str| serde_json::to_string(text).unwrap();
    format!(
        "allow_missing_origin = true\n\
         \n\
         [limits]\n\
         # The test's devices share two cores with three nodes: one is slow here only\n\
         # because the machine is, not because it stopped reading.\n\
         outbound_queue = 4096\n\
         \n\
         [store]\n\
         backend = \"postgres\"\n\
         postgres = {}\n\
         \n\
         [documents]\n\
         path = {}\n\
         \n\
         [cluster]\n\
         node = {}\n\
         redis = {}\n\
         prefix = {}\n",
        quoted(&backends.postgres),
        quoted(&documents.to_string_lossy()),
        quoted(node),
        quoted(&backends.redis),
        quoted(&backends.prefix),
    )
}

/// No `QUORUM_*` variable of the test's own environment leaks into a node.
fn scrub_environment(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QUORUM_") {
            command.env_remove(key);
        }
    }
}

fn log_tails(paths: &[PathBuf]) -> String {
    let mut out = String::new();
    for path in paths {
        let Ok(mut file) = std::fs::File::open(path) else {
            continue;
        };
        let length = file.metadata().map_or(0, |metadata| metadata.len());
        if length == 0 {
            continue;
        }
        let _ = file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)));
        let mut tail = Vec::new();
        let _ = file.read_to_end(&mut tail);
        out.push_str(&format!(
            "----- {} (last {} of {length} bytes) -----\n{}\n",
            path.display(),
            tail.len(),
            String::from_utf8_lossy(&tail)
        ));
    }
    out
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

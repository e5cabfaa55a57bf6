//! The machine's PostgreSQL, with a fresh database per test, and private PostgreSQL
//! servers in a temp dir for the tests that stop, kill and restart their database.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers: a setup that fails should stop the test with a clear message"
)]

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};

/// The machine's PostgreSQL when `QUORUM_TEST_POSTGRES` does not say otherwise: the
/// Debian cluster on the usual port, which trusts local TCP connections.
const DEFAULT_URL: &str = "host=127.0.0.1 port=5432 user=root dbname=postgres";

/// How long a private server may take to accept connections after it is started.
const READY_DEADLINE: Duration = Duration::from_secs(30);

/// The config string of the machine's PostgreSQL, for a role that may create databases:
/// `QUORUM_TEST_POSTGRES` (libpq key/value or `postgres://` URL) or this machine's
/// default.
pub fn machine_url() -> String {
    std::env::var("QUORUM_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

/// A database of its own for one test, on the machine's PostgreSQL, named
/// `quorum_test_<random hex>`. Dropping it drops the database, closing whatever
/// connections are still open to it.
#[derive(Debug)]
pub struct FreshDatabase {
    admin_url: String,
    name: String,
}

impl FreshDatabase {
    /// Creates the database.
    ///
    /// # Panics
    ///
    /// If the machine's PostgreSQL cannot be reached or refuses to create it.
    pub async fn create() -> Self {
        let admin_url = machine_url();
        let name = format!("quorum_test_{}", random_hex());
        let client = connect(&admin_url).await.unwrap_or_else(|error| {
            panic!(
                "cannot reach the machine's PostgreSQL at {admin_url:?} (set \
                 QUORUM_TEST_POSTGRES to another): {error}"
            )
        });
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|error| panic!("cannot create database {name}: {error:?}"));
        Self { admin_url, name }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The config string (libpq key/value form) for this database.
    pub fn url(&self) -> String {
        with_dbname(&self.admin_url, &self.name)
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on from within:
        // a helper thread with a runtime of its own does the (best effort) cleanup.
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(client) = connect(&admin_url).await {
                    let _ = client.batch_execute(&statement).await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// A PostgreSQL server of its own for one test: a fresh cluster (initdb, trust
/// authentication, superuser `postgres`) in a temp dir, listening on a free port of
/// 127.0.0.1. Fault tests stop, kill and restart it; dropping it kills it and removes
/// the directory.
///
/// PostgreSQL refuses to run as root. When the tests run as root (as on these
/// machines and in CI), the server runs as the `postgres` system user, whose
/// directory the temp dir is handed to; otherwise it runs as the current user.
/// `fsync` stays on so that a commit means what it means in production: measured
/// here, a group commit still takes only about a millisecond.
#[derive(Debug)]
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
    owner: Option<Owner>,
    server: Option<Child>,
}

/// The system user that owns and runs the cluster.
#[derive(Debug, Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
}

impl PrivatePostgres {
    /// Creates the cluster and starts the server, returning once it accepts
    /// connections.
    ///
    /// # Panics
    ///
    /// If `initdb` or `postgres` cannot be run (they must be on `PATH`), or the server
    /// does not come up within 30 s (the message carries its log).
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("quorum-pg-")
            .tempdir()
            .expect("a temp dir for PostgreSQL");
        let owner = if rustix::process::getuid().is_root() {
            let owner = postgres_user();
            std::os::unix::fs::chown(dir.path(), Some(owner.uid), Some(owner.gid))
                .expect("hand the temp dir to the postgres user");
            Some(owner)
        } else {
            None
        };
        let mut server = Self {
            port: free_port(),
            dir,
            owner,
            server: None,
        };
        let output = server
            .command("initdb")
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8"])
            .args(["--locale=C", "--no-sync", "--pgdata"])
            .arg(server.data_dir())
            .output()
            .await
            .expect("run initdb (is PostgreSQL's bin directory on PATH?)");
        assert!(
            output.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        server.restart().await;
        server
    }

    /// The config string for the server's `postgres` database.
    pub fn url(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    /// The port the server listens on (the same across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the server is running (started and not stopped or killed).
    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// Stops the server with a fast shutdown (SIGINT to the postmaster, which is what
    /// `pg_ctl stop -m fast` sends): open transactions roll back, clients are
    /// disconnected, a checkpoint is written. Returns once the postmaster has exited.
    pub async fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            if let Some(pid) = pid_of(&server) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
            }
            let exited = tokio::time::timeout(READY_DEADLINE, server.wait()).await;
            if exited.is_err() {
                let _ = server.kill().await;
                panic!("PostgreSQL did not stop within 30 s:\n{}", self.log());
            }
        }
    }

    /// Kills the server as a crash of its host would: SIGKILL to the postmaster and
    /// every backend at once (its process group), so no client gets a goodbye and the
    /// next start runs crash recovery. Returns once the postmaster is gone.
    pub async fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            kill_group(&server);
            let _ = server.kill().await;
        }
    }

    /// Starts the server again on the same data and port (stopping it first if it is
    /// running), returning once it accepts connections.
    ///
    /// # Panics
    ///
    /// If it does not come up within 30 s.
    pub async fn restart(&mut self) {
        self.stop().await;
        let deadline = Instant::now() + READY_DEADLINE;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("open the server log");
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(self.data_dir())
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            // Only the postmaster's own process group, so that `kill` reaches every
            // backend and nothing else.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log file"))
            .stderr(log)
            .kill_on_drop(true);
        let mut server = command.spawn().expect("start postgres");
        let url = self.url();
        loop {
            if let Ok(Some(status)) = server.try_wait() {
                // A killed cluster can briefly refuse to start while its old backends
                // still hold the shared memory; try again until the deadline.
                if Instant::now() >= deadline {
                    panic!("postgres exited with {status}:\n{}", self.log());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                server = command.spawn().expect("start postgres");
                continue;
            }
            if connect(&url).await.is_ok() {
                break;
            }
            if Instant::now() >= deadline {
                kill_group(&server);
                panic!(
                    "PostgreSQL did not accept connections on port {} within 30 s:\n{}",
                    self.port,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.server = Some(server);
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The cluster's data directory (the secrecy test reads every file in it).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// A command for one of PostgreSQL's programs, run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        if let Some(owner) = self.owner {
            command.uid(owner.uid).gid(owner.gid);
        }
        command.current_dir(self.dir.path());
        command
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            kill_group(server);
        }
    }
}

/// SIGKILLs the process group led by `server`'s postmaster.
fn kill_group(server: &Child) {
    if let Some(pid) = pid_of(server) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// The process id of a child that has not been reaped yet.
fn pid_of(child: &Child) -> Option<rustix::process::Pid> {
    child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw)
}

/// The `postgres` system user, from `/etc/passwd`.
fn postgres_user() -> Owner {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            if fields.next() != Some("postgres") {
                return None;
            }
            let uid = fields.nth(1)?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            Some(Owner { uid, gid })
        })
        .expect(
            "running as root, and PostgreSQL refuses to run as root: a `postgres` system \
             user is needed (the Debian package creates it)",
        )
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("the bound address").port()
}

fn random_hex() -> String {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// Connects once, with a short timeout, keeping the connection driven in the background.
async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config = Config::from_str(url)?;
    config.connect_timeout(Duration::from_secs(2));
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// `url` rewritten in key/value form for database `dbname`.
fn with_dbname(url: &str, dbname: &str) -> String {
    let config = Config::from_str(url)
        .unwrap_or_else(|error| panic!("cannot parse the PostgreSQL config {url:?}: {error}"));
    let mut parts = Vec::new();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path_text(path),
        })
        .collect();
    if !hosts.is_empty() {
        parts.push(format!("host={}", quote(&hosts.join(","))));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        parts.push(format!("port={}", ports.join(",")));
    }
    if let Some(user) = config.get_user() {
        parts.push(format!("user={}", quote(user)));
    }
    if let Some(password) = config.get_password() {
        parts.push(format!(
            "password={}",
            quote(&String::from_utf8_lossy(password))
        ));
    }
    parts.push(format!("dbname={}", quote(dbname)));
    parts.join(" ")
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A value quoted for a libpq key/value string.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_rewritten_for_another_database() {
        assert_eq!(
            with_dbname("host=127.0.0.1 port=5432 user=root dbname=postgres", "x"),
            "host='127.0.0.1' port=5432 user='root' dbname='x'"
        );
        assert_eq!(
            with_dbname("postgres://me:p'w@db.local:6543/postgres", "quorum_test_1"),
            "host='db.local' port=6543 user='me' password='p\\'w' dbname='quorum_test_1'"
        );
    }
}

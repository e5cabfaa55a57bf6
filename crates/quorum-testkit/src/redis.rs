//! The machine's Redis (`QUORUM_TEST_REDIS`, else the local default), shared by tests
//! that each take a fresh channel and key prefix; and private `redis-server` processes on
//! free ports that fault tests may kill, restart, and cut the subscribers of.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    reason = "test support: a panic is a failed test"
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;

/// The machine's Redis when `QUORUM_TEST_REDIS` does not say otherwise.
const DEFAULT_URL: &str = "redis://127.0.0.1:6379/";

/// How long a private server may take to answer `PING` after it is started.
const READY_DEADLINE: Duration = Duration::from_secs(10);

/// The machine's Redis: `QUORUM_TEST_REDIS`, or `redis://127.0.0.1:6379/`.
pub fn machine_url() -> String {
    std::env::var("QUORUM_TEST_REDIS")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

/// A random key and channel prefix such as `qt-3f9a0c1b7e22`, so that tests sharing one
/// Redis never see each other's channels.
pub fn fresh_prefix() -> String {
    let mut bytes = [0_u8; 6];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().fold(String::from("qt-"), |mut prefix, byte| {
        let _ = write!(prefix, "{byte:02x}");
        prefix
    })
}

/// A `redis-server` of its own for one test, on a free port of 127.0.0.1, without
/// persistence (`--save ''`, no append-only file): a restart comes back empty, as a
/// Redis that lost its memory would. Dropping it kills it and removes its directory.
#[derive(Debug)]
pub struct PrivateRedis {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<Child>,
}

impl PrivateRedis {
    /// Starts the server, returning once it answers `PING`.
    ///
    /// # Panics
    ///
    /// If `redis-server` cannot be run (it must be on `PATH`), or does not answer within
    /// 10 s (the message carries its log).
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("quorum-redis-")
            .tempdir()
            .expect("a temp dir for Redis");
        let mut server = Self {
            dir,
            port: free_port(),
            server: None,
        };
        server.restart().await;
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port the server listens on (the same across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the server is running (started and not killed).
    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// SIGKILL: every connection drops at once, with no goodbye. Returns once the
    /// process is gone.
    pub async fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill().await;
        }
    }

    /// Starts the server again on the same port (killing it first if it is running),
    /// returning once it answers `PING`. It comes back empty.
    ///
    /// # Panics
    ///
    /// If it does not answer within 10 s (such as when another process took the port
    /// meanwhile).
    pub async fn restart(&mut self) {
        self.kill().await;
        let deadline = Instant::now() + READY_DEADLINE;
        let mut server = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(self.log_path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run redis-server (is it on PATH?): {error}"));
        let url = self.url();
        loop {
            if ping(&url).await {
                break;
            }
            if let Ok(Some(status)) = server.try_wait() {
                panic!(
                    "redis-server on port {} exited with {status}:\n{}",
                    self.port,
                    self.log()
                );
            }
            if Instant::now() >= deadline {
                let _ = server.kill().await;
                panic!(
                    "redis-server did not answer PING on port {} within 10 s:\n{}",
                    self.port,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.server = Some(server);
    }

    /// `CLIENT KILL TYPE pubsub` through a normal connection: cuts the connection of
    /// every subscriber (RESP2 and RESP3 alike), as a proxy or a network blip would.
    /// Returns how many were cut.
    ///
    /// # Panics
    ///
    /// If the server does not answer.
    pub async fn client_kill_pubsub(&self) -> u64 {
        let mut connection = self.connection().await;
        redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("pubsub")
            .query_async(&mut connection)
            .await
            .expect("CLIENT KILL TYPE pubsub")
    }

    /// How many connections are subscribed to something now.
    ///
    /// # Panics
    ///
    /// If the server does not answer.
    pub async fn pubsub_clients(&self) -> usize {
        let mut connection = self.connection().await;
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .arg("TYPE")
            .arg("pubsub")
            .query_async(&mut connection)
            .await
            .expect("CLIENT LIST TYPE pubsub");
        list.lines().filter(|line| !line.trim().is_empty()).count()
    }

    /// A normal connection to the server.
    ///
    /// # Panics
    ///
    /// If the server does not accept it.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        let url = self.url();
        redis::Client::open(url.as_str())
            .expect("a valid redis url")
            .get_multiplexed_async_connection()
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {url}: {error}"))
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }
}

/// Whether a Redis at `url` answers `PING` within a second.
pub async fn ping(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let answer = tokio::time::timeout(Duration::from_secs(1), async {
        let mut connection = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .ok()
    })
    .await;
    matches!(answer, Ok(Some(pong)) if pong == "PONG")
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("the bound address").port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_fresh() {
        let first = fresh_prefix();
        assert!(first.starts_with("qt-") && first.len() == 15, "{first}");
        assert_ne!(first, fresh_prefix());
    }

    #[tokio::test]
    async fn a_private_redis_restarts_on_its_port_and_its_subscribers_can_be_cut() {
        let mut redis = PrivateRedis::start().await;
        let url = redis.url();
        assert!(ping(&url).await);

        let client = redis::Client::open(url.as_str()).unwrap();
        let mut subscriber = client.get_async_pubsub().await.unwrap();
        subscriber.subscribe("qt-test:meeting").await.unwrap();
        assert_eq!(redis.pubsub_clients().await, 1);
        assert_eq!(redis.client_kill_pubsub().await, 1, "the subscriber is cut");
        assert_eq!(redis.pubsub_clients().await, 0);
        assert_eq!(redis.client_kill_pubsub().await, 0, "nobody is left to cut");
        drop(subscriber);

        let port = redis.port();
        redis.kill().await;
        assert!(!redis.is_running());
        assert!(!ping(&url).await, "a killed server does not answer");
        redis.restart().await;
        assert_eq!((redis.port(), redis.url()), (port, url.clone()));
        assert!(
            ping(&url).await,
            "the restarted server answers on the same port"
        );
        redis.restart().await;
        assert!(ping(&url).await, "a running server restarts too");
        assert!(redis.log().contains("Ready to accept connections"));
    }
}

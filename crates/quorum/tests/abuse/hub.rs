//! The hub under test: `quorum serve --demo` as a child process with the limits a test
//! writes into its configuration file, its memory, its metrics, and the demo's people.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use quorum_client::{ConnectOptions, Connection, Http};
use quorum_domain::MeetingId;
use tempfile::TempDir;

use super::memory::HubMemory;
use crate::server::{DemoFile, Server, free_port};

/// How long one expected answer or event may take.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// A running hub and what a test needs of it.
pub(crate) struct AbuseHub {
    /// The child process, killed when the hub is dropped.
    _server: Server,
    pub(crate) address: SocketAddr,
    pub(crate) ws_url: String,
    pub(crate) http: Http,
    pub(crate) meeting: MeetingId,
    pub(crate) memory: HubMemory,
    demo: DemoFile,
    /// Kept for the hub's lifetime: the data directory and the logs.
    _data: TempDir,
    _logs: TempDir,
}

impl AbuseHub {
    /// Starts the hub with `limits` (TOML lines of the `[limits]` table).
    pub(crate) async fn start(limits: &str) -> AbuseHub {
        let data = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap();
        let config = logs.path().join("quorum.toml");
        std::fs::write(&config, format!("[limits]\n{limits}\n")).unwrap();
        let port = free_port();
        let server = Server::start(data.path(), port, &config, &logs.path().join("hub.log")).await;
        let demo = DemoFile::read(data.path());
        let memory = HubMemory::of(data.path());
        AbuseHub {
            _server: server,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            ws_url: demo.ws_url.clone(),
            http: Http::new(&demo.url).unwrap(),
            meeting: demo.meeting.clone(),
            memory,
            demo,
            _data: data,
            _logs: logs,
        }
    }

    /// The chair's session token.
    pub(crate) async fn chair_token(&self) -> String {
        self.http.redeem(&self.demo.chair.code).await.unwrap().token
    }

    /// The first `count` delegates' session tokens (the demo has 30).
    pub(crate) async fn delegate_tokens(&self, count: usize) -> Vec<String> {
        assert!(
            count <= self.demo.delegates.len(),
            "the demo has 30 delegates"
        );
        let mut tokens = Vec::new();
        for link in self.demo.delegates.iter().take(count) {
            tokens.push(self.http.redeem(&link.code).await.unwrap().token);
        }
        tokens
    }

    /// A signed-in connection.
    pub(crate) async fn connect(&self, token: &str) -> Connection {
        Connection::connect(&self.ws_url, &ConnectOptions::new(token))
            .await
            .unwrap()
            .0
    }

    /// The value of one line of `/metrics` (`name` with its labels as the hub writes
    /// them, such as `quorum_connections_closed_total{code="1009"}`); 0 if absent.
    pub(crate) async fn metric(&self, name: &str) -> f64 {
        let response = self.http.get_bytes("/metrics", None).await.unwrap();
        let text = String::from_utf8(response.body.to_vec()).unwrap();
        text.lines()
            .filter_map(|line| line.strip_prefix(name))
            .filter_map(|rest| rest.strip_prefix(' '))
            .find_map(|value| value.trim().parse().ok())
            .unwrap_or(0.0)
    }

    /// Waits until the hub holds exactly `count` WebSockets; panics after `within`.
    pub(crate) async fn connections_settle(&self, count: usize, within: Duration) {
        let started = Instant::now();
        loop {
            let open = self.metric("quorum_connections").await;
            if open == count as f64 {
                return;
            }
            assert!(
                started.elapsed() < within,
                "the hub still holds {open} connections, not {count}, after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Checks that the hub still serves an ordinary device: it signs in, follows the
    /// meeting and gets a pong.
    pub(crate) async fn still_serves(&self, token: &str) {
        let mut device = self.connect(token).await;
        device.subscribe(&self.meeting, None).await.unwrap();
        let round_trip = device.ping().await.unwrap();
        assert!(
            round_trip < Duration::from_secs(1),
            "slow pong: {round_trip:?}"
        );
        device.close().await.unwrap();
    }
}

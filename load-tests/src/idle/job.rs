//! What the `idle` coordinator and its worker processes say to each other: one job as a
//! JSON line on the worker's stdin, reports as JSON lines on its stdout.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// One worker's share of the connections.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    /// The hub's WebSocket address.
    pub(crate) ws_url: String,
    /// The meeting to subscribe to.
    pub(crate) meeting: String,
    /// Session tokens, used in turn (a session may hold many connections).
    pub(crate) tokens: Vec<String>,
    /// Which token the first connection uses, so that workers spread over all of them.
    pub(crate) first_token: usize,
    /// Connections to open.
    pub(crate) connections: usize,
    /// The address to connect from, such as 127.0.0.2.
    pub(crate) local_address: Option<IpAddr>,
    /// Handshakes in flight at once.
    pub(crate) concurrency: usize,
}

/// A worker's report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Report {
    /// Connections so far, every quarter second while connecting.
    Progress {
        /// The counts.
        counts: Counts,
    },
    /// Every connection has been tried; the rest are held idle.
    Ready {
        /// The counts.
        counts: Counts,
        /// The heartbeat the hub asked for in `welcome`, in milliseconds.
        heartbeat_ms: Option<u64>,
        /// Why connections failed (the first few distinct reasons).
        errors: Vec<String>,
    },
    /// The hold is over (the coordinator closed stdin); the worker exits.
    Done {
        /// The counts: `open` is what survived the hold.
        counts: Counts,
        /// Why connections closed during the hold (the first few distinct reasons).
        closes: Vec<String>,
    },
}

/// A worker's connections, by fate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Counts {
    /// Welcomed: authenticated.
    pub(crate) connected: u64,
    /// Subscribed: the snapshot of the meeting arrived.
    pub(crate) subscribed: u64,
    /// Failed before being subscribed.
    pub(crate) failed: u64,
    /// Subscribed and still open.
    pub(crate) open: u64,
    /// Pings sent.
    pub(crate) pings: u64,
}

impl Counts {
    /// The sum over workers.
    pub(crate) fn add(self, other: Counts) -> Counts {
        Counts {
            connected: self.connected + other.connected,
            subscribed: self.subscribed + other.subscribed,
            failed: self.failed + other.failed,
            open: self.open + other.open,
            pings: self.pings + other.pings,
        }
    }

    /// Connections that have finished trying, either way.
    pub(crate) fn tried(self) -> u64 {
        self.subscribed + self.failed
    }
}

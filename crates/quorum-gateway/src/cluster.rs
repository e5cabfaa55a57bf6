//! A node's link to the other nodes of a cluster: every committed append is published on
//! its stream's Redis channel, and the rooms with devices here follow their channel.
//!
//! **Invariant:** the fan-out is only a hint. PostgreSQL is the system of record, each
//! message carries the sequence numbers of its records, and a room that sees a gap, a
//! lost subscription or nothing for a while reads what it missed from the log. Redis
//! down makes delivery slower (rooms poll the log), never wrong.

mod presence;
mod redis;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use quorum_store::Record;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use crate::config::ClusterConfig;
use crate::room::RoomHandle;

/// What a message on a channel says: these records of `stream` are committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committed {
    /// The node that committed them (a node ignores its own messages).
    pub node: String,
    /// The stream, such as `meeting/hdnd-12` or `hub`.
    pub stream: String,
    /// The stream's head after them.
    pub head: u64,
    /// The records as stored (empty on the hub channel: there the head is enough).
    #[serde(default)]
    pub records: Vec<StoredRecord>,
}

/// A record as stored, on the wire between nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// Its sequence number.
    pub seq: u64,
    /// When (ms since the epoch).
    pub at: i64,
    /// The stored body.
    pub body: String,
}

impl From<&Record> for StoredRecord {
    fn from(record: &Record) -> StoredRecord {
        StoredRecord {
            seq: record.seq,
            at: record.at,
            body: record.body.clone(),
        }
    }
}

impl From<StoredRecord> for Record {
    fn from(record: StoredRecord) -> Record {
        Record {
            seq: record.seq,
            at: record.at,
            body: record.body,
        }
    }
}

/// What the hub hears from other nodes: a stream other than a followed meeting's moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubNotice {
    /// `stream` (the `hub` stream, or a meeting this node does not follow yet) is at `head`.
    Advanced {
        /// The stream.
        stream: String,
        /// Its head.
        head: u64,
    },
    /// The subscription was (re)established: messages may have been lost meanwhile.
    Resubscribed,
}

/// Whether the fan-out is working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanoutHealth {
    /// Subscribed and answering.
    Up,
    /// Redis unreachable, or the subscription lost: rooms poll the log.
    Down,
}

/// The node's side of the cluster. Cheap to clone.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClusterConfig,
    node: String,
    outgoing: mpsc::Sender<Outgoing>,
    control: mpsc::Sender<Control>,
    health: watch::Receiver<FanoutHealth>,
    queries: presence::Queries,
}

/// What the publisher writes to Redis.
#[derive(Debug)]
enum Outgoing {
    /// A message on a channel.
    Publish { channel: String, payload: String },
    /// The members with devices on this node in a meeting (empty: none).
    Presence {
        key: String,
        members: BTreeMap<String, u32>,
    },
    /// Answered once everything queued before it is written (or dropped).
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// A change to what this node follows.
#[derive(Debug)]
enum Control {
    Follow { channel: String, room: RoomHandle },
    Unfollow { channel: String },
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node", &self.inner.node)
            .finish_non_exhaustive()
    }
}

/// Messages waiting to be published; past this they are dropped (and counted): the
/// other nodes find the records in the log at their next poll.
const OUTGOING_QUEUE: usize = 16_384;
/// Follow and unfollow requests waiting for the subscriber; past this a room keeps
/// its request and asks again after its next input.
const CONTROL_QUEUE: usize = 4_096;
/// Notices waiting for the hub; past this they are dropped: the hub's poll reads the
/// log anyway.
const NOTICE_QUEUE: usize = 1_024;

impl Cluster {
    /// Starts the publisher and the subscriber on the current runtime. They connect in
    /// the background and keep reconnecting: a node starts, and serves, with Redis down.
    /// Notices for the hub arrive on the returned receiver.
    ///
    /// # Errors
    ///
    /// When the Redis address does not parse.
    pub fn start(
        config: &ClusterConfig,
    ) -> Result<(Cluster, mpsc::Receiver<HubNotice>), ClusterError> {
        let client = ::redis::Client::open(config.redis.as_str())
            .map_err(|error| ClusterError(format!("cluster.redis: {error}")))?;
        let node = if config.node.is_empty() {
            default_node_name()
        } else {
            config.node.clone()
        };
        let (outgoing, outgoing_receiver) = mpsc::channel(OUTGOING_QUEUE);
        let (control, control_receiver) = mpsc::channel(CONTROL_QUEUE);
        let (notices, notices_receiver) = mpsc::channel(NOTICE_QUEUE);
        let (health_sender, health) = watch::channel(FanoutHealth::Down);
        tokio::spawn(
            redis::Publisher {
                client: client.clone(),
                node_key: presence::node_key(&config.prefix, &node),
                node: node.clone(),
                presence: BTreeMap::new(),
            }
            .run(outgoing_receiver),
        );
        let queries = presence::Queries::new(client.clone());
        tokio::spawn(
            redis::Subscriber {
                client,
                node: node.clone(),
                hub_channel: hub_channel(&config.prefix),
                control: control_receiver,
                notices,
                health: health_sender,
            }
            .run(),
        );
        tracing::info!(node = %node, redis = %config.redis, "cluster fan-out starting");
        Ok((
            Cluster {
                inner: Arc::new(Inner {
                    config: config.clone(),
                    node,
                    outgoing,
                    control,
                    health,
                    queries,
                }),
            },
            notices_receiver,
        ))
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// Whether the fan-out works now.
    pub fn health(&self) -> FanoutHealth {
        *self.inner.health.borrow()
    }

    /// How often a room checks the log: `following` when devices here follow it.
    pub fn poll_interval(&self, following: bool) -> Duration {
        let config = &self.inner.config;
        let ms = match (following, self.health()) {
            (false, _) => config.idle_poll_ms,
            (true, FanoutHealth::Up) => config.poll_ms,
            (true, FanoutHealth::Down) => config.degraded_poll_ms,
        };
        Duration::from_millis(ms)
    }

    /// Tells the other nodes that a meeting's records are committed.
    pub fn committed_meeting(&self, stream: &str, records: &[Record]) {
        let Some(last) = records.last() else { return };
        let message = Committed {
            node: self.inner.node.clone(),
            stream: stream.to_owned(),
            head: last.seq,
            records: records.iter().map(StoredRecord::from).collect(),
        };
        self.send(meeting_channel(&self.inner.config.prefix, stream), &message);
        // A meeting's first records also tell every node that it exists.
        if records.first().is_some_and(|first| first.seq == 1) {
            self.committed_elsewhere(stream, last.seq);
        }
    }

    /// Tells every node that `stream` (the hub stream, a new meeting) is at `head`.
    pub fn committed_elsewhere(&self, stream: &str, head: u64) {
        let message = Committed {
            node: self.inner.node.clone(),
            stream: stream.to_owned(),
            head,
            records: Vec::new(),
        };
        self.send(hub_channel(&self.inner.config.prefix), &message);
    }

    fn send(&self, channel: String, message: &Committed) {
        let payload = match serde_json::to_string(message) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(%error, "cannot encode a fan-out message");
                return;
            }
        };
        if self
            .inner
            .outgoing
            .try_send(Outgoing::Publish { channel, payload })
            .is_err()
        {
            metrics::counter!(crate::telemetry::FANOUT_DROPPED).increment(1);
        }
    }

    /// Waits (up to `within`) until every message queued so far is published: a
    /// process about to exit (an administrative command) calls it, so that the nodes
    /// hear of its appends at once rather than at their next poll.
    pub async fn flush(&self, within: Duration) {
        let (done, flushed) = tokio::sync::oneshot::channel();
        if self
            .inner
            .outgoing
            .send(Outgoing::Flush(done))
            .await
            .is_ok()
        {
            let _ = tokio::time::timeout(within, flushed).await;
        }
    }

    /// Records who has devices on this node in a meeting (member → devices), for the
    /// other nodes' presence lists.
    pub fn presence(&self, stream: &str, members: BTreeMap<String, u32>) {
        let key = presence::meeting_key(&self.inner.config.prefix, stream);
        // Presence is rewritten whole on the next change and on every reconnect, so a
        // dropped update only delays it.
        let _ = self
            .inner
            .outgoing
            .try_send(Outgoing::Presence { key, members });
    }

    /// Who has devices on the other live nodes in a meeting: node → member → devices.
    /// Nodes whose heartbeat has expired (killed, cut off) are left out, and their
    /// entries removed.
    ///
    /// # Errors
    ///
    /// When Redis does not answer.
    pub async fn presence_elsewhere(
        &self,
        stream: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, u32>>, ClusterError> {
        let key = presence::meeting_key(&self.inner.config.prefix, stream);
        self.inner
            .queries
            .presence(&key, &self.inner.config.prefix, &self.inner.node)
            .await
    }

    /// Follows a meeting's channel: its messages go to `room`. `false` if the
    /// subscriber is too busy to take the request now (ask again later).
    pub fn follow(&self, stream: &str, room: RoomHandle) -> bool {
        let channel = meeting_channel(&self.inner.config.prefix, stream);
        self.inner
            .control
            .try_send(Control::Follow { channel, room })
            .is_ok()
    }

    /// Stops following a meeting's channel; `false` if the subscriber is too busy to
    /// take the request now (ask again later).
    pub fn unfollow(&self, stream: &str) -> bool {
        let channel = meeting_channel(&self.inner.config.prefix, stream);
        self.inner
            .control
            .try_send(Control::Unfollow { channel })
            .is_ok()
    }
}

/// How long a command may keep losing the race for a stream's next event to other
/// nodes before it is answered `unavailable`. Losing is normal under contention (the
/// node that just won needs no catch-up, so it tends to win again); bounding the
/// time rather than the attempts keeps a burst from failing commands that would have
/// gone through a moment later.
pub const RACE_BUDGET: Duration = Duration::from_secs(3);

/// After a few lost races in a row, waits a random moment (up to 2 ms) so that the
/// node that keeps winning lets the others through.
pub(crate) async fn after_lost_race(losses: u32) {
    if losses < 3 {
        return;
    }
    let mut byte = [0u8; 2];
    let micros = match getrandom::fill(&mut byte) {
        Ok(()) => u64::from(u16::from_le_bytes(byte) % 2_000),
        Err(_) => 1_000,
    };
    tokio::time::sleep(Duration::from_micros(micros)).await;
}

/// The cluster could not start.
#[derive(Debug, thiserror::Error)]
#[error("cluster: {0}")]
pub struct ClusterError(String);

/// A meeting stream's channel: `PREFIX:meeting/ID` (one per meeting, never a pattern).
fn meeting_channel(prefix: &str, stream: &str) -> String {
    format!("{prefix}:{stream}")
}

/// The channel every node follows: the hub stream and new meetings.
fn hub_channel(prefix: &str) -> String {
    format!("{prefix}:hub")
}

fn default_node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_default();
    let host = if host.is_empty() {
        "node".to_owned()
    } else {
        host
    };
    format!("{host}-{}", std::process::id())
}

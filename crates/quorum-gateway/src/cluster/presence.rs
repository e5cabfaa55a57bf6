//! Who is connected, across the nodes: each node records, per meeting, the members with
//! devices on it (`PREFIX:presence:meeting/<id>`, a hash whose fields are node names),
//! and keeps a heartbeat key (`PREFIX:node:<node>`) that expires when the node dies. A
//! reader counts only the nodes whose heartbeat is alive and removes the others'
//! entries, so a killed node's devices leave the list within the heartbeat's lifetime.
//!
//! Attendance (in the room or remote) is not kept here: it is the meeting's own state,
//! in the log, and the same on every node.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use tokio::sync::Mutex;

use super::ClusterError;
use super::redis::{ANSWER_WITHIN, answer};

/// How often a node renews its heartbeat.
pub(super) const HEARTBEAT_EVERY: Duration = Duration::from_secs(3);
/// How long a heartbeat lives: a node silent this long counts as gone.
pub(super) const HEARTBEAT_TTL_MS: u64 = 10_000;

/// A meeting's presence hash.
pub(super) fn meeting_key(prefix: &str, stream: &str) -> String {
    format!("{prefix}:presence:{stream}")
}

/// A node's heartbeat key.
pub(super) fn node_key(prefix: &str, node: &str) -> String {
    format!("{prefix}:node:{node}")
}

/// A connection for reading presence, made on first use and again after a failure.
pub(super) struct Queries {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
}

impl Queries {
    pub(super) fn new(client: redis::Client) -> Queries {
        Queries {
            client,
            connection: Mutex::new(None),
        }
    }

    /// The live nodes' entries of `key` other than `me`'s: node → member → devices.
    pub(super) async fn presence(
        &self,
        key: &str,
        prefix: &str,
        me: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, u32>>, ClusterError> {
        let mut connection = self.connection().await?;
        let read = self.read(&mut connection, key, prefix, me).await;
        if read.is_err() {
            // Reconnect on the next call.
            *self.connection.lock().await = None;
        }
        read.map_err(ClusterError)
    }

    async fn read(
        &self,
        connection: &mut MultiplexedConnection,
        key: &str,
        prefix: &str,
        me: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, u32>>, String> {
        let fields: BTreeMap<String, String> =
            answer(redis::cmd("HGETALL").arg(key).query_async(connection)).await?;
        let mut nodes = BTreeMap::new();
        for (node, members) in fields {
            if node == me {
                continue;
            }
            let alive: bool = answer(
                redis::cmd("EXISTS")
                    .arg(node_key(prefix, &node))
                    .query_async(connection),
            )
            .await?;
            if !alive {
                tracing::info!(%node, "a node's heartbeat has expired: its devices leave the presence list");
                answer(
                    redis::cmd("HDEL")
                        .arg(key)
                        .arg(&node)
                        .query_async::<i64>(connection),
                )
                .await?;
                continue;
            }
            match serde_json::from_str::<BTreeMap<String, u32>>(&members) {
                Ok(members) => {
                    nodes.insert(node, members);
                }
                Err(error) => tracing::warn!(%node, %error, "unreadable presence entry"),
            }
        }
        Ok(nodes)
    }

    async fn connection(&self) -> Result<MultiplexedConnection, ClusterError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let connection = tokio::time::timeout(
            ANSWER_WITHIN,
            self.client.get_multiplexed_async_connection(),
        )
        .await
        .map_err(|_| ClusterError("Redis did not answer in time".to_owned()))?
        .map_err(|error| ClusterError(error.to_string()))?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

//! The Redis side of the fan-out: one publishing connection, and one subscribing
//! connection that follows the hub channel and the channels of the meetings with
//! devices on this node (plain SUBSCRIBE, never patterns).
//!
//! Pub/sub is at most once: what is published while the subscriber reconnects is gone.
//! So every (re)subscription is followed by a catch-up from the log in every followed
//! room, and the subscriber pings Redis so that a silently dead connection is noticed.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures_util::StreamExt as _;
use redis::aio::{MultiplexedConnection, PubSubSink, PubSubStream};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout};

use super::{Committed, Control, FanoutHealth, HubNotice, Outgoing};
use crate::room::RoomHandle;
use crate::telemetry;

/// How long connecting, subscribing or a ping may take.
pub(super) const ANSWER_WITHIN: Duration = Duration::from_secs(2);
/// How often the subscriber checks that its connection is alive.
const PING_EVERY: Duration = Duration::from_secs(1);
/// Reconnection backoff bounds.
const BACKOFF_FIRST: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// The publishing side: messages in order on one connection, this node's presence
/// in each meeting, and its heartbeat.
pub(super) struct Publisher {
    pub(super) client: redis::Client,
    pub(super) node: String,
    pub(super) node_key: String,
    /// What this node last asked to record, by key: written again whole after every
    /// reconnect, since a restarted Redis has forgotten it.
    pub(super) presence: BTreeMap<String, BTreeMap<String, u32>>,
}

impl Publisher {
    /// Runs until the cluster handle is dropped. While Redis is unreachable messages
    /// are dropped (counted): the nodes that follow find the records in the log.
    pub(super) async fn run(mut self, mut outgoing: mpsc::Receiver<Outgoing>) {
        let mut connection: Option<MultiplexedConnection> = None;
        let mut retry_at = Instant::now();
        let mut heartbeat = tokio::time::interval(super::presence::HEARTBEAT_EVERY);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let message = tokio::select! {
                message = outgoing.recv() => match message {
                    Some(Outgoing::Flush(done)) => {
                        let _ = done.send(());
                        continue;
                    }
                    Some(message) => Some(message),
                    None => break,
                },
                _ = heartbeat.tick() => None,
            };
            if connection.is_none() && Instant::now() >= retry_at {
                connection = self.connect().await;
                retry_at = Instant::now() + BACKOFF_MAX / 4;
            }
            let Some(live) = connection.as_mut() else {
                match message {
                    Some(Outgoing::Presence { key, members }) => {
                        self.presence.insert(key, members);
                    }
                    Some(Outgoing::Publish { .. }) => {
                        metrics::counter!(telemetry::FANOUT_DROPPED).increment(1);
                    }
                    Some(Outgoing::Flush(_)) | None => {}
                }
                continue;
            };
            let written = match message {
                Some(Outgoing::Publish { channel, payload }) => {
                    let sent = answer(
                        redis::cmd("PUBLISH")
                            .arg(&channel)
                            .arg(&payload)
                            .query_async::<i64>(live),
                    )
                    .await;
                    if sent.is_ok() {
                        metrics::counter!(telemetry::FANOUT_PUBLISHED).increment(1);
                    } else {
                        metrics::counter!(telemetry::FANOUT_DROPPED).increment(1);
                    }
                    sent.map(drop)
                }
                Some(Outgoing::Presence { key, members }) => {
                    let written = write_presence(live, &self.node, &key, &members).await;
                    self.presence.insert(key, members);
                    written
                }
                Some(Outgoing::Flush(_)) => Ok(()),
                None => {
                    answer(
                        redis::cmd("SET")
                            .arg(&self.node_key)
                            .arg(crate::clock::now().0)
                            .arg("PX")
                            .arg(super::presence::HEARTBEAT_TTL_MS)
                            .query_async::<()>(live),
                    )
                    .await
                }
            };
            if let Err(error) = written {
                tracing::warn!(%error, "writing to Redis failed; reconnecting");
                connection = None;
            }
        }
        // Stopping: this node's devices are gone with it.
        if let Some(live) = connection.as_mut() {
            let _ = answer(
                redis::cmd("DEL")
                    .arg(&self.node_key)
                    .query_async::<()>(live),
            )
            .await;
        }
    }

    /// Connects, then writes the heartbeat and everything this node has recorded.
    async fn connect(&mut self) -> Option<MultiplexedConnection> {
        let mut live = match timeout(
            ANSWER_WITHIN,
            self.client.get_multiplexed_async_connection(),
        )
        .await
        {
            Ok(Ok(live)) => live,
            Ok(Err(error)) => {
                tracing::debug!(%error, "cannot reach Redis to publish");
                return None;
            }
            Err(_) => {
                tracing::debug!("connecting to Redis to publish timed out");
                return None;
            }
        };
        for (key, members) in &self.presence {
            write_presence(&mut live, &self.node, key, members)
                .await
                .ok()?;
        }
        Some(live)
    }
}

/// Records this node's devices in a meeting's presence hash (the field is the node).
async fn write_presence(
    live: &mut MultiplexedConnection,
    node: &str,
    key: &str,
    members: &BTreeMap<String, u32>,
) -> Result<(), String> {
    if members.is_empty() {
        return answer(
            redis::cmd("HDEL")
                .arg(key)
                .arg(node)
                .query_async::<i64>(live),
        )
        .await
        .map(drop);
    }
    let value = serde_json::to_string(members).map_err(|error| error.to_string())?;
    answer(
        redis::cmd("HSET")
            .arg(key)
            .arg(node)
            .arg(value)
            .query_async::<i64>(live),
    )
    .await
    .map(drop)
}

/// A Redis reply within [`ANSWER_WITHIN`].
pub(super) async fn answer<T>(
    reply: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, String> {
    match timeout(ANSWER_WITHIN, reply).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("Redis did not answer in time".to_owned()),
    }
}

/// The subscribing side.
pub(super) struct Subscriber {
    pub(super) client: redis::Client,
    pub(super) node: String,
    pub(super) hub_channel: String,
    pub(super) control: mpsc::Receiver<Control>,
    pub(super) notices: mpsc::Sender<HubNotice>,
    pub(super) health: watch::Sender<FanoutHealth>,
}

/// Why a subscribed session ended.
enum Ended {
    /// The connection is lost: reconnect.
    Lost,
    /// The node is stopping.
    Stopped,
}

impl Subscriber {
    /// Connects, subscribes, routes messages; on any failure marks the fan-out down,
    /// and reconnects with backoff. Stops when the cluster handle is dropped.
    pub(super) async fn run(mut self) {
        let mut rooms: HashMap<String, RoomHandle> = HashMap::new();
        let mut backoff = BACKOFF_FIRST;
        loop {
            match self.connect(&rooms).await {
                Ok((sink, stream)) => {
                    backoff = BACKOFF_FIRST;
                    self.set_health(FanoutHealth::Up);
                    // Whatever was published while we were away is lost: every
                    // followed room reads it from the log.
                    for room in rooms.values() {
                        room.catch_up();
                    }
                    let _ = self.notices.try_send(HubNotice::Resubscribed);
                    match self.session(sink, stream, &mut rooms).await {
                        Ended::Stopped => return,
                        Ended::Lost => {
                            metrics::counter!(telemetry::FANOUT_RESUBSCRIBES).increment(1);
                            tracing::warn!("the Redis subscription was lost; reconnecting");
                        }
                    }
                }
                Err(error) => tracing::debug!(%error, "cannot subscribe to Redis"),
            }
            self.set_health(FanoutHealth::Down);
            // Keep taking control messages while waiting, so that the followed set is
            // right when the connection comes back.
            let until = Instant::now() + backoff;
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(until) => break,
                    control = self.control.recv() => match control {
                        Some(control) => apply(&mut rooms, control),
                        None => return,
                    },
                }
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    fn set_health(&self, health: FanoutHealth) {
        let changed = self.health.send_if_modified(|current| {
            let changed = *current != health;
            *current = health;
            changed
        });
        if changed {
            metrics::gauge!(telemetry::FANOUT_UP).set(if health == FanoutHealth::Up {
                1.0
            } else {
                0.0
            });
            tracing::info!(?health, "cluster fan-out");
        }
    }

    async fn connect(
        &self,
        rooms: &HashMap<String, RoomHandle>,
    ) -> Result<(PubSubSink, PubSubStream), String> {
        let pubsub = timeout(ANSWER_WITHIN, self.client.get_async_pubsub())
            .await
            .map_err(|_| "connecting timed out".to_owned())?
            .map_err(|error| error.to_string())?;
        let (mut sink, stream) = pubsub.split();
        let channels: Vec<&String> = std::iter::once(&self.hub_channel)
            .chain(rooms.keys())
            .collect();
        timeout(ANSWER_WITHIN, sink.subscribe(channels))
            .await
            .map_err(|_| "subscribing timed out".to_owned())?
            .map_err(|error| error.to_string())?;
        Ok((sink, stream))
    }

    async fn session(
        &mut self,
        mut sink: PubSubSink,
        mut stream: PubSubStream,
        rooms: &mut HashMap<String, RoomHandle>,
    ) -> Ended {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => self.route(&message, rooms),
                    None => return Ended::Lost,
                },
                control = self.control.recv() => {
                    let Some(control) = control else { return Ended::Stopped };
                    let subscribed = match &control {
                        Control::Follow { channel, room } if !rooms.contains_key(channel) => {
                            let done = timeout(ANSWER_WITHIN, sink.subscribe(channel)).await;
                            // Events committed before the subscription took hold are
                            // read from the log.
                            room.catch_up();
                            matches!(done, Ok(Ok(())))
                        }
                        Control::Follow { .. } => true,
                        Control::Unfollow { channel } => {
                            matches!(
                                timeout(ANSWER_WITHIN, sink.unsubscribe(channel)).await,
                                Ok(Ok(()))
                            )
                        }
                    };
                    apply(rooms, control);
                    if !subscribed {
                        return Ended::Lost;
                    }
                }
                _ = ping.tick() => {
                    // On a subscribed connection Redis answers a PING with ["pong", ""]:
                    // any answer will do.
                    let answered = timeout(ANSWER_WITHIN, sink.ping::<redis::Value>()).await;
                    if !matches!(answered, Ok(Ok(_))) {
                        return Ended::Lost;
                    }
                }
            }
        }
    }

    fn route(&self, message: &redis::Msg, rooms: &HashMap<String, RoomHandle>) {
        let committed: Committed = match serde_json::from_slice(message.get_payload_bytes()) {
            Ok(committed) => committed,
            Err(error) => {
                tracing::warn!(%error, channel = message.get_channel_name(), "unreadable fan-out message");
                return;
            }
        };
        if committed.node == self.node {
            return;
        }
        metrics::counter!(telemetry::FANOUT_RECEIVED).increment(1);
        match rooms.get(message.get_channel_name()) {
            Some(room) => room.remote(committed.head, committed.records),
            None => {
                let _ = self.notices.try_send(HubNotice::Advanced {
                    stream: committed.stream,
                    head: committed.head,
                });
            }
        }
    }
}

fn apply(rooms: &mut HashMap<String, RoomHandle>, control: Control) {
    match control {
        Control::Follow { channel, room } => {
            rooms.insert(channel, room);
        }
        Control::Unfollow { channel } => {
            rooms.remove(&channel);
        }
    }
}

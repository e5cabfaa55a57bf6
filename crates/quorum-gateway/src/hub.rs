//! The hub: the event log, the rooms of every meeting, and the accounts and sessions.
//! It is what the WebSocket, REST and command-line faces all talk to.

mod follow;
mod meetings;
mod sessions;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock, Weak};

use quorum_domain::Role;
use quorum_domain::{EventRecord, Meeting, MeetingId, Rejection};
use quorum_store::{BlobStore, EventLog, StoreError};
use tokio::sync::{Mutex, watch};

use crate::access::{AccessError, AccessState, Grant, Principal};
use crate::cluster::Cluster;
use crate::config::GatewayConfig;
use crate::directory::{Directory, MeetingSummary};
use crate::journal;
use crate::push::Vapid;
use crate::room::{RoomHandle, RoomLimits};
use crate::token::Secret;

pub use meetings::{Loaded, load_meeting};

/// Records read from the log per request while loading.
const READ_CHUNK: usize = 10_000;

/// Why the hub could not start or do something.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The event log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be read back.
    #[error(transparent)]
    Corrupt(#[from] journal::CorruptRecord),
    /// A stored meeting log does not replay.
    #[error("meeting log {stream} does not replay: {source}")]
    Replay {
        /// The stream.
        stream: String,
        /// Why.
        #[source]
        source: quorum_domain::ApplyError,
    },
    /// The operating system refused randomness.
    #[error("no randomness available: {0}")]
    Random(String),
    /// Encoding an event failed (a bug).
    #[error("cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
    /// Credentials refused.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A meeting's rules refused the request.
    #[error("refused: {0}")]
    Rejected(Rejection),
    /// A value is not acceptable.
    #[error("{0}")]
    Invalid(String),
}

/// A session just opened: the token to hand over once, and whom it belongs to.
#[derive(Debug)]
pub struct OpenedSession {
    /// The token.
    pub token: Secret,
    /// Its holder.
    pub principal: Principal,
}

/// The running hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    config: GatewayConfig,
    /// The settings with `listen` set to the address actually bound, once bound.
    bound: OnceLock<GatewayConfig>,
    store: Arc<dyn EventLog>,
    blobs: BlobStore,
    access: RwLock<AccessState>,
    /// Serializes appends to the hub stream.
    access_writer: Mutex<()>,
    /// Serializes meeting creation.
    creating: Mutex<()>,
    directory: Arc<Directory>,
    /// The hub's Web Push identity.
    push: Arc<Vapid>,
    /// This node's side of the cluster, if it is part of one.
    cluster: Option<Cluster>,
    next_connection: AtomicU64,
    open_connections: AtomicUsize,
    shutdown: watch::Sender<bool>,
}

/// Counts a connection while it lives.
pub struct ConnectionGuard {
    inner: Arc<Inner>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let open = self.inner.open_connections.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!(crate::telemetry::CONNECTIONS).set(open.saturating_sub(1) as f64);
    }
}

impl Hub {
    /// Opens the hub on a store: replays the accounts and every meeting, and starts a
    /// room per meeting.
    pub async fn open(
        config: GatewayConfig,
        store: Arc<dyn EventLog>,
        blobs: BlobStore,
    ) -> Result<Hub, HubError> {
        // Metrics recorded before the recorder exists are lost: install it first.
        crate::telemetry::install();
        let push = Vapid::load_or_create(store.as_ref(), &config.push.contact)
            .await
            .map_err(|error| HubError::Invalid(error.to_string()))?;
        let cluster = match &config.cluster {
            Some(settings) => {
                let (cluster, notices) = Cluster::start(settings)
                    .map_err(|error| HubError::Invalid(error.to_string()))?;
                Some((cluster, notices, settings.idle_poll_ms))
            }
            None => None,
        };
        let (cluster, follower) = match cluster {
            Some((cluster, notices, every)) => (Some(cluster), Some((notices, every))),
            None => (None, None),
        };
        let hub = Hub {
            inner: Arc::new(Inner {
                push: Arc::new(push),
                cluster,
                config,
                bound: OnceLock::new(),
                store,
                blobs,
                access: RwLock::new(AccessState::default()),
                access_writer: Mutex::new(()),
                creating: Mutex::new(()),
                directory: Arc::new(Directory::default()),
                next_connection: AtomicU64::new(1),
                open_connections: AtomicUsize::new(0),
                shutdown: watch::channel(false).0,
            }),
        };
        // The accounts and sessions: the same read that keeps a cluster's nodes in step.
        hub.refresh_access().await?;
        let streams = hub.inner.store.streams(journal::MEETING_PREFIX).await?;
        let count = streams.len();
        for stream in streams {
            hub.start_room(load_meeting(hub.inner.store.as_ref(), &stream).await?);
        }
        tracing::info!(meetings = count, "meetings loaded from the log");
        if let Some((notices, every)) = follower {
            tokio::spawn(follow::follow(
                Arc::downgrade(&hub.inner),
                notices,
                std::time::Duration::from_millis(every),
            ));
        }
        Ok(hub)
    }

    fn start_room(&self, loaded: Loaded) {
        let limits = &self.inner.config.limits;
        let meeting = loaded.meeting.clone();
        let room = RoomHandle::spawn(
            loaded,
            Arc::clone(&self.inner.store),
            Arc::new(DirectoryObserver(Arc::downgrade(&self.inner.directory))),
            RoomLimits {
                queue: limits.room_queue,
                resume_window: limits.resume_window,
                max_group: 4096,
            },
            self.inner.cluster.clone(),
        );
        self.inner.directory.insert(&meeting, room);
    }

    /// The settings. Once the server is bound, `listen` is the address actually bound (port 0 picks
    /// one), so that the public URL derived from it, used by the origin check and in
    /// links, names the real port.
    pub fn config(&self) -> &GatewayConfig {
        self.inner.bound.get().unwrap_or(&self.inner.config)
    }

    /// Records the address the server bound (the first one, if bound twice).
    pub(crate) fn bound_to(&self, address: SocketAddr) {
        let mut config = self.inner.config.clone();
        config.listen = address;
        let _ = self.inner.bound.set(config);
    }

    /// The document store.
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The hub's Web Push identity (its VAPID key).
    pub fn push(&self) -> &Arc<Vapid> {
        &self.inner.push
    }

    /// This node's side of the cluster, if it is part of one.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.inner.cluster.as_ref()
    }

    /// The event log.
    pub fn store(&self) -> &Arc<dyn EventLog> {
        &self.inner.store
    }

    /// Meetings and connections.
    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    /// A new connection id.
    pub fn next_connection(&self) -> u64 {
        self.inner.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.inner.open_connections.load(Ordering::Relaxed)
    }

    /// Counts a new connection until the guard drops.
    pub fn connection_opened(&self) -> ConnectionGuard {
        let open = self.inner.open_connections.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!(crate::telemetry::CONNECTIONS).set(open.saturating_add(1) as f64);
        metrics::counter!(crate::telemetry::CONNECTIONS_OPENED).increment(1);
        ConnectionGuard {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Tells every connection to leave (graceful shutdown).
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Becomes true when the hub shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// A meeting's room.
    pub fn room(&self, meeting: &MeetingId) -> Option<RoomHandle> {
        self.inner.directory.room(meeting)
    }

    /// The meetings a principal may see.
    pub fn meetings_for(&self, principal: &Principal) -> Vec<(MeetingSummary, Option<Role>)> {
        match (&principal.grant, &principal.member) {
            (_, _) if principal.admin => self
                .inner
                .directory
                .all()
                .into_iter()
                .map(|summary| (summary, None))
                .collect(),
            (Grant::Projector { meeting }, _) => self
                .inner
                .directory
                .summary(meeting)
                .into_iter()
                .map(|summary| (summary, None))
                .collect(),
            (_, Some(member)) => self
                .inner
                .directory
                .of_member(member)
                .into_iter()
                .map(|(summary, role)| (summary, Some(role)))
                .collect(),
            (_, None) => Vec::new(),
        }
    }
}

/// What a room reports its commits to: the directory, held weakly. The directory holds
/// the rooms' handles, so a strong reference would keep every room running, and the
/// event log open, after the hub itself is gone.
struct DirectoryObserver(Weak<Directory>);

impl crate::room::RoomObserver for DirectoryObserver {
    fn committed(&self, meeting: &Meeting, records: &[EventRecord]) {
        if let Some(directory) = self.0.upgrade() {
            crate::room::RoomObserver::committed(directory.as_ref(), meeting, records);
        }
    }
}

/// Resolves once the hub is shutting down.
pub async fn stopping(signal: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, never held across an await.
    if signal.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

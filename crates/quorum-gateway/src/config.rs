//! The gateway's settings: where it listens, what it allows, and the limits it enforces.
//! The binary fills them from `config/default.toml`, a config file and `QUORUM_*`
//! variables; every field has a default fit for the embedded mode.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// Everything the gateway needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Where the event log, documents and demo files live.
    pub data: PathBuf,
    /// The URL devices use to reach the hub (links and QR codes are built from it).
    /// Empty: derived from `listen`.
    pub public_url: String,
    /// Origins allowed to open a WebSocket, such as `https://hop.tinh.gov.vn`. The
    /// public URL's origin is always allowed; `null` and any other origin are refused.
    pub allowed_origins: Vec<String>,
    /// Whether a handshake without an Origin header is allowed. Browsers always send
    /// one; native clients (the command line, the load generator) send none. Sessions
    /// are bearer tokens sent in `hello`, never cookies, so a page on another site
    /// cannot ride on a user's session either way.
    pub allow_missing_origin: bool,
    /// TLS; off unless both paths are set (or `dev_tls`).
    pub tls: TlsConfig,
    /// Limits on devices.
    pub limits: LimitsConfig,
    /// Sessions and invitations.
    pub sessions: SessionsConfig,
    /// Logging (read by the binary).
    pub log: LogConfig,
    /// The units that receive notices (`[[units]]`).
    pub units: Vec<crate::outbox::config::UnitConfig>,
    /// The SMTP relay for e-mail to units; none: no e-mail.
    pub smtp: Option<crate::outbox::config::SmtpConfig>,
    /// How notices are delivered.
    pub outbox: crate::outbox::config::OutboxConfig,
    /// Web Push to members' browsers.
    pub push: PushConfig,
    /// Where the event log lives: SQLite in `data` (the default) or PostgreSQL.
    pub store: StoreConfig,
    /// Where documents live.
    pub documents: DocumentsConfig,
    /// Cluster mode (`[cluster]`): several nodes on one PostgreSQL, fanned out
    /// through Redis. None: the embedded hub, alone on its data directory.
    pub cluster: Option<ClusterConfig>,
}

/// The event log's backend.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `sqlite` (one file in `data`) or `postgres`.
    pub backend: StoreBackend,
    /// PostgreSQL's address, as `host=… port=… user=… dbname=…` or a `postgres://` URL.
    pub postgres: String,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            backend: StoreBackend::Sqlite,
            postgres: String::new(),
        }
    }
}

/// Which database keeps the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreBackend {
    /// `DATA/quorum.db`: one process.
    Sqlite,
    /// A PostgreSQL database, shared by every node of a cluster.
    Postgres,
}

/// Where uploaded documents are kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// `directory` (the default) or `postgres`.
    pub storage: DocumentStorage,
    /// A directory; none: `DATA/blobs`. With `directory` storage in a cluster, one
    /// every node mounts (NFS or a shared volume): documents are content-addressed
    /// files written by a rename, so nodes never see half a file. With `postgres`
    /// storage, this node's own cache of the database's documents.
    pub path: Option<PathBuf>,
}

/// Where the documents every node reads are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStorage {
    /// Files in `documents.path` (shared by the nodes of a cluster).
    #[default]
    Directory,
    /// In the event log's PostgreSQL database, cached by each node in
    /// `documents.path`: no shared file system needed.
    Postgres,
}

/// How a node takes part in a cluster.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// This node's name, unique in the cluster (logs, metrics, messages). Empty: the
    /// host name and the process id.
    pub node: String,
    /// Redis, for the fan-out between nodes: `redis://host:6379/`.
    pub redis: String,
    /// The prefix of every Redis channel, so that several clusters can share a Redis.
    pub prefix: String,
    /// How often a meeting with devices on this node checks the log for events the
    /// fan-out did not bring (a safety net; ms).
    pub poll_ms: u64,
    /// The same while Redis is unreachable: delivery then rests on the log alone (ms).
    pub degraded_poll_ms: u64,
    /// The same for a meeting without devices on this node (ms).
    pub idle_poll_ms: u64,
}

impl Default for ClusterConfig {
    fn default() -> ClusterConfig {
        ClusterConfig {
            node: String::new(),
            redis: "redis://127.0.0.1:6379/".to_owned(),
            prefix: "quorum".to_owned(),
            poll_ms: 1_000,
            degraded_poll_ms: 200,
            idle_poll_ms: 5_000,
        }
    }
}

/// Web Push settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PushConfig {
    /// Whom push services may contact about this hub's messages (`mailto:` or
    /// `https:`), sent in every VAPID signature.
    pub contact: String,
}

impl Default for PushConfig {
    fn default() -> PushConfig {
        PushConfig {
            contact: "mailto:quorum@localhost".to_owned(),
        }
    }
}

/// How the binary logs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `human` or `json`.
    pub format: LogFormat,
    /// A tracing filter, such as `info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            format: LogFormat::Human,
            level: "info".to_owned(),
        }
    }
}

/// The log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Lines for people.
    Human,
    /// One JSON object per line, for collectors.
    Json,
}

impl Default for GatewayConfig {
    fn default() -> GatewayConfig {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("data"),
            public_url: String::new(),
            allowed_origins: Vec::new(),
            allow_missing_origin: true,
            tls: TlsConfig::default(),
            limits: LimitsConfig::default(),
            sessions: SessionsConfig::default(),
            log: LogConfig::default(),
            units: Vec::new(),
            smtp: None,
            outbox: crate::outbox::config::OutboxConfig::default(),
            push: PushConfig::default(),
            store: StoreConfig::default(),
            documents: DocumentsConfig::default(),
            cluster: None,
        }
    }
}

/// TLS settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub certificate: Option<PathBuf>,
    /// PEM private key.
    pub key: Option<PathBuf>,
    /// Make a self-signed certificate for a trial on a LAN (never in production).
    pub dev_self_signed: bool,
}

impl TlsConfig {
    /// Whether the hub serves HTTPS.
    pub fn enabled(&self) -> bool {
        self.dev_self_signed || (self.certificate.is_some() && self.key.is_some())
    }
}

/// Limits enforced on each device.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// The largest message a device may send, in bytes (close 1009 above it).
    pub max_message_bytes: usize,
    /// Sustained messages per second per connection.
    pub messages_per_second: u32,
    /// Messages a connection may send at once above the sustained rate.
    pub message_burst: u32,
    /// Messages refused for rate in a row before the connection is closed (4001).
    pub rate_strikes: u32,
    /// How long a new socket may take to send `hello`, in milliseconds.
    pub hello_deadline_ms: u64,
    /// How often devices should ping, in milliseconds; a connection silent for three
    /// times this is closed.
    pub heartbeat_ms: u64,
    /// Frames queued for one connection before it counts as a slow consumer (4000).
    pub outbound_queue: usize,
    /// How long one write to a socket may take before the device counts as slow.
    pub write_timeout_ms: u64,
    /// tungstenite's read buffer per connection, in bytes.
    pub read_buffer_bytes: usize,
    /// Events each meeting keeps in memory for resuming devices.
    pub resume_window: usize,
    /// Commands queued for one meeting before new ones are refused as unavailable.
    pub room_queue: usize,
    /// The largest document upload, in bytes.
    pub max_document_bytes: u64,
    /// The largest JSON or CSV request body, in bytes.
    pub max_request_bytes: usize,
    /// Connections the hub accepts at once.
    pub max_connections: usize,
    /// How long a graceful shutdown waits for devices to leave, in milliseconds.
    pub drain_ms: u64,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_message_bytes: quorum_protocol::codec::MAX_CLIENT_MESSAGE_BYTES,
            messages_per_second: 20,
            message_burst: 40,
            rate_strikes: 50,
            hello_deadline_ms: 10_000,
            heartbeat_ms: 25_000,
            outbound_queue: 256,
            write_timeout_ms: 10_000,
            read_buffer_bytes: 1024,
            resume_window: 4096,
            room_queue: 16_384,
            max_document_bytes: 100 * 1024 * 1024,
            max_request_bytes: 4 * 1024 * 1024,
            max_connections: 19_000,
            drain_ms: 5_000,
        }
    }
}

impl LimitsConfig {
    /// The hello deadline.
    pub fn hello_deadline(&self) -> Duration {
        Duration::from_millis(self.hello_deadline_ms)
    }

    /// How long a connection may stay silent.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms.saturating_mul(3))
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms)
    }
}

/// Sessions and invitation links.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionsConfig {
    /// How long a session lasts, in hours.
    pub session_hours: u64,
    /// How long an invitation or sign-in link stays valid, in hours.
    pub invitation_hours: u64,
}

impl Default for SessionsConfig {
    fn default() -> SessionsConfig {
        SessionsConfig {
            session_hours: 24 * 30,
            invitation_hours: 24 * 14,
        }
    }
}

/// A setting that cannot work, named by its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{key}`: {reason}")]
pub struct ConfigError {
    /// The dotted key, such as `limits.outbound_queue`.
    pub key: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl GatewayConfig {
    /// Checks the settings that parse but cannot work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError {
                key,
                reason: reason.to_owned(),
            })
        };
        let limits = &self.limits;
        if !(1024..=16 * 1024 * 1024).contains(&limits.max_message_bytes) {
            return invalid("limits.max_message_bytes", "must be 1 KiB to 16 MiB");
        }
        if limits.messages_per_second == 0 || limits.message_burst == 0 {
            return invalid("limits.messages_per_second", "must be at least 1");
        }
        if limits.heartbeat_ms < 1_000 {
            return invalid("limits.heartbeat_ms", "must be at least 1000");
        }
        if limits.hello_deadline_ms == 0 {
            return invalid("limits.hello_deadline_ms", "must be at least 1");
        }
        if limits.outbound_queue < 8 {
            return invalid("limits.outbound_queue", "must be at least 8");
        }
        if !(256..=1024 * 1024).contains(&limits.read_buffer_bytes) {
            return invalid("limits.read_buffer_bytes", "must be 256 B to 1 MiB");
        }
        if limits.resume_window == 0 || limits.room_queue == 0 || limits.max_connections == 0 {
            return invalid("limits.resume_window", "limits must be at least 1");
        }
        if self.sessions.session_hours == 0 {
            return invalid("sessions.session_hours", "must be at least 1");
        }
        if self.sessions.invitation_hours == 0 {
            return invalid("sessions.invitation_hours", "must be at least 1");
        }
        if self.tls.certificate.is_some() != self.tls.key.is_some() {
            return invalid("tls.key", "tls.certificate and tls.key go together");
        }
        let url = &self.public_url;
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return invalid("public_url", "must start with http:// or https://");
        }
        for origin in &self.allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://"))
                || origin.trim_end_matches('/') != origin
            {
                return invalid(
                    "allowed_origins",
                    "each origin is scheme://host[:port], without a trailing slash",
                );
            }
        }
        let contact = &self.push.contact;
        if !(contact.starts_with("mailto:") || contact.starts_with("https://")) {
            return invalid("push.contact", "must start with mailto: or https://");
        }
        crate::outbox::config::validate(&self.units, self.smtp.as_ref(), &self.outbox)?;
        if self.store.backend == StoreBackend::Postgres && self.store.postgres.trim().is_empty() {
            return invalid("store.postgres", "the postgres backend needs its address");
        }
        if self.documents.storage == DocumentStorage::Postgres
            && self.store.backend != StoreBackend::Postgres
        {
            return invalid(
                "documents.storage",
                "documents can be kept in PostgreSQL only with store.backend = \"postgres\"",
            );
        }
        if let Some(cluster) = &self.cluster {
            if self.store.backend != StoreBackend::Postgres {
                return invalid(
                    "store.backend",
                    "a cluster keeps its log in PostgreSQL: set backend = \"postgres\"",
                );
            }
            if !(cluster.redis.starts_with("redis://") || cluster.redis.starts_with("unix://")) {
                return invalid("cluster.redis", "must start with redis:// or unix://");
            }
            if cluster.prefix.is_empty() || cluster.prefix.contains(char::is_whitespace) {
                return invalid("cluster.prefix", "must be a word without spaces");
            }
            if cluster.poll_ms < 10 || cluster.degraded_poll_ms < 10 || cluster.idle_poll_ms < 10 {
                return invalid("cluster.poll_ms", "polling intervals are at least 10 ms");
            }
        }
        Ok(())
    }

    /// Whether a WebSocket handshake from `origin` (the header's value, if any) is
    /// allowed: exact, case-insensitive match against the public URL's origin and the
    /// allowlist.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return self.allow_missing_origin;
        };
        let public = self.public_url();
        let public_origin = match public.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.split('/').next().unwrap_or(rest);
                format!("{scheme}://{host}")
            }
            None => public,
        };
        std::iter::once(public_origin.as_str())
            .chain(self.allowed_origins.iter().map(String::as_str))
            .any(|allowed| allowed.eq_ignore_ascii_case(origin))
    }

    /// The public URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            let scheme = if self.tls.enabled() { "https" } else { "http" };
            format!("{scheme}://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }
}

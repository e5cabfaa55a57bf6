//! The cluster's event log: PostgreSQL shared by every node, one writer task per node
//! that commits appends in groups, a small pool of reader connections, and leases.

mod blobs;
mod connect;
mod lease;
mod readers;
mod schema;
mod writer;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use blobs::PgDocuments;
pub use lease::Lease;

use self::connect::Connector;
use self::readers::Readers;
use self::writer::{BatchLimits, Request, Writer};
use crate::{Append, EventLog, LogStats, Record, StoreError, StoreFuture};

/// How a [`PgLog`] is sized and how long it waits. `Default` suits a node of a small
/// cluster next to its database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// The schema holding Quorum's tables, created if missing (`SET search_path`);
    /// `None` uses the role's default search path (usually `public`).
    pub schema: Option<String>,
    /// Appends that may wait for the writer; past this, `append` waits for room.
    pub queue_capacity: usize,
    /// The most appends committed in one transaction.
    pub max_batch_appends: usize,
    /// The most records committed in one transaction (a batch stops growing once it
    /// reaches this; one append is never split).
    pub max_batch_records: usize,
    /// The most body bytes committed in one transaction, likewise.
    pub max_batch_bytes: usize,
    /// Connections serving `read`, `head`, `streams` and `ping` at once.
    pub readers: usize,
    /// How long opening a connection (TCP, startup, session settings) may take.
    pub connect_timeout: Duration,
    /// How long one read, or one batch's whole transaction, may take. Past it the call
    /// fails with `Unavailable` and its connection is dropped; the server is told the
    /// same limit (`statement_timeout`, `idle_in_transaction_session_timeout`), so that
    /// a node that hangs mid-transaction does not hold stream locks for long.
    pub statement_timeout: Duration,
    /// How long [`PgLog::ping`] waits for its answer.
    pub ping_timeout: Duration,
    /// How many times a batch that PostgreSQL aborted as a deadlock or serialization
    /// failure is tried again before its appends get `Unavailable`.
    pub batch_retries: u32,
    /// The longest the writer waits between attempts to reconnect; it starts at 50 ms
    /// and doubles. While it waits, appends fail at once with `Unavailable`.
    pub max_reconnect_delay: Duration,
    /// How often a [`Lease`] checks its connection with a round trip (besides noticing
    /// at once when the connection closes).
    pub lease_check_interval: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            schema: None,
            queue_capacity: 4096,
            max_batch_appends: 4096,
            max_batch_records: 50_000,
            max_batch_bytes: 32 * 1024 * 1024,
            readers: 4,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
            ping_timeout: Duration::from_secs(1),
            batch_retries: 3,
            max_reconnect_delay: Duration::from_secs(1),
            lease_check_interval: Duration::from_secs(1),
        }
    }
}

/// The event log in a PostgreSQL database that several nodes share.
///
/// Each node's appends go through one writer task that commits whatever is queued in
/// one transaction; nodes' batches serialise on the rows of the streams they touch,
/// so a stream stays gap-free whichever node appends. Cheap to clone: every clone is a
/// handle on the same writer and readers. When the last handle is dropped, the writer
/// finishes the appends already queued and stops; [`PgLog::close`] does the same and
/// waits for it.
///
/// Needs PostgreSQL 14 or newer, and a Tokio runtime.
#[derive(Clone)]
pub struct PgLog {
    inner: Arc<Inner>,
}

struct Inner {
    connector: Arc<Connector>,
    queue: mpsc::Sender<Request>,
    readers: Readers,
    stats: Arc<Mutex<LogStats>>,
    writer: JoinHandle<()>,
    options: PgOptions,
}

impl PgLog {
    /// Connects to the database named by `config`, a libpq key/value string
    /// (`host=127.0.0.1 port=5432 user=quorum dbname=quorum`) or a `postgres://` URL,
    /// brings its schema up to date and starts the writer task.
    ///
    /// Nodes that start at once are safe: migrations run one at a time, each in one
    /// transaction under an advisory lock.
    ///
    /// # Errors
    ///
    /// [`StoreError::Format`] if the database belongs to a newer Quorum;
    /// [`StoreError::Unavailable`] if `config` or the schema name cannot be used, the
    /// database cannot be reached or migrated, or it commits without flushing
    /// (`synchronous_commit = off`), which would break `append`'s promise.
    pub async fn connect(config: &str, options: PgOptions) -> Result<Self, StoreError> {
        let connector = Arc::new(Connector::new(config, &options)?);
        let (mut client, _connection) = connector.connect().await?;
        tokio::time::timeout(
            options.statement_timeout,
            schema::migrate(&mut client, options.schema.as_deref()),
        )
        .await
        .map_err(|_| StoreError::Unavailable("the schema migration timed out".into()))??;
        check_durability(&client).await?;
        let readers = Readers::new(
            Arc::clone(&connector),
            options.readers,
            options.statement_timeout,
        );
        let stats = Arc::new(Mutex::new(LogStats::default()));
        let (queue, receiver) = mpsc::channel(options.queue_capacity.max(1));
        let limits = BatchLimits {
            appends: options.max_batch_appends.max(1),
            records: options.max_batch_records.max(1),
            bytes: options.max_batch_bytes.max(1),
        };
        // The migration's connection is kept as the writer's: one fewer to open.
        let writer = Writer::new(
            Arc::clone(&connector),
            Some(client),
            limits,
            &options,
            Arc::clone(&stats),
        );
        let writer = tokio::spawn(writer.run(receiver));
        tracing::info!(schema = ?options.schema, "event log connected to PostgreSQL");
        Ok(Self {
            inner: Arc::new(Inner {
                connector,
                queue,
                readers,
                stats,
                writer,
                options,
            }),
        })
    }

    /// What this node's writer has done since the log was connected.
    pub fn stats(&self) -> LogStats {
        *self
            .inner
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks that PostgreSQL answers a query within
    /// [`PgOptions::ping_timeout`], for a readiness probe.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] saying why not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        tokio::time::timeout(self.inner.options.ping_timeout, self.inner.readers.ping())
            .await
            .map_err(|_| StoreError::Unavailable("PostgreSQL did not answer a ping".into()))?
    }

    /// Tries to take the lease `name`, such as `outbox`, for a worker that only one node
    /// of the cluster may run at a time. `Ok(None)` if another node (or another lease of
    /// this one) holds it.
    ///
    /// The lease is a session advisory lock on a connection of its own, kept inside the
    /// [`Lease`]: it is held until the `Lease` is dropped or that connection dies, which
    /// [`Lease::lost`] reports. See [`Lease`] for what a holder must do.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] if PostgreSQL cannot be reached.
    pub async fn lease(&self, name: &str) -> Result<Option<Lease>, StoreError> {
        Lease::try_take(&self.inner.connector, name, &self.inner.options).await
    }

    /// The schema version this code migrates databases to (1: the event log; 2: the
    /// documents).
    pub const SCHEMA_VERSION: i64 = schema::SCHEMA_VERSION;

    /// The documents kept in this database, for a cluster without a shared directory
    /// (see [`crate::BlobStore::with_mirror`]).
    pub fn documents(&self) -> PgDocuments {
        // A document may be large: allow it well over a statement's time.
        PgDocuments::new(
            Arc::clone(&self.inner.connector),
            self.inner.options.statement_timeout.saturating_mul(30),
        )
    }

    /// Drops this handle. If it was the last one, waits until the writer has committed
    /// (or failed) every queued append and closed its connection; otherwise returns at
    /// once, and the log stays open for the other handles.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] if the writer task died instead of stopping.
    pub async fn close(self) -> Result<(), StoreError> {
        let Some(inner) = Arc::into_inner(self.inner) else {
            return Ok(());
        };
        let Inner {
            queue,
            readers,
            writer,
            ..
        } = inner;
        drop(readers);
        // With its last sender gone, the writer drains the queue and returns.
        drop(queue);
        writer
            .await
            .map_err(|e| StoreError::Unavailable(format!("the writer task failed: {e}")))
    }
}

impl EventLog for PgLog {
    fn append(&self, append: Append) -> StoreFuture<'_, Result<(), StoreError>> {
        Box::pin(crate::queue::submit(&self.inner.queue, append))
    }

    fn read<'a>(
        &'a self,
        stream: &'a str,
        after: u64,
        limit: usize,
    ) -> StoreFuture<'a, Result<Vec<Record>, StoreError>> {
        Box::pin(self.inner.readers.read(stream, after, limit))
    }

    fn head<'a>(&'a self, stream: &'a str) -> StoreFuture<'a, Result<u64, StoreError>> {
        Box::pin(self.inner.readers.head(stream))
    }

    fn streams<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Result<Vec<String>, StoreError>> {
        Box::pin(self.inner.readers.streams(prefix))
    }
}

impl fmt::Debug for PgLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connector is left out: its config may hold a password.
        f.debug_struct("PgLog")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Refuses a database whose sessions commit without waiting for the WAL flush
/// (`synchronous_commit = off` for the role or database): `append` promises that what
/// it acknowledged survives a crash.
async fn check_durability(client: &tokio_postgres::Client) -> Result<(), StoreError> {
    let setting: String = client
        .query_typed_one("SELECT current_setting('synchronous_commit')", &[])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(|e| unavailable("read synchronous_commit", &e))?;
    if setting == "off" {
        return Err(StoreError::Unavailable(
            "synchronous_commit is off for this role or database: acknowledged appends \
             could be lost in a crash; turn it on"
                .into(),
        ));
    }
    Ok(())
}

/// Says what went wrong, with the server's own message when there is one
/// (`tokio_postgres::Error` displays only "db error" for those).
fn describe(error: &tokio_postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// A PostgreSQL failure as a [`StoreError`]: the store is unavailable, whatever the
/// cause; the context says what was being done.
fn unavailable(context: &str, error: &tokio_postgres::Error) -> StoreError {
    StoreError::Unavailable(format!("{context}: {}", describe(error)))
}

/// Whether the connection behind `error` is gone or cannot be trusted, so that it
/// should be dropped and a new one opened: a closed socket, an error that PostgreSQL
/// did not report itself (I/O, protocol), or a server shutting down or starting up.
fn is_broken(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    if error.is_closed() {
        return true;
    }
    error.code().is_none_or(|code| {
        code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
            ]
            .contains(code)
    })
}

/// Whether PostgreSQL aborted the transaction only to break a cycle or keep
/// serializability, so that running it again may well succeed.
fn is_transient(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
    })
}

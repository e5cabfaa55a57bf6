//! The embedded event log: one SQLite file in WAL mode, one writer thread that commits
//! appends in groups, and a small pool of read-only connections.

mod readers;
mod schema;
mod stats;
mod writer;

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

pub use stats::LogStats;

use self::readers::Readers;
use self::stats::Counters;
use self::writer::{BatchLimits, Request, Writer};
use crate::{Append, EventLog, Record, StoreError, StoreFuture};

/// How a [`SqliteLog`] is sized. `Default` suits a hub on a small machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Appends that may wait for the writer; past this, `append` waits for room.
    pub queue_capacity: usize,
    /// The most appends committed in one transaction.
    pub max_batch_appends: usize,
    /// The most records committed in one transaction (a batch stops growing once it
    /// reaches this; one append is never split).
    pub max_batch_records: usize,
    /// Read-only connections serving `read`, `head` and `streams` at once.
    pub readers: usize,
    /// How long a connection waits for a lock held by another before failing.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            queue_capacity: 4096,
            max_batch_appends: 4096,
            max_batch_records: 50_000,
            readers: 2,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The event log in one SQLite file.
///
/// Cheap to clone: every clone is a handle on the same writer and readers. When the
/// last handle is dropped, the writer finishes the appends already queued and stops;
/// [`SqliteLog::close`] does the same and waits for it, which a caller that reopens the
/// file (or exits) should do.
#[derive(Clone)]
pub struct SqliteLog {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    queue: mpsc::Sender<Request>,
    readers: Arc<Readers>,
    counters: Arc<Counters>,
    writer: JoinHandle<()>,
}

impl SqliteLog {
    /// Opens (creating it and its parent directories if need be) the database at
    /// `path`, such as `DATA/quorum.db`, brings its schema up to date and starts the
    /// writer thread.
    ///
    /// This blocks while it opens and migrates the file: call it at startup or from
    /// `spawn_blocking`. It also takes `PATH.lock`, so that a second log, in this
    /// process or another, cannot open the same database until this one is closed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Format`] if the file belongs to a newer Quorum or is not a Quorum
    /// database; [`StoreError::Unavailable`] if it cannot be opened or is in use.
    pub fn open(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let lock = lock(path)?;
        let connection = schema::open_writer(path, options.busy_timeout)?;
        let readers = Arc::new(Readers::open(path, options.readers, options.busy_timeout)?);
        let counters = Arc::new(Counters::default());
        let (queue, receiver) = mpsc::channel(options.queue_capacity.max(1));
        let limits = BatchLimits {
            appends: options.max_batch_appends,
            records: options.max_batch_records,
        };
        let writer = Writer::new(connection, lock, limits, Arc::clone(&counters));
        let writer = std::thread::Builder::new()
            .name("quorum-store-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        tracing::info!(path = %path.display(), "event log opened");
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                queue,
                readers,
                counters,
                writer,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// What the writer has done since the log was opened.
    pub fn stats(&self) -> LogStats {
        self.inner.counters.snapshot()
    }

    /// Drops this handle. If it was the last one, waits until the writer has committed
    /// every queued append and closed the database; otherwise returns at once, and the
    /// log stays open for the other handles.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] if the writer thread died instead of stopping.
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
        // The readers go first, so that the writer's connection is the last one and
        // SQLite checkpoints the WAL into the database as it closes.
        drop(readers);
        // With its last sender gone, the writer drains the queue and returns.
        drop(queue);
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot wait for the writer: {e}")))?
            .map_err(|_| StoreError::Unavailable("the writer thread panicked".into()))
    }
}

impl EventLog for SqliteLog {
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

impl fmt::Debug for SqliteLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteLog")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// Takes the lock file beside the database, held by the writer for its whole life.
fn lock(path: &Path) -> Result<File, StoreError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            StoreError::Unavailable(format!("cannot open {}: {e}", lock_path.display()))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Unavailable(format!(
            "{} is already open (locked by {})",
            path.display(),
            lock_path.display()
        ))),
        Err(TryLockError::Error(e)) => Err(StoreError::Unavailable(format!(
            "cannot lock {}: {e}",
            lock_path.display()
        ))),
    }
}

/// Maps a SQLite error: a damaged or foreign file is a format error, anything else
/// makes the store unavailable.
fn store_error(context: &str, error: &rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Format(format!("{context}: {error}"))
        }
        _ => StoreError::Unavailable(format!("{context}: {error}")),
    }
}

//! The read side: a few read-only connections that serve `read`, `head` and `streams`
//! on blocking threads, beside the writer (WAL lets readers and the writer overlap).

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::Semaphore;

use super::schema::{self, BODY_FORMAT};
use super::store_error;
use crate::{Record, StoreError};

/// A pool of read-only connections. A semaphore counts the idle ones, so that a read
/// waits for a connection asynchronously rather than on a blocking thread.
#[derive(Debug)]
pub(crate) struct Readers {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    /// Opens `count` read-only connections (at least one).
    pub(crate) fn open(
        path: &Path,
        count: usize,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let count = count.max(1);
        let idle = (0..count)
            .map(|_| schema::open_reader(path, busy_timeout))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            idle: Mutex::new(idle),
            permits: Arc::new(Semaphore::new(count)),
        })
    }

    /// Up to `limit` records of `stream` with `seq > after`, in order.
    pub(crate) async fn read(
        self: &Arc<Self>,
        stream: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stream = stream.to_owned();
        // Sequence numbers above i64::MAX cannot exist, so clamping loses nothing.
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_connection(move |connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT seq, at, format, body FROM events
                     WHERE stream = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .map_err(|e| store_error("prepare a read", &e))?;
            let mut rows = statement
                .query((&stream, after, limit))
                .map_err(|e| store_error("read", &e))?;
            let mut records = Vec::new();
            while let Some(row) = rows.next().map_err(|e| store_error("read", &e))? {
                let seq: i64 = row.get(0).map_err(|e| store_error("read seq", &e))?;
                let at: i64 = row.get(1).map_err(|e| store_error("read at", &e))?;
                let format: i64 = row.get(2).map_err(|e| store_error("read format", &e))?;
                let body: String = row.get(3).map_err(|e| store_error("read body", &e))?;
                if format != BODY_FORMAT {
                    return Err(StoreError::Format(format!(
                        "record {seq} of {stream} has body format {format}; this Quorum \
                         reads format {BODY_FORMAT}"
                    )));
                }
                let seq = u64::try_from(seq).map_err(|_| {
                    StoreError::Format(format!("record {seq} of {stream} has a negative seq"))
                })?;
                records.push(Record { seq, at, body });
            }
            Ok(records)
        })
        .await
    }

    /// The last sequence number of `stream`, 0 if it has none.
    pub(crate) async fn head(self: &Arc<Self>, stream: &str) -> Result<u64, StoreError> {
        let stream = stream.to_owned();
        self.with_connection(move |connection| head(connection, &stream))
            .await
    }

    /// The distinct stream names that start with `prefix`, sorted.
    pub(crate) async fn streams(self: &Arc<Self>, prefix: &str) -> Result<Vec<String>, StoreError> {
        let prefix = prefix.to_owned();
        self.with_connection(move |connection| {
            // A loose index scan: each step seeks to the first stream after the last one
            // found, so the cost grows with the number of streams, not of records.
            let mut first = connection
                .prepare_cached(
                    "SELECT stream FROM events WHERE stream >= ?1 ORDER BY stream LIMIT 1",
                )
                .map_err(|e| store_error("prepare a stream listing", &e))?;
            let mut next = connection
                .prepare_cached(
                    "SELECT stream FROM events WHERE stream > ?1 ORDER BY stream LIMIT 1",
                )
                .map_err(|e| store_error("prepare a stream listing", &e))?;
            let mut names = Vec::new();
            let mut found: Option<String> = first
                .query_row([&prefix], |row| row.get(0))
                .optional()
                .map_err(|e| store_error("list streams", &e))?;
            while let Some(name) = found.take() {
                // Text compares byte-wise, so every name with the prefix sorts in one
                // run right from the prefix itself; the first name without it ends it.
                if !name.starts_with(&prefix) {
                    break;
                }
                found = next
                    .query_row([&name], |row| row.get(0))
                    .optional()
                    .map_err(|e| store_error("list streams", &e))?;
                names.push(name);
            }
            Ok(names)
        })
        .await
    }

    /// Runs `work` on an idle connection, on a blocking thread.
    async fn with_connection<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the readers are closed".into()))?;
        let readers = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || {
            // The connection goes back to the pool inside the blocking task, so that a
            // caller that gives up waiting does not lose it.
            let connection = readers.lock().pop();
            let result = match &connection {
                Some(connection) => work(connection),
                None => Err(StoreError::Unavailable("no idle reader".into())),
            };
            if let Some(connection) = connection {
                readers.lock().push(connection);
            }
            drop(permit);
            result
        });
        task.await
            .map_err(|e| StoreError::Unavailable(format!("a read task failed: {e}")))?
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while the list was held cannot leave it half-changed (push and pop
        // are whole), so a poisoned lock is still good to use.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The last sequence number of `stream` on `connection`, 0 if it has none.
pub(crate) fn head(connection: &Connection, stream: &str) -> Result<u64, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT max(seq) FROM events WHERE stream = ?1")
        .map_err(|e| store_error("prepare a head query", &e))?;
    let head: Option<i64> = statement
        .query_row([stream], |row| row.get(0))
        .map_err(|e| store_error("read a head", &e))?;
    u64::try_from(head.unwrap_or(0))
        .map_err(|_| StoreError::Format(format!("stream {stream} has a negative head")))
}

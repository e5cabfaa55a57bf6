//! The durable event logs behind the hub, and its content-addressed document store.
//! Backends sit side by side behind [`EventLog`] and pass one conformance suite:
//! [`SqliteLog`] for a hub on its own, [`PgLog`] (PostgreSQL) for a cluster of nodes.
//!
//! **Invariant:** `append` returns `Ok` only once the records are durable (fsync'd), and
//! a stream's records are numbered 1, 2, 3, … with no gap and no duplicate.

mod append;
pub mod blob;
pub mod conformance;
mod postgres;
mod queue;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use blob::{BlobError, BlobMirror, BlobStore, BlobWriter};
pub use postgres::{Lease, PgDocuments, PgLog, PgOptions};
pub use sqlite::{LogStats, SqliteLog, SqliteOptions};

/// A future returned by a backend.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One stored event of a stream: its number, when it happened, and its body (JSON
/// written by the layer above; the store does not read it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1 for the stream's first record, then +1 each.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// The event, as JSON.
    pub body: String,
}

/// Records to append to one stream, right after record `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    /// The stream, such as `hub` or `meeting/hdnd-2026-11`.
    pub stream: String,
    /// The stream's head the records were decided against (0 for a new stream).
    pub after: u64,
    /// The records, numbered `after + 1`, `after + 2`, …
    pub records: Vec<Record>,
}

/// Why an append or a read failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream's head is not where the append expected it: someone else appended
    /// first. Nothing was written; catch up and decide again.
    #[error("stream {stream} is at {head}, not at {expected}")]
    Conflict {
        /// The stream.
        stream: String,
        /// Where the append expected the head.
        expected: u64,
        /// Where it is.
        head: u64,
    },
    /// The append is malformed (records not numbered from `after + 1`, a bad stream name).
    #[error("invalid append: {0}")]
    Invalid(String),
    /// The backend failed (disk full, database gone). Nothing was acknowledged; retry.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store was written by a newer version of Quorum, or is damaged.
    #[error("store format: {0}")]
    Format(String),
}

/// The durable, ordered logs of the hub's streams. [`conformance`] spells out the
/// whole contract as properties that every backend must pass.
pub trait EventLog: Send + Sync + 'static {
    /// Appends the records durably, or nothing. Returns only once they are durable.
    /// Concurrent appends (to any streams) are committed together: a group commit.
    ///
    /// The append is checked by [`Append::validate`] first (`Invalid`), then against
    /// the stream's head (`Conflict`). An append of no records succeeds and writes
    /// nothing. After `Unavailable`, or if the future is dropped once started, the
    /// records may or may not be stored: retrying with the same `after` is safe, since
    /// it either stores them or fails with `Conflict`.
    fn append(&self, append: Append) -> StoreFuture<'_, Result<(), StoreError>>;

    /// Up to `limit` records of `stream` with `seq > after`, in order.
    fn read<'a>(
        &'a self,
        stream: &'a str,
        after: u64,
        limit: usize,
    ) -> StoreFuture<'a, Result<Vec<Record>, StoreError>>;

    /// The last sequence number of `stream` (0 if it has none).
    fn head<'a>(&'a self, stream: &'a str) -> StoreFuture<'a, Result<u64, StoreError>>;

    /// The names of every stream that starts with `prefix`, each once, sorted by their
    /// UTF-8 bytes (as `str` sorts).
    fn streams<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Result<Vec<String>, StoreError>>;
}

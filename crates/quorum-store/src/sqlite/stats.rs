//! Counters of the SQLite writer, kept in atomics so that the gateway can export them as
//! metrics without this crate depending on a metrics library.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of what the writer has done since the log was opened.
///
/// Mean commit latency is `commit_micros_total / commits`; mean batch size is
/// `appends / commits`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogStats {
    /// Transactions committed (one per batch, whatever it held).
    pub commits: u64,
    /// Appends acknowledged as durable (empty appends are not counted).
    pub appends: u64,
    /// Records made durable.
    pub records: u64,
    /// Appends refused because the stream's head was elsewhere.
    pub conflicts: u64,
    /// Batches whose transaction failed; each of their appends got `Unavailable`.
    pub failed_batches: u64,
    /// How long the last commit took, from `BEGIN` to the return of `COMMIT`.
    pub last_commit_micros: u64,
    /// The sum of every commit's duration.
    pub commit_micros_total: u64,
    /// The most appends one batch has held, conflicting ones included.
    pub largest_batch: u64,
}

/// The live counters behind [`LogStats`], written by the writer thread only.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    commits: AtomicU64,
    appends: AtomicU64,
    records: AtomicU64,
    conflicts: AtomicU64,
    failed_batches: AtomicU64,
    last_commit_micros: AtomicU64,
    commit_micros_total: AtomicU64,
    largest_batch: AtomicU64,
}

/// What one committed batch did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BatchOutcome {
    pub(crate) appends: u64,
    pub(crate) records: u64,
    pub(crate) conflicts: u64,
    pub(crate) micros: u64,
}

impl Counters {
    pub(crate) fn committed(&self, batch: BatchOutcome) {
        // Relaxed is enough: each counter is read on its own, and a snapshot that is a
        // commit behind on one of them is still a correct metric.
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.appends.fetch_add(batch.appends, Ordering::Relaxed);
        self.records.fetch_add(batch.records, Ordering::Relaxed);
        self.conflicts.fetch_add(batch.conflicts, Ordering::Relaxed);
        self.last_commit_micros
            .store(batch.micros, Ordering::Relaxed);
        self.commit_micros_total
            .fetch_add(batch.micros, Ordering::Relaxed);
        self.largest_batch
            .fetch_max(batch.appends + batch.conflicts, Ordering::Relaxed);
    }

    pub(crate) fn failed(&self) {
        self.failed_batches.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> LogStats {
        LogStats {
            commits: self.commits.load(Ordering::Relaxed),
            appends: self.appends.load(Ordering::Relaxed),
            records: self.records.load(Ordering::Relaxed),
            conflicts: self.conflicts.load(Ordering::Relaxed),
            failed_batches: self.failed_batches.load(Ordering::Relaxed),
            last_commit_micros: self.last_commit_micros.load(Ordering::Relaxed),
            commit_micros_total: self.commit_micros_total.load(Ordering::Relaxed),
            largest_batch: self.largest_batch.load(Ordering::Relaxed),
        }
    }
}

//! The one writer: a thread that owns the read-write connection and commits every
//! append queued while the previous commit ran in one transaction (group commit).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::sync::Arc;
use std::time::Instant;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::mpsc;

use super::readers::head;
use super::schema::BODY_FORMAT;
use super::stats::{BatchOutcome, Counters};
use super::store_error;
use crate::StoreError;

/// Past this many cached heads the cache starts afresh, so that a hub that has seen
/// many meetings does not keep every head in memory forever.
const MAX_CACHED_HEADS: usize = 100_000;

pub(crate) use crate::queue::Request;

/// How large a batch may grow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLimits {
    pub(crate) appends: usize,
    pub(crate) records: usize,
}

/// The writer thread's state.
pub(crate) struct Writer {
    connection: Connection,
    /// Held for the writer's whole life: no other process may write this database,
    /// since the cached heads below assume that nobody else appends.
    _lock: File,
    /// The head of each stream seen so far; a stream missing here is read from the
    /// database the first time a batch touches it.
    heads: HashMap<String, u64>,
    limits: BatchLimits,
    counters: Arc<Counters>,
}

impl Writer {
    pub(crate) fn new(
        connection: Connection,
        lock: File,
        limits: BatchLimits,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            connection,
            _lock: lock,
            heads: HashMap::new(),
            limits: BatchLimits {
                appends: limits.appends.max(1),
                records: limits.records.max(1),
            },
            counters,
        }
    }

    /// Serves requests until every sender is gone and the queue is empty, then returns
    /// (closing the connection and releasing the lock).
    pub(crate) fn run(mut self, mut queue: mpsc::Receiver<Request>) {
        // Blocking for the first request and then taking whatever else is already
        // queued is the whole of group commit: while one transaction waits for its
        // fsync, the next batch gathers in the queue.
        while let Some(first) = queue.blocking_recv() {
            let mut records = first.append.records.len();
            let mut batch = vec![first];
            while batch.len() < self.limits.appends && records < self.limits.records {
                match queue.try_recv() {
                    Ok(request) => {
                        records += request.append.records.len();
                        batch.push(request);
                    }
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
        tracing::debug!("event log writer stopped");
    }

    /// Commits one batch and answers each of its requests.
    fn commit(&mut self, batch: Vec<Request>) {
        if self.heads.len() > MAX_CACHED_HEADS {
            self.heads.clear();
        }
        let started = Instant::now();
        match self.write(&batch) {
            Ok(answers) => {
                let mut outcome = BatchOutcome {
                    micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                    ..BatchOutcome::default()
                };
                for (request, answer) in batch.iter().zip(&answers) {
                    match answer {
                        Ok(()) => {
                            outcome.appends += 1;
                            outcome.records += request.append.records.len() as u64;
                        }
                        Err(_) => outcome.conflicts += 1,
                    }
                }
                // Counted before anyone is answered, so that a caller whose append
                // returned finds it in the stats.
                self.counters.committed(outcome);
                for (request, answer) in batch.into_iter().zip(answers) {
                    // A caller that stopped waiting is told nothing; its records are
                    // durable all the same, and it will find them when it catches up.
                    let _ = request.reply.send(answer);
                }
            }
            Err(error) => {
                // The transaction rolled back, so the heads cached while it ran may name
                // records that were never written. Start the cache afresh.
                self.heads.clear();
                self.counters.failed();
                // Dropping the transaction rolled it back; should that rollback itself
                // have failed, end the transaction here so that the next batch can begin.
                if !self.connection.is_autocommit() {
                    let _ = self.connection.execute_batch("ROLLBACK");
                }
                tracing::error!(%error, appends = batch.len(), "event log batch failed");
                let message = error.to_string();
                for request in batch {
                    let _ = request
                        .reply
                        .send(Err(StoreError::Unavailable(message.clone())));
                }
            }
        }
    }

    /// Writes the batch in one transaction. The outer error fails the whole batch; the
    /// inner results are each append's own answer.
    fn write(&mut self, batch: &[Request]) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error("begin", &e))?;
        let mut answers = Vec::with_capacity(batch.len());
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO events (stream, seq, at, format, body) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|e| store_error("prepare an insert", &e))?;
            for Request { append, .. } in batch {
                let head = match self.heads.entry(append.stream.clone()) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => entry.insert(head(&transaction, &append.stream)?),
                };
                if *head != append.after {
                    answers.push(Err(StoreError::Conflict {
                        stream: append.stream.clone(),
                        expected: append.after,
                        head: *head,
                    }));
                    continue;
                }
                for record in &append.records {
                    // `Append::validate` ran before the request was queued, so every
                    // seq fits in an i64.
                    let seq = i64::try_from(record.seq)
                        .map_err(|_| StoreError::Invalid(format!("seq {}", record.seq)))?;
                    insert
                        .execute((&append.stream, seq, record.at, BODY_FORMAT, &record.body))
                        .map_err(|e| store_error("insert", &e))?;
                }
                // Later appends of this batch to the same stream build on this one.
                *head = append.after + append.records.len() as u64;
                answers.push(Ok(()));
            }
        }
        transaction
            .commit()
            .map_err(|e| store_error("commit", &e))?;
        Ok(answers)
    }
}

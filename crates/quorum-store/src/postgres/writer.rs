//! The node's one writer: a task that owns a connection and commits every append queued
//! while the previous transaction ran in one transaction (group commit), locking the
//! streams it touches in one global order so that nodes' batches never deadlock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::connect::Connector;
use super::{PgOptions, describe, is_broken, is_transient};
use crate::{Append, LogStats, StoreError};

/// The first wait after a failed reconnect; it doubles up to the configured maximum.
const FIRST_RECONNECT_DELAY: Duration = Duration::from_millis(50);

pub(crate) use crate::queue::Request;

/// How large a batch may grow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLimits {
    pub(crate) appends: usize,
    pub(crate) records: usize,
    pub(crate) bytes: usize,
}

/// Each append's own answer, in the batch's order.
type Answers = Vec<Result<(), StoreError>>;

/// The writer task's state.
pub(crate) struct Writer {
    connector: Arc<Connector>,
    /// `None` after the connection broke, until a batch reconnects.
    client: Option<Client>,
    limits: BatchLimits,
    timeout: Duration,
    retries: u32,
    reconnect_delay: Duration,
    max_reconnect_delay: Duration,
    /// Until then, batches fail at once rather than hammer a database that is down.
    next_reconnect: Option<Instant>,
    last_connect_error: String,
    stats: Arc<Mutex<LogStats>>,
}

impl Writer {
    pub(crate) fn new(
        connector: Arc<Connector>,
        client: Option<Client>,
        limits: BatchLimits,
        options: &PgOptions,
        stats: Arc<Mutex<LogStats>>,
    ) -> Self {
        Self {
            connector,
            client,
            limits,
            timeout: options.statement_timeout,
            retries: options.batch_retries,
            reconnect_delay: FIRST_RECONNECT_DELAY,
            max_reconnect_delay: options.max_reconnect_delay.max(FIRST_RECONNECT_DELAY),
            next_reconnect: None,
            last_connect_error: String::new(),
            stats,
        }
    }

    /// Serves requests until every sender is gone and the queue is empty, then returns
    /// (closing the connection). No failure ends it: a batch that fails is answered
    /// with `Unavailable`, and the next one reconnects.
    pub(crate) async fn run(mut self, mut queue: mpsc::Receiver<Request>) {
        // Waiting for the first request and then taking whatever else is already
        // queued is the whole of group commit: while one transaction waits for its
        // commit, the next batch gathers in the queue.
        while let Some(first) = queue.recv().await {
            let mut records = first.append.records.len();
            let mut bytes = body_bytes(&first.append);
            let mut batch = vec![first];
            while batch.len() < self.limits.appends
                && records < self.limits.records
                && bytes < self.limits.bytes
            {
                match queue.try_recv() {
                    Ok(request) => {
                        records += request.append.records.len();
                        bytes += body_bytes(&request.append);
                        batch.push(request);
                    }
                    Err(_) => break,
                }
            }
            self.commit(batch).await;
        }
        tracing::debug!("event log writer stopped");
    }

    /// Commits one batch and answers each of its requests.
    async fn commit(&mut self, batch: Vec<Request>) {
        let started = Instant::now();
        match self.write_with_retries(&batch).await {
            Ok(answers) => {
                let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                // Counted before anyone is answered, so that a caller whose append
                // returned finds it in the stats.
                self.count(&batch, &answers, micros);
                for (request, answer) in batch.into_iter().zip(answers) {
                    // A caller that stopped waiting is told nothing; its records are
                    // durable all the same, and it will find them when it catches up.
                    let _ = request.reply.send(answer);
                }
            }
            Err(error) => {
                self.lock_stats().failed_batches += 1;
                tracing::error!(%error, appends = batch.len(), "event log batch failed");
                let message = match error {
                    StoreError::Unavailable(message) => message,
                    other => other.to_string(),
                };
                for request in batch {
                    let _ = request
                        .reply
                        .send(Err(StoreError::Unavailable(message.clone())));
                }
            }
        }
    }

    /// Writes the batch, trying it again after a deadlock or serialization failure.
    /// The outer error fails the whole batch (its outcome is unknown if the connection
    /// broke during the commit); the inner results are each append's own answer.
    async fn write_with_retries(&mut self, batch: &[Request]) -> Result<Answers, StoreError> {
        let timeout = self.timeout;
        let mut attempt = 0;
        loop {
            let client = self.connected().await?;
            let outcome = tokio::time::timeout(timeout, write(client, batch)).await;
            let closed = client.is_closed();
            match outcome {
                Ok(Ok(answers)) => return Ok(answers),
                Ok(Err(error)) if is_transient(&error) && attempt < self.retries => {
                    attempt += 1;
                    tracing::warn!(error = %describe(&error), attempt, "event log batch retried");
                }
                Ok(Err(error)) => {
                    if closed || is_broken(&error) {
                        self.client = None;
                    }
                    return Err(StoreError::Unavailable(format!(
                        "the batch failed: {}",
                        describe(&error)
                    )));
                }
                Err(_) => {
                    // Where the transaction stands is unknown: drop the connection, and
                    // the server rolls back whatever it had not committed.
                    self.client = None;
                    return Err(StoreError::Unavailable(format!(
                        "the batch took longer than {} ms",
                        timeout.as_millis()
                    )));
                }
            }
        }
    }

    /// The writer's connection, reconnecting if it has none (unless the last attempt
    /// failed too recently).
    async fn connected(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        if self.client.is_none() {
            let now = Instant::now();
            if let Some(next) = self.next_reconnect
                && now < next
            {
                return Err(StoreError::Unavailable(format!(
                    "PostgreSQL is unreachable ({}); the next attempt is in {} ms",
                    self.last_connect_error,
                    (next - now).as_millis()
                )));
            }
            match self.connector.connect().await {
                Ok((client, _driver)) => {
                    if self.next_reconnect.take().is_some() {
                        tracing::info!("event log writer reconnected to PostgreSQL");
                    }
                    self.reconnect_delay = FIRST_RECONNECT_DELAY;
                    self.client = Some(client);
                }
                Err(error) => {
                    self.next_reconnect = Some(Instant::now() + self.reconnect_delay);
                    self.reconnect_delay = (self.reconnect_delay * 2).min(self.max_reconnect_delay);
                    self.last_connect_error = error.to_string();
                    tracing::warn!(%error, "event log writer cannot reconnect");
                    return Err(error);
                }
            }
        }
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("the writer has no connection".into()))
    }

    fn count(&self, batch: &[Request], answers: &Answers, micros: u64) {
        let mut stats = self.lock_stats();
        stats.commits += 1;
        for (request, answer) in batch.iter().zip(answers) {
            match answer {
                Ok(()) => {
                    stats.appends += 1;
                    stats.records += request.append.records.len() as u64;
                }
                Err(_) => stats.conflicts += 1,
            }
        }
        stats.last_commit_micros = micros;
        stats.commit_micros_total += micros;
        stats.largest_batch = stats.largest_batch.max(batch.len() as u64);
    }

    fn lock_stats(&self) -> std::sync::MutexGuard<'_, LogStats> {
        // Plain counters cannot be left half-changed, so a poisoned lock is still good.
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The rows one batch adds to `quorum_events`, column by column for `unnest`.
#[derive(Default)]
struct Events<'a> {
    streams: Vec<&'a str>,
    seqs: Vec<i64>,
    ats: Vec<i64>,
    bodies: Vec<&'a str>,
}

/// Writes the batch in one transaction and commits it.
///
/// Deadlock freedom across nodes: every lock a batch waits for is taken in the byte
/// order of stream names. First the rows of streams that an append may create
/// (`after` 0) are inserted in that order (an insert waits only for another
/// transaction inserting the same name); then every stream row of the batch is
/// locked, in that order, by one `SELECT … ORDER BY … FOR UPDATE`, which locks rows as
/// it returns them, after sorting. Rows another transaction inserted but has not
/// committed are invisible to that select, so it cannot wait on them; and a
/// transaction only ever waits for a name above every name it has locked, so no cycle
/// of waits can form.
async fn write(client: &mut Client, batch: &[Request]) -> Result<Answers, tokio_postgres::Error> {
    let mut streams: Vec<&str> = batch.iter().map(|r| r.append.stream.as_str()).collect();
    // Rust orders `str` by bytes, as the "C" collation does.
    streams.sort_unstable();
    streams.dedup();
    let mut created: Vec<&str> = batch
        .iter()
        .filter(|r| r.append.after == 0)
        .map(|r| r.append.stream.as_str())
        .collect();
    created.sort_unstable();
    created.dedup();

    let transaction = client.transaction().await?;
    if !created.is_empty() {
        transaction
            .query_typed(
                r#"INSERT INTO quorum_streams (stream, head)
                   SELECT stream, 0 FROM unnest($1::text[]) AS created (stream)
                   ORDER BY stream COLLATE "C"
                   ON CONFLICT (stream) DO NOTHING"#,
                &[(&created, Type::TEXT_ARRAY)],
            )
            .await?;
    }
    let rows = transaction
        .query_typed(
            r#"SELECT stream, head FROM quorum_streams WHERE stream = ANY($1::text[])
               ORDER BY stream COLLATE "C" FOR UPDATE"#,
            &[(&streams, Type::TEXT_ARRAY)],
        )
        .await?;
    // Each stream's head and whether this batch moved it.
    let mut heads: HashMap<String, (i64, bool)> = HashMap::with_capacity(rows.len());
    for row in &rows {
        heads.insert(row.try_get(0)?, (row.try_get(1)?, false));
    }

    let mut answers = Vec::with_capacity(batch.len());
    let mut events = Events::default();
    // In queue order, so that a later append to the same stream builds on an earlier.
    for Request { append, .. } in batch {
        let (head, moved) = heads.entry(append.stream.clone()).or_insert((0, false));
        // `Append::validate` ran before the request was queued: the new head fits in
        // an i64, and the records are numbered after + 1, after + 2, …
        let count = append.records.len() as u64;
        let (Ok(after), Ok(new_head)) = (
            i64::try_from(append.after),
            i64::try_from(append.after.saturating_add(count)),
        ) else {
            answers.push(Err(StoreError::Invalid(format!(
                "the records of {} go past the highest sequence number",
                append.stream
            ))));
            continue;
        };
        if *head != after {
            answers.push(Err(StoreError::Conflict {
                stream: append.stream.clone(),
                expected: append.after,
                // The table's CHECK keeps heads at 0 or above.
                head: u64::try_from(*head).unwrap_or_default(),
            }));
            continue;
        }
        for (seq, record) in (after + 1..).zip(&append.records) {
            events.streams.push(&append.stream);
            events.seqs.push(seq);
            events.ats.push(record.at);
            events.bodies.push(&record.body);
        }
        *head = new_head;
        *moved = true;
        answers.push(Ok(()));
    }

    if events.streams.is_empty() {
        // Every append conflicted: nothing to make durable, and the locks go with the
        // rollback.
        transaction.rollback().await?;
        return Ok(answers);
    }
    let (moved_streams, moved_heads): (Vec<&str>, Vec<i64>) = heads
        .iter()
        .filter(|(_, (_, moved))| *moved)
        .map(|(stream, (head, _))| (stream.as_str(), *head))
        .unzip();
    // An upsert, though every moved stream's row exists and is locked by now: should
    // one ever be missing, the events below still get their head.
    transaction
        .query_typed(
            "INSERT INTO quorum_streams (stream, head)
             SELECT * FROM unnest($1::text[], $2::bigint[])
             ON CONFLICT (stream) DO UPDATE SET head = excluded.head",
            &[
                (&moved_streams, Type::TEXT_ARRAY),
                (&moved_heads, Type::INT8_ARRAY),
            ],
        )
        .await?;
    transaction
        .query_typed(
            "INSERT INTO quorum_events (stream, seq, at, body)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])",
            &[
                (&events.streams, Type::TEXT_ARRAY),
                (&events.seqs, Type::INT8_ARRAY),
                (&events.ats, Type::INT8_ARRAY),
                (&events.bodies, Type::TEXT_ARRAY),
            ],
        )
        .await?;
    // synchronous_commit stays at its default (on): COMMIT returns once the WAL is
    // flushed, which is what `append` promises.
    transaction.commit().await?;
    Ok(answers)
}

fn body_bytes(append: &Append) -> usize {
    append.records.iter().map(|record| record.body.len()).sum()
}

//! The read side: a few connections serving `read`, `head`, `streams` and `ping`,
//! opened on demand and replaced when they break.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use super::connect::Connector;
use super::schema::BODY_FORMAT;
use super::{is_broken, unavailable};
use crate::{Record, StoreError};

/// A pool of reader connections. A semaphore bounds how many are open at once; an idle
/// one is reused, a closed one is dropped, and a missing one is opened when needed.
#[derive(Debug)]
pub(crate) struct Readers {
    connector: Arc<Connector>,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
    timeout: Duration,
}

impl Readers {
    /// A pool of at most `count` connections (at least one); none is opened yet.
    pub(crate) fn new(connector: Arc<Connector>, count: usize, timeout: Duration) -> Self {
        Self {
            connector,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(count.max(1)),
            timeout,
        }
    }

    /// Up to `limit` records of `stream` with `seq > after`, in order.
    pub(crate) async fn read(
        &self,
        stream: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        if limit == 0 || cannot_exist(stream) {
            return Ok(Vec::new());
        }
        // Sequence numbers above i64::MAX cannot exist, so clamping loses nothing.
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .query(
                "SELECT seq, at, format, body FROM quorum_events
                 WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[
                    (&stream, Type::TEXT),
                    (&after, Type::INT8),
                    (&limit, Type::INT8),
                ],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let (seq, at, format, body): (i64, i64, i32, String) = (
                    column(row, 0)?,
                    column(row, 1)?,
                    column(row, 2)?,
                    column(row, 3)?,
                );
                if format != BODY_FORMAT {
                    return Err(StoreError::Format(format!(
                        "record {seq} of {stream} has body format {format}; this Quorum \
                         reads format {BODY_FORMAT}"
                    )));
                }
                let seq = u64::try_from(seq).map_err(|_| {
                    StoreError::Format(format!("record {seq} of {stream} has a negative seq"))
                })?;
                Ok(Record { seq, at, body })
            })
            .collect()
    }

    /// The last sequence number of `stream`, 0 if it has none.
    pub(crate) async fn head(&self, stream: &str) -> Result<u64, StoreError> {
        if cannot_exist(stream) {
            return Ok(0);
        }
        let rows = self
            .query(
                "SELECT head FROM quorum_streams WHERE stream = $1",
                &[(&stream, Type::TEXT)],
            )
            .await?;
        let Some(row) = rows.first() else {
            return Ok(0);
        };
        let head: i64 = column(row, 0)?;
        u64::try_from(head)
            .map_err(|_| StoreError::Format(format!("stream {stream} has a negative head")))
    }

    /// The stream names that start with `prefix`, sorted by bytes.
    pub(crate) async fn streams(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        if cannot_exist(prefix) {
            return Ok(Vec::new());
        }
        // Every name that starts with the prefix sorts in one run from the prefix up to
        // (not including) its successor, so the primary key answers with a range scan;
        // LIKE would need its wildcards escaped and could not use the "C" index here.
        let rows = match prefix_successor(prefix) {
            Some(end) => {
                self.query(
                    r#"SELECT stream FROM quorum_streams
                       WHERE stream >= $1 AND stream < $2 AND head > 0
                       ORDER BY stream COLLATE "C""#,
                    &[(&prefix, Type::TEXT), (&end, Type::TEXT)],
                )
                .await?
            }
            None => {
                self.query(
                    r#"SELECT stream FROM quorum_streams WHERE stream >= $1 AND head > 0
                       ORDER BY stream COLLATE "C""#,
                    &[(&prefix, Type::TEXT)],
                )
                .await?
            }
        };
        rows.iter().map(|row| column(row, 0)).collect()
    }

    /// One round trip to the server.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.query("SELECT 1", &[]).await.map(drop)
    }

    /// Runs one query on a pooled connection. If the connection turns out to be broken
    /// (PostgreSQL restarted since it was last used, say), the query is tried once more
    /// on a new one.
    async fn query(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the readers are closed".into()))?;
        let mut tries_left = 2;
        loop {
            tries_left -= 1;
            let client = match self.take_idle() {
                Some(client) => client,
                None => self.connector.connect().await?.0,
            };
            match tokio::time::timeout(self.timeout, client.query_typed(sql, params)).await {
                Ok(Ok(rows)) => {
                    self.give_back(client);
                    return Ok(rows);
                }
                Ok(Err(error)) if is_broken(&error) || client.is_closed() => {
                    if tries_left == 0 {
                        return Err(unavailable("read", &error));
                    }
                    tracing::debug!(error = %error, "a reader connection broke; reconnecting");
                }
                Ok(Err(error)) => {
                    self.give_back(client);
                    return Err(unavailable("read", &error));
                }
                // The connection is dropped with the query still running: the server
                // cancels it when it notices the client is gone.
                Err(_) => {
                    return Err(StoreError::Unavailable(format!(
                        "a read took longer than {} ms",
                        self.timeout.as_millis()
                    )));
                }
            }
        }
    }

    /// An idle connection that is still open, if any.
    fn take_idle(&self) -> Option<Client> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(client) = idle.pop() {
            if !client.is_closed() {
                return Some(client);
            }
        }
        None
    }

    fn give_back(&self, client: Client) {
        if !client.is_closed() {
            // A panic while the list was held cannot leave it half-changed (push and
            // pop are whole), so a poisoned lock is still good to use.
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(client);
        }
    }
}

/// Whether no stream can have this name (or prefix): PostgreSQL's text cannot hold a
/// NUL and would refuse the query, while the other backends answer "nothing".
fn cannot_exist(name: &str) -> bool {
    name.contains('\0')
}

/// Reads column `index` of `row`.
fn column<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index)
        .map_err(|e| StoreError::Format(format!("an unexpected column in a read: {e}")))
}

/// The least string above every string that starts with `prefix`, comparing as UTF-8
/// bytes (code points): the prefix with its last character stepped up, dropping
/// trailing characters that cannot be; `None` if no string is above them all.
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_bounds_exactly_the_names_with_the_prefix() {
        assert_eq!(prefix_successor("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_successor("").as_deref(), None);
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
        // The surrogates are not characters: U+D7FF steps to U+E000.
        assert_eq!(prefix_successor("x\u{D7FF}").as_deref(), Some("x\u{E000}"));
        let prefix = "meeting/biểu";
        let end = prefix_successor(prefix).unwrap_or_default();
        for name in [
            "meeting/biểu",
            "meeting/biểu-quyết",
            "meeting/biểu\u{10FFFF}",
        ] {
            assert!(name >= prefix && name < end.as_str(), "{name}");
        }
        for name in ["meeting/biể", "meeting/biểv", "meeting/bj", "meeting0"] {
            assert!(!(name >= prefix && name < end.as_str()), "{name}");
        }
    }
}

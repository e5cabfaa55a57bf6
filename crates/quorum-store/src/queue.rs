//! The way into a backend's writer, the same for every backend: an append is validated,
//! queued with a channel for its answer, and awaited. Once queued it is written (or
//! refused) even if the caller stops waiting.

use tokio::sync::{mpsc, oneshot};

use crate::{Append, StoreError};

/// An append waiting for the writer, and where its answer goes.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) append: Append,
    pub(crate) reply: oneshot::Sender<Result<(), StoreError>>,
}

/// Validates `append`, queues it for the writer and waits for the answer. An append of
/// no records succeeds at once and writes nothing.
pub(crate) async fn submit(
    queue: &mpsc::Sender<Request>,
    append: Append,
) -> Result<(), StoreError> {
    append.validate()?;
    if append.records.is_empty() {
        return Ok(());
    }
    let (reply, answer) = oneshot::channel();
    queue
        .send(Request { append, reply })
        .await
        .map_err(|_| writer_gone())?;
    // Once queued, the append is committed even if this future is dropped.
    answer.await.map_err(|_| writer_gone())?
}

/// The writer has stopped (the log was closed, or the writer died).
fn writer_gone() -> StoreError {
    StoreError::Unavailable("the event log writer has stopped".into())
}

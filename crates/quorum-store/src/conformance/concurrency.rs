//! The conformance properties about appends that race: on one stream they serialise
//! into a gap-free sequence; on many streams, or beside conflicts, they all go through.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::ConformanceError;
use super::check::{Check, append, numbered, record};
use crate::{EventLog, StoreError};

/// How many racers share one stream.
const RACERS: u64 = 50;

/// How many streams are written at once.
const STREAMS: u64 = 100;

/// 50 tasks append one record each to the same stream, each retrying after a conflict
/// from the head it reads; the stream ends as exactly 1..=50, one record per task.
///
/// # Errors
///
/// When the property does not hold.
pub async fn concurrent_appends_to_one_stream(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("concurrent_appends_to_one_stream");
    let stream = format!("{prefix}/race");
    let mut racers = JoinSet::new();
    for racer in 0..RACERS {
        let log = Arc::clone(log);
        let stream = stream.clone();
        racers.spawn(async move { append_with_retry(log.as_ref(), &stream, racer).await });
    }
    while let Some(joined) = racers.join_next().await {
        joined
            .map_err(|e| check.fail(format!("a racer failed: {e}")))?
            .map_err(|message| check.fail(message))?;
    }
    let read = check.ok("read", log.read(&stream, 0, usize::MAX).await)?;
    let seqs: Vec<u64> = read.iter().map(|record| record.seq).collect();
    check.equal("the sequence", &seqs, &(1..=RACERS).collect())?;
    let bodies: BTreeSet<&str> = read.iter().map(|record| record.body.as_str()).collect();
    let want: Vec<String> = (0..RACERS).map(racer_body).collect();
    let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
    check.equal("one record per racer", &bodies, &want)
}

/// 100 tasks each append to a stream of their own at once; every append succeeds.
///
/// # Errors
///
/// When the property does not hold.
pub async fn concurrent_appends_to_many_streams(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("concurrent_appends_to_many_streams");
    let mut writers = JoinSet::new();
    for index in 0..STREAMS {
        let log = Arc::clone(log);
        let stream = format!("{prefix}/many/{index:03}");
        writers.spawn(async move { log.append(append(&stream, 0, numbered(1, 2))).await });
    }
    while let Some(joined) = writers.join_next().await {
        let result = joined.map_err(|e| check.fail(format!("a writer failed: {e}")))?;
        check.ok("append", result)?;
    }
    let listed = check.ok("streams", log.streams(&format!("{prefix}/many/")).await)?;
    let want: Vec<String> = (0..STREAMS)
        .map(|index| format!("{prefix}/many/{index:03}"))
        .collect();
    check.equal("the streams", &listed, &want)?;
    for stream in &want {
        check.equal(stream, &check.ok("head", log.head(stream).await)?, &2)?;
    }
    Ok(())
}

/// Conflicting appends racing beside good ones get their own `Conflict`; the good ones
/// still succeed (a backend that commits in groups must not fail the whole group).
///
/// # Errors
///
/// When the property does not hold.
pub async fn conflicts_do_not_hold_back_others(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("conflicts_do_not_hold_back_others");
    let contested = format!("{prefix}/mixed/contested");
    check.ok(
        "append",
        log.append(append(&contested, 0, numbered(1, 1))).await,
    )?;
    let mut appends = JoinSet::new();
    for index in 0..40_u64 {
        let log = Arc::clone(log);
        let good = index % 2 == 0;
        let stream = if good {
            format!("{prefix}/mixed/good-{index:02}")
        } else {
            contested.clone()
        };
        appends.spawn(async move {
            let result = log.append(append(&stream, 0, numbered(1, 1))).await;
            (good, stream, result)
        });
    }
    while let Some(joined) = appends.join_next().await {
        let (good, stream, result) =
            joined.map_err(|e| check.fail(format!("an append task failed: {e}")))?;
        if good {
            check.ok(&format!("the good append to {stream}"), result)?;
        } else {
            check.conflict(result, &stream, 0, 1)?;
        }
    }
    check.equal(
        "the contested head",
        &check.ok("head", log.head(&contested).await)?,
        &1,
    )?;
    let listed = check.ok(
        "streams",
        log.streams(&format!("{prefix}/mixed/good-")).await,
    )?;
    check.equal("the good streams", &listed.len(), &20)
}

/// Appends one record for `racer`, reading the head again after each conflict.
async fn append_with_retry(log: &dyn EventLog, stream: &str, racer: u64) -> Result<(), String> {
    // Each conflict means another racer got in, so 50 racers need at most 50 tries;
    // the margin only guards against a backend that never lets this one through.
    for _ in 0..RACERS * 4 {
        let head = log
            .head(stream)
            .await
            .map_err(|e| format!("racer {racer}: head failed: {e}"))?;
        let records = vec![record(head + 1, 0, &racer_body(racer))];
        match log.append(append(stream, head, records)).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict { .. }) => continue,
            Err(error) => return Err(format!("racer {racer}: append failed: {error}")),
        }
    }
    Err(format!("racer {racer} never got its record in"))
}

fn racer_body(racer: u64) -> String {
    format!("{{\"racer\":{racer}}}")
}

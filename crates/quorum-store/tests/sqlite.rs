//! The SQLite event log: the conformance suite, durability, group commit and versions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use quorum_store::{Append, EventLog, Record, SqliteLog, SqliteOptions, StoreError, conformance};

fn open(path: &Path) -> SqliteLog {
    SqliteLog::open(path, SqliteOptions::default()).expect("the log opens")
}

fn one(stream: &str, after: u64, body: &str) -> Append {
    Append {
        stream: stream.into(),
        after,
        records: vec![Record {
            seq: after + 1,
            at: 1_790_000_000_000,
            body: body.into(),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("data/quorum.db"));
    let shared: Arc<dyn EventLog> = Arc::new(log.clone());
    conformance::run_all(&shared, "first").await.unwrap();
    // A second run under another prefix shows that the suite shares a database.
    conformance::run_all(&shared, "second").await.unwrap();
    drop(shared);
    log.close().await.unwrap();
}

#[tokio::test]
async fn records_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quorum.db");
    let log = open(&path);
    log.append(one("meeting/a", 0, r#"{"n":1}"#)).await.unwrap();
    log.append(one("meeting/a", 1, r#"{"n":2}"#)).await.unwrap();
    log.close().await.unwrap();

    let log = open(&path);
    assert_eq!(log.head("meeting/a").await.unwrap(), 2);
    let bodies: Vec<String> = log
        .read("meeting/a", 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.body)
        .collect();
    assert_eq!(bodies, [r#"{"n":1}"#, r#"{"n":2}"#]);
    // The reopened writer learns the head from the file, not from a stale cache.
    assert!(matches!(
        log.append(one("meeting/a", 0, "{}")).await,
        Err(StoreError::Conflict { head: 2, .. })
    ));
    log.append(one("meeting/a", 2, "{}")).await.unwrap();
    log.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_committed_in_groups() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("quorum.db"));
    let mut appends = tokio::task::JoinSet::new();
    for index in 0..1_000 {
        let log = log.clone();
        appends.spawn(async move { log.append(one(&format!("s/{index}"), 0, "{}")).await });
    }
    while let Some(result) = appends.join_next().await {
        result.unwrap().unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.appends, 1_000);
    assert_eq!(stats.records, 1_000);
    assert!(
        stats.commits < stats.appends,
        "{} commits for {} appends: no batching",
        stats.commits,
        stats.appends
    );
    assert!(stats.largest_batch > 1);
    log.close().await.unwrap();
}

#[tokio::test]
async fn a_database_from_a_newer_quorum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quorum.db");
    open(&path).close().await.unwrap();
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.pragma_update(None, "user_version", 2).unwrap();
    drop(connection);

    let error = SqliteLog::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(matches!(error, StoreError::Format(_)), "{error:?}");
}

#[tokio::test]
async fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
        .unwrap();
    drop(connection);
    let error = SqliteLog::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(matches!(error, StoreError::Format(_)), "{error:?}");

    std::fs::write(
        dir.path().join("text.db"),
        "not a database at all, just text",
    )
    .unwrap();
    let error = SqliteLog::open(&dir.path().join("text.db"), SqliteOptions::default()).unwrap_err();
    assert!(matches!(error, StoreError::Format(_)), "{error:?}");
}

#[tokio::test]
async fn a_database_has_one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quorum.db");
    let log = open(&path);
    let error = SqliteLog::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    log.close().await.unwrap();
    open(&path).close().await.unwrap();
}

#[tokio::test]
async fn closing_one_of_several_handles_keeps_the_log_open() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("quorum.db"));
    let other = log.clone();
    log.close().await.unwrap();
    other.append(one("s", 0, "{}")).await.unwrap();
    assert_eq!(other.head("s").await.unwrap(), 1);
    other.close().await.unwrap();
}

#[tokio::test]
async fn close_waits_for_the_queued_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quorum.db");
    // One append per commit keeps most of them in the queue when close is called.
    let options = SqliteOptions {
        max_batch_appends: 1,
        ..SqliteOptions::default()
    };
    let log = SqliteLog::open(&path, options).unwrap();
    for index in 0..50 {
        // A zero timeout polls the append once, which queues it, then gives up
        // waiting: a queued append is committed even when nobody waits for it.
        let append = log.append(one(&format!("q/{index}"), 0, "{}"));
        let _ = tokio::time::timeout(Duration::ZERO, append).await;
    }
    log.close().await.unwrap();
    let log = open(&path);
    assert_eq!(log.streams("q/").await.unwrap().len(), 50);
    assert_eq!(log.stats().commits, 0, "the stats are the new writer's own");
    log.close().await.unwrap();
}

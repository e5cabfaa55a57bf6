//! The PostgreSQL event log: the conformance suite on one node and on two sharing a
//! database, group commit and migrations; leases and server restarts in `postgres/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/postgres/`.
mod postgres {
    mod documents;
    mod faults;
    mod leases;
}

use std::pin::pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Context, Waker};

use quorum_store::{Append, EventLog, PgLog, PgOptions, Record, StoreError, conformance};
use quorum_testkit::postgres::FreshDatabase;
use tokio::task::JoinSet;

/// A node with the default options.
async fn connect(url: &str) -> PgLog {
    PgLog::connect(url, PgOptions::default())
        .await
        .expect("the log connects")
}

/// A plain client, for looking behind the log's back.
async fn sql(url: &str) -> tokio_postgres::Client {
    let config = tokio_postgres::Config::from_str(url).unwrap();
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// An append of one record.
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

/// Polls `append` once, which queues it, and lets it go: a queued append is committed
/// even when nobody waits for its answer.
fn queue(append: impl Future) {
    let mut context = Context::from_waker(Waker::noop());
    let _ = pin!(append).poll(&mut context);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes() {
    let database = FreshDatabase::create().await;
    let log = connect(&database.url()).await;
    let shared: Arc<dyn EventLog> = Arc::new(log.clone());
    conformance::run_all(&shared, "first").await.unwrap();
    // A second run under another prefix shows that the suite shares a database.
    conformance::run_all(&shared, "second").await.unwrap();
    drop(shared);
    log.ping().await.unwrap();
    log.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes_in_a_named_schema() {
    let database = FreshDatabase::create().await;
    let options = PgOptions {
        schema: Some("Quorum \"node\"".into()),
        ..PgOptions::default()
    };
    let log = PgLog::connect(&database.url(), options).await.unwrap();
    let shared: Arc<dyn EventLog> = Arc::new(log.clone());
    conformance::run_all(&shared, "schema").await.unwrap();
    let client = sql(&database.url()).await;
    let row = client
        .query_one(
            "SELECT count(*) FROM \"Quorum \"\"node\"\"\".quorum_events",
            &[],
        )
        .await
        .unwrap();
    assert!(
        row.get::<_, i64>(0) > 0,
        "the events are in the named schema"
    );
    let public = client
        .query_one("SELECT to_regclass('public.quorum_events') IS NULL", &[])
        .await
        .unwrap();
    assert!(public.get::<_, bool>(0), "nothing was written to public");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_sharing_a_database_pass_the_suite_and_race_fairly() {
    let database = FreshDatabase::create().await;
    let nodes: [Arc<dyn EventLog>; 2] = [
        Arc::new(connect(&database.url()).await),
        Arc::new(connect(&database.url()).await),
    ];
    let (first, second) = tokio::join!(
        conformance::run_all(&nodes[0], "node-a"),
        conformance::run_all(&nodes[1], "node-b"),
    );
    first.unwrap();
    second.unwrap();

    // 50 racers split between the nodes append to one stream, each retrying after a
    // conflict: the stream ends as 1..=50, one record per racer.
    let stream = "race/shared";
    let mut racers = JoinSet::new();
    for racer in 0..50_u64 {
        let log = Arc::clone(&nodes[usize::from(racer % 2 == 1)]);
        racers.spawn(async move {
            loop {
                let head = log.head(stream).await.unwrap();
                match log.append(one(stream, head, &format!("{racer}"))).await {
                    Ok(()) => return,
                    Err(StoreError::Conflict { .. }) => continue,
                    Err(error) => panic!("racer {racer}: {error}"),
                }
            }
        });
    }
    while let Some(joined) = racers.join_next().await {
        joined.unwrap();
    }
    let read = nodes[1].read(stream, 0, usize::MAX).await.unwrap();
    let seqs: Vec<u64> = read.iter().map(|record| record.seq).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    let mut bodies: Vec<u64> = read.iter().map(|r| r.body.parse().unwrap()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, (0..50).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_contending_for_many_streams_do_not_deadlock() {
    // No retries: a deadlock between the nodes' batches would surface as Unavailable.
    let database = FreshDatabase::create().await;
    let options = PgOptions {
        batch_retries: 0,
        ..PgOptions::default()
    };
    let nodes = [
        PgLog::connect(&database.url(), options.clone())
            .await
            .unwrap(),
        PgLog::connect(&database.url(), options).await.unwrap(),
    ];
    const STREAMS: u64 = 12;
    const TASKS: u64 = 80;
    const APPENDS: u64 = 20;
    let mut tasks = JoinSet::new();
    for task in 0..TASKS {
        let log = nodes[usize::from(task % 2 == 1)].clone();
        tasks.spawn(async move {
            // Each task walks the streams in its own order, so batches of both nodes
            // hold many streams in many orders at once.
            for step in 0..APPENDS {
                let stream = format!("contended/{:02}", (task * 5 + step * 7) % STREAMS);
                loop {
                    let head = log.head(&stream).await.unwrap();
                    match log.append(one(&stream, head, "{}")).await {
                        Ok(()) => break,
                        Err(StoreError::Conflict { .. }) => continue,
                        Err(error) => panic!("task {task}: {error}"),
                    }
                }
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap();
    }
    let mut total = 0;
    for stream in nodes[0].streams("contended/").await.unwrap() {
        let read = nodes[0].read(&stream, 0, usize::MAX).await.unwrap();
        let seqs: Vec<u64> = read.iter().map(|record| record.seq).collect();
        assert_eq!(
            seqs,
            (1..=read.len() as u64).collect::<Vec<_>>(),
            "{stream}"
        );
        total += read.len() as u64;
    }
    assert_eq!(total, TASKS * APPENDS);
    let stats: Vec<_> = nodes.iter().map(PgLog::stats).collect();
    assert_eq!(stats[0].failed_batches + stats[1].failed_batches, 0);
    assert_eq!(stats[0].appends + stats[1].appends, TASKS * APPENDS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_committed_in_groups() {
    let database = FreshDatabase::create().await;
    let log = connect(&database.url()).await;
    let mut appends = JoinSet::new();
    for index in 0..500 {
        let log = log.clone();
        appends.spawn(async move { log.append(one(&format!("s/{index}"), 0, "{}")).await });
    }
    while let Some(result) = appends.join_next().await {
        result.unwrap().unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.appends, 500);
    assert_eq!(stats.records, 500);
    assert!(
        stats.commits * 5 <= stats.appends,
        "{} commits for {} appends: too little batching",
        stats.commits,
        stats.appends
    );
    assert!(stats.largest_batch > 1);
    assert_eq!(log.streams("s/").await.unwrap().len(), 500);
    log.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_at_once_migrate_once() {
    let database = FreshDatabase::create().await;
    let url = database.url();
    let (a, b, c) = tokio::join!(connect(&url), connect(&url), connect(&url));
    a.append(one("m", 0, "{}")).await.unwrap();
    // And a node starting later finds the schema as it is.
    let d = connect(&url).await;
    assert_eq!(d.head("m").await.unwrap(), 1);
    let rows = sql(&url)
        .await
        .query("SELECT version FROM quorum_schema", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, i64>(0), PgLog::SCHEMA_VERSION);
    assert_eq!(
        PgLog::SCHEMA_VERSION,
        2,
        "the event log, then the documents"
    );
    for log in [a, b, c, d] {
        log.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_database_from_a_newer_quorum_is_refused() {
    let database = FreshDatabase::create().await;
    connect(&database.url()).await.close().await.unwrap();
    sql(&database.url())
        .await
        .batch_execute("UPDATE quorum_schema SET version = 99")
        .await
        .unwrap();
    let error = PgLog::connect(&database.url(), PgOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Format(_)), "{error:?}");
}

#[tokio::test]
async fn close_waits_for_the_queued_appends() {
    let database = FreshDatabase::create().await;
    let options = PgOptions {
        max_batch_appends: 1,
        ..PgOptions::default()
    };
    let log = PgLog::connect(&database.url(), options).await.unwrap();
    for index in 0..50 {
        queue(log.append(one(&format!("q/{index}"), 0, "{}")));
    }
    log.close().await.unwrap();
    let log = connect(&database.url()).await;
    assert_eq!(log.streams("q/").await.unwrap().len(), 50);
    log.close().await.unwrap();
}

#[tokio::test]
async fn appends_queued_together_build_on_each_other() {
    let database = FreshDatabase::create().await;
    let log = connect(&database.url()).await;
    // Queued in this order before the writer task gets to run (this runtime has one
    // thread), they share a batch: each must see the head its predecessor left.
    for after in 0..20 {
        queue(log.append(one("chain", after, &format!("{after}"))));
    }
    // The writer serves its queue in order: once this last append is answered, every
    // earlier one has been.
    log.append(one("chain", 20, "20")).await.unwrap();
    let read = log.read("chain", 0, usize::MAX).await.unwrap();
    let bodies: Vec<String> = read.into_iter().map(|record| record.body).collect();
    assert_eq!(bodies, (0..=20).map(|n| n.to_string()).collect::<Vec<_>>());
    let stats = log.stats();
    assert!(stats.largest_batch >= 20, "{stats:?}");
    assert_eq!(stats.conflicts, 0, "{stats:?}");
    log.close().await.unwrap();
}

#[tokio::test]
async fn names_no_stream_can_have_read_as_nothing() {
    let database = FreshDatabase::create().await;
    let log = connect(&database.url()).await;
    assert_eq!(log.read("a\0b", 0, 10).await.unwrap(), Vec::new());
    assert_eq!(log.head("a\0b").await.unwrap(), 0);
    assert_eq!(log.streams("a\0").await.unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn a_database_that_commits_without_flushing_is_refused() {
    let database = FreshDatabase::create().await;
    sql(&database.url())
        .await
        .batch_execute(&format!(
            "ALTER DATABASE {} SET synchronous_commit = off",
            database.name()
        ))
        .await
        .unwrap();
    let error = PgLog::connect(&database.url(), PgOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

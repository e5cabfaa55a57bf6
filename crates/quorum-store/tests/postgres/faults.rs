//! Faults: a database that is not there, and one that stops or crashes while appends
//! are in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quorum_store::{EventLog, PgLog, PgOptions, StoreError};
use quorum_testkit::postgres::PrivatePostgres;
use tokio::task::JoinSet;

use crate::one;

#[tokio::test]
async fn an_unreachable_database_fails_fast() {
    // A port nobody listens on: refused at once, well within the connect timeout.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let error = PgLog::connect(
        &format!("host=127.0.0.1 port={port} user=root dbname=x"),
        PgOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Appends answered so far by the writers of the restart test.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unavailable: AtomicU64,
}

impl Tally {
    /// Waits (polling) until `counter` has grown by `by` since `from`.
    async fn wait(&self, what: &str, counter: &AtomicU64, by: u64) {
        let from = counter.load(Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(10);
        while counter.load(Ordering::Relaxed) < from + by {
            assert!(
                Instant::now() < deadline,
                "waited 10 s for {by} more {what}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_survive_postgres_restarts() {
    let mut server = PrivatePostgres::start().await;
    let options = PgOptions {
        connect_timeout: Duration::from_secs(1),
        statement_timeout: Duration::from_secs(2),
        max_reconnect_delay: Duration::from_millis(200),
        ..PgOptions::default()
    };
    // No call may take longer than a connect and a statement, with some slack.
    let bound = Duration::from_secs(4);
    let log = PgLog::connect(&server.url(), options).await.unwrap();
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = JoinSet::new();
    for writer in 0..8 {
        let (log, tally, stop) = (log.clone(), Arc::clone(&tally), Arc::clone(&stop));
        writers.spawn(async move {
            let stream = format!("restart/{writer}");
            let mut head = 0;
            let mut acknowledged = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                // After Unavailable the same append is retried: it is either stored
                // once or refused as a conflict that shows it was stored after all.
                let body = format!("{{\"writer\":{writer},\"seq\":{}}}", head + 1);
                let started = Instant::now();
                let result = log.append(one(&stream, head, &body)).await;
                assert!(
                    started.elapsed() < bound,
                    "an append took {:?}",
                    started.elapsed()
                );
                match result {
                    Ok(()) => {
                        head += 1;
                        acknowledged.push(head);
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(StoreError::Unavailable(_)) => {
                        tally.unavailable.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(StoreError::Conflict { head: real, .. }) if real == head + 1 => head = real,
                    Err(error) => panic!("writer {writer}: {error:?}"),
                }
            }
            (stream, head, acknowledged)
        });
    }

    tally.wait("acknowledged appends", &tally.ok, 40).await;
    server.stop().await;
    tally.wait("refused appends", &tally.unavailable, 8).await;
    for (what, started, result) in [
        (
            "head",
            Instant::now(),
            log.head("restart/0").await.map(drop),
        ),
        ("ping", Instant::now(), log.ping().await),
    ] {
        assert!(
            matches!(result, Err(StoreError::Unavailable(_))),
            "{what}: {result:?}"
        );
        assert!(
            started.elapsed() < bound,
            "{what} took {:?}",
            started.elapsed()
        );
    }
    server.restart().await;
    tally
        .wait("appends after a fast restart", &tally.ok, 40)
        .await;

    server.kill().await;
    tally.wait("refused appends", &tally.unavailable, 8).await;
    server.restart().await;
    tally.wait("appends after a crash", &tally.ok, 40).await;

    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = writers.join_next().await {
        let (stream, head, acknowledged) = joined.unwrap();
        let read = log.read(&stream, 0, usize::MAX).await.unwrap();
        let want: Vec<(u64, String)> = (1..=head)
            .map(|seq| {
                let writer = stream.trim_start_matches("restart/");
                (seq, format!("{{\"writer\":{writer},\"seq\":{seq}}}"))
            })
            .collect();
        let got: Vec<(u64, String)> = read.into_iter().map(|r| (r.seq, r.body)).collect();
        assert_eq!(got, want, "{stream}");
        assert!(acknowledged.iter().all(|&seq| seq <= head));
    }
    log.ping().await.unwrap();
    let stats = log.stats();
    assert!(stats.failed_batches > 0, "{stats:?}");
    log.close().await.unwrap();
}

//! Leases: one holder at a time across nodes, and lost with the server.

use std::time::{Duration, Instant};

use quorum_store::{PgLog, PgOptions, StoreError};
use quorum_testkit::postgres::{FreshDatabase, PrivatePostgres};

use crate::connect;

#[tokio::test]
async fn a_lease_is_held_by_one_node_at_a_time() {
    let database = FreshDatabase::create().await;
    let (a, b) = (
        connect(&database.url()).await,
        connect(&database.url()).await,
    );
    let held = a.lease("outbox").await.unwrap().expect("a free lease");
    assert_eq!(held.name(), "outbox");
    assert!(b.lease("outbox").await.unwrap().is_none());
    assert!(
        a.lease("outbox").await.unwrap().is_none(),
        "not even twice by one node"
    );
    let other = b
        .lease("minutes")
        .await
        .unwrap()
        .expect("another name is free");
    drop(held);
    // The server releases the lock once it sees the connection close.
    let deadline = Instant::now() + Duration::from_secs(5);
    let again = loop {
        if let Some(lease) = b.lease("outbox").await.unwrap() {
            break lease;
        }
        assert!(
            Instant::now() < deadline,
            "the dropped lease was never released"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    drop((again, other));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_lost_when_postgres_dies() {
    let mut server = PrivatePostgres::start().await;
    let options = PgOptions {
        lease_check_interval: Duration::from_millis(200),
        ping_timeout: Duration::from_millis(500),
        ..PgOptions::default()
    };
    let log = PgLog::connect(&server.url(), options).await.unwrap();
    let mut lease = log.lease("outbox").await.unwrap().unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), lease.lost())
            .await
            .is_err(),
        "a healthy lease is not lost"
    );
    server.kill().await;
    let lost = tokio::time::timeout(Duration::from_secs(5), lease.lost())
        .await
        .expect("the lease is found lost");
    assert!(matches!(lost, StoreError::Unavailable(_)));
    // Once lost, it stays lost.
    tokio::time::timeout(Duration::from_millis(100), lease.lost())
        .await
        .unwrap();
    server.restart().await;
    assert!(log.lease("outbox").await.unwrap().is_some());
}

//! Documents kept in PostgreSQL: a blob stored through one node's store is read through
//! another's (fetched into its own directory, checked against its name), a damaged
//! copy in the database is refused, and an unknown blob is simply absent.

use std::sync::Arc;

use quorum_store::{BlobError, BlobStore};
use quorum_testkit::postgres::FreshDatabase;

use super::super::{connect, sql};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_stored_on_one_node_is_read_on_another() {
    let database = FreshDatabase::create().await;
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let log = connect(&database.url()).await;
    let first = BlobStore::open(one.path())
        .unwrap()
        .with_mirror(Arc::new(log.documents()));
    let second = BlobStore::open(two.path())
        .unwrap()
        .with_mirror(Arc::new(log.documents()));

    // Over two chunks, so that the chunking is exercised.
    let content: Vec<u8> = (0..2_500_000u32).map(|n| (n % 251) as u8).collect();
    let mut writer = first.writer(10_000_000).unwrap();
    for part in content.chunks(100_000) {
        writer.write(part).await.unwrap();
    }
    let (hash, size) = writer.finish().await.unwrap();
    assert_eq!(size, content.len() as u64);

    assert!(second.path(&hash).is_none(), "not on the second node yet");
    let fetched = second.local(&hash).await.unwrap().expect("fetched");
    assert_eq!(std::fs::read(&fetched).unwrap(), content);
    assert_eq!(
        second.path(&hash),
        Some(fetched),
        "kept in the node's directory"
    );

    let unknown = "0".repeat(64);
    assert!(second.local(&unknown).await.unwrap().is_none());

    // A copy damaged in the database is never served.
    let damaged = tempfile::tempdir().unwrap();
    let third = BlobStore::open(damaged.path())
        .unwrap()
        .with_mirror(Arc::new(log.documents()));
    sql(&database.url())
        .await
        .execute(
            "UPDATE quorum_blob_chunks SET bytes = '\\x00'::bytea WHERE hash = $1 AND n = 1",
            &[&hash],
        )
        .await
        .unwrap();
    let refused = third.local(&hash).await;
    assert!(matches!(refused, Err(BlobError::Mirror(_))), "{refused:?}");
    assert!(third.path(&hash).is_none(), "nothing damaged is kept");
}

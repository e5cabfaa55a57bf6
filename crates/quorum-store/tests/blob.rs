//! The content-addressed blob store: hashes, limits, deduplication and cleanup.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::Path;

use quorum_store::blob::is_blob_hash;
use quorum_store::{BlobError, BlobStore};

/// SHA-256 of "Biểu quyết thông qua" in UTF-8, computed with `sha256sum`.
const VIETNAMESE_SHA256: &str = "b7ffd57d0baca5ab3a5fb57f9e4a979d5086a9fa7d57cabdbdb732d8d3fdded8";

/// SHA-256 of no bytes at all.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

async fn store(store: &BlobStore, chunks: &[&[u8]]) -> (String, u64) {
    let mut writer = store.writer(1 << 20).unwrap();
    for chunk in chunks {
        writer.write(chunk).await.unwrap();
    }
    writer.finish().await.unwrap()
}

#[tokio::test]
async fn a_blob_is_named_by_the_sha256_of_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();
    let text = "Biểu quyết thông qua".as_bytes();
    let (first, second) = text.split_at(7);
    let (hash, size) = store(&blobs, &[first, b"", second]).await;
    assert_eq!(hash, VIETNAMESE_SHA256);
    assert_eq!(size, text.len() as u64);

    let path = blobs.path(&hash).unwrap();
    assert_eq!(
        path,
        dir.path().join("blobs").join(&hash[..2]).join(&hash[2..])
    );
    assert_eq!(std::fs::read(&path).unwrap(), text);
    assert!(blobs.exists(&hash).await.unwrap());
    assert_eq!(blobs.size(&hash).await.unwrap(), Some(size));
    assert!(files_under(&dir.path().join("blobs/tmp")).is_empty());
}

#[tokio::test]
async fn an_empty_blob_is_a_blob() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    assert_eq!(store(&blobs, &[]).await, (EMPTY_SHA256.to_owned(), 0));
    assert_eq!(blobs.size(EMPTY_SHA256).await.unwrap(), Some(0));
}

#[tokio::test]
async fn the_same_content_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    let content = vec![7_u8; 300_000];
    let (once, _) = store(&blobs, &[&content]).await;
    let (twice, _) = store(&blobs, &[&content[..1000], &content[1000..]]).await;
    assert_eq!(once, twice);
    let files = files_under(dir.path());
    assert_eq!(
        files,
        [blobs.path(&once).unwrap()],
        "one file, no temp left"
    );
}

#[tokio::test]
async fn a_blob_past_its_limit_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    let mut writer = blobs.writer(10).unwrap();
    writer.write(b"0123456789").await.unwrap();
    let error = writer.write(b"!").await.unwrap_err();
    assert!(
        matches!(error, BlobError::TooLarge { max: 10 }),
        "{error:?}"
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "the temp file is gone at once"
    );
    // The writer is spent: it stores nothing, even what fitted.
    assert!(writer.finish().await.is_err());
    assert!(files_under(dir.path()).is_empty());
}

#[tokio::test]
async fn a_writer_dropped_unfinished_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    let mut writer = blobs.writer(100).unwrap();
    writer.write(b"half a document").await.unwrap();
    assert_eq!(files_under(dir.path()).len(), 1, "the temp file");
    drop(writer);
    assert!(files_under(dir.path()).is_empty());
}

#[tokio::test]
async fn opening_removes_stale_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    BlobStore::open(dir.path()).unwrap();
    std::fs::write(dir.path().join("tmp/123-0.part"), b"a crash left this").unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    assert!(files_under(dir.path()).is_empty());
    store(&blobs, &[b"after the crash"]).await;
}

#[tokio::test]
async fn only_a_valid_hash_becomes_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::open(dir.path()).unwrap();
    let (hash, _) = store(&blobs, &[b"content"]).await;
    assert!(blobs.path(&hash).is_some());
    for bad in [
        hash.to_uppercase(),
        hash[..63].to_owned(),
        format!("{hash}0"),
        format!("../{}", &hash[3..]),
        "tmp".to_owned(),
        String::new(),
    ] {
        assert!(!is_blob_hash(&bad));
        assert_eq!(blobs.path(&bad), None, "{bad}");
        assert!(
            matches!(blobs.size(&bad).await, Err(BlobError::BadHash)),
            "{bad}"
        );
        assert!(
            matches!(blobs.exists(&bad).await, Err(BlobError::BadHash)),
            "{bad}"
        );
    }
    let missing = "0".repeat(64);
    assert_eq!(blobs.path(&missing), None);
    assert!(!blobs.exists(&missing).await.unwrap());
    assert_eq!(blobs.size(&missing).await.unwrap(), None);
}

//! Documents in PostgreSQL, for a cluster without a shared directory: each blob in
//! 1 MiB chunks (`quorum_blob_chunks`) and a row in `quorum_blobs`, written last in the
//! same transaction, that says it is whole. Nodes keep a cache in their own directory
//! (see [`crate::BlobStore::with_mirror`]); a blob never changes, so the cache never
//! goes stale.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_postgres::types::Type;

use super::connect::Connector;
use super::describe;
use crate::StoreFuture;
use crate::blob::{BlobError, BlobMirror};

/// The size of one stored chunk.
const CHUNK_BYTES: usize = 1024 * 1024;

/// The blobs of one PostgreSQL database. Made by [`super::PgLog::documents`].
#[derive(Debug, Clone)]
pub struct PgDocuments {
    connector: Arc<Connector>,
    /// How long one blob's transfer may take.
    timeout: Duration,
}

impl PgDocuments {
    pub(super) fn new(connector: Arc<Connector>, timeout: Duration) -> Self {
        Self { connector, timeout }
    }

    async fn put(&self, hash: &str, path: &Path) -> Result<(), BlobError> {
        let (mut client, _driver) = self.connector.connect().await.map_err(mirror)?;
        let transfer = async {
            let known = client
                .query_typed(
                    "SELECT 1 FROM quorum_blobs WHERE hash = $1",
                    &[(&hash, Type::TEXT)],
                )
                .await
                .map_err(postgres)?;
            if !known.is_empty() {
                return Ok(());
            }
            let transaction = client.transaction().await.map_err(postgres)?;
            let mut file = tokio::fs::File::open(path).await?;
            let mut buffer = vec![0u8; CHUNK_BYTES];
            let mut size: i64 = 0;
            for n in 0i32.. {
                // A chunk is read whole (short reads are continued) so chunks are equal.
                let mut filled = 0;
                while filled < CHUNK_BYTES {
                    let read = file
                        .read(buffer.get_mut(filled..).unwrap_or_default())
                        .await?;
                    if read == 0 {
                        break;
                    }
                    filled += read;
                }
                if filled == 0 && n > 0 {
                    break;
                }
                let chunk = buffer.get(..filled).unwrap_or_default();
                transaction
                    .execute_typed(
                        "INSERT INTO quorum_blob_chunks (hash, n, bytes) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING",
                        &[(&hash, Type::TEXT), (&n, Type::INT4), (&chunk, Type::BYTEA)],
                    )
                    .await
                    .map_err(postgres)?;
                size += filled as i64;
                if filled < CHUNK_BYTES {
                    break;
                }
            }
            transaction
                .execute_typed(
                    "INSERT INTO quorum_blobs (hash, size) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[(&hash, Type::TEXT), (&size, Type::INT8)],
                )
                .await
                .map_err(postgres)?;
            transaction.commit().await.map_err(postgres)
        };
        tokio::time::timeout(self.timeout, transfer)
            .await
            .map_err(|_| BlobError::Mirror(format!("storing {hash} timed out")))?
    }

    async fn fetch(&self, hash: &str, into: &Path) -> Result<bool, BlobError> {
        let (client, _driver) = self.connector.connect().await.map_err(mirror)?;
        let transfer = async {
            let whole = client
                .query_typed(
                    "SELECT size FROM quorum_blobs WHERE hash = $1",
                    &[(&hash, Type::TEXT)],
                )
                .await
                .map_err(postgres)?;
            if whole.is_empty() {
                return Ok(false);
            }
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(into)
                .await?;
            // One chunk at a time, so that a large document never sits whole in memory.
            for n in 0i32.. {
                let rows = client
                    .query_typed(
                        "SELECT bytes FROM quorum_blob_chunks WHERE hash = $1 AND n = $2",
                        &[(&hash, Type::TEXT), (&n, Type::INT4)],
                    )
                    .await
                    .map_err(postgres)?;
                let Some(row) = rows.first() else { break };
                let bytes: &[u8] = row.try_get(0).map_err(postgres)?;
                file.write_all(bytes).await?;
            }
            file.sync_all().await?;
            Ok(true)
        };
        tokio::time::timeout(self.timeout, transfer)
            .await
            .map_err(|_| BlobError::Mirror(format!("fetching {hash} timed out")))?
    }
}

impl BlobMirror for PgDocuments {
    fn put<'a>(&'a self, hash: &'a str, path: &'a Path) -> StoreFuture<'a, Result<(), BlobError>> {
        Box::pin(PgDocuments::put(self, hash, path))
    }

    fn fetch<'a>(
        &'a self,
        hash: &'a str,
        into: &'a Path,
    ) -> StoreFuture<'a, Result<bool, BlobError>> {
        Box::pin(PgDocuments::fetch(self, hash, into))
    }
}

fn mirror(error: crate::StoreError) -> BlobError {
    BlobError::Mirror(error.to_string())
}

fn postgres(error: tokio_postgres::Error) -> BlobError {
    BlobError::Mirror(describe(&error))
}

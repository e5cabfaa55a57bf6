//! The document store: immutable files named by the SHA-256 of their content, under a
//! two-level fan-out (`ab/cdef…`), written through a temp file and an atomic rename.
//! In a cluster the files can also be kept in a [`BlobMirror`] (PostgreSQL) that every
//! node reads: the directory is then this node's cache of it.

mod writer;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use writer::BlobWriter;

use crate::StoreFuture;

/// Where every node of a cluster finds the documents when they are not kept on a
/// shared directory: a blob is stored there before its upload is acknowledged, and a
/// node that does not have it fetches it into its own directory on first use.
pub trait BlobMirror: Send + Sync + 'static {
    /// Stores the complete file at `path` as the blob `hash` (nothing if it is there).
    fn put<'a>(&'a self, hash: &'a str, path: &'a Path) -> StoreFuture<'a, Result<(), BlobError>>;

    /// Writes the blob `hash` to the new file `into`; `false` if there is no such blob.
    fn fetch<'a>(
        &'a self,
        hash: &'a str,
        into: &'a Path,
    ) -> StoreFuture<'a, Result<bool, BlobError>>;
}

/// Why a blob could not be stored or found.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The content went past the size the writer was opened with. Nothing was stored.
    #[error("the blob is larger than {max} bytes")]
    TooLarge {
        /// The size limit, in bytes.
        max: u64,
    },
    /// The name given is not a blob hash: 64 lowercase hexadecimal digits.
    #[error("not a blob hash (64 lowercase hexadecimal digits)")]
    BadHash,
    /// The file system failed (disk full, permissions, a directory gone).
    #[error("blob store I/O: {0}")]
    Io(#[from] io::Error),
    /// The mirror (PostgreSQL) failed or is unreachable. Nothing was acknowledged.
    #[error("document mirror unavailable: {0}")]
    Mirror(String),
}

/// A content-addressed store of files under one directory (such as `DATA/blobs`).
///
/// Blobs never change: the same content always has the same name, and storing it twice
/// keeps one file. Open one store per directory, once, before writing: opening removes
/// the temp files that an earlier run left behind.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    /// Where uploads are written before they are renamed into place: inside the root,
    /// so that the rename stays on one file system.
    tmp: PathBuf,
    /// Where every node finds the blobs, if the directory is only this node's cache.
    mirror: Option<Arc<dyn BlobMirror>>,
}

impl std::fmt::Debug for dyn BlobMirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobMirror")
    }
}

impl BlobStore {
    /// Opens the store under `dir`, creating it if need be, and removes any temp file
    /// left by a writer that never finished. This blocks: call it at startup.
    ///
    /// # Errors
    ///
    /// [`BlobError::Io`] if the directories cannot be created or read.
    pub fn open(dir: &Path) -> Result<Self, BlobError> {
        Self::open_in(dir, dir.join("tmp"))
    }

    /// Opens a store in a directory that several processes share (the nodes of a
    /// cluster, on a shared volume): each keeps its unfinished uploads in its own
    /// `tmp/<node>`, so that one starting never removes another's. Blobs are written
    /// by a rename of complete files, so no process reads half of one.
    ///
    /// # Errors
    ///
    /// As [`BlobStore::open`]; also when `node` is not a plain file name.
    pub fn open_shared(dir: &Path, node: &str) -> Result<Self, BlobError> {
        let plain = !node.is_empty()
            && node
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && node != "."
            && node != "..";
        if !plain {
            return Err(BlobError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("node name {node:?} is not a plain file name"),
            )));
        }
        Self::open_in(dir, dir.join("tmp").join(node))
    }

    fn open_in(dir: &Path, tmp: PathBuf) -> Result<Self, BlobError> {
        let store = Self {
            root: dir.to_owned(),
            tmp,
            mirror: None,
        };
        std::fs::create_dir_all(store.tmp_dir())?;
        let mut stale = 0_usize;
        for entry in std::fs::read_dir(store.tmp_dir())? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                stale += 1;
            }
        }
        if stale > 0 {
            tracing::info!(stale, dir = %dir.display(), "removed unfinished blob uploads");
        }
        Ok(store)
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts a blob of at most `max_bytes`. Write its content with
    /// [`BlobWriter::write`], then [`BlobWriter::finish`]; a writer dropped before it
    /// finished leaves nothing behind.
    ///
    /// This creates the temp file at once (one short system call), so that a full or
    /// read-only disk is reported before the content is received.
    ///
    /// # Errors
    ///
    /// [`BlobError::Io`] if the temp file cannot be created.
    pub fn writer(&self, max_bytes: u64) -> Result<BlobWriter, BlobError> {
        BlobWriter::create(
            self.root.clone(),
            &self.tmp_dir(),
            max_bytes,
            self.mirror.clone(),
        )
    }

    /// Keeps every blob in `mirror` too, and fetches from it the blobs this directory
    /// lacks: the directory becomes this node's cache of the mirror.
    #[must_use]
    pub fn with_mirror(mut self, mirror: Arc<dyn BlobMirror>) -> Self {
        self.mirror = Some(mirror);
        self
    }

    /// Where the blob named `hash` is, if the name is valid and the blob exists in this
    /// directory. This looks at the file system once (a `stat`).
    pub fn path(&self, hash: &str) -> Option<PathBuf> {
        blob_path(&self.root, hash).filter(|path| path.is_file())
    }

    /// Where the blob named `hash` is, fetching it from the mirror into this directory
    /// first if it is not here. A fetched blob is checked against its name before it
    /// is kept, so a damaged copy is never served.
    ///
    /// # Errors
    ///
    /// [`BlobError::Mirror`] if the mirror cannot be read or holds a damaged copy;
    /// [`BlobError::Io`] if the file system fails.
    pub async fn local(&self, hash: &str) -> Result<Option<PathBuf>, BlobError> {
        if let Some(path) = self.path(hash) {
            return Ok(Some(path));
        }
        let (Some(mirror), Some(target)) = (&self.mirror, blob_path(&self.root, hash)) else {
            return Ok(None);
        };
        let writer = BlobWriter::create(self.root.clone(), &self.tmp_dir(), u64::MAX, None)?;
        if !mirror.fetch(hash, writer.temp_path()).await? {
            return Ok(None);
        }
        let (fetched, _) = writer.adopt_temp().await?;
        if fetched != hash {
            return Err(BlobError::Mirror(format!(
                "the mirror's copy of {hash} hashes to {fetched}"
            )));
        }
        Ok(Some(target))
    }

    /// Whether the blob named `hash` exists.
    ///
    /// # Errors
    ///
    /// [`BlobError::BadHash`] if `hash` is not a blob hash; [`BlobError::Io`] if the file
    /// system cannot tell.
    pub async fn exists(&self, hash: &str) -> Result<bool, BlobError> {
        Ok(self.size(hash).await?.is_some())
    }

    /// The size in bytes of the blob named `hash`, or `None` if it does not exist.
    ///
    /// # Errors
    ///
    /// [`BlobError::BadHash`] if `hash` is not a blob hash; [`BlobError::Io`] if the file
    /// system cannot tell.
    pub async fn size(&self, hash: &str) -> Result<Option<u64>, BlobError> {
        let path = blob_path(&self.root, hash).ok_or(BlobError::BadHash)?;
        match tokio::fs::metadata(&path).await {
            Ok(metadata) if metadata.is_file() => Ok(Some(metadata.len())),
            Ok(_) => Ok(None),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(BlobError::Io(error)),
        }
    }

    fn tmp_dir(&self) -> PathBuf {
        self.tmp.clone()
    }
}

/// Whether `hash` names a blob: exactly 64 lowercase hexadecimal digits. Only such a
/// name is ever turned into a path, so no input can reach outside the store.
pub fn is_blob_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// The path of the blob named `hash` under `root`, if the name is valid.
fn blob_path(root: &Path, hash: &str) -> Option<PathBuf> {
    if !is_blob_hash(hash) {
        return None;
    }
    let (fan_out, rest) = hash.split_at_checked(2)?;
    Some(root.join(fan_out).join(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_hex_of_the_right_length_is_a_hash() {
        let good = "ab".repeat(32);
        assert!(is_blob_hash(&good));
        assert!(!is_blob_hash(&good.to_uppercase()));
        assert!(!is_blob_hash(&"ab".repeat(31)));
        assert!(!is_blob_hash(&format!("../{}", "a".repeat(61))));
        assert!(!is_blob_hash(&"g".repeat(64)));
        assert!(!is_blob_hash(""));
    }

    #[test]
    fn blobs_fan_out_by_their_first_two_digits() {
        let hash = format!("ab{}", "0".repeat(62));
        assert_eq!(
            blob_path(Path::new("/data/blobs"), &hash),
            Some(PathBuf::from(format!("/data/blobs/ab/{}", "0".repeat(62))))
        );
        assert_eq!(blob_path(Path::new("/data/blobs"), "../etc/passwd"), None);
    }
}

//! Writing one blob: content streams into a temp file while it is hashed, then the file
//! is made durable and renamed to its hash.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::{BlobError, BlobMirror, blob_path};

/// Numbers temp files, so that no two writers of this process share one; the process
/// id in the name keeps processes apart.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A blob being written. Dropping it before [`BlobWriter::finish`] removes its temp file.
#[derive(Debug)]
pub struct BlobWriter {
    root: PathBuf,
    temp: PathBuf,
    /// The open temp file and the hash so far; `None` once a write failed, was
    /// cancelled half-way, or went past the limit.
    open: Option<Open>,
    size: u64,
    max: u64,
    /// Set once the temp file has been renamed or removed, so that drop leaves it be.
    settled: bool,
    /// Where the blob is also stored before `finish` returns, in a cluster.
    mirror: Option<std::sync::Arc<dyn BlobMirror>>,
}

#[derive(Debug)]
struct Open {
    file: File,
    hasher: Sha256,
}

impl BlobWriter {
    pub(super) fn create(
        root: PathBuf,
        tmp_dir: &Path,
        max: u64,
        mirror: Option<std::sync::Arc<dyn BlobMirror>>,
    ) -> Result<Self, BlobError> {
        let number = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let temp = tmp_dir.join(format!("{}-{number}.part", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        Ok(Self {
            root,
            temp,
            open: Some(Open {
                file,
                hasher: Sha256::new(),
            }),
            size: 0,
            max,
            settled: false,
            mirror,
        })
    }

    /// The temp file, for content written by someone else (a fetch from the mirror).
    pub(super) fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Takes the temp file as written by someone else: hashes it from the start, then
    /// stores it as [`BlobWriter::finish`] does.
    pub(super) async fn adopt_temp(mut self) -> Result<(String, u64), BlobError> {
        let temp = self.temp.clone();
        let (hasher, size) = blocking(move || {
            let mut file = File::open(&temp)?;
            let mut hasher = Sha256::new();
            let mut buffer = vec![0u8; 64 * 1024];
            let mut size = 0u64;
            loop {
                let read = io::Read::read(&mut file, &mut buffer)?;
                let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
                    break;
                };
                hasher.update(chunk);
                size += read as u64;
            }
            Ok((hasher, size))
        })
        .await?;
        self.open = Some(Open {
            file: OpenOptions::new().write(true).open(&self.temp)?,
            hasher,
        });
        self.size = size;
        self.finish().await
    }

    /// Appends `chunk` to the blob.
    ///
    /// # Errors
    ///
    /// [`BlobError::TooLarge`] if the blob would exceed its limit: the temp file is
    /// removed at once and the writer is spent. [`BlobError::Io`] if the disk fails, or if
    /// the writer is spent by an earlier error or a cancelled write.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        let size = self
            .size
            .checked_add(chunk.len() as u64)
            .filter(|&size| size <= self.max);
        let Some(size) = size else {
            self.discard();
            return Err(BlobError::TooLarge { max: self.max });
        };
        let mut open = self.open.take().ok_or_else(spent)?;
        if chunk.is_empty() {
            self.open = Some(open);
            return Ok(());
        }
        let chunk = chunk.to_vec();
        let (open, written) = blocking(move || {
            open.hasher.update(&chunk);
            let written = open.file.write_all(&chunk);
            Ok((open, written))
        })
        .await?;
        if let Err(error) = written {
            self.discard();
            return Err(BlobError::Io(error));
        }
        self.open = Some(open);
        self.size = size;
        Ok(())
    }

    /// Stores the blob: makes the content durable, moves it to its name, and returns
    /// its hash (64 lowercase hexadecimal digits) and size. Content already stored
    /// keeps its file, and this one is dropped.
    ///
    /// # Errors
    ///
    /// [`BlobError::Io`] if the disk fails or the writer is spent; nothing is stored.
    pub async fn finish(mut self) -> Result<(String, u64), BlobError> {
        let Open { file, hasher } = self.open.take().ok_or_else(spent)?;
        let root = self.root.clone();
        let temp = self.temp.clone();
        let size = self.size;
        let hash = blocking(move || {
            file.sync_all()?;
            drop(file);
            let hash = hex(&hasher.finalize());
            let target = blob_path(&root, &hash).ok_or(BlobError::BadHash)?;
            let fan_out = target.parent().unwrap_or(&root);
            let new_fan_out = !fan_out.exists();
            std::fs::create_dir_all(fan_out)?;
            let stored = std::fs::metadata(&target).is_ok_and(|metadata| metadata.len() == size);
            if stored {
                std::fs::remove_file(&temp)?;
            } else {
                std::fs::rename(&temp, &target)?;
                // The rename is durable only once the directory holding the new name is
                // synced, and a new fan-out directory only once its parent is.
                sync_dir(fan_out)?;
                if new_fan_out {
                    sync_dir(&root)?;
                }
            }
            Ok(hash)
        })
        .await?;
        self.settled = true;
        if let (Some(mirror), Some(stored)) = (&self.mirror, blob_path(&self.root, &hash)) {
            // Acknowledged only once every node can read it.
            mirror.put(&hash, &stored).await?;
        }
        Ok((hash, size))
    }

    /// Removes the temp file now and spends the writer.
    fn discard(&mut self) {
        self.open = None;
        self.remove_temp();
    }

    fn remove_temp(&mut self) {
        if !self.settled {
            self.settled = true;
            // One unlink is a short system call; doing it here, rather than on another
            // thread, means nothing is left behind once the writer is gone.
            if let Err(error) = std::fs::remove_file(&self.temp)
                && error.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(%error, temp = %self.temp.display(), "cannot remove a blob temp file");
            }
        }
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        self.remove_temp();
    }
}

/// Runs file work on a blocking thread.
async fn blocking<T, F>(work: F) -> Result<T, BlobError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, BlobError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BlobError::Io(io::Error::other(format!("a blob task failed: {e}"))))?
}

fn spent() -> BlobError {
    BlobError::Io(io::Error::other(
        "the blob writer was spent by an earlier error or a cancelled write",
    ))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

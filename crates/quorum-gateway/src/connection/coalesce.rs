//! A socket that gathers what tungstenite writes between two flushes and hands it to the
//! kernel in one system call, then lets the buffer go, so that an idle connection keeps
//! none.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Bytes gathered before they are written out even without a flush, so that one long
/// batch does not grow the buffer without bound.
const WRITE_AT: usize = 64 * 1024;

/// tungstenite writes each frame as it is fed (its own write buffer is off, since it
/// keeps its largest size forever); the connection feeds a batch and flushes once.
/// This wrapper turns the batch into one `send` rather than one per frame.
#[derive(Debug)]
pub(super) struct Coalescing<S> {
    inner: S,
    pending: Vec<u8>,
    written: usize,
}

impl<S> Coalescing<S> {
    pub(super) fn new(inner: S) -> Coalescing<S> {
        Coalescing {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> Coalescing<S> {
    /// Writes out everything gathered, then frees the buffer.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(rest) = self
            .pending
            .get(self.written..)
            .filter(|rest| !rest.is_empty())
        {
            let wrote = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if wrote == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += wrote;
        }
        self.pending = Vec::new();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Coalescing<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Coalescing<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.len() >= WRITE_AT {
            ready!(this.poll_drain(cx))?;
        }
        this.pending.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test that panics is a failed test")]

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    #[tokio::test]
    async fn writes_reach_the_peer_only_at_the_flush_and_in_order() {
        let (near, mut far) = tokio::io::duplex(1 << 20);
        let mut socket = Coalescing::new(near);
        socket.write_all(b"one ").await.unwrap();
        socket.write_all(b"two").await.unwrap();
        let mut got = [0_u8; 7];
        let early = tokio::time::timeout(
            std::time::Duration::from_millis(20),
            far.read_exact(&mut got),
        )
        .await;
        assert!(early.is_err(), "bytes arrived before the flush");
        socket.flush().await.unwrap();
        far.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"one two");
        assert_eq!(socket.pending.capacity(), 0, "the buffer is let go");
    }

    #[tokio::test]
    async fn a_long_batch_is_written_out_before_the_flush() {
        let (near, mut far) = tokio::io::duplex(1 << 20);
        let mut socket = Coalescing::new(near);
        let chunk = vec![7_u8; 1024];
        for _ in 0..(WRITE_AT / 1024 + 1) {
            socket.write_all(&chunk).await.unwrap();
        }
        let mut got = vec![0_u8; WRITE_AT];
        far.read_exact(&mut got).await.unwrap();
        assert!(got.iter().all(|byte| *byte == 7));
    }
}

//! What travels from rooms and the lobby to a connection: frames encoded once and
//! shared by every socket that receives them, through a bounded per-connection queue.
//!
//! **Invariant:** a full queue never blocks a room: the connection is marked slow and
//! closed with [`close::SLOW_CONSUMER`](crate::close::SLOW_CONSUMER).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use quorum_protocol::ServerMessage;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// One item of a connection's queue: 8 bytes, so that the queue's first block stays
/// small on idle connections.
pub type Outbound = Arc<Frame>;

/// A frame to send.
#[derive(Debug)]
pub enum Frame {
    /// A message, already encoded.
    Text(Utf8Bytes),
    /// Close the connection with this code and reason.
    Close(u16, &'static str),
}

impl Frame {
    /// Encodes a message once.
    pub fn message(message: &ServerMessage) -> Outbound {
        match quorum_protocol::codec::encode_server(message) {
            Ok(text) => Arc::new(Frame::Text(Utf8Bytes::from(text))),
            Err(error) => {
                // Every message type is plain data; failing here is a bug.
                tracing::error!(%error, kind = message.kind(), "cannot encode a message");
                Arc::new(Frame::Close(crate::close::INTERNAL, "internal error"))
            }
        }
    }
}

/// The state a connection shares with those who send to it.
#[derive(Debug, Default)]
pub struct LinkState {
    slow: AtomicBool,
}

/// The sending side of one connection's queue.
#[derive(Debug, Clone)]
pub struct Link {
    /// The connection's id, unique in this process.
    pub connection: u64,
    queue: mpsc::Sender<Outbound>,
    state: Arc<LinkState>,
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The queue was full: the connection is now marked slow.
    Slow,
    /// The connection is gone.
    Gone,
}

impl Link {
    /// A queue of `capacity` frames for connection `connection`.
    pub fn new(connection: u64, capacity: usize) -> (Link, mpsc::Receiver<Outbound>) {
        let (queue, receiver) = mpsc::channel(capacity);
        let link = Link {
            connection,
            queue,
            state: Arc::default(),
        };
        (link, receiver)
    }

    /// Queues a frame without waiting. A full queue marks the connection slow.
    pub fn send(&self, frame: &Outbound) -> Result<(), SendError> {
        match self.queue.try_send(Arc::clone(frame)) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.state.slow.swap(true, Ordering::Relaxed) {
                    metrics::counter!(crate::telemetry::SLOW_DISCONNECTS).increment(1);
                }
                Err(SendError::Slow)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(SendError::Gone),
        }
    }

    /// Whether a sender found the queue full.
    pub fn is_slow(&self) -> bool {
        self.state.slow.load(Ordering::Relaxed)
    }
}

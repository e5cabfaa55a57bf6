//! Everything that can go wrong talking to the hub, one variant per cause, and the close
//! frame a connection ended with.

use std::fmt;

use quorum_protocol::{DecodeError, EncodeError, ErrorCode, Localized};
use tokio_tungstenite::tungstenite;

/// The close code recorded when the hub closed with a close frame that carried no code
/// (RFC 6455 §7.1.5: "no status received").
pub const CLOSE_NO_STATUS: u16 = 1005;

/// The close code recorded when the connection ended without a close frame (RFC 6455
/// §7.1.5: "abnormal closure").
pub const CLOSE_ABNORMAL: u16 = 1006;

/// How a WebSocket connection ended: the close frame's code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The close code (4000 slow consumer, 1001 going away, …); [`CLOSE_NO_STATUS`] if the
    /// frame had none, [`CLOSE_ABNORMAL`] if there was no close frame at all.
    pub code: u16,
    /// The reason text, possibly empty.
    pub reason: String,
}

impl fmt::Display for CloseInfo {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason.is_empty() {
            write!(formatter, "{}", self.code)
        } else {
            write!(formatter, "{} ({})", self.code, self.reason)
        }
    }
}

/// Why a call to the hub failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not a valid `ws://` or `http://` URL.
    #[error("invalid url {url:?}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An option cannot be put in a request, such as an origin that is not a valid header
    /// value.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The TCP connection to the hub could not be opened.
    #[error("cannot connect to the hub: {0}")]
    Connect(#[source] std::io::Error),
    /// The hub answered the WebSocket upgrade with an HTTP status instead of switching
    /// protocols (403 for a foreign origin).
    #[error("the hub refused the websocket upgrade with HTTP {status}")]
    Handshake {
        /// The HTTP status.
        status: u16,
        /// The response body, if any.
        body: String,
    },
    /// The hub did not choose one of the offered `Sec-WebSocket-Protocol`s.
    #[error("subprotocol negotiation failed: {0}")]
    Subprotocol(String),
    /// The hub answered `hello` with an `error` (`unauthenticated`,
    /// `unsupported_version`, …) and closed the connection.
    #[error("the hub refused the hello: {code:?} ({})", message.en)]
    Refused {
        /// The stable reason.
        code: ErrorCode,
        /// The reason for people.
        message: Localized,
        /// The close frame that followed, if it came in time.
        close: Option<CloseInfo>,
    },
    /// The hub answered a request with an `error` message (for `subscribe`:
    /// `meeting_not_found`, `forbidden`, …).
    #[error("the hub answered {code:?} ({})", message.en)]
    Server {
        /// The stable reason.
        code: ErrorCode,
        /// The reason for people.
        message: Localized,
        /// When to try again, in milliseconds, if the hub said.
        retry_after_ms: Option<u64>,
    },
    /// The connection is closed; this is how it ended (see [`CloseInfo`] for the codes
    /// recorded when there was no close frame).
    #[error("the connection is closed: {code} {reason}")]
    Closed {
        /// The close code.
        code: u16,
        /// The reason text, possibly empty.
        reason: String,
    },
    /// Nothing (or not the awaited answer) arrived in time.
    #[error("timed out waiting for {waiting_for}")]
    Timeout {
        /// What was awaited.
        waiting_for: &'static str,
    },
    /// A text frame from the hub is not a valid message.
    #[error("the hub sent an invalid message: {0}")]
    Protocol(#[from] DecodeError),
    /// The hub sent something valid but out of place (a binary frame, another message
    /// where `welcome` was due).
    #[error("expected {expected}, the hub sent {received}")]
    Unexpected {
        /// What was expected.
        expected: &'static str,
        /// What arrived.
        received: String,
    },
    /// The buffer of received but unconsumed messages is full: drain it with
    /// [`Connection::next_message`](crate::Connection::next_message). Nothing was lost;
    /// the awaited answer, when it comes, is returned by `next_message` too.
    #[error("{limit} unconsumed messages are buffered; read them first")]
    BufferFull {
        /// The limit.
        limit: usize,
    },
    /// A message could not be encoded (a bug: messages are plain data).
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The system's random number generator failed.
    #[error("no randomness for an id: {0}")]
    Random(getrandom::Error),
    /// The WebSocket layer failed (a protocol violation by the hub, a frame too large).
    #[error("websocket error: {0}")]
    WebSocket(#[source] Box<tungstenite::Error>),
    /// Reading or writing the socket failed.
    #[error("i/o error: {0}")]
    Io(#[source] std::io::Error),
    /// An HTTP request got a status other than 2xx.
    #[error("HTTP {status}{}", code.as_deref().map(|code| format!(" ({code})")).unwrap_or_default())]
    Http {
        /// The status.
        status: u16,
        /// `error.code` from the JSON body, if it had one.
        code: Option<String>,
        /// The body as text.
        body: String,
    },
    /// An HTTP request could not be sent, or its response not read.
    #[error("HTTP transport error: {0}")]
    HttpTransport(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// An HTTP body is not the expected JSON, or a request body could not be encoded.
    #[error("HTTP body is not the expected JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<CloseInfo> for ClientError {
    fn from(close: CloseInfo) -> ClientError {
        ClientError::Closed {
            code: close.code,
            reason: close.reason,
        }
    }
}

impl ClientError {
    /// The close code, if this error is a closed connection (or a refused hello followed
    /// by a close).
    pub fn close_code(&self) -> Option<u16> {
        match self {
            ClientError::Closed { code, .. } => Some(*code),
            ClientError::Refused { close, .. } => close.as_ref().map(|close| close.code),
            _ => None,
        }
    }

    /// The hub's error code, for a refused hello or an `error` answer.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused { code, .. } | ClientError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

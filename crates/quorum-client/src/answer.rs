//! The typed answers a connection returns: the welcome, a subscription's first state, a
//! command's outcome, and raw frames for tests of bad input.

use quorum_domain::poll::receipt::Receipt;
use quorum_domain::rejection::Subject;
use quorum_domain::{MeetingId, MeetingView, RejectionCode};
use quorum_protocol::{
    ErrorCode, Limits, Localized, RequestId, ServerMessage, SessionInfo, Update,
};

use crate::error::{ClientError, CloseInfo};

/// The hub's `welcome`: the connection is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The protocol version chosen.
    pub version: u16,
    /// Who is signed in.
    pub session: SessionInfo,
    /// Send something (a ping) at least this often, in milliseconds.
    pub heartbeat_ms: u64,
    /// Limits on this connection.
    pub limits: Limits,
}

/// The first state of a followed meeting: the answer to `subscribe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribed {
    /// The whole view (a subscription without `since`).
    Snapshot {
        /// The meeting.
        meeting: MeetingId,
        /// The view, at `view.seq`.
        view: MeetingView,
    },
    /// A resumed subscription (with `since`).
    Resumed {
        /// The meeting.
        meeting: MeetingId,
        /// `true`: `updates` holds exactly the missed updates; `false`: `snapshot`
        /// replaces the state.
        recovered: bool,
        /// The missed updates, if recovered.
        updates: Vec<Update>,
        /// A fresh view, if not recovered.
        snapshot: Option<MeetingView>,
    },
}

impl Subscribed {
    /// Whether `message` answers a `subscribe` to `meeting`: its snapshot or resume, or
    /// an `error` naming the meeting (and no request).
    pub(crate) fn answers(message: &ServerMessage, meeting: &MeetingId) -> bool {
        match message {
            ServerMessage::Snapshot { meeting: about, .. }
            | ServerMessage::Resumed { meeting: about, .. } => about == meeting,
            ServerMessage::Error {
                request: None,
                meeting: Some(about),
                ..
            } => about == meeting,
            _ => false,
        }
    }

    /// The subscription from its answer; an `error` is [`ClientError::Server`].
    pub(crate) fn from_answer(answer: ServerMessage) -> Result<Subscribed, ClientError> {
        match answer {
            ServerMessage::Snapshot { meeting, view } => Ok(Subscribed::Snapshot { meeting, view }),
            ServerMessage::Resumed {
                meeting,
                recovered,
                updates,
                snapshot,
            } => Ok(Subscribed::Resumed {
                meeting,
                recovered,
                updates,
                snapshot,
            }),
            ServerMessage::Error {
                code,
                message,
                retry_after_ms,
                ..
            } => Err(ClientError::Server {
                code,
                message,
                retry_after_ms,
            }),
            other => Err(ClientError::Unexpected {
                expected: "a snapshot",
                received: other.kind().to_owned(),
            }),
        }
    }

    /// The meeting subscribed to.
    pub fn meeting(&self) -> &MeetingId {
        match self {
            Subscribed::Snapshot { meeting, .. } | Subscribed::Resumed { meeting, .. } => meeting,
        }
    }
}

/// What became of a command or a meeting creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Accepted; its events are durable.
    Acked {
        /// The sequence number of its last event.
        seq: u64,
        /// For a ballot, its receipt.
        receipt: Option<Receipt>,
    },
    /// The meeting refused it; nothing changed.
    Rejected {
        /// The stable reason.
        code: RejectionCode,
        /// What the reason is about.
        subject: Option<Subject>,
        /// The reason for people.
        message: Localized,
    },
    /// The hub could not serve it (`rate_limited`, `unavailable`, `forbidden`, …); send
    /// it again with the same request id if the code is retryable.
    Failed {
        /// The stable reason.
        code: ErrorCode,
        /// When to try again, in milliseconds, if the hub said.
        retry_after_ms: Option<u64>,
    },
}

impl CommandOutcome {
    /// Whether `message` answers the command sent with `request`.
    pub(crate) fn answers(message: &ServerMessage, request: &RequestId) -> bool {
        match message {
            ServerMessage::Ack { request: about, .. }
            | ServerMessage::Rejected { request: about, .. } => about == request,
            ServerMessage::Error {
                request: Some(about),
                ..
            } => about == request,
            _ => false,
        }
    }

    /// The outcome from its answer.
    pub(crate) fn from_answer(answer: ServerMessage) -> Result<CommandOutcome, ClientError> {
        match answer {
            ServerMessage::Ack { seq, receipt, .. } => Ok(CommandOutcome::Acked { seq, receipt }),
            ServerMessage::Rejected {
                code,
                subject,
                message,
                ..
            } => Ok(CommandOutcome::Rejected {
                code,
                subject,
                message,
            }),
            ServerMessage::Error {
                code,
                retry_after_ms,
                ..
            } => Ok(CommandOutcome::Failed {
                code,
                retry_after_ms,
            }),
            other => Err(ClientError::Unexpected {
                expected: "an ack",
                received: other.kind().to_owned(),
            }),
        }
    }

    /// The sequence number, if the command was acknowledged.
    pub fn acked_seq(&self) -> Option<u64> {
        match self {
            CommandOutcome::Acked { seq, .. } => Some(*seq),
            CommandOutcome::Rejected { .. } | CommandOutcome::Failed { .. } => None,
        }
    }
}

/// One WebSocket frame as it arrived, undecoded (see
/// [`Connection::recv_raw`](crate::Connection::recv_raw)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawFrame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A WebSocket ping (already answered).
    Ping(Vec<u8>),
    /// A WebSocket pong.
    Pong(Vec<u8>),
    /// A close frame (code 1005 if it carried none).
    Close(CloseInfo),
}

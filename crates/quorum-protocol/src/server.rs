//! Messages from the hub to a device.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use quorum_domain::meeting::settings::{MeetingKind, MeetingStatus};
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::rejection::Subject;
use quorum_domain::{MeetingId, MeetingView, MemberId, RejectionCode, Role, Timestamp, ViewChange};

use crate::localized::Localized;
use crate::request::RequestId;

/// Who the connection is signed in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionInfo {
    /// The account.
    pub account: String,
    /// The member the account acts as in meetings, if any.
    pub member: Option<MemberId>,
    /// The name to show.
    pub name: String,
    /// A hub administrator.
    pub admin: bool,
    /// When the session ends, if it does.
    pub expires_at: Option<Timestamp>,
}

/// Limits the hub enforces on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Limits {
    /// Largest message accepted, in bytes; a larger one closes the connection (1009).
    pub max_message_bytes: u32,
    /// Commands per second allowed on average; more are answered `rate_limited`.
    pub commands_per_second: u32,
}

/// Committed events as this device sees them: one, or several committed together
/// (`first_seq..=seq`) with their changes merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Update {
    /// The first event it covers: `seq` for one event.
    pub first_seq: u64,
    /// The last event's sequence number in the meeting. Resume from the last one applied.
    pub seq: u64,
    /// When it happened.
    pub at: Timestamp,
    /// The sections of the view it replaces (may be empty).
    pub changes: Vec<ViewChange>,
}

/// Something for the signed-in person, whatever meeting they follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LobbyEvent {
    /// They were invited to a meeting.
    Invited {
        /// The meeting.
        meeting: MeetingId,
        /// Its title.
        title: String,
        /// Routine or urgent.
        meeting_kind: MeetingKind,
        /// When it is scheduled.
        scheduled_at: Timestamp,
        /// Their role.
        role: Role,
    },
    /// An urgent meeting raised an alert: the screen is taken over until answered.
    Alert {
        /// The meeting.
        meeting: MeetingId,
        /// Its title.
        title: String,
        /// The alert's number.
        number: u32,
        /// What it says.
        message: String,
        /// When raised.
        raised_at: Timestamp,
    },
    /// A meeting they take part in opened or closed.
    MeetingStatus {
        /// The meeting.
        meeting: MeetingId,
        /// Its status.
        status: MeetingStatus,
    },
}

/// Why the hub could not serve a message (as opposed to a meeting refusing a command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message is not valid JSON or not a known message.
    BadMessage,
    /// The message is larger than the limit.
    MessageTooLarge,
    /// No protocol version in common.
    UnsupportedVersion,
    /// The first message must be `hello`.
    HelloRequired,
    /// The session token is missing, unknown, expired or revoked.
    Unauthenticated,
    /// The session may not see or act in this meeting.
    Forbidden,
    /// No such meeting.
    MeetingNotFound,
    /// The device does not follow this meeting.
    NotSubscribed,
    /// Too many messages; slow down.
    RateLimited,
    /// The hub cannot make the command durable right now; send it again, with the same
    /// request id and ballot id.
    Unavailable,
    /// The device did not keep up with updates; reconnect and resume.
    SlowConsumer,
    /// The hub is restarting; reconnect (to another node, in a cluster).
    ShuttingDown,
    /// Something went wrong inside the hub.
    Internal,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadMessage,
        ErrorCode::MessageTooLarge,
        ErrorCode::UnsupportedVersion,
        ErrorCode::HelloRequired,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::MeetingNotFound,
        ErrorCode::NotSubscribed,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::SlowConsumer,
        ErrorCode::ShuttingDown,
        ErrorCode::Internal,
    ];

    /// Whether sending the same message again later may succeed.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited
                | ErrorCode::Unavailable
                | ErrorCode::SlowConsumer
                | ErrorCode::ShuttingDown
                | ErrorCode::Internal
        )
    }
}

/// A message from the hub to a device. JSON text frames, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to `hello`: the version chosen and who the device is signed in as.
    Welcome {
        /// The protocol version for this connection.
        version: u16,
        /// Who is signed in.
        session: SessionInfo,
        /// Send something (a `ping` will do) at least this often, in milliseconds.
        heartbeat_ms: u64,
        /// Limits on this connection.
        limits: Limits,
    },
    /// The answer to `subscribe` without `since`: the whole view.
    Snapshot {
        /// The meeting.
        meeting: MeetingId,
        /// The view, at `view.seq`.
        view: MeetingView,
    },
    /// The answer to `subscribe` with `since`. `recovered: true`: `updates` covers
    /// exactly the events after `since`, in order (the hub sends one update covering
    /// them all, or none if nothing was missed), and `snapshot` is absent.
    /// `recovered: false`: the history is no longer kept; `snapshot` replaces the
    /// device's state and `updates` is empty.
    Resumed {
        /// The meeting.
        meeting: MeetingId,
        /// Whether the missed updates could be replayed.
        recovered: bool,
        /// The missed updates, if recovered.
        updates: Vec<Update>,
        /// A fresh view, if not recovered.
        snapshot: Option<MeetingView>,
    },
    /// Committed events, projected for this device: one, or several committed together
    /// (`first_seq..=seq`) with their changes merged, a section replaced twice sent once.
    /// Updates arrive in sequence order, each starting right after the one before.
    Update {
        /// The meeting.
        meeting: MeetingId,
        /// The first event it covers: `seq` for one event.
        first_seq: u64,
        /// The last event's sequence number.
        seq: u64,
        /// When it happened.
        at: Timestamp,
        /// The sections of the view it replaces.
        changes: Vec<ViewChange>,
    },
    /// The command was accepted and its events are durable.
    Ack {
        /// The command's request id.
        request: RequestId,
        /// The meeting.
        meeting: MeetingId,
        /// The sequence number of its last event (the meeting's current one if the
        /// command changed nothing, such as a resent ballot).
        seq: u64,
        /// For a ballot: its receipt, the same for every resend.
        receipt: Option<Receipt>,
    },
    /// The meeting refused the command; nothing changed.
    Rejected {
        /// The command's request id.
        request: RequestId,
        /// The meeting.
        meeting: MeetingId,
        /// The stable reason.
        code: RejectionCode,
        /// What the reason is about, if the code alone does not say.
        subject: Option<Subject>,
        /// The reason for people, in Vietnamese and English.
        message: Localized,
    },
    /// Something for the signed-in person (invitations, urgent alerts).
    Lobby {
        /// What happened.
        event: LobbyEvent,
    },
    /// The hub could not serve a message. After `unauthenticated`,
    /// `unsupported_version`, `hello_required`, `message_too_large`, `slow_consumer` and
    /// `shutting_down` the connection closes.
    Error {
        /// The request it answers, if any.
        request: Option<RequestId>,
        /// The meeting concerned, if any.
        meeting: Option<MeetingId>,
        /// The stable reason.
        code: ErrorCode,
        /// The reason for people, in Vietnamese and English.
        message: Localized,
        /// Whether the same message may succeed later.
        retryable: bool,
        /// When to try again, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// The answer to `ping`.
    Pong {
        /// The ping's nonce.
        nonce: u64,
    },
}

impl ServerMessage {
    /// The message's `type`, as on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            ServerMessage::Welcome { .. } => "welcome",
            ServerMessage::Snapshot { .. } => "snapshot",
            ServerMessage::Resumed { .. } => "resumed",
            ServerMessage::Update { .. } => "update",
            ServerMessage::Ack { .. } => "ack",
            ServerMessage::Rejected { .. } => "rejected",
            ServerMessage::Lobby { .. } => "lobby",
            ServerMessage::Error { .. } => "error",
            ServerMessage::Pong { .. } => "pong",
        }
    }

    /// A `rejected` answer for a domain rejection, with its translated message.
    pub fn rejected(
        request: RequestId,
        meeting: MeetingId,
        rejection: quorum_domain::Rejection,
    ) -> ServerMessage {
        ServerMessage::Rejected {
            request,
            meeting,
            message: Localized::rejection(rejection.code),
            code: rejection.code,
            subject: rejection.subject,
        }
    }

    /// An `error` answer, with its translated message.
    pub fn error(
        code: ErrorCode,
        request: Option<RequestId>,
        meeting: Option<MeetingId>,
    ) -> ServerMessage {
        ServerMessage::Error {
            request,
            meeting,
            code,
            message: Localized::error(code),
            retryable: code.retryable(),
            retry_after_ms: None,
        }
    }
}

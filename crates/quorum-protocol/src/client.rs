//! Messages from a device to the hub.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use quorum_domain::{CreateMeeting, MeetingCommand, MeetingId};

use crate::request::RequestId;

/// What the device is, for logs and support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClientInfo {
    /// The app, such as `quorum-web`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A message from a device to the hub. JSON text frames, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first message on every connection: the versions the device speaks and its
    /// session token. The hub answers `welcome`, or `error` and closes.
    Hello {
        /// Protocol versions the device speaks.
        versions: Vec<u16>,
        /// The session token from sign-in or an invitation link.
        token: String,
        /// What the device is.
        client: Option<ClientInfo>,
    },
    /// Follow a meeting. With `since`, resume after that sequence number: the hub answers
    /// `resumed` with exactly the missed updates (`recovered: true`) or a fresh snapshot
    /// (`recovered: false`). Without it, the hub answers `snapshot`.
    Subscribe {
        /// The meeting.
        meeting: MeetingId,
        /// The last sequence number the device applied.
        since: Option<u64>,
    },
    /// Stop following a meeting.
    Unsubscribe {
        /// The meeting.
        meeting: MeetingId,
    },
    /// Ask a meeting to do something. Answered by `ack` (once the events are durable)
    /// or `rejected`. Sending the same request id again gets the same answer.
    Command {
        /// Chosen by the device.
        request: RequestId,
        /// The meeting.
        meeting: MeetingId,
        /// What to do.
        command: MeetingCommand,
    },
    /// Create a meeting (secretaries and administrators).
    CreateMeeting {
        /// Chosen by the device.
        request: RequestId,
        /// The new meeting's id.
        meeting: MeetingId,
        /// Its details and rules.
        create: CreateMeeting,
    },
    /// Application-level keepalive; the hub answers `pong` with the same nonce.
    Ping {
        /// Echoed back.
        nonce: u64,
    },
}

impl ClientMessage {
    /// The message's `type`, as on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMessage::Hello { .. } => "hello",
            ClientMessage::Subscribe { .. } => "subscribe",
            ClientMessage::Unsubscribe { .. } => "unsubscribe",
            ClientMessage::Command { .. } => "command",
            ClientMessage::CreateMeeting { .. } => "create_meeting",
            ClientMessage::Ping { .. } => "ping",
        }
    }

    /// The request id, for messages that carry one.
    pub fn request(&self) -> Option<&RequestId> {
        match self {
            ClientMessage::Command { request, .. }
            | ClientMessage::CreateMeeting { request, .. } => Some(request),
            ClientMessage::Hello { .. }
            | ClientMessage::Subscribe { .. }
            | ClientMessage::Unsubscribe { .. }
            | ClientMessage::Ping { .. } => None,
        }
    }
}

//! A signed-in connection's loop: it reads the device's messages, rate-limits and
//! answers them, and writes what the connection's queue holds.

use std::pin::pin;
use std::time::Duration;

use futures_util::StreamExt as _;
use quorum_domain::MeetingId;
use quorum_protocol::{ClientMessage, DecodeError, ErrorCode, ServerMessage};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::limiter::{Limiter, Verdict};
use crate::access::Principal;
use crate::close;
use crate::hub::Hub;
use crate::outbound::{Frame, Link, Outbound};
use crate::room::{CommandInput, Reply, RoomHandle};
use crate::telemetry;

use super::{Ending, WRITE_BATCH, WebSocket, decode, read_failed, too_big, write_batch};

/// A signed-in connection.
pub(super) struct Session {
    pub(super) hub: Hub,
    pub(super) principal: Principal,
    pub(super) link: Link,
    pub(super) subscriptions: Vec<(MeetingId, RoomHandle)>,
    pub(super) limiter: Limiter,
    pub(super) strikes: u32,
    pub(super) max_strikes: u32,
}

impl Session {
    pub(super) async fn serve(
        &mut self,
        socket: &mut WebSocket,
        queue: &mut mpsc::Receiver<Outbound>,
        limits: &crate::config::LimitsConfig,
    ) -> Ending {
        let mut shutdown = self.hub.shutdown_signal();
        let idle = tokio::time::sleep(limits.idle_timeout());
        let mut idle = pin!(idle);
        let mut batch: Vec<Outbound> = Vec::new();
        loop {
            tokio::select! {
                biased;
                () = crate::hub::stopping(&mut shutdown) => {
                    return Ending { code: close::GOING_AWAY, reason: "the hub is restarting" };
                }
                received = queue.recv_many(&mut batch, WRITE_BATCH) => {
                    if received == 0 {
                        return Ending { code: close::INTERNAL, reason: "queue closed" };
                    }
                    if let Some(ending) = write_batch(socket, &mut batch, limits.write_timeout()).await {
                        return ending;
                    }
                    if self.link.is_slow() {
                        return Ending { code: close::SLOW_CONSUMER, reason: "too slow: reconnect and resume" };
                    }
                }
                incoming = socket.next() => {
                    idle.as_mut().reset(tokio::time::Instant::now() + limits.idle_timeout());
                    let text = match incoming {
                        None => return Ending { code: 1000, reason: "" },
                        Some(Err(error)) => return read_failed(&error),
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Binary(_))) => {
                            return Ending { code: close::PROTOCOL, reason: "binary frames are not part of the protocol" };
                        }
                        Some(Ok(Message::Close(_))) => return Ending { code: 1000, reason: "" },
                        // Pongs are answered by tungstenite itself.
                        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                    };
                    metrics::counter!(telemetry::MESSAGES_RECEIVED).increment(1);
                    if let Some(ending) = self.receive(&text, limits).await {
                        return ending;
                    }
                }
                () = &mut idle => {
                    return Ending { code: close::POLICY, reason: "silent for too long" };
                }
            }
        }
    }

    /// Handles one message; `Some` ends the connection.
    async fn receive(
        &mut self,
        text: &str,
        limits: &crate::config::LimitsConfig,
    ) -> Option<Ending> {
        match self.limiter.check() {
            Verdict::Allowed => self.strikes = 0,
            Verdict::Limited { retry_after } => {
                metrics::counter!(telemetry::RATE_LIMITED).increment(1);
                self.strikes = self.strikes.saturating_add(1);
                if self.strikes > self.max_strikes {
                    return Some(Ending {
                        code: close::RATE_LIMIT,
                        reason: "too many messages",
                    });
                }
                let request = decode(text, limits.max_message_bytes)
                    .ok()
                    .and_then(|message| message.request().cloned());
                self.reply(&ServerMessage::Error {
                    request,
                    meeting: None,
                    code: ErrorCode::RateLimited,
                    message: quorum_protocol::Localized::error(ErrorCode::RateLimited),
                    retryable: true,
                    retry_after_ms: Some(millis(retry_after)),
                });
                return None;
            }
        }
        let message = match decode(text, limits.max_message_bytes) {
            Ok(message) => message,
            Err(DecodeError::TooLarge { .. }) => return Some(too_big()),
            Err(DecodeError::Malformed(_)) => {
                self.reply(&ServerMessage::error(ErrorCode::BadMessage, None, None));
                return None;
            }
        };
        if self.principal.expires_at <= crate::clock::now() {
            return Some(Ending {
                code: close::UNAUTHENTICATED,
                reason: "session expired",
            });
        }
        match message {
            ClientMessage::Hello { .. } => {
                self.reply(&ServerMessage::error(ErrorCode::BadMessage, None, None));
            }
            ClientMessage::Ping { nonce } => self.reply(&ServerMessage::Pong { nonce }),
            // Subscribing may load the meeting from the log: boxed, so that the load's
            // future does not enlarge every idle connection's task.
            ClientMessage::Subscribe { meeting, since } => {
                Box::pin(self.subscribe(meeting, since)).await;
            }
            ClientMessage::Unsubscribe { meeting } => {
                if let Some(index) = self.subscriptions.iter().position(|(id, _)| *id == meeting) {
                    let (_, room) = self.subscriptions.swap_remove(index);
                    Box::pin(room.unsubscribe(self.link.connection)).await;
                } else {
                    self.reply(&ServerMessage::error(
                        ErrorCode::NotSubscribed,
                        None,
                        Some(meeting),
                    ));
                }
            }
            ClientMessage::Command {
                request,
                meeting,
                command,
            } => {
                // A meeting not in memory here is loaded (boxed: rarely taken, and its
                // future would enlarge every connection's task).
                let room = match self.hub.room(&meeting) {
                    Some(room) => Some(room),
                    None => Box::pin(self.hub.room_or_load(&meeting)).await,
                };
                let Some(room) = room else {
                    self.reply(&ServerMessage::error(
                        ErrorCode::MeetingNotFound,
                        Some(request),
                        Some(meeting),
                    ));
                    return None;
                };
                let Some(actor) = self.principal.actor() else {
                    self.reply(&ServerMessage::error(
                        ErrorCode::Forbidden,
                        Some(request),
                        Some(meeting),
                    ));
                    return None;
                };
                let input = CommandInput {
                    request: Some(request.clone()),
                    actor,
                    command,
                    reply: Reply::Link(self.link.clone()),
                };
                if !room.command(input) {
                    self.reply(&ServerMessage::error(
                        ErrorCode::Unavailable,
                        Some(request),
                        Some(meeting),
                    ));
                }
            }
            ClientMessage::CreateMeeting {
                request,
                meeting,
                create,
            } => {
                let created = Box::pin(self.hub.create_meeting(
                    &self.principal,
                    meeting.clone(),
                    create,
                ))
                .await;
                let reply = match created {
                    Ok(seq) => ServerMessage::Ack {
                        request,
                        meeting,
                        seq,
                        receipt: None,
                    },
                    Err(crate::hub::HubError::Rejected(rejection)) => {
                        ServerMessage::rejected(request, meeting, rejection)
                    }
                    Err(error) => {
                        tracing::warn!(%error, "create_meeting failed");
                        ServerMessage::error(ErrorCode::Unavailable, Some(request), Some(meeting))
                    }
                };
                self.reply(&reply);
            }
        }
        None
    }

    async fn subscribe(&mut self, meeting: MeetingId, since: Option<u64>) {
        let Some(room) = self.hub.room_or_load(&meeting).await else {
            self.reply(&ServerMessage::error(
                ErrorCode::MeetingNotFound,
                None,
                Some(meeting),
            ));
            return;
        };
        let Some(viewer) = self.principal.viewer(&meeting) else {
            self.reply(&ServerMessage::error(
                ErrorCode::Forbidden,
                None,
                Some(meeting),
            ));
            return;
        };
        if !room.subscribe(self.link.clone(), viewer, since) {
            self.reply(&ServerMessage::error(
                ErrorCode::Unavailable,
                None,
                Some(meeting),
            ));
            return;
        }
        if !self.subscriptions.iter().any(|(id, _)| *id == meeting) {
            self.subscriptions.push((meeting, room));
        }
    }

    /// Queues a reply behind whatever the connection's queue already holds.
    fn reply(&self, message: &ServerMessage) {
        let _ = self.link.send(&Frame::message(message));
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

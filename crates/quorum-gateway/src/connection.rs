//! One device's WebSocket: the handshake checks, `hello` and authentication, then a
//! loop that reads the device's messages and writes what its queue holds, in batches.
//!
//! **Invariant:** a connection holds no meeting state; everything it sends comes from
//! its bounded queue, so a device that stops reading costs at most that queue.

mod handshake;
mod limiter;

use std::pin::pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use hyper_util::rt::TokioIo;
use quorum_domain::MeetingId;
use quorum_protocol::{ClientMessage, DecodeError, ErrorCode, Limits, ServerMessage, SessionInfo};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame as WireFrame};
use tokio_tungstenite::tungstenite::{Error as WireError, Message, Utf8Bytes};

use crate::access::{Grant, Principal};
use crate::close;
use crate::hub::Hub;
use crate::outbound::{Frame, Link, Outbound};
use crate::room::{CommandInput, Reply, RoomHandle};
use crate::telemetry;
use limiter::{Limiter, Verdict};

pub use handshake::upgrade;

/// Frames written to a socket before one flush.
const WRITE_BATCH: usize = 64;

/// Messages longer than this go out in fragments of this size, so that tungstenite's
/// write buffer, which keeps the size of the largest frame written, stays small.
const FRAGMENT_BYTES: usize = 1024;

/// How long a closing connection waits for the device to answer its close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// A device's socket, upgraded from hyper.
type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Why the loop ended, as the close frame to send.
struct Ending {
    code: u16,
    reason: &'static str,
}

async fn run(hub: Hub, mut socket: WebSocket) {
    let _guard = hub.connection_opened();
    let connection = hub.next_connection();
    let limits = hub.config().limits.clone();
    let (link, mut queue) = Link::new(connection, limits.outbound_queue);
    // The hello, shutdown and meeting-creation steps run once or rarely: they are boxed
    // so that their futures do not enlarge every idle connection's task.
    let principal = match Box::pin(hello(&hub, &mut socket, &limits)).await {
        Ok(principal) => principal,
        Err(ending) => {
            Box::pin(finish(&mut socket, None, ending, limits.write_timeout())).await;
            return;
        }
    };
    let member = principal.member.clone();
    hub.directory()
        .connect(&principal.session, member.as_ref(), &link);
    let mut session = Session {
        hub: hub.clone(),
        principal,
        link,
        subscriptions: Vec::new(),
        limiter: Limiter::new(limits.messages_per_second, limits.message_burst),
        strikes: 0,
        max_strikes: limits.rate_strikes,
    };
    let ending = session.serve(&mut socket, &mut queue, &limits).await;
    for (_, room) in session.subscriptions.drain(..) {
        Box::pin(room.unsubscribe(connection)).await;
    }
    hub.directory()
        .disconnect(&session.principal.session, member.as_ref(), connection);
    Box::pin(finish(
        &mut socket,
        Some(&mut queue),
        ending,
        limits.write_timeout(),
    ))
    .await;
}

/// Waits for `hello`, checks the version and the token, and sends `welcome`.
async fn hello(
    hub: &Hub,
    socket: &mut WebSocket,
    limits: &crate::config::LimitsConfig,
) -> Result<Principal, Ending> {
    let first = tokio::time::timeout(limits.hello_deadline(), socket.next()).await;
    let text = match first {
        Err(_) => {
            return Err(Ending {
                code: close::POLICY,
                reason: "no hello before the deadline",
            });
        }
        Ok(None) => {
            return Err(Ending {
                code: close::POLICY,
                reason: "closed before hello",
            });
        }
        Ok(Some(Err(error))) => return Err(read_failed(&error)),
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(Some(Ok(Message::Binary(_)))) => {
            return Err(Ending {
                code: close::PROTOCOL,
                reason: "binary frames are not part of the protocol",
            });
        }
        Ok(Some(Ok(_))) => {
            return Err(Ending {
                code: close::PROTOCOL,
                reason: "hello expected",
            });
        }
    };
    let message = match decode(&text, limits.max_message_bytes) {
        Ok(message) => message,
        Err(DecodeError::TooLarge { .. }) => return Err(too_big()),
        Err(DecodeError::Malformed(_)) => {
            let _ = send_now(
                socket,
                &ServerMessage::error(ErrorCode::BadMessage, None, None),
                limits.write_timeout(),
            )
            .await;
            return Err(Ending {
                code: close::PROTOCOL,
                reason: "hello expected",
            });
        }
    };
    let ClientMessage::Hello {
        versions, token, ..
    } = message
    else {
        let _ = send_now(
            socket,
            &ServerMessage::error(ErrorCode::HelloRequired, None, None),
            limits.write_timeout(),
        )
        .await;
        return Err(Ending {
            code: close::PROTOCOL,
            reason: "hello expected",
        });
    };
    let Ok(version) = quorum_protocol::negotiate(&versions) else {
        let _ = send_now(
            socket,
            &ServerMessage::error(ErrorCode::UnsupportedVersion, None, None),
            limits.write_timeout(),
        )
        .await;
        return Err(Ending {
            code: close::PROTOCOL,
            reason: "no common protocol version",
        });
    };
    let principal = match hub.authenticate(&token) {
        Ok(principal) => principal,
        Err(_) => {
            // Never log the token; a digest label would still let an operator match
            // log lines to tokens, so log nothing about it.
            metrics::counter!(telemetry::AUTH_FAILURES, "via" => "hello").increment(1);
            let _ = send_now(
                socket,
                &ServerMessage::error(ErrorCode::Unauthenticated, None, None),
                limits.write_timeout(),
            )
            .await;
            return Err(Ending {
                code: close::UNAUTHENTICATED,
                reason: "invalid or expired session",
            });
        }
    };
    let welcome = ServerMessage::Welcome {
        version,
        session: session_info(&principal),
        heartbeat_ms: limits.heartbeat_ms,
        limits: Limits {
            max_message_bytes: u32::try_from(limits.max_message_bytes).unwrap_or(u32::MAX),
            commands_per_second: limits.messages_per_second,
        },
    };
    send_now(socket, &welcome, limits.write_timeout())
        .await
        .map_err(|()| Ending {
            code: close::POLICY,
            reason: "write failed",
        })?;
    Ok(principal)
}

/// The session as `welcome` describes it.
pub fn session_info(principal: &Principal) -> SessionInfo {
    let account = match &principal.grant {
        Grant::Account { login } => login.clone(),
        Grant::Member { member } => format!("member:{member}"),
        Grant::Projector { meeting } => format!("projector:{meeting}"),
    };
    SessionInfo {
        account,
        member: principal.member.clone(),
        name: principal.name.clone(),
        admin: principal.admin,
        expires_at: Some(principal.expires_at),
    }
}

fn decode(text: &str, limit: usize) -> Result<ClientMessage, DecodeError> {
    if text.len() > limit {
        return Err(DecodeError::TooLarge {
            size: text.len(),
            limit,
        });
    }
    quorum_protocol::decode_client(text)
}

fn too_big() -> Ending {
    Ending {
        code: close::TOO_BIG,
        reason: "message too large",
    }
}

/// A signed-in connection.
struct Session {
    hub: Hub,
    principal: Principal,
    link: Link,
    subscriptions: Vec<(MeetingId, RoomHandle)>,
    limiter: Limiter,
    strikes: u32,
    max_strikes: u32,
}

impl Session {
    async fn serve(
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
            ClientMessage::Subscribe { meeting, since } => self.subscribe(meeting, since),
            ClientMessage::Unsubscribe { meeting } => {
                if let Some(index) = self.subscriptions.iter().position(|(id, _)| *id == meeting) {
                    let (_, room) = self.subscriptions.swap_remove(index);
                    room.unsubscribe(self.link.connection).await;
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
                let Some(room) = self.hub.room(&meeting) else {
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

    fn subscribe(&mut self, meeting: MeetingId, since: Option<u64>) {
        let Some(room) = self.hub.room(&meeting) else {
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

fn read_failed(error: &WireError) -> Ending {
    match error {
        // A message over tungstenite's ceiling: answer 1009 rather than a bare reset.
        WireError::Capacity(_) => too_big(),
        WireError::ConnectionClosed | WireError::AlreadyClosed | WireError::Io(_) => Ending {
            code: 1000,
            reason: "",
        },
        other => {
            tracing::debug!(error = %other, "websocket read failed");
            Ending {
                code: close::PROTOCOL,
                reason: "unreadable frame",
            }
        }
    }
}

/// Queues a text message on the socket, in fragments if it is long.
async fn feed_text(socket: &mut WebSocket, text: &Utf8Bytes) -> Result<(), WireError> {
    if text.len() <= FRAGMENT_BYTES {
        return socket.feed(Message::Text(text.clone())).await;
    }
    // Fragments may split a character: the receiver checks UTF-8 on the whole message.
    let bytes = Bytes::from(text.clone());
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT_BYTES).min(bytes.len());
        let opcode = if start == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let fragment = WireFrame::message(bytes.slice(start..end), opcode, end == bytes.len());
        socket.feed(Message::Frame(fragment)).await?;
        start = end;
    }
    Ok(())
}

/// Writes the batch (feed each, one flush); `Some` ends the connection.
async fn write_batch(
    socket: &mut WebSocket,
    batch: &mut Vec<Outbound>,
    timeout: Duration,
) -> Option<Ending> {
    let mut ending = None;
    let write = async {
        for frame in batch.drain(..) {
            match &*frame {
                Frame::Text(text) => feed_text(socket, text).await?,
                Frame::Close(code, reason) => {
                    ending = Some(Ending {
                        code: *code,
                        reason,
                    });
                    break;
                }
            }
        }
        socket.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(())) => ending,
        Ok(Err(_)) => Some(Ending {
            code: 1000,
            reason: "",
        }),
        Err(_) => {
            metrics::counter!(telemetry::SLOW_DISCONNECTS).increment(1);
            Some(Ending {
                code: close::SLOW_CONSUMER,
                reason: "too slow: reconnect and resume",
            })
        }
    }
}

async fn send_now(
    socket: &mut WebSocket,
    message: &ServerMessage,
    timeout: Duration,
) -> Result<(), ()> {
    let Frame::Text(text) = &*Frame::message(message) else {
        return Err(());
    };
    let write = async {
        feed_text(socket, text).await?;
        socket.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Sends the close frame (after any frames still queued, unless the device is slow).
async fn finish(
    socket: &mut WebSocket,
    queue: Option<&mut mpsc::Receiver<Outbound>>,
    ending: Ending,
    timeout: Duration,
) {
    metrics::counter!(telemetry::CONNECTIONS_CLOSED, "code" => ending.code.to_string())
        .increment(1);
    if let Some(queue) = queue
        && ending.code != close::SLOW_CONSUMER
    {
        let mut rest = Vec::new();
        while let Ok(frame) = queue.try_recv() {
            if matches!(&*frame, Frame::Text(_)) {
                rest.push(frame);
            }
        }
        let _ = write_batch(socket, &mut rest, timeout).await;
    }
    let frame = CloseFrame {
        code: CloseCode::from(ending.code),
        reason: Utf8Bytes::from_static(ending.reason),
    };
    let _ = tokio::time::timeout(timeout, socket.send(Message::Close(Some(frame)))).await;
    // Read until the device answers the close (or gives up): closing a socket with
    // unread input makes the kernel reset it, and a reset can destroy the close frame
    // before the device reads it.
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

//! One device's WebSocket: the handshake checks, `hello` and authentication, then a
//! loop that reads the device's messages and writes what its queue holds, in batches.
//!
//! **Invariant:** a connection holds no meeting state; everything it sends comes from
//! its bounded queue, so a device that stops reading costs at most that queue.

mod coalesce;
mod handshake;
mod limiter;
mod session;
mod writer;

use futures_util::StreamExt as _;
use hyper_util::rt::TokioIo;
use quorum_protocol::{ClientMessage, DecodeError, ErrorCode, Limits, ServerMessage, SessionInfo};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Error as WireError, Message};

use crate::access::{Grant, Principal};
use crate::close;
use crate::hub::Hub;
use crate::outbound::Link;
use crate::telemetry;
use coalesce::Coalescing;
use limiter::Limiter;
use session::Session;
use writer::{finish, send_now, write_batch};

pub use handshake::upgrade;

/// Frames written to a socket before one flush.
const WRITE_BATCH: usize = 64;

/// A device's socket, upgraded from hyper.
type WebSocket = WebSocketStream<Coalescing<TokioIo<hyper::upgrade::Upgraded>>>;

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
    let principal = match hub.authenticate_fresh(&token).await {
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

//! One WebSocket to the hub, driven by its owner: no background task, a 4 KiB read
//! buffer, and messages that arrive while an answer is awaited kept in order for
//! [`Connection::next_message`].

use std::collections::VecDeque;
use std::time::Duration;

use quorum_domain::{CreateMeeting, MeetingCommand, MeetingId};
use quorum_protocol::{ClientMessage, RequestId, ServerMessage, encode_client};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::answer::{CommandOutcome, RawFrame, Subscribed, Welcome};
use crate::error::{ClientError, CloseInfo};
use crate::id::new_request_id;
use crate::options::ConnectOptions;

mod handshake;
mod transport;

use transport::{close_info, write_error};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How many buffered message slots an emptied buffer keeps.
const RETAINED_BUFFER: usize = 8;

/// How long to wait for the close reply to reach the socket after the hub closed.
const CLOSE_REPLY_TIMEOUT: Duration = Duration::from_secs(1);

/// One WebSocket connection to the hub, owned and driven by one task.
///
/// Every method reads the socket only while it runs: nothing happens in the background,
/// so the owner must call [`ping`](Self::ping) or [`send_ping`](Self::send_ping) at
/// least every [`heartbeat_interval`](Self::heartbeat_interval), or the hub closes an
/// idle connection. Messages that arrive while an answer is awaited (updates, lobby
/// events, unsolicited errors) are kept, in order, for [`next_message`](Self::next_message).
pub struct Connection {
    socket: Socket,
    unread: VecDeque<ServerMessage>,
    buffer_limit: Option<usize>,
    max_message_bytes: usize,
    request_timeout: Duration,
    closed: Option<CloseInfo>,
    next_nonce: u64,
    heartbeat: Option<Duration>,
}

impl Connection {
    /// Opens a WebSocket to `url` (`ws://host:port/ws`), sends `hello` and waits for
    /// `welcome`. A refused hello is [`ClientError::Refused`], with the close frame that
    /// followed it.
    pub async fn connect(
        url: &str,
        options: &ConnectOptions,
    ) -> Result<(Connection, Welcome), ClientError> {
        let mut connection = Connection::connect_raw(url, options).await?;
        let welcome = connection.hello(options).await?;
        Ok((connection, welcome))
    }

    /// Opens a WebSocket to `url` with the options' origin and subprotocols, without
    /// sending `hello` (for tests of what the hub does before it).
    pub async fn connect_raw(
        url: &str,
        options: &ConnectOptions,
    ) -> Result<Connection, ClientError> {
        let socket = handshake::open(url, options).await?;
        Ok(Connection {
            socket,
            unread: VecDeque::new(),
            buffer_limit: options.buffer_limit,
            max_message_bytes: options.max_message_bytes,
            request_timeout: options.request_timeout,
            closed: None,
            next_nonce: 1,
            heartbeat: None,
        })
    }

    /// Sends `hello` with the options' token, versions and client, and waits for
    /// `welcome`.
    pub async fn hello(&mut self, options: &ConnectOptions) -> Result<Welcome, ClientError> {
        self.send_message(&ClientMessage::Hello {
            versions: options.versions.clone(),
            token: options.token.clone(),
            client: options.client.clone(),
        })
        .await?;
        let deadline = Instant::now() + self.request_timeout;
        let answer = tokio::time::timeout_at(deadline, self.read_message())
            .await
            .map_err(|_| ClientError::Timeout {
                waiting_for: "welcome",
            })??;
        match answer {
            ServerMessage::Welcome {
                version,
                session,
                heartbeat_ms,
                limits,
            } => {
                self.heartbeat = Some(Duration::from_millis(heartbeat_ms));
                Ok(Welcome {
                    version,
                    session,
                    heartbeat_ms,
                    limits,
                })
            }
            ServerMessage::Error { code, message, .. } => {
                let close = self.wait_for_close(deadline).await;
                Err(ClientError::Refused {
                    code,
                    message,
                    close,
                })
            }
            other => Err(ClientError::Unexpected {
                expected: "welcome",
                received: other.kind().to_owned(),
            }),
        }
    }

    /// Follows `meeting`: without `since` the hub answers with a snapshot, with it a
    /// resume. An `error` about the meeting is [`ClientError::Server`].
    pub async fn subscribe(
        &mut self,
        meeting: &MeetingId,
        since: Option<u64>,
    ) -> Result<Subscribed, ClientError> {
        self.send_message(&ClientMessage::Subscribe {
            meeting: meeting.clone(),
            since,
        })
        .await?;
        let answer = self
            .await_answer(
                "the subscription's snapshot",
                self.request_timeout,
                |message| Subscribed::answers(message, meeting),
            )
            .await?;
        Subscribed::from_answer(answer)
    }

    /// Stops following `meeting` (the hub sends no answer).
    pub async fn unsubscribe(&mut self, meeting: &MeetingId) -> Result<(), ClientError> {
        self.send_message(&ClientMessage::Unsubscribe {
            meeting: meeting.clone(),
        })
        .await
    }

    /// Sends `command` with a fresh random request id and waits for its outcome. To be
    /// able to send it again after a failure, choose the id with
    /// [`new_request_id`](crate::new_request_id) and use
    /// [`command_with_request`](Self::command_with_request).
    pub async fn command(
        &mut self,
        meeting: &MeetingId,
        command: MeetingCommand,
    ) -> Result<CommandOutcome, ClientError> {
        self.command_with_request(new_request_id()?, meeting, command)
            .await
    }

    /// Sends `command` with this request id (a resend uses the same one) and waits for
    /// its outcome.
    pub async fn command_with_request(
        &mut self,
        request: RequestId,
        meeting: &MeetingId,
        command: MeetingCommand,
    ) -> Result<CommandOutcome, ClientError> {
        let request = self.send_command(request, meeting, command).await?;
        self.outcome(&request).await
    }

    /// Sends `command` without waiting; collect the answer later with
    /// [`outcome`](Self::outcome). Returns the request id.
    pub async fn send_command(
        &mut self,
        request: RequestId,
        meeting: &MeetingId,
        command: MeetingCommand,
    ) -> Result<RequestId, ClientError> {
        self.send_message(&ClientMessage::Command {
            request: request.clone(),
            meeting: meeting.clone(),
            command,
        })
        .await?;
        Ok(request)
    }

    /// Creates `meeting` with a fresh random request id and waits for the outcome.
    pub async fn create_meeting(
        &mut self,
        meeting: &MeetingId,
        create: CreateMeeting,
    ) -> Result<CommandOutcome, ClientError> {
        self.create_meeting_with_request(new_request_id()?, meeting, create)
            .await
    }

    /// Creates `meeting` with this request id and waits for the outcome.
    pub async fn create_meeting_with_request(
        &mut self,
        request: RequestId,
        meeting: &MeetingId,
        create: CreateMeeting,
    ) -> Result<CommandOutcome, ClientError> {
        self.send_message(&ClientMessage::CreateMeeting {
            request: request.clone(),
            meeting: meeting.clone(),
            create,
        })
        .await?;
        self.outcome(&request).await
    }

    /// Waits for the answer to the command sent with `request` (`ack`, `rejected`, or an
    /// `error` naming the request), looking first among the buffered messages.
    pub async fn outcome(&mut self, request: &RequestId) -> Result<CommandOutcome, ClientError> {
        let answer = self
            .await_answer("the command's answer", self.request_timeout, |message| {
                CommandOutcome::answers(message, request)
            })
            .await?;
        CommandOutcome::from_answer(answer)
    }

    /// Sends `ping` and waits for the matching `pong`; returns the round trip.
    pub async fn ping(&mut self) -> Result<Duration, ClientError> {
        let started = Instant::now();
        let nonce = self.send_ping().await?;
        self.await_answer("pong", self.request_timeout, |message| {
            matches!(message, ServerMessage::Pong { nonce: answered } if *answered == nonce)
        })
        .await?;
        Ok(started.elapsed())
    }

    /// Sends `ping` without waiting (the `pong` comes through
    /// [`next_message`](Self::next_message)); returns its nonce.
    pub async fn send_ping(&mut self) -> Result<u64, ClientError> {
        let nonce = self.next_nonce;
        self.next_nonce = self.next_nonce.wrapping_add(1);
        self.send_message(&ClientMessage::Ping { nonce }).await?;
        Ok(nonce)
    }

    /// The next message not yet consumed: buffered ones first, in arrival order, then
    /// the socket. Cancel-safe: it may be raced against a timer in `select!`.
    pub async fn next_message(&mut self, timeout: Duration) -> Result<ServerMessage, ClientError> {
        if let Some(message) = self.unread.pop_front() {
            self.release_buffer();
            return Ok(message);
        }
        tokio::time::timeout(timeout, self.read_message())
            .await
            .map_err(|_| ClientError::Timeout {
                waiting_for: "a message",
            })?
    }

    /// The first not yet consumed message that `wanted` accepts; the others stay
    /// buffered, in order, for [`next_message`](Self::next_message).
    pub async fn wait_for(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&ServerMessage) -> bool,
    ) -> Result<ServerMessage, ClientError> {
        self.await_answer("a matching message", timeout, wanted)
            .await
    }

    /// Sends a message as given, whatever the protocol state.
    pub async fn send_message(&mut self, message: &ClientMessage) -> Result<(), ClientError> {
        let text = encode_client(message)?;
        self.send_frame(Message::text(text)).await
    }

    /// Sends a text frame as given (for tests of malformed input).
    pub async fn send_raw_text(&mut self, text: impl Into<String>) -> Result<(), ClientError> {
        self.send_frame(Message::text(text.into())).await
    }

    /// Sends a binary frame (which the protocol forbids).
    pub async fn send_raw_binary(&mut self, bytes: impl Into<Vec<u8>>) -> Result<(), ClientError> {
        self.send_frame(Message::binary(bytes.into())).await
    }

    /// The next frame from the socket, undecoded. Buffered messages are not returned:
    /// use it on a connection whose answers are not awaited by the typed methods.
    pub async fn recv_raw(&mut self, timeout: Duration) -> Result<RawFrame, ClientError> {
        let frame = tokio::time::timeout(timeout, self.read_socket())
            .await
            .map_err(|_| ClientError::Timeout {
                waiting_for: "a frame",
            })??;
        Ok(match frame {
            Message::Text(text) => RawFrame::Text(text.as_str().to_owned()),
            Message::Binary(bytes) => RawFrame::Binary(bytes.to_vec()),
            Message::Ping(bytes) => RawFrame::Ping(bytes.to_vec()),
            Message::Pong(bytes) => RawFrame::Pong(bytes.to_vec()),
            Message::Close(frame) => RawFrame::Close(close_info(frame.as_ref())),
            Message::Frame(frame) => RawFrame::Binary(frame.into_payload().to_vec()),
        })
    }

    /// Closes normally (1000) and waits for the hub's close frame.
    pub async fn close(&mut self) -> Result<(), ClientError> {
        self.close_with(1000, "").await
    }

    /// Closes with this code and reason and waits for the hub's close frame. Messages
    /// that arrive meanwhile stay available to [`next_message`](Self::next_message).
    pub async fn close_with(&mut self, code: u16, reason: &str) -> Result<(), ClientError> {
        if self.closed.is_some() {
            return Ok(());
        }
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        let deadline = Instant::now() + self.request_timeout;
        match tokio::time::timeout_at(deadline, self.socket.close(Some(frame))).await {
            Err(_) => {
                return Err(ClientError::Timeout {
                    waiting_for: "the socket to take the close frame",
                });
            }
            Ok(Err(error)) => return Err(write_error(error, self.closed.as_ref())),
            Ok(Ok(())) => {}
        }
        loop {
            match tokio::time::timeout_at(deadline, self.read_message()).await {
                Err(_) => {
                    return Err(ClientError::Timeout {
                        waiting_for: "the hub's close frame",
                    });
                }
                Ok(Ok(message)) => self.unread.push_back(message),
                Ok(Err(ClientError::Closed { .. })) => return Ok(()),
                Ok(Err(ClientError::Protocol(_) | ClientError::Unexpected { .. })) => {}
                Ok(Err(error)) => return Err(error),
            }
        }
    }

    /// How the connection ended, once it has.
    pub fn closed(&self) -> Option<&CloseInfo> {
        self.closed.as_ref()
    }

    /// How often to ping, from `welcome` (`None` before it).
    pub fn heartbeat_interval(&self) -> Option<Duration> {
        self.heartbeat
    }

    /// How many received messages wait unconsumed.
    pub fn buffered(&self) -> usize {
        self.unread.len()
    }

    /// Changes how long typed calls wait for their answer.
    pub fn set_request_timeout(&mut self, timeout: Duration) {
        self.request_timeout = timeout;
    }

    /// The first unconsumed message `is_answer` accepts, buffering the others.
    async fn await_answer(
        &mut self,
        waiting_for: &'static str,
        timeout: Duration,
        is_answer: impl Fn(&ServerMessage) -> bool,
    ) -> Result<ServerMessage, ClientError> {
        if let Some(position) = self.unread.iter().position(&is_answer)
            && let Some(message) = self.unread.remove(position)
        {
            return Ok(message);
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(limit) = self.buffer_limit
                && self.unread.len() >= limit
            {
                return Err(ClientError::BufferFull { limit });
            }
            let message = tokio::time::timeout_at(deadline, self.read_message())
                .await
                .map_err(|_| ClientError::Timeout { waiting_for })??;
            if is_answer(&message) {
                return Ok(message);
            }
            self.unread.push_back(message);
        }
    }

    /// Gives back the memory of a burst once it has been read: the load generator holds
    /// thousands of connections, each of which may have buffered a burst once.
    fn release_buffer(&mut self) {
        if self.unread.is_empty() && self.unread.capacity() > RETAINED_BUFFER {
            self.unread.shrink_to(RETAINED_BUFFER);
        }
    }

    /// After a refused hello: the close frame, if it comes before `deadline`.
    async fn wait_for_close(&mut self, deadline: Instant) -> Option<CloseInfo> {
        loop {
            match tokio::time::timeout_at(deadline, self.read_socket()).await {
                Ok(Ok(Message::Close(_))) | Ok(Err(_)) | Err(_) => return self.closed.clone(),
                Ok(Ok(_)) => {}
            }
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Connection")
            .field("buffered", &self.unread.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

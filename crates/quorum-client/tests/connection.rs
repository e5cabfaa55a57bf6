//! The WebSocket client against a scripted hub on a real socket: the handshake headers,
//! hello, answers with updates interleaved, close codes, raw frames and timeouts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use quorum_client::{
    ClientError, CloseInfo, CommandOutcome, ConnectOptions, Connection, MeetingMirror, RawFrame,
    Subscribed, new_request_id,
};
use quorum_domain::meeting::settings::MeetingStatus;
use quorum_domain::{MeetingCommand, MeetingId, RejectionCode, Timestamp};
use quorum_protocol::examples::server_examples;
use quorum_protocol::version::{parse_subprotocol, subprotocol};
use quorum_protocol::{
    ClientMessage, ErrorCode, Limits, LobbyEvent, PROTOCOL_VERSION, ServerMessage, SessionInfo,
    decode_client, encode_server,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{WebSocketStream, accept_hdr_async};

const ALLOWED_ORIGIN: &str = "http://hub.test";
const TOKEN: &str = "qs_test_token";
const WAIT: Duration = Duration::from_secs(5);

/// What the client sent in its upgrade request.
#[derive(Debug, Default)]
struct Upgrade {
    path: String,
    origin: Option<String>,
    subprotocols: Option<String>,
    accepted: bool,
}

/// The hub's end of one connection.
struct Hub {
    socket: WebSocketStream<TcpStream>,
}

impl Hub {
    /// The next frame, decoded as a client message.
    async fn recv(&mut self) -> ClientMessage {
        loop {
            match self.socket.next().await.unwrap().unwrap() {
                Message::Text(text) => return decode_client(text.as_str()).unwrap(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next frame, whatever it is.
    async fn recv_frame(&mut self) -> Message {
        self.socket.next().await.unwrap().unwrap()
    }

    async fn send(&mut self, message: ServerMessage) {
        let text = encode_server(&message).unwrap();
        self.socket.send(Message::text(text)).await.unwrap();
    }

    /// Receives `hello` and answers `welcome`.
    async fn welcome(&mut self) -> ClientMessage {
        let hello = self.recv().await;
        self.send(welcome()).await;
        hello
    }

    /// Sends a close frame, then reads until the client's reply ends the stream.
    async fn close(&mut self, code: u16, reason: &str) {
        self.socket
            .close(Some(CloseFrame {
                code: CloseCode::from(code),
                reason: reason.to_owned().into(),
            }))
            .await
            .unwrap();
        self.drain().await;
    }

    /// Reads until the client goes away.
    async fn drain(&mut self) {
        while let Some(Ok(_)) = self.socket.next().await {}
    }
}

/// A hub that accepts one connection, checks its origin, picks `quorum.v1` if offered,
/// and runs `script`. Returns the URL and what the upgrade request carried.
async fn scripted<F, Fut>(script: F) -> (String, JoinHandle<Upgrade>)
where
    F: FnOnce(Hub) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut upgrade = Upgrade::default();
        #[allow(
            clippy::result_large_err,
            reason = "the callback's signature is tungstenite's"
        )]
        let callback = |request: &Request, mut response: Response| {
            let text = |name| {
                request
                    .headers()
                    .get(name)
                    .map(|value: &HeaderValue| value.to_str().unwrap().to_owned())
            };
            upgrade.path = request.uri().path().to_owned();
            upgrade.origin = text(header::ORIGIN);
            upgrade.subprotocols = text(header::SEC_WEBSOCKET_PROTOCOL);
            if upgrade
                .origin
                .as_deref()
                .is_some_and(|origin| origin != ALLOWED_ORIGIN)
            {
                let refusal: ErrorResponse = Response::builder()
                    .status(StatusCode::FORBIDDEN)
                    .body(Some("foreign origin".to_owned()))
                    .unwrap();
                return Err(refusal);
            }
            let chosen = upgrade.subprotocols.as_deref().and_then(|offered| {
                offered
                    .split(',')
                    .find(|name| parse_subprotocol(name) == Some(PROTOCOL_VERSION))
            });
            if let Some(chosen) = chosen {
                response.headers_mut().insert(
                    header::SEC_WEBSOCKET_PROTOCOL,
                    HeaderValue::from_str(chosen.trim()).unwrap(),
                );
            }
            Ok(response)
        };
        if let Ok(socket) = accept_hdr_async(stream, callback).await {
            upgrade.accepted = true;
            script(Hub { socket }).await;
        }
        upgrade
    });
    (url, handle)
}

fn options() -> ConnectOptions {
    ConnectOptions::new(TOKEN).with_origin(ALLOWED_ORIGIN)
}

fn meeting() -> MeetingId {
    MeetingId::new("hdnd-xa-au-lau-2026-11").unwrap()
}

fn welcome() -> ServerMessage {
    ServerMessage::Welcome {
        version: PROTOCOL_VERSION,
        session: SessionInfo {
            account: "db-02".into(),
            member: None,
            name: "Trần Văn Minh".into(),
            admin: false,
            expires_at: None,
        },
        heartbeat_ms: 25_000,
        limits: Limits {
            max_message_bytes: 262_144,
            commands_per_second: 20,
        },
    }
}

fn update(seq: u64) -> ServerMessage {
    ServerMessage::Update {
        meeting: meeting(),
        first_seq: seq,
        seq,
        at: Timestamp(1_795_744_800_000 + i64::try_from(seq).unwrap()),
        changes: Vec::new(),
    }
}

fn lobby() -> ServerMessage {
    ServerMessage::Lobby {
        event: LobbyEvent::MeetingStatus {
            meeting: meeting(),
            status: MeetingStatus::Open,
        },
    }
}

/// The example snapshot of the protocol crate: a real view from the real engine.
fn snapshot() -> ServerMessage {
    server_examples()
        .into_iter()
        .find(|example| example.name == "snapshot")
        .unwrap()
        .message
}

fn seq_of(message: &ServerMessage) -> u64 {
    match message {
        ServerMessage::Update { seq, .. } => *seq,
        other => panic!("expected an update, got {other:?}"),
    }
}

#[test]
fn a_connection_can_move_to_another_task() {
    fn is_send<T: Send + 'static>() {}
    is_send::<Connection>();
}

#[tokio::test]
async fn hello_carries_the_token_the_versions_and_the_subprotocol_header() {
    let (url, hub) = scripted(|mut hub| async move {
        let hello = hub.welcome().await;
        let ClientMessage::Hello {
            versions,
            token,
            client,
        } = hello
        else {
            panic!("the first message must be hello, got {hello:?}");
        };
        assert_eq!(versions, vec![PROTOCOL_VERSION]);
        assert_eq!(token, TOKEN);
        assert_eq!(client.unwrap().name, "quorum-client");
        hub.drain().await;
    })
    .await;
    let (mut connection, welcome) = Connection::connect(&url, &options()).await.unwrap();
    assert_eq!(welcome.version, PROTOCOL_VERSION);
    assert_eq!(welcome.heartbeat_ms, 25_000);
    assert_eq!(
        connection.heartbeat_interval(),
        Some(Duration::from_secs(25))
    );
    connection.close().await.unwrap();
    let upgrade = hub.await.unwrap();
    assert_eq!(upgrade.path, "/ws");
    assert_eq!(upgrade.origin.as_deref(), Some(ALLOWED_ORIGIN));
    assert_eq!(
        upgrade.subprotocols,
        Some(subprotocol(PROTOCOL_VERSION)),
        "the token is never in the URL, the version is in the header"
    );
}

#[tokio::test]
async fn without_an_origin_no_origin_header_is_sent() {
    let (url, hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.drain().await;
    })
    .await;
    let (connection, _) = Connection::connect(&url, &ConnectOptions::new(TOKEN))
        .await
        .unwrap();
    drop(connection);
    let upgrade = hub.await.unwrap();
    assert_eq!(upgrade.origin, None);
}

#[tokio::test]
async fn a_foreign_origin_is_refused_with_403_before_the_upgrade() {
    let (url, hub) = scripted(|_| async { panic!("no upgrade for a foreign origin") }).await;
    let options = ConnectOptions::new(TOKEN).with_origin("https://evil.example");
    let error = Connection::connect(&url, &options).await.unwrap_err();
    assert!(
        matches!(error, ClientError::Handshake { status: 403, ref body } if body == "foreign origin"),
        "{error:?}"
    );
    assert!(!hub.await.unwrap().accepted);
}

#[tokio::test]
async fn a_subprotocol_the_hub_does_not_choose_fails_the_handshake() {
    let (url, _hub) = scripted(|mut hub| async move { hub.drain().await }).await;
    let options = ConnectOptions {
        subprotocols: Some(vec!["graphql-ws".to_owned()]),
        ..options()
    };
    let error = Connection::connect(&url, &options).await.unwrap_err();
    assert!(matches!(error, ClientError::Subprotocol(_)), "{error:?}");
}

#[tokio::test]
async fn a_local_address_is_the_source_of_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let hub = tokio::spawn(async move {
        let (stream, peer) = listener.accept().await.unwrap();
        let mut hub = Hub {
            socket: tokio_tungstenite::accept_async(stream).await.unwrap(),
        };
        hub.welcome().await;
        hub.drain().await;
        peer
    });
    let options = ConnectOptions {
        local_address: Some([127, 0, 0, 7].into()),
        subprotocols: Some(Vec::new()),
        ..options()
    };
    let (mut connection, _) = Connection::connect(&url, &options).await.unwrap();
    connection.close().await.unwrap();
    assert_eq!(hub.await.unwrap().ip().to_string(), "127.0.0.7");
}

#[tokio::test]
async fn a_refused_hello_reports_the_error_and_the_close_code() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.recv().await;
        hub.send(ServerMessage::error(ErrorCode::Unauthenticated, None, None))
            .await;
        hub.close(4003, "unauthenticated").await;
    })
    .await;
    let error = Connection::connect(&url, &options()).await.unwrap_err();
    assert_eq!(error.error_code(), Some(ErrorCode::Unauthenticated));
    assert_eq!(error.close_code(), Some(4003));
    let ClientError::Refused { close, .. } = error else {
        panic!("expected a refused hello");
    };
    assert_eq!(
        close,
        Some(CloseInfo {
            code: 4003,
            reason: "unauthenticated".into()
        })
    );
}

#[tokio::test]
async fn a_hub_that_closes_instead_of_welcoming_reports_the_close() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.recv().await;
        hub.close(1008, "hello deadline").await;
    })
    .await;
    let error = Connection::connect(&url, &options()).await.unwrap_err();
    assert!(
        matches!(error, ClientError::Closed { code: 1008, ref reason } if reason == "hello deadline"),
        "{error:?}"
    );
}

#[tokio::test]
async fn subscribe_keeps_what_arrives_before_the_snapshot_in_order() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        let subscribe = hub.recv().await;
        assert_eq!(
            subscribe,
            ClientMessage::Subscribe {
                meeting: meeting(),
                since: None
            }
        );
        hub.send(lobby()).await;
        hub.send(update(3)).await;
        hub.send(snapshot()).await;
        hub.send(update(4)).await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let subscribed = connection.subscribe(&meeting(), None).await.unwrap();
    assert!(matches!(subscribed, Subscribed::Snapshot { .. }));
    assert_eq!(connection.buffered(), 2);
    assert_eq!(connection.next_message(WAIT).await.unwrap(), lobby());
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 3);
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 4);
}

#[tokio::test]
async fn a_resume_brings_the_missed_updates_to_the_mirror() {
    let ServerMessage::Snapshot { view, .. } = snapshot() else {
        panic!("the example is a snapshot");
    };
    let since = view.seq;
    let (url, _hub) = scripted(move |mut hub| async move {
        hub.welcome().await;
        let subscribe = hub.recv().await;
        assert_eq!(
            subscribe,
            ClientMessage::Subscribe {
                meeting: meeting(),
                since: Some(since)
            }
        );
        let missed = (since + 1..=since + 2)
            .map(|seq| quorum_protocol::Update {
                first_seq: seq,
                seq,
                at: Timestamp(0),
                changes: Vec::new(),
            })
            .collect();
        hub.send(ServerMessage::Resumed {
            meeting: meeting(),
            recovered: true,
            updates: missed,
            snapshot: None,
        })
        .await;
        hub.send(update(since + 3)).await;
        hub.drain().await;
    })
    .await;
    let mut mirror = MeetingMirror::new(meeting(), view);
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let resumed = connection
        .subscribe(&meeting(), Some(mirror.last_seq()))
        .await
        .unwrap();
    mirror.resume(resumed).unwrap();
    assert_eq!(mirror.last_seq(), since + 2);
    let next = connection.next_message(WAIT).await.unwrap();
    assert_eq!(mirror.apply(&next), Ok(true));
    assert_eq!(mirror.last_seq(), since + 3);
}

#[tokio::test]
async fn a_subscription_error_names_the_meeting() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.recv().await;
        // An unrelated error first: it is not the answer, and stays for next_message.
        hub.send(ServerMessage::error(ErrorCode::Internal, None, None))
            .await;
        hub.send(ServerMessage::error(
            ErrorCode::MeetingNotFound,
            None,
            Some(meeting()),
        ))
        .await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let error = connection.subscribe(&meeting(), None).await.unwrap_err();
    assert_eq!(error.error_code(), Some(ErrorCode::MeetingNotFound));
    let unrelated = connection.next_message(WAIT).await.unwrap();
    assert!(matches!(
        unrelated,
        ServerMessage::Error {
            code: ErrorCode::Internal,
            ..
        }
    ));
}

#[tokio::test]
async fn commands_wait_for_their_answer_and_keep_interleaved_updates_in_order() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        // First command: updates and a lobby event arrive before its ack.
        let ClientMessage::Command { request, .. } = hub.recv().await else {
            panic!("expected a command");
        };
        hub.send(update(6)).await;
        hub.send(lobby()).await;
        hub.send(update(7)).await;
        hub.send(ServerMessage::Ack {
            request,
            meeting: meeting(),
            seq: 7,
            receipt: None,
        })
        .await;
        // Second: refused by the meeting.
        let ClientMessage::Command { request, .. } = hub.recv().await else {
            panic!("expected a command");
        };
        hub.send(ServerMessage::rejected(
            request,
            meeting(),
            quorum_domain::Rejection::from(RejectionCode::MeetingAlreadyOpen),
        ))
        .await;
        // Third: rate limited.
        let ClientMessage::Command { request, .. } = hub.recv().await else {
            panic!("expected a command");
        };
        let mut limited =
            ServerMessage::error(ErrorCode::RateLimited, Some(request), Some(meeting()));
        if let ServerMessage::Error { retry_after_ms, .. } = &mut limited {
            *retry_after_ms = Some(500);
        }
        hub.send(limited).await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let acked = connection
        .command(&meeting(), MeetingCommand::OpenMeeting)
        .await
        .unwrap();
    assert_eq!(
        acked,
        CommandOutcome::Acked {
            seq: 7,
            receipt: None
        }
    );
    let rejected = connection
        .command(&meeting(), MeetingCommand::OpenMeeting)
        .await
        .unwrap();
    assert!(matches!(
        rejected,
        CommandOutcome::Rejected {
            code: RejectionCode::MeetingAlreadyOpen,
            ..
        }
    ));
    let request = new_request_id().unwrap();
    let failed = connection
        .command_with_request(request, &meeting(), MeetingCommand::OpenMeeting)
        .await
        .unwrap();
    assert_eq!(
        failed,
        CommandOutcome::Failed {
            code: ErrorCode::RateLimited,
            retry_after_ms: Some(500)
        }
    );
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 6);
    assert_eq!(connection.next_message(WAIT).await.unwrap(), lobby());
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 7);
}

#[tokio::test]
async fn a_full_buffer_stops_the_wait_and_loses_nothing() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        let ClientMessage::Command { request, .. } = hub.recv().await else {
            panic!("expected a command");
        };
        for seq in 1..=3 {
            hub.send(update(seq)).await;
        }
        hub.send(ServerMessage::Ack {
            request,
            meeting: meeting(),
            seq: 3,
            receipt: None,
        })
        .await;
        hub.drain().await;
    })
    .await;
    let options = ConnectOptions {
        buffer_limit: Some(2),
        ..options()
    };
    let (mut connection, _) = Connection::connect(&url, &options).await.unwrap();
    let request = new_request_id().unwrap();
    let error = connection
        .command_with_request(request.clone(), &meeting(), MeetingCommand::OpenMeeting)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::BufferFull { limit: 2 }),
        "{error:?}"
    );
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 1);
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 2);
    let outcome = connection.outcome(&request).await.unwrap();
    assert_eq!(outcome.acked_seq(), Some(3));
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 3);
}

#[tokio::test]
async fn a_slow_consumer_close_is_observable_after_the_last_messages() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.send(update(1)).await;
        hub.send(ServerMessage::error(ErrorCode::SlowConsumer, None, None))
            .await;
        hub.close(4000, "slow consumer").await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 1);
    let error = connection.next_message(WAIT).await.unwrap();
    assert!(matches!(
        error,
        ServerMessage::Error {
            code: ErrorCode::SlowConsumer,
            ..
        }
    ));
    let closed = connection.next_message(WAIT).await.unwrap_err();
    assert!(
        matches!(closed, ClientError::Closed { code: 4000, ref reason } if reason == "slow consumer"),
        "{closed:?}"
    );
    assert_eq!(connection.closed().map(|close| close.code), Some(4000));
    let after = connection.ping().await.unwrap_err();
    assert_eq!(after.close_code(), Some(4000));
}

#[tokio::test]
async fn a_close_while_a_command_waits_ends_the_wait() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.recv().await;
        hub.close(1001, "restarting").await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let error = connection
        .command(&meeting(), MeetingCommand::OpenMeeting)
        .await
        .unwrap_err();
    assert_eq!(error.close_code(), Some(1001));
}

#[tokio::test]
async fn a_dropped_socket_is_an_abnormal_close() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        drop(hub);
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let error = connection.next_message(WAIT).await.unwrap_err();
    assert_eq!(error.close_code(), Some(quorum_client::CLOSE_ABNORMAL));
}

#[tokio::test]
async fn ping_gets_its_pong_past_other_messages() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        let ClientMessage::Ping { nonce } = hub.recv().await else {
            panic!("expected a ping");
        };
        hub.send(update(9)).await;
        hub.send(ServerMessage::Pong { nonce: nonce + 100 }).await;
        hub.send(ServerMessage::Pong { nonce }).await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    connection.ping().await.unwrap();
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 9);
    assert!(matches!(
        connection.next_message(WAIT).await.unwrap(),
        ServerMessage::Pong { .. }
    ));
}

#[tokio::test]
async fn raw_frames_reach_the_hub_as_sent_and_its_close_is_seen_raw() {
    let (url, _hub) = scripted(|mut hub| async move {
        assert_eq!(
            hub.recv_frame().await,
            Message::text("{\"type\":\"subscribe\"")
        );
        assert_eq!(hub.recv_frame().await, Message::binary(vec![1u8, 2, 3]));
        let hello = hub.recv().await;
        assert!(matches!(hello, ClientMessage::Hello { .. }));
        hub.close(4002, "protocol error").await;
    })
    .await;
    let mut connection = Connection::connect_raw(&url, &options()).await.unwrap();
    connection
        .send_raw_text("{\"type\":\"subscribe\"")
        .await
        .unwrap();
    connection.send_raw_binary(vec![1u8, 2, 3]).await.unwrap();
    connection
        .send_message(&ClientMessage::Hello {
            versions: vec![PROTOCOL_VERSION],
            token: TOKEN.into(),
            client: None,
        })
        .await
        .unwrap();
    let frame = connection.recv_raw(WAIT).await.unwrap();
    assert_eq!(
        frame,
        RawFrame::Close(CloseInfo {
            code: 4002,
            reason: "protocol error".into()
        })
    );
    assert_eq!(connection.closed().map(|close| close.code), Some(4002));
}

#[tokio::test]
async fn a_malformed_message_from_the_hub_is_an_error_and_the_connection_goes_on() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.socket
            .send(Message::text("{\"type\":\"nope\"}"))
            .await
            .unwrap();
        hub.socket.send(Message::binary(vec![0u8])).await.unwrap();
        hub.send(update(1)).await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let malformed = connection.next_message(WAIT).await.unwrap_err();
    assert!(
        matches!(malformed, ClientError::Protocol(_)),
        "{malformed:?}"
    );
    let binary = connection.next_message(WAIT).await.unwrap_err();
    assert!(
        matches!(binary, ClientError::Unexpected { .. }),
        "{binary:?}"
    );
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 1);
}

#[tokio::test]
async fn close_sends_a_normal_close_frame_and_waits_for_the_reply() {
    let (url, hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.send(update(1)).await;
        let frame = hub.recv_frame().await;
        let Message::Close(Some(close)) = frame else {
            panic!("expected a close frame, got {frame:?}");
        };
        assert_eq!(u16::from(close.code), 1000);
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    connection.close().await.unwrap();
    assert_eq!(connection.closed().map(|close| close.code), Some(1000));
    // The update that crossed the close is still there.
    assert_eq!(seq_of(&connection.next_message(WAIT).await.unwrap()), 1);
    hub.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_silent_hub_times_out_on_the_paused_clock() {
    let (url, _hub) = scripted(|mut hub| async move {
        hub.welcome().await;
        hub.drain().await;
    })
    .await;
    let (mut connection, _) = Connection::connect(&url, &options()).await.unwrap();
    let started = tokio::time::Instant::now();
    let error = connection
        .next_message(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() >= Duration::from_secs(60));
    connection.set_request_timeout(Duration::from_secs(3));
    let error = connection.ping().await.unwrap_err();
    assert!(
        matches!(
            error,
            ClientError::Timeout {
                waiting_for: "pong"
            }
        ),
        "{error:?}"
    );
}

//! Devices that misbehave: oversize, binary and malformed frames, no or bad `hello`,
//! floods, sockets that stop reading, and commands aimed at other meetings or replayed.

use std::time::Duration;

use quorum_client::{ClientError, CommandOutcome, ConnectOptions, Connection, new_request_id};
use quorum_domain::meeting::roster::Attendance;
use quorum_domain::{ItemId, MeetingCommand, MeetingId, MeetingView, PollId, RejectionCode};
use quorum_gateway::close;
use quorum_protocol::{ClientMessage, ErrorCode, ServerMessage};
use tokio::time::Instant;

use super::support::{TestHub, actor, check_in, close_code};

/// How long a test waits for one expected message.
const WAIT: Duration = Duration::from_secs(5);

/// A ping padded with spaces (still valid JSON) to exactly `size` bytes.
fn padded_ping(size: usize) -> String {
    let ping = r#"{"type":"ping","nonce":7}"#;
    format!("{ping}{}", " ".repeat(size - ping.len()))
}

async fn next_error(connection: &mut Connection) -> (ErrorCode, Option<u64>) {
    match connection.next_message(WAIT).await.unwrap() {
        ServerMessage::Error {
            code,
            retry_after_ms,
            ..
        } => (code, retry_after_ms),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The meeting as the administrator sees it, over HTTP.
async fn admin_view(hub: &TestHub, token: &str, meeting: &MeetingId) -> MeetingView {
    hub.http()
        .get_json(&format!("/api/meetings/{meeting}"), Some(token))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_message_over_the_limit_closes_with_1009() {
    let hub = TestHub::start_with(|config| config.limits.max_message_bytes = 1024).await;
    let token = hub.admin_token().await;
    let (mut device, welcome) = hub.connect(&token).await;
    assert_eq!(welcome.limits.max_message_bytes, 1024);

    // Exactly at the limit is fine.
    device.send_raw_text(padded_ping(1024)).await.unwrap();
    assert!(matches!(
        device.next_message(WAIT).await.unwrap(),
        ServerMessage::Pong { nonce: 7 }
    ));
    // One byte over is not.
    device.send_raw_text(padded_ping(1025)).await.unwrap();
    assert_eq!(close_code(&mut device).await, close::TOO_BIG);

    // Before hello too.
    let mut fresh = Connection::connect_raw(&hub.ws_url(), &ConnectOptions::new(&token))
        .await
        .unwrap();
    fresh.send_raw_text(padded_ping(4096)).await.unwrap();
    assert_eq!(close_code(&mut fresh).await, close::TOO_BIG);
}

/// A message far over the limit (1 MiB against 1 KiB) is larger than the frame limit the
/// hub gives tungstenite (the message limit plus 64 KiB), so tungstenite refuses it
/// while reading the frame header, and the hub still answers with 1009.
#[tokio::test]
async fn a_message_far_over_the_limit_closes_with_1009_too() {
    let hub = TestHub::start_with(|config| config.limits.max_message_bytes = 1024).await;
    let token = hub.admin_token().await;
    let (mut device, _) = hub.connect(&token).await;
    device
        .send_raw_text(padded_ping(1024 * 1024))
        .await
        .unwrap();
    assert_eq!(close_code(&mut device).await, close::TOO_BIG);
}

#[tokio::test]
async fn a_binary_frame_closes_with_4002() {
    let hub = TestHub::start().await;
    let token = hub.admin_token().await;
    let (mut device, _) = hub.connect(&token).await;
    device.ping().await.unwrap();
    device
        .send_raw_binary(b"{\"type\":\"ping\",\"nonce\":1}".to_vec())
        .await
        .unwrap();
    assert_eq!(close_code(&mut device).await, close::PROTOCOL);

    let mut fresh = Connection::connect_raw(&hub.ws_url(), &ConnectOptions::new(&token))
        .await
        .unwrap();
    fresh.send_raw_binary(vec![0u8; 16]).await.unwrap();
    assert_eq!(close_code(&mut fresh).await, close::PROTOCOL);
}

#[tokio::test]
async fn malformed_messages_after_hello_get_bad_message_and_the_connection_keeps_working() {
    let hub = TestHub::start().await;
    let token = hub.admin_token().await;
    let (mut device, _) = hub.connect(&token).await;
    for text in [
        "{not json",
        "",
        "[]",
        r#"{"type":"teleport","to":"mars"}"#,
        r#"{"type":"command","request":"r-1"}"#,
        r#"{"type":"subscribe","meeting":"bad id with spaces"}"#,
    ] {
        device.send_raw_text(text).await.unwrap();
        let (code, _) = next_error(&mut device).await;
        assert_eq!(code, ErrorCode::BadMessage, "for {text:?}");
    }
    // A second hello is out of place, not fatal.
    device
        .send_message(&ClientMessage::Hello {
            versions: vec![1],
            token: token.clone(),
            client: None,
        })
        .await
        .unwrap();
    assert_eq!(next_error(&mut device).await.0, ErrorCode::BadMessage);
    device.ping().await.unwrap();
    assert_eq!(device.closed(), None);
}

#[tokio::test]
async fn a_first_message_that_is_not_hello_closes_with_4002() {
    let hub = TestHub::start().await;
    let token = hub.admin_token().await;
    let options = ConnectOptions::new(&token);

    let mut device = Connection::connect_raw(&hub.ws_url(), &options)
        .await
        .unwrap();
    device.send_ping().await.unwrap();
    assert_eq!(next_error(&mut device).await.0, ErrorCode::HelloRequired);
    assert_eq!(close_code(&mut device).await, close::PROTOCOL);

    let mut device = Connection::connect_raw(&hub.ws_url(), &options)
        .await
        .unwrap();
    device.send_raw_text("hello?").await.unwrap();
    assert_eq!(next_error(&mut device).await.0, ErrorCode::BadMessage);
    assert_eq!(close_code(&mut device).await, close::PROTOCOL);
}

#[tokio::test]
async fn sockets_that_never_say_hello_are_closed_at_the_deadline() {
    // Reliability S4, at 500 sockets opened at once: each is closed on its own deadline
    // and the hub holds none of them afterwards.
    const SOCKETS: usize = 500;
    let hub = TestHub::start_with(|config| config.limits.hello_deadline_ms = 300).await;
    let closed = futures_util::future::join_all((0..SOCKETS).map(|_| async {
        let opened = Instant::now();
        let mut device = Connection::connect_raw(&hub.ws_url(), &ConnectOptions::new(""))
            .await
            .unwrap();
        (close_code(&mut device).await, opened.elapsed())
    }))
    .await;
    for (code, waited) in closed {
        assert_eq!(code, close::POLICY);
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
            "closed after {waited:?}, the deadline is 300 ms"
        );
    }
    super::support::connections_settle(&hub, 0).await;
}

#[tokio::test]
async fn a_hello_with_only_unsupported_versions_is_refused() {
    let hub = TestHub::start().await;
    let token = hub.admin_token().await;
    // The handshake offers quorum.v1; the hello offers only versions the hub lacks.
    let options = ConnectOptions {
        versions: vec![0, 99],
        subprotocols: Some(vec!["quorum.v1".to_owned()]),
        ..ConnectOptions::new(&token)
    };
    match Connection::connect(&hub.ws_url(), &options).await {
        Err(ClientError::Refused { code, close, .. }) => {
            assert_eq!(code, ErrorCode::UnsupportedVersion);
            assert_eq!(close.map(|close| close.code), Some(close::PROTOCOL));
        }
        other => panic!("expected a refused hello, got {other:?}"),
    }
    // Offering only foreign subprotocols is refused at the handshake already.
    let options = ConnectOptions {
        versions: vec![99],
        ..ConnectOptions::new(&token)
    };
    match Connection::connect(&hub.ws_url(), &options).await {
        Err(ClientError::Handshake { status, .. }) => assert_eq!(status, 400),
        other => panic!("expected a refused handshake, got {other:?}"),
    }
}

#[tokio::test]
async fn a_flood_is_rate_limited_then_closed_while_other_connections_go_on() {
    let strikes = 10;
    let hub = TestHub::start_with(|config| {
        config.limits.messages_per_second = 5;
        config.limits.message_burst = 5;
        config.limits.rate_strikes = strikes;
    })
    .await;
    let token = hub.admin_token().await;
    let (mut flooder, welcome) = hub.connect(&token).await;
    assert_eq!(welcome.limits.commands_per_second, 5);
    let (mut neighbour, _) = hub.connect(&token).await;

    for _ in 0..30 {
        flooder.send_ping().await.unwrap();
    }
    // Another connection of the same session keeps its own budget meanwhile (five
    // messages in all, its burst: a sixth this soon would be limited too).
    for _ in 0..4 {
        let round_trip = neighbour.ping().await.unwrap();
        assert!(
            round_trip < Duration::from_secs(1),
            "slow pong: {round_trip:?}"
        );
    }

    let (mut pongs, mut limited) = (0u32, 0u32);
    let code = loop {
        match flooder.next_message(WAIT).await {
            Ok(ServerMessage::Pong { .. }) => pongs += 1,
            Ok(ServerMessage::Error {
                code: ErrorCode::RateLimited,
                retryable,
                retry_after_ms,
                ..
            }) => {
                assert!(retryable);
                let wait = retry_after_ms.expect("rate_limited says when to retry");
                assert!((1..=1_000).contains(&wait), "retry after {wait} ms");
                limited += 1;
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(error) => {
                break error
                    .close_code()
                    .unwrap_or_else(|| panic!("the flooder failed: {error}"));
            }
        }
    };
    assert_eq!(code, close::RATE_LIMIT);
    assert!(pongs >= 5, "the burst is served: {pongs} pongs");
    assert!(limited >= strikes, "{limited} rate_limited errors");
    assert!(
        pongs + limited < 30,
        "the hub stopped reading at the last strike"
    );
    neighbour.ping().await.unwrap();
}

#[tokio::test]
async fn a_device_that_stops_reading_is_disconnected_and_others_are_not() {
    let hub = TestHub::start_with(|config| {
        config.limits.outbound_queue = 8;
        config.limits.write_timeout_ms = 300;
        config.limits.messages_per_second = 10_000;
        config.limits.message_burst = 10_000;
    })
    .await;
    let meeting = hub.meeting("hop-cham", 2).await;
    // A large agenda, so that every change to it is a large update.
    for n in 0..16 {
        hub.run(
            &meeting.id,
            actor(&meeting.secretary),
            MeetingCommand::AddItem {
                item: ItemId::new(format!("muc-{n}")).unwrap(),
                title: format!("Mục {n}"),
                description: "Nội dung chi tiết. ".repeat(700),
                position: None,
            },
        )
        .await;
    }
    let (mut slow, _) = hub
        .connect(&hub.member_token(&meeting.delegates[0]).await)
        .await;
    slow.subscribe(&meeting.id, None).await.unwrap();
    let (mut chair, _) = hub.connect(&hub.member_token(&meeting.chair).await).await;
    chair.subscribe(&meeting.id, None).await.unwrap();
    assert_eq!(hub.hub.open_connections(), 2);

    // The chair edits an item over and over; `slow` never reads again.
    let item = ItemId::new("muc-0").unwrap();
    let started = Instant::now();
    let (mut last_ack, mut last_update, mut edits) = (0, 0, 0);
    // The hub writes a batch in one system call, so the kernel's buffers (tens of MB on
    // loopback) fill before the device is found slow and its close lingers: bounded by
    // time, not by a number of edits.
    while hub.hub.open_connections() > 1 {
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "the slow device is still connected after {edits} updates"
        );
        let outcome = chair
            .command(
                &meeting.id,
                MeetingCommand::UpdateItem {
                    item: item.clone(),
                    title: format!("Mục 0 (sửa lần {edits})"),
                    description: "Nội dung chi tiết. ".repeat(700),
                },
            )
            .await
            .unwrap();
        last_ack = outcome.acked_seq().expect("the chair's edit is accepted");
        edits += 1;
        while chair.buffered() > 0 {
            if let ServerMessage::Update { seq, .. } = chair.next_message(WAIT).await.unwrap() {
                last_update = seq;
            }
        }
    }
    // The chair saw every update, and is still served.
    assert_eq!(last_update, last_ack);
    chair.ping().await.unwrap();

    // The slow device finds its connection ended: with 4000 if the close frame got
    // through once it reads again, else without one.
    let code = close_code(&mut slow).await;
    assert!(
        code == close::SLOW_CONSUMER || code == quorum_client::CLOSE_ABNORMAL,
        "closed with {code}"
    );
}

#[tokio::test]
async fn commands_for_a_meeting_one_is_not_part_of_are_refused_and_change_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let own = hub.meeting("hop-mot", 2).await;
    let other = hub.meeting("hop-hai", 0).await;
    let delegate = &own.delegates[0];
    let (mut device, _) = hub.connect(&hub.member_token(delegate).await).await;
    let before = admin_view(&hub, &admin, &other.id).await.seq;

    let poll = PollId::new("bq-1").unwrap();
    for command in [
        check_in(None),
        check_in(Some(other.chair.clone())),
        MeetingCommand::OpenPoll {
            poll: poll.clone(),
            deadline: None,
            override_quorum: true,
        },
        MeetingCommand::CloseMeeting,
        MeetingCommand::CastBallot {
            poll,
            round: 1,
            ballot: quorum_client::random_id().unwrap(),
            seat: None,
            answers: vec![quorum_domain::poll::question::Selection(vec![0])],
            replaces: None,
        },
    ] {
        match device.command(&other.id, command.clone()).await.unwrap() {
            CommandOutcome::Rejected { code, .. } => assert!(
                matches!(
                    code,
                    RejectionCode::NotAParticipant | RejectionCode::NotPermitted
                ),
                "{command:?} refused with {code:?}"
            ),
            outcome => panic!("{command:?} for another meeting: {outcome:?}"),
        }
    }
    match device.subscribe(&other.id, None).await {
        Err(ClientError::Server { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("subscribed to another meeting: {other:?}"),
    }
    let unknown = MeetingId::new("khong-co").unwrap();
    assert!(matches!(
        device.command(&unknown, check_in(None)).await.unwrap(),
        CommandOutcome::Failed {
            code: ErrorCode::MeetingNotFound,
            ..
        }
    ));
    assert_eq!(admin_view(&hub, &admin, &other.id).await.seq, before);
    // The same device still acts in its own meeting.
    assert!(
        device
            .command(&own.id, check_in(None))
            .await
            .unwrap()
            .acked_seq()
            .is_some()
    );
}

#[tokio::test]
async fn a_replayed_request_id_gets_the_first_answer_and_appends_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let meeting = hub.meeting("hop-lap", 2).await;
    let (mut device, _) = hub
        .connect(&hub.member_token(&meeting.delegates[0]).await)
        .await;

    let checked_in = new_request_id().unwrap();
    let first = device
        .command_with_request(checked_in.clone(), &meeting.id, check_in(None))
        .await
        .unwrap();
    let first_seq = first.acked_seq().expect("check-in accepted");
    let checked_out = device
        .command(&meeting.id, MeetingCommand::CheckOut { member: None })
        .await
        .unwrap();
    let head = checked_out.acked_seq().expect("check-out accepted");
    assert_eq!(head, first_seq + 1);

    // The check-in again, under its old id: the old ack, and the delegate stays out.
    let replay = device
        .command_with_request(checked_in, &meeting.id, check_in(None))
        .await
        .unwrap();
    assert_eq!(replay, first);
    let view = admin_view(&hub, &admin, &meeting.id).await;
    assert_eq!(view.seq, head);
    let delegate = view
        .participants
        .iter()
        .find(|participant| participant.member == meeting.delegates[0])
        .unwrap();
    assert_eq!(
        delegate.attendance,
        Some(Attendance::Absent),
        "the replay did not check the delegate in again"
    );

    // A refusal replays as the same refusal.
    let refused = new_request_id().unwrap();
    let close_poll = MeetingCommand::ClosePoll {
        poll: PollId::new("bq-1").unwrap(),
    };
    let first = device
        .command_with_request(refused.clone(), &meeting.id, close_poll.clone())
        .await
        .unwrap();
    assert!(matches!(
        first,
        CommandOutcome::Rejected {
            code: RejectionCode::NotPermitted,
            ..
        }
    ));
    let replay = device
        .command_with_request(refused, &meeting.id, close_poll)
        .await
        .unwrap();
    assert_eq!(replay, first);
    assert_eq!(admin_view(&hub, &admin, &meeting.id).await.seq, head);
}

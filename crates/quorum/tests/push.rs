//! Web Push against an independent receiver: `push/receiver.mjs` (node:crypto, written
//! apart from the hub) plays the push service and the browser. The hub's VAPID
//! signature must verify there and its encrypted message must decrypt to what was sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::process::Stdio;
use std::sync::Arc;

use quorum_gateway::push::{Subscription, Vapid};
use quorum_store::{SqliteLog, SqliteOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The receiver, started with node; its first line is the browser's subscription.
pub(crate) struct Receiver {
    _child: Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    pub(crate) subscription: Subscription,
}

impl Receiver {
    pub(crate) async fn start(fail_first: u32) -> Receiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push/receiver.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(fail_first.to_string())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the push receiver (install Node.js, as `cargo xtask browser-deps` expects)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines
            .next_line()
            .await
            .unwrap()
            .expect("the receiver starts");
        Receiver {
            _child: child,
            lines,
            subscription: serde_json::from_str(&first).unwrap(),
        }
    }

    /// The next request the receiver got, as it judged it.
    pub(crate) async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("a push request within 20 s")
            .unwrap()
            .expect("the receiver is running");
        serde_json::from_str(&line).unwrap()
    }
}

/// POSTs a prepared push request over plain HTTP/1.1; returns the status.
async fn post(request: &quorum_gateway::push::PushRequest) -> u16 {
    let rest = request.endpoint.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).await.unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", request.body.len()));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&request.body).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_independent_receiver_verifies_the_signature_and_decrypts_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let log =
        Arc::new(SqliteLog::open(&dir.path().join("quorum.db"), SqliteOptions::default()).unwrap());
    let vapid = Vapid::load_or_create(log.as_ref(), "mailto:it@so-tttt.example.vn")
        .await
        .unwrap();
    let mut receiver = Receiver::start(0).await;
    let message = json!({
        "title": "Họp khẩn: ứng phó bão số 9",
        "body": "Chủ tịch UBND tỉnh triệu tập họp khẩn lúc 14:00. Tham gia ngay.",
        "url": "/app#meeting=hop-khan-bao-so-9",
        "urgent": true,
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let request = vapid
        .request(
            &receiver.subscription,
            message.to_string().as_bytes(),
            3600,
            true,
            i64::try_from(now).unwrap(),
        )
        .unwrap();
    assert_eq!(post(&request).await, 201);
    let got = receiver.next().await;
    assert_eq!(got["error"], Value::Null, "{got}");
    assert_eq!(got["message"], message);
    assert_eq!(got["vapid"]["key"], vapid.public_key());
    assert_eq!(got["vapid"]["sub"], "mailto:it@so-tttt.example.vn");
    assert_eq!(got["urgency"], "high");
    assert_eq!(got["ttl"], 3600);

    // Sent to another browser's keys, the same receiver cannot read it.
    let mut other = Receiver::start(0).await;
    let mut crossed = other.subscription.clone();
    crossed.keys = receiver.subscription.keys.clone();
    let request = vapid
        .request(&crossed, b"{}", 60, false, i64::try_from(now).unwrap())
        .unwrap();
    assert_eq!(post(&request).await, 400);
    let refused = other.next().await;
    assert!(
        refused["error"].as_str().unwrap().contains("auth"),
        "{refused}"
    );
}

/// The whole path: a member subscribes over the REST API, the chair convenes an urgent
/// meeting and raises its alert, and the outbox pushes it to the member's browser; the
/// push service fails the first attempt, and the retry is recorded and delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_alert_reaches_a_subscribed_browser_through_the_outbox_with_a_retry() {
    use quorum_domain::meeting::roster::Invitee;
    use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
    use quorum_domain::{Actor, CreateMeeting, MeetingCommand, MeetingId, MemberId, Role};
    use quorum_gateway::access::Grant;
    use quorum_gateway::outbox::Outbox;
    use quorum_gateway::{Bound, GatewayConfig, Hub};
    use quorum_store::BlobStore;

    let dir = tempfile::tempdir().unwrap();
    let mut config = GatewayConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data: dir.path().to_owned(),
        ..GatewayConfig::default()
    };
    config.outbox.backoff_initial_ms = 200;
    config.outbox.backoff_cap_ms = 400;
    config.outbox.poll_ms = 100;
    let log = SqliteLog::open(&dir.path().join("quorum.db"), SqliteOptions::default()).unwrap();
    let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();
    let hub = Hub::open(config, Arc::new(log), blobs).await.unwrap();
    let bound = Bound::bind(hub.clone()).await.unwrap();
    let base = format!("http://{}", bound.local_addr().unwrap());
    tokio::spawn(async move { bound.serve(std::future::pending()).await.unwrap() });
    let outbox = Outbox::start(hub.clone()).await.unwrap();

    // The member's browser subscribes, as push.js does, through the REST API.
    let member = MemberId::new("pho-chu-tich").unwrap();
    let mut receiver = Receiver::start(1).await;
    let (code, _) = hub
        .issue_code(Grant::Member {
            member: member.clone(),
        })
        .await
        .unwrap();
    let http = quorum_client::Http::new(&base).unwrap();
    let token = http.redeem(code.expose()).await.unwrap().token;
    let key: Value = http.get_json("/api/push/key", Some(&token)).await.unwrap();
    assert_eq!(key["public_key"], hub.push().public_key());
    let (): () = http
        .post_json(
            "/api/push/subscriptions",
            Some(&token),
            &serde_json::to_value(&receiver.subscription).unwrap(),
        )
        .await
        .unwrap();

    // An urgent meeting is convened with the member in it, and its alert raised.
    let meeting = MeetingId::new("hop-khan-lu-lut").unwrap();
    hub.create_meeting_as(
        Actor::Admin,
        None,
        meeting.clone(),
        CreateMeeting {
            details: MeetingDetails {
                title: "Ứng phó lũ lụt khẩn cấp".into(),
                kind: MeetingKind::Urgent,
                location: "Trực tuyến".into(),
                scheduled_at: quorum_gateway::clock::now(),
            },
            settings: MeetingSettings::default(),
        },
    )
    .await
    .unwrap();
    for command in [
        MeetingCommand::Invite {
            invitees: vec![Invitee {
                member: member.clone(),
                name: "Phó Chủ tịch UBND tỉnh".into(),
                position: String::new(),
                unit: None,
                unit_name: "UBND tỉnh".into(),
                role: Role::Chair,
                voting_right: true,
                weight: 1,
                groups: Vec::new(),
            }],
            group: None,
        },
        MeetingCommand::RaiseAlert {
            message: "Lũ trên sông Hồng vượt báo động 3. Họp trực tuyến ngay.".into(),
        },
    ] {
        let outcome = hub.execute(&meeting, Actor::Admin, command).await.unwrap();
        assert!(
            matches!(outcome, quorum_gateway::room::CommandOutcome::Acked { .. }),
            "{outcome:?}"
        );
    }

    let first = receiver.next().await;
    assert_eq!(first["error"], Value::Null, "{first}");
    assert_eq!(
        first["status"], 500,
        "the push service fails the first attempt"
    );
    let second = receiver.next().await;
    assert_eq!(second["status"], 201, "{second}");
    assert_eq!(second["urgency"], "high");
    let message = &second["message"];
    assert_eq!(message["title"], "HỌP KHẨN: Ứng phó lũ lụt khẩn cấp");
    assert_eq!(
        message["body"],
        "Lũ trên sông Hồng vượt báo động 3. Họp trực tuyến ngay."
    );
    assert_eq!(message["url"], "/app#meeting=hop-khan-lu-lut");
    assert_eq!(message["urgent"], true);

    // The secretary's list shows the notice delivered after a failed attempt.
    let admin = {
        hub.first_start().await.unwrap();
        let (code, _) = hub
            .issue_code(Grant::Account {
                login: "admin".into(),
            })
            .await
            .unwrap();
        http.redeem(code.expose()).await.unwrap().token
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let notices: Value = http
            .get_json(&format!("/api/meetings/{meeting}/notices"), Some(&admin))
            .await
            .unwrap();
        let push = notices
            .as_array()
            .unwrap()
            .iter()
            .find(|notice| notice["channel"] == "push")
            .cloned()
            .unwrap_or(Value::Null);
        if push["state"]["state"] == "delivered" {
            assert_eq!(push["member"], "pho-chu-tich");
            let attempts = push["attempts"].as_array().unwrap();
            assert_eq!(attempts.len(), 2, "{push}");
            assert!(
                attempts[0]["error"].as_str().unwrap().contains("500"),
                "{push}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not delivered: {notices}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    outbox.stop().await;
}

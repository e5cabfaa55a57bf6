//! Who gets in and what they may do: origins, forged, expired and revoked sessions,
//! one-time codes, and credentials kept out of logs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use quorum_client::{ClientError, ConnectOptions, Connection};
use quorum_domain::{Millis, Timestamp};
use quorum_gateway::access::{Grant, HUB_STREAM, HubEvent};
use quorum_gateway::close;
use quorum_gateway::token::{Secret, SecretKind};
use quorum_protocol::{ErrorCode, SessionInfo};
use quorum_store::{Append, EventLog as _, SqliteLog, SqliteOptions};
use tokio::time::Instant;

use super::support::{TestHub, close_code, log_released, member};

/// Opens a device with these options; the hub must refuse it at the handshake.
async fn refused_handshake(hub: &TestHub, options: &ConnectOptions) -> u16 {
    match Connection::connect(&hub.ws_url(), options).await {
        Err(ClientError::Handshake { status, .. }) => status,
        other => panic!(
            "origin {:?} was not refused at the handshake: {other:?}",
            options.origin
        ),
    }
}

/// Signs in with `token`; the hub must refuse the hello as unauthenticated and close
/// with 4003.
async fn refused_hello(hub: &TestHub, token: &str) {
    match Connection::connect(&hub.ws_url(), &ConnectOptions::new(token)).await {
        Err(ClientError::Refused { code, close, .. }) => {
            assert_eq!(code, ErrorCode::Unauthenticated, "token {token:?}");
            assert_eq!(
                close.map(|close| close.code),
                Some(close::UNAUTHENTICATED),
                "token {token:?}"
            );
        }
        other => panic!("token {token:?} was not refused: {other:?}"),
    }
}

/// The HTTP status of a failed call.
fn status<T: std::fmt::Debug>(result: Result<T, ClientError>) -> u16 {
    match result {
        Err(ClientError::Http { status, .. }) => status,
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

/// Who `token` signs in, over HTTP.
async fn whoami(hub: &TestHub, token: &str) -> Result<SessionInfo, ClientError> {
    hub.http().get_json("/api/session", Some(token)).await
}

/// A random token of the right shape that the hub never issued, with this prefix.
fn forged(prefix: &str) -> String {
    let secret = Secret::generate(SecretKind::Session).unwrap();
    format!("{prefix}{}", &secret.expose()[3..])
}

#[tokio::test]
async fn foreign_null_and_look_alike_origins_are_refused_before_the_upgrade() {
    let hub = TestHub::start_with(|config| {
        config.allowed_origins = vec!["https://hop.tinh.gov.vn".to_owned()];
    })
    .await;
    let token = hub.admin_token().await;
    let port = hub.address.port();
    for origin in [
        "https://evil.example".to_owned(),
        "null".to_owned(),
        format!("http://127.0.0.1:{port}.evil.example"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("https://127.0.0.1:{port}"),
        "http://127.0.0.1".to_owned(),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}/"),
        "http://hop.tinh.gov.vn".to_owned(),
        "https://hop.tinh.gov.vn.evil.example".to_owned(),
        "https://evil.example/https://hop.tinh.gov.vn".to_owned(),
    ] {
        let options = ConnectOptions::new(&token).with_origin(origin);
        assert_eq!(refused_handshake(&hub, &options).await, 403);
    }
    assert_eq!(hub.hub.open_connections(), 0, "nothing was upgraded");
}

#[tokio::test]
async fn the_hubs_own_origin_and_allowed_origins_are_accepted() {
    let hub = TestHub::start_with(|config| {
        config.allowed_origins = vec!["https://hop.tinh.gov.vn".to_owned()];
    })
    .await;
    let token = hub.admin_token().await;
    let port = hub.address.port();
    for origin in [
        format!("http://127.0.0.1:{port}"),
        "https://hop.tinh.gov.vn".to_owned(),
        "HTTPS://HOP.TINH.GOV.VN".to_owned(),
    ] {
        let options = ConnectOptions::new(&token).with_origin(&origin);
        let (mut device, welcome) = Connection::connect(&hub.ws_url(), &options)
            .await
            .unwrap_or_else(|error| panic!("origin {origin} refused: {error}"));
        assert!(welcome.session.admin);
        device.ping().await.unwrap();
    }
}

#[tokio::test]
async fn a_handshake_without_origin_is_refused_when_one_is_required() {
    let hub = TestHub::start_with(|config| config.allow_missing_origin = false).await;
    let token = hub.admin_token().await;
    assert_eq!(
        refused_handshake(&hub, &ConnectOptions::new(&token)).await,
        403
    );
    let own = format!("http://127.0.0.1:{}", hub.address.port());
    let options = ConnectOptions::new(&token).with_origin(own);
    Connection::connect(&hub.ws_url(), &options).await.unwrap();
}

#[tokio::test]
async fn forged_tokens_are_refused_with_4003() {
    let hub = TestHub::start().await;
    let token = hub.admin_token().await;
    let (code, _) = hub
        .hub
        .issue_code(Grant::Account {
            login: "admin".into(),
        })
        .await
        .unwrap();
    let mut tampered = token.clone();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(tampered.len() - 1.., last);
    let forgeries = [
        forged("qs_"),
        forged("qx_"),
        forged("QS_"),
        format!("{}x", forged("qs_")),
        forged("qs_")[..45].to_owned(),
        tampered,
        format!(" {token}"),
        format!("Bearer {token}"),
        token.replace("qs_", "qc_"),
        code.expose().to_owned(),
        "xin chào".to_owned(),
        "qs_".to_owned(),
        String::new(),
    ];
    for forgery in &forgeries {
        refused_hello(&hub, forgery).await;
        if !forgery.is_empty() && !forgery.starts_with(' ') {
            assert_eq!(status(whoami(&hub, forgery).await), 401, "{forgery:?}");
        }
    }
    // A session token is no code either, and a refused code was not spent.
    assert_eq!(status(hub.http().redeem(&token).await), 401);
    hub.http().redeem(code.expose()).await.unwrap();
    // The real token still works.
    hub.connect(&token).await;
    assert!(whoami(&hub, &token).await.unwrap().admin);
}

/// Sessions and codes as if issued long ago: written to the hub's log while it is
/// stopped, as the hub itself would have written them, then replayed by a restart.
#[tokio::test]
async fn expired_sessions_and_codes_are_refused() {
    let hub = TestHub::start().await;
    hub.admin_token().await;
    let dir = hub.stop().await;
    log_released(dir.path()).await;

    let now = quorum_gateway::clock::now();
    let past = Timestamp(now.0 - 60_000);
    let soon = now.after(Millis(1_500));
    let expired = Secret::generate(SecretKind::Session).unwrap();
    let expiring = Secret::generate(SecretKind::Session).unwrap();
    let stale_code = Secret::generate(SecretKind::Code).unwrap();
    let grant = Grant::Member {
        member: member("db-001"),
    };
    let events = [
        HubEvent::SessionOpened {
            session: expired.digest(),
            grant: grant.clone(),
            expires_at: past,
        },
        HubEvent::SessionOpened {
            session: expiring.digest(),
            grant: grant.clone(),
            expires_at: soon,
        },
        HubEvent::CodeIssued {
            code: stale_code.digest(),
            grant,
            expires_at: past,
        },
    ];
    let log = SqliteLog::open(&dir.path().join("quorum.db"), SqliteOptions::default()).unwrap();
    let after = log.head(HUB_STREAM).await.unwrap();
    let records = (after + 1..)
        .zip(&events)
        .map(|(seq, event)| quorum_gateway::journal::encode_hub(seq, past, event).unwrap())
        .collect();
    log.append(Append {
        stream: HUB_STREAM.to_owned(),
        after,
        records,
    })
    .await
    .unwrap();
    log.close().await.unwrap();
    let hub = TestHub::start_in(dir, |_| {}).await;

    refused_hello(&hub, expired.expose()).await;
    assert_eq!(status(whoami(&hub, expired.expose()).await), 401);
    assert_eq!(status(hub.http().redeem(stale_code.expose()).await), 401);

    // A session that expires while its device is connected: the next message after
    // the expiry closes the connection.
    let (mut device, welcome) = hub.connect(expiring.expose()).await;
    assert_eq!(welcome.session.expires_at, Some(soon));
    device.ping().await.unwrap();
    // The expiry is on the wall clock: waiting for it to pass is the event under test.
    let left = soon.since(quorum_gateway::clock::now());
    tokio::time::sleep(Duration::from_millis(left.0 + 50)).await;
    device.send_ping().await.unwrap();
    assert_eq!(close_code(&mut device).await, close::UNAUTHENTICATED);
    refused_hello(&hub, expiring.expose()).await;
}

#[tokio::test]
async fn a_revoked_session_is_refused_and_its_open_socket_closed_within_a_second() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-thu-hoi", 1).await;
    let delegate = &meeting.delegates[0];
    let revoked = hub.member_token(delegate).await;
    let other = hub.member_token(delegate).await;
    let (mut device, _) = hub.connect(&revoked).await;
    device.subscribe(&meeting.id, None).await.unwrap();
    let (mut phone, _) = hub.connect(&other).await;
    phone.subscribe(&meeting.id, None).await.unwrap();

    let revoking = Instant::now();
    hub.http().revoke(&revoked).await.unwrap();
    assert_eq!(close_code(&mut device).await, close::UNAUTHENTICATED);
    let took = revoking.elapsed();
    assert!(took < Duration::from_secs(1), "closed after {took:?}");

    refused_hello(&hub, &revoked).await;
    assert_eq!(status(whoami(&hub, &revoked).await), 401);
    assert_eq!(status(hub.http().revoke(&revoked).await), 401);
    // The member's other session is untouched.
    phone.ping().await.unwrap();
    assert_eq!(
        whoami(&hub, &other).await.unwrap().member.as_ref(),
        Some(delegate)
    );
}

#[tokio::test]
async fn a_one_time_code_works_once() {
    let hub = TestHub::start().await;
    let (code, _) = hub
        .hub
        .issue_code(Grant::Member {
            member: member("db-001"),
        })
        .await
        .unwrap();
    let session = hub.http().redeem(code.expose()).await.unwrap();
    assert_eq!(session.session.member, Some(member("db-001")));
    assert_eq!(status(hub.http().redeem(code.expose()).await), 401);
    // The first session is not affected by the second attempt.
    let (_, welcome) = hub.connect(&session.token).await;
    assert_eq!(welcome.session.member, Some(member("db-001")));
}

/// Log lines captured from everything that runs on the test's thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The test runs on tokio's current-thread runtime, so the hub's tasks log through the
/// subscriber set for this thread.
#[tokio::test]
async fn no_credential_appears_in_the_logs_when_sign_ins_fail() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    hub.hub
        .create_account(
            "thu-ky-so",
            "Thư ký",
            false,
            None,
            Some("mat-khau-dung-2026"),
        )
        .await
        .unwrap();
    let password = hub
        .http()
        .login("thu-ky-so", "mat-khau-dung-2026")
        .await
        .unwrap();
    let wrong_password = "mat-khau-sai-9999";
    assert_eq!(
        status(hub.http().login("thu-ky-so", wrong_password).await),
        401
    );
    let (code, _) = hub
        .hub
        .issue_code(Grant::Member {
            member: member("db-001"),
        })
        .await
        .unwrap();
    let code = code.expose().to_owned();
    let session = hub.http().redeem(&code).await.unwrap().token;
    let forgery = forged("qs_");

    assert_eq!(status(hub.http().redeem(&code).await), 401);
    assert_eq!(status(hub.http().redeem(&session).await), 401);
    refused_hello(&hub, &forgery).await;
    refused_hello(&hub, &code).await;
    hub.http().revoke(&session).await.unwrap();
    refused_hello(&hub, &session).await;
    assert_eq!(status(whoami(&hub, &session).await), 401);
    assert_eq!(status(whoami(&hub, &forgery).await), 401);
    let options = ConnectOptions::new(&admin).with_origin("https://evil.example");
    assert_eq!(refused_handshake(&hub, &options).await, 403);
    drop(hub);

    let logs = captured.text();
    assert!(
        logs.contains("websocket origin refused"),
        "the capture works: {logs}"
    );
    for secret in [
        &admin,
        &password.token,
        &session,
        &code,
        &forgery,
        "mat-khau-dung-2026",
        wrong_password,
    ] {
        // The random part alone, so that a log that drops the prefix is caught too.
        let body = secret.get(3..).unwrap_or(secret);
        assert!(!logs.contains(body), "{secret:?} appears in the logs");
    }
}

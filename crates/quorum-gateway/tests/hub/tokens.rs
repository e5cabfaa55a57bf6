//! Reliability S2 at scale: forged, expired, revoked and other-meeting session tokens
//! (1,000 in the test command, 10,000 with `QUORUM_FULL_SCALE=1`), each presented on
//! the WebSocket `hello` and on the REST API. None opens anything, each is refused with
//! the documented error, and no line the hub logs, at any level, holds a token, its
//! random part or the full hex of its digest.

mod forged;
mod logs;
mod sessions;

use std::collections::HashSet;

use axum::http::Method;
use futures_util::StreamExt as _;
use quorum_client::{ClientError, CommandOutcome, ConnectOptions, Connection};
use quorum_domain::{MeetingCommand, MeetingId, MeetingView, PollId, RejectionCode};
use quorum_gateway::access::Grant;
use quorum_gateway::close;
use quorum_protocol::ErrorCode;
use tokio::time::Instant;

use super::support::{TestHub, actor, ballot};

/// Tokens presented: 1,000 in the test command; 10,000, as the reliability document
/// asks, with `QUORUM_FULL_SCALE=1`. A quarter of each kind.
fn scale() -> usize {
    if std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1") {
        10_000
    } else {
        1_000
    }
}

/// Tokens presented at once.
const IN_FLIGHT: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Forged,
    Expired,
    Revoked,
    OtherMeeting,
}

/// A token as presented, and the part of it that is secret.
struct Presented {
    kind: Kind,
    token: String,
    /// The random characters in it, which no log line may hold.
    secret: Option<String>,
    /// A projector's session (of the other meeting): it may not act anywhere.
    projector: bool,
}

impl Presented {
    /// A token the hub issued (or would have): its random part is all but the prefix.
    fn real(kind: Kind, token: &str, grant: &Grant) -> Presented {
        Presented {
            kind,
            token: token.to_owned(),
            secret: token.get(3..).map(str::to_owned),
            projector: matches!(grant, Grant::Projector { .. }),
        }
    }
}

#[test]
#[allow(
    clippy::print_stderr,
    reason = "the test reports its scale and timings"
)]
fn bad_tokens_open_nothing_and_no_log_line_holds_one() {
    let (logs, needles, took) = logs::captured(present_every_kind);
    assert!(
        logs.contains("websocket origin refused"),
        "the capture sees the hub"
    );
    let scanning = Instant::now();
    let found = logs::leaked(&logs, &needles);
    let count = found.len();
    assert!(
        count == 0,
        "{count} secrets in the logs, such as {:?}",
        found.first()
    );
    let lines = logs.lines().count();
    eprintln!(
        "S2: {} tokens presented and refused in {took:?}; {lines} log lines ({} bytes) \
         scanned for {} secrets in {:?}",
        scale(),
        logs.len(),
        needles.len(),
        scanning.elapsed()
    );
}

/// Sets up two meetings, makes a quarter of `scale()` tokens of each kind, presents
/// each, and returns every secret the logs must not hold.
#[allow(clippy::print_stderr, reason = "the test reports its timings")]
async fn present_every_kind() -> HashSet<String> {
    let setting_up = Instant::now();
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let own = hub.meeting("s2-hop", 2).await;
    let poll = PollId::new("bq-1").unwrap();
    let open = MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: true,
    };
    hub.run(&own.id, actor(&own.chair), open).await;
    let each = scale() / 4;
    let elsewhere = sessions::other_meeting(&hub, each).await;
    let before = view(&hub, &own.id, &admin).await.seq;

    // Sessions that would open the meeting, were they valid.
    let grants = [
        Grant::Member {
            member: own.delegates[0].clone(),
        },
        Grant::Member {
            member: own.chair.clone(),
        },
        Grant::Projector {
            meeting: own.id.clone(),
        },
        Grant::Account {
            login: "admin".into(),
        },
    ];
    let grants: Vec<Grant> = grants.iter().cycle().take(each).cloned().collect();
    let mut tokens: Vec<Presented> = (0..each).map(|n| forged::token(n, &admin)).collect();
    let (expired, valid) = sessions::expired(&hub, &grants).await;
    tokens.extend(expired);
    let revoked = sessions::live(&hub, Kind::Revoked, &grants).await;
    let http = hub.http();
    futures_util::stream::iter(&revoked)
        .for_each_concurrent(8, |token| {
            let http = http.clone();
            async move { http.revoke(&token.token).await.unwrap() }
        })
        .await;
    tokens.extend(revoked);
    tokens.extend(sessions::live(&hub, Kind::OtherMeeting, &elsewhere).await);
    let set_up = setting_up.elapsed();

    // Callsites another test reached while this one was registering its capture.
    tracing::callsite::rebuild_interest_cache();
    let presenting = Instant::now();
    let refusals: Vec<Result<(), String>> = futures_util::stream::iter(&tokens)
        .map(|token| present(&hub, &own.id, &poll, token))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let took = presenting.elapsed();
    let wrong: Vec<&String> = refusals.iter().filter_map(|r| r.as_ref().err()).collect();
    let kinds = [
        Kind::Forged,
        Kind::Expired,
        Kind::Revoked,
        Kind::OtherMeeting,
    ];
    let by_kind = kinds.map(|kind| {
        let named = format!("{kind:?} ");
        (kind, wrong.iter().filter(|w| w.starts_with(&named)).count())
    });
    let count = wrong.len();
    assert!(
        count == 0,
        "{count} not refused as documented {by_kind:?}, such as {:?}",
        wrong.first()
    );
    let after = view(&hub, &own.id, &admin).await.seq;
    assert_eq!(after, before, "the meeting changed");
    // A refused origin is logged: the control that the capture sees the hub.
    let foreign = ConnectOptions::new(&admin).with_origin("https://evil.example");
    assert!(Connection::connect(&hub.ws_url(), &foreign).await.is_err());
    hub.stop().await;
    let presented = tokens.len();
    eprintln!("S2: set up {presented} tokens in {set_up:?}; presented them in {took:?}");

    let admin = Presented::real(Kind::Forged, &admin, &grants[0]);
    let valid = Presented::real(Kind::Expired, &valid, &grants[0]);
    logs::needles(tokens.iter().chain([&admin, &valid]))
}

/// Presents `token` on the WebSocket and, where it can travel in a header, on REST;
/// says how it was not refused as documented, if it was not.
async fn present(
    hub: &TestHub,
    meeting: &MeetingId,
    poll: &PollId,
    token: &Presented,
) -> Result<(), String> {
    let options = ConnectOptions::new(&token.token);
    let connected = Connection::connect(&hub.ws_url(), &options).await;
    let describe = |what: &str, got: &dyn std::fmt::Debug| {
        let kind = token.kind;
        Err(format!(
            "{kind:?} {:?}: {what} answered {got:?}",
            token.token
        ))
    };
    if token.kind == Kind::OtherMeeting {
        let Ok((mut device, _)) = connected else {
            return describe("hello", &connected.err());
        };
        let subscribed = device.subscribe(meeting, None).await;
        if subscribed.as_ref().err().and_then(ClientError::error_code) != Some(ErrorCode::Forbidden)
        {
            return describe("subscribe", &subscribed);
        }
        let outcome = device.command(meeting, ballot(poll, 0)).await;
        let refused = match &outcome {
            Ok(CommandOutcome::Failed { code, .. }) => {
                token.projector && *code == ErrorCode::Forbidden
            }
            Ok(CommandOutcome::Rejected { code, .. }) => {
                !token.projector && *code == RejectionCode::NotAParticipant
            }
            _ => false,
        };
        if !refused {
            return describe("command", &outcome);
        }
    } else {
        let error = connected.as_ref().err();
        let code = error.and_then(ClientError::error_code);
        let closed = error.and_then(ClientError::close_code);
        if (code, closed)
            != (
                Some(ErrorCode::Unauthenticated),
                Some(close::UNAUTHENTICATED),
            )
        {
            return describe("hello", &connected);
        }
    }
    // A header holds visible ASCII and spaces only; the others travel only in `hello`.
    let bytes = token.token.bytes();
    if !bytes
        .clone()
        .all(|byte| byte == b' ' || byte.is_ascii_graphic())
    {
        return Ok(());
    }
    let http = hub.http();
    let path = format!("/api/meetings/{meeting}");
    let shown = http.get_bytes(&path, Some(&token.token)).await;
    let body = serde_json::json!({ "command": ballot(poll, 0) }).to_string();
    let body = Some(("application/json", body.into()));
    let path = format!("{path}/commands");
    let commanded = http.request(Method::POST, &path, Some(&token.token), body);
    let commanded = commanded.await;
    let (expected_view, expected_command) = match (token.kind, token.projector) {
        (Kind::OtherMeeting, false) => ((403, "forbidden"), (422, "not_a_participant")),
        (Kind::OtherMeeting, true) => ((403, "forbidden"), (403, "forbidden")),
        _ => ((401, "unauthenticated"), (401, "unauthenticated")),
    };
    let answers = [
        ("GET", shown, expected_view),
        ("POST command", commanded, expected_command),
    ];
    for (what, response, (status, code)) in answers {
        let got = response.map(|r| (r.status.as_u16(), r.error_code()));
        if got.as_ref().ok() != Some(&(status, Some(code.to_owned()))) {
            return describe(what, &got);
        }
    }
    Ok(())
}

async fn view(hub: &TestHub, meeting: &MeetingId, token: &str) -> MeetingView {
    let path = format!("/api/meetings/{meeting}");
    hub.http().get_json(&path, Some(token)).await.unwrap()
}

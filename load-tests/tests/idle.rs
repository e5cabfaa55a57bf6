//! The `idle` scenario end to end at a small scale: a hub in this process on port 0 with
//! a demo-like meeting, `quorum-load idle` with two worker processes against it, and
//! every connection authenticated, subscribed and still open at the end of the hold.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use quorum_domain::meeting::roster::Invitee;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::{Actor, CreateMeeting, MeetingCommand, MeetingId, MemberId, Role};
use quorum_gateway::access::Grant;
use quorum_gateway::config::LimitsConfig;
use quorum_gateway::room::CommandOutcome;
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{BlobStore, SqliteLog, SqliteOptions};
use serde_json::{Value, json};

const CONNECTIONS: u64 = 200;
const DELEGATES: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_idle_connection_is_authenticated_subscribed_and_kept_alive() {
    let dir = tempfile::tempdir().unwrap();
    // A one-second heartbeat: a connection silent for three seconds is closed, so the
    // four-second hold holds only if the workers ping.
    let hub = start_hub(dir.path(), 1_000).await;
    seed_demo(&hub.0, hub.1, dir.path()).await;
    let out = dir.path().join("results").join("idle-200.json");

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_quorum-load"))
        .args(["idle", "--connections", &CONNECTIONS.to_string()])
        .args(["--per-worker", "100", "--sessions", &DELEGATES.to_string()])
        .args(["--server-pid", &std::process::id().to_string()])
        .arg("--data")
        .arg(dir.path())
        .args(["--hold-secs", "4", "--settle-secs", "0"])
        .arg("--out")
        .arg(&out)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "quorum-load failed:\n{stderr}");
    assert!(stderr.contains("connected 200/200"), "{stderr}");

    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(printed, written);
    assert!(out.with_extension("md").exists());
    let result = written;
    assert_eq!(result["scenario"], "idle");
    assert_eq!(result["connections"], CONNECTIONS);
    assert_eq!(result["connected"], CONNECTIONS, "{result:#}");
    assert_eq!(result["subscribed"], CONNECTIONS, "{result:#}");
    assert_eq!(result["failed"], 0, "{result:#}");
    assert_eq!(result["open_at_end"], CONNECTIONS, "{result:#}");
    assert_eq!(result["workers"], 2);
    assert_eq!(result["sessions"], DELEGATES);
    assert_eq!(result["heartbeat_ms"], 1_000);
    assert!(
        result["pings"].as_u64().unwrap() >= CONNECTIONS,
        "{result:#}"
    );
    assert!(result["rss_baseline_bytes"].as_u64().unwrap() > 0);
    assert!(result["bytes_per_connection"].is_i64());
}

/// A hub serving on a free port of 127.0.0.1 in this process, for as long as the test.
async fn start_hub(data: &Path, heartbeat_ms: u64) -> (Hub, SocketAddr) {
    let config = GatewayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data: data.to_owned(),
        limits: LimitsConfig {
            heartbeat_ms,
            ..LimitsConfig::default()
        },
        ..GatewayConfig::default()
    };
    config.validate().unwrap();
    let log = SqliteLog::open(&data.join("quorum.db"), SqliteOptions::default()).unwrap();
    let blobs = BlobStore::open(&data.join("blobs")).unwrap();
    let hub = Hub::open(config, Arc::new(log), blobs).await.unwrap();
    let bound = Bound::bind(hub.clone()).await.unwrap();
    let address = bound.local_addr().unwrap();
    tokio::spawn(bound.serve(std::future::pending()));
    (hub, address)
}

/// What `quorum serve --demo` does, in small: a meeting `demo` with delegates, and
/// demo.json with a one-time code for each.
async fn seed_demo(hub: &Hub, address: SocketAddr, data: &Path) {
    let meeting = MeetingId::new("demo").unwrap();
    hub.create_meeting_as(
        Actor::Admin,
        None,
        meeting.clone(),
        CreateMeeting {
            details: MeetingDetails {
                title: "Idle load test".into(),
                kind: MeetingKind::Routine,
                location: "Loopback".into(),
                scheduled_at: quorum_gateway::clock::now(),
            },
            settings: MeetingSettings::default(),
        },
    )
    .await
    .unwrap();
    let members: Vec<MemberId> = (1..=DELEGATES)
        .map(|n| MemberId::new(format!("db-{n:02}")).unwrap())
        .collect();
    let invitees = members
        .iter()
        .map(|member| Invitee {
            member: member.clone(),
            name: format!("Delegate {member}"),
            position: String::new(),
            unit: None,
            unit_name: "HĐND".into(),
            role: Role::Delegate,
            voting_right: true,
            weight: 1,
            groups: Vec::new(),
        })
        .collect();
    let outcome = hub
        .execute(
            &meeting,
            Actor::Admin,
            MeetingCommand::Invite {
                invitees,
                group: None,
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome, CommandOutcome::Acked { .. }),
        "{outcome:?}"
    );
    let mut delegates = Vec::new();
    for member in &members {
        let (code, _) = hub
            .issue_code(Grant::Member {
                member: member.clone(),
            })
            .await
            .unwrap();
        delegates.push(json!({ "member": member.as_str(), "code": code.expose() }));
    }
    let url = format!("http://{address}");
    let demo = json!({
        "meeting": "demo",
        "url": url,
        "ws_url": format!("ws://{address}/ws"),
        "delegates": delegates,
    });
    std::fs::write(data.join("demo.json"), demo.to_string()).unwrap();
}

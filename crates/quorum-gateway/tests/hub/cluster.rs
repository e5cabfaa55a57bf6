//! Cluster mode inside one process: two or three hubs ("nodes") share one event log and
//! fan out through the machine's Redis (`QUORUM_TEST_REDIS`, a fresh channel prefix per
//! test). Commands race for each meeting's next event through every node; devices on
//! one node see what another committed, in order, with or without Redis.

use std::time::Duration;

use quorum_client::{Connection, Subscribed};
use quorum_domain::{MeetingId, PollId};
use quorum_gateway::access::Grant;
use quorum_gateway::config::ClusterConfig;
use quorum_gateway::room::CommandOutcome;
use quorum_protocol::ServerMessage;
use quorum_store::{SqliteLog, SqliteOptions};

use super::support::{TestHub, TestMeeting, actor, ballot, check_in, open_poll};

const WAIT: Duration = Duration::from_secs(10);

fn redis_url() -> String {
    std::env::var("QUORUM_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

fn cluster(node: &str, prefix: &str) -> ClusterConfig {
    ClusterConfig {
        node: node.to_owned(),
        redis: redis_url(),
        prefix: prefix.to_owned(),
        ..ClusterConfig::default()
    }
}

fn fresh_prefix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("qt-{hex}")
}

fn shared_log(dir: &tempfile::TempDir) -> SqliteLog {
    SqliteLog::open(&dir.path().join("quorum.db"), SqliteOptions::default()).unwrap()
}

/// Three nodes `a`, `b`, `c` on one log in a temp dir (kept alive by the first
/// value), fanned out through the machine's Redis under a fresh prefix.
pub(super) async fn three_nodes() -> (tempfile::TempDir, [TestHub; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let log = shared_log(&dir);
    let prefix = fresh_prefix();
    let a = TestHub::start_node(&log, cluster("a", &prefix)).await;
    let b = TestHub::start_node(&log, cluster("b", &prefix)).await;
    let c = TestHub::start_node(&log, cluster("c", &prefix)).await;
    (dir, [a, b, c])
}

fn snapshot_seq(subscribed: Subscribed) -> u64 {
    match subscribed {
        Subscribed::Snapshot { view, .. } => view.seq,
        other => panic!("not a snapshot: {other:?}"),
    }
}

/// Through `node`: every delegate checks in, the chair opens poll `bq-1`, every
/// delegate votes `choice`, one command at a time. Returns the last event's number.
async fn vote(node: &TestHub, meeting: &TestMeeting, choice: u16) -> u64 {
    let poll = PollId::new("bq-1").unwrap();
    for member in &meeting.delegates {
        node.run(&meeting.id, actor(member), check_in(None)).await;
    }
    let mut seq = node
        .run(&meeting.id, actor(&meeting.chair), open_poll(&poll))
        .await;
    for member in &meeting.delegates {
        seq = node
            .run(&meeting.id, actor(member), ballot(&poll, choice))
            .await;
    }
    seq
}

/// Waits until the fan-out of every node is subscribed.
async fn fanout_up(nodes: &[&TestHub]) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while nodes.iter().any(|node| {
        node.hub
            .cluster()
            .map(quorum_gateway::cluster::Cluster::health)
            != Some(quorum_gateway::cluster::FanoutHealth::Up)
    }) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fan-out never came up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads a subscribed device's messages until it has seen `seq`, checking that every
/// update follows the one before it; returns the last sequence number seen.
async fn follow_until(device: &mut Connection, meeting: &MeetingId, from: u64, seq: u64) -> u64 {
    let mut last = from;
    let deadline = tokio::time::Instant::now() + WAIT;
    while last < seq {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(!left.is_zero(), "the device saw {last}, not {seq}");
        match device.next_message(left).await.unwrap() {
            ServerMessage::Update {
                meeting: of,
                first_seq,
                seq,
                ..
            } if &of == meeting => {
                assert_eq!(
                    first_seq,
                    last + 1,
                    "an update skipped or repeated an event"
                );
                last = seq;
            }
            _ => {}
        }
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_through_three_nodes_are_each_counted_once() {
    let (_dir, [a, b, c]) = three_nodes().await;
    let nodes = [&a, &b, &c];
    let meeting = a.meeting("hop-cum", 60).await;
    let poll = PollId::new("bq-1").unwrap();

    // Check-ins and ballots race through every node at once.
    let checked = futures_util::future::join_all(meeting.delegates.iter().enumerate().map(
        |(index, member)| {
            let node = nodes[index % 3];
            let id = meeting.id.clone();
            async move {
                node.hub
                    .execute(&id, actor(member), check_in(None))
                    .await
                    .unwrap()
            }
        },
    ))
    .await;
    assert!(
        checked
            .iter()
            .all(|outcome| matches!(outcome, CommandOutcome::Acked { .. })),
        "{checked:?}"
    );
    b.run(&meeting.id, actor(&meeting.chair), open_poll(&poll))
        .await;
    let voted = futures_util::future::join_all(meeting.delegates.iter().enumerate().map(
        |(index, member)| {
            let node = nodes[(index + 1) % 3];
            let id = meeting.id.clone();
            let command = ballot(&poll, u16::from(index % 3 == 0));
            async move { node.hub.execute(&id, actor(member), command).await.unwrap() }
        },
    ))
    .await;
    let acked = voted
        .iter()
        .filter(|outcome| matches!(outcome, CommandOutcome::Acked { .. }))
        .count();
    assert_eq!(acked, meeting.delegates.len(), "{voted:?}");

    // Every node ends in the same state, holding every acknowledged ballot once.
    let mut states = Vec::new();
    for node in nodes {
        let room = node.hub.room_or_load(&meeting.id).await.unwrap();
        states.push(room.inspect().await.unwrap());
    }
    let seqs: Vec<u64> = states.iter().map(quorum_domain::Meeting::seq).collect();
    assert!(seqs.windows(2).all(|pair| pair[0] == pair[1]), "{seqs:?}");
    for state in &states {
        let counted = state.poll(&poll).unwrap().ballots.counted().count();
        assert_eq!(counted, acked);
        assert_eq!(
            state.poll(&poll).unwrap().recount(),
            states[0].poll(&poll).unwrap().recount()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sees_what_another_node_commits_through_redis() {
    let dir = tempfile::tempdir().unwrap();
    let log = shared_log(&dir);
    let prefix = fresh_prefix();
    // Polling so rare that only the fan-out can deliver within the test.
    let slow = |node: &str| ClusterConfig {
        poll_ms: 600_000,
        idle_poll_ms: 600_000,
        ..cluster(node, &prefix)
    };
    let a = TestHub::start_node(&log, slow("a")).await;
    let b = TestHub::start_node(&log, slow("b")).await;
    fanout_up(&[&a, &b]).await;
    let meeting = a.meeting("hop-redis", 12).await;

    // A session opened on one node works on the other; so does a meeting made there.
    let token = a.member_token(&meeting.chair).await;
    let (mut device, _) = b.connect(&token).await;
    let from = snapshot_seq(device.subscribe(&meeting.id, None).await.unwrap());

    let seq = vote(&a, &meeting, 0).await;
    assert_eq!(follow_until(&mut device, &meeting.id, from, seq).await, seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_nodes_poll_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = shared_log(&dir);
    // Nothing listens on port 1: the fan-out stays down.
    let down = |node: &str| ClusterConfig {
        node: node.to_owned(),
        redis: "redis://127.0.0.1:1/".to_owned(),
        degraded_poll_ms: 50,
        ..ClusterConfig::default()
    };
    let a = TestHub::start_node(&log, down("a")).await;
    let b = TestHub::start_node(&log, down("b")).await;
    let meeting = a.meeting("hop-khong-redis", 6).await;
    let token = b
        .token(Grant::Member {
            member: meeting.chair.clone(),
        })
        .await;
    let (mut device, _) = a.connect(&token).await;
    let from = snapshot_seq(device.subscribe(&meeting.id, None).await.unwrap());
    let seq = vote(&b, &meeting, 1).await;
    assert_eq!(follow_until(&mut device, &meeting.id, from, seq).await, seq);

    // Ready (the log answers), and saying plainly that the fan-out is down.
    let ready = a
        .http()
        .get_json::<serde_json::Value>("/readyz", None)
        .await;
    let ready = ready.unwrap();
    assert_eq!(ready["ready"], true, "{ready}");
    assert_eq!(ready["fanout"], "down", "{ready}");
    assert_eq!(ready["degraded"], true, "{ready}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_lists_the_devices_on_every_node() {
    let dir = tempfile::tempdir().unwrap();
    let log = shared_log(&dir);
    let prefix = fresh_prefix();
    let a = TestHub::start_node(&log, cluster("a", &prefix)).await;
    let b = TestHub::start_node(&log, cluster("b", &prefix)).await;
    fanout_up(&[&a, &b]).await;
    let meeting = a.meeting("hop-hien-dien", 2).await;
    let (first, second) = (&meeting.delegates[0], &meeting.delegates[1]);
    let (mut on_a, _) = a.connect(&a.member_token(first).await).await;
    on_a.subscribe(&meeting.id, None).await.unwrap();
    let (mut on_b, _) = b.connect(&b.member_token(second).await).await;
    on_b.subscribe(&meeting.id, None).await.unwrap();
    let (mut also_on_b, _) = b.connect(&b.member_token(first).await).await;
    also_on_b.subscribe(&meeting.id, None).await.unwrap();

    let admin = a.admin_token().await;
    let path = format!("/api/meetings/{}/presence", meeting.id);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let presence: serde_json::Value = a.http().get_json(&path, Some(&admin)).await.unwrap();
        let expected = serde_json::json!({
            "members": [
                {"member": first.as_str(), "devices": 2, "nodes": ["a", "b"]},
                {"member": second.as_str(), "devices": 1, "nodes": ["b"]},
            ],
            "complete": true,
        });
        if presence == expected {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "presence never converged: {presence}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A node whose heartbeat has expired (as a killed node's does) leaves the list.
    let client = redis::Client::open(redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    drop(b);
    redis::cmd("DEL")
        .arg(format!("{prefix}:node:b"))
        .query_async::<()>(&mut redis)
        .await
        .unwrap();
    let presence: serde_json::Value = a.http().get_json(&path, Some(&admin)).await.unwrap();
    assert_eq!(
        presence["members"],
        serde_json::json!([{"member": first.as_str(), "devices": 1, "nodes": ["a"]}]),
        "{presence}"
    );
    let left: i64 = redis::cmd("HEXISTS")
        .arg(format!("{prefix}:presence:meeting/{}", meeting.id))
        .arg("b")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(left, 0, "the dead node's entry is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_redeemed_at_once_on_every_node_each_open_one_session() {
    let (_dir, [a, b, c]) = three_nodes().await;
    let nodes = [&a, &b, &c];
    let meeting = a.meeting("hop-ma", 150).await;
    let mut codes = Vec::new();
    for member in &meeting.delegates {
        let grant = Grant::Member {
            member: member.clone(),
        };
        codes.push(a.hub.issue_code(grant).await.unwrap().0);
    }
    let redeemed =
        futures_util::future::join_all(codes.iter().enumerate().map(|(index, code)| async move {
            nodes[index % 3].http().redeem(code.expose()).await
        }))
        .await;
    let failed: Vec<String> = redeemed
        .iter()
        .filter_map(|result| result.as_ref().err().map(ToString::to_string))
        .collect();
    assert!(failed.is_empty(), "{} failed: {failed:?}", failed.len());
    // Each code once: redeeming again anywhere is refused.
    let again = b.http().redeem(codes[0].expose()).await;
    assert!(again.is_err(), "a code was redeemed twice");
}

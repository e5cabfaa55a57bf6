//! The secrecy of a secret poll, checked on everything the hub keeps: delegates vote
//! through real WebSockets while every log line at every level (TRACE) is captured; then
//! the SQLite files, the logs and the exported record are scanned. No stored row, log
//! line or exported entry may pair a voter with a choice or with a receipt (a receipt
//! leads to its choice), and the ballot ids that tie a ballot to its seat must appear
//! nowhere at all. The published receipts list carries no choice.
//!
//! Not covered here, and said so in ARCHITECTURE.md: the order of a `vote_registered`
//! event and the `secret_ballot_cast` written with it in the same commit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use quorum_client::{CommandOutcome, ConnectOptions, Connection, Http, random_id};
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::Selection;
use quorum_domain::{
    Actor, BallotId, CreateMeeting, MeetingCommand, MeetingId, MemberId, PollId, Role,
};
use quorum_gateway::access::Grant;
use quorum_gateway::{Bound, Hub};

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/meeting.rs"]
mod meeting;

use meeting::{invitee, open_hub, run, yes_no_poll};

const VOTERS: usize = 9;

/// Every log line of the process, as written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_stored_byte_log_line_or_export_pairs_a_voter_with_a_choice() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let data = tempfile::tempdir().unwrap();
    let hub = start(data.path()).await;
    let http = Http::new(&format!("http://{}", hub.config().listen)).unwrap();
    let ws_url = format!("ws://{}/ws", hub.config().listen);
    let meeting = MeetingId::new("bau-cu-kin").unwrap();
    let chair = MemberId::new("chu-toa").unwrap();
    let voters: Vec<MemberId> = (1..=VOTERS)
        .map(|n| MemberId::new(format!("dai-bieu-{n:02}")).unwrap())
        .collect();
    set_up(&hub, &meeting, &chair, &voters).await;

    let poll = PollId::new("bau-kin").unwrap();
    let chair_actor = Actor::Member {
        member: chair.clone(),
    };
    for command in [
        MeetingCommand::CreatePoll {
            poll: poll.clone(),
            spec: yes_no_poll("Bầu Phó Chủ tịch", "Đồng ý bầu ông Nguyễn Văn A?", true),
        },
        MeetingCommand::OpenPoll {
            poll: poll.clone(),
            deadline: None,
            override_quorum: false,
        },
    ] {
        run(&hub, &meeting, chair_actor.clone(), command).await;
    }

    // Each voter signs in, checks in and votes over its own WebSocket.
    let mut ballots: Vec<BallotId> = Vec::new();
    let mut receipts = Vec::new();
    for (index, voter) in voters.iter().enumerate() {
        let (code, _) = hub
            .issue_code(Grant::Member {
                member: voter.clone(),
            })
            .await
            .unwrap();
        let token = http.redeem(code.expose()).await.unwrap().token;
        let (mut connection, _) = Connection::connect(&ws_url, &ConnectOptions::new(token))
            .await
            .unwrap();
        let ballot: BallotId = random_id().unwrap();
        let outcome = connection
            .command(
                &meeting,
                MeetingCommand::CastBallot {
                    poll: poll.clone(),
                    round: 1,
                    ballot: ballot.clone(),
                    seat: None,
                    answers: vec![Selection::one(u16::try_from(index % 3).unwrap())],
                    replaces: None,
                },
            )
            .await
            .unwrap();
        let CommandOutcome::Acked {
            receipt: Some(receipt),
            ..
        } = outcome
        else {
            panic!("the ballot was not acknowledged: {outcome:?}");
        };
        ballots.push(ballot);
        receipts.push(receipt.to_string());
        connection.close().await.unwrap();
    }
    run(
        &hub,
        &meeting,
        chair_actor.clone(),
        MeetingCommand::ClosePoll { poll: poll.clone() },
    )
    .await;
    run(
        &hub,
        &meeting,
        chair_actor,
        MeetingCommand::PublishPoll { poll: poll.clone() },
    )
    .await;

    let record = quorum_gateway::rest::meetings::record_json(&hub, &meeting)
        .await
        .unwrap();
    let record = serde_json::to_value(&record).unwrap();
    // Every acknowledged write is committed to the files now, which is what is scanned.
    drop(hub);

    let secrets = Secrets {
        voters: voters.iter().map(ToString::to_string).collect(),
        ballots: ballots.iter().map(ToString::to_string).collect(),
        receipts: receipts.clone(),
        poll: poll.to_string(),
    };

    // The database and its write-ahead log, byte by byte and row by row.
    for name in ["quorum.db", "quorum.db-wal"] {
        if let Ok(bytes) = std::fs::read(data.path().join(name)) {
            secrets.no_ballot_id_in(&String::from_utf8_lossy(&bytes), name);
        }
    }
    let connection = rusqlite::Connection::open(data.path().join("quorum.db")).unwrap();
    let mut rows = connection
        .prepare("SELECT stream, seq, body FROM events ORDER BY stream, seq")
        .unwrap();
    let rows: Vec<(String, u64, String)> = rows
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut secret_rows = 0;
    for (stream, seq, body) in &rows {
        let place = format!("row {seq} of {stream}");
        secrets.no_pair_in(body, &place);
        if body.contains("secret_ballot_cast") {
            secret_rows += 1;
        }
    }
    assert_eq!(secret_rows, VOTERS, "every secret ballot is stored");

    // Every log line, at every level.
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let lines = logs.lines().count();
    assert!(
        logs.contains("TRACE") && logs.contains("DEBUG"),
        "logging below INFO was captured: {logs}"
    );
    secrets.no_ballot_id_in(&logs, "the logs");
    for (number, line) in logs.lines().enumerate() {
        secrets.no_pair_in(line, &format!("log line {}", number + 1));
    }

    // The exported record: each event on its own, and the published receipts.
    secrets.no_ballot_id_in(&record.to_string(), "the exported record");
    for event in record["events"].as_array().unwrap() {
        secrets.no_pair_in(
            &event.to_string(),
            &format!("exported event {}", event["seq"]),
        );
    }
    let published = record["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["poll"] == poll.to_string())
        .expect("the secret poll's receipts are published");
    let listed = published["rounds"][0]["receipts"].as_array().unwrap();
    let mut listed: Vec<String> = listed
        .iter()
        .map(|receipt| {
            receipt
                .as_str()
                .expect("a receipt alone, no choice")
                .to_owned()
        })
        .collect();
    let mut expected = receipts;
    expected.sort();
    assert_eq!(
        listed, expected,
        "every acknowledged receipt is listed, sorted"
    );
    listed.dedup();
    assert_eq!(listed.len(), VOTERS);
    eprintln!(
        "scanned {} rows, {lines} log lines and {} exported events",
        rows.len(),
        record["events"].as_array().unwrap().len()
    );
}

/// What must never be found together, or at all.
struct Secrets {
    voters: Vec<String>,
    ballots: Vec<String>,
    receipts: Vec<String>,
    poll: String,
}

impl Secrets {
    /// A ballot id with the seat tag names the seat: it is never kept.
    fn no_ballot_id_in(&self, text: &str, place: &str) {
        for ballot in &self.ballots {
            assert!(
                !text.contains(ballot.as_str()),
                "{place} holds ballot id {ballot}"
            );
        }
    }

    /// One row, line or entry never names a voter together with a choice of the secret
    /// poll, nor together with a receipt of it.
    fn no_pair_in(&self, text: &str, place: &str) {
        let Some(voter) = self
            .voters
            .iter()
            .find(|voter| text.contains(voter.as_str()))
        else {
            return;
        };
        let choice = text.contains(&self.poll) && text.contains("answers");
        assert!(!choice, "{place} pairs voter {voter} with a choice: {text}");
        if let Some(receipt) = self
            .receipts
            .iter()
            .find(|receipt| text.contains(receipt.as_str()))
        {
            panic!("{place} pairs voter {voter} with receipt {receipt}: {text}");
        }
    }
}

async fn start(data: &Path) -> Hub {
    let (hub, _) = open_hub(data, |_| {}).await;
    let bound = Bound::bind(hub.clone()).await.unwrap();
    tokio::spawn(async move {
        bound.serve(std::future::pending()).await.unwrap();
    });
    hub
}

async fn set_up(hub: &Hub, meeting: &MeetingId, chair: &MemberId, voters: &[MemberId]) {
    hub.create_meeting_as(
        Actor::Admin,
        None,
        meeting.clone(),
        CreateMeeting {
            details: MeetingDetails {
                title: "Bầu cử Phó Chủ tịch Ủy ban nhân dân".into(),
                kind: MeetingKind::Routine,
                location: "Phòng họp số 2".into(),
                scheduled_at: quorum_gateway::clock::now(),
            },
            settings: MeetingSettings::default(),
        },
    )
    .await
    .unwrap();
    let mut invitees = vec![invitee(chair, Role::Chair)];
    invitees.extend(voters.iter().map(|voter| invitee(voter, Role::Delegate)));
    run(
        hub,
        meeting,
        Actor::Admin,
        MeetingCommand::Invite {
            invitees,
            group: None,
        },
    )
    .await;
    let chair_actor = Actor::Member {
        member: chair.clone(),
    };
    run(hub, meeting, chair_actor, MeetingCommand::OpenMeeting).await;
    for member in std::iter::once(chair).chain(voters) {
        run(
            hub,
            meeting,
            Actor::Member {
                member: member.clone(),
            },
            MeetingCommand::CheckIn {
                member: None,
                mode: PresenceMode::InRoom,
            },
        )
        .await;
    }
}

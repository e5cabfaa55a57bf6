//! The secrecy of a secret poll, checked on everything the hub keeps: delegates vote
//! through real WebSockets while every log line at every level (TRACE) is captured; then
//! the store (SQLite's files, or a private PostgreSQL's rows and data files), the logs,
//! the metrics and the exported record are scanned. No stored row, log line, metric or
//! exported entry may pair a voter with a choice or with a receipt (a receipt leads to
//! its choice), and the ballot ids that tie a ballot to its seat must appear nowhere at
//! all. The published receipts list carries no choice.
//!
//! Not covered here, and said so in docs/threat-model.md: the order of a
//! `vote_registered` event and the `secret_ballot_cast` written with it in the same
//! commit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::sync::{Arc, OnceLock};

use quorum_client::{CommandOutcome, ConnectOptions, Connection, Http, random_id};
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::Selection;
use quorum_domain::{
    Actor, BallotId, CreateMeeting, MeetingCommand, MeetingId, MemberId, PollId, Role,
};
use quorum_gateway::access::Grant;
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{BlobStore, PgLog, PgOptions};
use quorum_testkit::postgres::PrivatePostgres;

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/meeting.rs"]
mod meeting;

use meeting::{invitee, open_hub, run, yes_no_poll};

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/secrecy/`.
mod secrecy {
    pub(crate) mod scan;
}

use secrecy::scan::{Captured, Secrets};

const VOTERS: usize = 9;

/// Every log line of the process, at every level, from whichever test runs first.
fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        logs
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_stored_byte_log_line_or_export_pairs_a_voter_with_a_choice() {
    let logs = captured_logs();
    let data = tempfile::tempdir().unwrap();
    let (hub, _) = open_hub(data.path(), |_| {}).await;
    let (secrets, record) = vote_in_secret(hub).await;

    // The database and its write-ahead log, byte by byte and row by row.
    for name in ["quorum.db", "quorum.db-wal"] {
        if let Ok(bytes) = std::fs::read(data.path().join(name)) {
            secrets.no_ballot_id_in(&String::from_utf8_lossy(&bytes), name);
        }
    }
    let connection = rusqlite::Connection::open(data.path().join("quorum.db")).unwrap();
    let mut rows = connection
        .prepare("SELECT stream || ' ' || seq, body FROM events ORDER BY stream, seq")
        .unwrap();
    let rows: Vec<(String, String)> = rows
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    scan_rows(&secrets, &rows);
    scan_logs_and_record(&secrets, logs, &record);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_no_row_or_data_file_pairs_a_voter_with_a_choice() {
    let logs = captured_logs();
    let mut postgres = PrivatePostgres::start().await;
    let log = PgLog::connect(&postgres.url(), PgOptions::default())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = GatewayConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data: data.path().to_owned(),
        ..GatewayConfig::default()
    };
    let blobs = BlobStore::open(&data.path().join("blobs")).unwrap();
    let hub = Hub::open(config, Arc::new(log), blobs).await.unwrap();
    let (secrets, record) = vote_in_secret(hub).await;

    // Every row of every table, as text.
    let (client, connection) = tokio_postgres::connect(&postgres.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        tables.iter().any(|table| table == "quorum_events"),
        "{tables:?}"
    );
    let mut rows = Vec::new();
    for table in &tables {
        let query = format!("SELECT t::text FROM {table} t");
        for (index, row) in client.query(&query, &[]).await.unwrap().iter().enumerate() {
            rows.push((format!("{table} row {index}"), row.get::<_, String>(0)));
        }
    }
    drop(client);
    scan_rows(&secrets, &rows);

    // Every data file, the write-ahead log included, once PostgreSQL has checkpointed.
    postgres.stop().await;
    let scanned = secrets.no_ballot_id_in_files(&postgres.data_dir());
    assert!(
        scanned > 1_000_000,
        "PostgreSQL's files were read ({scanned} bytes)"
    );
    scan_logs_and_record(&secrets, logs, &record);
    eprintln!(
        "scanned {} rows of {} tables and {scanned} bytes of PostgreSQL's files",
        rows.len(),
        tables.len()
    );
}

/// Runs the secret poll through `hub` (served on a free port) and returns its secrets
/// and the exported record; the metrics are scanned while the hub serves, and the hub
/// is gone when this returns, every acknowledged write committed.
async fn vote_in_secret(hub: Hub) -> (Secrets, serde_json::Value) {
    let hub = serve(hub).await;
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
    let secrets = Secrets {
        voters: voters.iter().map(ToString::to_string).collect(),
        ballots: ballots.iter().map(ToString::to_string).collect(),
        receipts,
        poll: poll.to_string(),
    };
    let metrics = http.get_bytes("/metrics", None).await.unwrap();
    secrets.nothing_in_metrics(&String::from_utf8_lossy(&metrics.body));
    // Every acknowledged write is committed to the store now, which is what is scanned.
    drop(hub);
    (secrets, record)
}

/// Every stored row on its own: no voter paired with a choice or a receipt, no ballot
/// id; and every secret ballot is there.
fn scan_rows(secrets: &Secrets, rows: &[(String, String)]) {
    let mut secret_rows = 0;
    for (place, body) in rows {
        secrets.no_ballot_id_in(body, place);
        secrets.no_pair_in(body, place);
        if body.contains("secret_ballot_cast") {
            secret_rows += 1;
        }
    }
    assert_eq!(secret_rows, VOTERS, "every secret ballot is stored");
}

/// Every log line at every level, and the exported record with its receipts list.
#[allow(
    clippy::print_stderr,
    reason = "the figures of the run, for --nocapture"
)]
fn scan_logs_and_record(secrets: &Secrets, logs: &Captured, record: &serde_json::Value) {
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
        .find(|entry| entry["poll"] == secrets.poll)
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
    let mut expected = secrets.receipts.clone();
    expected.sort();
    assert_eq!(
        listed, expected,
        "every acknowledged receipt is listed, sorted"
    );
    listed.dedup();
    assert_eq!(listed.len(), VOTERS);
    eprintln!(
        "scanned {lines} log lines and {} exported events",
        record["events"].as_array().unwrap().len()
    );
}

/// Serves `hub` on its (free) port.
async fn serve(hub: Hub) -> Hub {
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

//! `quorum verify` against a tampered event log: a meeting with a named and a secret
//! poll is recorded, then its stored events are edited, deleted and reordered in 100
//! random ways directly in the SQLite file, each on a fresh copy; the real binary must
//! report every one of them at the right event, and report the clean record as clean.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::Selection;
use quorum_domain::{
    Actor, BallotId, ConclusionId, CreateMeeting, MeetingCommand, MeetingId, MemberId, PollId, Role,
};
use quorum_gateway::audit::ChainHead;
use quorum_gateway::room::CommandOutcome;
use rusqlite::Connection;
use serde_json::Value;

mod verify {
    pub(crate) mod tamper;
}

use verify::tamper::{SplitMix, Tampering};

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/meeting.rs"]
mod meeting;

use meeting::{invitee, open_hub, yes_no_poll};

const MEETING: &str = "hdnd-kiem-toan";
pub(crate) const STREAM: &str = "meeting/hdnd-kiem-toan";
const DELEGATES: usize = 12;
const TAMPERINGS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_every_tampering_and_a_clean_record_as_clean() {
    let clean = tempfile::tempdir().unwrap();
    let published = record_meeting(clean.path()).await;
    let events = last_seq(clean.path());
    assert_eq!(
        published.seq, events,
        "the record's head names the last event"
    );

    let output = verify(clean.path(), &published, false);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "a clean record is reported as damaged: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("intact"), "{text}");
    assert!(text.contains("2 poll results recounted"), "{text}");

    let seed = std::env::var("QUORUM_TAMPER_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x5155_4f52_554d_u64);
    let mut random = SplitMix(seed);
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for round in 0..TAMPERINGS {
        let copy = tempfile::tempdir().unwrap();
        copy_data(clean.path(), copy.path());
        let tampering = Tampering::pick(&mut random, events);
        tampering.apply(copy.path());
        *kinds.entry(tampering.name()).or_default() += 1;
        let output = verify(copy.path(), &published, true);
        assert!(
            !output.status.success(),
            "round {round} (seed {seed}): {tampering:?} was not reported"
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "round {round}: no JSON report ({error}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        let (seq, kind) = tampering.expected(events);
        let findings = report["findings"].as_array().unwrap();
        assert!(
            findings
                .iter()
                .any(|finding| finding["seq"] == seq && finding["kind"] == kind),
            "round {round} (seed {seed}): {tampering:?} should be reported as {kind} at event \
             {seq}; the report says {findings:#?}"
        );
    }
    eprintln!("tamperings checked: {kinds:?}");
    assert!(
        kinds.len() >= 6,
        "every kind of tampering was tried: {kinds:?}"
    );
}

/// Records a meeting in `data` through the hub; returns the head its record publishes.
async fn record_meeting(data: &Path) -> ChainHead {
    let (hub, log) = open_hub(data, |_| {}).await;
    let meeting = MeetingId::new(MEETING).unwrap();
    hub.create_meeting_as(
        Actor::Admin,
        None,
        meeting.clone(),
        CreateMeeting {
            details: MeetingDetails {
                title: "Kỳ họp thứ 12 Hội đồng nhân dân tỉnh".into(),
                kind: MeetingKind::Routine,
                location: "Hội trường A".into(),
                scheduled_at: quorum_gateway::clock::now(),
            },
            settings: MeetingSettings::default(),
        },
    )
    .await
    .unwrap();
    let chair = MemberId::new("chu-toa").unwrap();
    let delegates: Vec<MemberId> = (1..=DELEGATES)
        .map(|n| MemberId::new(format!("db-{n:03}")).unwrap())
        .collect();
    let mut invitees = vec![invitee(&chair, Role::Chair)];
    invitees.extend(
        delegates
            .iter()
            .map(|member| invitee(member, Role::Delegate)),
    );
    let run = |actor: Actor, command: MeetingCommand| {
        let hub = hub.clone();
        let meeting = meeting.clone();
        async move {
            match hub.execute(&meeting, actor, command).await.unwrap() {
                CommandOutcome::Acked { .. } => {}
                other => panic!("refused: {other:?}"),
            }
        }
    };
    let chair_actor = Actor::Member {
        member: chair.clone(),
    };
    run(
        Actor::Admin,
        MeetingCommand::Invite {
            invitees,
            group: None,
        },
    )
    .await;
    run(chair_actor.clone(), MeetingCommand::OpenMeeting).await;
    for member in std::iter::once(&chair).chain(&delegates) {
        run(
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
    for (index, secret) in [(1, false), (2, true)] {
        let poll = PollId::new(format!("bq-{index}")).unwrap();
        run(
            chair_actor.clone(),
            MeetingCommand::CreatePoll {
                poll: poll.clone(),
                spec: yes_no_poll("Thông qua nghị quyết", "Đồng ý?", secret),
            },
        )
        .await;
        run(
            chair_actor.clone(),
            MeetingCommand::OpenPoll {
                poll: poll.clone(),
                deadline: None,
                override_quorum: false,
            },
        )
        .await;
        for (number, member) in delegates.iter().enumerate() {
            run(
                Actor::Member {
                    member: member.clone(),
                },
                MeetingCommand::CastBallot {
                    poll: poll.clone(),
                    round: 1,
                    ballot: BallotId::new(format!("phieu-{index}-{number}-7f3a9c")).unwrap(),
                    seat: None,
                    answers: vec![Selection::one(u16::from(number % 4 == 3))],
                    replaces: None,
                },
            )
            .await;
        }
        run(chair_actor.clone(), MeetingCommand::ClosePoll { poll }).await;
    }
    run(
        chair_actor,
        MeetingCommand::RecordConclusion {
            conclusion: ConclusionId::new("kl-1").unwrap(),
            item: None,
            text: "Thông qua nghị quyết về kế hoạch năm 2027".into(),
        },
    )
    .await;
    let record = quorum_gateway::rest::meetings::record_json(&hub, &meeting)
        .await
        .unwrap();
    drop(hub);
    log.close().await.unwrap();
    log_released(data).await;
    record.audit
}

/// Waits (up to 10 s) until the stopped hub's rooms have let go of the event log.
async fn log_released(data: &Path) {
    let lock = std::fs::File::open(data.join("quorum.db.lock")).unwrap();
    let locked = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::task::spawn_blocking(move || lock.lock()),
    )
    .await
    .expect("the stopped hub still holds its event log after 10 s");
    locked.unwrap().unwrap();
}

fn verify(data: &Path, head: &ChainHead, json: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
    command
        .args(["verify", "--meeting", MEETING, "--data"])
        .arg(data)
        .arg("--head")
        .arg(format!("{}:{}", head.seq, head.hash))
        .env("RUST_LOG", "warn");
    if json {
        command.arg("--json");
    }
    command.output().unwrap()
}

fn copy_data(from: &Path, to: &Path) {
    for name in ["quorum.db", "quorum.db-wal"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
}

pub(crate) fn open(data: &Path) -> Connection {
    Connection::open(data.join("quorum.db")).unwrap()
}

fn last_seq(data: &Path) -> u64 {
    open(data)
        .query_row(
            "SELECT max(seq) FROM events WHERE stream = ?1",
            [STREAM],
            |row| row.get(0),
        )
        .unwrap()
}

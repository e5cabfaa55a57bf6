//! Meetings for the tests that run the hub inside the test's own process: opening a hub
//! on a data directory, running setup commands as the hub would, and the invitees and
//! polls those tests use.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use quorum_domain::meeting::roster::Invitee;
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{Actor, MeetingCommand, MeetingId, MemberId, Role};
use quorum_gateway::room::CommandOutcome;
use quorum_gateway::{GatewayConfig, Hub};
use quorum_store::{BlobStore, SqliteLog, SqliteOptions};

/// A hub on `data` (SQLite and documents there), with its settings adjusted by
/// `adjust`; also returns the log, to close it.
pub(crate) async fn open_hub(
    data: &Path,
    adjust: impl FnOnce(&mut GatewayConfig),
) -> (Hub, SqliteLog) {
    let mut config = GatewayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data: data.to_owned(),
        ..GatewayConfig::default()
    };
    adjust(&mut config);
    let log = SqliteLog::open(&data.join("quorum.db"), SqliteOptions::default()).unwrap();
    let blobs = BlobStore::open(&data.join("blobs")).unwrap();
    let hub = Hub::open(config, Arc::new(log.clone()), blobs)
        .await
        .unwrap();
    (hub, log)
}

/// Runs a setup command, which must be accepted.
pub(crate) async fn run(hub: &Hub, meeting: &MeetingId, actor: Actor, command: MeetingCommand) {
    match hub.execute(meeting, actor, command).await.unwrap() {
        CommandOutcome::Acked { .. } => {}
        other => panic!("refused: {other:?}"),
    }
}

/// A participant with a vote, weight 1.
pub(crate) fn invitee(member: &MemberId, role: Role) -> Invitee {
    Invitee {
        member: member.clone(),
        name: format!("Đại biểu {member}"),
        position: String::new(),
        unit: None,
        unit_name: "HĐND tỉnh".into(),
        role,
        voting_right: true,
        weight: 1,
        groups: Vec::new(),
    }
}

/// A yes/no/abstain motion passed by more than half of all members.
pub(crate) fn yes_no_poll(title: &str, question: &str, secret: bool) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        questions: vec![Question {
            text: question.into(),
            kind: QuestionKind::YesNoAbstain,
        }],
        secret,
        vote_change: false,
        visibility: ResultsVisibility::LiveToAll,
        eligibility: Eligibility::default(),
        majority: MajorityRule::more_than_half_of_all_members(),
    }
}

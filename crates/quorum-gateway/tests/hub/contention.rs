//! Reliability D5: every voter sends five different ballots at once, each over its own
//! WebSocket, in a poll that allows no change of vote — on one hub, and dealt over the
//! three nodes of a cluster. Exactly one ballot per voter is accepted, the other four
//! are refused as `already_voted`, and the ballot counted for the voter is the one
//! that was acknowledged, with its receipt.

use std::collections::BTreeMap;

use quorum_client::{CommandOutcome, Connection, random_id};
use quorum_domain::poll::question::Selection;
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::{MeetingCommand, MemberId, PollId, RejectionCode};

use super::cluster::three_nodes;
use super::support::{TestHub, TestMeeting, actor, check_in};

/// Ballots each voter sends at once, each over its own connection.
const BALLOTS_PER_VOTER: usize = 5;

/// Voters: `small` in the test command; 1,000, as the reliability document asks, with
/// `QUORUM_FULL_SCALE=1`.
fn voters(small: usize) -> usize {
    if std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1") {
        1_000
    } else {
        small
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_ballots_at_once_per_voter_one_hub_count_once() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("d5-mot-nut", voters(100)).await;
    race_ballots(&[&hub], &meeting).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_ballots_at_once_per_voter_three_nodes_count_once() {
    let (_dir, [a, b, c]) = three_nodes().await;
    let meeting = a.meeting("d5-ba-nut", voters(60)).await;
    race_ballots(&[&a, &b, &c], &meeting).await;
}

/// Every delegate of `meeting` checks in, the chair opens poll `bq-1` (named, no vote
/// change), and every delegate's five ballots race over five connections dealt over
/// `nodes`; then checks the answers and what every node counted.
async fn race_ballots(nodes: &[&TestHub], meeting: &TestMeeting) {
    let poll = PollId::new("bq-1").unwrap();
    let first = nodes[0];
    for member in &meeting.delegates {
        first.run(&meeting.id, actor(member), check_in(None)).await;
    }
    first
        .run(
            &meeting.id,
            actor(&meeting.chair),
            MeetingCommand::OpenPoll {
                poll: poll.clone(),
                deadline: None,
                override_quorum: false,
            },
        )
        .await;

    // Every connection is open and signed in before any ballot leaves.
    let mut senders: Vec<(MemberId, Vec<Selection>, Connection)> = Vec::new();
    for (index, member) in meeting.delegates.iter().enumerate() {
        for copy in 0..BALLOTS_PER_VOTER {
            let node = nodes[(index + copy) % nodes.len()];
            let (connection, _) = node.connect(&node.member_token(member).await).await;
            let choice = u16::try_from(copy % 3).unwrap();
            senders.push((member.clone(), vec![Selection::one(choice)], connection));
        }
    }
    let answers =
        futures_util::future::join_all(senders.iter_mut().map(|(member, answers, connection)| {
            let command = MeetingCommand::CastBallot {
                poll: poll.clone(),
                round: 1,
                ballot: random_id().unwrap(),
                seat: None,
                answers: answers.clone(),
                replaces: None,
            };
            let id = meeting.id.clone();
            async move {
                let outcome = connection.command(&id, command).await.unwrap();
                (member.clone(), answers.clone(), outcome)
            }
        }))
        .await;

    // One acknowledgement per voter, with a receipt; every other ballot refused.
    let mut accepted: BTreeMap<MemberId, (Receipt, Vec<Selection>)> = BTreeMap::new();
    for (member, answers, outcome) in answers {
        match outcome {
            CommandOutcome::Acked {
                receipt: Some(receipt),
                ..
            } => {
                let earlier = accepted.insert(member.clone(), (receipt, answers));
                assert!(earlier.is_none(), "two ballots of {member} were accepted");
            }
            CommandOutcome::Rejected { code, .. } => {
                assert_eq!(code, RejectionCode::AlreadyVoted, "{member}: {code:?}");
            }
            other => panic!("{member}: a ballot was neither accepted nor refused: {other:?}"),
        }
    }
    assert_eq!(
        accepted.len(),
        meeting.delegates.len(),
        "a voter had no ballot accepted"
    );

    // Every node counts exactly the accepted ballots, each for its voter.
    for node in nodes {
        let room = node.hub.room_or_load(&meeting.id).await.unwrap();
        room.catch_up();
        let state = room.inspect().await.unwrap();
        let ballots = &state.poll(&poll).unwrap().ballots;
        let counted: BTreeMap<MemberId, (Receipt, Vec<Selection>)> = ballots
            .counted()
            .map(|(receipt, ballot)| {
                let seat = ballot.seat.clone().expect("a named ballot names its seat");
                (seat, (receipt.clone(), ballot.answers.clone()))
            })
            .collect();
        assert_eq!(
            ballots.counted().count(),
            accepted.len(),
            "a seat was counted twice"
        );
        assert_eq!(
            counted, accepted,
            "what was counted is not what was accepted"
        );
    }
}

//! Reliability D3, on three nodes or on the embedded hub: in each round 1,000 seats vote
//! over a second through their own nodes while 50 `close_poll` requests from the chair,
//! spread over the nodes, are fired at once in the middle of it. Exactly one close wins,
//! every node reports the same result, and the round's history holds against it: the
//! count is exactly the acknowledged ballots, none of those refused as closed.

use std::collections::BTreeMap;
use std::hash::{BuildHasher as _, RandomState};
use std::sync::Arc;
use std::time::Duration;

use quorum_client::random_id;
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::Selection;
use quorum_domain::view::PollView;
use quorum_domain::{BallotId, MeetingCommand, MeetingId, MemberId, PollId, RejectionCode};
use tokio::sync::watch;
use tokio::time::{Instant, timeout};

use super::crowd::{self, expect_ack};
use super::device::{Answer, COMMAND_LIMIT, Device, DeviceSpec, Sent};
use super::fault::Hub;
use super::history::{self, Operation, Outcome};
use super::meeting::{self, named_motion};
use super::report::Report;
use crate::node::LogsOnFailure;

const SEATS: usize = 1_000;
const CLOSES: usize = 50;
/// The chair's connections that send the closes, per node.
const CLOSERS_PER_NODE: usize = 2;
/// The ballots of a round are sent over this long.
const SPREAD: Duration = Duration::from_secs(1);
const MEETING: &str = "hdnd-tinh-race";

/// Runs `rounds` rounds of the race (the reliability table's 100 with
/// `QUORUM_FULL_SCALE=1`).
pub(crate) async fn run(hub: Hub, rounds: usize) {
    let rounds = if std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1") {
        100
    } else {
        rounds
    };
    // Declared before the cluster, so dropped after it: the nodes stop first.
    let (_stores, mut cluster) = hub.configure().await;
    let nodes_count = cluster.nodes.len();
    let mut report = Report::new(&format!(
        "race: {SEATS} ballots vs {CLOSES} closes on {nodes_count} node(s), {rounds} rounds"
    ));
    let _logs = LogsOnFailure(cluster.log_paths());
    let people = meeting::open(&mut cluster, &mut report, MEETING, SEATS).await;

    let meeting = MeetingId::new(MEETING).unwrap();
    let nodes = Arc::new(cluster.ws_urls());
    let spec = |label: String, token: &str, home: usize, follow: bool| DeviceSpec {
        label,
        token: token.to_owned(),
        nodes: Arc::clone(&nodes),
        home,
        meeting: meeting.clone(),
        follow,
    };
    // The chair's screens: one following the meeting on each node (the first also
    // prepares and opens the polls), and the consoles that send the closes.
    let observers = crowd::start(
        (0..nodes_count)
            .map(|node| spec(format!("observer@n{}", node + 1), &people.chair, node, true))
            .collect(),
    )
    .await;
    let closers = crowd::start(
        (0..nodes_count * CLOSERS_PER_NODE)
            .map(|index| {
                spec(
                    format!("closer-{index}"),
                    &people.chair,
                    index % nodes_count,
                    false,
                )
            })
            .collect(),
    )
    .await;
    let seats: Vec<MemberId> = people
        .delegates
        .iter()
        .map(|(member, _)| MemberId::new(member.as_str()).unwrap())
        .collect();
    let voters = crowd::start(
        people
            .delegates
            .iter()
            .enumerate()
            .map(|(index, (member, token))| spec(member.clone(), token, index % nodes_count, false))
            .collect(),
    )
    .await;
    report.phase("connect devices");
    expect_ack(&observers[0], MeetingCommand::OpenMeeting).await;

    let hasher = RandomState::new();
    let mut results = Vec::new();
    let mut closing_answers: BTreeMap<String, usize> = BTreeMap::new();
    for round in 1..=rounds {
        let started = Instant::now();
        let poll = PollId::new(format!("race-{round:02}")).unwrap();
        let create = MeetingCommand::CreatePoll {
            poll: poll.clone(),
            spec: named_motion(&format!("Biểu quyết lần {round}")),
        };
        // Created and opened through a different node each round.
        let leader = &observers[round % nodes_count];
        expect_ack(leader, create).await;
        let open = MeetingCommand::OpenPoll {
            poll: poll.clone(),
            deadline: None,
            // Nobody checked in: the chair opens it anyway.
            override_quorum: true,
        };
        expect_ack(leader, open).await;

        let (acked, watching) = watch::channel(0_usize);
        let spread = u64::try_from(SPREAD.as_nanos()).unwrap();
        let ballots: Vec<BallotId> = seats.iter().map(|_| random_id().unwrap()).collect();
        let delays: Vec<Duration> = (0..seats.len())
            .map(|index| Duration::from_nanos(hasher.hash_one((round, index)) % spread))
            .collect();
        let answers = voters
            .iter()
            .enumerate()
            .map(|(index, voter)| {
                let cast = MeetingCommand::CastBallot {
                    poll: poll.clone(),
                    round: 1,
                    ballot: ballots[index].clone(),
                    seat: None,
                    answers: vec![Selection::one(choice(index))],
                    replaces: None,
                };
                voter.send_at(cast, started + delays[index])
            })
            .collect();
        let threshold =
            SEATS / 5 + usize::try_from(hasher.hash_one(round)).unwrap() % (SEATS * 3 / 5);
        let closing = fire_closes(&closers, &poll, watching, threshold);
        let (cast, closes) = tokio::join!(crowd::settle_all(answers, Some(acked)), closing);

        let close_seq = check_closes(&mut report, round, &closes, &mut closing_answers);
        let views = observe(&mut report, &observers, &poll, close_seq).await;
        let Some(view) = views.first() else {
            continue;
        };
        let history: Vec<Operation> = cast
            .iter()
            .enumerate()
            .map(|(index, sent)| Operation {
                client: index,
                seat: seats[index].clone(),
                ballot: ballots[index].clone(),
                choice: choice(index),
                sent_at: delays[index],
                result: Outcome::of(&sent.answer),
                sends: sent.sends,
                echoes: Vec::new(),
            })
            .collect();
        let line = check_round(&mut report, round, &history, view);
        results.push((poll, view.results.clone()));
        report.line(format!(
            "round {round:>2}: closes fired at {threshold:>3} acks; {line}; {:.2} s",
            started.elapsed().as_secs_f64()
        ));
    }
    report.line(format!("what the closes got: {closing_answers:?}"));
    report.phase("rounds");

    // Every node, read afresh, reports every round's result as the observers saw it.
    for node in &cluster.nodes {
        let view = crowd::snapshot(&node.ws_url(), &people.chair, &meeting).await;
        for (poll, result) in &results {
            let now = view
                .polls
                .iter()
                .find(|view| view.id == *poll)
                .map(|view| &view.results);
            if now != Some(result) {
                report.violation(format!("{} reports another result for {poll}", node.name));
            }
        }
    }
    let mut everyone = observers;
    everyone.extend(closers);
    everyone.extend(voters);
    let reports = crowd::finish_all(everyone).await;
    report.phase("final reads");
    report.devices(&reports);
    for device in &reports {
        if let Some(follower) = &device.follower {
            let broken = follower.violations.iter().chain(&follower.resets);
            for violation in broken.take(3) {
                report.violation(format!("{}: {violation}", device.label));
            }
        }
    }
    report.finish();
}

/// Once `threshold` ballots are acknowledged, sends the 50 closes at once, spread over
/// the chair's consoles on every node; returns their answers.
async fn fire_closes(
    closers: &[Device],
    poll: &PollId,
    mut acked: watch::Receiver<usize>,
    threshold: usize,
) -> Vec<Sent> {
    // If the ballots are all answered first (too few acknowledged), close anyway.
    let _ = timeout(COMMAND_LIMIT, acked.wait_for(|acked| *acked >= threshold)).await;
    let answers = (0..CLOSES)
        .map(|index| {
            closers[index % closers.len()].send(MeetingCommand::ClosePoll { poll: poll.clone() })
        })
        .collect();
    crowd::settle_all(answers, None).await
}

/// Exactly one close is acknowledged, the others refused as closed; returns the
/// sequence number of the winning close.
fn check_closes(
    report: &mut Report,
    round: usize,
    closes: &[Sent],
    seen: &mut BTreeMap<String, usize>,
) -> Option<u64> {
    let mut won = Vec::new();
    for sent in closes {
        let said = match &sent.answer {
            Answer::Acked { seq, .. } => {
                won.push(*seq);
                "acked".to_owned()
            }
            Answer::Rejected { code, message } => format!("{code}: {message}"),
            Answer::Failed(why) => format!("failed: {why}"),
        };
        *seen.entry(said).or_default() += 1;
        if let Answer::Rejected { code, .. } = &sent.answer
            && *code != RejectionCode::PollClosed
        {
            report.violation(format!("round {round}: a close refused as {code}"));
        }
        if let Answer::Failed(why) = &sent.answer {
            report.violation(format!("round {round}: a close failed: {why}"));
        }
    }
    if won.len() != 1 {
        report.violation(format!("round {round}: {} closes acknowledged", won.len()));
    }
    won.first().copied()
}

/// The poll as each node's observer sees it once it has the close; they must agree.
async fn observe(
    report: &mut Report,
    observers: &[Device],
    poll: &PollId,
    close_seq: Option<u64>,
) -> Vec<PollView> {
    let mut views = Vec::new();
    for (index, observer) in observers.iter().enumerate() {
        if let Some(seq) = close_seq
            && timeout(Duration::from_secs(30), observer.reach(seq))
                .await
                .is_err()
        {
            report.violation(format!(
                "observer on n{} never saw the close {seq}",
                index + 1
            ));
        }
        match observer.poll(poll).await {
            Some(view) => views.push(view),
            None => report.violation(format!("observer on n{} does not see {poll}", index + 1)),
        }
    }
    if let Some(first) = views.first()
        && views
            .iter()
            .any(|view| view.results != first.results || view.voters != first.voters)
    {
        report.violation(format!("{poll}: the nodes report different results"));
    }
    views
}

/// The round's history against the closed poll: counted = acknowledged, every
/// acknowledged seat counted with its choice, none refused as closed counted, and no
/// ballot refused for another reason or left unanswered.
fn check_round(
    report: &mut Report,
    round: usize,
    history: &[Operation],
    view: &PollView,
) -> String {
    let mut refused_closed = 0;
    for operation in history {
        match &operation.result {
            Outcome::Ok(_) => {}
            Outcome::Refused(RejectionCode::PollClosed) => refused_closed += 1,
            other => report.violation(format!(
                "round {round}: {}'s ballot: {other:?}",
                operation.seat
            )),
        }
    }
    if view.status != PollStatus::Closed {
        report.violation(format!("round {round}: the poll is {:?}", view.status));
    }
    let verdict = history::check(history, view);
    for violation in verdict.violations {
        report.violation(format!("round {round}: {violation}"));
    }
    format!(
        "{} acked, {refused_closed} refused as closed, counted {}",
        verdict.ok, verdict.counted
    )
}

/// The option the seat at `index` chooses.
fn choice(index: usize) -> u16 {
    u16::try_from(index % 3).unwrap()
}

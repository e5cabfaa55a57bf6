//! The meeting of the "Done when" on three nodes: 300 delegates spread over the
//! nodes check in and vote at once in a named poll through their own node, under a
//! fault or none; then counted = acknowledged, no seat twice, every device saw every
//! event in order and ends at the meeting's head with the server's result.

use std::hash::{BuildHasher as _, RandomState};
use std::sync::Arc;
use std::time::Duration;

use quorum_client::random_id;
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::{ABSTAIN, NO, Selection, YES};
use quorum_domain::view::PollView;
use quorum_domain::{BallotId, MeetingCommand, MeetingId, MemberId, PollId};
use tokio::sync::watch;
use tokio::time::Instant;

use super::crowd::{self, expect_ack};
use super::device::{Answer, Device, DeviceSpec};
use super::fault::{self, Fault, Stores};
use super::history::{self, Operation, Outcome};
use super::meeting::{self, named_motion};
use super::presence;
use super::report::Report;
use crate::node::{Cluster, LogsOnFailure};

const NODES: usize = 3;
const DELEGATES: usize = 300;
const MEETING: &str = "hdnd-tinh-cluster";
const POLL: &str = "bq-1";

/// Runs the scenario under `fault`.
pub(crate) async fn run(fault: Fault) {
    let mut report = Report::new(&format!(
        "cluster: {NODES} nodes, {DELEGATES} devices, fault {fault:?}"
    ));
    let mut stores = Stores::for_fault(fault).await;
    let mut cluster = Cluster::configure(&stores.backends, NODES);
    let _logs = LogsOnFailure(cluster.log_paths());
    let people = meeting::open(&mut cluster, &mut report, MEETING, DELEGATES).await;

    let meeting = MeetingId::new(MEETING).unwrap();
    let poll = PollId::new(POLL).unwrap();
    let nodes = Arc::new(cluster.ws_urls());
    let spec = |label: &str, token: &str, home: usize| DeviceSpec {
        label: label.to_owned(),
        token: token.to_owned(),
        nodes: Arc::clone(&nodes),
        home,
        meeting: meeting.clone(),
        follow: true,
    };
    let chair = Device::start(spec("chair", &people.chair, 0))
        .await
        .unwrap();
    let labels: Vec<String> = people
        .delegates
        .iter()
        .map(|(member, _)| member.clone())
        .collect();
    let specs = people
        .delegates
        .iter()
        .enumerate()
        .map(|(index, (member, token))| spec(member, token, index % NODES))
        .collect();
    let devices = crowd::start(specs).await;
    report.phase("connect devices");

    expect_ack(&chair, MeetingCommand::OpenMeeting).await;
    let check_in = || MeetingCommand::CheckIn {
        member: None,
        mode: PresenceMode::InRoom,
    };
    let answers = devices
        .iter()
        .map(|device| device.send(check_in()))
        .collect();
    let checked_in = crowd::settle_all(answers, None).await;
    for (label, sent) in labels.iter().zip(&checked_in) {
        if !matches!(sent.answer, Answer::Acked { .. }) {
            report.violation(format!("{label}'s check-in: {:?}", sent.answer));
        }
    }
    report.phase("check in (at once)");
    let create = MeetingCommand::CreatePoll {
        poll: poll.clone(),
        spec: named_motion("Nghị quyết về kế hoạch đầu tư công năm 2027"),
    };
    expect_ack(&chair, create).await;
    let open = MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: false,
    };
    expect_ack(&chair, open).await;

    // The burst: every delegate votes through its own node, spread over `fault.spread()`,
    // while the fault strikes; each device sends its ballot until it is answered.
    let ballots: Vec<BallotId> = (0..DELEGATES).map(|_| random_id().unwrap()).collect();
    let choices: Vec<u16> = (0..DELEGATES)
        .map(|index| [YES, NO, ABSTAIN][index % 3])
        .collect();
    let (acked, watching) = watch::channel(0_usize);
    let burst_start = Instant::now();
    let spread_nanos = u64::try_from(fault.spread().as_nanos()).unwrap().max(1);
    let hasher = RandomState::new();
    let delays: Vec<Duration> = (0..DELEGATES)
        .map(|index| Duration::from_nanos(hasher.hash_one(index) % spread_nanos))
        .collect();
    let answers = devices
        .iter()
        .enumerate()
        .map(|(index, device)| {
            let cast = MeetingCommand::CastBallot {
                poll: poll.clone(),
                round: 1,
                ballot: ballots[index].clone(),
                seat: None,
                answers: vec![Selection::one(choices[index])],
                replaces: None,
            };
            device.send_at(cast, burst_start + delays[index])
        })
        .collect();
    let (cast, fault_log) = tokio::join!(
        crowd::settle_all(answers, Some(acked)),
        fault::inject(fault, &mut cluster, &mut stores, watching, DELEGATES),
    );
    report.phase("vote (burst + fault)");
    for event in &fault_log.events {
        report.line(format!("  {event}"));
    }
    report.violations.extend(fault_log.violations);

    let close = MeetingCommand::ClosePoll { poll: poll.clone() };
    expect_ack(&chair, close).await;
    let published = expect_ack(&chair, MeetingCommand::PublishPoll { poll: poll.clone() }).await;
    let mut everyone = devices;
    everyone.push(chair);
    let mut everyone_labels = labels.clone();
    everyone_labels.push("chair".to_owned());
    let late = crowd::reach_all(&everyone, &everyone_labels, published).await;
    if !late.is_empty() {
        report.violation(format!(
            "{} devices never saw the publication {published}: {:?}",
            late.len(),
            &late[..late.len().min(10)]
        ));
    }
    report.phase("close, publish, catch up");

    // The head is what the nodes say once the devices have the publication: nothing
    // should come after it, but if the cluster logs something (such as presence after
    // the kill), the devices must see that too.
    let mut views = Vec::new();
    for node in &mut cluster.nodes {
        if !node.is_running() {
            continue;
        }
        let view = crowd::snapshot(&node.ws_url(), &people.chair, &meeting).await;
        views.push((node.name.clone(), view));
    }
    let head = views.iter().map(|(_, view)| view.seq).max().unwrap();
    if head != published {
        report.line(format!(
            "events after the publication ({published}): the head is {head}"
        ));
        let late = crowd::reach_all(&everyone, &everyone_labels, head).await;
        if !late.is_empty() {
            report.violation(format!(
                "{} devices never reached the head {head}",
                late.len()
            ));
        }
    }
    if fault == Fault::KillNode {
        presence::check_after_kill(&mut report, &mut cluster, &people.chair, MEETING, DELEGATES)
            .await;
        report.phase("presence after the kill");
    }
    let reports = crowd::finish_all(everyone).await;
    report.phase("final reads");

    let (first_node, first_view) = &views[0];
    let server = first_view
        .polls
        .iter()
        .find(|view| view.id == poll)
        .expect("the poll")
        .clone();
    for (node, view) in &views {
        if view.seq != head {
            report.violation(format!(
                "{node} is at {} while the head is {head}",
                view.seq
            ));
        }
        let results = view
            .polls
            .iter()
            .find(|view| view.id == poll)
            .map(|view| &view.results);
        if results != Some(&server.results) {
            report.violation(format!("{node}'s result differs from {first_node}'s"));
        }
    }
    let history: Vec<Operation> = cast
        .iter()
        .enumerate()
        .map(|(index, sent)| Operation {
            client: index,
            seat: MemberId::new(labels[index].as_str()).unwrap(),
            ballot: ballots[index].clone(),
            choice: choices[index],
            sent_at: delays[index],
            result: Outcome::of(&sent.answer),
            sends: sent.sends,
            echoes: Vec::new(),
        })
        .collect();
    check_ballots(&mut report, &history, &server);
    for device in &reports {
        let Some(follower) = &device.follower else {
            continue;
        };
        let broken = follower.violations.iter().chain(&follower.resets);
        for violation in broken.take(3) {
            report.violation(format!("{}: {violation}", device.label));
        }
        let span = follower.last_seq.saturating_sub(follower.first_seq);
        let whole = follower.violations.is_empty() && follower.resets.is_empty();
        if whole && follower.updates != span {
            report.violation(format!(
                "{} applied {} updates from {} to {}",
                device.label, follower.updates, follower.first_seq, follower.last_seq
            ));
        }
        if follower.last_seq != head {
            report.violation(format!(
                "{} ended at {} while the head is {head}",
                device.label, follower.last_seq
            ));
        }
        let seen = follower.polls.get(&poll).map(|view| &view.results);
        if seen != Some(&server.results) {
            report.violation(format!(
                "{} sees another result than the server",
                device.label
            ));
        }
    }
    if fault == Fault::KillNode {
        check_moved(&mut report, &reports);
    }
    report.devices(&reports);
    report.finish();
}

/// Every device sends its ballot until it is answered, so every ballot is acknowledged;
/// the history then holds against the published poll.
fn check_ballots(report: &mut Report, history: &[Operation], server: &PollView) {
    let verdict = history::check(history, server);
    report.line(verdict.summary());
    for operation in history {
        if !matches!(operation.result, Outcome::Ok(_)) {
            report.violation(format!(
                "{}'s ballot: {:?}",
                operation.seat, operation.result
            ));
        }
    }
    if server.status != PollStatus::Published {
        report.violation(format!("the poll is {:?}, not published", server.status));
    }
    report.violations.extend(verdict.violations);
}

/// R3: the killed node's devices moved and resynced within 10 s.
fn check_moved(report: &mut Report, reports: &[super::device::DeviceReport]) {
    let moved: Vec<_> = reports
        .iter()
        .filter(|device| device.reconnects > 0)
        .collect();
    let quick = moved
        .iter()
        .filter(|device| {
            let total: Duration = device.reconnect_times.iter().sum();
            total <= Duration::from_secs(10)
        })
        .count();
    report.line(format!(
        "moved after the kill: {}, resynced within 10 s: {quick}",
        moved.len()
    ));
    if moved.len() < DELEGATES / NODES {
        report.violation(format!(
            "only {} devices moved off the killed node",
            moved.len()
        ));
    }
    if quick * 100 < moved.len() * 99 {
        report.violation(format!("{quick} of {} resynced within 10 s", moved.len()));
    }
}

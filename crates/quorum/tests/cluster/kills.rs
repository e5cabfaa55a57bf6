//! Reliability D1 in the embedded mode, and D2 in the cluster mode: one `quorum serve` on
//! SQLite, or in turn each of three nodes, killed with SIGKILL and started again on its
//! data directory several times while clients cast the seats' ballots, each client taking the next seat, casting over a fresh connection and sending
//! the ballot again across restarts until it is answered, then three times more over new
//! connections (D4: the same receipt each time). Then the history is held
//! against the published poll, the chair's console (following throughout) against the
//! server, and `quorum verify` against what is on disk.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quorum_client::random_id;
use quorum_domain::poll::question::{ABSTAIN, NO, Selection, YES};
use quorum_domain::{BallotId, MeetingCommand, MeetingId, MemberId, PollId};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

use super::crowd::{self, expect_ack};
use super::device::{Device, DeviceSpec};
use super::fault::Hub;
use super::history::{self, Operation, Outcome};
use super::meeting::{self, named_motion};
use super::report::Report;
use crate::node::LogsOnFailure;

const MEETING: &str = "hdnd-tinh-kills";
const POLL: &str = "bq-1";
/// How many times each ballot is sent again once answered, over a new connection each
/// time (D4).
const RESENDS: usize = 3;
/// How long a client keeps trying to reach a hub that is down before it gives up on a
/// seat (its ballot then counts as never sent).
const REACH_LIMIT: Duration = Duration::from_secs(60);

/// How big the run is: the test command's, or the reliability table's with
/// `QUORUM_FULL_SCALE=1`.
#[derive(Debug, Clone, Copy)]
struct Scale {
    voters: usize,
    clients: usize,
    kills: usize,
}

impl Scale {
    fn chosen() -> Scale {
        if std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1") {
            Scale {
                voters: 10_000,
                clients: 200,
                kills: 20,
            }
        } else {
            Scale {
                voters: 1_000,
                clients: 50,
                kills: 5,
            }
        }
    }
}

/// Runs the scenario on `hub`.
pub(crate) async fn run(hub: Hub) {
    let scale = Scale::chosen();
    let mut report = Report::new(&format!(
        "{hub:?}: a node killed {} times: {} voters, {} clients",
        scale.kills, scale.voters, scale.clients
    ));
    // Declared before the cluster, so dropped after it: the nodes stop first.
    let (_stores, mut cluster) = hub.configure().await;
    let _logs = LogsOnFailure(cluster.log_paths());
    let people = meeting::open(&mut cluster, &mut report, MEETING, scale.voters).await;
    let meeting = MeetingId::new(MEETING).unwrap();
    let poll = PollId::new(POLL).unwrap();
    let nodes = Arc::new(cluster.ws_urls());
    let spec = |label: &str, token: &str, home: usize, follow: bool| DeviceSpec {
        label: label.to_owned(),
        token: token.to_owned(),
        nodes: Arc::clone(&nodes),
        home,
        meeting: meeting.clone(),
        follow,
    };

    // The chair's console follows the meeting through every kill.
    let chair = Device::start(spec("chair", &people.chair, 0, true))
        .await
        .unwrap();
    expect_ack(&chair, MeetingCommand::OpenMeeting).await;
    let create = MeetingCommand::CreatePoll {
        poll: poll.clone(),
        spec: named_motion("Nghị quyết về phòng, chống thiên tai năm 2027"),
    };
    expect_ack(&chair, create).await;
    let open = MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: true,
    };
    expect_ack(&chair, open).await;
    report.phase("open the poll");

    // The burst, and the kills at evenly spaced counts of acknowledged ballots.
    let seats: Arc<Vec<(String, String)>> = Arc::new(people.delegates.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let (acked, watching) = watch::channel(0_usize);
    let started = Instant::now();
    let mut clients = JoinSet::new();
    for client in 0..scale.clients {
        let seats = Arc::clone(&seats);
        let next = Arc::clone(&next);
        let acked = acked.clone();
        let template = spec("", "", client % nodes.len(), false);
        let poll = poll.clone();
        clients.spawn(async move {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((member, token)) = seats.get(index) else {
                    break;
                };
                let device = DeviceSpec {
                    label: member.clone(),
                    token: token.clone(),
                    ..template.clone()
                };
                let choice = [YES, NO, ABSTAIN][index % 3];
                let operation = cast(client, device, &poll, choice, started).await;
                if matches!(operation.result, Outcome::Ok(_)) {
                    acked.send_modify(|acked| *acked += 1);
                }
                done.push(operation);
            }
            done
        });
    }
    drop(acked);
    let mut restarts = Vec::new();
    let mut watching = watching;
    for kill in 1..=scale.kills {
        let at = kill * scale.voters / (scale.kills + 1);
        if watching.wait_for(|acked| *acked >= at).await.is_err() {
            report.violation(format!("the burst ended before kill {kill} (at {at} acks)"));
            break;
        }
        let count = cluster.nodes.len();
        let node = &mut cluster.nodes[kill % count];
        let down = Instant::now();
        if let Err(error) = node.restart().await {
            panic!("restart {kill}: {error}");
        }
        restarts.push(down.elapsed());
    }
    let mut history = Vec::new();
    while let Some(joined) = clients.join_next().await {
        history.extend(joined.unwrap());
    }
    report.phase("vote (burst + kills)");
    report.line(format!(
        "  {} kills; SIGKILL to ready again: {}",
        restarts.len(),
        spread(&restarts)
    ));

    // The faults are over: close, publish, and read the final state afresh.
    expect_ack(&chair, MeetingCommand::ClosePoll { poll: poll.clone() }).await;
    let published = expect_ack(&chair, MeetingCommand::PublishPoll { poll: poll.clone() }).await;
    let url = cluster.nodes[0].ws_url();
    let view = crowd::snapshot(&url, &people.chair, &meeting).await;
    let server = view
        .polls
        .iter()
        .find(|view| view.id == poll)
        .expect("the poll")
        .clone();
    let verdict = history::check(&history, &server);
    report.line(verdict.summary());
    report.violations.extend(verdict.violations);
    if history.len() != scale.voters {
        report.violation(format!(
            "{} ballots sent for {} seats",
            history.len(),
            scale.voters
        ));
    }

    // The console that lived through every kill shows what the server shows.
    if crowd::reach_all(
        std::slice::from_ref(&chair),
        &["chair".to_owned()],
        published,
    )
    .await
    .is_empty()
    {
        let seen = chair.poll(&poll).await;
        let same = seen
            .as_ref()
            .is_some_and(|seen| seen.results == server.results && seen.voters == server.voters);
        if !same {
            report.violation("the chair's console differs from the server's poll".into());
        }
    } else {
        report.violation(format!(
            "the chair's console never saw the publication {published}"
        ));
    }
    // Its resumes were gap-free and duplicate-free, or answered with a snapshot when a
    // restarted hub no longer held the missed events (R2).
    let chair_report = chair.finish().await;
    let resets = chair_report
        .follower
        .as_ref()
        .map_or(0, |follower| follower.resets.len());
    report.line(format!(
        "  the chair's console reconnected {} times; {resets} resumes answered with a snapshot",
        chair_report.reconnects
    ));
    if let Some(follower) = &chair_report.follower {
        for violation in follower.violations.iter().take(3) {
            report.violation(format!("chair: {violation}"));
        }
    }
    report.phase("close, publish, check");

    // D6 on the SQLite file the kills left (`quorum verify` reads the embedded store;
    // on the cluster the checker's recount above stands for it): the chain holds, the
    // poll recounts.
    if hub == Hub::Embedded {
        cluster.nodes[0].kill();
        let verified = cluster.admin(&["verify", "--meeting", MEETING]).await;
        if !verified.contains("intact") || !verified.contains("1 poll result recounted") {
            report.violation(format!("quorum verify: {verified}"));
        }
        report.phase("quorum verify");
    }
    report.finish();
}

/// One seat's ballot from a fresh device, sent until answered; then sent again
/// `RESENDS` times, each over a new connection; what became of it.
async fn cast(
    client: usize,
    spec: DeviceSpec,
    poll: &PollId,
    choice: u16,
    started: Instant,
) -> Operation {
    let seat = MemberId::new(spec.label.as_str()).unwrap();
    let ballot: BallotId = random_id().unwrap();
    let mut operation = Operation {
        client,
        seat,
        ballot: ballot.clone(),
        choice,
        sent_at: started.elapsed(),
        result: Outcome::NotSent(format!("no hub reached within {REACH_LIMIT:?}")),
        sends: 0,
        echoes: Vec::new(),
    };
    let command = MeetingCommand::CastBallot {
        poll: poll.clone(),
        round: 1,
        ballot,
        seat: None,
        answers: vec![Selection::one(choice)],
        replaces: None,
    };
    for attempt in 0..=RESENDS {
        let Some(device) = reach(spec.clone()).await else {
            break;
        };
        let sent = device.run(command.clone()).await;
        let outcome = Outcome::of(&sent.answer);
        if attempt == 0 {
            operation.result = outcome;
            operation.sends = sent.sends;
        } else {
            operation.echoes.push(outcome);
        }
        let _ = device.finish().await;
    }
    operation
}

/// A device connected to the hub, trying again while the hub is down.
async fn reach(spec: DeviceSpec) -> Option<Device> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match Device::start(spec.clone()).await {
            Ok(device) => return Some(device),
            Err(_) if started.elapsed() < REACH_LIMIT => {
                sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(500));
            }
            Err(_) => return None,
        }
    }
}

/// The least, median and greatest of some durations.
fn spread(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    match (sorted.first(), sorted.get(sorted.len() / 2), sorted.last()) {
        (Some(least), Some(median), Some(most)) => {
            format!("least {least:.2?}, median {median:.2?}, most {most:.2?}")
        }
        _ => "none".into(),
    }
}

//! Reliability D1 at a small scale, through the real binary: the hub is killed with
//! SIGKILL while 30 delegates vote, restarted on the same data directory, and every
//! acknowledged ballot must still be there, once, with its receipt; then D6 on what is
//! stored: `quorum verify` finds the chain intact and recounts the closed poll.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher as _, RandomState};
use std::time::{Duration, Instant};

use quorum_client::{CommandOutcome, ConnectOptions, Connection, Http, random_id};
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::{ABSTAIN, NO, Selection, YES};
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::view::PollView;
use quorum_domain::{BallotId, MeetingCommand, MeetingId, MeetingView, MemberId, PollId};
use quorum_protocol::RequestId;
use tokio::sync::watch;
use tokio::task::JoinSet;

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/server.rs"]
mod server;

use server::{DemoFile, Server, free_port};

/// Ballots sent but not yet acknowledged at any moment: enough for the kill to
/// catch some in flight, few enough that some are not sent yet.
const IN_FLIGHT: usize = 8;
/// How long the server may take to start, and any one answer.
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ballots_survive_a_kill_and_resends_count_once() {
    let started = Instant::now();
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();

    let mut server = Server::demo(data.path(), port, &logs.path().join("first.log")).await;
    let demo = DemoFile::read(data.path());
    let http = Http::new(&demo.url).unwrap();
    let meeting = demo.meeting.clone();
    let poll = PollId::new("bq-1").unwrap();

    // Everyone signs in; the delegates check in; the chair opens the poll.
    let chair_token = http.redeem(&demo.chair.code).await.unwrap().token;
    let mut delegates = Vec::new();
    for (index, link) in demo.delegates.iter().enumerate() {
        let session = http.redeem(&link.code).await.unwrap();
        let member = link.member.clone().unwrap();
        assert_eq!(session.session.member.as_ref(), Some(&member));
        delegates.push(Delegate {
            member,
            token: session.token,
            ballot: random_id().unwrap(),
            answer: [YES, NO, ABSTAIN][index % 3],
        });
    }
    assert_eq!(delegates.len(), 30, "the demo has 30 delegates");
    let mut connections = Vec::new();
    for delegate in &delegates {
        let mut connection = connect(&demo.ws_url, &delegate.token).await;
        let check_in = MeetingCommand::CheckIn {
            member: None,
            mode: PresenceMode::InRoom,
        };
        acked(connection.command(&meeting, check_in).await.unwrap());
        connections.push(connection);
    }
    let mut console = connect(&demo.ws_url, &chair_token).await;
    let open = MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: false,
    };
    acked(console.command(&meeting, open).await.unwrap());
    let round = poll_view(&mut console, &meeting, &poll).await.round;

    // The delegates vote, at most IN_FLIGHT unanswered at once; the hub is killed after
    // a random number of acknowledgements.
    let kill_after = 6 + usize::try_from(RandomState::new().hash_one(Instant::now()) % 9).unwrap();
    let (progress, _) = watch::channel(Progress::default());
    let mut voting = JoinSet::new();
    for (index, (delegate, connection)) in delegates.iter().zip(connections).enumerate() {
        let cast = delegate.cast(&poll, round);
        let meeting = meeting.clone();
        let progress = progress.clone();
        voting.spawn(async move {
            let fate = vote(index, connection, &meeting, cast, &progress).await;
            (index, fate)
        });
    }
    let mut watching = progress.subscribe();
    tokio::time::timeout(
        WAIT,
        watching.wait_for(|progress| progress.acked >= kill_after),
    )
    .await
    .expect("the delegates' ballots were not acknowledged in time")
    .unwrap();
    server.kill();
    progress.send_modify(|progress| progress.killed = true);
    let mut fates = vec![None; delegates.len()];
    while let Some(joined) = tokio::time::timeout(WAIT, voting.join_next())
        .await
        .expect("a voter was still waiting 10 s after the kill")
    {
        let (index, fate) = joined.unwrap();
        fates[index] = Some(fate);
    }
    let fates: Vec<Fate> = fates.into_iter().map(Option::unwrap).collect();
    let acked_before: BTreeMap<&MemberId, &Receipt> = delegates
        .iter()
        .zip(&fates)
        .filter_map(|(delegate, fate)| match fate {
            Fate::Acked(receipt) => Some((&delegate.member, receipt)),
            _ => None,
        })
        .collect();
    drop(console);

    // The same data directory again, with --demo, which must not seed a second time.
    drop(server);
    let mut restarted = Server::demo(data.path(), port, &logs.path().join("second.log")).await;

    // Sessions survive the restart.
    let mut console = connect(&demo.ws_url, &chair_token).await;
    let view = poll_view(&mut console, &meeting, &poll).await;
    assert_eq!(view.status, PollStatus::Open, "the poll is still open");
    let counted: BTreeSet<&MemberId> = seats(&view);
    for member in acked_before.keys() {
        assert!(
            counted.contains(member),
            "the acknowledged ballot of {member} was lost in the crash"
        );
    }
    let cast_by_us: BTreeSet<&MemberId> = delegates.iter().map(|d| &d.member).collect();
    assert!(
        counted.is_subset(&cast_by_us),
        "counted ballots nobody cast: {counted:?}"
    );
    let counted_after_restart = counted.len();

    // Every delegate sends its ballot again, with the same ballot id.
    let mut resending = JoinSet::new();
    for (index, delegate) in delegates.iter().enumerate() {
        let url = demo.ws_url.clone();
        let token = delegate.token.clone();
        let cast = delegate.cast(&poll, round);
        let meeting = meeting.clone();
        let member = delegate.member.clone();
        resending.spawn(async move {
            let (mut connection, welcome) = Connection::connect(&url, &ConnectOptions::new(token))
                .await
                .expect("a session from before the crash still signs in");
            assert_eq!(welcome.session.member, Some(member));
            let outcome = connection.command(&meeting, cast).await.unwrap();
            (index, receipt_of(&outcome))
        });
    }
    let mut receipts = vec![None; delegates.len()];
    while let Some(joined) = tokio::time::timeout(WAIT, resending.join_next())
        .await
        .expect("resends not answered in time")
    {
        let (index, receipt) = joined.unwrap();
        receipts[index] = Some(receipt);
    }
    let receipts: Vec<Receipt> = receipts.into_iter().map(Option::unwrap).collect();
    for ((delegate, fate), receipt) in delegates.iter().zip(&fates).zip(&receipts) {
        if let Fate::Acked(before) = fate {
            assert_eq!(
                before, receipt,
                "{}'s resent ballot got another receipt",
                delegate.member
            );
        }
    }

    // Close and publish: every delegate counted once, with the answer it sent.
    let close = MeetingCommand::ClosePoll { poll: poll.clone() };
    acked(console.command(&meeting, close).await.unwrap());
    let publish = MeetingCommand::PublishPoll { poll: poll.clone() };
    acked(console.command(&meeting, publish).await.unwrap());
    let view = poll_view(&mut console, &meeting, &poll).await;
    let results = view.results.as_ref().unwrap();
    assert!(results.r#final);
    let voters = view.voters.as_ref().unwrap();
    let seats_counted: Vec<&MemberId> = voters.iter().map(|vote| &vote.seat).collect();
    let distinct: BTreeSet<&MemberId> = seats_counted.iter().copied().collect();
    assert_eq!(distinct.len(), seats_counted.len(), "a seat counted twice");
    assert_eq!(
        distinct, cast_by_us,
        "every delegate who got an ack is counted"
    );
    assert_eq!(results.tally.ballots.ballots, 30);
    for answer in [YES, NO, ABSTAIN] {
        let expected = delegates.iter().filter(|d| d.answer == answer).count();
        let option = &results.tally.questions[0].options[usize::from(answer)];
        assert_eq!(option.ballots, u64::try_from(expected).unwrap());
    }
    let published: BTreeSet<&Receipt> = view
        .receipts
        .as_ref()
        .unwrap()
        .iter()
        .map(|entry| {
            assert!(entry.counted);
            &entry.receipt
        })
        .collect();
    assert_eq!(published, receipts.iter().collect::<BTreeSet<_>>());

    // D6 on what the kill left on disk: the record's chain holds, and the closed poll's
    // stored result recounts from its stored ballots (`quorum verify`, the hub stopped).
    assert!(
        restarted.terminate(WAIT),
        "the restarted hub did not stop on SIGTERM"
    );
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
        .args(["verify", "--meeting", meeting.as_str(), "--data"])
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "quorum verify: {printed}");
    assert!(printed.contains("intact"), "{printed}");
    assert!(printed.contains("1 poll result recounted"), "{printed}");

    let elapsed = started.elapsed();
    let reasons: BTreeSet<&str> = fates
        .iter()
        .filter_map(|fate| match fate {
            Fate::Acked(_) => None,
            Fate::Failed(reason) | Fate::Unknown(reason) => Some(reason.as_str()),
        })
        .collect();
    report(&format!(
        "crash test: killed after {kill_after} acks seen; before the kill {} acked, {} failed, {} unknown; {counted_after_restart} counted after the restart; took {elapsed:.1?}; {reasons:?}",
        acked_before.len(),
        fates
            .iter()
            .filter(|fate| matches!(fate, Fate::Failed(_)))
            .count(),
        fates
            .iter()
            .filter(|fate| matches!(fate, Fate::Unknown(_)))
            .count(),
    ));
}

/// One delegate of the demo.
struct Delegate {
    member: MemberId,
    token: String,
    ballot: BallotId,
    answer: u16,
}

impl Delegate {
    fn cast(&self, poll: &PollId, round: u32) -> MeetingCommand {
        MeetingCommand::CastBallot {
            poll: poll.clone(),
            round,
            ballot: self.ballot.clone(),
            seat: None,
            answers: vec![Selection::one(self.answer)],
            replaces: None,
        }
    }
}

/// What became of a ballot sent before the kill.
#[derive(Debug, Clone)]
enum Fate {
    /// Acknowledged, with its receipt: it must be counted.
    Acked(Receipt),
    /// Certainly not done: not sent, or refused.
    Failed(String),
    /// Sent, but no answer came: it may or may not have been counted.
    Unknown(String),
}

/// How the vote is going, shared by the voters and the test.
#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    acked: usize,
    killed: bool,
}

/// Sends one ballot once it is this voter's turn, and says what became of it.
async fn vote(
    index: usize,
    mut connection: Connection,
    meeting: &MeetingId,
    cast: MeetingCommand,
    progress: &watch::Sender<Progress>,
) -> Fate {
    let mut turn = progress.subscribe();
    let go = turn
        .wait_for(|progress| progress.killed || progress.acked + IN_FLIGHT > index)
        .await
        .map(|progress| progress.killed);
    if !matches!(go, Ok(false)) {
        return Fate::Failed("not sent: the hub was down".into());
    }
    let request: RequestId = random_id().unwrap();
    if let Err(error) = connection
        .send_command(request.clone(), meeting, cast)
        .await
    {
        return Fate::Unknown(format!("send: {error}"));
    }
    match connection.outcome(&request).await {
        Ok(CommandOutcome::Acked {
            receipt: Some(receipt),
            ..
        }) => {
            progress.send_modify(|progress| progress.acked += 1);
            Fate::Acked(receipt)
        }
        Ok(other) => Fate::Failed(format!("{other:?}")),
        Err(error) => Fate::Unknown(error.to_string()),
    }
}

async fn connect(url: &str, token: &str) -> Connection {
    Connection::connect(url, &ConnectOptions::new(token))
        .await
        .unwrap()
        .0
}

async fn poll_view(console: &mut Connection, meeting: &MeetingId, poll: &PollId) -> PollView {
    let view: MeetingView = match console.subscribe(meeting, None).await {
        Ok(quorum_client::Subscribed::Snapshot { view, .. }) => view,
        other => panic!("expected a snapshot, got {other:?}"),
    };
    view.polls
        .into_iter()
        .find(|view| view.id == *poll)
        .unwrap()
}

/// The seats a named poll lists as having voted, each at most once.
fn seats(view: &PollView) -> BTreeSet<&MemberId> {
    let voters = view.voters.as_ref().expect("the chair sees who voted");
    let seats: BTreeSet<&MemberId> = voters.iter().map(|vote| &vote.seat).collect();
    assert_eq!(seats.len(), voters.len(), "a seat counted twice");
    seats
}

fn acked(outcome: CommandOutcome) {
    assert!(
        matches!(outcome, CommandOutcome::Acked { .. }),
        "expected an ack, got {outcome:?}"
    );
}

fn receipt_of(outcome: &CommandOutcome) -> Receipt {
    match outcome {
        CommandOutcome::Acked {
            receipt: Some(receipt),
            ..
        } => receipt.clone(),
        other => panic!("a resent ballot must be acknowledged with its receipt: {other:?}"),
    }
}

#[allow(
    clippy::print_stdout,
    reason = "the figures of the run, for --nocapture"
)]
fn report(line: &str) {
    println!("{line}");
}

//! Devices that lose the hub and come back (reliability R1, R2, D4, D1): a resume gets
//! exactly the missed updates or says it cannot, a resent ballot keeps its receipt and
//! counts once, and a restarted hub keeps every acknowledged event.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quorum_client::{
    ClientError, CommandOutcome, ConnectOptions, Connection, MeetingMirror, Subscribed,
    new_request_id, random_id,
};
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::{NO, Selection, YES};
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::view::PollView;
use quorum_domain::{BallotId, MeetingCommand, MeetingId, MemberId, PollId, RejectionCode};
use quorum_gateway::close::GOING_AWAY;
use quorum_gateway::room::CommandOutcome as HubOutcome;
use quorum_protocol::ServerMessage;
use quorum_store::EventLog as _;

use super::support::{TestHub, TestMeeting, actor, check_in, log_released};

/// How long any one awaited message may take.
const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_device_that_missed_events_gets_exactly_them_on_resume() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-resume", 3).await;
    let token = hub.member_token(&meeting.delegates[0]).await;
    let (mut device, _) = hub.connect(&token).await;
    let mut mirror = follow(&mut device, &meeting.id).await;
    let last = mirror.last_seq();
    drop(device);

    let now = churn(&hub, &meeting, 20).await;
    assert!(now >= last + 20, "20 commands made {} events", now - last);

    let (mut device, _) = hub.connect(&token).await;
    let resumed = device.subscribe(&meeting.id, Some(last)).await.unwrap();
    let Subscribed::Resumed {
        recovered: true,
        updates,
        snapshot: None,
        ..
    } = &resumed
    else {
        panic!("expected a recovered resume, got {resumed:?}");
    };
    let numbers = covered(updates);
    assert_eq!(numbers, (last + 1..=now).collect::<Vec<_>>());
    mirror.resume(resumed).unwrap();
    assert_eq!(mirror.last_seq(), now);
    assert_same_state(&hub, &token, &meeting, &mirror).await;

    // Live updates continue right after the resumed ones: no gap, no duplicate.
    let next = churn(&hub, &meeting, 1).await;
    while mirror.last_seq() < next {
        let message = device.next_message(WAIT).await.unwrap();
        mirror.apply(&message).unwrap();
    }
    assert_eq!(mirror.last_seq(), next);
}

#[tokio::test]
async fn resumes_while_events_flow_are_gap_free_and_end_in_the_servers_state() {
    let hub = TestHub::start().await;
    let meeting = Arc::new(hub.meeting("hop-flow", 4).await);
    let token = hub.member_token(&meeting.delegates[0]).await;
    let (mut device, _) = hub.connect(&token).await;
    let mut mirror = follow(&mut device, &meeting.id).await;

    let stop = Arc::new(AtomicBool::new(false));
    let flow = {
        let hub = hub.hub.clone();
        let meeting = Arc::clone(&meeting);
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let members = &meeting.delegates[1..];
            let mut last = 0;
            for step in 0..2_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (member, command) = presence_step(members, step);
                match hub.execute(&meeting.id, actor(member), command).await {
                    Ok(HubOutcome::Acked { seq, .. }) => last = seq,
                    other => panic!("a presence change was refused: {other:?}"),
                }
            }
            last
        })
    };

    for cut in 0..5 {
        // Read a few live updates, then lose the connection without a word.
        for _ in 0..3 {
            let message = device.next_message(WAIT).await.unwrap();
            mirror.apply(&message).unwrap();
        }
        drop(device);
        let (mut again, _) = hub.connect(&token).await;
        let since = mirror.last_seq();
        let resumed = again.subscribe(&meeting.id, Some(since)).await.unwrap();
        assert!(
            matches!(
                resumed,
                Subscribed::Resumed {
                    recovered: true,
                    ..
                }
            ),
            "cut {cut}: expected a recovered resume, got {resumed:?}"
        );
        mirror.resume(resumed).unwrap();
        device = again;
    }
    stop.store(true, Ordering::Relaxed);
    let last = flow.await.unwrap();
    while mirror.last_seq() < last {
        let message = device.next_message(WAIT).await.unwrap();
        mirror.apply(&message).unwrap();
    }
    assert_eq!(mirror.last_seq(), last);
    assert_same_state(&hub, &token, &meeting, &mirror).await;
}

#[tokio::test]
async fn a_resume_beyond_the_window_says_so_and_sends_a_snapshot() {
    let hub = TestHub::start_with(|config| config.limits.resume_window = 5).await;
    let meeting = hub.meeting("hop-window", 3).await;
    let token = hub.member_token(&meeting.delegates[0]).await;
    let (mut device, _) = hub.connect(&token).await;
    let mut mirror = follow(&mut device, &meeting.id).await;
    let last = mirror.last_seq();
    drop(device);

    let now = churn(&hub, &meeting, 20).await;
    let (mut device, _) = hub.connect(&token).await;
    let resumed = device.subscribe(&meeting.id, Some(last)).await.unwrap();
    match &resumed {
        Subscribed::Resumed {
            recovered: false,
            updates,
            snapshot: Some(view),
            ..
        } => {
            assert!(updates.is_empty(), "a snapshot comes without updates");
            assert_eq!(view.seq, now);
        }
        other => panic!("expected an unrecovered resume with a snapshot, got {other:?}"),
    }
    mirror.resume(resumed).unwrap();
    assert_eq!(mirror.last_seq(), now);
    assert_same_state(&hub, &token, &meeting, &mirror).await;

    // The window's edge: the last 5 events can be replayed, a sixth cannot.
    match device.subscribe(&meeting.id, Some(now - 5)).await.unwrap() {
        Subscribed::Resumed {
            recovered: true,
            updates,
            ..
        } => {
            let numbers = covered(&updates);
            assert_eq!(numbers, (now - 4..=now).collect::<Vec<_>>());
        }
        other => panic!("5 missed events fit a window of 5, got {other:?}"),
    }
    let beyond = device.subscribe(&meeting.id, Some(now - 6)).await.unwrap();
    assert!(
        matches!(&beyond, Subscribed::Resumed { recovered: false, snapshot: Some(view), .. } if view.seq == now),
        "6 missed events do not fit a window of 5: {beyond:?}"
    );
    // A device ahead of the hub (it saw events the hub no longer has) gets a snapshot,
    // never a silent gap.
    let ahead = device.subscribe(&meeting.id, Some(now + 10)).await.unwrap();
    assert!(
        matches!(&ahead, Subscribed::Resumed { recovered: false, snapshot: Some(view), .. } if view.seq == now),
        "a device ahead of the hub must get a snapshot: {ahead:?}"
    );
}

/// R2 across a hall: every device that resumes past the window, all at once, is told
/// so and gets a snapshot at the head; none is sent a partial history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_device_resuming_beyond_the_window_at_once_gets_a_snapshot() {
    const DEVICES: usize = 200;
    let hub = TestHub::start_with(|config| config.limits.resume_window = 5).await;
    let meeting = hub.meeting("hop-ca-hoi-truong", DEVICES).await;
    let mut devices = Vec::new();
    for member in &meeting.delegates {
        let token = hub.member_token(member).await;
        let (mut device, _) = hub.connect(&token).await;
        let mirror = follow(&mut device, &meeting.id).await;
        devices.push((token, mirror));
    }
    let now = churn(&hub, &meeting, 20).await;

    let resumed = futures_util::future::join_all(devices.into_iter().map(|(token, mirror)| {
        let hub = &hub;
        let meeting = &meeting;
        async move {
            let (mut device, _) = hub.connect(&token).await;
            let since = mirror.last_seq();
            let answer = device.subscribe(&meeting.id, Some(since)).await.unwrap();
            (mirror, answer)
        }
    }))
    .await;
    let fresh = {
        let (mut device, _) = hub.connect(&hub.member_token(&meeting.chair).await).await;
        snapshot(&mut device, &meeting.id).await
    };
    for (mut mirror, answer) in resumed {
        assert!(
            matches!(&answer, Subscribed::Resumed { recovered: false, updates, snapshot: Some(view), .. }
                if updates.is_empty() && view.seq == now),
            "a device past the window must get a snapshot at {now}: {answer:?}"
        );
        mirror.resume(answer).unwrap();
        assert_eq!(mirror.last_seq(), now);
        assert_eq!(*mirror.quorum(), fresh.quorum);
    }
}

#[tokio::test]
async fn a_resent_ballot_gets_the_same_receipt_and_counts_once() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-resend", 3).await;
    everyone_present(&hub, &meeting).await;
    let poll = PollId::new("bq-1").unwrap();
    open_poll(&hub, &meeting, &poll).await;
    let voter = &meeting.delegates[0];
    let token = hub.member_token(voter).await;
    let (mut device, _) = hub.connect(&token).await;

    let ballot: BallotId = random_id().unwrap();
    let request = new_request_id().unwrap();
    let first = device
        .command_with_request(request.clone(), &meeting.id, cast(&poll, &ballot, YES))
        .await
        .unwrap();
    let receipt = receipt_of(&first);
    let seq = first.acked_seq().unwrap();

    // The same request again, and the same ballot under a new request id.
    let same_request = device
        .command_with_request(request.clone(), &meeting.id, cast(&poll, &ballot, YES))
        .await
        .unwrap();
    assert_eq!(
        same_request, first,
        "the same request must get the same answer"
    );
    let new_request = device
        .command(&meeting.id, cast(&poll, &ballot, YES))
        .await
        .unwrap();
    assert_eq!(receipt_of(&new_request), receipt);
    assert_eq!(new_request.acked_seq(), Some(seq), "a resend adds no event");

    // Across a reconnect, with the old request id and with a new one.
    drop(device);
    let (mut device, _) = hub.connect(&token).await;
    for request in [request.clone(), new_request_id().unwrap()] {
        let outcome = device
            .command_with_request(request, &meeting.id, cast(&poll, &ballot, YES))
            .await
            .unwrap();
        assert_eq!(receipt_of(&outcome), receipt);
        assert_eq!(outcome.acked_seq(), Some(seq));
    }

    // Two copies sent back to back, decided in the same group, for another seat.
    let second_token = hub.member_token(&meeting.delegates[1]).await;
    let (mut second, _) = hub.connect(&second_token).await;
    let second_ballot: BallotId = random_id().unwrap();
    let copies = [new_request_id().unwrap(), new_request_id().unwrap()];
    for request in &copies {
        second
            .send_command(
                request.clone(),
                &meeting.id,
                cast(&poll, &second_ballot, NO),
            )
            .await
            .unwrap();
    }
    let first_copy = receipt_of(&second.outcome(&copies[0]).await.unwrap());
    let second_copy = receipt_of(&second.outcome(&copies[1]).await.unwrap());
    assert_eq!(first_copy, second_copy);

    // Another ballot for a seat that voted is a second vote, not a resend.
    let other: BallotId = random_id().unwrap();
    match device
        .command(&meeting.id, cast(&poll, &other, NO))
        .await
        .unwrap()
    {
        CommandOutcome::Rejected { code, .. } => assert_eq!(code, RejectionCode::AlreadyVoted),
        outcome => panic!("a second ballot must be refused: {outcome:?}"),
    }

    let chair = hub.member_token(&meeting.chair).await;
    let (mut console, _) = hub.connect(&chair).await;
    acked(
        console
            .command(
                &meeting.id,
                MeetingCommand::ClosePoll { poll: poll.clone() },
            )
            .await
            .unwrap(),
    );
    // A resend after the close still finds its ballot.
    let late = device
        .command(&meeting.id, cast(&poll, &ballot, YES))
        .await
        .unwrap();
    assert_eq!(receipt_of(&late), receipt);

    let view = poll_view(&mut console, &meeting.id, &poll).await;
    assert_eq!(view.status, PollStatus::Closed);
    assert_counted(&view, &[voter, &meeting.delegates[1]]);
    let tally = &view.results.as_ref().unwrap().tally;
    assert_eq!(tally.questions[0].options[usize::from(YES)].ballots, 1);
    assert_eq!(tally.questions[0].options[usize::from(NO)].ballots, 1);
}

#[tokio::test]
async fn a_restarted_hub_keeps_every_acknowledged_event() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-restart", 4).await;
    everyone_present(&hub, &meeting).await;
    let poll = PollId::new("bq-1").unwrap();
    let chair = hub.member_token(&meeting.chair).await;

    // A device that follows the meeting, then loses the hub before the ballots.
    let follower = hub.member_token(&meeting.delegates[0]).await;
    let (mut device, _) = hub.connect(&follower).await;
    let mut mirror = follow(&mut device, &meeting.id).await;
    drop(device);
    open_poll(&hub, &meeting, &poll).await;

    let mut ballots = Vec::new();
    for (voter, answer) in meeting.delegates[1..].iter().zip([YES, NO, YES]) {
        let token = hub.member_token(voter).await;
        let (mut device, _) = hub.connect(&token).await;
        let ballot: BallotId = random_id().unwrap();
        let outcome = device
            .command(&meeting.id, cast(&poll, &ballot, answer))
            .await
            .unwrap();
        ballots.push((token, ballot, answer, receipt_of(&outcome)));
    }
    let (mut console, _) = hub.connect(&chair).await;
    let (before_seq, before) = {
        let view = snapshot(&mut console, &meeting.id).await;
        let poll_view = view.polls.iter().find(|view| view.id == poll).cloned();
        (view.seq, poll_view.unwrap())
    };

    // A graceful stop tells the connected console to come back.
    let dir = hub.stop().await;
    assert_eq!(closed_with(&mut console).await, GOING_AWAY);
    log_released(dir.path()).await;
    let hub = TestHub::start_in(dir, |_| {}).await;

    // The reopened log ends at the last acknowledged event; sessions survive the
    // restart; the meeting is where it was.
    let stream = quorum_gateway::journal::meeting_stream(&meeting.id);
    assert_eq!(hub.log.head(&stream).await.unwrap(), before_seq);
    let (mut console, _) = hub.connect(&chair).await;
    let view = snapshot(&mut console, &meeting.id).await;
    assert_eq!(view.seq, before_seq);
    let after = view.polls.iter().find(|view| view.id == poll).unwrap();
    assert_eq!(after.progress, before.progress);
    assert_eq!(after.results, before.results);
    assert_eq!(after.progress.voted, 3);

    // The resume window is rebuilt from the log: the follower gets what it missed.
    let (mut device, _) = hub.connect(&follower).await;
    let since = mirror.last_seq();
    let resumed = device.subscribe(&meeting.id, Some(since)).await.unwrap();
    match &resumed {
        Subscribed::Resumed {
            recovered: true,
            updates,
            ..
        } => {
            let numbers = covered(updates);
            assert_eq!(numbers, (since + 1..=before_seq).collect::<Vec<_>>());
        }
        other => panic!("expected a recovered resume after the restart, got {other:?}"),
    }
    mirror.resume(resumed).unwrap();
    assert_eq!(mirror.last_seq(), before_seq);
    assert_eq!(mirror.poll_progress(&poll), Some(before.progress));

    // Ballots resent to the new process keep their receipts and add nothing.
    for (token, ballot, answer, receipt) in &ballots {
        let (mut device, _) = hub.connect(token).await;
        let outcome = device
            .command(&meeting.id, cast(&poll, ballot, *answer))
            .await
            .unwrap();
        assert_eq!(&receipt_of(&outcome), receipt);
        assert_eq!(outcome.acked_seq(), Some(before_seq));
    }
    acked(
        console
            .command(
                &meeting.id,
                MeetingCommand::ClosePoll { poll: poll.clone() },
            )
            .await
            .unwrap(),
    );
    let closed = poll_view(&mut console, &meeting.id, &poll).await;
    let voters: Vec<&MemberId> = meeting.delegates[1..].iter().collect();
    assert_counted(&closed, &voters);
}

#[tokio::test]
async fn a_graceful_shutdown_closes_devices_with_going_away() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-shutdown", 2).await;
    let following = hub.member_token(&meeting.delegates[0]).await;
    let idle = hub.member_token(&meeting.delegates[1]).await;
    let (mut follower, _) = hub.connect(&following).await;
    follow(&mut follower, &meeting.id).await;
    let (mut signed_in, _) = hub.connect(&idle).await;
    let address = hub.address;

    let stopped = tokio::spawn(hub.stop());
    assert_eq!(closed_with(&mut follower).await, GOING_AWAY);
    assert_eq!(closed_with(&mut signed_in).await, GOING_AWAY);
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("the hub stops once its devices are gone")
        .unwrap();
    // Nothing listens any more.
    let refused = Connection::connect(
        &format!("ws://{address}/ws"),
        &ConnectOptions::new(following),
    )
    .await;
    assert!(refused.is_err(), "a stopped hub accepted a connection");
}

// --- Helpers ---

/// Subscribes and starts a mirror from the snapshot.
async fn follow(device: &mut Connection, meeting: &MeetingId) -> MeetingMirror {
    let subscribed = device.subscribe(meeting, None).await.unwrap();
    MeetingMirror::from_subscribed(subscribed).unwrap()
}

/// A fresh snapshot through a connection.
async fn snapshot(device: &mut Connection, meeting: &MeetingId) -> quorum_domain::MeetingView {
    match device.subscribe(meeting, None).await.unwrap() {
        Subscribed::Snapshot { view, .. } => view,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

async fn poll_view(device: &mut Connection, meeting: &MeetingId, poll: &PollId) -> PollView {
    let view = snapshot(device, meeting).await;
    view.polls
        .into_iter()
        .find(|view| view.id == *poll)
        .unwrap()
}

/// Checks the mirror against a fresh snapshot taken by the same member.
async fn assert_same_state(
    hub: &TestHub,
    token: &str,
    meeting: &TestMeeting,
    mirror: &MeetingMirror,
) {
    let (mut device, _) = hub.connect(token).await;
    let fresh = snapshot(&mut device, &meeting.id).await;
    assert_eq!(mirror.last_seq(), fresh.seq);
    assert_eq!(*mirror.quorum(), fresh.quorum);
    for participant in &fresh.participants {
        assert_eq!(mirror.participant(&participant.member), Some(participant));
    }
}

/// The presence change of step `step`: members check in on even passes, out on odd.
fn presence_step(members: &[MemberId], step: usize) -> (&MemberId, MeetingCommand) {
    let member = &members[step % members.len()];
    let command = if (step / members.len()).is_multiple_of(2) {
        check_in(None)
    } else {
        MeetingCommand::CheckOut { member: None }
    };
    (member, command)
}

/// Runs `commands` presence changes by the delegates other than the first; returns the
/// meeting's sequence number after them.
async fn churn(hub: &TestHub, meeting: &TestMeeting, commands: usize) -> u64 {
    let members = &meeting.delegates[1..];
    let mut seq = 0;
    for step in 0..commands {
        let (member, command) = presence_step(members, step);
        seq = hub.run(&meeting.id, actor(member), command).await;
    }
    seq
}

async fn everyone_present(hub: &TestHub, meeting: &TestMeeting) {
    for member in std::iter::once(&meeting.chair).chain(&meeting.delegates) {
        hub.run(&meeting.id, actor(member), check_in(None)).await;
    }
}

async fn open_poll(hub: &TestHub, meeting: &TestMeeting, poll: &PollId) {
    hub.run(
        &meeting.id,
        actor(&meeting.chair),
        MeetingCommand::OpenPoll {
            poll: poll.clone(),
            deadline: None,
            override_quorum: false,
        },
    )
    .await;
}

/// A ballot for the first round with one answer.
fn cast(poll: &PollId, ballot: &BallotId, answer: u16) -> MeetingCommand {
    MeetingCommand::CastBallot {
        poll: poll.clone(),
        round: 1,
        ballot: ballot.clone(),
        seat: None,
        answers: vec![Selection::one(answer)],
        replaces: None,
    }
}

fn acked(outcome: CommandOutcome) -> u64 {
    match outcome {
        CommandOutcome::Acked { seq, .. } => seq,
        other => panic!("expected an ack, got {other:?}"),
    }
}

fn receipt_of(outcome: &CommandOutcome) -> Receipt {
    match outcome {
        CommandOutcome::Acked {
            receipt: Some(receipt),
            ..
        } => receipt.clone(),
        other => panic!("expected an ack with a receipt, got {other:?}"),
    }
}

/// Every seat in `voters` counted exactly once, and no other.
fn assert_counted(view: &PollView, voters: &[&MemberId]) {
    let results = view.results.as_ref().expect("the chair sees the results");
    assert!(results.r#final, "the poll is closed: the tally is final");
    let count = u64::try_from(voters.len()).unwrap();
    assert_eq!(results.tally.ballots.ballots, count);
    assert_eq!(u64::from(view.progress.voted), count);
    let mut seats: Vec<&MemberId> = view
        .voters
        .as_ref()
        .expect("a named poll lists its voters")
        .iter()
        .map(|vote| &vote.seat)
        .collect();
    seats.sort();
    let mut expected = voters.to_vec();
    expected.sort();
    assert_eq!(seats, expected, "each voter counted once, nobody else");
}

/// Reads until the hub closes the connection; returns the close code.
async fn closed_with(device: &mut Connection) -> u16 {
    loop {
        match device.next_message(WAIT).await {
            Ok(ServerMessage::Update { .. } | ServerMessage::Pong { .. }) => {}
            Ok(other) => panic!("expected the close, got {other:?}"),
            Err(ClientError::Closed { code, .. }) => return code,
            Err(error) => panic!("expected a close frame, got {error}"),
        }
    }
}

/// The events a resume's updates cover, in order (an update may cover several).
fn covered(updates: &[quorum_protocol::Update]) -> Vec<u64> {
    updates
        .iter()
        .flat_map(|update| update.first_seq..=update.seq)
        .collect()
}

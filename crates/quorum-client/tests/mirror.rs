//! The meeting mirror against the real engine: a snapshot taken part-way through the
//! protocol crate's demo meeting, then the updates the engine projects after it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use quorum_client::{MeetingMirror, MirrorError, Subscribed};
use quorum_domain::poll::PollStatus;
use quorum_domain::{Meeting, MeetingId, MeetingView, MemberId, PollId, ViewChange, Viewer};
use quorum_protocol::examples::demo_meeting;
use quorum_protocol::{ServerMessage, Update};

/// How many of the demo's last events come as updates after the snapshot.
const LATER: usize = 6;

struct Demo {
    meeting: MeetingId,
    snapshot: MeetingView,
    updates: Vec<Update>,
    /// The whole meeting as the viewer sees it at the end.
    last: MeetingView,
}

fn viewer() -> Viewer {
    Viewer::Member {
        member: MemberId::new("db-02").unwrap(),
    }
}

fn demo() -> Demo {
    let (whole, log) = demo_meeting();
    let split = log.len() - LATER;
    let mut meeting = Meeting::replay(&log[..split]).unwrap();
    let snapshot = meeting.view(&viewer()).unwrap();
    let updates = log[split..]
        .iter()
        .map(|record| {
            meeting.apply(record).unwrap();
            Update {
                first_seq: record.seq,
                seq: record.seq,
                at: record.at,
                changes: meeting.view_changes(&record.event, &viewer()).unwrap(),
            }
        })
        .collect();
    Demo {
        meeting: MeetingId::new("hdnd-xa-au-lau-2026-11").unwrap(),
        snapshot,
        updates,
        last: whole.view(&viewer()).unwrap(),
    }
}

fn poll() -> PollId {
    PollId::new("bq-1").unwrap()
}

fn as_message(meeting: &MeetingId, update: &Update) -> ServerMessage {
    ServerMessage::Update {
        meeting: meeting.clone(),
        first_seq: update.first_seq,
        seq: update.seq,
        at: update.at,
        changes: update.changes.clone(),
    }
}

#[test]
fn the_mirror_follows_the_engine_to_the_same_state() {
    let demo = demo();
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    // A draft poll is not shown to delegates: it appears when it opens.
    assert_eq!(mirror.poll_status(&poll()), None);
    for update in &demo.updates {
        assert_eq!(mirror.apply(&as_message(&demo.meeting, update)), Ok(true));
    }
    assert_eq!(mirror.last_seq(), demo.last.seq);
    assert_eq!(mirror.updates().len(), LATER);
    let last_poll = demo
        .last
        .polls
        .iter()
        .find(|view| view.id == poll())
        .unwrap();
    assert_eq!(mirror.poll_status(&poll()), Some(PollStatus::Open));
    assert_eq!(mirror.poll_progress(&poll()), Some(last_poll.progress));
    assert_eq!(mirror.poll_progress(&poll()).unwrap().voted, 1);
    assert_eq!(mirror.poll_results(&poll()), last_poll.results.as_ref());
    assert_eq!(
        mirror.poll_verdicts(&poll()),
        last_poll
            .results
            .as_ref()
            .map(|results| results.verdicts.as_slice())
    );
    assert_eq!(*mirror.quorum(), demo.last.quorum);
    assert_eq!(mirror.meeting_info(), &demo.last.meeting);
    assert_eq!(mirror.me(), demo.last.me.as_ref());
    let delegate = MemberId::new("db-01").unwrap();
    assert_eq!(
        mirror.participant(&delegate),
        demo.last
            .participants
            .iter()
            .find(|participant| participant.member == delegate)
    );
}

#[test]
fn an_update_covering_several_events_ends_where_they_do_one_by_one() {
    let demo = demo();
    let mut one_by_one = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    for update in &demo.updates {
        one_by_one.apply_update(update.clone()).unwrap();
    }
    let (first, last) = (&demo.updates[0], &demo.updates[LATER - 1]);
    let together = Update {
        first_seq: first.first_seq,
        seq: last.seq,
        at: last.at,
        changes: ViewChange::coalesce(
            demo.updates
                .iter()
                .flat_map(|update| update.changes.iter().cloned())
                .collect(),
        ),
    };
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    assert_eq!(
        mirror.apply(&as_message(&demo.meeting, &together)),
        Ok(true)
    );
    assert_eq!(mirror.last_seq(), demo.last.seq);
    assert_eq!(mirror.poll(&poll()), one_by_one.poll(&poll()));
    assert_eq!(mirror.quorum(), one_by_one.quorum());
    assert_eq!(mirror.me(), one_by_one.me());
    assert_eq!(mirror.meeting_info(), one_by_one.meeting_info());
    // The next update starts after the last event it covered.
    let error = mirror.apply_update(first.clone()).unwrap_err();
    assert!(matches!(error, MirrorError::Duplicate { .. }), "{error:?}");
}

#[test]
fn a_fresh_snapshot_mid_stream_starts_the_mirror_again() {
    let demo = demo();
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    mirror.apply_update(demo.updates[0].clone()).unwrap();
    let fresh = ServerMessage::Snapshot {
        meeting: demo.meeting.clone(),
        view: demo.last.clone(),
    };
    assert_eq!(mirror.apply(&fresh), Ok(true));
    assert_eq!(mirror.last_seq(), demo.last.seq);
    assert!(mirror.updates().is_empty());
}

#[test]
fn a_gap_and_a_duplicate_are_reported_and_change_nothing() {
    let demo = demo();
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    let start = mirror.last_seq();
    let error = mirror.apply_update(demo.updates[1].clone()).unwrap_err();
    assert_eq!(
        error,
        MirrorError::Gap {
            expected: start + 1,
            received: start + 2
        }
    );
    assert_eq!(mirror.last_seq(), start);
    mirror.apply_update(demo.updates[0].clone()).unwrap();
    let error = mirror.apply_update(demo.updates[0].clone()).unwrap_err();
    assert_eq!(
        error,
        MirrorError::Duplicate {
            received: start + 1,
            last: start + 1
        }
    );
    assert_eq!(mirror.last_seq(), start + 1);
}

#[test]
fn messages_about_other_meetings_or_of_other_kinds_are_not_applied() {
    let demo = demo();
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    let elsewhere = MeetingId::new("another").unwrap();
    assert_eq!(
        mirror.apply(&as_message(&elsewhere, &demo.updates[0])),
        Ok(false)
    );
    assert_eq!(mirror.apply(&ServerMessage::Pong { nonce: 1 }), Ok(false));
    assert_eq!(mirror.last_seq(), demo.snapshot.seq);
}

#[test]
fn a_resume_replays_the_missed_updates_or_starts_again() {
    let demo = demo();
    let mut mirror = MeetingMirror::new(demo.meeting.clone(), demo.snapshot.clone());
    // A recovered resume with a hole is refused whole.
    let holey = Subscribed::Resumed {
        meeting: demo.meeting.clone(),
        recovered: true,
        updates: vec![demo.updates[0].clone(), demo.updates[2].clone()],
        snapshot: None,
    };
    assert!(matches!(mirror.resume(holey), Err(MirrorError::Gap { .. })));
    assert_eq!(mirror.last_seq(), demo.snapshot.seq);
    mirror
        .resume(Subscribed::Resumed {
            meeting: demo.meeting.clone(),
            recovered: true,
            updates: demo.updates.clone(),
            snapshot: None,
        })
        .unwrap();
    assert_eq!(mirror.last_seq(), demo.last.seq);
    // Not recovered: the fresh snapshot replaces everything.
    mirror
        .resume(Subscribed::Resumed {
            meeting: demo.meeting.clone(),
            recovered: false,
            updates: Vec::new(),
            snapshot: Some(demo.last.clone()),
        })
        .unwrap();
    assert!(mirror.updates().is_empty());
    assert_eq!(mirror.snapshot(), &demo.last);
    assert_eq!(mirror.poll_status(&poll()), Some(PollStatus::Open));
    let elsewhere = Subscribed::Snapshot {
        meeting: MeetingId::new("another").unwrap(),
        view: demo.last.clone(),
    };
    assert!(matches!(
        mirror.resume(elsewhere),
        Err(MirrorError::OtherMeeting { .. })
    ));
}

#[test]
fn a_mirror_needs_a_snapshot_to_start() {
    let demo = demo();
    let recovered = Subscribed::Resumed {
        meeting: demo.meeting.clone(),
        recovered: true,
        updates: demo.updates.clone(),
        snapshot: None,
    };
    assert_eq!(
        MeetingMirror::from_subscribed(recovered),
        Err(MirrorError::MissingSnapshot)
    );
    let mirror = MeetingMirror::from_subscribed(Subscribed::Snapshot {
        meeting: demo.meeting,
        view: demo.snapshot.clone(),
    })
    .unwrap();
    assert_eq!(mirror.last_seq(), demo.snapshot.seq);
}

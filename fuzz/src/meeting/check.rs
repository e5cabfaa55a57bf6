//! The checks of one command's events and of the state after it: numbering, the stored
//! form, what every viewer is told (alone, shared with its audience, and as a group),
//! the proxies, and every viewer's snapshot.

use quorum_domain::view::{Audience, SharedViews, StateViews};
use quorum_domain::{EventRecord, Meeting, MeetingEvent, MemberId, Timestamp, ViewChange, Viewer};

/// Checks the records a command appended to `before`, which made `after`.
pub(super) fn events(before: &Meeting, after: &Meeting, records: &[EventRecord], now: Timestamp) {
    if records.is_empty() {
        assert_eq!(after, before, "a command without events changed the state");
        return;
    }
    let mut stepper = before.clone();
    for record in records {
        assert_eq!(
            record.seq,
            stepper.seq() + 1,
            "events are numbered without gaps"
        );
        assert_eq!(
            record.at, now,
            "an event is stamped with its command's time"
        );
        let json = serde_json::to_string(record).expect("an event serializes");
        let stored: EventRecord = serde_json::from_str(&json).expect("an event deserializes");
        assert_eq!(&stored, record, "an event does not survive its JSON form");
        stepper.apply(record).expect("an event decided applies");
        sharing(&stepper, &record.event, &viewers(&stepper));
    }
    assert_eq!(&stepper, after, "applying the events one by one differs");
    // A group of one event is what `sharing` has just checked.
    if records.len() > 1 {
        let events: Vec<&MeetingEvent> = records.iter().map(|record| &record.event).collect();
        group_sharing(after, &events, &viewers(after));
    }
}

/// Every viewer is told of `event` what it would be told alone, and the viewers an
/// audience shares are told the same: the fan-out encodes such a change once.
fn sharing(meeting: &Meeting, event: &MeetingEvent, viewers: &[Viewer]) {
    let mut state = StateViews::default();
    let mut shared = SharedViews::default();
    let mut by_audience: Vec<(Audience, Vec<ViewChange>)> = Vec::new();
    for viewer in viewers {
        let alone = meeting.view_changes(event, viewer);
        assert_eq!(
            alone.is_some(),
            sees(meeting, viewer),
            "{viewer:?} is told of {event:?} against its standing"
        );
        let told = meeting.view_changes_sharing(event, viewer, &mut state, &mut shared);
        assert_eq!(
            told.as_ref().map(|told| &told.changes),
            alone.as_ref(),
            "sharing changed what {viewer:?} is told of {event:?}"
        );
        let Some(told) = told else { continue };
        let Some(audience) = told.shared_by else {
            continue;
        };
        match by_audience.iter().find(|(seen, _)| *seen == audience) {
            Some((_, changes)) => assert_eq!(
                changes, &told.changes,
                "{viewer:?} shares {audience:?} but is told otherwise of {event:?}"
            ),
            None => by_audience.push((audience, told.changes)),
        }
    }
}

/// A commit group's events told from the state after the group, with one `StateViews`
/// for all of them, tell every viewer what each event alone does.
fn group_sharing(meeting: &Meeting, events: &[&MeetingEvent], viewers: &[Viewer]) {
    let mut state = StateViews::default();
    let mut shared: Vec<SharedViews> = events.iter().map(|_| SharedViews::default()).collect();
    for viewer in viewers {
        for (event, shared) in events.iter().zip(shared.iter_mut()) {
            let alone = meeting.view_changes(event, viewer);
            let told = meeting.view_changes_sharing(event, viewer, &mut state, shared);
            assert_eq!(
                told.map(|told| told.changes),
                alone,
                "telling a group from one state changed what {viewer:?} is told of {event:?}"
            );
        }
    }
}

/// No seat holds its own proxy, proxies do not chain, and both ends vote.
pub(super) fn proxies(meeting: &Meeting) {
    let proxies = meeting.proxies();
    for (seat, holder) in proxies {
        assert_ne!(seat, holder, "a seat holds its own proxy");
        assert!(
            !proxies.contains_key(holder),
            "a chain of proxies through {holder}"
        );
        for member in [seat, holder] {
            assert!(
                meeting
                    .participant(member)
                    .is_some_and(|participant| participant.votes()),
                "proxy {seat} → {holder} involves {member}, who does not vote"
            );
        }
    }
}

/// Every viewer that may look gets a snapshot of the current sequence number; nobody
/// else gets one.
pub(super) fn views(meeting: &Meeting) {
    for viewer in viewers(meeting) {
        let view = meeting.view(&viewer);
        assert_eq!(
            view.is_some(),
            sees(meeting, &viewer),
            "{viewer:?}'s snapshot"
        );
        if let Some(view) = view {
            assert_eq!(
                view.seq,
                meeting.seq(),
                "{viewer:?}'s snapshot is of another seq"
            );
        }
    }
}

/// The administrator, the projector, someone who is not a participant, and everyone
/// on the roster.
fn viewers(meeting: &Meeting) -> Vec<Viewer> {
    let outsider = MemberId::new("outsider").expect("a valid member id");
    let mut viewers = vec![
        Viewer::Admin,
        Viewer::Projector,
        Viewer::Member { member: outsider },
    ];
    viewers.extend(meeting.participants().keys().map(|member| Viewer::Member {
        member: member.clone(),
    }));
    viewers
}

/// Whether `viewer` may look at the meeting at all.
fn sees(meeting: &Meeting, viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Admin | Viewer::Projector => true,
        Viewer::Member { member } => meeting.participant(member).is_some(),
    }
}

//! Pushing committed events to a room's subscribers: a commit's events reach each
//! subscriber as one update, their changes coalesced, so that under load (large commit
//! groups) a device gets one frame per commit, not one per ballot. Each subscriber gets
//! its own projection; an update a whole audience shares is encoded once.

use std::collections::HashSet;

use quorum_domain::view::{Audience, SharedViews, StateViews};
use quorum_domain::{EventRecord, Meeting, MeetingEvent, MemberId, ViewChange, Viewer};
use quorum_protocol::{ErrorCode, ServerMessage};

use crate::outbound::{Frame, Link, Outbound};

/// A connection following the meeting.
#[derive(Debug)]
pub(super) struct Subscriber {
    pub(super) link: Link,
    pub(super) viewer: Viewer,
    /// The class of screen its view was made for; a change of role changes it, and the
    /// device is sent a fresh snapshot.
    pub(super) audience: Audience,
}

/// Events told in one update at most. A viewer with something of their own in one of
/// them (a voter, for their ballot) is sent an update encoded for them alone, holding
/// what the others are told too: with a group of *G* ballots in a named poll that is
/// *G* updates of *G* votes each. Updates of at most this many events bound that at
/// *G* × this, for a few more frames to everyone (measured: `load-tests/README.md`).
const EVENTS_PER_UPDATE: usize = 256;

/// Sends `records`' changes (consecutive, committed together) to every subscriber as
/// updates covering their sequence numbers, even when a viewer sees no change (an
/// empty update), so that every device can tell a gap. Subscribers that are gone, too
/// slow, or no longer participants are dropped. All of them are queued before any is
/// written, so a device's writer still sends them in one system call.
pub(super) fn publish(
    meeting: &Meeting,
    records: &[EventRecord],
    subscribers: &mut Vec<Subscriber>,
) {
    for chunk in records.chunks(EVENTS_PER_UPDATE) {
        publish_update(meeting, chunk, subscribers);
    }
}

/// Sends `records`' changes to every subscriber as one update.
fn publish_update(meeting: &Meeting, records: &[EventRecord], subscribers: &mut Vec<Subscriber>) {
    let (Some(first), Some(last)) = (records.first(), records.last()) else {
        return;
    };
    let roles_may_change = records
        .iter()
        .any(|record| matches!(record.event, MeetingEvent::ParticipantUpdated { .. }));
    // Most viewers are told what their whole audience is told: one encoding per
    // audience. The parts every viewer of an audience shares are computed once too.
    let mut encoded: Vec<(Audience, Outbound)> = Vec::new();
    let mut state = StateViews::default();
    let mut shared: Vec<SharedViews> = records.iter().map(|_| SharedViews::default()).collect();
    // The members who may find something of their own in these records; `None` if
    // anyone may (then every viewer's changes are built).
    let concerned: Option<HashSet<&MemberId>> =
        records
            .iter()
            .try_fold(HashSet::new(), |mut concerned, record| {
                concerned.extend(meeting.concerned_by(&record.event)?);
                Some(concerned)
            });
    let update = |changes: Vec<ViewChange>| {
        Frame::message(&ServerMessage::Update {
            meeting: meeting.id().clone(),
            first_seq: first.seq,
            seq: last.seq,
            at: last.at,
            changes: ViewChange::coalesce(changes),
        })
    };
    subscribers.retain_mut(|subscriber| {
        if roles_may_change
            && meeting
                .audience(&subscriber.viewer)
                .is_some_and(|now| now != subscriber.audience)
        {
            return resubscribe(meeting, subscriber);
        }
        // The fast path of a busy meeting: nothing in the records is this viewer's own,
        // so it is told what its audience is told, whose frame is encoded (once one of
        // them was told, the records' shared lists are kept: `SharedViews::told_to`).
        let audience = subscriber.audience;
        let known = encoded.iter().find(|(seen, _)| *seen == audience);
        if let (Some((_, frame)), Some(concerned)) = (known, &concerned)
            && !member_of(&subscriber.viewer).is_some_and(|member| concerned.contains(member))
        {
            return send(subscriber, frame);
        }
        let mut changes = Vec::new();
        // The audience that shares every record's changes with this viewer, if one does.
        let mut shared_by = Some(audience);
        for (record, shared) in records.iter().zip(shared.iter_mut()) {
            let Some(told) =
                meeting.view_changes_sharing(&record.event, &subscriber.viewer, &mut state, shared)
            else {
                let _ = subscriber.link.send(&Frame::message(&ServerMessage::error(
                    ErrorCode::Forbidden,
                    None,
                    Some(meeting.id().clone()),
                )));
                return false;
            };
            if told.shared_by != shared_by {
                shared_by = None;
            }
            changes.extend(told.changes);
        }
        let frame = match shared_by {
            Some(audience) => {
                let known = encoded.iter().find(|(seen, _)| *seen == audience);
                match known {
                    Some((_, frame)) => frame.clone(),
                    None => {
                        let frame = update(changes);
                        encoded.push((audience, frame.clone()));
                        frame
                    }
                }
            }
            None => update(changes),
        };
        send(subscriber, &frame)
    });
}

/// Queues `frame` for `subscriber`: `false` if it is gone or too slow.
fn send(subscriber: &Subscriber, frame: &Outbound) -> bool {
    if subscriber.link.send(frame).is_err() {
        return false;
    }
    metrics::counter!(crate::telemetry::FRAMES_QUEUED).increment(1);
    true
}

/// The member a viewer is, if any.
fn member_of(viewer: &Viewer) -> Option<&MemberId> {
    match viewer {
        Viewer::Member { member } => Some(member),
        Viewer::Admin | Viewer::Projector => None,
    }
}

/// A subscriber whose audience changed gets a fresh snapshot in place of the update:
/// what it may see is no longer what it was told.
fn resubscribe(meeting: &Meeting, subscriber: &mut Subscriber) -> bool {
    let Some(view) = meeting.view(&subscriber.viewer) else {
        return false;
    };
    subscriber.audience = view.audience;
    let snapshot = ServerMessage::Snapshot {
        meeting: meeting.id().clone(),
        view,
    };
    subscriber.link.send(&Frame::message(&snapshot)).is_ok()
}

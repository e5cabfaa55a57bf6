//! The oracles for changes (invariant 5): what a viewer is told after each event passes
//! the same checks as a snapshot, and each change equals its section of a fresh one.

use std::collections::BTreeSet;

use quorum_domain::view::{Audience, SharedViews, StateViews};
use quorum_domain::{Meeting, MeetingEvent, MeetingView, PollId, ViewChange, Viewer};

use super::view::{check_agenda, check_my_seats, check_participant_view, check_poll_view};
use super::visibility::{Class, class_of, poll_visible, results_allowed, viewer_member};

/// The changes a viewer is told after one event: the same oracles as for snapshots,
/// and each change equals the section of a fresh snapshot.
pub(crate) fn check_changes(
    meeting: &Meeting,
    ran: &BTreeSet<PollId>,
    event: &MeetingEvent,
    viewer: &Viewer,
) {
    let changes = meeting.view_changes(event, viewer);
    let Some(class) = class_of(meeting, viewer) else {
        assert!(
            changes.is_none(),
            "{viewer:?} is no participant but is told of changes"
        );
        return;
    };
    let changes = changes.unwrap_or_else(|| panic!("{viewer:?} is told nothing"));
    let snapshot = meeting.view(viewer).expect("a participant has a view");
    let me = viewer_member(viewer);
    let shown_poll = |id: &PollId| snapshot.polls.iter().find(|p| &p.id == id);
    // A poll a change is about exists, and shows to this viewer.
    let changed_poll = |id: &PollId| {
        let poll = meeting.poll(id).expect("a changed poll exists");
        assert!(
            poll_visible(poll, ran, class),
            "{class:?} told of draft {}",
            poll.id
        );
        poll
    };
    for change in &changes {
        match change {
            ViewChange::Meeting { meeting: info } => assert_eq!(info, &snapshot.meeting),
            ViewChange::Me { me: mine } => assert_eq!(Some(mine), snapshot.me.as_ref()),
            ViewChange::Participant { participant } => {
                check_participant_view(meeting, participant, class, me);
                assert!(snapshot.participants.contains(participant));
            }
            ViewChange::ParticipantRemoved { member } => {
                assert!(meeting.participant(member).is_none());
            }
            ViewChange::Quorum { quorum } => assert_eq!(quorum, &snapshot.quorum),
            ViewChange::Alert { alert } => assert_eq!(Some(alert), snapshot.alert.as_ref()),
            ViewChange::Agenda { agenda } => {
                check_agenda(meeting, agenda, class, me);
                assert_eq!(agenda, &snapshot.agenda);
            }
            ViewChange::Poll { poll: view } => {
                changed_poll(&view.id);
                check_poll_view(meeting, view, class, me);
                assert_eq!(Some(view), shown_poll(&view.id));
            }
            ViewChange::PollRemoved { poll } => assert!(meeting.poll(poll).is_none()),
            ViewChange::PollProgress { progress } => {
                let poll = changed_poll(&progress.poll);
                assert_eq!(
                    progress.results.is_some(),
                    results_allowed(poll.spec.visibility, poll.status, class),
                    "{class:?} {me:?}: live results of poll {}",
                    poll.id
                );
                let shown = shown_poll(&progress.poll).expect("the poll is in the snapshot");
                assert_eq!(
                    (progress.round, progress.status, progress.progress),
                    (shown.round, shown.status, shown.progress)
                );
                assert_eq!(progress.results, shown.results);
            }
            ViewChange::MySeats {
                poll: id,
                round,
                my_seats,
            } => {
                let poll = changed_poll(id);
                assert!(me.is_some(), "{class:?}: seats told to a viewer with none");
                check_my_seats(meeting, my_seats, poll.spec.secret, me);
                let shown = shown_poll(id).expect("the poll is in the snapshot");
                assert_eq!((round, my_seats), (&shown.round, &shown.my_seats));
            }
            ViewChange::SeatVoted {
                poll: id,
                seat,
                answers,
                ..
            } => {
                let poll = meeting.poll(id).expect("a voted poll exists");
                assert!(
                    !poll.spec.secret,
                    "{class:?} told that {seat} voted in secret poll {id}"
                );
                let allowed = results_allowed(poll.spec.visibility, poll.status, class);
                assert!(
                    class == Class::Keeper || allowed,
                    "{class:?} told who voted in {id}"
                );
                assert_eq!(
                    answers.is_some(),
                    allowed,
                    "{class:?} told how {seat} voted in {id}"
                );
            }
            ViewChange::Floor { floor } => assert_eq!(floor, &snapshot.floor),
            ViewChange::Conclusion { conclusion } => {
                assert!(snapshot.conclusions.contains(conclusion));
            }
            ViewChange::Directive { directive } => {
                assert!(snapshot.directives.contains(directive));
            }
            ViewChange::Projector { projector } => assert_eq!(projector, &snapshot.projector),
        }
    }
}

/// A viewer's seats in a poll change only when they are told: by the poll's section or
/// by `my_seats` (the others are not sent the seats of everyone else's ballot).
pub(crate) fn check_seats_told(
    meeting: &Meeting,
    before: &MeetingView,
    event: &MeetingEvent,
    viewer: &Viewer,
) {
    let (Some(changes), Some(after)) = (meeting.view_changes(event, viewer), meeting.view(viewer))
    else {
        return;
    };
    for poll in &after.polls {
        let told = changes.iter().any(|change| match change {
            ViewChange::Poll { poll: view } => view.id == poll.id,
            ViewChange::MySeats { poll: id, .. } => *id == poll.id,
            ViewChange::PollRemoved { .. } => true,
            _ => false,
        });
        let earlier = before.polls.iter().find(|earlier| earlier.id == poll.id);
        if !told && let Some(earlier) = earlier {
            assert_eq!(
                earlier.my_seats, poll.my_seats,
                "{viewer:?}'s seats in {} changed after {event:?} untold",
                poll.id
            );
        }
    }
}

/// What the fan-out relies on: computing one event's changes for many viewers with one
/// [`SharedViews`] tells each the same as computing them alone, and viewers told that
/// their changes are their audience's are all told the same.
pub(crate) fn check_sharing(meeting: &Meeting, event: &MeetingEvent, viewers: &[Viewer]) {
    let mut state = StateViews::default();
    let mut shared = SharedViews::default();
    let mut by_audience: Vec<(Audience, Vec<ViewChange>, &Viewer)> = Vec::new();
    for viewer in viewers {
        let alone = meeting.view_changes(event, viewer);
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
        match by_audience.iter().find(|(seen, ..)| *seen == audience) {
            Some((_, changes, first)) => assert_eq!(
                changes, &told.changes,
                "{first:?} and {viewer:?} share {audience:?} but are told differently of {event:?}"
            ),
            None => by_audience.push((audience, told.changes, viewer)),
        }
    }
}

/// What the fan-out relies on for a commit group: its events, told as of the state after
/// the group with one [`StateViews`] for all of them (and one [`SharedViews`] each), tell
/// every viewer what computing each event alone does, so that what `StateViews` keeps
/// depends on the state alone and not on the event it was first computed for.
pub(crate) fn check_group_sharing(meeting: &Meeting, events: &[&MeetingEvent], viewers: &[Viewer]) {
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

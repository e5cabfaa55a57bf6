//! The oracles for changes (invariant 5): what a viewer is told after each event passes
//! the same checks as a snapshot, and each change equals its section of a fresh one.

use std::collections::BTreeSet;

use quorum_domain::{Meeting, MeetingEvent, PollId, ViewChange, Viewer};

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
                check_my_seats(meeting, &progress.my_seats, poll.spec.secret, me);
                let shown = shown_poll(&progress.poll).expect("the poll is in the snapshot");
                assert_eq!(
                    (progress.round, progress.status, progress.progress),
                    (shown.round, shown.status, shown.progress)
                );
                assert_eq!(progress.results, shown.results);
                assert_eq!(progress.my_seats, shown.my_seats);
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

//! The oracles for snapshots (invariant 5): what each viewer's screen shows of polls,
//! seats, participants and documents, judged by the rules in `visibility.rs`.

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::Document;
use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::view::{AgendaView, MySeat, ParticipantView, PollView};
use quorum_domain::{ItemId, Meeting, MemberId, PollId, Viewer};

use super::visibility::{
    Class, audience, class_of, concerns, may_read, poll_visible, results_allowed, viewer_member,
};

/// A viewer's snapshot: their screen, the polls they may see, the documents they may
/// read, the participants and their own standing.
pub(crate) fn check_view(meeting: &Meeting, ran: &BTreeSet<PollId>, viewer: &Viewer) {
    let view = meeting.view(viewer);
    let Some(class) = class_of(meeting, viewer) else {
        assert!(
            view.is_none(),
            "{viewer:?} is no participant but has a view"
        );
        return;
    };
    let view = view.unwrap_or_else(|| panic!("{viewer:?} has no view"));
    let me = viewer_member(viewer);
    assert_eq!(view.audience, audience(class), "{viewer:?}'s screen");
    assert_eq!(view.seq, meeting.seq());
    check_agenda(meeting, &view.agenda, class, me);
    let shown: Vec<&PollId> = view.polls.iter().map(|p| &p.id).collect();
    let expected: Vec<&PollId> = meeting
        .polls()
        .filter(|p| poll_visible(p, ran, class))
        .map(|p| &p.id)
        .collect();
    assert_eq!(shown, expected, "{viewer:?} sees the wrong polls");
    // Every screen follows the projector, which never puts up a poll that has not run.
    assert_eq!(&view.projector, meeting.projector());
    if let ProjectorDisplay::Poll { poll } = &view.projector {
        assert!(ran.contains(poll), "the projector shows draft {poll}");
    }
    for poll in &view.polls {
        check_poll_view(meeting, poll, class, me);
    }
    for participant in &view.participants {
        check_participant_view(meeting, participant, class, me);
    }
    if let Some(mine) = &view.me {
        assert_eq!(
            Some(&mine.member),
            me,
            "{viewer:?} sees someone else's standing"
        );
    }
}

/// A poll as a viewer sees it: results only when its visibility allows, the progress,
/// who voted and how (never in a secret poll), their seats and the past rounds.
pub(crate) fn check_poll_view(
    meeting: &Meeting,
    view: &PollView,
    class: Class,
    me: Option<&MemberId>,
) {
    let poll = meeting.poll(&view.id).expect("a poll in a view exists");
    let allowed = results_allowed(poll.spec.visibility, poll.status, class);
    assert_eq!(
        view.results.is_some(),
        allowed,
        "{class:?} {me:?}: results of poll {} ({:?}, {:?})",
        poll.id,
        poll.spec.visibility,
        poll.status
    );
    if let Some(results) = &view.results {
        // Live results are the running tally; final ones the tally counted at close.
        let counted = poll
            .result
            .as_ref()
            .map_or(&poll.tally, |result| &result.tally);
        assert_eq!(&results.tally, counted, "poll {}: results shown", poll.id);
        assert_eq!(results.r#final, poll.result.is_some());
    }
    assert_eq!(view.progress.voted as usize, poll.ballots.voters.len());
    assert_eq!(
        view.progress.entitled as usize,
        meeting.entitled_seats(&poll.spec).count()
    );
    if poll.spec.secret {
        assert!(
            view.voters.is_none(),
            "secret poll {}: voters shown to {class:?}",
            poll.id
        );
    } else {
        assert_eq!(
            view.voters.is_some(),
            class == Class::Keeper || allowed,
            "{class:?} {me:?}: who voted in poll {}",
            poll.id
        );
        for vote in view.voters.iter().flatten() {
            assert_eq!(
                vote.answers.is_some(),
                allowed,
                "{class:?} {me:?}: how {} voted in poll {}",
                vote.seat,
                poll.id
            );
        }
    }
    check_my_seats(meeting, &view.my_seats, poll.spec.secret, me);
    assert_eq!(view.past_rounds.len(), poll.past_rounds.len());
    for (shown, past) in view.past_rounds.iter().zip(&poll.past_rounds) {
        assert_eq!(shown.round, past.round);
        assert_eq!(
            shown.results.is_some(),
            results_allowed(past.spec.visibility, past.ended_as, class),
            "{class:?} {me:?}: results of poll {} round {} ({:?}, ended {:?})",
            poll.id,
            past.round,
            past.spec.visibility,
            past.ended_as
        );
    }
}

/// A viewer's seats are their own and those whose proxy they hold; a secret poll
/// never shows a receipt next to a seat.
pub(crate) fn check_my_seats(
    meeting: &Meeting,
    seats: &[MySeat],
    secret: bool,
    me: Option<&MemberId>,
) {
    for seat in seats {
        assert!(
            concerns(meeting, me, &seat.seat),
            "{me:?} is shown {}'s seat",
            seat.seat
        );
        if secret {
            assert!(
                seat.receipt.is_none(),
                "a secret receipt next to seat {}",
                seat.seat
            );
        }
    }
}

/// Proxies and alert answers show only on the chair's console and to those concerned.
pub(crate) fn check_participant_view(
    meeting: &Meeting,
    participant: &ParticipantView,
    class: Class,
    me: Option<&MemberId>,
) {
    if class == Class::Keeper {
        return;
    }
    let seat = &participant.member;
    if participant.proxy_given_to.is_some() {
        assert!(concerns(meeting, me, seat), "{me:?} sees {seat}'s proxy");
    }
    if participant.alert_answer.is_some() {
        assert_eq!(me, Some(seat), "{me:?} sees {seat}'s answer to the alert");
    }
}

/// Exactly the documents the viewer may read, item by item.
pub(crate) fn check_agenda(
    meeting: &Meeting,
    agenda: &AgendaView,
    class: Class,
    me: Option<&MemberId>,
) {
    let expected: Vec<(&ItemId, Vec<&Document>)> = meeting
        .agenda()
        .items
        .iter()
        .map(|item| {
            let readable = item
                .documents
                .iter()
                .filter(|doc| may_read(doc, class, me))
                .collect();
            (&item.id, readable)
        })
        .collect();
    let shown: Vec<(&ItemId, Vec<&Document>)> = agenda
        .items
        .iter()
        .map(|item| (&item.id, item.documents.iter().collect()))
        .collect();
    assert_eq!(shown, expected, "{class:?} {me:?} sees the wrong documents");
}

//! Several events' changes told as one: a change is dropped when a later one replaces
//! the same section, the rest keep their order. A device that applies the merged list
//! ends in the state it would reach applying every event's changes one by one.
//!
//! Why that holds: every change assigns one slot of the view (a section, a row keyed by
//! its id, or some fields of a poll), possibly only if its poll is shown. A change
//! followed by another assigning the same slot is never the last word on any of its
//! fields, whatever comes between: nothing between reads the slot, a removal between
//! removes it for both, and the later one's condition holds whenever the earlier one's
//! result could still be seen (a poll removed in between takes the earlier change's
//! fields with it; a poll shown again is shown whole).

use std::collections::BTreeSet;

use crate::id::{ConclusionId, DirectiveId, MemberId, PollId};
use crate::view::ViewChange;

/// What a change replaces: two changes with the same slot, the later wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot<'a> {
    Meeting,
    Me,
    /// A participant's row, replaced.
    Participant(&'a MemberId),
    /// A participant's removal: it also voids the proxies given to them, in other
    /// rows, so a row told later does not replace it.
    Removal(&'a MemberId),
    Quorum,
    Alert,
    Agenda,
    /// A poll, replaced whole or removed.
    Poll(&'a PollId),
    /// A poll's round, status, progress and results.
    Progress(&'a PollId),
    /// A poll's round and the viewer's seats in it.
    Seats(&'a PollId),
    /// One seat's vote in one round of a named poll.
    SeatVoted(&'a PollId, u32, &'a MemberId),
    Floor,
    Conclusion(&'a ConclusionId),
    Directive(&'a DirectiveId),
    Projector,
}

impl ViewChange {
    fn slot(&self) -> Slot<'_> {
        match self {
            ViewChange::Meeting { .. } => Slot::Meeting,
            ViewChange::Me { .. } => Slot::Me,
            ViewChange::Participant { participant } => Slot::Participant(&participant.member),
            ViewChange::ParticipantRemoved { member } => Slot::Removal(member),
            ViewChange::Quorum { .. } => Slot::Quorum,
            ViewChange::Alert { .. } => Slot::Alert,
            ViewChange::Agenda { .. } => Slot::Agenda,
            ViewChange::Poll { poll } => Slot::Poll(&poll.id),
            ViewChange::PollRemoved { poll } => Slot::Poll(poll),
            ViewChange::PollProgress { progress } => Slot::Progress(&progress.poll),
            ViewChange::MySeats { poll, .. } => Slot::Seats(poll),
            ViewChange::SeatVoted {
                poll, round, seat, ..
            } => Slot::SeatVoted(poll, *round, seat),
            ViewChange::Floor { .. } => Slot::Floor,
            ViewChange::Conclusion { conclusion } => Slot::Conclusion(&conclusion.id),
            ViewChange::Directive { directive } => Slot::Directive(&directive.id),
            ViewChange::Projector { .. } => Slot::Projector,
        }
    }

    /// The changes of several consecutive events, in order, merged into one list: each
    /// change that a later one replaces is dropped, the others keep their order.
    pub fn coalesce(changes: Vec<ViewChange>) -> Vec<ViewChange> {
        if changes.len() < 2 {
            return changes;
        }
        let keep: Vec<bool> = {
            let mut later = BTreeSet::new();
            let mut keep: Vec<bool> = changes
                .iter()
                .rev()
                .map(|change| later.insert(change.slot()))
                .collect();
            keep.reverse();
            keep
        };
        changes
            .into_iter()
            .zip(keep)
            .filter_map(|(change, keep)| keep.then_some(change))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{PollProgress, Progress};

    fn progress(poll: &str, voted: u32) -> ViewChange {
        ViewChange::PollProgress {
            progress: PollProgress {
                poll: PollId::new(poll).unwrap(),
                round: 1,
                status: crate::poll::PollStatus::Open,
                progress: Progress {
                    voted,
                    ..Progress::default()
                },
                results: None,
            },
        }
    }

    fn seats(poll: &str) -> ViewChange {
        ViewChange::MySeats {
            poll: PollId::new(poll).unwrap(),
            round: 1,
            my_seats: Vec::new(),
        }
    }

    #[test]
    fn a_replaced_change_is_dropped_and_the_rest_keep_their_order() {
        let merged = ViewChange::coalesce(vec![
            progress("p1", 1),
            seats("p1"),
            progress("p2", 1),
            progress("p1", 2),
            progress("p1", 3),
        ]);
        assert_eq!(
            merged,
            vec![seats("p1"), progress("p2", 1), progress("p1", 3)]
        );
    }

    #[test]
    fn changes_to_other_slots_are_kept_around_a_removal() {
        let poll = PollId::new("p1").unwrap();
        let merged = ViewChange::coalesce(vec![
            progress("p1", 1),
            ViewChange::PollRemoved { poll: poll.clone() },
            seats("p1"),
        ]);
        assert_eq!(
            merged,
            vec![
                progress("p1", 1),
                ViewChange::PollRemoved { poll },
                seats("p1")
            ]
        );
    }
}

//! Telling a whole audience at once: for the events a busy meeting is made of (ballots,
//! check-ins), who may have something of their own in the changes is known from the
//! event alone, without building them. Any other viewer is told exactly what the first
//! viewer of their audience was told, which the fan-out then sends as one shared frame.
//!
//! The test of this rule is the state machine's sharing oracle: every viewer's changes
//! computed with one [`SharedViews`] must equal those computed alone, so a list here
//! that leaves out someone the builder in `change.rs` finds something of their own for
//! fails it.

use crate::id::MemberId;
use crate::meeting::Meeting;
use crate::meeting::event::MeetingEvent;
use crate::view::Lens;

impl Meeting {
    /// The members who may find something of their own in `event`'s changes (the
    /// seats it is about and who holds their proxies), for the events a busy meeting
    /// is made of; `None` for any other event, whose changes must be built for every
    /// viewer. A viewer not listed is told what [`SharedViews::told_to`] holds for
    /// their audience, once one of them was told.
    ///
    /// [`SharedViews::told_to`]: crate::view::SharedViews::told_to
    pub fn concerned_by<'a>(&'a self, event: &'a MeetingEvent) -> Option<Vec<&'a MemberId>> {
        use MeetingEvent as E;
        let seats: Vec<&MemberId> = match event {
            E::BallotCast { seat, cast_by, .. } | E::VoteRegistered { seat, cast_by, .. } => {
                vec![seat, cast_by]
            }
            // Their standing, and their row as the chair's console and they see it
            // (`Changes::participant_if_shown`): nothing for a proxy holder.
            E::CheckedIn { member, .. }
            | E::CheckedOut { member, .. }
            | E::AlertAnswered { member, .. } => return Some(vec![member]),
            // Sections that are the same for a whole audience: the meeting's details,
            // the quorum, counts, the alert, the floor, outcomes, the projector.
            E::SecretBallotCast { .. }
            | E::MeetingCreated { .. }
            | E::DetailsUpdated { .. }
            | E::MeetingOpened { .. }
            | E::MeetingClosed { .. }
            | E::SettingsChanged { .. }
            | E::AlertRaised { .. }
            | E::ProjectorDisplaySet { .. }
            | E::PollDeleted { .. }
            | E::FloorRequested { .. }
            | E::FloorRequestWithdrawn { .. }
            | E::FloorGranted { .. }
            | E::FloorExtended { .. }
            | E::FloorEnded { .. }
            | E::ConclusionRecorded { .. }
            | E::ConclusionRevised { .. }
            | E::DirectiveIssued { .. }
            | E::DirectiveUpdated { .. } => Vec::new(),
            _ => return None,
        };
        // As `Changes::concerns` and `Changes::participant` decide it: the seat's own
        // member, or the one who holds its proxy.
        let holders = seats.iter().filter_map(|seat| self.proxies.get(*seat));
        Some(seats.iter().copied().chain(holders).collect())
    }
}

/// Whether `event`'s changes may hold something of `lens`'s own.
pub(super) fn may_be_personal(meeting: &Meeting, lens: Lens<'_>, event: &MeetingEvent) -> bool {
    match meeting.concerned_by(event) {
        Some(concerned) => lens.member.is_some_and(|me| concerned.contains(&me)),
        None => true,
    }
}

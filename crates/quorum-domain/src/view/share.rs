//! Telling a whole audience at once: for the events a busy meeting is made of (ballots,
//! check-ins), whether a viewer may have something of their own in the changes can be
//! told without building them. A viewer who cannot is told exactly what the first
//! viewer of their audience was told, which the fan-out then sends as one shared frame.
//!
//! The test of this rule is the state machine's sharing oracle: every viewer's changes
//! computed with one [`SharedViews`] must equal those computed alone, so a predicate
//! here that says "nothing of their own" where the builder in `change.rs` finds
//! something fails it.

use crate::id::MemberId;
use crate::meeting::Meeting;
use crate::meeting::event::MeetingEvent;
use crate::view::{Audience, Lens, SharedViews, Viewer};

impl Meeting {
    /// `Some(audience)` when `viewer` is told of `event` exactly what `shared` already
    /// holds for their audience ([`SharedViews::told_to`]), without building it; `None`
    /// when it must be built (nothing held yet, the event may hold something of the
    /// viewer's own, or the viewer is no participant).
    pub fn shares_audience(
        &self,
        event: &MeetingEvent,
        viewer: &Viewer,
        shared: &SharedViews,
    ) -> Option<Audience> {
        let lens = Lens::new(self, viewer)?;
        if may_be_personal(self, lens, event) {
            return None;
        }
        shared.told_to(lens.audience).map(|_| lens.audience)
    }
}

/// Whether `event`'s changes may hold something of `lens`'s own. `true` for any event
/// not listed: the changes are then built and looked at.
pub(super) fn may_be_personal(meeting: &Meeting, lens: Lens<'_>, event: &MeetingEvent) -> bool {
    // The viewer's seats include one of `members`' (their own, or one whose proxy they
    // hold): as `Changes::concerns` and `Changes::participant` decide it.
    let concerns = |members: &[&MemberId]| {
        lens.member.is_some_and(|me| {
            members.iter().any(|member| {
                *member == me
                    || meeting
                        .proxies
                        .get(*member)
                        .is_some_and(|holder| holder == me)
            })
        })
    };
    match event {
        MeetingEvent::BallotCast { seat, cast_by, .. }
        | MeetingEvent::VoteRegistered { seat, cast_by, .. } => concerns(&[seat, cast_by]),
        MeetingEvent::SecretBallotCast { .. } => false,
        MeetingEvent::CheckedIn { member, .. } | MeetingEvent::CheckedOut { member, .. } => {
            concerns(&[member])
        }
        _ => true,
    }
}

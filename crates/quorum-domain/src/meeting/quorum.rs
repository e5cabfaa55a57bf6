//! The live quorum: who counts as present under the meeting's presence rule, and
//! whether that reaches the quorum rule.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meeting::Meeting;
use crate::meeting::roster::{Participant, PresenceMode};
use crate::rules::QuorumBase;

/// The quorum at one moment ("đủ túc số / không đủ túc số").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuorumState {
    /// Weight of the voting seats that count as present.
    pub present: u64,
    /// Weight the quorum is measured against.
    pub base: u64,
    /// Smallest present weight that makes a quorum.
    pub required: u64,
    /// Whether the quorum is met.
    pub met: bool,
    /// Voting members checked in, in the room.
    pub in_room: u32,
    /// Voting members checked in remotely.
    pub remote: u32,
    /// Absent voting seats counted through a present proxy holder.
    pub represented: u32,
}

/// Measures the quorum of `meeting` now.
pub(crate) fn measure(meeting: &Meeting) -> QuorumState {
    let mut state = QuorumState::default();
    let mut all_members: u64 = 0;
    for participant in meeting.participants.values().filter(|p| p.votes()) {
        let weight = u64::from(participant.invitee.weight);
        all_members = all_members.saturating_add(weight);
        match participant.presence() {
            Some(PresenceMode::InRoom) => state.in_room = state.in_room.saturating_add(1),
            Some(PresenceMode::Remote) => state.remote = state.remote.saturating_add(1),
            None => {}
        }
        if meeting.counts_as_present(participant) {
            state.present = state.present.saturating_add(weight);
        } else if meeting.seat_present(participant) {
            state.present = state.present.saturating_add(weight);
            state.represented = state.represented.saturating_add(1);
        }
    }
    let rule = meeting.settings.quorum;
    state.base = match rule.base {
        QuorumBase::AllMembers => all_members,
        QuorumBase::Stated { members } => members,
    };
    state.required = rule.threshold.required(state.base);
    state.met = rule.threshold.is_met(state.present, state.base);
    state
}

impl Meeting {
    /// Whether the participant themself counts as present under the presence rule.
    pub(crate) fn counts_as_present(&self, participant: &Participant) -> bool {
        match participant.presence() {
            Some(PresenceMode::InRoom) => true,
            Some(PresenceMode::Remote) => self.settings.presence.remote_counts,
            None => false,
        }
    }

    /// Whether a seat counts as present: in person, or, where the presence rule allows
    /// it, through a proxy holder who counts as present.
    pub(crate) fn seat_present(&self, seat: &Participant) -> bool {
        if self.counts_as_present(seat) {
            return true;
        }
        self.settings.presence.proxies_count
            && self
                .proxies
                .get(seat.member())
                .and_then(|holder| self.participants.get(holder))
                .is_some_and(|holder| self.counts_as_present(holder))
    }
}

//! The actor of a command, resolved once against the meeting: their standing for the
//! policy table and, for a person, their participation.

use crate::id::MemberId;
use crate::meeting::Meeting;
use crate::meeting::roster::Participant;
use crate::policy::{self, Action, Actor, Standing};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::time::Timestamp;

/// Who is acting, at what time, and what they are in this meeting.
pub(crate) struct Caller<'a> {
    pub(crate) actor: &'a Actor,
    pub(crate) now: Timestamp,
    participant: Option<&'a Participant>,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(meeting: &'a Meeting, actor: &'a Actor, now: Timestamp) -> Caller<'a> {
        let participant = actor
            .member()
            .and_then(|member| meeting.participants.get(member));
        Caller {
            actor,
            now,
            participant,
        }
    }

    /// The actor's standing, if they have one in this meeting.
    pub(crate) fn standing(&self) -> Option<Standing> {
        match self.actor {
            Actor::Member { .. } => self.participant.map(|p| Standing::Participant(p.role())),
            Actor::Admin => Some(Standing::Admin),
            Actor::System => Some(Standing::System),
            Actor::Unit { .. } => None,
        }
    }

    /// Whether the policy table allows the action.
    pub(crate) fn may(&self, action: Action) -> bool {
        self.standing()
            .is_some_and(|standing| policy::permits(standing, action))
    }

    /// Rejects unless the policy table allows the action.
    pub(crate) fn require(&self, action: Action) -> Result<(), Rejection> {
        if self.may(action) {
            return Ok(());
        }
        match (self.actor, self.participant) {
            (Actor::Member { .. }, None) => Err(RejectionCode::NotAParticipant.into()),
            _ => Err(RejectionCode::NotPermitted.into()),
        }
    }

    /// The acting participant; rejects admins, the hub and outsiders.
    pub(crate) fn participant(&self) -> Result<&'a Participant, Rejection> {
        match (self.actor, self.participant) {
            (Actor::Member { .. }, Some(participant)) => Ok(participant),
            (Actor::Member { .. }, None) => Err(RejectionCode::NotAParticipant.into()),
            (Actor::Admin | Actor::System | Actor::Unit { .. }, _) => {
                Err(RejectionCode::NotPermitted.into())
            }
        }
    }

    /// The member a command is about: `target` if given, else the actor. Acting for
    /// someone else takes `action`.
    pub(crate) fn subject<'m>(
        &self,
        meeting: &'m Meeting,
        target: Option<&MemberId>,
        action: Action,
    ) -> Result<&'m Participant, Rejection> {
        let own = self.actor.member();
        match target {
            Some(member) if Some(member) != own => {
                self.require(action)?;
                meeting
                    .participants
                    .get(member)
                    .ok_or_else(|| Rejection::unknown(Entity::Member, member))
            }
            _ => {
                let participant = self.participant()?;
                meeting
                    .participants
                    .get(&participant.invitee.member)
                    .ok_or_else(|| RejectionCode::NotAParticipant.into())
            }
        }
    }
}

//! Who may do what: the actors, the per-meeting roles and the one table that maps a role
//! to the actions it allows. Acting for oneself (voting, checking in, asking to speak) is
//! decided by the participant's own rights, not by this table.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{MemberId, UnitId};

/// Who issues a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A person, acting through their role in the meeting (if they have one).
    Member {
        /// The person.
        member: MemberId,
    },
    /// A hub administrator: may prepare any meeting, but neither votes nor conducts.
    Admin,
    /// The hub itself: closes polls whose deadline has passed.
    System,
    /// A unit that was given a directive, through its signed link: may only record the
    /// progress of its own directives.
    Unit {
        /// The unit.
        unit: UnitId,
    },
}

impl Actor {
    /// The acting member, if a person acts.
    pub fn member(&self) -> Option<&MemberId> {
        match self {
            Actor::Member { member } => Some(member),
            Actor::Admin | Actor::System | Actor::Unit { .. } => None,
        }
    }
}

/// A participant's role in one meeting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Thư ký: prepares the meeting and keeps its record.
    Secretary,
    /// Chủ tọa: conducts the meeting.
    Chair,
    /// Đại biểu: takes part, votes if entitled.
    Delegate,
    /// Khách mời: follows the meeting; never votes.
    Guest,
}

/// An action governed by role rather than by the actor's own rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Change the meeting's details and rules, invite and edit participants.
    PrepareMeeting,
    /// Edit the agenda and its documents.
    PrepareAgenda,
    /// Create, edit and delete draft polls.
    PreparePolls,
    /// Open and close the meeting, move to an agenda item, choose what the hall
    /// projector shows.
    LeadMeeting,
    /// Open, pause, resume, close, publish and revote polls.
    ConductPolls,
    /// Open a poll without a quorum (recorded).
    OverrideQuorum,
    /// Grant, extend and end the floor; withdraw anyone's request.
    ManageFloor,
    /// Record conclusions and issue directives.
    RecordOutcomes,
    /// Raise an urgent-meeting alert.
    RaiseAlert,
    /// Check others in and out, register proxies for others.
    KeepAttendance,
    /// See everything the meeting holds: all documents, answers to alerts, proxies.
    SeeEverything,
}

/// Who performs an action, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A participant with this role.
    Participant(Role),
    /// A hub administrator.
    Admin,
    /// The hub itself.
    System,
}

/// The policy table. Every role-governed decision in the domain goes through here.
pub fn permits(standing: Standing, action: Action) -> bool {
    use Action::*;
    match standing {
        Standing::Participant(Role::Chair) => true,
        Standing::Participant(Role::Secretary) => matches!(
            action,
            PrepareMeeting
                | PrepareAgenda
                | PreparePolls
                | LeadMeeting
                | RecordOutcomes
                | RaiseAlert
                | KeepAttendance
                | SeeEverything
        ),
        Standing::Admin => matches!(
            action,
            PrepareMeeting
                | PrepareAgenda
                | PreparePolls
                | RaiseAlert
                | KeepAttendance
                | SeeEverything
        ),
        Standing::Participant(Role::Delegate | Role::Guest) | Standing::System => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_chair_conducts_polls_and_overrides_quorum() {
        for action in [
            Action::ConductPolls,
            Action::OverrideQuorum,
            Action::ManageFloor,
        ] {
            assert!(permits(Standing::Participant(Role::Chair), action));
            for other in [
                Standing::Participant(Role::Secretary),
                Standing::Participant(Role::Delegate),
                Standing::Participant(Role::Guest),
                Standing::Admin,
                Standing::System,
            ] {
                assert!(!permits(other, action), "{other:?} may not {action:?}");
            }
        }
    }

    #[test]
    fn delegates_and_guests_hold_no_role_governed_action() {
        for role in [Role::Delegate, Role::Guest] {
            assert!(!permits(Standing::Participant(role), Action::SeeEverything));
            assert!(!permits(Standing::Participant(role), Action::PreparePolls));
        }
    }
}

//! Who sends a command: the participants of the generated meetings, the administrator,
//! the hub's clock and an outsider, and the member ids they go by.

use quorum_domain::{Actor, GroupId, MemberId};

/// Who sends a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Who {
    Chair,
    Secretary,
    /// `d01`, `d02`, … (the index is from 0).
    Delegate(usize),
    Guest,
    /// A delegate invited during the meeting.
    Late,
    Admin,
    /// The hub, which sends `tick`.
    Hub,
    /// Someone who is not a participant.
    Outsider,
}

impl Who {
    /// Their member id; the administrator and the hub have none.
    pub(crate) fn member(self) -> Option<MemberId> {
        let id = match self {
            Who::Chair => "chair".to_owned(),
            Who::Secretary => "secretary".to_owned(),
            Who::Delegate(n) => format!("d{:02}", n + 1),
            Who::Guest => "guest".to_owned(),
            Who::Late => "late".to_owned(),
            Who::Outsider => "outsider".to_owned(),
            Who::Admin | Who::Hub => return None,
        };
        Some(member(&id))
    }

    /// The actor their commands come from.
    pub(crate) fn actor(self) -> Actor {
        match self {
            Who::Admin => Actor::Admin,
            Who::Hub => Actor::System,
            person => Actor::Member {
                member: person.member().unwrap(),
            },
        }
    }
}

/// A member id written in the test, known to be valid.
pub(crate) fn member(id: &str) -> MemberId {
    MemberId::new(id).unwrap()
}

/// A group id written in the test, known to be valid.
pub(crate) fn group(id: &str) -> GroupId {
    GroupId::new(id).unwrap()
}

//! Why a command was refused. Every rejection has a stable snake_case code that the
//! protocol sends on the wire and translates; a rejected command changes nothing.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Defines [`RejectionCode`] from one table, so that the enum, its wire code, its
/// English text and the list of every code cannot drift apart.
macro_rules! rejection_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident => $code:literal, $english:literal; )*) => {
        /// The stable reason for a rejection. Codes never change once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum RejectionCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl RejectionCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [RejectionCode] = &[$(RejectionCode::$variant),*];

            /// The code as sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(RejectionCode::$variant => $code,)* }
            }

            /// A short English explanation, for logs and as the protocol's fallback.
            pub fn english(self) -> &'static str {
                match self { $(RejectionCode::$variant => $english,)* }
            }
        }
    };
}

rejection_codes! {
    /// The actor's role in this meeting does not allow the action.
    NotPermitted => "not_permitted", "your role does not allow this action";
    /// The actor is not a participant of this meeting.
    NotAParticipant => "not_a_participant", "you are not a participant of this meeting";
    /// The meeting is not open yet.
    MeetingNotOpen => "meeting_not_open", "the meeting is not open";
    /// The meeting is already open.
    MeetingAlreadyOpen => "meeting_already_open", "the meeting is already open";
    /// The meeting is closed; it only accepts reading.
    MeetingClosed => "meeting_closed", "the meeting is closed";
    /// The action applies only to urgent meetings.
    NotUrgent => "not_urgent", "this meeting is not an urgent meeting";
    /// No alert has been raised for this meeting.
    NoAlert => "no_alert", "no alert has been raised for this meeting";
    /// An id names nothing known.
    Unknown => "unknown", "the id names nothing known";
    /// An id that must be new is already used.
    Duplicate => "duplicate", "the id is already taken";
    /// A field of the command is not acceptable.
    Invalid => "invalid", "a field of the command is not acceptable";
    /// Voting rights, weights and roles cannot change while a poll is open.
    PollInProgress => "poll_in_progress", "a poll is open";
    /// The poll is still a draft.
    PollNotOpen => "poll_not_open", "the poll is not open";
    /// The poll is paused.
    PollPaused => "poll_paused", "the poll is paused";
    /// The poll is closed.
    PollClosed => "poll_closed", "the poll is closed";
    /// The poll can be edited only while it is a draft.
    PollNotDraft => "poll_not_draft", "the poll is no longer a draft";
    /// The poll must be closed first.
    PollNotClosed => "poll_not_closed", "the poll is not closed";
    /// The ballot names a round that is over.
    RoundOver => "round_over", "that voting round is over";
    /// The poll's deadline has passed.
    DeadlinePassed => "deadline_passed", "the poll's deadline has passed";
    /// The meeting does not have a quorum.
    QuorumNotMet => "quorum_not_met", "the meeting does not have a quorum";
    /// The seat has no right to vote in this poll.
    NotEntitled => "not_entitled", "this seat is not entitled to vote in this poll";
    /// The poll admits only members present in the meeting.
    NotPresent => "not_present", "only members present may vote in this poll";
    /// The seat has already voted and the poll does not allow a change.
    AlreadyVoted => "already_voted", "this seat has already voted";
    /// A changed secret ballot must name the ballot it replaces.
    ReplacementRequired => "replacement_required", "a changed secret ballot must name the ballot it replaces";
    /// The ballot named as replaced is not this seat's current ballot.
    ReplacedBallotUnknown => "replaced_ballot_unknown", "the replaced ballot is not this seat's current ballot";
    /// The seat is absent and represented by a proxy holder.
    SeatDelegated => "seat_delegated", "this seat has given a proxy; its holder votes for it";
    /// The actor does not hold the proxy of the seat it voted for.
    NotProxyHolder => "not_proxy_holder", "you do not hold this seat's proxy";
    /// The same ballot id was used for a different ballot.
    BallotIdConflict => "ballot_id_conflict", "this ballot id was already used for a different ballot";
    /// An answer names an option that does not exist.
    ChoiceOutOfRange => "choice_out_of_range", "a choice is out of range";
    /// An answer selects more options than allowed.
    TooManyChoices => "too_many_choices", "too many choices";
    /// An answer selects fewer options than required.
    TooFewChoices => "too_few_choices", "too few choices";
    /// An answer selects the same option twice.
    DuplicateChoice => "duplicate_choice", "the same option is chosen twice";
    /// The ballot does not answer every question exactly once.
    AnswerCountMismatch => "answer_count_mismatch", "the ballot must answer each question once";
    /// The meeting does not allow proxies.
    ProxiesNotAllowed => "proxies_not_allowed", "proxies are not allowed in this meeting";
    /// The proxy would make a seat counted twice or a chain of proxies.
    ProxyConflict => "proxy_conflict", "this proxy conflicts with another one";
    /// The holder already carries as many proxies as allowed.
    ProxyLimitReached => "proxy_limit_reached", "the holder already carries the most proxies allowed";
    /// The seat has not given a proxy.
    NoProxy => "no_proxy", "this seat has not given a proxy";
    /// The order given is not a permutation of the agenda.
    AgendaOrderInvalid => "agenda_order_invalid", "the order must list every agenda item exactly once";
    /// The member already has a pending request of this kind.
    AlreadyRequested => "already_requested", "you already have a pending request of this kind";
    /// The floor request is not pending.
    RequestNotPending => "request_not_pending", "the request is not waiting for the floor";
    /// Nobody holds the floor.
    FloorNotHeld => "floor_not_held", "nobody holds the floor";
    /// The directive cannot move to that status from its current one.
    DirectiveTransition => "directive_transition", "the directive cannot move to that status";
    /// The directory change would make a unit its own ancestor.
    UnitCycle => "unit_cycle", "a unit cannot be inside itself";
}

impl fmt::Display for RejectionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing an id named, in `unknown` and `duplicate` rejections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A meeting.
    Meeting,
    /// A member of the directory or a participant of the meeting.
    Member,
    /// A group of members.
    Group,
    /// A unit or organisation.
    Unit,
    /// An agenda item.
    Item,
    /// A document.
    Document,
    /// A poll.
    Poll,
    /// A request for the floor.
    FloorRequest,
    /// A conclusion.
    Conclusion,
    /// A directive.
    Directive,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Meeting => "meeting",
            Entity::Member => "member",
            Entity::Group => "group",
            Entity::Unit => "unit",
            Entity::Item => "agenda item",
            Entity::Document => "document",
            Entity::Poll => "poll",
            Entity::FloorRequest => "floor request",
            Entity::Conclusion => "conclusion",
            Entity::Directive => "directive",
        })
    }
}

/// What a rejection is about, when the code alone does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// The id of the thing that was unknown or already taken.
    Entity {
        /// What kind of thing was named.
        entity: Entity,
        /// The id as given.
        id: String,
    },
    /// The field that was not acceptable.
    Field {
        /// The field, as named on the wire.
        field: String,
        /// What is wrong with it, in English.
        reason: String,
    },
}

/// A command the domain refused. The state is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Rejection {
    /// The stable reason.
    pub code: RejectionCode,
    /// What the rejection is about, if the code alone does not say.
    pub subject: Option<Subject>,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.english())?;
        match &self.subject {
            None => Ok(()),
            Some(Subject::Entity { entity, id }) => write!(f, ": {entity} {id}"),
            Some(Subject::Field { field, reason }) => write!(f, ": {field}: {reason}"),
        }
    }
}

impl From<RejectionCode> for Rejection {
    fn from(code: RejectionCode) -> Rejection {
        Rejection {
            code,
            subject: None,
        }
    }
}

impl Rejection {
    /// An id names nothing known.
    pub fn unknown(entity: Entity, id: impl fmt::Display) -> Rejection {
        Rejection {
            code: RejectionCode::Unknown,
            subject: Some(Subject::Entity {
                entity,
                id: id.to_string(),
            }),
        }
    }

    /// An id that must be new is already taken.
    pub fn duplicate(entity: Entity, id: impl fmt::Display) -> Rejection {
        Rejection {
            code: RejectionCode::Duplicate,
            subject: Some(Subject::Entity {
                entity,
                id: id.to_string(),
            }),
        }
    }

    /// A field of the command is not acceptable.
    pub fn invalid(field: &str, reason: &str) -> Rejection {
        Rejection {
            code: RejectionCode::Invalid,
            subject: Some(Subject::Field {
                field: field.to_owned(),
                reason: reason.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_match_serde_names_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in RejectionCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
        }
    }

    #[test]
    fn display_names_the_subject() {
        let rejection = Rejection::unknown(Entity::Poll, "p9");
        assert_eq!(rejection.to_string(), "the id names nothing known: poll p9");
    }
}

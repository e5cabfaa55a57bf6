//! What happened in a meeting. The state is the fold of these events in sequence order;
//! each is stored with its sequence number and the time it was decided at.
//!
//! **Invariant:** no event of a secret poll pairs a seat with a choice: the seat goes in
//! [`MeetingEvent::VoteRegistered`], the choice in [`MeetingEvent::SecretBallotCast`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{
    ConclusionId, DirectiveId, DocumentId, FloorRequestId, GroupId, ItemId, MeetingId, MemberId,
    PollId, UnitId,
};
use crate::meeting::agenda::{Document, DocumentAccess};
use crate::meeting::document::DocumentFile;
use crate::meeting::floor::FloorKind;
use crate::meeting::outcome::DirectiveStatus;
use crate::meeting::projector::ProjectorDisplay;
use crate::meeting::quorum::QuorumState;
use crate::meeting::roster::{AlertAnswer, Invitee, PresenceMode};
use crate::meeting::settings::{MeetingDetails, MeetingSettings};
use crate::policy::{Actor, Role};
use crate::poll::question::Selection;
use crate::poll::receipt::Receipt;
use crate::poll::{PollResult, PollSpec};
use crate::time::{Millis, Timestamp};

/// An event with its place in the meeting's total order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventRecord {
    /// The meeting's sequence number, from 1 with no gaps.
    pub seq: u64,
    /// When the command that produced it was decided.
    pub at: Timestamp,
    /// What happened.
    pub event: MeetingEvent,
}

/// Something that happened in a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeetingEvent {
    /// The meeting was created.
    MeetingCreated {
        /// Its id.
        meeting: MeetingId,
        /// Who created it.
        by: Actor,
        /// Title, kind, place, time.
        details: MeetingDetails,
        /// Rules.
        settings: MeetingSettings,
    },
    /// Title, place or time changed.
    DetailsUpdated {
        /// The new details.
        details: MeetingDetails,
    },
    /// Rules changed.
    SettingsChanged {
        /// The new rules.
        settings: MeetingSettings,
    },
    /// The session opened.
    MeetingOpened {
        /// By whom.
        by: Actor,
    },
    /// The session closed.
    MeetingClosed {
        /// By whom.
        by: Actor,
    },
    /// An urgent-meeting alert was raised.
    AlertRaised {
        /// The alert's number in this meeting, from 1.
        number: u32,
        /// What it says.
        message: String,
        /// By whom.
        by: Actor,
    },
    /// A participant answered the alert.
    AlertAnswered {
        /// Who.
        member: MemberId,
        /// The answer.
        answer: AlertAnswer,
    },
    /// Members were invited.
    ParticipantsInvited {
        /// The new participants.
        invitees: Vec<Invitee>,
        /// The group they came through.
        group: Option<GroupId>,
    },
    /// A participant's terms changed.
    ParticipantUpdated {
        /// Who.
        member: MemberId,
        /// Role.
        role: Role,
        /// Voting right.
        voting_right: bool,
        /// Weight.
        weight: u32,
        /// Groups.
        groups: Vec<GroupId>,
    },
    /// A participant was removed, with any proxy given or held.
    ParticipantRemoved {
        /// Who.
        member: MemberId,
    },
    /// A participant checked in (or changed between room and remote).
    CheckedIn {
        /// Who.
        member: MemberId,
        /// In the room or remote.
        mode: PresenceMode,
        /// Who recorded it.
        by: Actor,
    },
    /// A participant checked out.
    CheckedOut {
        /// Who.
        member: MemberId,
        /// Who recorded it.
        by: Actor,
    },
    /// A seat gave its proxy.
    ProxyGranted {
        /// The seat.
        from: MemberId,
        /// The holder.
        to: MemberId,
        /// Who recorded it.
        by: Actor,
    },
    /// A seat took its proxy back.
    ProxyRevoked {
        /// The seat.
        from: MemberId,
        /// Who recorded it.
        by: Actor,
    },
    /// An agenda item was added.
    ItemAdded {
        /// The item.
        item: ItemId,
        /// Title.
        title: String,
        /// Description.
        description: String,
        /// Its place, from 0.
        position: u32,
    },
    /// An item's texts changed.
    ItemUpdated {
        /// The item.
        item: ItemId,
        /// Title.
        title: String,
        /// Description.
        description: String,
    },
    /// An item was removed, with its documents.
    ItemRemoved {
        /// The item.
        item: ItemId,
    },
    /// The agenda was reordered.
    AgendaReordered {
        /// Every item in its new order.
        order: Vec<ItemId>,
    },
    /// The meeting moved to an item.
    CurrentItemSet {
        /// The item, or none.
        item: Option<ItemId>,
    },
    /// The chair chose what the hall projector shows.
    ProjectorDisplaySet {
        /// The screen.
        display: ProjectorDisplay,
        /// By whom.
        by: Actor,
    },
    /// A document was attached (as a draft; in logs written before approval existed,
    /// published).
    DocumentAttached {
        /// The item.
        item: ItemId,
        /// The document.
        document: Document,
    },
    /// A document was removed.
    DocumentDetached {
        /// The document.
        document: DocumentId,
    },
    /// A document's access changed.
    DocumentAccessChanged {
        /// The document.
        document: DocumentId,
        /// The new rule.
        access: DocumentAccess,
    },
    /// A document got a new version; the one it replaces stays in its history.
    DocumentReplaced {
        /// The document.
        document: DocumentId,
        /// The new version's content.
        file: DocumentFile,
        /// What changed.
        note: String,
        /// By whom.
        by: Actor,
    },
    /// A draft document was published to its readers.
    DocumentApproved {
        /// The document.
        document: DocumentId,
        /// By whom.
        by: Actor,
    },
    /// A draft poll was created.
    PollCreated {
        /// The poll.
        poll: PollId,
        /// Its spec.
        spec: PollSpec,
    },
    /// A draft poll changed.
    PollUpdated {
        /// The poll.
        poll: PollId,
        /// Its new spec.
        spec: PollSpec,
    },
    /// A draft poll was deleted.
    PollDeleted {
        /// The poll.
        poll: PollId,
    },
    /// A poll round opened.
    PollOpened {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// When it closes by itself.
        deadline: Option<Timestamp>,
        /// The quorum at that moment.
        quorum: QuorumState,
        /// Opened without a quorum by the chair's decision.
        quorum_overridden: bool,
        /// By whom.
        by: Actor,
    },
    /// A poll was paused.
    PollPaused {
        /// The poll.
        poll: PollId,
        /// By whom.
        by: Actor,
    },
    /// A poll resumed.
    PollResumed {
        /// The poll.
        poll: PollId,
        /// Its deadline from now on.
        deadline: Option<Timestamp>,
        /// By whom.
        by: Actor,
    },
    /// A poll round closed and was counted.
    PollClosed {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The result, as announced.
        result: PollResult,
        /// By whom (the hub, for a deadline).
        by: Actor,
    },
    /// A poll's results were published to everyone.
    PollPublished {
        /// The poll.
        poll: PollId,
        /// By whom.
        by: Actor,
    },
    /// A round was ended and a new one prepared; the old one stays in the record.
    RevoteStarted {
        /// The poll.
        poll: PollId,
        /// The new round.
        round: u32,
        /// By whom.
        by: Actor,
    },
    /// A named ballot: who voted and how, in one record.
    BallotCast {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The seat voted for.
        seat: MemberId,
        /// Who cast it (the seat or its proxy holder).
        cast_by: MemberId,
        /// The receipt.
        receipt: Receipt,
        /// The answers.
        answers: Vec<Selection>,
        /// The seat's weight.
        weight: u32,
        /// The ballot this one replaces.
        replaces: Option<Receipt>,
    },
    /// A secret poll: a seat has voted. Carries no choice.
    VoteRegistered {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The seat voted for.
        seat: MemberId,
        /// Who cast it.
        cast_by: MemberId,
    },
    /// A secret poll: a ballot went into the box. Carries no seat.
    SecretBallotCast {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The receipt.
        receipt: Receipt,
        /// Ties the ballot to its seat for whoever knows the ballot id, and for nobody
        /// else ([`Receipt::seat_tag`]): a change may replace only the seat's own ballot.
        seat_tag: Receipt,
        /// The answers.
        answers: Vec<Selection>,
        /// The weight it carries.
        weight: u32,
        /// The ballot this one replaces.
        replaces: Option<Receipt>,
    },
    /// A member asked for the floor.
    FloorRequested {
        /// The request.
        request: FloorRequestId,
        /// Who.
        member: MemberId,
        /// Kind.
        kind: FloorKind,
        /// The item current at the time.
        item: Option<ItemId>,
        /// Topic.
        topic: String,
        /// For an interpellation: to whom.
        addressed_to: Option<String>,
    },
    /// A request was withdrawn.
    FloorRequestWithdrawn {
        /// The request.
        request: FloorRequestId,
        /// By whom.
        by: Actor,
    },
    /// The floor was given.
    FloorGranted {
        /// The request.
        request: FloorRequestId,
        /// The speaking time.
        duration: Millis,
        /// By whom.
        by: Actor,
    },
    /// The current speaker got more time.
    FloorExtended {
        /// The extra time.
        extra: Millis,
        /// By whom.
        by: Actor,
    },
    /// The current speaker's turn ended.
    FloorEnded {
        /// The request that held the floor.
        request: FloorRequestId,
        /// By whom.
        by: Actor,
    },
    /// A conclusion was recorded.
    ConclusionRecorded {
        /// The conclusion.
        conclusion: ConclusionId,
        /// Its item.
        item: Option<ItemId>,
        /// Text.
        text: String,
        /// By whom.
        by: Actor,
    },
    /// A conclusion was revised.
    ConclusionRevised {
        /// The conclusion.
        conclusion: ConclusionId,
        /// New text.
        text: String,
        /// By whom.
        by: Actor,
    },
    /// A directive was assigned to a unit.
    DirectiveIssued {
        /// The directive.
        directive: DirectiveId,
        /// Its item.
        item: Option<ItemId>,
        /// The unit.
        unit: UnitId,
        /// The unit's name.
        unit_name: String,
        /// What is to be done.
        text: String,
        /// Due date.
        due: Option<Timestamp>,
        /// By whom.
        by: Actor,
    },
    /// A directive's status changed.
    DirectiveUpdated {
        /// The directive.
        directive: DirectiveId,
        /// New status.
        status: DirectiveStatus,
        /// By whom.
        by: Actor,
    },
}

//! What participants ask a meeting to do. A command is decided against the meeting's
//! state: it yields events, or a rejection that changes nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{
    BallotId, ConclusionId, DirectiveId, DocumentId, FloorRequestId, GroupId, ItemId, MemberId,
    PollId, UnitId,
};
use crate::meeting::agenda::{Document, DocumentAccess};
use crate::meeting::document::DocumentFile;
use crate::meeting::floor::FloorKind;
use crate::meeting::outcome::DirectiveStatus;
use crate::meeting::projector::ProjectorDisplay;
use crate::meeting::roster::{AlertAnswer, Invitee, PresenceMode};
use crate::meeting::settings::{MeetingDetails, MeetingSettings};
use crate::policy::Role;
use crate::poll::PollSpec;
use crate::poll::question::Selection;
use crate::time::{Millis, Timestamp};

/// Creates a meeting; the first command of every meeting's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreateMeeting {
    /// Title, kind, place and time.
    pub details: MeetingDetails,
    /// Its rules.
    pub settings: MeetingSettings,
}

/// A command to an existing meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeetingCommand {
    // --- The meeting itself ---
    /// Changes the title, place or time.
    UpdateDetails {
        /// The new details; the kind cannot change.
        details: MeetingDetails,
    },
    /// Changes the rules (not while a poll is running).
    ChangeSettings {
        /// The new rules.
        settings: MeetingSettings,
    },
    /// Opens the session.
    OpenMeeting,
    /// Closes the session (ends the floor; no poll may be running).
    CloseMeeting,
    /// Convenes an urgent meeting in one action: opens it if it is still scheduled and
    /// raises the alert to every participant.
    Convene {
        /// What the alert says.
        message: String,
    },
    /// Raises an urgent-meeting alert to every participant (again, once convened).
    RaiseAlert {
        /// What the alert says.
        message: String,
    },
    /// Answers the current alert.
    AnswerAlert {
        /// The answer.
        answer: AlertAnswer,
    },

    // --- Participants and attendance ---
    /// Invites members; those already invited are left as they are.
    Invite {
        /// The members, with their terms.
        invitees: Vec<Invitee>,
        /// The group they were invited through, if any.
        group: Option<GroupId>,
    },
    /// Changes a participant's terms (not while a poll is running).
    UpdateParticipant {
        /// The participant.
        member: MemberId,
        /// The role.
        role: Role,
        /// Whether they may vote.
        voting_right: bool,
        /// Their vote weight (1 unless the meeting weighs votes).
        weight: u32,
        /// The groups they belong to for eligibility.
        groups: Vec<GroupId>,
    },
    /// Removes a participant (only before the meeting opens).
    RemoveParticipant {
        /// The participant.
        member: MemberId,
    },
    /// Checks a participant in (themself, or anyone for the secretary and chair).
    CheckIn {
        /// Who checks in; `None`: the actor.
        member: Option<MemberId>,
        /// In the room or remote.
        mode: PresenceMode,
    },
    /// Checks a participant out.
    CheckOut {
        /// Who checks out; `None`: the actor.
        member: Option<MemberId>,
    },
    /// Gives a seat's proxy to another delegate, who votes for it while it is absent.
    GrantProxy {
        /// The seat giving its proxy; `None`: the actor.
        from: Option<MemberId>,
        /// The holder.
        to: MemberId,
    },
    /// Takes a proxy back.
    RevokeProxy {
        /// The seat that gave it; `None`: the actor.
        from: Option<MemberId>,
    },

    // --- The agenda and its documents ---
    /// Adds an agenda item.
    AddItem {
        /// The new item's id.
        item: ItemId,
        /// Its title.
        title: String,
        /// A longer description.
        description: String,
        /// Its place, from 0; `None`: at the end.
        position: Option<u32>,
    },
    /// Changes an item's title and description.
    UpdateItem {
        /// The item.
        item: ItemId,
        /// The title.
        title: String,
        /// The description.
        description: String,
    },
    /// Removes an item that no poll refers to.
    RemoveItem {
        /// The item.
        item: ItemId,
    },
    /// Puts the agenda in a new order.
    ReorderAgenda {
        /// Every item, exactly once, in the new order.
        order: Vec<ItemId>,
    },
    /// Moves the meeting to an item (or to none).
    SetCurrentItem {
        /// The item; `None`: no current item.
        item: Option<ItemId>,
    },
    /// Chooses what the hall projector shows.
    ShowOnProjector {
        /// The screen; `auto` follows the polls.
        display: ProjectorDisplay,
    },
    /// Attaches a document to an item.
    AttachDocument {
        /// The item.
        item: ItemId,
        /// The document's metadata.
        document: Document,
    },
    /// Removes a document.
    DetachDocument {
        /// The document.
        document: DocumentId,
    },
    /// Changes who may read a document.
    SetDocumentAccess {
        /// The document.
        document: DocumentId,
        /// The new access rule.
        access: DocumentAccess,
    },
    /// Uploads a new version of a document; the current one goes into its history.
    ReplaceDocument {
        /// The document.
        document: DocumentId,
        /// The new version's content.
        file: DocumentFile,
        /// What changed, for the readers.
        #[serde(default)]
        note: String,
    },
    /// Publishes a draft document to its readers.
    ApproveDocument {
        /// The document.
        document: DocumentId,
    },

    // --- Polls ---
    /// Creates a draft poll.
    CreatePoll {
        /// The new poll's id.
        poll: PollId,
        /// What it is.
        spec: PollSpec,
    },
    /// Replaces a draft poll's spec.
    UpdatePoll {
        /// The poll.
        poll: PollId,
        /// The new spec.
        spec: PollSpec,
    },
    /// Deletes a draft poll that never ran.
    DeletePoll {
        /// The poll.
        poll: PollId,
    },
    /// Opens a draft poll (requires a quorum unless the chair overrides).
    OpenPoll {
        /// The poll.
        poll: PollId,
        /// When it closes by itself.
        deadline: Option<Timestamp>,
        /// Open even without a quorum; recorded.
        override_quorum: bool,
    },
    /// Stops accepting ballots for a while.
    PausePoll {
        /// The poll.
        poll: PollId,
    },
    /// Accepts ballots again.
    ResumePoll {
        /// The poll.
        poll: PollId,
        /// A new deadline; `None` keeps the old one.
        deadline: Option<Timestamp>,
    },
    /// Closes a running poll and counts it.
    ClosePoll {
        /// The poll.
        poll: PollId,
    },
    /// Announces a closed poll's results to everyone.
    PublishPoll {
        /// The poll.
        poll: PollId,
    },
    /// Ends the current round (kept in the record) and prepares a new one as a draft.
    RevotePoll {
        /// The poll.
        poll: PollId,
    },
    /// Casts a ballot for a seat: the actor's own, or one whose proxy the actor holds.
    CastBallot {
        /// The poll.
        poll: PollId,
        /// The round the ballot is for.
        round: u32,
        /// Chosen by the device, unpredictable (a random UUID); a resend with the same
        /// id gets the same receipt.
        ballot: BallotId,
        /// The seat; `None`: the actor's own.
        seat: Option<MemberId>,
        /// One answer per question.
        answers: Vec<Selection>,
        /// When changing a secret ballot: the ballot id it replaces.
        replaces: Option<BallotId>,
    },
    /// Lets time pass: closes polls whose deadline has come. Sent by the hub.
    Tick,

    // --- The speakers' list ---
    /// Asks for the floor.
    RequestFloor {
        /// The new request's id.
        request: FloorRequestId,
        /// Speech, interpellation or point of order.
        kind: FloorKind,
        /// What about (may be empty).
        topic: String,
        /// For an interpellation: whom it is addressed to.
        addressed_to: Option<String>,
    },
    /// Withdraws a pending request (its author, or the chair).
    WithdrawFloorRequest {
        /// The request.
        request: FloorRequestId,
    },
    /// Gives the floor to a pending request, ending the current speaker's turn.
    GrantFloor {
        /// The request.
        request: FloorRequestId,
        /// The speaking time; `None`: the meeting's default for the kind.
        duration: Option<Millis>,
    },
    /// Gives the current speaker more time.
    ExtendFloor {
        /// The extra time.
        extra: Millis,
    },
    /// Ends the current speaker's turn.
    EndFloor,

    // --- Conclusions and directives ---
    /// Records a conclusion.
    RecordConclusion {
        /// The new conclusion's id.
        conclusion: ConclusionId,
        /// The item it concludes, if any.
        item: Option<ItemId>,
        /// The text.
        text: String,
    },
    /// Replaces a conclusion's text.
    ReviseConclusion {
        /// The conclusion.
        conclusion: ConclusionId,
        /// The new text.
        text: String,
    },
    /// Assigns a directive to a unit.
    IssueDirective {
        /// The new directive's id.
        directive: DirectiveId,
        /// The item it belongs to, if any.
        item: Option<ItemId>,
        /// The unit responsible.
        unit: UnitId,
        /// The unit's name, as printed in the minutes.
        unit_name: String,
        /// What is to be done.
        text: String,
        /// When it is due.
        due: Option<Timestamp>,
    },
    /// Records a directive's progress.
    UpdateDirective {
        /// The directive.
        directive: DirectiveId,
        /// The new status.
        status: DirectiveStatus,
    },
}

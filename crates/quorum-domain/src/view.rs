//! Per-viewer projections: what a guest, a delegate, the chair's console or the hall
//! projector may see of a meeting, as a snapshot and as changes after each event.
//!
//! **Invariant:** visibility is decided here and only here, by the same functions for
//! snapshots and for changes. No view of a secret poll pairs a seat with a choice, and
//! no view holds a document its viewer may not read.

mod change;
mod coalesce;
mod poll;
mod share;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use change::{SharedViews, StateViews, Told, ViewChange};
pub use poll::{
    MySeat, PollProgress, PollView, Progress, ReceiptEntry, ResultsView, RoundView, SeatVote,
};

use crate::id::{ItemId, MeetingId, MemberId};
use crate::meeting::Meeting;
use crate::meeting::agenda::{Document, Reader};
use crate::meeting::floor::{FloorRequest, Speaking};
use crate::meeting::outcome::{Conclusion, Directive};
use crate::meeting::projector::ProjectorDisplay;
use crate::meeting::quorum::QuorumState;
use crate::meeting::roster::{AlertAnswer, AnsweredAlert, Attendance, Participant};
use crate::meeting::settings::{MeetingDetails, MeetingSettings, MeetingStatus};
use crate::policy::{self, Action, Role, Standing};
use crate::time::Timestamp;

/// Who is looking at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Viewer {
    /// A participant, on their own device.
    Member {
        /// Who.
        member: MemberId,
    },
    /// The hall projector: read-only, public information only.
    Projector,
    /// A hub administrator.
    Admin,
}

/// The class of screen a viewer gets, which decides what is visible.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The chair's console: chair, secretary, administrator.
    Keeper,
    /// A delegate.
    Delegate,
    /// A guest.
    Guest,
    /// The hall projector.
    Projector,
}

/// A viewer resolved against the meeting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lens<'a> {
    pub(crate) audience: Audience,
    pub(crate) member: Option<&'a MemberId>,
}

impl<'a> Lens<'a> {
    /// Resolves a viewer; `None` for a member who is not a participant.
    pub(crate) fn new(meeting: &Meeting, viewer: &'a Viewer) -> Option<Lens<'a>> {
        let (audience, member) = match viewer {
            Viewer::Projector => (Audience::Projector, None),
            Viewer::Admin => (Audience::Keeper, None),
            Viewer::Member { member } => {
                let role = meeting.participants.get(member)?.role();
                let audience =
                    if policy::permits(Standing::Participant(role), Action::SeeEverything) {
                        Audience::Keeper
                    } else if role == Role::Guest {
                        Audience::Guest
                    } else {
                        Audience::Delegate
                    };
                (audience, Some(member))
            }
        };
        Some(Lens { audience, member })
    }

    pub(crate) fn is_keeper(&self) -> bool {
        self.audience == Audience::Keeper
    }

    /// The viewer as a reader of documents; `role` is the viewer's role, if a member.
    fn reader(&self, role: Option<Role>) -> Reader<'a> {
        match (self.audience, self.member.zip(role)) {
            (Audience::Keeper, _) => Reader::Keeper,
            (Audience::Delegate | Audience::Guest, Some((member, role))) => {
                Reader::Participant { member, role }
            }
            // The projector, or a viewer who is no participant: public documents only.
            (Audience::Projector, _) | (_, None) => Reader::Projector,
        }
    }
}

/// A meeting as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingView {
    /// The sequence number this view is at.
    pub seq: u64,
    /// The class of screen this view was made for.
    pub audience: Audience,
    /// The meeting itself.
    pub meeting: MeetingInfo,
    /// The viewer's own standing (participants only).
    pub me: Option<MyView>,
    /// The roster with attendance.
    pub participants: Vec<ParticipantView>,
    /// The live quorum.
    pub quorum: QuorumState,
    /// The current urgent-meeting alert.
    pub alert: Option<AlertView>,
    /// The agenda, with the documents this viewer may read.
    pub agenda: AgendaView,
    /// Polls this viewer may see.
    pub polls: Vec<PollView>,
    /// The speakers' list.
    pub floor: FloorView,
    /// Conclusions.
    pub conclusions: Vec<Conclusion>,
    /// Directives.
    pub directives: Vec<Directive>,
    /// What the hall projector shows (public: every screen may follow it).
    pub projector: ProjectorDisplay,
}

/// The meeting's details, rules and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingInfo {
    /// The meeting.
    pub id: MeetingId,
    /// Title, kind, place, time.
    pub details: MeetingDetails,
    /// Rules.
    pub settings: MeetingSettings,
    /// Scheduled, open or closed.
    pub status: MeetingStatus,
    /// When the session opened.
    pub opened_at: Option<Timestamp>,
    /// When it closed.
    pub closed_at: Option<Timestamp>,
}

/// The viewer's own standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MyView {
    /// Who.
    pub member: MemberId,
    /// Role.
    pub role: Role,
    /// Whether they may vote.
    pub voting_right: bool,
    /// Weight.
    pub weight: u32,
    /// Whether checked in.
    pub attendance: Attendance,
    /// The holder of their proxy.
    pub proxy_given_to: Option<MemberId>,
    /// Seats whose proxy they hold.
    pub proxies_held: Vec<MemberId>,
    /// Their answer to the alert.
    pub alert_answer: Option<AnsweredAlert>,
}

/// A participant on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ParticipantView {
    /// Who.
    pub member: MemberId,
    /// Full name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Unit name.
    pub unit_name: String,
    /// Role.
    pub role: Role,
    /// Whether they may vote.
    pub voting_right: bool,
    /// Weight.
    pub weight: u32,
    /// Whether checked in: on the chair's console only. Delegates, guests and the
    /// projector are told attendance as counts (`quorum`) and their own in `me`, so a
    /// roll call of N does not send each of N devices N rows.
    pub attendance: Option<Attendance>,
    /// The holder of their proxy (the chair's console and the people concerned).
    pub proxy_given_to: Option<MemberId>,
    /// Their answer to the alert (the chair's console only).
    pub alert_answer: Option<AnsweredAlert>,
}

/// The alert and how it has been answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AlertView {
    /// Its number.
    pub number: u32,
    /// What it says.
    pub message: String,
    /// When raised.
    pub raised_at: Timestamp,
    /// Answers to this alert, counted.
    pub answers: AlertSummary,
}

/// Answers to an alert, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AlertSummary {
    /// Seen, no decision yet.
    pub received: u32,
    /// Joining remotely.
    pub joining_remotely: u32,
    /// In the room.
    pub in_the_room: u32,
    /// Cannot attend.
    pub cannot_attend: u32,
    /// No answer yet.
    pub unanswered: u32,
}

/// The agenda as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgendaView {
    /// Items in order.
    pub items: Vec<ItemView>,
    /// The current item.
    pub current: Option<ItemId>,
}

/// An agenda item with the documents the viewer may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemView {
    /// The item.
    pub id: ItemId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Documents the viewer may read.
    pub documents: Vec<Document>,
}

/// The speakers' list as shown on every screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorView {
    /// The speaker and the timer.
    pub current: Option<Speaking>,
    /// Waiting requests, in speaking order.
    pub queue: Vec<FloorRequest>,
}

impl Meeting {
    /// The meeting as `viewer` sees it; `None` if the viewer is not a participant.
    pub fn view(&self, viewer: &Viewer) -> Option<MeetingView> {
        let lens = Lens::new(self, viewer)?;
        Some(MeetingView {
            seq: self.seq,
            audience: lens.audience,
            meeting: self.info_view(),
            me: self.my_view(lens),
            participants: self
                .participants
                .values()
                .map(|participant| self.participant_view(lens, participant))
                .collect(),
            quorum: self.quorum(),
            alert: self.alert_view(),
            agenda: self.agenda_view(lens),
            polls: self
                .polls()
                .filter_map(|poll| self.poll_view(lens, poll))
                .collect(),
            floor: self.floor_view(),
            conclusions: self.conclusions().cloned().collect(),
            directives: self.directives().cloned().collect(),
            projector: self.projector.clone(),
        })
    }

    /// The class of screen `viewer` is shown; `None` if not a participant. A device
    /// whose audience changed (a role changed) needs a fresh snapshot: changes are
    /// told to a viewer as their audience sees them.
    pub fn audience(&self, viewer: &Viewer) -> Option<Audience> {
        Lens::new(self, viewer).map(|lens| lens.audience)
    }

    /// The changes a viewer sees after `event` (the last event applied). Empty when the
    /// event changes nothing the viewer can see; `None` if the viewer is not a
    /// participant.
    pub fn view_changes(
        &self,
        event: &crate::meeting::event::MeetingEvent,
        viewer: &Viewer,
    ) -> Option<Vec<ViewChange>> {
        self.view_changes_sharing(
            event,
            viewer,
            &mut StateViews::default(),
            &mut SharedViews::default(),
        )
        .map(|told| told.changes)
    }

    /// [`Meeting::view_changes`] for one of many viewers of the same events: what is
    /// the same for a whole audience is computed once, in `state` for what depends on
    /// the meeting's state alone (one for every event told from this state) and in
    /// `shared` for the event's whole list (one per event); the answer says whether
    /// the whole audience is told the same.
    pub fn view_changes_sharing(
        &self,
        event: &crate::meeting::event::MeetingEvent,
        viewer: &Viewer,
        state: &mut StateViews,
        shared: &mut SharedViews,
    ) -> Option<Told> {
        let lens = Lens::new(self, viewer)?;
        Some(change::changes(self, lens, event, state, shared))
    }

    pub(crate) fn info_view(&self) -> MeetingInfo {
        MeetingInfo {
            id: self.id.clone(),
            details: self.details.clone(),
            settings: self.settings,
            status: self.status,
            opened_at: self.opened_at,
            closed_at: self.closed_at,
        }
    }

    pub(crate) fn my_view(&self, lens: Lens<'_>) -> Option<MyView> {
        let participant = self.participants.get(lens.member?)?;
        let member = participant.member();
        Some(MyView {
            member: member.clone(),
            role: participant.role(),
            voting_right: participant.votes(),
            weight: participant.invitee.weight,
            attendance: participant.attendance,
            proxy_given_to: self.proxies.get(member).cloned(),
            proxies_held: self
                .proxies
                .iter()
                .filter(|(_, holder)| *holder == member)
                .map(|(seat, _)| seat.clone())
                .collect(),
            alert_answer: participant.alert_answer.clone(),
        })
    }

    pub(crate) fn participant_view(
        &self,
        lens: Lens<'_>,
        participant: &Participant,
    ) -> ParticipantView {
        let member = participant.member();
        let holder = self.proxies.get(member);
        let concerned = lens.is_keeper() || lens.member == Some(member) || lens.member == holder;
        let invitee = &participant.invitee;
        ParticipantView {
            member: member.clone(),
            name: invitee.name.clone(),
            position: invitee.position.clone(),
            unit_name: invitee.unit_name.clone(),
            role: invitee.role,
            voting_right: participant.votes(),
            weight: invitee.weight,
            attendance: Some(participant.attendance).filter(|_| lens.is_keeper()),
            proxy_given_to: holder.filter(|_| concerned).cloned(),
            alert_answer: participant
                .alert_answer
                .clone()
                .filter(|_| lens.is_keeper() || lens.member == Some(member)),
        }
    }

    pub(crate) fn alert_view(&self) -> Option<AlertView> {
        let alert = self.alert.as_ref()?;
        let mut answers = AlertSummary::default();
        for participant in self.participants.values() {
            let answer = participant
                .alert_answer
                .as_ref()
                .filter(|answered| answered.number == alert.number)
                .map(|answered| &answered.answer);
            let slot = match answer {
                None => &mut answers.unanswered,
                Some(AlertAnswer::Received) => &mut answers.received,
                Some(AlertAnswer::JoiningRemotely) => &mut answers.joining_remotely,
                Some(AlertAnswer::InTheRoom) => &mut answers.in_the_room,
                Some(AlertAnswer::CannotAttend { .. }) => &mut answers.cannot_attend,
            };
            *slot = slot.saturating_add(1);
        }
        Some(AlertView {
            number: alert.number,
            message: alert.message.clone(),
            raised_at: alert.raised_at,
            answers,
        })
    }

    pub(crate) fn agenda_view(&self, lens: Lens<'_>) -> AgendaView {
        let role = lens
            .member
            .and_then(|member| self.participants.get(member))
            .map(Participant::role);
        let reader = lens.reader(role);
        AgendaView {
            items: self
                .agenda
                .items
                .iter()
                .map(|item| ItemView {
                    id: item.id.clone(),
                    title: item.title.clone(),
                    description: item.description.clone(),
                    documents: item
                        .documents
                        .iter()
                        .filter(|doc| doc.readable_by(reader))
                        .cloned()
                        .collect(),
                })
                .collect(),
            current: self.agenda.current.clone(),
        }
    }

    pub(crate) fn floor_view(&self) -> FloorView {
        FloorView {
            current: self.floor.current.clone(),
            queue: self.floor.queue().into_iter().cloned().collect(),
        }
    }
}

//! The meeting aggregate: its state, `decide` (command → events or a rejection) and
//! `apply` (event → new state). Each area of a meeting lives in a submodule that holds
//! both halves for its commands and events.
//!
//! **Invariant:** the state is exactly the fold of the events in sequence order;
//! replaying a log gives the same state as the commands that produced it.

pub mod agenda;
mod caller;
pub mod command;
pub mod document;
pub mod event;
pub mod floor;
pub mod outcome;
pub mod projector;
pub mod quorum;
pub mod roster;
pub mod settings;
pub(crate) mod voting;

use std::collections::BTreeMap;

use crate::id::{ConclusionId, DirectiveId, MeetingId, MemberId, PollId};
use crate::policy::Actor;
use crate::poll::Poll;
use crate::poll::receipt::Receipt;
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::time::Timestamp;
use agenda::Agenda;
use caller::Caller;
use command::{CreateMeeting, MeetingCommand};
use event::{EventRecord, MeetingEvent};
use floor::Floor;
use outcome::{Conclusion, Directive};
use projector::ProjectorDisplay;
use quorum::QuorumState;
use roster::{Alert, Participant};
use settings::{MeetingDetails, MeetingSettings, MeetingStatus};

/// What a command decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The events to append, in order (empty when the command changes nothing, such as
    /// a resent ballot).
    pub events: Vec<MeetingEvent>,
    /// For a ballot: its receipt (the same for every resend).
    pub receipt: Option<Receipt>,
}

impl Decision {
    fn events(events: Vec<MeetingEvent>) -> Decision {
        Decision {
            events,
            receipt: None,
        }
    }
}

/// Why an event could not be applied: the log is out of order or does not belong to
/// this meeting's history. Never produced by events that `decide` returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The event's sequence number is not the next one.
    #[error("event {got} applied where {expected} was expected")]
    OutOfOrder {
        /// The next sequence number.
        expected: u64,
        /// The event's.
        got: u64,
    },
    /// A log must start with `meeting_created`, and only once.
    #[error("a meeting's log must start with meeting_created, and only there")]
    NotCreated,
    /// The event refers to something the state does not hold, or does not fit it.
    #[error("event {seq} does not fit the state of {entity} {id}")]
    Dangling {
        /// The event's sequence number.
        seq: u64,
        /// What it refers to.
        entity: Entity,
        /// The id.
        id: String,
    },
}

/// Why `execute` failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecuteError {
    /// The command was refused.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The events could not be applied (a bug: decide and apply disagree).
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

/// A meeting: its roster, agenda, polls, speakers' list and record, at sequence `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub(crate) id: MeetingId,
    pub(crate) seq: u64,
    pub(crate) created: (Timestamp, Actor),
    pub(crate) details: MeetingDetails,
    pub(crate) settings: MeetingSettings,
    pub(crate) status: MeetingStatus,
    pub(crate) opened_at: Option<Timestamp>,
    pub(crate) closed_at: Option<Timestamp>,
    pub(crate) participants: BTreeMap<MemberId, Participant>,
    /// Seat → holder.
    pub(crate) proxies: BTreeMap<MemberId, MemberId>,
    pub(crate) alert: Option<Alert>,
    pub(crate) agenda: Agenda,
    pub(crate) polls: BTreeMap<PollId, Poll>,
    /// Polls in the order they were created.
    pub(crate) poll_order: Vec<PollId>,
    pub(crate) floor: Floor,
    pub(crate) conclusions: BTreeMap<ConclusionId, Conclusion>,
    pub(crate) conclusion_order: Vec<ConclusionId>,
    pub(crate) directives: BTreeMap<DirectiveId, Directive>,
    pub(crate) directive_order: Vec<DirectiveId>,
    pub(crate) projector: ProjectorDisplay,
}

impl Meeting {
    /// Decides the creation of meeting `id`: the first event of its log.
    pub fn create(
        id: MeetingId,
        actor: &Actor,
        command: CreateMeeting,
    ) -> Result<MeetingEvent, Rejection> {
        if matches!(actor, Actor::System) {
            return Err(RejectionCode::NotPermitted.into());
        }
        command.details.validate()?;
        command.settings.validate()?;
        Ok(MeetingEvent::MeetingCreated {
            meeting: id,
            by: actor.clone(),
            details: command.details,
            settings: command.settings,
        })
    }

    /// Rebuilds a meeting from its log.
    pub fn replay<'a>(
        records: impl IntoIterator<Item = &'a EventRecord>,
    ) -> Result<Meeting, ApplyError> {
        let mut records = records.into_iter();
        let first = records.next().ok_or(ApplyError::NotCreated)?;
        let mut meeting = Meeting::from_created(first)?;
        for record in records {
            meeting.apply(record)?;
        }
        Ok(meeting)
    }

    /// The meeting as its first event made it.
    pub fn from_created(record: &EventRecord) -> Result<Meeting, ApplyError> {
        let MeetingEvent::MeetingCreated {
            meeting,
            by,
            details,
            settings,
        } = &record.event
        else {
            return Err(ApplyError::NotCreated);
        };
        if record.seq != 1 {
            return Err(ApplyError::OutOfOrder {
                expected: 1,
                got: record.seq,
            });
        }
        Ok(Meeting {
            id: meeting.clone(),
            seq: 1,
            created: (record.at, by.clone()),
            details: details.clone(),
            settings: *settings,
            status: MeetingStatus::Scheduled,
            opened_at: None,
            closed_at: None,
            participants: BTreeMap::new(),
            proxies: BTreeMap::new(),
            alert: None,
            agenda: Agenda::default(),
            polls: BTreeMap::new(),
            poll_order: Vec::new(),
            floor: Floor::default(),
            conclusions: BTreeMap::new(),
            conclusion_order: Vec::new(),
            directives: BTreeMap::new(),
            directive_order: Vec::new(),
            projector: ProjectorDisplay::Auto,
        })
    }

    /// Decides `command` from `actor` at `now` against the current state.
    pub fn decide(
        &self,
        actor: &Actor,
        now: Timestamp,
        command: &MeetingCommand,
    ) -> Result<Decision, Rejection> {
        let caller = Caller::new(self, actor, now);
        // A closed meeting is read-only, except for what outlives the session: resent
        // ballots still get their receipts, counted polls can still be published, and
        // units report progress on their directives.
        let outlives_session = matches!(
            command,
            MeetingCommand::CastBallot { .. }
                | MeetingCommand::PublishPoll { .. }
                | MeetingCommand::UpdateDirective { .. }
        );
        if self.status == MeetingStatus::Closed && !outlives_session {
            return Err(RejectionCode::MeetingClosed.into());
        }
        use MeetingCommand as C;
        let events = match command {
            C::UpdateDetails { details } => self.decide_update_details(&caller, details),
            C::ChangeSettings { settings } => self.decide_change_settings(&caller, settings),
            C::OpenMeeting => self.decide_open(&caller),
            C::CloseMeeting => self.decide_close(&caller),
            C::Convene { message } => self.decide_convene(&caller, message),
            C::RaiseAlert { message } => self.decide_raise_alert(&caller, message),
            C::AnswerAlert { answer } => self.decide_answer_alert(&caller, answer),
            C::Invite { invitees, group } => self.decide_invite(&caller, invitees, group),
            C::UpdateParticipant {
                member,
                role,
                voting_right,
                weight,
                groups,
            } => self.decide_update_participant(
                &caller,
                member,
                *role,
                *voting_right,
                *weight,
                groups,
            ),
            C::RemoveParticipant { member } => self.decide_remove_participant(&caller, member),
            C::CheckIn { member, mode } => self.decide_check_in(&caller, member.as_ref(), *mode),
            C::CheckOut { member } => self.decide_check_out(&caller, member.as_ref()),
            C::GrantProxy { from, to } => self.decide_grant_proxy(&caller, from.as_ref(), to),
            C::RevokeProxy { from } => self.decide_revoke_proxy(&caller, from.as_ref()),
            C::AddItem {
                item,
                title,
                description,
                position,
            } => self.decide_add_item(&caller, item, title, description, *position),
            C::UpdateItem {
                item,
                title,
                description,
            } => self.decide_update_item(&caller, item, title, description),
            C::RemoveItem { item } => self.decide_remove_item(&caller, item),
            C::ReorderAgenda { order } => self.decide_reorder(&caller, order),
            C::SetCurrentItem { item } => self.decide_set_current(&caller, item.as_ref()),
            C::ShowOnProjector { display } => self.decide_show_on_projector(&caller, display),
            C::AttachDocument { item, document } => {
                self.decide_attach_document(&caller, item, document)
            }
            C::DetachDocument { document } => self.decide_detach_document(&caller, document),
            C::SetDocumentAccess { document, access } => {
                self.decide_document_access(&caller, document, access)
            }
            C::ReplaceDocument {
                document,
                file,
                note,
            } => self.decide_replace_document(&caller, document, file, note),
            C::ApproveDocument { document } => self.decide_approve_document(&caller, document),
            C::CreatePoll { poll, spec } => self.decide_create_poll(&caller, poll, spec),
            C::UpdatePoll { poll, spec } => self.decide_update_poll(&caller, poll, spec),
            C::DeletePoll { poll } => self.decide_delete_poll(&caller, poll),
            C::OpenPoll {
                poll,
                deadline,
                override_quorum,
            } => self.decide_open_poll(&caller, poll, *deadline, *override_quorum),
            C::PausePoll { poll } => self.decide_pause_poll(&caller, poll),
            C::ResumePoll { poll, deadline } => self.decide_resume_poll(&caller, poll, *deadline),
            C::ClosePoll { poll } => self.decide_close_poll(&caller, poll),
            C::PublishPoll { poll } => self.decide_publish_poll(&caller, poll),
            C::RevotePoll { poll } => self.decide_revote(&caller, poll),
            C::CastBallot {
                poll,
                round,
                ballot,
                seat,
                answers,
                replaces,
            } => {
                return self.decide_cast(
                    &caller,
                    voting::Cast {
                        poll,
                        round: *round,
                        ballot,
                        seat: seat.as_ref(),
                        answers,
                        replaces: replaces.as_ref(),
                    },
                );
            }
            C::Tick => self.decide_tick(&caller),
            C::RequestFloor {
                request,
                kind,
                topic,
                addressed_to,
            } => self.decide_request_floor(&caller, request, *kind, topic, addressed_to.as_ref()),
            C::WithdrawFloorRequest { request } => self.decide_withdraw_request(&caller, request),
            C::GrantFloor { request, duration } => {
                self.decide_grant_floor(&caller, request, *duration)
            }
            C::ExtendFloor { extra } => self.decide_extend_floor(&caller, *extra),
            C::EndFloor => self.decide_end_floor(&caller),
            C::RecordConclusion {
                conclusion,
                item,
                text,
            } => self.decide_record_conclusion(&caller, conclusion, item.as_ref(), text),
            C::ReviseConclusion { conclusion, text } => {
                self.decide_revise_conclusion(&caller, conclusion, text)
            }
            C::IssueDirective {
                directive,
                item,
                unit,
                unit_name,
                text,
                due,
            } => self.decide_issue_directive(
                &caller,
                outcome::NewDirective {
                    directive,
                    item: item.as_ref(),
                    unit,
                    unit_name,
                    text,
                    due: *due,
                },
            ),
            C::UpdateDirective { directive, status } => {
                self.decide_update_directive(&caller, directive, *status)
            }
        }?;
        Ok(Decision::events(events))
    }

    /// Applies the next event of the log.
    pub fn apply(&mut self, record: &EventRecord) -> Result<(), ApplyError> {
        let expected = self.seq.saturating_add(1);
        if record.seq != expected {
            return Err(ApplyError::OutOfOrder {
                expected,
                got: record.seq,
            });
        }
        let at = record.at;
        let dangling = |entity: Entity, id: &dyn std::fmt::Display| ApplyError::Dangling {
            seq: record.seq,
            entity,
            id: id.to_string(),
        };
        use MeetingEvent as E;
        match &record.event {
            E::MeetingCreated { .. } => return Err(ApplyError::NotCreated),
            E::DetailsUpdated { details } => self.details = details.clone(),
            E::SettingsChanged { settings } => self.settings = *settings,
            E::MeetingOpened { .. } => {
                self.status = MeetingStatus::Open;
                self.opened_at = Some(at);
            }
            E::MeetingClosed { .. } => {
                self.status = MeetingStatus::Closed;
                self.closed_at = Some(at);
            }
            E::AlertRaised {
                number, message, ..
            } => self.apply_alert_raised(at, *number, message),
            E::AlertAnswered { member, answer } => self
                .apply_alert_answered(at, member, answer)
                .ok_or_else(|| dangling(Entity::Member, member))?,
            E::ParticipantsInvited { invitees, .. } => self.apply_invited(invitees),
            E::ParticipantUpdated {
                member,
                role,
                voting_right,
                weight,
                groups,
            } => self
                .apply_participant_updated(member, *role, *voting_right, *weight, groups)
                .ok_or_else(|| dangling(Entity::Member, member))?,
            E::ParticipantRemoved { member } => self.apply_participant_removed(member),
            E::CheckedIn { member, mode, .. } => self
                .apply_checked_in(at, member, *mode)
                .ok_or_else(|| dangling(Entity::Member, member))?,
            E::CheckedOut { member, .. } => self
                .apply_checked_out(member)
                .ok_or_else(|| dangling(Entity::Member, member))?,
            E::ProxyGranted { from, to, .. } => {
                for member in [from, to] {
                    if !self.participants.contains_key(member) {
                        return Err(dangling(Entity::Member, member));
                    }
                }
                self.proxies.insert(from.clone(), to.clone());
            }
            E::ProxyRevoked { from, .. } => {
                self.proxies.remove(from);
            }
            E::ItemAdded {
                item,
                title,
                description,
                position,
            } => self.agenda.add(item, title, description, *position),
            E::ItemUpdated {
                item,
                title,
                description,
            } => self
                .agenda
                .update(item, title, description)
                .ok_or_else(|| dangling(Entity::Item, item))?,
            E::ItemRemoved { item } => self.agenda.remove(item),
            E::AgendaReordered { order } => self.agenda.reorder(order),
            E::CurrentItemSet { item } => self.agenda.current = item.clone(),
            // The hall never sees a draft (`decide` refuses it); a log that says otherwise
            // is not this meeting's.
            E::ProjectorDisplaySet {
                display: ProjectorDisplay::Poll { poll },
                ..
            } if !self.polls.get(poll).is_some_and(Poll::has_run) => {
                return Err(dangling(Entity::Poll, poll));
            }
            E::ProjectorDisplaySet { display, .. } => self.projector = display.clone(),
            E::DocumentAttached { item, document } => self
                .agenda
                .attach(item, document)
                .ok_or_else(|| dangling(Entity::Item, item))?,
            E::DocumentDetached { document } => self.agenda.detach(document),
            E::DocumentAccessChanged { document, access } => self
                .agenda
                .set_access(document, access)
                .ok_or_else(|| dangling(Entity::Document, document))?,
            E::DocumentReplaced {
                document,
                file,
                note,
                by,
            } => self
                .apply_document_replaced(at, document, file, note, by)
                .ok_or_else(|| dangling(Entity::Document, document))?,
            E::DocumentApproved { document, .. } => self
                .apply_document_approved(document)
                .ok_or_else(|| dangling(Entity::Document, document))?,
            E::PollCreated { poll, spec } => self.apply_poll_created(poll, spec),
            E::PollUpdated { poll, spec } => self
                .apply_poll_updated(poll, spec)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::PollDeleted { poll } => self.apply_poll_deleted(poll),
            E::PollOpened {
                poll,
                deadline,
                quorum,
                quorum_overridden,
                by,
                ..
            } => self
                .apply_poll_opened(at, poll, *deadline, quorum, *quorum_overridden, by)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::PollPaused { poll, .. } => self
                .apply_poll_paused(poll)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::PollResumed { poll, deadline, .. } => self
                .apply_poll_resumed(poll, *deadline)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::PollClosed {
                poll, result, by, ..
            } => self
                .apply_poll_closed(at, poll, result, by)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::PollPublished { poll, .. } => self
                .apply_poll_published(poll)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::RevoteStarted { poll, .. } => self
                .apply_revote(poll)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::BallotCast {
                poll,
                seat,
                cast_by,
                receipt,
                answers,
                weight,
                replaces,
                ..
            } => self
                .apply_ballot(
                    poll,
                    voting::Owner::Named { seat, cast_by },
                    receipt,
                    answers,
                    *weight,
                    replaces.as_ref(),
                )
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::VoteRegistered {
                poll,
                seat,
                cast_by,
                ..
            } => self
                .apply_vote_registered(poll, seat, cast_by)
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::SecretBallotCast {
                poll,
                receipt,
                seat_tag,
                answers,
                weight,
                replaces,
                ..
            } => self
                .apply_ballot(
                    poll,
                    voting::Owner::Secret { seat_tag },
                    receipt,
                    answers,
                    *weight,
                    replaces.as_ref(),
                )
                .ok_or_else(|| dangling(Entity::Poll, poll))?,
            E::FloorRequested {
                request,
                member,
                kind,
                item,
                topic,
                addressed_to,
            } => self.floor.request(floor::FloorRequest {
                id: request.clone(),
                member: member.clone(),
                kind: *kind,
                item: item.clone(),
                topic: topic.clone(),
                addressed_to: addressed_to.clone(),
                requested_at: at,
                seq: record.seq,
            }),
            E::FloorRequestWithdrawn { request, .. } => self.floor.withdraw(request),
            E::FloorGranted {
                request, duration, ..
            } => self
                .floor
                .grant(request, at, *duration)
                .ok_or_else(|| dangling(Entity::FloorRequest, request))?,
            E::FloorExtended { extra, .. } => self.floor.extend(*extra),
            E::FloorEnded { .. } => self.floor.end(at),
            E::ConclusionRecorded {
                conclusion,
                item,
                text,
                ..
            } => self.apply_conclusion_recorded(at, conclusion, item.as_ref(), text),
            E::ConclusionRevised {
                conclusion, text, ..
            } => self
                .apply_conclusion_revised(at, conclusion, text)
                .ok_or_else(|| dangling(Entity::Conclusion, conclusion))?,
            E::DirectiveIssued {
                directive,
                item,
                unit,
                unit_name,
                text,
                due,
                ..
            } => self.apply_directive_issued(Directive {
                id: directive.clone(),
                item: item.clone(),
                unit: unit.clone(),
                unit_name: unit_name.clone(),
                text: text.clone(),
                due: *due,
                status: outcome::DirectiveStatus::Assigned,
                issued_at: at,
                updated_at: at,
            }),
            E::DirectiveUpdated {
                directive, status, ..
            } => self
                .apply_directive_updated(at, directive, *status)
                .ok_or_else(|| dangling(Entity::Directive, directive))?,
        }
        self.seq = record.seq;
        Ok(())
    }

    /// Decides and applies a command in one step, numbering its events after the
    /// current sequence number. Returns the records appended.
    pub fn execute(
        &mut self,
        actor: &Actor,
        now: Timestamp,
        command: &MeetingCommand,
    ) -> Result<(Vec<EventRecord>, Option<Receipt>), ExecuteError> {
        let decision = self.decide(actor, now, command)?;
        let mut records = Vec::with_capacity(decision.events.len());
        for event in decision.events {
            let record = EventRecord {
                seq: self.seq.saturating_add(1),
                at: now,
                event,
            };
            self.apply(&record)?;
            records.push(record);
        }
        Ok((records, decision.receipt))
    }

    /// The meeting's id.
    pub fn id(&self) -> &MeetingId {
        &self.id
    }

    /// The sequence number of the last event applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// When it was created, and by whom.
    pub fn created(&self) -> &(Timestamp, Actor) {
        &self.created
    }

    /// Title, kind, place and time.
    pub fn details(&self) -> &MeetingDetails {
        &self.details
    }

    /// Its rules.
    pub fn settings(&self) -> &MeetingSettings {
        &self.settings
    }

    /// Scheduled, open or closed.
    pub fn status(&self) -> MeetingStatus {
        self.status
    }

    /// When the session opened and closed.
    pub fn session(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        (self.opened_at, self.closed_at)
    }

    /// Every participant, by member id.
    pub fn participants(&self) -> &BTreeMap<MemberId, Participant> {
        &self.participants
    }

    /// One participant.
    pub fn participant(&self, member: &MemberId) -> Option<&Participant> {
        self.participants.get(member)
    }

    /// Proxies given: seat → holder.
    pub fn proxies(&self) -> &BTreeMap<MemberId, MemberId> {
        &self.proxies
    }

    /// The current urgent-meeting alert.
    pub fn alert(&self) -> Option<&Alert> {
        self.alert.as_ref()
    }

    /// The agenda.
    pub fn agenda(&self) -> &Agenda {
        &self.agenda
    }

    /// Polls in the order they were created.
    pub fn polls(&self) -> impl Iterator<Item = &Poll> {
        self.poll_order.iter().filter_map(|id| self.polls.get(id))
    }

    /// One poll.
    pub fn poll(&self, poll: &PollId) -> Option<&Poll> {
        self.polls.get(poll)
    }

    /// The speakers' list.
    pub fn floor(&self) -> &Floor {
        &self.floor
    }

    /// Conclusions in the order they were recorded.
    pub fn conclusions(&self) -> impl Iterator<Item = &Conclusion> {
        self.conclusion_order
            .iter()
            .filter_map(|id| self.conclusions.get(id))
    }

    /// Directives in the order they were issued.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.directive_order
            .iter()
            .filter_map(|id| self.directives.get(id))
    }

    /// The live quorum.
    pub fn quorum(&self) -> QuorumState {
        quorum::measure(self)
    }

    /// The earliest deadline of a running poll: when the hub should send `tick`.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.polls
            .values()
            .filter(|poll| poll.status.is_running())
            .filter_map(|poll| poll.deadline)
            .min()
    }

    fn decide_update_details(
        &self,
        caller: &Caller<'_>,
        details: &MeetingDetails,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(crate::policy::Action::PrepareMeeting)?;
        details.validate()?;
        if details.kind != self.details.kind {
            return Err(Rejection::invalid(
                "details.kind",
                "a meeting's kind cannot change",
            ));
        }
        Ok(vec![MeetingEvent::DetailsUpdated {
            details: details.clone(),
        }])
    }

    fn decide_change_settings(
        &self,
        caller: &Caller<'_>,
        settings: &MeetingSettings,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(crate::policy::Action::PrepareMeeting)?;
        settings.validate()?;
        self.require_no_running_poll()?;
        Ok(vec![MeetingEvent::SettingsChanged {
            settings: *settings,
        }])
    }

    fn decide_open(&self, caller: &Caller<'_>) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(crate::policy::Action::LeadMeeting)?;
        if self.status != MeetingStatus::Scheduled {
            return Err(RejectionCode::MeetingAlreadyOpen.into());
        }
        Ok(vec![MeetingEvent::MeetingOpened {
            by: caller.actor.clone(),
        }])
    }

    fn decide_close(&self, caller: &Caller<'_>) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(crate::policy::Action::LeadMeeting)?;
        self.require_open()?;
        self.require_no_running_poll()?;
        let mut events = Vec::new();
        if let Some(current) = &self.floor.current {
            events.push(MeetingEvent::FloorEnded {
                request: current.request.id.clone(),
                by: caller.actor.clone(),
            });
        }
        events.push(MeetingEvent::MeetingClosed {
            by: caller.actor.clone(),
        });
        Ok(events)
    }

    /// Rejects unless the session is open.
    pub(crate) fn require_open(&self) -> Result<(), Rejection> {
        match self.status {
            MeetingStatus::Open => Ok(()),
            MeetingStatus::Scheduled => Err(RejectionCode::MeetingNotOpen.into()),
            MeetingStatus::Closed => Err(RejectionCode::MeetingClosed.into()),
        }
    }

    /// Rejects while any poll is open or paused.
    pub(crate) fn require_no_running_poll(&self) -> Result<(), Rejection> {
        if self.polls.values().any(|poll| poll.status.is_running()) {
            return Err(RejectionCode::PollInProgress.into());
        }
        Ok(())
    }
}

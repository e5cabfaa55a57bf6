//! The speakers' list: requests to speak (speech, interpellation, point of order with
//! priority), the chair granting and ending the floor, and the speaking timer held as
//! state (start and allowed duration; screens count down from it).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{FloorRequestId, ItemId, MemberId};
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::meeting::settings::MAX_SPEAKING_TIME;
use crate::policy::{Action, Role};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::text;
use crate::time::{Millis, Timestamp};

/// Most requests kept per meeting (pending and past).
pub const MAX_REQUESTS: usize = 10_000;

/// What a participant asks the floor for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FloorKind {
    /// Phát biểu: a speech.
    Speech,
    /// Chất vấn: a question to an official, who answers.
    Interpellation,
    /// A point of order: goes ahead of the queue.
    PointOfOrder,
}

/// A request for the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorRequest {
    /// The request.
    pub id: FloorRequestId,
    /// Who asked.
    pub member: MemberId,
    /// What for.
    pub kind: FloorKind,
    /// The item current when asked.
    pub item: Option<ItemId>,
    /// Topic.
    pub topic: String,
    /// For an interpellation: to whom.
    pub addressed_to: Option<String>,
    /// When asked.
    pub requested_at: Timestamp,
    /// The sequence number of the request, which orders the queue.
    pub seq: u64,
}

/// Who holds the floor, and the timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Speaking {
    /// The request granted: speaker, kind and topic.
    pub request: FloorRequest,
    /// When the floor was given.
    pub started_at: Timestamp,
    /// Time allowed (extensions included).
    pub allowed: Millis,
}

impl Speaking {
    /// When the allowed time runs out.
    pub fn ends_at(&self) -> Timestamp {
        self.started_at.after(self.allowed)
    }
}

/// A finished turn, for the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Speech {
    /// The request.
    pub request: FloorRequest,
    /// When the floor was given.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
}

/// The speakers' list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Floor {
    /// Requests waiting, unordered (see [`Floor::queue`]).
    pub pending: Vec<FloorRequest>,
    /// The speaker, if any.
    pub current: Option<Speaking>,
    /// Finished turns, in order.
    pub speeches: Vec<Speech>,
    /// Requests withdrawn, kept so ids stay unique.
    pub withdrawn: Vec<FloorRequestId>,
}

impl Floor {
    /// The waiting requests in speaking order: points of order first, then by request.
    pub fn queue(&self) -> Vec<&FloorRequest> {
        let mut queue: Vec<&FloorRequest> = self.pending.iter().collect();
        queue.sort_by_key(|request| (request.kind != FloorKind::PointOfOrder, request.seq));
        queue
    }

    fn knows(&self, id: &FloorRequestId) -> bool {
        self.pending.iter().any(|request| &request.id == id)
            || self
                .current
                .as_ref()
                .is_some_and(|now| &now.request.id == id)
            || self.speeches.iter().any(|speech| &speech.request.id == id)
            || self.withdrawn.contains(id)
    }

    fn total_requests(&self) -> usize {
        self.pending.len() + self.speeches.len() + self.withdrawn.len() + 1
    }

    pub(crate) fn request(&mut self, request: FloorRequest) {
        self.pending.push(request);
    }

    pub(crate) fn withdraw(&mut self, id: &FloorRequestId) {
        self.pending.retain(|request| &request.id != id);
        self.withdrawn.push(id.clone());
    }

    pub(crate) fn grant(
        &mut self,
        id: &FloorRequestId,
        at: Timestamp,
        allowed: Millis,
    ) -> Option<()> {
        let index = self.pending.iter().position(|request| &request.id == id)?;
        let request = self.pending.remove(index);
        self.current = Some(Speaking {
            request,
            started_at: at,
            allowed,
        });
        Some(())
    }

    pub(crate) fn extend(&mut self, extra: Millis) {
        if let Some(current) = &mut self.current {
            current.allowed = Millis(current.allowed.0.saturating_add(extra.0));
        }
    }

    pub(crate) fn end(&mut self, at: Timestamp) {
        if let Some(current) = self.current.take() {
            self.speeches.push(Speech {
                request: current.request,
                started_at: current.started_at,
                ended_at: at,
            });
        }
    }
}

impl Meeting {
    pub(super) fn decide_request_floor(
        &self,
        caller: &Caller<'_>,
        request: &FloorRequestId,
        kind: FloorKind,
        topic: &str,
        addressed_to: Option<&String>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let participant = caller.participant()?;
        self.require_open()?;
        if participant.role() == Role::Guest && kind != FloorKind::Speech {
            return Err(RejectionCode::NotPermitted.into());
        }
        if self.floor.knows(request) {
            return Err(Rejection::duplicate(Entity::FloorRequest, request));
        }
        if self.floor.total_requests() > MAX_REQUESTS {
            return Err(Rejection::invalid("request", "the speakers' list is full"));
        }
        text::line("topic", topic, text::NAME_MAX)?;
        if let Some(addressee) = addressed_to {
            text::line("addressed_to", addressee, text::NAME_MAX)?;
        }
        let waiting = self
            .floor
            .pending
            .iter()
            .any(|other| other.member == *participant.member() && other.kind == kind);
        if waiting {
            return Err(RejectionCode::AlreadyRequested.into());
        }
        Ok(vec![MeetingEvent::FloorRequested {
            request: request.clone(),
            member: participant.member().clone(),
            kind,
            item: self.agenda.current.clone(),
            topic: topic.to_owned(),
            addressed_to: addressed_to.cloned(),
        }])
    }

    pub(super) fn decide_withdraw_request(
        &self,
        caller: &Caller<'_>,
        request: &FloorRequestId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let Some(pending) = self.floor.pending.iter().find(|r| &r.id == request) else {
            if self.floor.knows(request) {
                return Err(RejectionCode::RequestNotPending.into());
            }
            return Err(Rejection::unknown(Entity::FloorRequest, request));
        };
        if caller.actor.member() != Some(&pending.member) {
            caller.require(Action::ManageFloor)?;
        }
        Ok(vec![MeetingEvent::FloorRequestWithdrawn {
            request: request.clone(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_grant_floor(
        &self,
        caller: &Caller<'_>,
        request: &FloorRequestId,
        duration: Option<Millis>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ManageFloor)?;
        self.require_open()?;
        let Some(pending) = self.floor.pending.iter().find(|r| &r.id == request) else {
            if self.floor.knows(request) {
                return Err(RejectionCode::RequestNotPending.into());
            }
            return Err(Rejection::unknown(Entity::FloorRequest, request));
        };
        let times = self.settings.speaking_times;
        let duration = duration.unwrap_or(match pending.kind {
            FloorKind::Speech => times.speech,
            FloorKind::Interpellation => times.interpellation,
            FloorKind::PointOfOrder => times.point_of_order,
        });
        validate_duration("duration", duration)?;
        let mut events = Vec::with_capacity(2);
        if let Some(current) = &self.floor.current {
            events.push(MeetingEvent::FloorEnded {
                request: current.request.id.clone(),
                by: caller.actor.clone(),
            });
        }
        events.push(MeetingEvent::FloorGranted {
            request: request.clone(),
            duration,
            by: caller.actor.clone(),
        });
        Ok(events)
    }

    pub(super) fn decide_extend_floor(
        &self,
        caller: &Caller<'_>,
        extra: Millis,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ManageFloor)?;
        let current = self
            .floor
            .current
            .as_ref()
            .ok_or(Rejection::from(RejectionCode::FloorNotHeld))?;
        validate_duration("extra", extra)?;
        validate_duration("extra", Millis(current.allowed.0.saturating_add(extra.0)))?;
        Ok(vec![MeetingEvent::FloorExtended {
            extra,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_end_floor(
        &self,
        caller: &Caller<'_>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let current = self
            .floor
            .current
            .as_ref()
            .ok_or(Rejection::from(RejectionCode::FloorNotHeld))?;
        // The speaker may yield the floor; otherwise only the chair ends it.
        if caller.actor.member() != Some(&current.request.member) {
            caller.require(Action::ManageFloor)?;
        }
        Ok(vec![MeetingEvent::FloorEnded {
            request: current.request.id.clone(),
            by: caller.actor.clone(),
        }])
    }
}

fn validate_duration(field: &str, duration: Millis) -> Result<(), Rejection> {
    if duration.0 == 0 || duration > MAX_SPEAKING_TIME {
        return Err(Rejection::invalid(
            field,
            "must be between 1 ms and 120 minutes",
        ));
    }
    Ok(())
}

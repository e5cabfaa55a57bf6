//! What a meeting decides besides votes: conclusions per agenda item ("kết luận") and
//! directives assigned to units with due dates ("ý kiến chỉ đạo").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{ConclusionId, DirectiveId, ItemId, UnitId};
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::policy::Action;
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::text;
use crate::time::Timestamp;

/// Most conclusions, and most directives, per meeting.
pub const MAX_OUTCOMES: usize = 10_000;

/// A conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Conclusion {
    /// The conclusion.
    pub id: ConclusionId,
    /// The item it concludes.
    pub item: Option<ItemId>,
    /// Its text.
    pub text: String,
    /// When recorded.
    pub recorded_at: Timestamp,
    /// When last revised.
    pub revised_at: Timestamp,
}

/// Where a directive stands. "Overdue" is not a status: it is an assigned or
/// acknowledged directive whose due date has passed (see [`Directive::is_overdue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectiveStatus {
    /// Assigned to the unit.
    Assigned,
    /// The unit has acknowledged it.
    Acknowledged,
    /// Done.
    Done,
}

/// A directive to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Directive {
    /// The directive.
    pub id: DirectiveId,
    /// The item it belongs to.
    pub item: Option<ItemId>,
    /// The unit responsible.
    pub unit: UnitId,
    /// The unit's name.
    pub unit_name: String,
    /// What is to be done.
    pub text: String,
    /// When it is due.
    pub due: Option<Timestamp>,
    /// Where it stands.
    pub status: DirectiveStatus,
    /// When issued.
    pub issued_at: Timestamp,
    /// When its status last changed.
    pub updated_at: Timestamp,
}

impl Directive {
    /// Whether it is past due and not done.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status != DirectiveStatus::Done && self.due.is_some_and(|due| now > due)
    }
}

/// The fields of a new directive, borrowed from the command.
pub(crate) struct NewDirective<'a> {
    pub(crate) directive: &'a DirectiveId,
    pub(crate) item: Option<&'a ItemId>,
    pub(crate) unit: &'a UnitId,
    pub(crate) unit_name: &'a str,
    pub(crate) text: &'a str,
    pub(crate) due: Option<Timestamp>,
}

impl Meeting {
    pub(super) fn decide_record_conclusion(
        &self,
        caller: &Caller<'_>,
        conclusion: &ConclusionId,
        item: Option<&ItemId>,
        body: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::RecordOutcomes)?;
        if self.conclusions.contains_key(conclusion) {
            return Err(Rejection::duplicate(Entity::Conclusion, conclusion));
        }
        if self.conclusions.len() >= MAX_OUTCOMES {
            return Err(Rejection::invalid("conclusion", "too many conclusions"));
        }
        if let Some(item) = item {
            self.known_item(item)?;
        }
        text::required_text("text", body, text::TEXT_MAX)?;
        Ok(vec![MeetingEvent::ConclusionRecorded {
            conclusion: conclusion.clone(),
            item: item.cloned(),
            text: body.to_owned(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_revise_conclusion(
        &self,
        caller: &Caller<'_>,
        conclusion: &ConclusionId,
        body: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::RecordOutcomes)?;
        if !self.conclusions.contains_key(conclusion) {
            return Err(Rejection::unknown(Entity::Conclusion, conclusion));
        }
        text::required_text("text", body, text::TEXT_MAX)?;
        Ok(vec![MeetingEvent::ConclusionRevised {
            conclusion: conclusion.clone(),
            text: body.to_owned(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_issue_directive(
        &self,
        caller: &Caller<'_>,
        new: NewDirective<'_>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::RecordOutcomes)?;
        if self.directives.contains_key(new.directive) {
            return Err(Rejection::duplicate(Entity::Directive, new.directive));
        }
        if self.directives.len() >= MAX_OUTCOMES {
            return Err(Rejection::invalid("directive", "too many directives"));
        }
        if let Some(item) = new.item {
            self.known_item(item)?;
        }
        text::required_line("unit_name", new.unit_name, text::NAME_MAX)?;
        text::required_text("text", new.text, text::TEXT_MAX)?;
        Ok(vec![MeetingEvent::DirectiveIssued {
            directive: new.directive.clone(),
            item: new.item.cloned(),
            unit: new.unit.clone(),
            unit_name: new.unit_name.to_owned(),
            text: new.text.to_owned(),
            due: new.due,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_update_directive(
        &self,
        caller: &Caller<'_>,
        directive: &DirectiveId,
        status: DirectiveStatus,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        // A unit may update its own directives (and nothing else); everyone else needs
        // the right to record outcomes.
        let current = match caller.actor {
            crate::policy::Actor::Unit { unit } => self
                .directives
                .get(directive)
                .filter(|current| &current.unit == unit)
                .ok_or(RejectionCode::NotPermitted)?,
            _ => {
                caller.require(Action::RecordOutcomes)?;
                self.directives
                    .get(directive)
                    .ok_or_else(|| Rejection::unknown(Entity::Directive, directive))?
            }
        };
        use DirectiveStatus::*;
        let allowed = matches!(
            (current.status, status),
            (Assigned, Acknowledged) | (Assigned, Done) | (Acknowledged, Done)
        );
        if !allowed {
            return Err(RejectionCode::DirectiveTransition.into());
        }
        Ok(vec![MeetingEvent::DirectiveUpdated {
            directive: directive.clone(),
            status,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn apply_conclusion_recorded(
        &mut self,
        at: Timestamp,
        conclusion: &ConclusionId,
        item: Option<&ItemId>,
        body: &str,
    ) {
        let recorded = Conclusion {
            id: conclusion.clone(),
            item: item.cloned(),
            text: body.to_owned(),
            recorded_at: at,
            revised_at: at,
        };
        if self
            .conclusions
            .insert(conclusion.clone(), recorded)
            .is_none()
        {
            self.conclusion_order.push(conclusion.clone());
        }
    }

    pub(super) fn apply_conclusion_revised(
        &mut self,
        at: Timestamp,
        conclusion: &ConclusionId,
        body: &str,
    ) -> Option<()> {
        let entry = self.conclusions.get_mut(conclusion)?;
        entry.text = body.to_owned();
        entry.revised_at = at;
        Some(())
    }

    pub(super) fn apply_directive_issued(&mut self, directive: Directive) {
        let id = directive.id.clone();
        if self.directives.insert(id.clone(), directive).is_none() {
            self.directive_order.push(id);
        }
    }

    pub(super) fn apply_directive_updated(
        &mut self,
        at: Timestamp,
        directive: &DirectiveId,
        status: DirectiveStatus,
    ) -> Option<()> {
        let entry = self.directives.get_mut(directive)?;
        entry.status = status;
        entry.updated_at = at;
        Some(())
    }
}

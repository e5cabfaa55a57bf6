//! What the hall projector shows, as the chair chose it: by default the poll the hall is
//! following, or a screen the chair puts up on purpose — the welcome screen with the
//! join code, the current item, one poll, the speaker, or the quorum.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::PollId;
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::policy::Action;
use crate::rejection::{Entity, Rejection, RejectionCode};

/// What the hall projector shows. Every screen sees it: it is public, like the hall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProjectorDisplay {
    /// The poll the hall is following — a running one, else the one counted last — and
    /// the welcome screen when no poll has run.
    #[default]
    Auto,
    /// The welcome screen: the meeting, the current item and how to join.
    Welcome,
    /// The current agenda item, large.
    AgendaItem,
    /// One poll that has run: its progress, its results when they may be shown, and its
    /// verdict.
    Poll {
        /// The poll.
        poll: PollId,
    },
    /// The current speaker, the speaking timer and who is waiting.
    Speaker,
    /// The quorum, large.
    Quorum,
}

impl Meeting {
    pub(super) fn decide_show_on_projector(
        &self,
        caller: &Caller<'_>,
        display: &ProjectorDisplay,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::LeadMeeting)?;
        if let ProjectorDisplay::Poll { poll } = display {
            let shown = self
                .polls
                .get(poll)
                .ok_or_else(|| Rejection::unknown(Entity::Poll, poll))?;
            // The hall never sees a draft: what is not yet put to the vote stays on the
            // chair's console.
            if !shown.has_run() {
                return Err(RejectionCode::PollNotOpen.into());
            }
        }
        if &self.projector == display {
            return Ok(Vec::new());
        }
        Ok(vec![MeetingEvent::ProjectorDisplaySet {
            display: display.clone(),
            by: caller.actor.clone(),
        }])
    }

    /// What the hall projector shows.
    pub fn projector(&self) -> &ProjectorDisplay {
        &self.projector
    }
}

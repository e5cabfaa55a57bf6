//! Changes to a viewer's projection after one event: each event replaces the sections
//! of the view it touched, built by the same functions as the snapshot.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{MemberId, PollId};
use crate::meeting::Meeting;
use crate::meeting::event::MeetingEvent;
use crate::meeting::outcome::{Conclusion, Directive};
use crate::meeting::projector::ProjectorDisplay;
use crate::meeting::quorum::QuorumState;
use crate::poll::question::Selection;
use crate::view::poll::{PollProgress, PollView, results_visible};
use crate::view::{AgendaView, AlertView, FloorView, Lens, MeetingInfo, MyView, ParticipantView};

/// One section of a viewer's projection, replaced whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum ViewChange {
    /// The meeting's details, rules and status.
    Meeting {
        /// The new value.
        meeting: MeetingInfo,
    },
    /// The viewer's own standing.
    Me {
        /// The new value.
        me: MyView,
    },
    /// One participant (added or changed).
    Participant {
        /// The new value.
        participant: ParticipantView,
    },
    /// A participant was removed.
    ParticipantRemoved {
        /// Who.
        member: MemberId,
    },
    /// The live quorum.
    Quorum {
        /// The new value.
        quorum: QuorumState,
    },
    /// The urgent-meeting alert.
    Alert {
        /// The new value.
        alert: AlertView,
    },
    /// The agenda with its documents.
    Agenda {
        /// The new value.
        agenda: AgendaView,
    },
    /// One poll, whole (created, changed, or moved in its lifecycle).
    Poll {
        /// The new value.
        poll: PollView,
    },
    /// A poll was deleted.
    PollRemoved {
        /// The poll.
        poll: PollId,
    },
    /// A poll's live progress and results: the latest replaces any earlier one.
    PollProgress {
        /// The new value.
        progress: PollProgress,
    },
    /// A named poll: a seat voted (with the answers if results are visible).
    SeatVoted {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The seat.
        seat: MemberId,
        /// Who cast it.
        cast_by: MemberId,
        /// The answers, if visible.
        answers: Option<Vec<Selection>>,
    },
    /// The speakers' list.
    Floor {
        /// The new value.
        floor: FloorView,
    },
    /// One conclusion (added or revised).
    Conclusion {
        /// The new value.
        conclusion: Conclusion,
    },
    /// One directive (added or updated).
    Directive {
        /// The new value.
        directive: Directive,
    },
    /// What the hall projector shows.
    Projector {
        /// The new value.
        projector: ProjectorDisplay,
    },
}

/// The sections `event` touched, as `lens` sees them in `meeting` (after the event).
pub(crate) fn changes(meeting: &Meeting, lens: Lens<'_>, event: &MeetingEvent) -> Vec<ViewChange> {
    let mut out = Changes {
        meeting,
        lens,
        list: Vec::new(),
    };
    use MeetingEvent as E;
    match event {
        E::MeetingCreated { .. }
        | E::DetailsUpdated { .. }
        | E::MeetingOpened { .. }
        | E::MeetingClosed { .. } => out.info(),
        E::SettingsChanged { .. } => {
            out.info();
            out.quorum();
            out.running_polls();
        }
        E::AlertRaised { .. } => out.alert(),
        E::AlertAnswered { member, .. } => {
            out.alert();
            out.participant(member);
            out.me_if(&[member]);
        }
        E::ParticipantsInvited { invitees, .. } => {
            for invitee in invitees {
                out.participant(&invitee.member);
            }
            out.quorum();
            let members: Vec<&MemberId> = invitees.iter().map(|i| &i.member).collect();
            out.me_if(&members);
        }
        E::ParticipantUpdated { member, .. } => {
            out.participant(member);
            out.quorum();
            out.me_if(&[member]);
        }
        E::ParticipantRemoved { member } => {
            out.list.push(ViewChange::ParticipantRemoved {
                member: member.clone(),
            });
            out.quorum();
        }
        E::CheckedIn { member, .. } | E::CheckedOut { member, .. } => {
            out.participant(member);
            out.quorum();
            out.me_if(&[member]);
            out.running_polls();
        }
        E::ProxyGranted { from, to, .. } => out.proxy(from, to),
        E::ProxyRevoked { from, .. } => {
            // The former holder is no longer in the state, so every viewer gets their
            // own standing again.
            out.participant(from);
            out.quorum();
            out.me();
            out.running_polls();
        }
        E::ItemAdded { .. }
        | E::ItemUpdated { .. }
        | E::ItemRemoved { .. }
        | E::AgendaReordered { .. }
        | E::CurrentItemSet { .. }
        | E::DocumentAttached { .. }
        | E::DocumentDetached { .. }
        | E::DocumentAccessChanged { .. }
        | E::DocumentReplaced { .. }
        | E::DocumentApproved { .. } => out.agenda(),
        E::ProjectorDisplaySet { .. } => out.list.push(ViewChange::Projector {
            projector: meeting.projector.clone(),
        }),
        E::PollCreated { poll, .. }
        | E::PollUpdated { poll, .. }
        | E::PollOpened { poll, .. }
        | E::PollPaused { poll, .. }
        | E::PollResumed { poll, .. }
        | E::PollClosed { poll, .. }
        | E::PollPublished { poll, .. }
        | E::RevoteStarted { poll, .. } => out.poll(poll),
        E::PollDeleted { poll } => out
            .list
            .push(ViewChange::PollRemoved { poll: poll.clone() }),
        E::BallotCast {
            poll,
            round,
            seat,
            cast_by,
            ..
        } => {
            out.progress(poll);
            out.seat_voted(poll, *round, seat, cast_by);
        }
        E::VoteRegistered { poll, .. } | E::SecretBallotCast { poll, .. } => out.progress(poll),
        E::FloorRequested { .. }
        | E::FloorRequestWithdrawn { .. }
        | E::FloorGranted { .. }
        | E::FloorExtended { .. }
        | E::FloorEnded { .. } => out.list.push(ViewChange::Floor {
            floor: meeting.floor_view(),
        }),
        E::ConclusionRecorded { conclusion, .. } | E::ConclusionRevised { conclusion, .. } => {
            if let Some(conclusion) = meeting.conclusions.get(conclusion) {
                out.list.push(ViewChange::Conclusion {
                    conclusion: conclusion.clone(),
                });
            }
        }
        E::DirectiveIssued { directive, .. } | E::DirectiveUpdated { directive, .. } => {
            if let Some(directive) = meeting.directives.get(directive) {
                out.list.push(ViewChange::Directive {
                    directive: directive.clone(),
                });
            }
        }
    }
    out.list
}

/// Collects changes for one viewer.
struct Changes<'a> {
    meeting: &'a Meeting,
    lens: Lens<'a>,
    list: Vec<ViewChange>,
}

impl Changes<'_> {
    fn info(&mut self) {
        self.list.push(ViewChange::Meeting {
            meeting: self.meeting.info_view(),
        });
    }

    fn quorum(&mut self) {
        self.list.push(ViewChange::Quorum {
            quorum: self.meeting.quorum(),
        });
    }

    fn alert(&mut self) {
        if let Some(alert) = self.meeting.alert_view() {
            self.list.push(ViewChange::Alert { alert });
        }
    }

    fn agenda(&mut self) {
        self.list.push(ViewChange::Agenda {
            agenda: self.meeting.agenda_view(self.lens),
        });
    }

    fn participant(&mut self, member: &MemberId) {
        if let Some(participant) = self.meeting.participants.get(member) {
            self.list.push(ViewChange::Participant {
                participant: self.meeting.participant_view(self.lens, participant),
            });
        }
    }

    /// The viewer's own standing (participants only).
    fn me(&mut self) {
        if let Some(me) = self.meeting.my_view(self.lens) {
            self.list.push(ViewChange::Me { me });
        }
    }

    /// The viewer's own standing, if the event concerns them.
    fn me_if(&mut self, members: &[&MemberId]) {
        if self.lens.member.is_some_and(|me| members.contains(&me)) {
            self.me();
        }
    }

    fn proxy(&mut self, from: &MemberId, to: &MemberId) {
        self.participant(from);
        self.quorum();
        self.me_if(&[from, to]);
        self.running_polls();
    }

    fn poll(&mut self, poll: &PollId) {
        let view = self
            .meeting
            .polls
            .get(poll)
            .and_then(|poll| self.meeting.poll_view(self.lens, poll));
        if let Some(poll) = view {
            self.list.push(ViewChange::Poll { poll });
        }
    }

    fn progress(&mut self, poll: &PollId) {
        let progress = self
            .meeting
            .polls
            .get(poll)
            .and_then(|poll| self.meeting.poll_progress(self.lens, poll));
        if let Some(progress) = progress {
            self.list.push(ViewChange::PollProgress { progress });
        }
    }

    /// Progress of every running poll: presence and proxies move bases and seats.
    fn running_polls(&mut self) {
        let running: Vec<PollId> = self
            .meeting
            .polls()
            .filter(|poll| poll.status.is_running())
            .map(|poll| poll.id.clone())
            .collect();
        for poll in &running {
            self.progress(poll);
        }
    }

    /// A named seat's vote, to those who may see who voted (and how, with the results).
    fn seat_voted(&mut self, poll: &PollId, round: u32, seat: &MemberId, cast_by: &MemberId) {
        let Some(entry) = self.meeting.polls.get(poll) else {
            return;
        };
        if entry.spec.secret {
            return;
        }
        let results = results_visible(entry.spec.visibility, entry.status, self.lens.audience);
        if !self.lens.is_keeper() && !results {
            return;
        }
        let answers = results
            .then(|| {
                let receipt = entry.ballots.voters.get(seat)?.receipt.as_ref()?;
                Some(entry.ballots.ballots.get(receipt)?.answers.clone())
            })
            .flatten();
        self.list.push(ViewChange::SeatVoted {
            poll: poll.clone(),
            round,
            seat: seat.clone(),
            cast_by: cast_by.clone(),
            answers,
        });
    }
}

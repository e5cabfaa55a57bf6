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
use crate::view::poll::{MySeat, PollProgress, PollView, Progress, ResultsView, results_visible};
use crate::view::{
    AgendaView, AlertView, Audience, FloorView, Lens, MeetingInfo, MyView, ParticipantView,
};

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
    /// A participant was removed: their row goes, and a proxy given to them is void
    /// (the row of the seat that gave it shows none).
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
    /// A poll's live progress and results: the latest replaces any earlier one. The
    /// same for a whole audience; the viewer's own seats come as [`ViewChange::MySeats`].
    PollProgress {
        /// The new value.
        progress: PollProgress,
    },
    /// The viewer's seats in a poll changed: they (or their proxy) voted, or a proxy or
    /// voting right moved. Sent only to the viewers concerned.
    MySeats {
        /// The poll.
        poll: PollId,
        /// The round.
        round: u32,
        /// The seats the viewer votes for, and whether each has voted.
        my_seats: Vec<MySeat>,
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

/// The parts of changes computed from the meeting's state alone, per audience (the
/// quorum, a poll's counts and tally): computed for the first viewer that needs them and
/// reused for every other viewer and every event told from the same state (a commit
/// group's events are all told as of the state after the group). Each is a pass over
/// every participant: computed per viewer, a ballot in a meeting of N devices would cost
/// N² steps; computed per event, a group of G ballots G × N.
#[derive(Debug, Default)]
pub struct StateViews {
    quorum: Option<QuorumState>,
    polls: Vec<(PollId, Audience, Progress, Option<ResultsView>)>,
}

/// One event's list of changes that is the same for every viewer of an audience, kept
/// so that the others who may be told it (see `view/share.rs`) get it without a
/// rebuild.
#[derive(Debug, Default)]
pub struct SharedViews {
    pub(super) told: Vec<(Audience, Vec<ViewChange>)>,
}

impl SharedViews {
    /// The changes every viewer of `audience` without anything of their own in the
    /// event is told, once one of them was.
    pub fn told_to(&self, audience: Audience) -> Option<&[ViewChange]> {
        self.told
            .iter()
            .find(|(seen, _)| *seen == audience)
            .map(|(_, changes)| changes.as_slice())
    }
}

/// One viewer's changes after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    /// The sections the event touched, as the viewer sees them.
    pub changes: Vec<ViewChange>,
    /// `Some(audience)` when the changes depend on nothing but the viewer's audience,
    /// so that every viewer of that audience is told the same (and one encoding can be
    /// shared); `None` when they hold something of the viewer's own (their standing,
    /// their seats, their proxy, their documents).
    pub shared_by: Option<Audience>,
}

/// The sections `event` touched, as `lens` sees them in `meeting` (after the event).
pub(crate) fn changes(
    meeting: &Meeting,
    lens: Lens<'_>,
    event: &MeetingEvent,
    state: &mut StateViews,
    shared: &mut SharedViews,
) -> Told {
    if !super::share::may_be_personal(meeting, lens, event)
        && let Some(changes) = shared.told_to(lens.audience)
    {
        return Told {
            changes: changes.to_vec(),
            shared_by: Some(lens.audience),
        };
    }
    let mut out = Changes {
        meeting,
        lens,
        state,
        list: Vec::new(),
        personal: false,
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
            out.uncounted_polls();
        }
        E::AlertRaised { .. } => out.alert(),
        E::AlertAnswered { member, .. } => {
            out.alert();
            out.participant_if_shown(member);
            out.me_if(&[member]);
        }
        E::ParticipantsInvited { invitees, .. } => {
            for invitee in invitees {
                out.participant(&invitee.member);
            }
            out.quorum();
            out.uncounted_polls();
            // The alert counts who has not answered yet.
            out.alert();
            let members: Vec<&MemberId> = invitees.iter().map(|i| &i.member).collect();
            out.me_if(&members);
        }
        E::ParticipantUpdated { member, .. } => {
            out.participant(member);
            out.quorum();
            out.uncounted_polls();
            out.me_if(&[member]);
            out.all_seats_if(&[member]);
        }
        E::ParticipantRemoved { member } => {
            out.list.push(ViewChange::ParticipantRemoved {
                member: member.clone(),
            });
            out.quorum();
            out.uncounted_polls();
            out.alert();
            // A proxy given to them is void; who gave it is no longer in the state, so
            // every viewer gets their own standing again.
            out.me();
            out.all_seats();
        }
        E::CheckedIn { member, .. } | E::CheckedOut { member, .. } => {
            out.participant_if_shown(member);
            out.quorum();
            out.me_if(&[member]);
            out.uncounted_polls();
        }
        E::ProxyGranted { from, to, .. } => out.proxy(from, to),
        E::ProxyRevoked { from, .. } => {
            // The former holder is no longer in the state, so every viewer gets their
            // own standing again.
            out.participant(from);
            out.quorum();
            out.me();
            out.uncounted_polls();
            out.all_seats();
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
            out.seats_if(poll, &[seat, cast_by]);
            out.seat_voted(poll, *round, seat, cast_by);
        }
        E::VoteRegistered {
            poll,
            seat,
            cast_by,
            ..
        } => {
            out.progress(poll);
            out.seats_if(poll, &[seat, cast_by]);
        }
        // The seat was told by `VoteRegistered`; the ballot names no seat.
        E::SecretBallotCast { poll, .. } => out.progress(poll),
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
    let Changes { list, personal, .. } = out;
    if !personal && shared.told_to(lens.audience).is_none() {
        shared.told.push((lens.audience, list.clone()));
    }
    Told {
        shared_by: (!personal).then_some(lens.audience),
        changes: list,
    }
}

/// Collects changes for one viewer.
struct Changes<'a> {
    meeting: &'a Meeting,
    lens: Lens<'a>,
    state: &'a mut StateViews,
    list: Vec<ViewChange>,
    /// Whether a change holds something of the viewer's own.
    personal: bool,
}

impl Changes<'_> {
    fn info(&mut self) {
        self.list.push(ViewChange::Meeting {
            meeting: self.meeting.info_view(),
        });
    }

    fn quorum(&mut self) {
        let meeting = self.meeting;
        let quorum = self.state.quorum.get_or_insert_with(|| meeting.quorum());
        self.list.push(ViewChange::Quorum { quorum: *quorum });
    }

    fn alert(&mut self) {
        if let Some(alert) = self.meeting.alert_view() {
            self.list.push(ViewChange::Alert { alert });
        }
    }

    fn agenda(&mut self) {
        // Documents are shown by role and group: kept out of sharing.
        self.personal |= self.lens.member.is_some();
        self.list.push(ViewChange::Agenda {
            agenda: self.meeting.agenda_view(self.lens),
        });
    }

    fn participant(&mut self, member: &MemberId) {
        if let Some(participant) = self.meeting.participants.get(member) {
            // The member and their proxy holder see more of it.
            self.personal |= self.lens.member.is_some_and(|me| {
                me == member
                    || self
                        .meeting
                        .proxies
                        .get(member)
                        .is_some_and(|holder| holder == me)
            });
            self.list.push(ViewChange::Participant {
                participant: self.meeting.participant_view(self.lens, participant),
            });
        }
    }

    /// A participant's row after a change to what only some see in it: attendance
    /// shows on the chair's console, an answer to the alert there and in the member's
    /// own row. Every other viewer's row did not change.
    fn participant_if_shown(&mut self, member: &MemberId) {
        if self.lens.is_keeper() || self.lens.member == Some(member) {
            self.participant(member);
        }
    }

    /// The viewer's own standing (participants only).
    fn me(&mut self) {
        if let Some(me) = self.meeting.my_view(self.lens) {
            self.personal = true;
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
        self.uncounted_polls();
        self.all_seats_if(&[from, to]);
    }

    /// Whether the viewer's seats include one of `members`' (their own, or one whose
    /// proxy they hold).
    fn concerns(&self, members: &[&MemberId]) -> bool {
        let Some(me) = self.lens.member else {
            return false;
        };
        members.iter().any(|member| {
            *member == me
                || self
                    .meeting
                    .proxies
                    .get(*member)
                    .is_some_and(|holder| holder == me)
        })
    }

    /// The viewer's seats in `poll`, if they concern one of `members`.
    fn seats_if(&mut self, poll: &PollId, members: &[&MemberId]) {
        if self.concerns(members) {
            self.seats(poll);
        }
    }

    /// The viewer's seats in every poll, if they concern one of `members`.
    fn all_seats_if(&mut self, members: &[&MemberId]) {
        if self.concerns(members) {
            self.all_seats();
        }
    }

    /// The viewer's seats in every poll they see (a voting right or a proxy moved).
    fn all_seats(&mut self) {
        let polls: Vec<PollId> = self.meeting.polls().map(|poll| poll.id.clone()).collect();
        for poll in &polls {
            self.seats(poll);
        }
    }

    /// The viewer's seats in `poll`, when the viewer may see the poll's progress.
    fn seats(&mut self, poll: &PollId) {
        let Some(entry) = self.meeting.polls.get(poll) else {
            return;
        };
        if self.lens.member.is_none() || (!self.lens.is_keeper() && !entry.has_run()) {
            return;
        }
        let my_seats: Vec<MySeat> = self.meeting.my_seats(self.lens, entry);
        self.personal = true;
        self.list.push(ViewChange::MySeats {
            poll: poll.clone(),
            round: entry.round,
            my_seats,
        });
    }

    fn poll(&mut self, poll: &PollId) {
        let view = self
            .meeting
            .polls
            .get(poll)
            .and_then(|poll| self.meeting.poll_view(self.lens, poll));
        if let Some(poll) = view {
            // A member's view of a poll holds their seats.
            self.personal |= self.lens.member.is_some();
            self.list.push(ViewChange::Poll { poll });
        }
    }

    fn progress(&mut self, poll: &PollId) {
        let Some(entry) = self.meeting.polls.get(poll) else {
            return;
        };
        let audience = self.lens.audience;
        let known = self
            .state
            .polls
            .iter()
            .find(|(id, seen, ..)| id == poll && *seen == audience)
            .map(|(_, _, counts, results)| (*counts, results.clone()));
        let (counts, results) = match known {
            Some(parts) => parts,
            None => {
                let parts = self.meeting.poll_counts(self.lens, entry);
                self.state
                    .polls
                    .push((poll.clone(), audience, parts.0, parts.1.clone()));
                parts
            }
        };
        if let Some(progress) = self
            .meeting
            .poll_progress_from(self.lens, entry, counts, results)
        {
            self.list.push(ViewChange::PollProgress { progress });
        }
    }

    /// Progress of every poll not yet counted: presence, proxies and the roster move
    /// its bases and seats (a draft's are counted afresh until it opens).
    fn uncounted_polls(&mut self) {
        let running: Vec<PollId> = self
            .meeting
            .polls()
            .filter(|poll| !poll.status.is_counted())
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

//! Polls inside a meeting: preparing them, running their lifecycle, and casting
//! ballots with eligibility, proxies, vote change and idempotent resends.
//!
//! **Invariant:** a seat is counted at most once per round: the ballot box holds one
//! voter entry per seat and each seat's earlier ballots are marked superseded.

use crate::id::{BallotId, MemberId, PollId};
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::meeting::quorum::QuorumState;
use crate::meeting::roster::Participant;
use crate::policy::{Action, Actor};
use crate::poll::question::{self, Selection};
use crate::poll::receipt::Receipt;
use crate::poll::tally::Tally;
use crate::poll::verdict::Bases;
use crate::poll::{
    MAX_POLLS, Opening, Poll, PollResult, PollSpec, PollStatus, StoredBallot, Voter,
};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::time::Timestamp;

use super::Decision;

/// A ballot as the command gives it.
pub(super) struct Cast<'a> {
    pub(super) poll: &'a PollId,
    pub(super) round: u32,
    pub(super) ballot: &'a BallotId,
    pub(super) seat: Option<&'a MemberId>,
    pub(super) answers: &'a [Selection],
    pub(super) replaces: Option<&'a BallotId>,
}

impl Meeting {
    pub(super) fn decide_create_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
        spec: &PollSpec,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PreparePolls)?;
        if self.polls.contains_key(poll) {
            return Err(Rejection::duplicate(Entity::Poll, poll));
        }
        if self.polls.len() >= MAX_POLLS {
            return Err(Rejection::invalid("poll", "too many polls"));
        }
        self.validate_spec(spec)?;
        Ok(vec![MeetingEvent::PollCreated {
            poll: poll.clone(),
            spec: spec.clone(),
        }])
    }

    pub(super) fn decide_update_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
        spec: &PollSpec,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PreparePolls)?;
        if self.known_poll(poll)?.status != PollStatus::Draft {
            return Err(RejectionCode::PollNotDraft.into());
        }
        self.validate_spec(spec)?;
        Ok(vec![MeetingEvent::PollUpdated {
            poll: poll.clone(),
            spec: spec.clone(),
        }])
    }

    pub(super) fn decide_delete_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PreparePolls)?;
        let existing = self.known_poll(poll)?;
        if existing.status != PollStatus::Draft || !existing.past_rounds.is_empty() {
            return Err(RejectionCode::PollNotDraft.into());
        }
        Ok(vec![MeetingEvent::PollDeleted { poll: poll.clone() }])
    }

    pub(super) fn decide_open_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
        deadline: Option<Timestamp>,
        override_quorum: bool,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        self.require_open()?;
        let existing = self.known_poll(poll)?;
        match existing.status {
            PollStatus::Draft => {}
            PollStatus::Open | PollStatus::Paused => {
                return Err(RejectionCode::PollNotDraft.into());
            }
            PollStatus::Closed | PollStatus::Published => {
                return Err(RejectionCode::PollClosed.into());
            }
        }
        check_deadline(deadline, caller.now)?;
        let quorum = self.quorum();
        let quorum_overridden = !quorum.met;
        if quorum_overridden {
            if !override_quorum {
                return Err(RejectionCode::QuorumNotMet.into());
            }
            caller.require(Action::OverrideQuorum)?;
        }
        Ok(vec![MeetingEvent::PollOpened {
            poll: poll.clone(),
            round: existing.round,
            deadline,
            quorum,
            quorum_overridden,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_pause_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        match self.known_poll(poll)?.status {
            PollStatus::Open => Ok(vec![MeetingEvent::PollPaused {
                poll: poll.clone(),
                by: caller.actor.clone(),
            }]),
            status => Err(not_open(status)),
        }
    }

    pub(super) fn decide_resume_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
        deadline: Option<Timestamp>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        let existing = self.known_poll(poll)?;
        match existing.status {
            PollStatus::Paused => {}
            PollStatus::Open => return Err(Rejection::invalid("poll", "the poll is not paused")),
            status => return Err(not_open(status)),
        }
        // Resuming past the old deadline needs a new one.
        let deadline = deadline.or(existing.deadline);
        check_deadline(deadline, caller.now)?;
        Ok(vec![MeetingEvent::PollResumed {
            poll: poll.clone(),
            deadline,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_close_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        let existing = self.known_poll(poll)?;
        if !existing.status.is_running() {
            return Err(not_open(existing.status));
        }
        Ok(vec![self.closing_event(existing, caller.actor)])
    }

    pub(super) fn decide_publish_poll(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        match self.known_poll(poll)?.status {
            PollStatus::Closed => Ok(vec![MeetingEvent::PollPublished {
                poll: poll.clone(),
                by: caller.actor.clone(),
            }]),
            PollStatus::Published => Ok(Vec::new()),
            PollStatus::Draft | PollStatus::Open | PollStatus::Paused => {
                Err(RejectionCode::PollNotClosed.into())
            }
        }
    }

    pub(super) fn decide_revote(
        &self,
        caller: &Caller<'_>,
        poll: &PollId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::ConductPolls)?;
        self.require_open()?;
        let existing = self.known_poll(poll)?;
        if existing.status == PollStatus::Draft {
            return Err(RejectionCode::PollNotOpen.into());
        }
        Ok(vec![MeetingEvent::RevoteStarted {
            poll: poll.clone(),
            round: existing.round.saturating_add(1),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_tick(&self, caller: &Caller<'_>) -> Result<Vec<MeetingEvent>, Rejection> {
        if !matches!(caller.actor, Actor::System) {
            return Err(RejectionCode::NotPermitted.into());
        }
        Ok(self
            .polls()
            .filter(|poll| poll.status.is_running())
            .filter(|poll| poll.deadline.is_some_and(|deadline| deadline <= caller.now))
            .map(|poll| self.closing_event(poll, caller.actor))
            .collect())
    }

    pub(super) fn decide_cast(
        &self,
        caller: &Caller<'_>,
        cast: Cast<'_>,
    ) -> Result<Decision, Rejection> {
        let caster = caller.participant()?;
        let poll = self.known_poll(cast.poll)?;
        let seat = match cast.seat {
            Some(seat) => self.known_participant(seat)?,
            None => caster,
        };
        if cast.round != poll.round {
            return self.resend_to_past_round(poll, &cast, seat);
        }
        let answers = question::check_answers(&poll.spec.questions, cast.answers)?;
        let receipt = Receipt::derive(&self.id, &poll.id, poll.round, cast.ballot);
        let seat_tag =
            Receipt::seat_tag(&self.id, &poll.id, poll.round, cast.ballot, seat.member());
        if let Some(stored) = poll.ballots.ballots.get(&receipt) {
            return resend(stored, receipt, seat, &seat_tag, &answers);
        }
        match poll.status {
            PollStatus::Open => {}
            status => return Err(not_open(status)),
        }
        if poll.deadline.is_some_and(|deadline| deadline <= caller.now) {
            return Err(RejectionCode::DeadlinePassed.into());
        }
        self.check_right_to_cast(poll, caster, seat)?;
        let replaces = self.replaced_ballot(poll, seat.member(), cast.replaces)?;
        let seat_id = seat.member().clone();
        let cast_by = caster.member().clone();
        let weight = seat.invitee.weight;
        let events = if poll.spec.secret {
            let mut events = Vec::with_capacity(2);
            if replaces.is_none() {
                events.push(MeetingEvent::VoteRegistered {
                    poll: poll.id.clone(),
                    round: poll.round,
                    seat: seat_id,
                    cast_by,
                });
            }
            events.push(MeetingEvent::SecretBallotCast {
                poll: poll.id.clone(),
                round: poll.round,
                receipt: receipt.clone(),
                seat_tag,
                answers,
                weight,
                replaces,
            });
            events
        } else {
            vec![MeetingEvent::BallotCast {
                poll: poll.id.clone(),
                round: poll.round,
                seat: seat_id,
                cast_by,
                receipt: receipt.clone(),
                answers,
                weight,
                replaces,
            }]
        };
        Ok(Decision {
            events,
            receipt: Some(receipt),
        })
    }

    /// A ballot for a round other than the current one: a resend of a ballot accepted
    /// in an earlier round gets its receipt again; anything else is refused.
    fn resend_to_past_round(
        &self,
        poll: &Poll,
        cast: &Cast<'_>,
        seat: &Participant,
    ) -> Result<Decision, Rejection> {
        let past = poll
            .past_rounds
            .iter()
            .find(|past| past.round == cast.round)
            .ok_or_else(|| Rejection::invalid("round", "no such round"))?;
        let answers = question::check_answers(&past.spec.questions, cast.answers)
            .map_err(|_| Rejection::from(RejectionCode::RoundOver))?;
        let receipt = Receipt::derive(&self.id, &poll.id, past.round, cast.ballot);
        let seat_tag =
            Receipt::seat_tag(&self.id, &poll.id, past.round, cast.ballot, seat.member());
        match past.ballots.ballots.get(&receipt) {
            Some(stored) => resend(stored, receipt, seat, &seat_tag, &answers),
            None => Err(RejectionCode::RoundOver.into()),
        }
    }

    /// Whether `caster` may cast a ballot for `seat` in `poll` now.
    fn check_right_to_cast(
        &self,
        poll: &Poll,
        caster: &Participant,
        seat: &Participant,
    ) -> Result<(), Rejection> {
        if seat.member() == caster.member() {
            // A seat that gave its proxy votes itself only while present.
            if self.proxies.contains_key(seat.member()) && !self.counts_as_present(seat) {
                return Err(RejectionCode::SeatDelegated.into());
            }
        } else {
            // A holder votes for a seat only while the seat is absent.
            let holds = self.proxies.get(seat.member()) == Some(caster.member());
            if !holds || self.counts_as_present(seat) {
                return Err(RejectionCode::NotProxyHolder.into());
            }
        }
        if !entitled(seat, &poll.spec) {
            return Err(RejectionCode::NotEntitled.into());
        }
        if poll.spec.eligibility.present_only && !self.counts_as_present(caster) {
            return Err(RejectionCode::NotPresent.into());
        }
        Ok(())
    }

    /// The receipt of the ballot a new one replaces, if the seat has voted; rejects a
    /// second ballot where the poll does not allow a change, and a replaced ballot that
    /// is not the seat's own current one.
    fn replaced_ballot(
        &self,
        poll: &Poll,
        seat: &MemberId,
        replaces: Option<&BallotId>,
    ) -> Result<Option<Receipt>, Rejection> {
        let Some(voter) = poll.ballots.voters.get(seat) else {
            return match replaces {
                Some(_) => Err(RejectionCode::ReplacedBallotUnknown.into()),
                None => Ok(None),
            };
        };
        if !poll.spec.vote_change {
            return Err(RejectionCode::AlreadyVoted.into());
        }
        let named = replaces.map(|ballot| Receipt::derive(&self.id, &poll.id, poll.round, ballot));
        let current = match (&voter.receipt, named) {
            // Named poll: the box knows the seat's current ballot.
            (Some(current), None) => current.clone(),
            (Some(current), Some(named)) if *current == named => named,
            (Some(_), Some(_)) => return Err(RejectionCode::ReplacedBallotUnknown.into()),
            // Secret poll: only the device knows which ballot was its own.
            (None, None) => return Err(RejectionCode::ReplacementRequired.into()),
            (None, Some(named)) => named,
        };
        // A secret ballot is the seat's own only if its tag says so: a proxy holder's
        // device knows the ids of several seats' ballots, but may not swap them.
        let seat_tag = match (&voter.receipt, replaces) {
            (None, Some(ballot)) => Some(Receipt::seat_tag(
                &self.id, &poll.id, poll.round, ballot, seat,
            )),
            _ => None,
        };
        match poll.ballots.ballots.get(&current) {
            Some(stored) if !stored.superseded && stored.seat_tag == seat_tag => Ok(Some(current)),
            _ => Err(RejectionCode::ReplacedBallotUnknown.into()),
        }
    }

    /// The result `poll` would close with now, counted afresh from the ballots in its
    /// box rather than from the running tally: what an audit compares a recorded
    /// result with. `None` if there is no such poll.
    pub fn recounted_result(&self, poll: &PollId) -> Option<PollResult> {
        let poll = self.polls.get(poll)?;
        let bases = self.bases(&poll.spec);
        let tally = poll.recount();
        let verdicts = poll.verdicts_of(&tally, &bases);
        Some(PollResult {
            tally,
            bases,
            verdicts,
        })
    }

    /// The event that closes `poll` now, with its counted result.
    fn closing_event(&self, poll: &Poll, actor: &Actor) -> MeetingEvent {
        let bases = self.bases(&poll.spec);
        MeetingEvent::PollClosed {
            poll: poll.id.clone(),
            round: poll.round,
            result: PollResult {
                tally: poll.tally.clone(),
                bases,
                verdicts: poll.verdicts(&bases),
            },
            by: actor.clone(),
        }
    }

    /// The bases of members for a poll, as of now.
    pub fn bases(&self, spec: &PollSpec) -> Bases {
        let mut bases = Bases::default();
        for seat in self.participants.values().filter(|p| entitled(p, spec)) {
            let weight = u64::from(seat.invitee.weight);
            bases.members = bases.members.saturating_add(weight);
            if self.seat_present(seat) {
                bases.present = bases.present.saturating_add(weight);
            }
        }
        bases
    }

    /// The seats entitled to vote in a poll.
    pub fn entitled_seats<'a>(
        &'a self,
        spec: &'a PollSpec,
    ) -> impl Iterator<Item = &'a Participant> + 'a {
        self.participants.values().filter(|p| entitled(p, spec))
    }

    fn validate_spec(&self, spec: &PollSpec) -> Result<(), Rejection> {
        spec.validate()?;
        if let Some(item) = &spec.item {
            self.known_item(item)?;
        }
        Ok(())
    }

    /// The poll `poll`, or an `unknown` rejection.
    pub(crate) fn known_poll(&self, poll: &PollId) -> Result<&Poll, Rejection> {
        self.polls
            .get(poll)
            .ok_or_else(|| Rejection::unknown(Entity::Poll, poll))
    }

    pub(super) fn apply_poll_created(&mut self, poll: &PollId, spec: &PollSpec) {
        if self
            .polls
            .insert(poll.clone(), Poll::new(poll.clone(), spec.clone()))
            .is_none()
        {
            self.poll_order.push(poll.clone());
        }
    }

    pub(super) fn apply_poll_updated(&mut self, poll: &PollId, spec: &PollSpec) -> Option<()> {
        let entry = self.polls.get_mut(poll)?;
        entry.spec = spec.clone();
        entry.tally = Tally::new(&spec.questions);
        Some(())
    }

    pub(super) fn apply_poll_deleted(&mut self, poll: &PollId) {
        self.polls.remove(poll);
        self.poll_order.retain(|id| id != poll);
    }

    pub(super) fn apply_poll_opened(
        &mut self,
        at: Timestamp,
        poll: &PollId,
        deadline: Option<Timestamp>,
        quorum: &QuorumState,
        quorum_overridden: bool,
        by: &Actor,
    ) -> Option<()> {
        let entry = self.polls.get_mut(poll)?;
        entry.status = PollStatus::Open;
        entry.deadline = deadline;
        entry.opening = Some(Opening {
            at,
            by: by.clone(),
            quorum: *quorum,
            quorum_overridden,
        });
        Some(())
    }

    pub(super) fn apply_poll_paused(&mut self, poll: &PollId) -> Option<()> {
        self.polls.get_mut(poll)?.status = PollStatus::Paused;
        Some(())
    }

    pub(super) fn apply_poll_resumed(
        &mut self,
        poll: &PollId,
        deadline: Option<Timestamp>,
    ) -> Option<()> {
        let entry = self.polls.get_mut(poll)?;
        entry.status = PollStatus::Open;
        entry.deadline = deadline;
        Some(())
    }

    pub(super) fn apply_poll_closed(
        &mut self,
        at: Timestamp,
        poll: &PollId,
        result: &PollResult,
        by: &Actor,
    ) -> Option<()> {
        let entry = self.polls.get_mut(poll)?;
        entry.status = PollStatus::Closed;
        entry.result = Some(result.clone());
        entry.closing = Some((at, by.clone()));
        Some(())
    }

    pub(super) fn apply_poll_published(&mut self, poll: &PollId) -> Option<()> {
        self.polls.get_mut(poll)?.status = PollStatus::Published;
        Some(())
    }

    pub(super) fn apply_revote(&mut self, poll: &PollId) -> Option<()> {
        self.polls.get_mut(poll)?.start_next_round();
        Some(())
    }

    pub(super) fn apply_vote_registered(
        &mut self,
        poll: &PollId,
        seat: &MemberId,
        cast_by: &MemberId,
    ) -> Option<()> {
        self.polls.get_mut(poll)?.ballots.voters.insert(
            seat.clone(),
            Voter {
                cast_by: cast_by.clone(),
                receipt: None,
            },
        );
        Some(())
    }

    /// Puts a ballot in the box: named (with seat and caster) or secret (with its tag).
    pub(super) fn apply_ballot(
        &mut self,
        poll: &PollId,
        owner: Owner<'_>,
        receipt: &Receipt,
        answers: &[Selection],
        weight: u32,
        replaces: Option<&Receipt>,
    ) -> Option<()> {
        let entry = self.polls.get_mut(poll)?;
        if let Some(old) = replaces {
            let previous = entry.ballots.ballots.get_mut(old)?;
            previous.superseded = true;
            entry.tally.remove(&previous.answers, previous.weight);
        }
        let (seat, seat_tag) = match owner {
            Owner::Named { seat, .. } => (Some(seat.clone()), None),
            Owner::Secret { seat_tag } => (None, Some(seat_tag.clone())),
        };
        entry.ballots.ballots.insert(
            receipt.clone(),
            StoredBallot {
                answers: answers.to_vec(),
                weight,
                seat,
                seat_tag,
                superseded: false,
            },
        );
        entry.tally.add(answers, weight);
        if let Owner::Named { seat, cast_by } = owner {
            entry.ballots.voters.insert(
                seat.clone(),
                Voter {
                    cast_by: cast_by.clone(),
                    receipt: Some(receipt.clone()),
                },
            );
        }
        Some(())
    }
}

/// Whose a ballot is, as the ballot box may know it.
pub(super) enum Owner<'a> {
    /// A named ballot: the seat, and who cast it.
    Named {
        seat: &'a MemberId,
        cast_by: &'a MemberId,
    },
    /// A secret ballot: only its seat tag.
    Secret { seat_tag: &'a Receipt },
}

/// Whether a participant may vote in a poll at all: a voting right and, if the poll
/// names groups, membership of one of them.
pub(crate) fn entitled(participant: &Participant, spec: &PollSpec) -> bool {
    let groups = &spec.eligibility.groups;
    participant.votes()
        && (groups.is_empty()
            || participant
                .invitee
                .groups
                .iter()
                .any(|group| groups.contains(group)))
}

/// The answer to a ballot id already in the box: the same receipt if it is the same
/// ballot from the same seat, a conflict otherwise.
fn resend(
    stored: &StoredBallot,
    receipt: Receipt,
    seat: &Participant,
    seat_tag: &Receipt,
    answers: &[Selection],
) -> Result<Decision, Rejection> {
    let same_seat = match &stored.seat {
        Some(stored_seat) => stored_seat == seat.member(),
        // A secret ballot carries no seat, only the tag its id and seat give.
        None => stored.seat_tag.as_ref() == Some(seat_tag),
    };
    if !same_seat || stored.answers != answers {
        return Err(RejectionCode::BallotIdConflict.into());
    }
    Ok(Decision {
        events: Vec::new(),
        receipt: Some(receipt),
    })
}

fn check_deadline(deadline: Option<Timestamp>, now: Timestamp) -> Result<(), Rejection> {
    match deadline {
        Some(deadline) if deadline <= now => {
            Err(Rejection::invalid("deadline", "must be in the future"))
        }
        _ => Ok(()),
    }
}

/// The rejection for a ballot or pause on a poll that is not open.
fn not_open(status: PollStatus) -> Rejection {
    match status {
        PollStatus::Draft => RejectionCode::PollNotOpen.into(),
        PollStatus::Paused => RejectionCode::PollPaused.into(),
        PollStatus::Open => Rejection::invalid("poll", "the poll is open"),
        PollStatus::Closed | PollStatus::Published => RejectionCode::PollClosed.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::MeetingId;
    use crate::meeting::command::{CreateMeeting, MeetingCommand};
    use crate::meeting::event::EventRecord;
    use crate::meeting::roster::{Invitee, PresenceMode};
    use crate::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
    use crate::policy::Role;
    use crate::poll::question::{Question, QuestionKind};
    use crate::poll::{Eligibility, ResultsVisibility};
    use crate::rules::MajorityRule;

    fn member(id: &str) -> MemberId {
        MemberId::new(id).unwrap()
    }

    fn by(id: &str) -> Actor {
        Actor::Member { member: member(id) }
    }

    /// Holder `h` (weight 1) is in the room and holds the proxy of the absent `s`
    /// (weight 3); `x` is in the room too. A secret poll with vote change is open.
    fn secret_poll_with_a_proxy() -> Meeting {
        let created = Meeting::create(
            MeetingId::new("m").unwrap(),
            &Actor::Admin,
            CreateMeeting {
                details: MeetingDetails {
                    title: "Kỳ họp".into(),
                    kind: MeetingKind::Routine,
                    location: String::new(),
                    scheduled_at: Timestamp(0),
                },
                settings: MeetingSettings::default(),
            },
        )
        .unwrap();
        let record = EventRecord {
            seq: 1,
            at: Timestamp(0),
            event: created,
        };
        let mut meeting = Meeting::from_created(&record).unwrap();
        let invitee = |id: &str, role: Role, weight: u32| Invitee {
            member: member(id),
            name: id.into(),
            position: String::new(),
            unit: None,
            unit_name: String::new(),
            role,
            voting_right: role == Role::Delegate,
            weight,
            groups: Vec::new(),
        };
        let invitees = vec![
            invitee("chair", Role::Chair, 1),
            invitee("h", Role::Delegate, 1),
            invitee("s", Role::Delegate, 3),
            invitee("x", Role::Delegate, 1),
        ];
        let spec = PollSpec {
            title: "Bỏ phiếu kín".into(),
            item: None,
            questions: vec![Question {
                text: "Tán thành?".into(),
                kind: QuestionKind::YesNo,
            }],
            secret: true,
            vote_change: true,
            visibility: ResultsVisibility::LiveToAll,
            eligibility: Eligibility::default(),
            majority: MajorityRule::simple_majority(),
        };
        let in_room = MeetingCommand::CheckIn {
            member: None,
            mode: PresenceMode::InRoom,
        };
        let steps = [
            (
                Actor::Admin,
                MeetingCommand::Invite {
                    invitees,
                    group: None,
                },
            ),
            (by("chair"), MeetingCommand::OpenMeeting),
            (by("h"), in_room.clone()),
            (by("x"), in_room),
            (
                by("s"),
                MeetingCommand::GrantProxy {
                    from: None,
                    to: member("h"),
                },
            ),
            (
                by("chair"),
                MeetingCommand::CreatePoll {
                    poll: PollId::new("p").unwrap(),
                    spec,
                },
            ),
            (
                by("chair"),
                MeetingCommand::OpenPoll {
                    poll: PollId::new("p").unwrap(),
                    deadline: None,
                    override_quorum: true,
                },
            ),
        ];
        for (at, (actor, command)) in (1..).zip(steps) {
            meeting.execute(&actor, Timestamp(at), &command).unwrap();
        }
        meeting
    }

    fn cast(ballot: &str, seat: Option<&str>, yes: bool, replaces: Option<&str>) -> MeetingCommand {
        MeetingCommand::CastBallot {
            poll: PollId::new("p").unwrap(),
            round: 1,
            ballot: BallotId::new(ballot).unwrap(),
            seat: seat.map(member),
            answers: vec![Selection::one(if yes { 0 } else { 1 })],
            replaces: replaces.map(|id| BallotId::new(id).unwrap()),
        }
    }

    fn refusal(meeting: &mut Meeting, actor: &Actor, command: &MeetingCommand) -> RejectionCode {
        let before = meeting.clone();
        match meeting.execute(actor, Timestamp(100), command) {
            Err(crate::meeting::ExecuteError::Rejected(rejection)) => {
                assert_eq!(*meeting, before);
                rejection.code
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// Found by `tests/state_machine.rs`: a proxy holder's device knows the ballot ids
    /// of its own seat and of the seat it represents, and could make one replace the
    /// other, counting one seat twice and the other not at all (with weights, moving
    /// the tally beyond the entitled weight).
    #[test]
    fn a_secret_ballot_replaces_only_a_ballot_of_its_own_seat() {
        let mut meeting = secret_poll_with_a_proxy();
        let h = by("h");
        meeting
            .execute(&h, Timestamp(10), &cast("h1", None, false, None))
            .unwrap();
        meeting
            .execute(&h, Timestamp(11), &cast("s1", Some("s"), false, None))
            .unwrap();

        // The holder's own seat may not replace the represented seat's ballot …
        let own = cast("h2", None, true, Some("s1"));
        assert_eq!(
            refusal(&mut meeting, &h, &own),
            RejectionCode::ReplacedBallotUnknown
        );
        // … nor the represented seat the holder's.
        let other = cast("s2", Some("s"), true, Some("h1"));
        assert_eq!(
            refusal(&mut meeting, &h, &other),
            RejectionCode::ReplacedBallotUnknown
        );
        // A ballot id resent for another seat is a conflict, not a duplicate.
        let stolen = cast("s1", None, false, None);
        assert_eq!(
            refusal(&mut meeting, &h, &stolen),
            RejectionCode::BallotIdConflict
        );

        // Each seat may still change its own ballot.
        meeting
            .execute(&h, Timestamp(12), &cast("h2", None, true, Some("h1")))
            .unwrap();
        meeting
            .execute(&h, Timestamp(13), &cast("s2", Some("s"), true, Some("s1")))
            .unwrap();
        let poll = meeting.poll(&PollId::new("p").unwrap()).unwrap();
        assert_eq!(poll.ballots.voters.len(), 2);
        assert_eq!(poll.ballots.counted().count(), 2);
        assert_eq!(poll.tally.ballots.weight, 4);
        assert_eq!(poll.tally, poll.recount());
    }
}

//! The meeting command handler on a script of commands: a meeting with a small fixed
//! roster (urgent if the script's first line is `urgent`, else routine), then each line
//! of the input decided and applied by the real engine, from the actor the line names,
//! on a clock that only moves forward. After every command the invariants the domain's
//! state-machine tests check must hold.

mod check;
mod roster;
mod rounds;
mod script;

use std::collections::BTreeMap;

use quorum_domain::meeting::settings::MeetingKind;
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::{
    Actor, EventRecord, ExecuteError, Meeting, MeetingCommand, MeetingEvent, MemberId, PollId,
    Rejection, Timestamp,
};

pub use roster::{ROSTER, START};
pub use script::{Step, parse_line};

/// Commands run from one input at most: every step replays the whole log, so a long
/// script costs quadratic time and teaches the fuzzer little more than a short one.
pub const MAX_STEPS: usize = 64;

/// The first line of a script whose meeting is urgent (họp khẩn), which raises alerts.
pub const URGENT: &str = "urgent";

/// What a script did, for the seed generator and for measuring how deep inputs reach.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Commands accepted.
    pub accepted: usize,
    /// Commands rejected.
    pub rejected: usize,
    /// Lines that are not a step (skipped).
    pub skipped: usize,
    /// Ballots accepted (first casts, changes and resends).
    pub ballots: usize,
    /// Polls that reached a count (closed or published), any round.
    pub counted_polls: usize,
    /// The first rejection: the line's number, from 1, and why.
    pub first_rejection: Option<(usize, String)>,
}

/// Runs `script` line by line, checking the invariants after every command.
pub fn run(script: &str) -> Outcome {
    // A meeting's kind cannot change once created, so the script chooses it first.
    let mut lines = script.lines().peekable();
    let kind = if lines.next_if_eq(&URGENT).is_some() {
        MeetingKind::Urgent
    } else {
        MeetingKind::Routine
    };
    let mut run = Run::new(kind);
    let mut outcome = Outcome::default();
    for (number, line) in (1..).zip(lines.take(MAX_STEPS)) {
        let Some(step) = parse_line(line) else {
            outcome.skipped += 1;
            continue;
        };
        run.clock = run
            .clock
            .saturating_add(i64::try_from(step.advance).unwrap_or(i64::MAX));
        match run.execute(&step.actor, &step.command) {
            Ok(receipt) => {
                outcome.accepted += 1;
                outcome.ballots += usize::from(receipt.is_some());
            }
            Err(rejection) => {
                outcome.rejected += 1;
                if outcome.first_rejection.is_none() {
                    outcome.first_rejection = Some((number, rejection.to_string()));
                }
            }
        }
        run.check_invariants();
    }
    // Each step checked that its events, applied one by one to the state before it,
    // give the state after it; replaying the whole log once at the end checks the same
    // from scratch without making a script's cost quadratic.
    let replayed = Meeting::replay(&run.log).expect("the log replays");
    assert_eq!(
        replayed, run.meeting,
        "replaying the log gives another state"
    );
    outcome.counted_polls = run
        .meeting
        .polls()
        .filter(|poll| {
            poll.status.is_counted() || poll.past_rounds.iter().any(|past| past.result.is_some())
        })
        .count();
    outcome
}

/// A meeting, its log, and what the checks need to remember across commands.
struct Run {
    meeting: Meeting,
    log: Vec<EventRecord>,
    clock: i64,
    /// Per poll and round: the entitled seats, taken while the round ran.
    entitled: BTreeMap<(PollId, u32), Entitled>,
    /// The seat of each secret ballot, as known from the commands sent: the engine keeps
    /// only a tag it cannot read back.
    owners: BTreeMap<Receipt, MemberId>,
}

/// The seats entitled to vote in a round, and their weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entitled {
    seats: usize,
    weight: u64,
}

impl Run {
    /// The meeting every script starts from: created and its roster invited, not open.
    fn new(kind: MeetingKind) -> Run {
        let (meeting, log) = roster::invited_meeting(kind);
        Run {
            meeting,
            log,
            clock: START,
            entitled: BTreeMap::new(),
            owners: BTreeMap::new(),
        }
    }

    /// Decides and applies `command`, checking on the way how `decide` and `execute`
    /// agree and what every viewer is told. A ballot's receipt if accepted.
    fn execute(
        &mut self,
        actor: &Actor,
        command: &MeetingCommand,
    ) -> Result<Option<Receipt>, Rejection> {
        let now = Timestamp(self.clock);
        let before = self.meeting.clone();
        let decided = before.decide(actor, now, command);
        let (records, receipt) = match self.meeting.execute(actor, now, command) {
            Err(ExecuteError::Apply(error)) => {
                panic!("decide and apply disagree on {command:?}: {error}")
            }
            Err(ExecuteError::Rejected(rejection)) => {
                assert_eq!(
                    decided.err(),
                    Some(rejection.clone()),
                    "decide and execute disagree on {command:?}"
                );
                assert_eq!(
                    self.meeting, before,
                    "the rejected command {command:?} ({rejection}) changed the state"
                );
                return Err(rejection);
            }
            Ok(done) => done,
        };
        let decision = decided.unwrap_or_else(|rejection| {
            panic!("decide refused ({rejection}) what execute accepted")
        });
        let events: Vec<MeetingEvent> = records.iter().map(|record| record.event.clone()).collect();
        assert_eq!(
            decision.events, events,
            "decide and execute disagree on {command:?}"
        );
        assert_eq!(
            decision.receipt, receipt,
            "decide and execute give other receipts"
        );
        check::events(&before, &self.meeting, &records, now);
        if let MeetingCommand::CastBallot {
            poll,
            round,
            ballot,
            seat,
            ..
        } = command
        {
            let receipt = receipt.clone().expect("an accepted ballot has a receipt");
            assert_eq!(
                receipt,
                Receipt::derive(self.meeting.id(), poll, *round, ballot),
                "a ballot's receipt is derived from its id"
            );
            let seat = seat
                .clone()
                .or_else(|| actor.member().cloned())
                .expect("a ballot is cast for a seat");
            for record in &records {
                if let MeetingEvent::SecretBallotCast { receipt, .. } = &record.event {
                    self.owners.insert(receipt.clone(), seat.clone());
                }
            }
        }
        self.log.extend(records);
        self.note_running_rounds();
        Ok(receipt)
    }

    /// Records the entitled seats of every running round; they must not change while
    /// it runs.
    fn note_running_rounds(&mut self) {
        for poll in self.meeting.polls().filter(|poll| poll.status.is_running()) {
            let seats: Vec<_> = self.meeting.entitled_seats(&poll.spec).collect();
            let now = Entitled {
                seats: seats.len(),
                weight: seats
                    .iter()
                    .map(|seat| u64::from(seat.invitee.weight))
                    .sum(),
            };
            let taken = *self
                .entitled
                .entry((poll.id.clone(), poll.round))
                .or_insert(now);
            assert_eq!(
                taken, now,
                "the entitled seats of running poll {} round {} changed",
                poll.id, poll.round
            );
        }
    }

    /// The state's invariants: every round's ballots add up, proxies are sound, and
    /// every viewer's snapshot can be built.
    fn check_invariants(&self) {
        assert_eq!(
            self.meeting.seq(),
            self.log.len() as u64,
            "seq ≠ events in the log"
        );
        for poll in self.meeting.polls() {
            rounds::check_poll(self, poll);
        }
        check::proxies(&self.meeting);
        check::views(&self.meeting);
    }
}

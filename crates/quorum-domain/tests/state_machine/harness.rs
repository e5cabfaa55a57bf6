//! The system under test: a real [`Meeting`] driven command by command, checking after
//! each how `decide` and `execute` agree, what a rejection leaves, what every viewer is
//! told, and that the log replays to the live state.

use std::collections::{BTreeMap, BTreeSet};

use proptest_state_machine::StateMachineTest;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind};
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, ExecuteError, Meeting, MeetingCommand, MeetingEvent,
    MeetingId, MemberId, PollId, Rejection, Timestamp,
};

use super::change::{check_changes, check_group_sharing, check_seats_told, check_sharing};
use super::command::Step;
use super::device::Devices;
use super::model::{MeetingModel, Model};
use super::round::check_poll;
use super::setup::{Setup, roster};
use super::stats::Stats;
use super::view::check_view;
use super::visibility::viewers;

/// Runs the generated commands against a real meeting.
pub(crate) struct MeetingTest;

impl StateMachineTest for MeetingTest {
    type SystemUnderTest = Harness;
    type Reference = MeetingModel;

    fn init_test(model: &Model) -> Harness {
        Harness::new(&model.setup)
    }

    fn apply(mut harness: Harness, _model: &Model, step: Step) -> Harness {
        harness.step(&step);
        harness
    }

    fn check_invariants(harness: &Harness, _model: &Model) {
        harness.check_invariants();
    }
}

/// The system under test: a meeting, its log, and what the test observed of it.
pub(crate) struct Harness {
    pub(crate) meeting: Meeting,
    log: Vec<EventRecord>,
    /// Polls that have been opened at least once (from the log).
    ran: BTreeSet<PollId>,
    /// Per poll and round: the entitled seats while the round ran.
    pub(crate) entitled: BTreeMap<(PollId, u32), Entitled>,
    /// Secret ballots: the seat each accepted ballot was cast for, as the test knows
    /// from the commands it sent (the engine keeps only a tag it cannot read back).
    pub(crate) owners: BTreeMap<Receipt, MemberId>,
    /// Every viewer's device, kept up to date by its changes.
    devices: Devices,
    pub(crate) stats: Stats,
}

impl Harness {
    /// A meeting created by the administrator, with the roster of `setup` invited.
    pub(crate) fn new(setup: &Setup) -> Harness {
        let details = MeetingDetails {
            title: "Kỳ họp thứ 7, HĐND tỉnh khóa XI".into(),
            kind: if setup.urgent {
                MeetingKind::Urgent
            } else {
                MeetingKind::Routine
            },
            location: "Hội trường A".into(),
            scheduled_at: Timestamp(0),
        };
        let created = Meeting::create(
            MeetingId::new("ky-hop-7").unwrap(),
            &Actor::Admin,
            CreateMeeting {
                details,
                settings: setup.settings,
            },
        )
        .unwrap();
        let record = EventRecord {
            seq: 1,
            at: Timestamp(0),
            event: created,
        };
        let meeting = Meeting::from_created(&record).unwrap();
        let mut harness = Harness {
            meeting,
            log: vec![record],
            ran: BTreeSet::new(),
            entitled: BTreeMap::new(),
            owners: BTreeMap::new(),
            devices: Devices::default(),
            stats: Stats::default(),
        };
        let invite = MeetingCommand::Invite {
            invitees: roster(setup),
            group: None,
        };
        harness
            .run(&Actor::Admin, Timestamp(0), &invite)
            .expect("the roster is invited");
        harness
    }

    /// Runs one generated command.
    pub(crate) fn step(&mut self, step: &Step) {
        // The outcome is checked inside; a rejection is a normal outcome here.
        let _outcome = self.run(&step.who.actor(), Timestamp(step.now), &step.command);
    }

    /// Runs one command through `decide` and `execute`, checks how the two agree, what
    /// a rejection leaves, and what every viewer is told after each event.
    pub(crate) fn run(
        &mut self,
        actor: &Actor,
        now: Timestamp,
        command: &MeetingCommand,
    ) -> Result<Option<Receipt>, Rejection> {
        self.stats.commands += 1;
        let before = self.meeting.clone();
        let decided = before.decide(actor, now, command);
        let executed = self.meeting.execute(actor, now, command);
        let (records, receipt) = match executed {
            Err(ExecuteError::Apply(error)) => {
                panic!("decide and apply disagree on {command:?}: {error}")
            }
            Err(ExecuteError::Rejected(rejection)) => {
                assert_eq!(
                    decided.as_ref().err(),
                    Some(&rejection),
                    "decide and execute disagree on {command:?}"
                );
                // Invariant 4: a rejected command changes nothing.
                assert_eq!(
                    self.meeting, before,
                    "the rejected command {command:?} ({rejection}) changed the state"
                );
                self.stats.rejected += 1;
                return Err(rejection);
            }
            Ok(done) => done,
        };
        let decision =
            decided.unwrap_or_else(|r| panic!("decide refused ({r}) what execute accepted"));
        let events: Vec<MeetingEvent> = records.iter().map(|r| r.event.clone()).collect();
        assert_eq!(decision.events, events, "decide and execute disagree");
        assert_eq!(
            decision.receipt, receipt,
            "decide and execute give other receipts"
        );
        if records.is_empty() {
            assert_eq!(
                self.meeting, before,
                "a command without events changed the state"
            );
        }

        // Event by event: numbering, the stored form, and every viewer's changes.
        let mut stepper = before;
        for record in &records {
            assert_eq!(
                record.seq,
                stepper.seq() + 1,
                "events are numbered without gaps"
            );
            assert_eq!(record.at, now);
            let json = serde_json::to_string(record).unwrap();
            let stored: EventRecord = serde_json::from_str(&json).unwrap();
            assert_eq!(&stored, record, "an event does not survive its JSON form");
            let seen_before: Vec<_> = viewers(&stepper)
                .into_iter()
                .map(|viewer| {
                    let view = stepper.view(&viewer);
                    (viewer, view)
                })
                .collect();
            stepper.apply(record).unwrap();
            if let MeetingEvent::PollOpened { poll, .. } = &record.event {
                self.ran.insert(poll.clone());
            }
            for viewer in viewers(&stepper) {
                check_changes(&stepper, &self.ran, &record.event, &viewer);
            }
            check_sharing(&stepper, &record.event, &viewers(&stepper));
            self.devices
                .told(&stepper, &record.event, &viewers(&stepper));
            for (viewer, before) in &seen_before {
                if let Some(before) = before {
                    check_seats_told(&stepper, before, &record.event, viewer);
                }
            }
        }
        assert_eq!(
            stepper, self.meeting,
            "applying the events one by one differs"
        );
        let events: Vec<&MeetingEvent> = records.iter().map(|record| &record.event).collect();
        check_group_sharing(&self.meeting, &events, &viewers(&self.meeting));

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
            let seat = seat.clone().or_else(|| actor.member().cloned()).unwrap();
            for record in &records {
                if let MeetingEvent::SecretBallotCast { receipt, .. } = &record.event {
                    self.owners.insert(receipt.clone(), seat.clone());
                }
            }
        }
        self.stats.count(command, &records);
        self.log.extend(records);
        self.note_running_rounds();
        Ok(receipt)
    }

    /// Records the entitled seats of every running round; they must not change while
    /// it runs.
    fn note_running_rounds(&mut self) {
        for poll in self.meeting.polls().filter(|p| p.status.is_running()) {
            let seats: Vec<_> = self.meeting.entitled_seats(&poll.spec).collect();
            let now = Entitled {
                seats: seats.len(),
                weight: seats.iter().map(|p| u64::from(p.invitee.weight)).sum(),
            };
            let taken = self
                .entitled
                .entry((poll.id.clone(), poll.round))
                .or_insert(now);
            assert_eq!(
                *taken, now,
                "the entitled seats of running poll {} round {} changed",
                poll.id, poll.round
            );
        }
    }

    /// Checks the live state: the log replays to it (3), every round's ballots (1 and 2),
    /// the proxies, and every viewer's snapshot (5). Invariant 4 and the changes each
    /// viewer is told are checked as each command runs.
    pub(crate) fn check_invariants(&self) {
        // 3. The log replays to the live state.
        let replayed = Meeting::replay(&self.log).expect("the log replays");
        assert_eq!(
            replayed, self.meeting,
            "replaying the log gives another state"
        );
        assert_eq!(self.meeting.seq(), self.log.len() as u64);

        // 1 and 2. Ballots, per poll and round.
        for poll in self.meeting.polls() {
            check_poll(self, poll);
        }

        // Proxies: no seat twice, no chains, only between voters.
        let proxies = self.meeting.proxies();
        for (seat, holder) in proxies {
            assert_ne!(seat, holder, "a seat holds its own proxy");
            assert!(
                !proxies.contains_key(holder),
                "a chain of proxies through {holder}"
            );
            for member in [seat, holder] {
                let participant = self.meeting.participant(member);
                assert!(
                    participant.is_some_and(|p| p.votes()),
                    "proxy {seat} → {holder} involves {member}, who does not vote"
                );
            }
        }

        // 5. What every viewer sees.
        for viewer in viewers(&self.meeting) {
            check_view(&self.meeting, &self.ran, &viewer);
        }
    }
}

/// The seats entitled to vote in a round, taken while it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entitled {
    pub(crate) seats: usize,
    pub(crate) weight: u64,
}

//! The ballots of every round, current and past: counted ballots = voters ≤ entitled
//! seats, the tally is a recount, a result exactly when counted, and no seat counted
//! twice (named polls from their ballots, secret polls from the commands sent).

use std::collections::BTreeMap;

use quorum_domain::poll::receipt::Receipt;
use quorum_domain::poll::tally::Tally;
use quorum_domain::poll::{BallotBox, Poll, PollResult, PollSpec, PollStatus, StoredBallot};
use quorum_domain::{MemberId, PollId};

use super::Run;

/// Checks every round of `poll`.
pub(super) fn check_poll(run: &Run, poll: &Poll) {
    let rounds: Vec<u32> = poll.past_rounds.iter().map(|past| past.round).collect();
    assert_eq!(
        rounds,
        (1..poll.round).collect::<Vec<_>>(),
        "poll {} rounds",
        poll.id
    );
    assert_eq!(
        poll.tally,
        poll.recount(),
        "poll {}: the tally is not a recount",
        poll.id
    );
    for past in &poll.past_rounds {
        let round = Round {
            number: past.round,
            spec: &past.spec,
            status: past.ended_as,
            ballots: &past.ballots,
            tally: &past.tally,
            result: past.result.as_ref(),
            current: false,
        };
        round.check(run, &poll.id);
    }
    let round = Round {
        number: poll.round,
        spec: &poll.spec,
        status: poll.status,
        ballots: &poll.ballots,
        tally: &poll.tally,
        result: poll.result.as_ref(),
        current: true,
    };
    round.check(run, &poll.id);
}

/// One round of a poll.
struct Round<'a> {
    number: u32,
    spec: &'a PollSpec,
    status: PollStatus,
    ballots: &'a BallotBox,
    tally: &'a Tally,
    result: Option<&'a PollResult>,
    /// The poll's current round (a past one may have been voided while open).
    current: bool,
}

impl Round<'_> {
    fn check(&self, run: &Run, poll: &PollId) {
        let what = format!("poll {poll} round {}", self.number);
        let voters = &self.ballots.voters;
        let counted: Vec<(&Receipt, &StoredBallot)> = self.ballots.counted().collect();
        assert_eq!(
            counted.len(),
            voters.len(),
            "{what}: counted ballots ≠ voters"
        );
        if !voters.is_empty() {
            let entitled = run
                .entitled
                .get(&(poll.clone(), self.number))
                .unwrap_or_else(|| panic!("{what}: ballots in a round that never ran"));
            assert!(
                voters.len() <= entitled.seats,
                "{what}: more voters than seats"
            );
            assert!(
                self.tally.ballots.weight <= entitled.weight,
                "{what}: more weight counted than entitled"
            );
        }
        if self.current && self.status.is_running() {
            let seats: BTreeMap<&MemberId, u32> = run
                .meeting
                .entitled_seats(self.spec)
                .map(|seat| (seat.member(), seat.invitee.weight))
                .collect();
            for seat in voters.keys() {
                assert!(seats.contains_key(seat), "{what}: {seat} voted unentitled");
            }
            for (_, ballot) in &counted {
                if let Some(seat) = &ballot.seat {
                    assert_eq!(
                        Some(&ballot.weight),
                        seats.get(seat),
                        "{what}: {seat}'s weight"
                    );
                }
            }
        }
        let recount = Tally::recount(
            &self.spec.questions,
            counted
                .iter()
                .map(|(_, ballot)| (ballot.answers.as_slice(), ballot.weight)),
        );
        assert_eq!(*self.tally, recount, "{what}: the tally is not a recount");
        assert_eq!(
            self.result.is_some(),
            self.status.is_counted(),
            "{what}: a result without a count, or a count without a result"
        );
        if let Some(result) = self.result {
            assert_eq!(
                &result.tally, self.tally,
                "{what}: ballots counted after close"
            );
            assert!(
                result.tally.ballots.weight <= result.bases.members,
                "{what}: bases"
            );
            assert_eq!(
                result.verdicts.len(),
                self.spec.questions.len(),
                "{what}: verdicts"
            );
        }
        if self.spec.secret {
            self.check_secret(run, &what, &counted);
        } else {
            self.check_named(&what, &counted);
        }
    }

    /// Secret: nothing ties a ballot to its seat, yet (as the commands tell) every seat
    /// that voted has exactly one counted ballot.
    fn check_secret(&self, run: &Run, what: &str, counted: &[(&Receipt, &StoredBallot)]) {
        for ballot in self.ballots.ballots.values() {
            assert!(
                ballot.seat.is_none(),
                "{what}: a secret ballot names its seat"
            );
        }
        let mut per_seat: BTreeMap<&MemberId, usize> = BTreeMap::new();
        for (receipt, _) in counted {
            let owner = run
                .owners
                .get(*receipt)
                .unwrap_or_else(|| panic!("{what}: a ballot nobody cast"));
            *per_seat.entry(owner).or_default() += 1;
        }
        for (seat, voter) in &self.ballots.voters {
            assert!(
                voter.receipt.is_none(),
                "{what}: {seat}'s secret receipt is kept"
            );
            assert_eq!(
                per_seat.get(seat).copied().unwrap_or(0),
                1,
                "{what}: seat {seat} is counted as {per_seat:?}"
            );
        }
    }

    /// Named: each voter's current ballot is its one counted ballot.
    fn check_named(&self, what: &str, counted: &[(&Receipt, &StoredBallot)]) {
        let voters = &self.ballots.voters;
        let mut per_seat: BTreeMap<&MemberId, usize> = BTreeMap::new();
        for (receipt, ballot) in counted {
            let seat = ballot.seat.as_ref().expect("a named ballot names its seat");
            *per_seat.entry(seat).or_default() += 1;
            let current = voters.get(seat).and_then(|voter| voter.receipt.as_ref());
            assert_eq!(current, Some(*receipt), "{what}: {seat}'s counted ballot");
        }
        for (seat, voter) in voters {
            assert_eq!(per_seat.get(seat), Some(&1), "{what}: {seat} counted twice");
            let receipt = voter.receipt.as_ref().expect("a named voter has a receipt");
            assert!(
                self.ballots
                    .ballots
                    .get(receipt)
                    .is_some_and(|ballot| !ballot.superseded),
                "{what}: {seat}'s current ballot is superseded or missing"
            );
        }
    }
}

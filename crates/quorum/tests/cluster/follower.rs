//! One device's copy of a meeting: the last sequence number applied and the polls as
//! they stand, fed by a snapshot, updates and resumes. Every gap and duplicate is
//! written down, and every snapshot reset apart: the cluster promises none, while a
//! restarted hub may have lost the missed events' window (then a snapshot is right).

use std::collections::BTreeMap;

use quorum_client::Subscribed;
use quorum_domain::view::{PollView, SeatVote};
use quorum_domain::{MeetingView, PollId, ViewChange};

/// A meeting as one device follows it.
#[derive(Debug, Clone)]
pub(crate) struct Follower {
    /// The sequence number of the first state (the first snapshot).
    pub(crate) first_seq: u64,
    /// The sequence number of the last update applied.
    pub(crate) last_seq: u64,
    /// Events applied, by updates that may each cover several.
    pub(crate) updates: u64,
    /// Resumes that replayed the missed updates.
    pub(crate) recovered: u32,
    /// The polls the device can see, as of `last_seq`.
    pub(crate) polls: BTreeMap<PollId, PollView>,
    /// Gaps and duplicates, in words.
    pub(crate) violations: Vec<String>,
    /// Resumes answered with a snapshot instead of the missed updates, in words.
    pub(crate) resets: Vec<String>,
}

/// An update that skipped ahead: the device must resume to fill the gap.
#[derive(Debug)]
pub(crate) struct Gap;

impl Follower {
    /// Starts from the answer to a `subscribe` without `since`.
    pub(crate) fn start(subscribed: Subscribed) -> Result<Follower, String> {
        match subscribed {
            Subscribed::Snapshot { view, .. } => Ok(Follower::from_view(view)),
            other => Err(format!("a first subscription answered {other:?}")),
        }
    }

    fn from_view(view: MeetingView) -> Follower {
        Follower {
            first_seq: view.seq,
            last_seq: view.seq,
            updates: 0,
            recovered: 0,
            polls: polls_of(view.polls),
            violations: Vec::new(),
            resets: Vec::new(),
        }
    }

    /// Continues from the answer to a `subscribe` with `since: last_seq`. A snapshot
    /// instead of the missed updates is a reset: the device kept its screen right, but
    /// it did not see every event.
    pub(crate) fn resume(&mut self, subscribed: Subscribed) -> Result<(), Gap> {
        match subscribed {
            Subscribed::Resumed {
                recovered: true,
                updates,
                ..
            } => {
                self.recovered += 1;
                for update in updates {
                    self.apply(update.first_seq, update.seq, update.changes)?;
                }
                Ok(())
            }
            Subscribed::Resumed {
                snapshot: Some(view),
                ..
            }
            | Subscribed::Snapshot { view, .. } => {
                self.resets.push(format!(
                    "resumed from {} with a snapshot at {} instead of the missed updates",
                    self.last_seq, view.seq
                ));
                self.last_seq = view.seq;
                self.polls = polls_of(view.polls);
                Ok(())
            }
            Subscribed::Resumed { .. } => {
                self.violations
                    .push("an unrecovered resume without a snapshot".to_owned());
                Err(Gap)
            }
        }
    }

    /// Applies the update covering `first..=seq`, which must start right after
    /// `last_seq`. A duplicate is written down and skipped; a gap is written down and
    /// refused.
    pub(crate) fn apply(
        &mut self,
        first: u64,
        seq: u64,
        changes: Vec<ViewChange>,
    ) -> Result<(), Gap> {
        let due = self.last_seq + 1;
        if first < due {
            self.violations.push(format!(
                "update {first}..={seq} again (at {})",
                self.last_seq
            ));
            return Ok(());
        }
        if first > due {
            self.violations.push(format!(
                "update {first}..={seq} arrived while {due} was due"
            ));
            return Err(Gap);
        }
        for change in changes {
            self.change(change);
        }
        self.updates += seq + 1 - first;
        self.last_seq = seq;
        Ok(())
    }

    fn change(&mut self, change: ViewChange) {
        match change {
            ViewChange::Poll { poll } => {
                self.polls.insert(poll.id.clone(), poll);
            }
            ViewChange::PollRemoved { poll } => {
                self.polls.remove(&poll);
            }
            ViewChange::PollProgress { progress } => {
                if let Some(view) = self.polls.get_mut(&progress.poll) {
                    view.status = progress.status;
                    view.round = progress.round;
                    view.progress = progress.progress;
                    view.results = progress.results;
                }
            }
            ViewChange::MySeats { poll, my_seats, .. } => {
                if let Some(view) = self.polls.get_mut(&poll) {
                    view.my_seats = my_seats;
                }
            }
            ViewChange::SeatVoted {
                poll,
                round,
                seat,
                cast_by,
                answers,
            } => {
                if let Some(view) = self.polls.get_mut(&poll)
                    && view.round == round
                {
                    let voters = view.voters.get_or_insert_with(Vec::new);
                    voters.retain(|vote| vote.seat != seat);
                    voters.push(SeatVote {
                        seat,
                        cast_by,
                        answers,
                    });
                }
            }
            _ => {}
        }
    }
}

fn polls_of(polls: Vec<PollView>) -> BTreeMap<PollId, PollView> {
    polls
        .into_iter()
        .map(|poll| (poll.id.clone(), poll))
        .collect()
}

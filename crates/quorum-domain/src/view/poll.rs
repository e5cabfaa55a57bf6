//! What a viewer sees of a poll: always its progress ("N of M have voted"); its results
//! when the poll's visibility allows; who voted how only for named polls.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{MemberId, PollId};
use crate::meeting::Meeting;
use crate::poll::question::Selection;
use crate::poll::receipt::Receipt;
use crate::poll::tally::Tally;
use crate::poll::verdict::{Bases, Verdict};
use crate::poll::{BallotBox, Opening, Poll, PollSpec, PollStatus, ResultsVisibility};
use crate::time::Timestamp;
use crate::view::{Audience, Lens};

/// A poll as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PollView {
    /// The poll.
    pub id: PollId,
    /// What it asks and how it decides.
    pub spec: PollSpec,
    /// Where the current round is.
    pub status: PollStatus,
    /// The current round.
    pub round: u32,
    /// When it closes by itself.
    pub deadline: Option<Timestamp>,
    /// How the round was opened.
    pub opening: Option<Opening>,
    /// When the round closed.
    pub closed_at: Option<Timestamp>,
    /// How many seats have voted.
    pub progress: Progress,
    /// The results, if this viewer may see them now.
    pub results: Option<ResultsView>,
    /// Named polls: who voted (the chair's console live; everyone with the results),
    /// and how (with the results).
    pub voters: Option<Vec<SeatVote>>,
    /// The seats this viewer votes for, and whether each has voted.
    pub my_seats: Vec<MySeat>,
    /// Once published: every receipt accepted, so each voter can find theirs.
    pub receipts: Option<Vec<ReceiptEntry>>,
    /// Earlier rounds.
    pub past_rounds: Vec<RoundView>,
}

/// "N of M have voted".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Progress {
    /// Seats that have voted.
    pub voted: u32,
    /// Seats entitled to vote.
    pub entitled: u32,
}

/// Results as shown: live (provisional) or final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResultsView {
    /// The tally.
    pub tally: Tally,
    /// The bases of members used for the verdicts.
    pub bases: Bases,
    /// One verdict per question.
    pub verdicts: Vec<Verdict>,
    /// Counted at close (true) or live (false).
    pub r#final: bool,
}

/// One seat's vote in a named poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeatVote {
    /// The seat.
    pub seat: MemberId,
    /// Who cast it (the seat, or its proxy holder).
    pub cast_by: MemberId,
    /// The answers, when results are visible.
    pub answers: Option<Vec<Selection>>,
}

/// A seat the viewer votes for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MySeat {
    /// The seat: the viewer's own, or one whose proxy they hold.
    pub seat: MemberId,
    /// Whether it has voted in this round.
    pub voted: bool,
    /// Its receipt (named polls; for secret polls only the device that voted knows it).
    pub receipt: Option<Receipt>,
}

/// A receipt in the published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReceiptEntry {
    /// The receipt.
    pub receipt: Receipt,
    /// False if a later ballot of the same seat replaced it.
    pub counted: bool,
}

/// An earlier round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoundView {
    /// The round.
    pub round: u32,
    /// What it asked.
    pub spec: PollSpec,
    /// Where it stood when it ended (open or paused: voided).
    pub ended_as: PollStatus,
    /// Its results, if this viewer may see them.
    pub results: Option<ResultsView>,
    /// How many seats voted.
    pub progress: Progress,
}

/// The live part of a poll, sent after every ballot: coalescible (the latest wins), and
/// the same for every viewer of an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PollProgress {
    /// The poll.
    pub poll: PollId,
    /// The round.
    pub round: u32,
    /// Where the round is.
    pub status: PollStatus,
    /// How many seats have voted.
    pub progress: Progress,
    /// Results, if visible.
    pub results: Option<ResultsView>,
}

/// Whether `audience` may see the results of a round that stands at `status`.
pub(crate) fn results_visible(
    visibility: ResultsVisibility,
    status: PollStatus,
    audience: Audience,
) -> bool {
    let keeper = audience == Audience::Keeper;
    match status {
        PollStatus::Draft => false,
        PollStatus::Published => true,
        PollStatus::Closed => keeper || visibility == ResultsVisibility::LiveToAll,
        PollStatus::Open | PollStatus::Paused => match visibility {
            ResultsVisibility::LiveToAll => true,
            ResultsVisibility::LiveToChair => keeper,
            ResultsVisibility::AfterClose => false,
        },
    }
}

impl Meeting {
    /// The poll as the viewer sees it; `None` if it is a draft the viewer may not see.
    pub(crate) fn poll_view(&self, lens: Lens<'_>, poll: &Poll) -> Option<PollView> {
        if !lens.is_keeper() && !poll.has_run() {
            return None;
        }
        let results = self.results_view(lens, poll);
        let named_voters_visible = !poll.spec.secret && (lens.is_keeper() || results.is_some());
        let voters = named_voters_visible.then(|| {
            poll.ballots
                .voters
                .iter()
                .map(|(seat, voter)| SeatVote {
                    seat: seat.clone(),
                    cast_by: voter.cast_by.clone(),
                    answers: results
                        .as_ref()
                        .and_then(|_| named_answers(&poll.ballots, seat)),
                })
                .collect()
        });
        let receipts = (poll.status == PollStatus::Published).then(|| receipt_list(&poll.ballots));
        Some(PollView {
            id: poll.id.clone(),
            spec: poll.spec.clone(),
            status: poll.status,
            round: poll.round,
            deadline: poll.deadline,
            opening: poll.opening.clone(),
            closed_at: poll.closing.as_ref().map(|(at, _)| *at),
            progress: self.progress(&poll.spec, &poll.ballots),
            results,
            voters,
            my_seats: self.my_seats(lens, poll),
            receipts,
            past_rounds: poll
                .past_rounds
                .iter()
                .map(|past| RoundView {
                    round: past.round,
                    spec: past.spec.clone(),
                    ended_as: past.ended_as,
                    results: results_visible(past.spec.visibility, past.ended_as, lens.audience)
                        .then(|| ResultsView {
                            tally: past.tally.clone(),
                            bases: past.result.as_ref().map(|r| r.bases).unwrap_or_default(),
                            verdicts: past
                                .result
                                .as_ref()
                                .map(|r| r.verdicts.clone())
                                .unwrap_or_default(),
                            r#final: past.result.is_some(),
                        }),
                    progress: Progress {
                        voted: count(past.ballots.voters.len()),
                        entitled: count(self.entitled_seats(&past.spec).count()),
                    },
                })
                .collect(),
        })
    }

    /// The live part of a poll, for a change after a ballot or a presence change.
    /// The parts of a poll's progress that are the same for a whole audience: the
    /// counts and the results it may see (each a pass over the participants).
    pub(crate) fn poll_counts(
        &self,
        lens: Lens<'_>,
        poll: &Poll,
    ) -> (Progress, Option<ResultsView>) {
        (
            self.progress(&poll.spec, &poll.ballots),
            self.results_view(lens, poll),
        )
    }

    /// A poll's progress for `lens`, from its audience's [`Meeting::poll_counts`].
    pub(crate) fn poll_progress_from(
        &self,
        lens: Lens<'_>,
        poll: &Poll,
        progress: Progress,
        results: Option<ResultsView>,
    ) -> Option<PollProgress> {
        if !lens.is_keeper() && !poll.has_run() {
            return None;
        }
        Some(PollProgress {
            poll: poll.id.clone(),
            round: poll.round,
            status: poll.status,
            progress,
            results,
        })
    }

    fn results_view(&self, lens: Lens<'_>, poll: &Poll) -> Option<ResultsView> {
        if !results_visible(poll.spec.visibility, poll.status, lens.audience) {
            return None;
        }
        Some(match &poll.result {
            Some(result) => ResultsView {
                tally: result.tally.clone(),
                bases: result.bases,
                verdicts: result.verdicts.clone(),
                r#final: true,
            },
            None => {
                let bases = self.bases(&poll.spec);
                ResultsView {
                    tally: poll.tally.clone(),
                    bases,
                    verdicts: poll.verdicts(&bases),
                    r#final: false,
                }
            }
        })
    }

    fn progress(&self, spec: &PollSpec, ballots: &BallotBox) -> Progress {
        Progress {
            voted: count(ballots.voters.len()),
            entitled: count(self.entitled_seats(spec).count()),
        }
    }

    /// The viewer's own seat (if entitled) and the seats whose proxy they hold.
    pub(crate) fn my_seats(&self, lens: Lens<'_>, poll: &Poll) -> Vec<MySeat> {
        let Some(member) = lens.member else {
            return Vec::new();
        };
        let held = self
            .proxies
            .iter()
            .filter(|(_, holder)| *holder == member)
            .map(|(seat, _)| seat);
        std::iter::once(member)
            .chain(held)
            .filter_map(|seat| self.participants.get(seat))
            .filter(|seat| crate::meeting::voting::entitled(seat, &poll.spec))
            .map(|seat| {
                let voter = poll.ballots.voters.get(seat.member());
                MySeat {
                    seat: seat.member().clone(),
                    voted: voter.is_some(),
                    receipt: voter.and_then(|voter| voter.receipt.clone()),
                }
            })
            .collect()
    }
}

/// A named seat's counted answers.
fn named_answers(ballots: &BallotBox, seat: &MemberId) -> Option<Vec<Selection>> {
    let receipt = ballots.voters.get(seat)?.receipt.as_ref()?;
    let ballot = ballots.ballots.get(receipt)?;
    Some(ballot.answers.clone())
}

fn receipt_list(ballots: &BallotBox) -> Vec<ReceiptEntry> {
    ballots
        .ballots
        .iter()
        .map(|(receipt, ballot)| ReceiptEntry {
            receipt: receipt.clone(),
            counted: !ballot.superseded,
        })
        .collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

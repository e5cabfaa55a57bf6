//! Polls: what is asked, who may answer, how results are shown and decided, and the
//! ballot box of the current round with the rounds before it.

pub mod question;
pub mod receipt;
pub mod tally;
pub mod verdict;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{GroupId, ItemId, MemberId, PollId};
use crate::meeting::quorum::QuorumState;
use crate::policy::Actor;
use crate::rejection::Rejection;
use crate::rules::MajorityRule;
use crate::text;
use crate::time::Timestamp;
use question::{Question, Selection};
use receipt::Receipt;
use tally::Tally;
use verdict::{Bases, Verdict};

/// Most polls per meeting.
pub const MAX_POLLS: usize = 1_000;

/// Who sees a poll's results, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultsVisibility {
    /// Everyone sees the tally live while the poll is open.
    LiveToAll,
    /// The chair's console (chair and secretary) sees it live; others once published.
    LiveToChair,
    /// Nobody sees it while open; the chair's console once closed, others once published.
    AfterClose,
}

/// Who may vote, beyond holding a voting right.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Eligibility {
    /// Only seats checked in (or represented by a checked-in proxy holder) may vote.
    pub present_only: bool,
    /// If not empty, only members of at least one of these groups may vote.
    pub groups: Vec<GroupId>,
}

/// Everything a poll is, as the secretary or chair defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PollSpec {
    /// The motion or election, as shown on every screen.
    pub title: String,
    /// The agenda item the poll belongs to.
    pub item: Option<ItemId>,
    /// The questions every ballot answers (one for most polls).
    pub questions: Vec<Question>,
    /// Bỏ phiếu kín: nothing pairs a voter with a choice.
    pub secret: bool,
    /// Voters may change their ballot while the poll is open; the last one counts.
    pub vote_change: bool,
    /// Who sees results, and when.
    pub visibility: ResultsVisibility,
    /// Who may vote.
    pub eligibility: Eligibility,
    /// How the verdict is decided.
    pub majority: MajorityRule,
}

impl PollSpec {
    /// Checks the spec on its own (references to items and groups are checked by the
    /// meeting).
    pub fn validate(&self) -> Result<(), Rejection> {
        text::required_line("title", &self.title, text::NAME_MAX)?;
        question::validate_questions(&self.questions)?;
        self.majority.validate()?;
        if self.eligibility.groups.len() > 1_000 {
            return Err(Rejection::invalid("eligibility.groups", "too many groups"));
        }
        Ok(())
    }
}

/// Where a poll is in its life: draft → open ⇄ paused → closed → published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Being prepared; can be edited.
    Draft,
    /// Accepting ballots.
    Open,
    /// Temporarily not accepting ballots.
    Paused,
    /// Counted; results known to the chair's console.
    Closed,
    /// Results announced to everyone.
    Published,
}

impl PollStatus {
    /// Whether ballots are being collected (open or paused).
    pub fn is_running(self) -> bool {
        matches!(self, PollStatus::Open | PollStatus::Paused)
    }

    /// Whether the round has been counted.
    pub fn is_counted(self) -> bool {
        matches!(self, PollStatus::Closed | PollStatus::Published)
    }
}

/// How a round was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Opening {
    /// When.
    pub at: Timestamp,
    /// By whom.
    pub by: Actor,
    /// The quorum at that moment.
    pub quorum: QuorumState,
    /// The chair opened it without a quorum (recorded in the minutes).
    pub quorum_overridden: bool,
}

/// The counted result of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PollResult {
    /// The final tally.
    pub tally: Tally,
    /// The bases of members when the round closed.
    pub bases: Bases,
    /// One verdict per question.
    pub verdicts: Vec<Verdict>,
}

/// One ballot in the box. For a secret poll it carries no seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StoredBallot {
    /// The answers, one per question, canonical.
    pub answers: Vec<Selection>,
    /// The seat's weight when cast.
    pub weight: u32,
    /// The seat (named polls only).
    pub seat: Option<MemberId>,
    /// Secret polls only: the seat tag ([`Receipt::seat_tag`]), which ties the ballot
    /// to its seat for whoever knows the ballot id, and for nobody else.
    pub seat_tag: Option<Receipt>,
    /// Replaced by a later ballot of the same seat; no longer counted.
    pub superseded: bool,
}

/// A seat that has voted in the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Voter {
    /// Who cast the ballot: the seat itself or its proxy holder.
    pub cast_by: MemberId,
    /// The seat's current ballot (named polls only).
    pub receipt: Option<Receipt>,
}

/// The ballots of one round. Who voted and what was chosen are kept apart: a secret
/// poll's ballots carry no seat and its voters carry no receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BallotBox {
    /// The seats that have voted.
    pub voters: BTreeMap<MemberId, Voter>,
    /// Every accepted ballot by receipt, including superseded ones.
    pub ballots: BTreeMap<Receipt, StoredBallot>,
}

impl BallotBox {
    /// The ballots that count: each seat's latest.
    pub fn counted(&self) -> impl Iterator<Item = (&Receipt, &StoredBallot)> {
        self.ballots.iter().filter(|(_, ballot)| !ballot.superseded)
    }
}

/// The receipts counted in one closed round of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoundReceipts {
    /// The round.
    pub round: u32,
    /// The receipts of its counted ballots, sorted.
    pub receipts: Vec<Receipt>,
}

impl RoundReceipts {
    fn of(round: u32, ballots: &BallotBox) -> RoundReceipts {
        // The box is keyed by receipt, so this is already sorted, never in arrival order.
        let receipts = ballots
            .counted()
            .map(|(receipt, _)| receipt.clone())
            .collect();
        RoundReceipts { round, receipts }
    }
}

/// A round that ended by a revote, kept in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PastRound {
    /// The round number, from 1.
    pub round: u32,
    /// What the round asked (a revote may narrow the candidates).
    pub spec: PollSpec,
    /// Where the round stood when it ended: closed or published, or open or paused if
    /// it was voided.
    pub ended_as: PollStatus,
    /// How it was opened, if it was.
    pub opening: Option<Opening>,
    /// Its result, if it was closed before the revote; `None`: voided while running.
    pub result: Option<PollResult>,
    /// Its tally when it ended.
    pub tally: Tally,
    /// Its ballots.
    pub ballots: BallotBox,
}

/// A poll and its rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Poll {
    /// The poll.
    pub id: PollId,
    /// What it asks and how it decides.
    pub spec: PollSpec,
    /// Where the current round is in its life.
    pub status: PollStatus,
    /// The current round, from 1.
    pub round: u32,
    /// When the current round closes by itself.
    pub deadline: Option<Timestamp>,
    /// How the current round was opened.
    pub opening: Option<Opening>,
    /// When the current round was closed, and by whom.
    pub closing: Option<(Timestamp, Actor)>,
    /// The current round's ballots.
    pub ballots: BallotBox,
    /// The current round's live tally.
    pub tally: Tally,
    /// The current round's result, once closed.
    pub result: Option<PollResult>,
    /// Earlier rounds, oldest first.
    pub past_rounds: Vec<PastRound>,
}

impl Poll {
    /// A new draft.
    pub fn new(id: PollId, spec: PollSpec) -> Poll {
        let tally = Tally::new(&spec.questions);
        Poll {
            id,
            spec,
            status: PollStatus::Draft,
            round: 1,
            deadline: None,
            opening: None,
            closing: None,
            ballots: BallotBox::default(),
            tally,
            result: None,
            past_rounds: Vec::new(),
        }
    }

    /// Whether any round of it has been opened: a poll that never ran is a draft only
    /// its keepers see.
    pub fn has_run(&self) -> bool {
        self.status != PollStatus::Draft || !self.past_rounds.is_empty()
    }

    /// The verdicts of the current tally against `bases`.
    pub fn verdicts(&self, bases: &Bases) -> Vec<Verdict> {
        self.verdicts_of(&self.tally, bases)
    }

    /// The verdicts that `tally`, a tally of this poll, gives against `bases`.
    pub fn verdicts_of(&self, tally: &Tally, bases: &Bases) -> Vec<Verdict> {
        self.spec
            .questions
            .iter()
            .zip(&tally.questions)
            .map(|(question, counts)| {
                verdict::decide_question(
                    question,
                    counts,
                    tally.ballots,
                    bases,
                    &self.spec.majority,
                )
            })
            .collect()
    }

    /// The receipts of the ballots counted in each round that was closed and counted,
    /// sorted by receipt rather than by arrival: the list a voter checks their receipt
    /// against. It carries no seat and no choice, so it is the same for a secret poll.
    pub fn counted_receipts(&self) -> Vec<RoundReceipts> {
        let mut rounds: Vec<RoundReceipts> = self
            .past_rounds
            .iter()
            .filter(|past| past.result.is_some())
            .map(|past| RoundReceipts::of(past.round, &past.ballots))
            .collect();
        if matches!(self.status, PollStatus::Closed | PollStatus::Published) {
            rounds.push(RoundReceipts::of(self.round, &self.ballots));
        }
        rounds
    }

    /// The tally recomputed from the ballots, to check the running one.
    pub fn recount(&self) -> Tally {
        Tally::recount(
            &self.spec.questions,
            self.ballots
                .counted()
                .map(|(_, ballot)| (ballot.answers.as_slice(), ballot.weight)),
        )
    }

    /// Archives the current round and starts the next one as a draft.
    pub(crate) fn start_next_round(&mut self) {
        let tally = std::mem::replace(&mut self.tally, Tally::new(&self.spec.questions));
        self.past_rounds.push(PastRound {
            round: self.round,
            spec: self.spec.clone(),
            ended_as: self.status,
            opening: self.opening.take(),
            result: self.result.take(),
            tally,
            ballots: std::mem::take(&mut self.ballots),
        });
        self.round = self.round.saturating_add(1);
        self.status = PollStatus::Draft;
        self.deadline = None;
        self.closing = None;
    }
}

//! What a fault test's clients did, and the checker that holds it against the final
//! state: every ballot sent (who sent it, for which seat, with which choice, when, and
//! what became of it: acknowledged with a receipt, refused for certain, or unknown)
//! against the published poll's voters, tally and receipts.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::Selection;
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::view::PollView;
use quorum_domain::{BallotId, MemberId, RejectionCode};

use super::device::Answer;

/// One ballot a client sent, and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// The client (device or worker) that sent it.
    pub(crate) client: usize,
    pub(crate) seat: MemberId,
    pub(crate) ballot: BallotId,
    /// The option chosen on the poll's one question.
    pub(crate) choice: u16,
    /// When it was first sent, from the start of the run.
    pub(crate) sent_at: Duration,
    pub(crate) result: Outcome,
    /// How many times it was sent (again after reconnects and retryable refusals).
    pub(crate) sends: u32,
    /// What the same ballot got when its client sent it again later, each time over a
    /// new connection, as a device does that never saw the answer (D4).
    pub(crate) echoes: Vec<Outcome>,
}

impl Operation {
    /// The operation, for a violation's message.
    fn describe(&self) -> String {
        format!(
            "{}'s ballot {} (choice {}, client {}, sent at {:.3?}, {} sends, {:?})",
            self.seat, self.ballot, self.choice, self.client, self.sent_at, self.sends, self.result
        )
    }
}

/// What became of a ballot, as its client knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Acknowledged: it must be counted, once, with this receipt.
    Ok(Receipt),
    /// Refused: it must not be counted.
    Refused(RejectionCode),
    /// Never sent (no hub reached): it must not be counted.
    NotSent(String),
    /// Sent, never answered: it may or may not be counted.
    Unknown(String),
}

impl Outcome {
    /// The outcome of a device's final answer to a ballot.
    pub(crate) fn of(answer: &Answer) -> Outcome {
        match answer {
            Answer::Acked {
                receipt: Some(receipt),
                ..
            } => Outcome::Ok(receipt.clone()),
            Answer::Acked { receipt: None, .. } => {
                Outcome::Unknown("acked without a receipt".into())
            }
            Answer::Rejected { code, .. } => Outcome::Refused(*code),
            Answer::Failed(why) => Outcome::Unknown(why.clone()),
        }
    }
}

/// The checker's findings.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    pub(crate) ok: usize,
    pub(crate) failed: usize,
    pub(crate) unknown: usize,
    /// Unknown ballots the poll counted (allowed: the hub may have committed one whose
    /// answer was lost).
    pub(crate) unknown_counted: usize,
    pub(crate) counted: usize,
    /// Ballots by how many times they were sent.
    pub(crate) sends: BTreeMap<u32, usize>,
    /// Answers to ballots sent again after their first answer.
    pub(crate) echoes: usize,
    pub(crate) violations: Vec<String>,
}

impl Verdict {
    /// One line of figures for the report.
    pub(crate) fn summary(&self) -> String {
        format!(
            "history: {} ok, {} failed, {} unknown ({} of them counted); counted {}; sends per ballot {:?}; {} answers to ballots sent again",
            self.ok,
            self.failed,
            self.unknown,
            self.unknown_counted,
            self.counted,
            self.sends,
            self.echoes
        )
    }
}

/// Holds the history against a closed named poll as the chair sees it: no acknowledged
/// ballot lost or counted with another choice, no seat counted twice, nothing counted
/// that nobody sent or that was refused, the tally equal to a recount of the listed
/// votes, and, once the poll is published, exactly the counted ballots' receipts listed,
/// every acknowledged receipt among them.
pub(crate) fn check(history: &[Operation], poll: &PollView) -> Verdict {
    let mut verdict = Verdict::default();
    let mut sent: BTreeMap<&MemberId, Vec<&Operation>> = BTreeMap::new();
    for operation in history {
        sent.entry(&operation.seat).or_default().push(operation);
        *verdict.sends.entry(operation.sends).or_default() += 1;
        verdict.echoes += operation.echoes.len();
        match operation.result {
            Outcome::Ok(_) => verdict.ok += 1,
            Outcome::Refused(_) | Outcome::NotSent(_) => verdict.failed += 1,
            Outcome::Unknown(_) => verdict.unknown += 1,
        }
    }
    let mut violations = Vec::new();
    for operation in history {
        echoes(operation, &mut violations);
    }
    if !matches!(poll.status, PollStatus::Closed | PollStatus::Published) {
        violations.push(format!("the poll is {:?}, not closed", poll.status));
    }
    let Some(voters) = poll.voters.as_ref() else {
        violations.push("the poll lists no voters (a named poll, read by the chair)".into());
        verdict.violations = violations;
        return verdict;
    };
    let mut counted: BTreeMap<&MemberId, Option<&Vec<Selection>>> = BTreeMap::new();
    for vote in voters {
        if counted.insert(&vote.seat, vote.answers.as_ref()).is_some() {
            violations.push(format!("{} counted twice", vote.seat));
        }
    }
    verdict.counted = counted.len();
    for (seat, answers) in &counted {
        let Some(operations) = sent.get(seat) else {
            violations.push(format!(
                "{seat} counted, but no client sent a ballot for it"
            ));
            continue;
        };
        let chosen = |operation: &&&Operation| {
            answers.is_some_and(|answers| *answers == vec![Selection::one(operation.choice)])
        };
        let Some(matching) = operations.iter().find(chosen) else {
            violations.push(format!(
                "{seat} counted with {answers:?}, which no client sent"
            ));
            continue;
        };
        match &matching.result {
            Outcome::Refused(code) => {
                violations.push(format!("{seat}'s ballot was refused ({code}) yet counted"));
            }
            Outcome::NotSent(_) => {
                violations.push(format!("{seat}'s ballot was never sent, yet counted"));
            }
            Outcome::Unknown(_) => verdict.unknown_counted += 1,
            Outcome::Ok(_) => {}
        }
    }
    // Receipts are listed once the poll is published.
    let receipts_listed = poll.status == PollStatus::Published;
    let published: BTreeSet<&Receipt> = poll
        .receipts
        .iter()
        .flatten()
        .filter(|entry| entry.counted)
        .map(|entry| &entry.receipt)
        .collect();
    for operation in history {
        let Outcome::Ok(receipt) = &operation.result else {
            continue;
        };
        let seat = &operation.seat;
        match counted.get(seat) {
            None => violations.push(format!("{} was lost", operation.describe())),
            Some(answers) if *answers != Some(&vec![Selection::one(operation.choice)]) => {
                violations.push(format!(
                    "{} was counted as {answers:?}",
                    operation.describe()
                ));
            }
            Some(_) => {}
        }
        if receipts_listed && !published.contains(receipt) {
            violations.push(format!(
                "{}: its receipt is not in the published list",
                operation.describe()
            ));
        }
    }
    if receipts_listed && published.len() != counted.len() {
        violations.push(format!(
            "{} receipts published for {} counted ballots",
            published.len(),
            counted.len()
        ));
    }
    recount(poll, &counted, &mut violations);
    verdict.violations = violations;
    verdict
}

/// A ballot sent again gets the answer it got the first time, with the same receipt
/// (never `already_voted`); one whose first answer was lost gets one answer throughout.
fn echoes(operation: &Operation, violations: &mut Vec<String>) {
    let first = match &operation.result {
        Outcome::Unknown(_) | Outcome::NotSent(_) => operation.echoes.first(),
        settled => Some(settled),
    };
    for echo in &operation.echoes {
        if Some(echo) != first {
            violations.push(format!(
                "{}: sent again, it got {echo:?}",
                operation.describe()
            ));
        }
    }
}

/// The announced tally equals a recount of the listed votes (one question).
fn recount(
    poll: &PollView,
    counted: &BTreeMap<&MemberId, Option<&Vec<Selection>>>,
    violations: &mut Vec<String>,
) {
    let Some(results) = poll.results.as_ref() else {
        violations.push("the closed poll shows no results to the chair".into());
        return;
    };
    if results.tally.ballots.ballots != u64::try_from(counted.len()).unwrap() {
        violations.push(format!(
            "the tally counts {} ballots, the poll lists {} voters",
            results.tally.ballots.ballots,
            counted.len()
        ));
    }
    for (index, option) in results.tally.questions[0].options.iter().enumerate() {
        let choice = u16::try_from(index).unwrap();
        let listed = counted
            .values()
            .filter(|answers| **answers == Some(&vec![Selection::one(choice)]))
            .count();
        if option.ballots != u64::try_from(listed).unwrap() {
            violations.push(format!(
                "option {index}: tallied {}, listed {listed}",
                option.ballots
            ));
        }
    }
}

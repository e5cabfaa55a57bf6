//! Verdicts: a majority rule applied to a question's tally ("Thông qua / Không thông
//! qua"), for motions, one-of-N choices and elections with seats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::poll::question::{ABSTAIN, NO, Question, QuestionKind, YES};
use crate::poll::tally::{Count, QuestionTally};
use crate::rules::{Abstentions, MajorityBase, MajorityRule};

/// The bases of members a rule may be measured against, frozen when a poll closes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Bases {
    /// Weight of the entitled seats present (per the meeting's presence rule).
    pub present: u64,
    /// Weight of every entitled seat.
    pub members: u64,
}

/// The outcome of one question under the poll's majority rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Verdict {
    /// Thông qua: the motion reached the threshold.
    Passed,
    /// Không thông qua: it did not (or, for a choice, no option did).
    NotPassed,
    /// Yes and no are equal (a motion), or several options share the top count at or
    /// above the threshold (a choice): nothing passed.
    Tie,
    /// One option of a one-of-N question reached the threshold.
    Chosen {
        /// The option's index.
        option: u16,
    },
    /// The options elected in a selection or election.
    Elected {
        /// The options elected, highest first.
        elected: Vec<u16>,
        /// Options tied for the last seats, which go to another round.
        tied: Vec<u16>,
    },
}

/// The verdict of one question, given the ballots counted in the poll (every ballot
/// answers every question).
pub fn decide_question(
    question: &Question,
    tally: &QuestionTally,
    ballots: Count,
    bases: &Bases,
    rule: &MajorityRule,
) -> Verdict {
    let weight = |index: u16| {
        tally
            .options
            .get(usize::from(index))
            .map_or(0, |count| count.weight)
    };
    match &question.kind {
        QuestionKind::YesNoAbstain | QuestionKind::YesNo => {
            let (yes, no, abstain) = (weight(YES), weight(NO), weight(ABSTAIN));
            let cast = match rule.abstentions {
                Abstentions::Excluded => yes.saturating_add(no),
                Abstentions::Counted => yes.saturating_add(no).saturating_add(abstain),
            };
            let base = base_value(rule, cast, bases);
            if rule.threshold.is_met(yes, base) {
                Verdict::Passed
            } else if yes == no && yes > 0 {
                Verdict::Tie
            } else {
                Verdict::NotPassed
            }
        }
        QuestionKind::OneOf { .. } => {
            let base = base_value(rule, ballots.weight, bases);
            let passing = passing_options(tally, rule, base);
            match passing.as_slice() {
                [] => Verdict::NotPassed,
                [(option, _)] => Verdict::Chosen { option: *option },
                [(first, top), (_, second), ..] if top > second => {
                    Verdict::Chosen { option: *first }
                }
                _ => Verdict::Tie,
            }
        }
        QuestionKind::Select { seats, .. } => {
            // Blank ballots are the abstentions of a selection.
            let cast = match rule.abstentions {
                Abstentions::Excluded => ballots.weight.saturating_sub(tally.blank.weight),
                Abstentions::Counted => ballots.weight,
            };
            let base = base_value(rule, cast, bases);
            let passing = passing_options(tally, rule, base);
            elect(&passing, seats.map(usize::from))
        }
    }
}

/// The base a rule measures against, given the votes cast on the question.
fn base_value(rule: &MajorityRule, cast: u64, bases: &Bases) -> u64 {
    match rule.base {
        MajorityBase::VotesCast => cast,
        MajorityBase::MembersPresent => bases.present,
        MajorityBase::AllMembers => bases.members,
        MajorityBase::Stated { members } => members,
    }
}

/// Options at or above the threshold, highest weight first (ties by ballot order).
fn passing_options(tally: &QuestionTally, rule: &MajorityRule, base: u64) -> Vec<(u16, u64)> {
    let mut passing: Vec<(u16, u64)> = tally
        .options
        .iter()
        .enumerate()
        .filter(|(_, count)| rule.threshold.is_met(count.weight, base))
        .filter_map(|(index, count)| Some((u16::try_from(index).ok()?, count.weight)))
        .collect();
    passing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    passing
}

/// Fills `seats` from the passing options, highest first; a tie across the last seat
/// is left for another round.
fn elect(passing: &[(u16, u64)], seats: Option<usize>) -> Verdict {
    let options = |list: &[(u16, u64)]| list.iter().map(|(option, _)| *option).collect();
    let Some(seats) = seats.filter(|&seats| passing.len() > seats) else {
        return Verdict::Elected {
            elected: options(passing),
            tied: Vec::new(),
        };
    };
    // The weight at the last seat: options above it are elected outright, options at
    // it are elected only if they all fit.
    let last = passing
        .get(seats.saturating_sub(1))
        .map_or(0, |(_, weight)| *weight);
    let above = passing
        .iter()
        .take_while(|(_, weight)| *weight > last)
        .count();
    let through_last = passing
        .iter()
        .take_while(|(_, weight)| *weight >= last)
        .count();
    let (elected, tied) = if through_last <= seats {
        (passing.get(..through_last), None)
    } else {
        (passing.get(..above), passing.get(above..through_last))
    };
    Verdict::Elected {
        elected: elected.map(options).unwrap_or_default(),
        tied: tied.map(options).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(counts: &[u64]) -> Vec<(u16, u64)> {
        counts
            .iter()
            .enumerate()
            .map(|(i, w)| (u16::try_from(i).unwrap(), *w))
            .collect()
    }

    #[test]
    fn a_tie_across_the_last_seat_goes_to_another_round() {
        let verdict = elect(&weights(&[9, 8, 8, 5]), Some(2));
        assert_eq!(
            verdict,
            Verdict::Elected {
                elected: vec![0],
                tied: vec![1, 2]
            }
        );
    }

    #[test]
    fn the_highest_fill_the_seats() {
        let verdict = elect(&weights(&[9, 8, 7, 6]), Some(3));
        assert_eq!(
            verdict,
            Verdict::Elected {
                elected: vec![0, 1, 2],
                tied: vec![]
            }
        );
        let everyone = elect(&weights(&[9, 8]), Some(3));
        assert_eq!(
            everyone,
            Verdict::Elected {
                elected: vec![0, 1],
                tied: vec![]
            }
        );
    }
}

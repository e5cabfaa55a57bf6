//! Counting: a tally kept up to date ballot by ballot, which can always be recomputed
//! from the ballots themselves.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::poll::question::{Question, Selection};

/// A number of ballots and the weight they carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Count {
    /// How many ballots.
    pub ballots: u64,
    /// Their summed weight (equal to `ballots` when every weight is 1).
    pub weight: u64,
}

impl Count {
    fn add(&mut self, weight: u32) {
        self.ballots = self.ballots.saturating_add(1);
        self.weight = self.weight.saturating_add(u64::from(weight));
    }

    fn remove(&mut self, weight: u32) {
        self.ballots = self.ballots.saturating_sub(1);
        self.weight = self.weight.saturating_sub(u64::from(weight));
    }
}

/// The count of one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuestionTally {
    /// Per option, in option order.
    pub options: Vec<Count>,
    /// Ballots that chose no option (possible only where a question allows it).
    pub blank: Count,
}

/// The count of a poll round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Ballots counted (each seat's latest ballot).
    pub ballots: Count,
    /// Per question, in question order.
    pub questions: Vec<QuestionTally>,
}

impl Tally {
    /// An empty tally for these questions.
    pub fn new(questions: &[Question]) -> Tally {
        Tally {
            ballots: Count::default(),
            questions: questions
                .iter()
                .map(|question| QuestionTally {
                    options: vec![Count::default(); question.option_count()],
                    blank: Count::default(),
                })
                .collect(),
        }
    }

    /// Recounts from scratch.
    pub fn recount<'a>(
        questions: &[Question],
        ballots: impl IntoIterator<Item = (&'a [Selection], u32)>,
    ) -> Tally {
        let mut tally = Tally::new(questions);
        for (answers, weight) in ballots {
            tally.add(answers, weight);
        }
        tally
    }

    /// Counts one ballot in.
    pub(crate) fn add(&mut self, answers: &[Selection], weight: u32) {
        self.ballots.add(weight);
        self.each_choice(answers, |count| count.add(weight));
    }

    /// Counts one (replaced) ballot out.
    pub(crate) fn remove(&mut self, answers: &[Selection], weight: u32) {
        self.ballots.remove(weight);
        self.each_choice(answers, |count| count.remove(weight));
    }

    fn each_choice(&mut self, answers: &[Selection], mut apply: impl FnMut(&mut Count)) {
        for (question, answer) in self.questions.iter_mut().zip(answers) {
            if answer.indices().is_empty() {
                apply(&mut question.blank);
            }
            for &index in answer.indices() {
                // Answers were checked against the questions before they were counted.
                if let Some(count) = question.options.get_mut(usize::from(index)) {
                    apply(count);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poll::question::{QuestionKind, YES};

    #[test]
    fn add_then_remove_restores_the_tally() {
        let questions = [Question {
            text: "q".into(),
            kind: QuestionKind::YesNoAbstain,
        }];
        let mut tally = Tally::new(&questions);
        tally.add(&[Selection::one(YES)], 3);
        tally.add(&[Selection::one(2)], 1);
        assert_eq!(
            tally.ballots,
            Count {
                ballots: 2,
                weight: 4
            }
        );
        assert_eq!(
            tally.questions[0].options[0],
            Count {
                ballots: 1,
                weight: 3
            }
        );
        tally.remove(&[Selection::one(YES)], 3);
        let recount = Tally::recount(&questions, [(&[Selection::one(2)][..], 1)]);
        assert_eq!(tally, recount);
    }
}

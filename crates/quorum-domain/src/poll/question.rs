//! Questions and answers. Every question offers a list of options and an answer is the
//! set of option indices chosen, so motions, choices, elections and confidence ratings
//! share one ballot shape.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rejection::{Rejection, RejectionCode};
use crate::text;

/// Most questions on one ballot (a confidence vote rates many officials at once).
pub const MAX_QUESTIONS: usize = 200;
/// Most options in one question.
pub const MAX_OPTIONS: usize = 500;

/// The option index of "Tán thành" (yes) in yes/no questions.
pub const YES: u16 = 0;
/// The option index of "Không tán thành" (no) in yes/no questions.
pub const NO: u16 = 1;
/// The option index of "Không biểu quyết" (abstain) in yes/no/abstain questions.
pub const ABSTAIN: u16 = 2;

/// One question of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    /// The question as shown to voters.
    pub text: String,
    /// What kind of answer it takes.
    pub kind: QuestionKind,
}

/// The kinds of question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Tán thành / Không tán thành / Không biểu quyết: options 0, 1, 2.
    YesNoAbstain,
    /// Tán thành / Không tán thành: options 0, 1.
    YesNo,
    /// Exactly one of the options.
    OneOf {
        /// The options, in ballot order.
        options: Vec<String>,
    },
    /// Between `min` and `max` of the options: k-of-N selections and elections.
    Select {
        /// The options (candidates), in ballot order.
        options: Vec<String>,
        /// Fewest options a ballot must choose (0 allows a blank ballot).
        min: u16,
        /// Most options a ballot may choose.
        max: u16,
        /// Seats to fill: if more options pass than seats, the highest win and a tie
        /// at the last seat goes to another round. `None`: every option that passes.
        seats: Option<u16>,
    },
}

impl Question {
    /// How many options the question offers.
    pub fn option_count(&self) -> usize {
        match &self.kind {
            QuestionKind::YesNoAbstain => 3,
            QuestionKind::YesNo => 2,
            QuestionKind::OneOf { options } | QuestionKind::Select { options, .. } => options.len(),
        }
    }

    /// Whether the question is a motion (yes/no, with or without abstain).
    pub fn is_motion(&self) -> bool {
        matches!(self.kind, QuestionKind::YesNoAbstain | QuestionKind::YesNo)
    }

    /// How many options an answer must and may choose.
    fn choice_bounds(&self) -> (usize, usize) {
        match &self.kind {
            QuestionKind::YesNoAbstain | QuestionKind::YesNo | QuestionKind::OneOf { .. } => (1, 1),
            QuestionKind::Select { min, max, .. } => (usize::from(*min), usize::from(*max)),
        }
    }

    /// Checks the question itself.
    pub fn validate(&self) -> Result<(), Rejection> {
        text::required_line("questions.text", &self.text, text::NAME_MAX * 4)?;
        match &self.kind {
            QuestionKind::YesNoAbstain | QuestionKind::YesNo => Ok(()),
            QuestionKind::OneOf { options } => validate_options(options),
            QuestionKind::Select {
                options,
                min,
                max,
                seats,
            } => {
                validate_options(options)?;
                if min > max {
                    return Err(Rejection::invalid("questions.min", "must not exceed max"));
                }
                if *max == 0 || usize::from(*max) > options.len() {
                    return Err(Rejection::invalid(
                        "questions.max",
                        "must be between 1 and the number of options",
                    ));
                }
                if let Some(seats) = seats
                    && (*seats == 0 || usize::from(*seats) > options.len())
                {
                    return Err(Rejection::invalid(
                        "questions.seats",
                        "must be between 1 and the number of options",
                    ));
                }
                Ok(())
            }
        }
    }

    /// Checks an answer and returns it in canonical (sorted) form.
    pub fn check(&self, selection: &Selection) -> Result<Selection, Rejection> {
        let mut chosen = selection.0.clone();
        chosen.sort_unstable();
        if chosen.windows(2).any(|pair| pair.first() == pair.get(1)) {
            return Err(RejectionCode::DuplicateChoice.into());
        }
        if chosen
            .iter()
            .any(|&index| usize::from(index) >= self.option_count())
        {
            return Err(RejectionCode::ChoiceOutOfRange.into());
        }
        let (min, max) = self.choice_bounds();
        if chosen.len() > max {
            return Err(RejectionCode::TooManyChoices.into());
        }
        if chosen.len() < min {
            return Err(RejectionCode::TooFewChoices.into());
        }
        Ok(Selection(chosen))
    }
}

fn validate_options(options: &[String]) -> Result<(), Rejection> {
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(Rejection::invalid(
            "questions.options",
            "a question needs between 2 and 500 options",
        ));
    }
    for option in options {
        text::required_line("questions.options", option, text::NAME_MAX)?;
    }
    Ok(())
}

/// Checks a poll's list of questions.
pub(crate) fn validate_questions(questions: &[Question]) -> Result<(), Rejection> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(Rejection::invalid(
            "questions",
            "a poll needs between 1 and 200 questions",
        ));
    }
    questions.iter().try_for_each(Question::validate)
}

/// Checks a ballot's answers against the questions; returns them in canonical form.
pub(crate) fn check_answers(
    questions: &[Question],
    answers: &[Selection],
) -> Result<Vec<Selection>, Rejection> {
    if answers.len() != questions.len() {
        return Err(RejectionCode::AnswerCountMismatch.into());
    }
    questions
        .iter()
        .zip(answers)
        .map(|(question, answer)| question.check(answer))
        .collect()
}

/// The options chosen in answer to one question, by index.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Selection(pub Vec<u16>);

impl Selection {
    /// A single choice.
    pub fn one(index: u16) -> Selection {
        Selection(vec![index])
    }

    /// The chosen indices.
    pub fn indices(&self) -> &[u16] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn election(min: u16, max: u16) -> Question {
        Question {
            text: "Bầu Ủy viên Ủy ban".into(),
            kind: QuestionKind::Select {
                options: vec!["A".into(), "B".into(), "C".into(), "D".into()],
                min,
                max,
                seats: Some(2),
            },
        }
    }

    #[test]
    fn answers_are_checked_and_canonicalised() {
        let question = election(0, 2);
        assert_eq!(
            question.check(&Selection(vec![3, 1])),
            Ok(Selection(vec![1, 3]))
        );
        assert_eq!(question.check(&Selection(vec![])), Ok(Selection(vec![])));
        let code = |s: Vec<u16>| question.check(&Selection(s)).map_err(|r| r.code);
        assert_eq!(code(vec![1, 1]), Err(RejectionCode::DuplicateChoice));
        assert_eq!(code(vec![4]), Err(RejectionCode::ChoiceOutOfRange));
        assert_eq!(code(vec![0, 1, 2]), Err(RejectionCode::TooManyChoices));
        let strict = election(1, 2);
        assert_eq!(
            strict.check(&Selection(vec![])).map_err(|r| r.code),
            Err(RejectionCode::TooFewChoices)
        );
    }

    #[test]
    fn motions_take_exactly_one_choice() {
        let motion = Question {
            text: "Thông qua nghị quyết".into(),
            kind: QuestionKind::YesNo,
        };
        assert!(motion.check(&Selection::one(YES)).is_ok());
        assert!(motion.check(&Selection::one(ABSTAIN)).is_err());
        assert!(motion.check(&Selection(vec![])).is_err());
    }

    #[test]
    fn malformed_questions_are_rejected() {
        assert!(election(3, 2).validate().is_err());
        assert!(election(0, 5).validate().is_err());
        assert!(election(0, 0).validate().is_err());
        let lonely = Question {
            text: "?".into(),
            kind: QuestionKind::OneOf {
                options: vec!["only".into()],
            },
        };
        assert!(lonely.validate().is_err());
    }
}

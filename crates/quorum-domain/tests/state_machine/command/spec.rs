//! Poll specs as a chair's console would send them: questions of every kind, majority
//! rules, eligibility and visibility, and now and then a malformed one.

use quorum_domain::ItemId;
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::{Abstentions, MajorityBase, MajorityRule, Ratio, Threshold};

use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::who::group;

/// A spec: one question or a few, mostly well formed; now and then without questions,
/// with a blank title, on an unknown item, or for a group nobody belongs to.
pub(super) fn poll_spec(model: &Model, dice: &mut Dice) -> PollSpec {
    let flaw = dice.roll(100);
    let count = if dice.chance(80) { 1 } else { 2 + dice.roll(2) };
    let mut questions: Vec<Question> = (0..count).map(|_| question(dice)).collect();
    if flaw < 2 {
        questions.clear();
    }
    let title = if (2..4).contains(&flaw) {
        "  ".to_owned()
    } else {
        "Biểu quyết thông qua Nghị quyết".to_owned()
    };
    let item = match dice.pick(&model.items) {
        Some(item) if dice.chance(30) => Some(item.clone()),
        _ if dice.chance(2) => Some(ItemId::new("i-none").unwrap()),
        _ => None,
    };
    let groups = match dice.roll(24) {
        0..=2 => vec![group("g1")],
        3 | 4 => vec![group("g2")],
        5 | 6 => vec![group("g1"), group("g2")],
        // A group nobody belongs to.
        7 => vec![group("g9")],
        _ => Vec::new(),
    };
    PollSpec {
        title,
        item,
        questions,
        secret: dice.chance(45),
        vote_change: dice.chance(50),
        visibility: dice.one_of(&[
            ResultsVisibility::LiveToAll,
            ResultsVisibility::LiveToChair,
            ResultsVisibility::AfterClose,
        ]),
        eligibility: Eligibility {
            present_only: dice.chance(25),
            groups,
        },
        majority: majority(dice),
    }
}

/// A question of any kind, now and then a malformed one.
fn question(dice: &mut Dice) -> Question {
    let kind = match dice.roll(20) {
        0..=7 => QuestionKind::YesNoAbstain,
        8..=10 => QuestionKind::YesNo,
        11..=14 => QuestionKind::OneOf {
            options: options(2 + dice.roll(3)),
        },
        15..=18 => {
            let n = 3 + dice.roll(3);
            let min = dice.roll(2);
            let low = min.max(1);
            let max = low + dice.roll(n - low + 1);
            QuestionKind::Select {
                options: options(n),
                min: min as u16,
                max: max as u16,
                seats: dice.chance(50).then(|| 1 + dice.roll(n) as u16),
            }
        }
        // A malformed question: the engine must refuse the poll.
        _ => QuestionKind::OneOf {
            options: options(1),
        },
    };
    Question {
        text: "Tán thành nội dung Tờ trình?".into(),
        kind,
    }
}

/// A majority rule: one of the usual ones, or a ratio and base at random, which may
/// be invalid.
fn majority(dice: &mut Dice) -> MajorityRule {
    match dice.roll(8) {
        0 | 1 => MajorityRule::simple_majority(),
        2 => MajorityRule::more_than_half_of_present(),
        3 => MajorityRule::more_than_half_of_all_members(),
        4 => MajorityRule::two_thirds_of_all_members(),
        _ => {
            // Sometimes more than 1, or a stated base of 0: invalid.
            let ratio = Ratio::new(1 + dice.roll(3) as u32, 1 + dice.roll(4) as u32);
            MajorityRule {
                threshold: if dice.chance(50) {
                    Threshold::MoreThan(ratio)
                } else {
                    Threshold::AtLeast(ratio)
                },
                base: match dice.roll(4) {
                    0 => MajorityBase::VotesCast,
                    1 => MajorityBase::MembersPresent,
                    2 => MajorityBase::AllMembers,
                    _ => MajorityBase::Stated {
                        members: dice.roll(15) as u64,
                    },
                },
                abstentions: if dice.chance(50) {
                    Abstentions::Excluded
                } else {
                    Abstentions::Counted
                },
            }
        }
    }
}

/// Labels for `n` options.
pub(crate) fn options(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Phương án {i}")).collect()
}

//! Commands about what a meeting decides besides its polls: conclusions and directives
//! to units.

use quorum_domain::meeting::outcome::DirectiveStatus;
use quorum_domain::{ConclusionId, DirectiveId, MeetingCommand, Timestamp, UnitId};

use super::sender::keeper;
use super::{maybe_item, pick_id, text};
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::who::Who;

pub(super) fn conclude(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let command = MeetingCommand::RecordConclusion {
        conclusion: ConclusionId::new(model.fresh("c")).unwrap(),
        item: maybe_item(model, dice),
        text: text(dice, "Hội nghị thống nhất thông qua Tờ trình."),
    };
    (keeper(dice), command)
}

pub(super) fn revise(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let command = MeetingCommand::ReviseConclusion {
        conclusion: pick_id(
            dice,
            &model.conclusions,
            ConclusionId::new("c-none").unwrap(),
        ),
        text: text(dice, "Hội nghị thống nhất thông qua, có sửa đổi."),
    };
    (keeper(dice), command)
}

pub(super) fn direct(model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    let command = MeetingCommand::IssueDirective {
        directive: DirectiveId::new(model.fresh("dir")).unwrap(),
        item: maybe_item(model, dice),
        unit: UnitId::new("so-tai-chinh").unwrap(),
        unit_name: "Sở Tài chính".into(),
        text: text(dice, "Hoàn thiện dự toán, trình lại trước ngày 15."),
        due: dice
            .chance(50)
            .then(|| Timestamp(now + 86_400_000 * (1 + dice.roll(30) as i64))),
    };
    (keeper(dice), command)
}

pub(super) fn update_directive(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let command = MeetingCommand::UpdateDirective {
        directive: pick_id(
            dice,
            &model.directives,
            DirectiveId::new("dir-none").unwrap(),
        ),
        status: dice.one_of(&[
            DirectiveStatus::Assigned,
            DirectiveStatus::Acknowledged,
            DirectiveStatus::Done,
        ]),
    };
    (keeper(dice), command)
}

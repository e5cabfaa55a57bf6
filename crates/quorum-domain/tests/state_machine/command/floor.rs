//! Commands about the floor: requests to speak, and the chair granting, extending and
//! ending a turn.

use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::{FloorRequestId, MeetingCommand, Millis};

use super::pick_id;
use super::sender::{chair, someone};
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::who::Who;

pub(super) fn request_floor(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let request = match dice.pick(&model.requests) {
        Some(id) if dice.chance(8) => id.clone(),
        _ => FloorRequestId::new(model.fresh("r")).unwrap(),
    };
    let kind = dice.one_of(&[
        FloorKind::Speech,
        FloorKind::Speech,
        FloorKind::Speech,
        FloorKind::Interpellation,
        FloorKind::PointOfOrder,
    ]);
    let command = MeetingCommand::RequestFloor {
        request,
        kind,
        topic: "Ý kiến về dự toán ngân sách".into(),
        addressed_to: (kind == FloorKind::Interpellation)
            .then(|| "Giám đốc Sở Tài chính".to_owned()),
    };
    (someone(model, dice), command)
}

pub(super) fn withdraw_floor(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let request = pick_id(
        dice,
        &model.requests,
        FloorRequestId::new("r-none").unwrap(),
    );
    let who = if dice.chance(50) {
        Who::Chair
    } else {
        someone(model, dice)
    };
    (who, MeetingCommand::WithdrawFloorRequest { request })
}

pub(super) fn grant_floor(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let request = pick_id(
        dice,
        &model.requests,
        FloorRequestId::new("r-none").unwrap(),
    );
    let duration = match dice.roll(10) {
        0..=6 => None,
        7 | 8 => Some(Millis::minutes(1 + dice.roll(10) as u64)),
        _ => Some(dice.one_of(&[Millis(0), Millis::minutes(200)])),
    };
    (
        chair(dice),
        MeetingCommand::GrantFloor { request, duration },
    )
}

pub(super) fn extend_floor(dice: &mut Dice) -> (Who, MeetingCommand) {
    let extra = Millis::minutes(dice.roll(6) as u64);
    (chair(dice), MeetingCommand::ExtendFloor { extra })
}

pub(super) fn end_floor(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let who = if dice.chance(60) {
        Who::Chair
    } else {
        someone(model, dice)
    };
    (who, MeetingCommand::EndFloor)
}

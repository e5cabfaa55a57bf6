//! Who sends a command: each kind favours those entitled to send it, and now and then
//! someone who is not, whose command the engine must refuse.

use quorum_domain::MemberId;

use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::who::{Who, member};

/// Anyone: mostly participants, now and then the administrator or an outsider.
pub(super) fn someone(model: &Model, dice: &mut Dice) -> Who {
    match dice.roll(100) {
        0..=4 => Who::Outsider,
        5..=7 => Who::Admin,
        _ => dice.one_of(&model.people()),
    }
}

/// Mostly those who prepare the meeting.
pub(super) fn keeper(dice: &mut Dice) -> Who {
    match dice.roll(100) {
        0..=44 => Who::Chair,
        45..=84 => Who::Secretary,
        85..=94 => Who::Admin,
        _ => Who::Delegate(0),
    }
}

/// Mostly the chair.
pub(super) fn chair(dice: &mut Dice) -> Who {
    if dice.chance(85) {
        Who::Chair
    } else {
        dice.one_of(&[Who::Secretary, Who::Admin, Who::Delegate(0), Who::Guest])
    }
}

/// Mostly someone with a voting right.
pub(super) fn voter(model: &Model, dice: &mut Dice) -> Who {
    let voters = model.voters();
    if dice.chance(90)
        && let Some(who) = dice.pick(&voters)
    {
        return *who;
    }
    dice.one_of(&[
        Who::Guest,
        Who::Secretary,
        Who::Outsider,
        Who::Late,
        Who::Admin,
        Who::Delegate(0),
    ])
}

/// A participant, now and then an outsider.
pub(super) fn person(model: &Model, dice: &mut Dice) -> MemberId {
    if dice.chance(5) {
        return member("outsider");
    }
    dice.one_of(&model.people()).member().unwrap()
}

//! Commands about who takes part: checking in and out (for oneself or for another),
//! proxies, and changes to the roster.

use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::{MeetingCommand, MemberId, Role};

use super::sender::{keeper, person, someone};
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::setup::{groups_from, invitee};
use crate::state_machine::who::Who;

pub(super) fn check_in(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let (who, member) = attendee(model, dice);
    let mode = if dice.chance(70) {
        PresenceMode::InRoom
    } else {
        PresenceMode::Remote
    };
    (who, MeetingCommand::CheckIn { member, mode })
}

pub(super) fn check_out(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let (who, member) = attendee(model, dice);
    (who, MeetingCommand::CheckOut { member })
}

pub(super) fn grant_proxy(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let delegates = model.delegates();
    // Mostly a seat that is away, as proxies are meant for.
    let away: Vec<Who> = delegates
        .iter()
        .copied()
        .filter(|who| !model.present.contains(who) && !model.proxies.contains_key(who))
        .collect();
    let from = match dice.pick(&away) {
        Some(who) if dice.chance(75) => *who,
        _ => dice.one_of(&delegates),
    };
    let to = if dice.chance(90) {
        dice.one_of(&delegates)
    } else {
        dice.one_of(&[Who::Chair, Who::Guest, Who::Outsider, Who::Secretary])
    };
    let to = to.member().unwrap();
    if dice.chance(75) {
        (from, MeetingCommand::GrantProxy { from: None, to })
    } else {
        let who = dice.one_of(&[Who::Secretary, Who::Chair, Who::Admin, Who::Delegate(0)]);
        (
            who,
            MeetingCommand::GrantProxy {
                from: from.member(),
                to,
            },
        )
    }
}

pub(super) fn revoke_proxy(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let given: Vec<Who> = model.proxies.keys().copied().collect();
    let from = match dice.pick(&given) {
        Some(who) if dice.chance(85) => *who,
        _ => dice.one_of(&model.delegates()),
    };
    if dice.chance(70) {
        (from, MeetingCommand::RevokeProxy { from: None })
    } else {
        (
            dice.one_of(&[Who::Secretary, Who::Chair, Who::Admin]),
            MeetingCommand::RevokeProxy {
                from: from.member(),
            },
        )
    }
}

pub(super) fn update_participant(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let who = match dice.roll(10) {
        0 => Who::Guest,
        1 => Who::Chair,
        _ => dice.one_of(&model.delegates()),
    };
    let role = match who {
        Who::Guest => Role::Guest,
        Who::Chair => Role::Chair,
        _ if dice.chance(10) => Role::Guest,
        _ => Role::Delegate,
    };
    let voting_right = if role == Role::Guest {
        dice.chance(10)
    } else {
        dice.chance(85)
    };
    let command = MeetingCommand::UpdateParticipant {
        member: who.member().unwrap(),
        role,
        voting_right,
        weight: if dice.chance(3) {
            0
        } else {
            1 + dice.roll(3) as u32
        },
        groups: groups_from(dice.roll(4)),
    };
    (keeper(dice), command)
}

pub(super) fn invite(dice: &mut Dice) -> (Who, MeetingCommand) {
    let mut invitees = vec![invitee(
        "late",
        Role::Delegate,
        dice.chance(70),
        1 + dice.roll(2) as u32,
        groups_from(dice.roll(4)),
    )];
    if dice.chance(20) {
        // Someone already invited is left as they are.
        invitees.push(invitee("d01", Role::Delegate, true, 5, Vec::new()));
    }
    let who = dice.one_of(&[Who::Secretary, Who::Admin, Who::Chair, Who::Delegate(0)]);
    (
        who,
        MeetingCommand::Invite {
            invitees,
            group: None,
        },
    )
}

pub(super) fn remove(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let who = match dice.roll(20) {
        0..=13 => dice.one_of(&model.delegates()),
        14..=16 => Who::Guest,
        17 | 18 => Who::Late,
        _ => dice.one_of(&model.people()),
    };
    let command = MeetingCommand::RemoveParticipant {
        member: who.member().unwrap(),
    };
    (keeper(dice), command)
}

/// Who sends a check-in or a check-out, and the `member` it names: mostly anyone for
/// themselves, sometimes someone acting for another.
fn attendee(model: &Model, dice: &mut Dice) -> (Who, Option<MemberId>) {
    if dice.chance(80) {
        let who = someone(model, dice);
        (who, if dice.chance(10) { who.member() } else { None })
    } else {
        let who = dice.one_of(&[Who::Chair, Who::Secretary, Who::Admin, Who::Delegate(1)]);
        (who, Some(person(model, dice)))
    }
}

//! Commands about a poll's life, from draft to publication and revote, and the hub's
//! tick that closes polls at their deadline.

use quorum_domain::poll::PollStatus;
use quorum_domain::{MeetingCommand, PollId, Timestamp};

use super::sender::{chair, keeper};
use super::spec::poll_spec;
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::{Model, ModelPoll};
use crate::state_machine::who::Who;

pub(super) fn create_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let known: Vec<PollId> = model.polls.iter().map(|p| p.id.clone()).collect();
    let poll = match dice.pick(&known) {
        Some(id) if dice.chance(8) => id.clone(),
        _ => PollId::new(model.fresh("p")).unwrap(),
    };
    let spec = poll_spec(model, dice);
    (keeper(dice), MeetingCommand::CreatePoll { poll, spec })
}

pub(super) fn update_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let poll = pick_poll(model, dice, &[PollStatus::Draft]);
    let spec = poll_spec(model, dice);
    (keeper(dice), MeetingCommand::UpdatePoll { poll, spec })
}

pub(super) fn delete_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let poll = pick_poll(model, dice, &[PollStatus::Draft]);
    (keeper(dice), MeetingCommand::DeletePoll { poll })
}

pub(super) fn open_poll(model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    let poll = pick_poll(model, dice, &[PollStatus::Draft]);
    let command = MeetingCommand::OpenPoll {
        poll,
        deadline: deadline(now, dice),
        override_quorum: dice.chance(95),
    };
    (chair(dice), command)
}

pub(super) fn pause_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        chair(dice),
        MeetingCommand::PausePoll {
            poll: pick_poll(model, dice, &[PollStatus::Open]),
        },
    )
}

pub(super) fn resume_poll(model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    let poll = pick_poll(model, dice, &[PollStatus::Paused]);
    let deadline = deadline(now, dice);
    (chair(dice), MeetingCommand::ResumePoll { poll, deadline })
}

pub(super) fn close_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        chair(dice),
        MeetingCommand::ClosePoll {
            poll: pick_poll(model, dice, &[PollStatus::Open, PollStatus::Paused]),
        },
    )
}

pub(super) fn publish_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        chair(dice),
        MeetingCommand::PublishPoll {
            poll: pick_poll(model, dice, &[PollStatus::Closed]),
        },
    )
}

pub(super) fn revote_poll(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        chair(dice),
        MeetingCommand::RevotePoll {
            poll: pick_poll(
                model,
                dice,
                &[
                    PollStatus::Closed,
                    PollStatus::Published,
                    PollStatus::Open,
                    PollStatus::Paused,
                ],
            ),
        },
    )
}

pub(super) fn tick(dice: &mut Dice) -> (Who, MeetingCommand) {
    let who = if dice.chance(90) {
        Who::Hub
    } else {
        dice.one_of(&[Who::Chair, Who::Admin, Who::Delegate(0)])
    };
    (who, MeetingCommand::Tick)
}

/// A poll, preferably one the model believes is in one of `statuses`.
fn pick_poll(model: &Model, dice: &mut Dice, statuses: &[PollStatus]) -> PollId {
    let preferred: Vec<&ModelPoll> = model
        .polls
        .iter()
        .filter(|p| statuses.contains(&p.status))
        .collect();
    let all: Vec<&ModelPoll> = model.polls.iter().collect();
    let chosen = if dice.chance(85) && !preferred.is_empty() {
        dice.pick(&preferred)
    } else {
        dice.pick(&all)
    };
    match chosen {
        Some(poll) if !dice.chance(3) => poll.id.clone(),
        _ => PollId::new("p-none").unwrap(),
    }
}

/// Mostly none; else one to come, now and then one already past.
fn deadline(now: i64, dice: &mut Dice) -> Option<Timestamp> {
    match dice.roll(10) {
        0..=4 => None,
        5..=8 => Some(Timestamp(now + 3_000 + dice.roll(90_000) as i64)),
        _ => Some(Timestamp(now - dice.roll(1_000) as i64)),
    }
}

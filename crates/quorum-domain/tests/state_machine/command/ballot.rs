//! Ballots as devices send them: mostly valid votes for one's own seat or a seat one
//! holds the proxy of, and also resends, changes, stale rounds and malformed answers.

use quorum_domain::poll::question::{Question, QuestionKind, Selection};
use quorum_domain::poll::{PollSpec, PollStatus};
use quorum_domain::{BallotId, MeetingCommand, PollId};

use super::sender::voter;
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::{Model, ModelBallot, ModelPoll};
use crate::state_machine::who::Who;

pub(super) fn ballot(model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    let fresh = BallotId::new(model.fresh("b")).unwrap();
    let live: Vec<&ModelPoll> = model.polls.iter().filter(|p| p.is_live(now)).collect();
    let open: Vec<&ModelPoll> = model
        .polls
        .iter()
        .filter(|p| p.status == PollStatus::Open)
        .collect();
    let all: Vec<&ModelPoll> = model.polls.iter().collect();
    let votable: Vec<&ModelPoll> = live
        .iter()
        .copied()
        .filter(|p| {
            model
                .voters()
                .iter()
                .any(|&who| model.may_vote(who, &p.spec))
        })
        .collect();
    let chosen = match dice.roll(100) {
        0..=79 if !votable.is_empty() => dice.pick(&votable),
        80..=86 if !live.is_empty() => dice.pick(&live),
        87..=93 if !open.is_empty() => dice.pick(&open),
        _ => dice.pick(&all),
    };
    let Some(poll) = chosen.copied() else {
        let who = voter(model, dice);
        let command = MeetingCommand::CastBallot {
            poll: PollId::new("p-none").unwrap(),
            round: 1,
            ballot: fresh,
            seat: None,
            answers: vec![Selection::one(0)],
            replaces: None,
        };
        return (who, command);
    };
    let spec = &poll.spec;
    let earlier: Vec<&ModelBallot> = model.ballots.iter().filter(|b| b.poll == poll.id).collect();

    // A device resends a ballot whose acknowledgement it lost: the same message, or
    // by mistake the same id with other answers.
    if dice.chance(12)
        && let Some(sent) = dice.pick(&earlier)
    {
        let mut answers = sent.answers.clone();
        match dice.roll(10) {
            0 | 1 => answers = self::answers(spec, dice),
            2 | 3 => answers.iter_mut().for_each(|a| a.0.reverse()),
            _ => {}
        }
        let round = if dice.chance(90) {
            sent.round
        } else {
            poll.round
        };
        let command = MeetingCommand::CastBallot {
            poll: poll.id.clone(),
            round,
            ballot: sent.ballot.clone(),
            seat: sent.seat_field.clone(),
            answers,
            replaces: sent.replaces.clone(),
        };
        return (sent.caster, command);
    }

    // One's own seat, or a seat whose proxy one holds (or believes one holds).
    let voted = |seat: Who| {
        earlier
            .iter()
            .any(|b| b.seat == seat && b.round == poll.round)
    };
    let represented: Vec<(Who, Who)> = model
        .proxies
        .iter()
        .filter(|(seat, _)| !model.present.contains(seat) && model.may_vote(**seat, spec))
        .map(|(seat, holder)| (*holder, *seat))
        .collect();
    let (caster, seat) = if dice.chance(35)
        && let Some(&(holder, seat)) = dice.pick(&represented)
    {
        (holder, Some(seat))
    } else if dice.chance(4) {
        let delegates = model.delegates();
        (dice.one_of(&delegates), Some(dice.one_of(&delegates)))
    } else {
        let fitting: Vec<Who> = model
            .voters()
            .into_iter()
            .filter(|&who| {
                model.may_vote(who, spec)
                    && (!spec.eligibility.present_only || model.present.contains(&who))
                    && (!model.proxies.contains_key(&who) || model.present.contains(&who))
            })
            .collect();
        let not_yet: Vec<Who> = fitting.iter().copied().filter(|&who| !voted(who)).collect();
        let who = match dice.roll(100) {
            0..=69 if !not_yet.is_empty() => dice.one_of(&not_yet),
            70..=91 if !fitting.is_empty() => dice.one_of(&fitting),
            _ => voter(model, dice),
        };
        (who, dice.chance(10).then_some(who))
    };
    let seat_who = seat.unwrap_or(caster);

    // A device changing a vote names a ballot it sent before: only a device knows its
    // ballot ids. Mostly the seat's latest; sometimes one it sent for another seat (a
    // proxy holder's device knows two seats' ids), which the engine must refuse.
    let of_seat: Vec<&ModelBallot> = earlier
        .iter()
        .copied()
        .filter(|b| b.seat == seat_who && b.round == poll.round)
        .filter(|b| b.caster == caster || !spec.secret)
        .collect();
    let of_device: Vec<&ModelBallot> = earlier
        .iter()
        .copied()
        .filter(|b| b.caster == caster && b.round == poll.round)
        .collect();
    let replaces = if of_seat.is_empty() {
        // A first ballot: naming one to replace is a mistake.
        dice.chance(4)
            .then(|| dice.pick(&of_device).map(|b| b.ballot.clone()))
            .flatten()
    } else {
        match dice.roll(100) {
            0..=59 => of_seat.last().map(|b| b.ballot.clone()),
            60..=74 => dice.pick(&of_seat).map(|b| b.ballot.clone()),
            75..=84 => dice.pick(&of_device).map(|b| b.ballot.clone()),
            // Named polls know the seat's current ballot; secret ones must be told.
            _ => None,
        }
    };
    let round = if dice.chance(96) {
        poll.round
    } else {
        dice.roll(poll.round as usize + 2) as u32
    };
    let command = MeetingCommand::CastBallot {
        poll: poll.id.clone(),
        round,
        ballot: fresh,
        seat: seat.and_then(Who::member),
        answers: answers(spec, dice),
        replaces,
    };
    (caster, command)
}

/// An answer to one question: valid, though not always in canonical order.
fn answer(question: &Question, dice: &mut Dice) -> Selection {
    let index = |i: usize| i as u16;
    match &question.kind {
        QuestionKind::YesNoAbstain => Selection::one(index(dice.roll(3))),
        QuestionKind::YesNo => Selection::one(index(dice.roll(2))),
        QuestionKind::OneOf { options } => Selection::one(index(dice.roll(options.len()))),
        QuestionKind::Select {
            options, min, max, ..
        } => {
            let n = options.len().max(1);
            let (min, max) = (usize::from(*min), usize::from(*max).max(usize::from(*min)));
            let k = (min + dice.roll(max - min + 1)).min(n);
            let start = dice.roll(n);
            Selection((0..k).map(|i| index((start + i) % n)).collect())
        }
    }
}

/// Answers to a poll: mostly valid, sometimes malformed in one of several ways.
fn answers(spec: &PollSpec, dice: &mut Dice) -> Vec<Selection> {
    let mut answers: Vec<Selection> = spec.questions.iter().map(|q| answer(q, dice)).collect();
    match dice.roll(100) {
        0..=3 => answers.push(Selection::one(0)),
        4..=6 => {
            answers.pop();
        }
        7..=9 => {
            if let Some(first) = answers.first_mut() {
                first.0 = vec![u16::MAX];
            }
        }
        10..=12 => {
            if let Some(first) = answers.first_mut() {
                first.0 = vec![0, 0];
            }
        }
        _ => {}
    }
    answers
}

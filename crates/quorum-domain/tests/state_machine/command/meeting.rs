//! Commands about the meeting as a whole: opening and closing it, its settings and
//! details, the urgent alert and the answers to it, and what the hall projector shows.

use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::meeting::roster::AlertAnswer;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind};
use quorum_domain::poll::PollStatus;
use quorum_domain::{MeetingCommand, PollId, Timestamp};

use super::sender::{chair, keeper, someone};
use super::{pick_id, text};
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::setup::settings_from;
use crate::state_machine::who::Who;

pub(super) fn open_meeting(dice: &mut Dice) -> (Who, MeetingCommand) {
    let who = if dice.chance(85) {
        Who::Chair
    } else {
        dice.one_of(&[Who::Secretary, Who::Delegate(0), Who::Admin, Who::Guest])
    };
    (who, MeetingCommand::OpenMeeting)
}

pub(super) fn close_meeting(dice: &mut Dice) -> (Who, MeetingCommand) {
    (chair(dice), MeetingCommand::CloseMeeting)
}

pub(super) fn settings(dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        keeper(dice),
        MeetingCommand::ChangeSettings {
            settings: settings_from(dice),
        },
    )
}

pub(super) fn details(model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    let urgent = model.setup.urgent != dice.chance(10);
    let details = MeetingDetails {
        title: text(dice, "Kỳ họp thứ 7 (điều chỉnh)"),
        kind: if urgent {
            MeetingKind::Urgent
        } else {
            MeetingKind::Routine
        },
        location: "Phòng họp số 2".into(),
        scheduled_at: Timestamp(now + 3_600_000),
    };
    (keeper(dice), MeetingCommand::UpdateDetails { details })
}

pub(super) fn raise_alert(dice: &mut Dice) -> (Who, MeetingCommand) {
    let message = text(dice, "Họp khẩn về phòng, chống cơn bão số 3");
    (keeper(dice), MeetingCommand::RaiseAlert { message })
}

pub(super) fn answer_alert(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let answer = match dice.roll(4) {
        0 => AlertAnswer::Received,
        1 => AlertAnswer::JoiningRemotely,
        2 => AlertAnswer::InTheRoom,
        _ => AlertAnswer::CannotAttend {
            reason: text(dice, "Đang đi công tác"),
        },
    };
    (someone(model, dice), MeetingCommand::AnswerAlert { answer })
}

/// A screen for the projector: mostly a poll that has run, now and then a draft or an
/// unknown poll, which the engine must refuse.
pub(super) fn show_on_projector(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let display = match dice.roll(10) {
        0 => ProjectorDisplay::Auto,
        1 => ProjectorDisplay::Welcome,
        2 => ProjectorDisplay::AgendaItem,
        3 => ProjectorDisplay::Speaker,
        4 => ProjectorDisplay::Quorum,
        _ => {
            let drafts_too = dice.chance(20);
            let polls: Vec<PollId> = model
                .polls
                .iter()
                .filter(|p| drafts_too || p.status != PollStatus::Draft || p.round > 1)
                .map(|p| p.id.clone())
                .collect();
            ProjectorDisplay::Poll {
                poll: pick_id(dice, &polls, PollId::new("p-none").unwrap()),
            }
        }
    };
    (chair(dice), MeetingCommand::ShowOnProjector { display })
}

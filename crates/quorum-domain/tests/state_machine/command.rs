//! Command generation: which kind of command comes next, weighted by what the model
//! believes, and when it is sent. Each kind is built, with who sends it, in the
//! submodule for its area of the meeting.

use quorum_domain::poll::PollStatus;
use quorum_domain::{ItemId, MeetingCommand};

use super::dice::{Dice, Roll as _};
use super::model::Model;
use super::who::Who;

mod agenda;
mod attendance;
mod ballot;
mod floor;
mod meeting;
mod outcome;
mod poll;
mod sender;
mod spec;

pub(crate) use spec::options;

/// One generated command.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) who: Who,
    /// When it is decided; never before the step before it.
    pub(crate) now: i64,
    pub(crate) command: MeetingCommand,
}

/// The kinds of command the generator builds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    OpenMeeting,
    CloseMeeting,
    CheckIn,
    CheckOut,
    GrantProxy,
    RevokeProxy,
    CreatePoll,
    UpdatePoll,
    DeletePoll,
    OpenPoll,
    PausePoll,
    ResumePoll,
    ClosePoll,
    PublishPoll,
    RevotePoll,
    Tick,
    Ballot,
    AddItem,
    UpdateItem,
    RemoveItem,
    Reorder,
    SetCurrent,
    Attach,
    Detach,
    /// Access, approval or a new version: one kind, so that the mix of the others stays.
    Access,
    RequestFloor,
    WithdrawFloor,
    GrantFloor,
    ExtendFloor,
    EndFloor,
    Conclude,
    Revise,
    Direct,
    UpdateDirective,
    UpdateParticipant,
    Invite,
    Remove,
    Settings,
    Details,
    RaiseAlert,
    AnswerAlert,
    ShowOnProjector,
}

/// How likely each kind of command is, given what the model believes.
pub(crate) fn weights(model: &Model) -> Vec<(u32, Kind)> {
    let count = |status: PollStatus| model.polls.iter().filter(|p| p.status == status).count();
    let (drafts, open, paused, closed) = (
        count(PollStatus::Draft),
        count(PollStatus::Open),
        count(PollStatus::Paused),
        count(PollStatus::Closed),
    );
    let live = model.polls.iter().filter(|p| p.is_live(model.now)).count();
    let overdue = model.polls.iter().any(|p| p.is_due(model.now + 30_000));
    let when = |condition: bool, yes: u32, no: u32| if condition { yes } else { no };
    let items = !model.items.is_empty();
    let documents = !model.documents.is_empty();
    let requests = !model.requests.is_empty();
    vec![
        (when(model.open, 1, 40), Kind::OpenMeeting),
        (
            when(model.open && model.step >= 30, 1, 0),
            Kind::CloseMeeting,
        ),
        (when(model.present.len() < 6, 20, 8), Kind::CheckIn),
        (4, Kind::CheckOut),
        (when(model.proxies.len() < 2, 10, 3), Kind::GrantProxy),
        (when(model.proxies.is_empty(), 1, 3), Kind::RevokeProxy),
        (
            when(model.polls.len() < 6, when(drafts == 0, 24, 10), 1),
            Kind::CreatePoll,
        ),
        (1, Kind::UpdatePoll),
        (1, Kind::DeletePoll),
        (when(drafts > 0, 16, 1), Kind::OpenPoll),
        (when(open > 0, 2, 1), Kind::PausePoll),
        (when(paused > 0, 6, 1), Kind::ResumePoll),
        (when(open + paused > 0, 8, 1), Kind::ClosePoll),
        (when(closed > 0, 10, 1), Kind::PublishPoll),
        (3, Kind::RevotePoll),
        (when(overdue, 10, 1), Kind::Tick),
        (when(live > 0, 250, 4), Kind::Ballot),
        (when(model.items.len() < 2, 6, 2), Kind::AddItem),
        (when(items, 1, 0), Kind::UpdateItem),
        (when(items, 1, 0), Kind::RemoveItem),
        (when(items, 1, 0), Kind::Reorder),
        (when(items, 2, 1), Kind::SetCurrent),
        (when(items, 5, 0), Kind::Attach),
        (when(documents, 1, 0), Kind::Detach),
        (when(documents, 3, 0), Kind::Access),
        (4, Kind::RequestFloor),
        (when(requests, 1, 0), Kind::WithdrawFloor),
        (when(requests, 3, 0), Kind::GrantFloor),
        (1, Kind::ExtendFloor),
        (1, Kind::EndFloor),
        (2, Kind::Conclude),
        (when(model.conclusions.is_empty(), 0, 1), Kind::Revise),
        (1, Kind::Direct),
        (
            when(model.directives.is_empty(), 0, 1),
            Kind::UpdateDirective,
        ),
        (2, Kind::UpdateParticipant),
        (1, Kind::Invite),
        (1, Kind::Remove),
        (1, Kind::Settings),
        (1, Kind::Details),
        (1, Kind::RaiseAlert),
        (1, Kind::AnswerAlert),
        (
            when(drafts < model.polls.len(), 6, 1),
            Kind::ShowOnProjector,
        ),
    ]
}

/// Builds one command of `kind` from the model and sixteen dice.
pub(crate) fn build(kind: Kind, model: &Model, rolls: [u32; 16]) -> Step {
    let dice = &mut Dice::new(rolls);
    let base: i64 = match kind {
        Kind::Tick => dice.one_of(&[0, 1_000, 20_000, 90_000, 300_000]),
        _ => match dice.roll(20) {
            0 => 60_000,
            1..=3 => 10_000,
            _ => 500,
        },
    };
    let now = model.now + base + dice.roll(1_000) as i64;
    let (who, command) = command(kind, model, now, dice);
    Step { who, now, command }
}

/// Builds a command of `kind`, and chooses who sends it. Every builder has this shape:
/// it takes what it needs of the model, the time and the dice, and returns the sender
/// and the command.
fn command(kind: Kind, model: &Model, now: i64, dice: &mut Dice) -> (Who, MeetingCommand) {
    match kind {
        Kind::OpenMeeting => meeting::open_meeting(dice),
        Kind::CloseMeeting => meeting::close_meeting(dice),
        Kind::CheckIn => attendance::check_in(model, dice),
        Kind::CheckOut => attendance::check_out(model, dice),
        Kind::GrantProxy => attendance::grant_proxy(model, dice),
        Kind::RevokeProxy => attendance::revoke_proxy(model, dice),
        Kind::CreatePoll => poll::create_poll(model, dice),
        Kind::UpdatePoll => poll::update_poll(model, dice),
        Kind::DeletePoll => poll::delete_poll(model, dice),
        Kind::OpenPoll => poll::open_poll(model, now, dice),
        Kind::PausePoll => poll::pause_poll(model, dice),
        Kind::ResumePoll => poll::resume_poll(model, now, dice),
        Kind::ClosePoll => poll::close_poll(model, dice),
        Kind::PublishPoll => poll::publish_poll(model, dice),
        Kind::RevotePoll => poll::revote_poll(model, dice),
        Kind::Tick => poll::tick(dice),
        Kind::Ballot => ballot::ballot(model, now, dice),
        Kind::AddItem => agenda::add_item(model, dice),
        Kind::UpdateItem => agenda::update_item(model, dice),
        Kind::RemoveItem => agenda::remove_item(model, dice),
        Kind::Reorder => agenda::reorder(model, dice),
        Kind::SetCurrent => agenda::set_current(model, dice),
        Kind::Attach => agenda::attach(model, dice),
        Kind::Detach => agenda::detach(model, dice),
        Kind::Access => match dice.roll(10) {
            0..=3 => agenda::approve(model, dice),
            4..=5 => agenda::replace(model, dice),
            _ => agenda::set_access(model, dice),
        },
        Kind::RequestFloor => floor::request_floor(model, dice),
        Kind::WithdrawFloor => floor::withdraw_floor(model, dice),
        Kind::GrantFloor => floor::grant_floor(model, dice),
        Kind::ExtendFloor => floor::extend_floor(dice),
        Kind::EndFloor => floor::end_floor(model, dice),
        Kind::Conclude => outcome::conclude(model, dice),
        Kind::Revise => outcome::revise(model, dice),
        Kind::Direct => outcome::direct(model, now, dice),
        Kind::UpdateDirective => outcome::update_directive(model, dice),
        Kind::UpdateParticipant => attendance::update_participant(model, dice),
        Kind::Invite => attendance::invite(dice),
        Kind::Remove => attendance::remove(model, dice),
        Kind::Settings => meeting::settings(dice),
        Kind::Details => meeting::details(model, now, dice),
        Kind::RaiseAlert => meeting::raise_alert(dice),
        Kind::AnswerAlert => meeting::answer_alert(model, dice),
        Kind::ShowOnProjector => meeting::show_on_projector(model, dice),
    }
}

/// A text a client would send, now and then one the engine must refuse.
fn text(dice: &mut Dice, valid: &str) -> String {
    if dice.chance(95) {
        valid.to_owned()
    } else {
        dice.one_of(&["", "   ", "có ký tự \u{7}"]).to_owned()
    }
}

/// Mostly one of the `known` ids, now and then (and when none is known) `unknown`.
fn pick_id<T: Clone>(dice: &mut Dice, known: &[T], unknown: T) -> T {
    match dice.pick(known) {
        Some(id) if !dice.chance(5) => id.clone(),
        _ => unknown,
    }
}

/// An agenda item, mostly one the model knows.
fn item_id(model: &Model, dice: &mut Dice) -> ItemId {
    pick_id(dice, &model.items, ItemId::new("i-none").unwrap())
}

/// An agenda item half the time.
fn maybe_item(model: &Model, dice: &mut Dice) -> Option<ItemId> {
    dice.chance(50).then(|| item_id(model, dice))
}

//! The reference model: what the test believes about the meeting, enough to generate
//! plausible commands, and the [`ReferenceStateMachine`] that generates them and follows
//! them loosely.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::Union;
use proptest_state_machine::ReferenceStateMachine;
use quorum_domain::poll::question::Selection;
use quorum_domain::poll::{PollSpec, PollStatus};
use quorum_domain::{
    BallotId, ConclusionId, DirectiveId, DocumentId, FloorRequestId, ItemId, MeetingCommand,
    MemberId, PollId, Role, Timestamp,
};

use super::command::{Step, build, weights};
use super::setup::{Setup, setup_strategy};
use super::who::{Who, group};

/// The reference machine: generates plausible commands and follows them loosely.
pub(crate) struct MeetingModel;

impl ReferenceStateMachine for MeetingModel {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        setup_strategy().prop_map(Model::new).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let model = Arc::new(state.clone());
        let options: Vec<(u32, BoxedStrategy<Step>)> = weights(state)
            .into_iter()
            .filter(|(weight, _)| *weight > 0)
            .map(|(weight, kind)| {
                let model = Arc::clone(&model);
                let strategy = prop::array::uniform16(any::<u32>())
                    .prop_map(move |rolls| build(kind, &model, rolls))
                    .boxed();
                (weight, strategy)
            })
            .collect();
        Union::new_weighted(options).boxed()
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        // Time only moves forward.
        step.now >= state.now
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        use MeetingCommand as C;
        state.now = step.now;
        state.step += 1;
        if state.closed {
            return state;
        }
        let who = step.who;
        let keeper = matches!(who, Who::Chair | Who::Secretary | Who::Admin);
        let leader = matches!(who, Who::Chair | Who::Secretary);
        let chair = who == Who::Chair;
        let now = step.now;
        let future = |deadline: &Option<Timestamp>| deadline.is_none_or(|t| t.0 > now);
        // Acting for someone else takes the right to keep attendance.
        let subject = |member: &Option<MemberId>, state: &Model| match member {
            Some(id) if who.member().as_ref() != Some(id) => keeper.then(|| state.who_is(id)),
            _ => Some(who),
        };
        match &step.command {
            C::CheckIn { member, .. } => {
                if let Some(person) = subject(member, &state) {
                    state.present.insert(person);
                }
            }
            C::CheckOut { member } => {
                if let Some(person) = subject(member, &state) {
                    state.present.remove(&person);
                }
            }
            C::GrantProxy { from, to } => {
                let holder = state.who_is(to);
                let limit = usize::from(state.setup.settings.proxies.max_per_holder);
                if let Some(seat) = subject(from, &state) {
                    let held = state.proxies.values().filter(|h| **h == holder).count();
                    let free = seat != holder
                        && !state.proxies.contains_key(&seat)
                        && !state.proxies.contains_key(&holder)
                        && !state.proxies.values().any(|h| *h == seat)
                        && held < limit
                        && state.setup.settings.proxies.allowed;
                    let voters = state.voters();
                    if free && voters.contains(&seat) && voters.contains(&holder) {
                        state.proxies.insert(seat, holder);
                    }
                }
            }
            C::RevokeProxy { from } => {
                if let Some(seat) = subject(from, &state) {
                    state.proxies.remove(&seat);
                }
            }
            C::OpenMeeting if leader => state.open = true,
            C::CloseMeeting if leader && state.open && !state.any_running() => {
                state.closed = true;
            }
            C::CreatePoll { poll, spec }
                if keeper
                    && !state.polls.iter().any(|p| &p.id == poll)
                    && spec_valid(&state, spec) =>
            {
                state.polls.push(ModelPoll {
                    id: poll.clone(),
                    spec: spec.clone(),
                    status: PollStatus::Draft,
                    round: 1,
                    deadline: None,
                });
            }
            C::UpdatePoll { poll, spec } if keeper => {
                let valid = spec_valid(&state, spec);
                if let Some(p) = state.poll_mut(poll)
                    && p.status == PollStatus::Draft
                    && valid
                {
                    p.spec = spec.clone();
                }
            }
            C::DeletePoll { poll } if keeper => state
                .polls
                .retain(|p| !(&p.id == poll && p.status == PollStatus::Draft && p.round == 1)),
            // Without the override the quorum decides, which the model does not follow.
            C::OpenPoll {
                poll,
                deadline,
                override_quorum: true,
            } if chair && state.open && future(deadline) => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status == PollStatus::Draft
                {
                    p.status = PollStatus::Open;
                    p.deadline = deadline.map(|t| t.0);
                }
            }
            C::PausePoll { poll } if chair => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status == PollStatus::Open
                {
                    p.status = PollStatus::Paused;
                }
            }
            C::ResumePoll { poll, deadline } if chair && future(deadline) => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status == PollStatus::Paused
                {
                    p.status = PollStatus::Open;
                    p.deadline = deadline.map(|t| t.0).or(p.deadline);
                }
            }
            C::ClosePoll { poll } if chair => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status.is_running()
                {
                    p.status = PollStatus::Closed;
                }
            }
            C::PublishPoll { poll } if chair => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status == PollStatus::Closed
                {
                    p.status = PollStatus::Published;
                }
            }
            C::RevotePoll { poll } if chair && state.open => {
                if let Some(p) = state.poll_mut(poll)
                    && p.status != PollStatus::Draft
                {
                    p.status = PollStatus::Draft;
                    p.round += 1;
                    p.deadline = None;
                }
            }
            C::Tick if who == Who::Hub => {
                for p in &mut state.polls {
                    if p.is_due(now) {
                        p.status = PollStatus::Closed;
                    }
                }
            }
            C::CastBallot {
                poll,
                round,
                ballot,
                seat,
                answers,
                replaces,
            } => {
                let known = state
                    .ballots
                    .iter()
                    .any(|b| &b.poll == poll && b.round == *round && &b.ballot == ballot);
                if !known {
                    let seat_who = seat.as_ref().map_or(who, |id| state.who_is(id));
                    state.ballots.push(ModelBallot {
                        poll: poll.clone(),
                        round: *round,
                        caster: who,
                        seat: seat_who,
                        seat_field: seat.clone(),
                        ballot: ballot.clone(),
                        answers: answers.clone(),
                        replaces: replaces.clone(),
                    });
                }
            }
            C::AddItem { item, title, .. } if keeper => {
                let valid = !title.trim().is_empty() && !title.chars().any(char::is_control);
                if valid && !state.items.contains(item) {
                    state.items.push(item.clone());
                }
            }
            C::RemoveItem { item }
                if keeper
                    && !state
                        .polls
                        .iter()
                        .any(|p| p.spec.item.as_ref() == Some(item)) =>
            {
                state.items.retain(|known| known != item);
            }
            C::AttachDocument { item, document }
                if keeper
                    && state.items.contains(item)
                    && !state.documents.contains(&document.id) =>
            {
                state.documents.push(document.id.clone());
            }
            C::DetachDocument { document } if keeper => {
                state.documents.retain(|known| known != document);
            }
            C::RequestFloor { request, .. }
                if state.open
                    && !matches!(who, Who::Admin | Who::Hub | Who::Outsider)
                    && !state.requests.contains(request) =>
            {
                state.requests.push(request.clone());
            }
            C::RecordConclusion { conclusion, .. } if leader => {
                state.conclusions.push(conclusion.clone());
            }
            C::IssueDirective { directive, .. } if leader => {
                state.directives.push(directive.clone());
            }
            C::Invite { .. } if keeper => {
                state.late_invited = true;
                state.removed.remove(&Who::Late);
            }
            C::RemoveParticipant { member } if keeper && !state.open => {
                let who = state.who_is(member);
                state.removed.insert(who);
                state.present.remove(&who);
                state
                    .proxies
                    .retain(|seat, holder| *seat != who && *holder != who);
            }
            C::UpdateParticipant {
                member,
                role,
                voting_right,
                weight,
                groups,
            } if keeper => {
                let running = state.any_running();
                let valid =
                    (1..=1_000_000).contains(weight) && !(*role == Role::Guest && *voting_right);
                if let Who::Delegate(n) = state.who_is(member)
                    && !running
                    && valid
                    && let Some(seat) = state.setup.delegates.get_mut(n)
                {
                    seat.voting_right = *voting_right && *role != Role::Guest;
                    seat.weight = *weight;
                    seat.groups.clone_from(groups);
                }
            }
            _ => {}
        }
        state
    }
}

/// What the model believes about a poll (commands it thinks were accepted).
#[derive(Debug, Clone)]
pub(crate) struct ModelPoll {
    pub(crate) id: PollId,
    pub(crate) spec: PollSpec,
    pub(crate) status: PollStatus,
    pub(crate) round: u32,
    deadline: Option<i64>,
}

impl ModelPoll {
    /// Whether ballots are taken at `now`: open, and its deadline (if any) not passed.
    pub(crate) fn is_live(&self, now: i64) -> bool {
        self.status == PollStatus::Open && self.deadline.is_none_or(|d| d > now)
    }

    /// Whether it is running with a deadline that has come by `at`.
    pub(crate) fn is_due(&self, at: i64) -> bool {
        self.status.is_running() && self.deadline.is_some_and(|d| d <= at)
    }
}

/// A ballot sent, as the device that sent it remembers it.
#[derive(Debug, Clone)]
pub(crate) struct ModelBallot {
    pub(crate) poll: PollId,
    pub(crate) round: u32,
    pub(crate) caster: Who,
    /// The seat voted for.
    pub(crate) seat: Who,
    /// The command's `seat` field.
    pub(crate) seat_field: Option<MemberId>,
    pub(crate) ballot: BallotId,
    pub(crate) answers: Vec<Selection>,
    pub(crate) replaces: Option<BallotId>,
}

/// The reference state: enough to generate plausible commands. It guesses which
/// commands the engine accepts; a wrong guess only makes a command less plausible.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) setup: Setup,
    /// The clock: commands never go back in time.
    pub(crate) now: i64,
    /// Commands generated so far; fresh ids are numbered by it.
    pub(crate) step: u32,
    pub(crate) open: bool,
    closed: bool,
    late_invited: bool,
    /// Who the model thinks is checked in.
    pub(crate) present: BTreeSet<Who>,
    /// Proxies the model thinks were given: seat → holder.
    pub(crate) proxies: BTreeMap<Who, Who>,
    /// Participants removed before the meeting opened.
    removed: BTreeSet<Who>,
    pub(crate) items: Vec<ItemId>,
    pub(crate) documents: Vec<DocumentId>,
    pub(crate) polls: Vec<ModelPoll>,
    pub(crate) ballots: Vec<ModelBallot>,
    pub(crate) requests: Vec<FloorRequestId>,
    pub(crate) conclusions: Vec<ConclusionId>,
    pub(crate) directives: Vec<DirectiveId>,
}

impl Model {
    fn new(setup: Setup) -> Model {
        Model {
            setup,
            now: 0,
            step: 0,
            open: false,
            closed: false,
            late_invited: false,
            present: BTreeSet::new(),
            proxies: BTreeMap::new(),
            removed: BTreeSet::new(),
            items: Vec::new(),
            documents: Vec::new(),
            polls: Vec::new(),
            ballots: Vec::new(),
            requests: Vec::new(),
            conclusions: Vec::new(),
            directives: Vec::new(),
        }
    }

    /// The delegates set up, removed or not.
    pub(crate) fn delegates(&self) -> Vec<Who> {
        (0..self.setup.delegates.len()).map(Who::Delegate).collect()
    }

    /// Those who hold a voting right (as set up).
    pub(crate) fn voters(&self) -> Vec<Who> {
        let mut voters: Vec<Who> = self
            .setup
            .delegates
            .iter()
            .enumerate()
            .filter(|(_, seat)| seat.voting_right)
            .map(|(n, _)| Who::Delegate(n))
            .collect();
        if self.setup.chair_votes {
            voters.push(Who::Chair);
        }
        if self.late_invited {
            voters.push(Who::Late);
        }
        voters.retain(|who| !self.removed.contains(who));
        voters
    }

    /// Every participant.
    pub(crate) fn people(&self) -> Vec<Who> {
        let mut people = vec![Who::Chair, Who::Secretary, Who::Guest];
        people.extend(self.delegates());
        if self.late_invited {
            people.push(Who::Late);
        }
        people.retain(|who| !self.removed.contains(who));
        people
    }

    /// Whether `who` may vote in a poll, by the terms set up.
    pub(crate) fn may_vote(&self, who: Who, spec: &PollSpec) -> bool {
        let (voting_right, groups) = match who {
            Who::Delegate(n) => match self.setup.delegates.get(n) {
                Some(seat) => (seat.voting_right, seat.groups.clone()),
                None => return false,
            },
            Who::Chair => (self.setup.chair_votes, vec![group("g1")]),
            Who::Late => (self.late_invited, Vec::new()),
            _ => return false,
        };
        let wanted = &spec.eligibility.groups;
        voting_right && (wanted.is_empty() || groups.iter().any(|g| wanted.contains(g)))
    }

    /// Who goes by `id` among the participants; anyone else is an outsider.
    fn who_is(&self, id: &MemberId) -> Who {
        self.people()
            .into_iter()
            .find(|who| who.member().as_ref() == Some(id))
            .unwrap_or(Who::Outsider)
    }

    /// Whether a poll is open or paused.
    fn any_running(&self) -> bool {
        self.polls.iter().any(|p| p.status.is_running())
    }

    fn poll_mut(&mut self, poll: &PollId) -> Option<&mut ModelPoll> {
        self.polls.iter_mut().find(|p| &p.id == poll)
    }

    /// An id not used before: `prefix` and the number of the step.
    pub(crate) fn fresh(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.step)
    }
}

/// Whether the model thinks a spec will be accepted.
fn spec_valid(model: &Model, spec: &PollSpec) -> bool {
    spec.validate().is_ok()
        && spec
            .item
            .as_ref()
            .is_none_or(|item| model.items.contains(item))
}

//! The meeting a case starts from: the delegates' seats and the rules, generated, and
//! the roster that is invited from them.

use proptest::prelude::*;
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::meeting::settings::{MeetingSettings, ProxyPolicy, SpeakingTimes};
use quorum_domain::rules::{MajorityRule, PresenceRule, QuorumBase, QuorumRule, Threshold};
use quorum_domain::{GroupId, Role};

use super::dice::{Dice, Roll as _};
use super::who::{Who, group, member};

/// The meeting a case starts from: its delegates and rules.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub(crate) delegates: Vec<Seat>,
    pub(crate) chair_votes: bool,
    pub(crate) urgent: bool,
    pub(crate) settings: MeetingSettings,
}

/// A delegate's terms.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    pub(crate) weight: u32,
    pub(crate) groups: Vec<GroupId>,
    pub(crate) voting_right: bool,
}

/// Six to ten delegates, mostly with a voting right and a weight of 1, some in groups
/// `g1` and `g2`; a chair who votes or not; and rules drawn at random.
pub(crate) fn setup_strategy() -> BoxedStrategy<Setup> {
    let seat = (
        prop_oneof![6 => Just(1u32), 2 => Just(2u32), 1 => Just(3u32)],
        0usize..4,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(weight, groups, voting_right)| Seat {
            weight,
            groups: groups_from(groups),
            voting_right,
        });
    (
        prop::collection::vec(seat, 6..=10),
        any::<bool>(),
        prop::bool::weighted(0.25),
        prop::array::uniform16(any::<u32>()),
    )
        .prop_map(|(delegates, chair_votes, urgent, rolls)| Setup {
            delegates,
            chair_votes,
            urgent,
            settings: settings_from(&mut Dice::new(rolls)),
        })
        .boxed()
}

/// Rules drawn from the dice: a case's first settings, and those a `ChangeSettings`
/// command sends later.
pub(crate) fn settings_from(dice: &mut Dice) -> MeetingSettings {
    let quorum = match dice.roll(4) {
        0 => QuorumRule {
            threshold: Threshold::TWO_THIRDS,
            base: QuorumBase::AllMembers,
        },
        1 => QuorumRule {
            threshold: Threshold::MORE_THAN_HALF,
            base: QuorumBase::Stated {
                members: 1 + dice.roll(12) as u64,
            },
        },
        _ => QuorumRule::default(),
    };
    MeetingSettings {
        quorum,
        presence: PresenceRule {
            remote_counts: !dice.chance(25),
            proxies_count: dice.chance(50),
        },
        default_majority: MajorityRule::default(),
        proxies: ProxyPolicy {
            allowed: !dice.chance(10),
            max_per_holder: 1 + dice.roll(2) as u16,
        },
        speaking_times: SpeakingTimes::default(),
    }
}

/// Everyone invited at the start: the chair (in `g1`), the secretary, a guest and the
/// delegates of `setup`.
pub(crate) fn roster(setup: &Setup) -> Vec<Invitee> {
    let mut invitees = vec![
        invitee(
            "chair",
            Role::Chair,
            setup.chair_votes,
            1,
            vec![group("g1")],
        ),
        invitee("secretary", Role::Secretary, false, 1, Vec::new()),
        invitee("guest", Role::Guest, false, 1, Vec::new()),
    ];
    for (n, seat) in setup.delegates.iter().enumerate() {
        let id = Who::Delegate(n).member().unwrap();
        invitees.push(invitee(
            id.as_str(),
            Role::Delegate,
            seat.voting_right,
            seat.weight,
            seat.groups.clone(),
        ));
    }
    invitees
}

/// An invitee as the real rosters have them.
pub(crate) fn invitee(
    id: &str,
    role: Role,
    voting_right: bool,
    weight: u32,
    groups: Vec<GroupId>,
) -> Invitee {
    Invitee {
        member: member(id),
        name: format!("Đồng chí {id}"),
        position: "Đại biểu HĐND tỉnh".into(),
        unit: None,
        unit_name: String::new(),
        role,
        voting_right,
        weight,
        groups,
    }
}

/// Groups `g1` and `g2`, as bits 1 and 2 of `bits`.
pub(crate) fn groups_from(bits: usize) -> Vec<GroupId> {
    let mut groups = Vec::new();
    if bits & 1 != 0 {
        groups.push(group("g1"));
    }
    if bits & 2 != 0 {
        groups.push(group("g2"));
    }
    groups
}

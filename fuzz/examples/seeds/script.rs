//! How the meeting seeds are written: a script built step by step from typed commands,
//! and the commands most scripts share.

use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::poll::question::{Question, QuestionKind, Selection};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{Actor, MeetingCommand as C, Timestamp};
use quorum_fuzz::meeting::Step;

/// A script being written: steps a minute apart unless said otherwise.
#[derive(Default)]
pub(crate) struct Script(Vec<Step>);

impl Script {
    pub(crate) fn by(&mut self, actor: &str, command: C) -> &mut Script {
        self.after(actor, 60_000, command)
    }

    pub(crate) fn after(&mut self, actor: &str, advance: u64, command: C) -> &mut Script {
        let actor = match actor {
            "admin" => Actor::Admin,
            "hub" => Actor::System,
            _ => match actor.strip_prefix("unit:") {
                Some(unit) => Actor::Unit { unit: id(unit) },
                None => Actor::Member { member: id(actor) },
            },
        };
        self.0.push(Step {
            actor,
            advance,
            command,
        });
        self
    }

    /// The chair opens the meeting and the voters check in.
    pub(crate) fn opened(&mut self) -> &mut Script {
        self.by("chair", C::OpenMeeting);
        self.checked_in()
    }

    /// The voters check in (d03 from home).
    pub(crate) fn checked_in(&mut self) -> &mut Script {
        for member in ["chair", "d01", "d02", "d03"] {
            let mode = if member == "d03" {
                PresenceMode::Remote
            } else {
                PresenceMode::InRoom
            };
            self.after(member, 5_000, C::CheckIn { member: None, mode });
        }
        self
    }

    pub(crate) fn text(&self) -> String {
        self.0.iter().map(|step| step.line() + "\n").collect()
    }
}

pub(crate) fn id<T: TryFrom<String>>(value: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(value.to_owned()).expect("a valid id")
}

pub(crate) fn motion(poll: &str, secret: bool) -> C {
    C::CreatePoll {
        poll: id(poll),
        spec: PollSpec {
            title: "Thông qua Nghị quyết về dự toán ngân sách năm 2027".into(),
            item: None,
            questions: vec![Question {
                text: "Đồng ý thông qua dự thảo Nghị quyết?".into(),
                kind: QuestionKind::YesNoAbstain,
            }],
            secret,
            vote_change: false,
            visibility: ResultsVisibility::LiveToAll,
            eligibility: Eligibility::default(),
            majority: MajorityRule::more_than_half_of_all_members(),
        },
    }
}

pub(crate) fn open(poll: &str, deadline: Option<i64>) -> C {
    C::OpenPoll {
        poll: id(poll),
        deadline: deadline.map(Timestamp),
        override_quorum: false,
    }
}

pub(crate) fn cast(poll: &str, round: u32, ballot: &str, answer: Vec<u16>) -> C {
    C::CastBallot {
        poll: id(poll),
        round,
        ballot: id(ballot),
        seat: None,
        answers: vec![Selection(answer)],
        replaces: None,
    }
}

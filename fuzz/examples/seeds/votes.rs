//! Meeting seeds about votes: a named vote, a secret election with changed ballots and
//! a revote, proxies and a deadline, and a vote after changes to the roster.

use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::poll::question::{ABSTAIN, NO, Question, QuestionKind, Selection, YES};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{MeetingCommand as C, Role, Timestamp};
use quorum_fuzz::meeting::START;

use crate::script::{Script, cast, id, motion, open};

pub(crate) fn named_vote() -> String {
    let mut script = Script::default();
    script.opened();
    script.by(
        "secretary",
        C::AddItem {
            item: id("i1"),
            title: "Dự toán ngân sách năm 2027".into(),
            description: "Tờ trình của UBND xã.".into(),
            position: None,
        },
    );
    script.by(
        "chair",
        C::SetCurrentItem {
            item: Some(id("i1")),
        },
    );
    script.by("secretary", motion("p1", false));
    script.by("chair", open("p1", None));
    script.after("d01", 3_000, cast("p1", 1, "b-d01", vec![YES]));
    script.after("d02", 3_000, cast("p1", 1, "b-d02", vec![NO]));
    script.after("d03", 3_000, cast("p1", 1, "b-d03", vec![ABSTAIN]));
    script.after("chair", 3_000, cast("p1", 1, "b-chair", vec![YES]));
    script.by("chair", C::ClosePoll { poll: id("p1") });
    script.by("chair", C::PublishPoll { poll: id("p1") });
    script.by("chair", C::CloseMeeting);
    script.text()
}

pub(crate) fn secret_election() -> String {
    let mut script = Script::default();
    script.opened();
    let options = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"];
    let spec = PollSpec {
        title: "Bầu Ủy viên Thường trực".into(),
        item: None,
        questions: vec![Question {
            text: "Bầu 1 trong 3 ứng cử viên".into(),
            kind: QuestionKind::Select {
                options: options.iter().map(|name| (*name).to_owned()).collect(),
                min: 0,
                max: 1,
                seats: Some(1),
            },
        }],
        secret: true,
        vote_change: true,
        visibility: ResultsVisibility::AfterClose,
        eligibility: Eligibility {
            present_only: true,
            groups: Vec::new(),
        },
        majority: MajorityRule::more_than_half_of_all_members(),
    };
    script.by(
        "secretary",
        C::CreatePoll {
            poll: id("p2"),
            spec,
        },
    );
    script.by("chair", open("p2", None));
    script.after("d01", 2_000, cast("p2", 1, "b1", vec![0]));
    let change = C::CastBallot {
        poll: id("p2"),
        round: 1,
        ballot: id("b1-changed"),
        seat: None,
        answers: vec![Selection(vec![1])],
        replaces: Some(id("b1")),
    };
    script.after("d01", 2_000, change.clone());
    // A device that lost the acknowledgement sends the same ballot again.
    script.after("d01", 2_000, change);
    script.after("d02", 2_000, cast("p2", 1, "b2", vec![0]));
    script.after("d03", 2_000, cast("p2", 1, "b3", vec![1]));
    script.after("chair", 2_000, cast("p2", 1, "b4", vec![]));
    script.by("chair", C::ClosePoll { poll: id("p2") });
    script.by("chair", C::RevotePoll { poll: id("p2") });
    script.by("chair", open("p2", None));
    script.after("d01", 2_000, cast("p2", 2, "r2-b1", vec![1]));
    script.after("d02", 2_000, cast("p2", 2, "r2-b2", vec![1]));
    script.by("chair", C::ClosePoll { poll: id("p2") });
    script.text()
}

pub(crate) fn proxy_and_deadline() -> String {
    let mut script = Script::default();
    script.opened();
    script.by(
        "d03",
        C::GrantProxy {
            from: None,
            to: id("d01"),
        },
    );
    script.by("d03", C::CheckOut { member: None });
    script.by("secretary", motion("p3", false));
    let deadline = START + 60 * 60_000;
    script.by("chair", open("p3", Some(deadline)));
    let for_d03 = C::CastBallot {
        poll: id("p3"),
        round: 1,
        ballot: id("b-for-d03"),
        seat: Some(id("d03")),
        answers: vec![Selection::one(YES)],
        replaces: None,
    };
    script.after("d01", 1_000, for_d03);
    script.after("d01", 1_000, cast("p3", 1, "b-d01", vec![YES]));
    script.by("chair", C::PausePoll { poll: id("p3") });
    let resume = C::ResumePoll {
        poll: id("p3"),
        deadline: Some(Timestamp(deadline)),
    };
    script.by("chair", resume);
    // The hub's clock closes the poll once its deadline has passed.
    script.after("hub", 3_600_000, C::Tick);
    script.by("d03", C::RevokeProxy { from: None });
    script.text()
}

pub(crate) fn roster_changes() -> String {
    let mut script = Script::default();
    let late = Invitee {
        member: id("late"),
        name: "Đồng chí late".into(),
        position: "Đại biểu HĐND xã".into(),
        unit: None,
        unit_name: "HĐND xã".into(),
        role: Role::Delegate,
        voting_right: true,
        weight: 1,
        groups: vec![id("g2")],
    };
    script.by(
        "secretary",
        C::Invite {
            invitees: vec![late],
            group: None,
        },
    );
    let update = C::UpdateParticipant {
        member: id("d04"),
        role: Role::Delegate,
        voting_right: true,
        weight: 3,
        groups: vec![id("g1"), id("g2")],
    };
    script.by("secretary", update);
    script.by(
        "secretary",
        C::RemoveParticipant {
            member: id("guest"),
        },
    );
    script.opened();
    script.by(
        "secretary",
        C::CheckIn {
            member: Some(id("late")),
            mode: PresenceMode::InRoom,
        },
    );
    let mut spec = match motion("p4", false) {
        C::CreatePoll { spec, .. } => spec,
        _ => unreachable!("motion creates a poll"),
    };
    spec.eligibility.groups = vec![id("g2")];
    script.by(
        "secretary",
        C::CreatePoll {
            poll: id("p4"),
            spec,
        },
    );
    script.by(
        "chair",
        C::OpenPoll {
            poll: id("p4"),
            deadline: None,
            override_quorum: true,
        },
    );
    script.after("late", 1_000, cast("p4", 1, "b-late", vec![NO]));
    script.after("d03", 1_000, cast("p4", 1, "b-d03", vec![YES]));
    script.by(
        "chair",
        C::ShowOnProjector {
            display: ProjectorDisplay::Poll { poll: id("p4") },
        },
    );
    script.by(
        "secretary",
        C::CheckOut {
            member: Some(id("late")),
        },
    );
    script.by("chair", C::ClosePoll { poll: id("p4") });
    script.text()
}

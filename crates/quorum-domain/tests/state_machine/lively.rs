//! The meeting arbitrary commands start from, set up by commands that must all be
//! accepted.

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::document::DocumentStatus;
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::meeting::settings::{MeetingSettings, ProxyPolicy};
use quorum_domain::poll::question::{Question, QuestionKind, Selection};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{
    BallotId, DocumentId, FloorRequestId, ItemId, MeetingCommand, PollId, Timestamp,
};

use super::command::options;
use super::harness::Harness;
use super::setup::{Seat, Setup, groups_from};
use super::who::{Who, member};

/// The meeting arbitrary commands start from: open, with attendance, a proxy, an item
/// with documents of each access kind, polls of several kinds (open and draft), a few
/// ballots and a request for the floor — using the ids the schema walk draws from.
pub(crate) fn lively() -> Harness {
    let setup = Setup {
        delegates: [1, 1, 2, 1, 3, 1, 1, 1]
            .iter()
            .enumerate()
            .map(|(n, &weight)| Seat {
                weight,
                groups: groups_from(n % 4),
                voting_right: true,
            })
            .collect(),
        chair_votes: true,
        urgent: true,
        settings: MeetingSettings {
            proxies: ProxyPolicy {
                allowed: true,
                max_per_holder: 2,
            },
            ..MeetingSettings::default()
        },
    };
    let mut harness = Harness::new(&setup);
    let mut now = 0;
    let mut must = |harness: &mut Harness, who: Who, command: MeetingCommand| {
        now += 1_000;
        if let Err(rejection) = harness.run(&who.actor(), Timestamp(now), &command) {
            panic!("setting up, {command:?} was refused: {rejection}");
        }
    };
    use MeetingCommand as C;
    must(&mut harness, Who::Chair, C::OpenMeeting);
    for n in 0..6 {
        let mode = if n == 4 {
            PresenceMode::Remote
        } else {
            PresenceMode::InRoom
        };
        let command = C::CheckIn { member: None, mode };
        must(&mut harness, Who::Delegate(n), command);
    }
    let guest_in = C::CheckIn {
        member: None,
        mode: PresenceMode::InRoom,
    };
    must(&mut harness, Who::Guest, guest_in);
    let proxy = C::GrantProxy {
        from: None,
        to: member("d01"),
    };
    must(&mut harness, Who::Delegate(6), proxy);
    let item = C::AddItem {
        item: ItemId::new("i1").unwrap(),
        title: "Dự toán ngân sách năm 2027".into(),
        description: String::new(),
        position: None,
    };
    must(&mut harness, Who::Secretary, item);
    let accesses = [
        DocumentAccess::Named {
            members: BTreeSet::from([member("d01"), member("guest")]),
        },
        DocumentAccess::DelegatesOnly,
        DocumentAccess::Everyone,
    ];
    for (n, access) in accesses.into_iter().enumerate() {
        let document = Document {
            id: DocumentId::new(format!("doc{}", n + 1)).unwrap(),
            name: format!("Tài liệu {}", n + 1),
            content_hash: ContentHash::try_from("cd".repeat(32)).unwrap(),
            size: 1_024,
            media_type: "application/pdf".into(),
            access,
            status: DocumentStatus::default(),
        };
        let id = document.id.clone();
        let attach = C::AttachDocument {
            item: ItemId::new("i1").unwrap(),
            document,
        };
        must(&mut harness, Who::Secretary, attach);
        must(
            &mut harness,
            Who::Chair,
            C::ApproveDocument { document: id },
        );
    }
    let motion = Question {
        text: "Thông qua dự toán?".into(),
        kind: QuestionKind::YesNoAbstain,
    };
    let election = Question {
        text: "Bầu Ủy viên".into(),
        kind: QuestionKind::Select {
            options: options(4),
            min: 0,
            max: 2,
            seats: Some(2),
        },
    };
    let polls = [
        (
            "p1",
            motion.clone(),
            false,
            true,
            ResultsVisibility::LiveToAll,
            false,
        ),
        (
            "p2",
            motion.clone(),
            true,
            true,
            ResultsVisibility::AfterClose,
            false,
        ),
        (
            "p3",
            election,
            true,
            false,
            ResultsVisibility::LiveToChair,
            true,
        ),
        (
            "p4",
            motion,
            false,
            false,
            ResultsVisibility::AfterClose,
            false,
        ),
    ];
    for (id, question, secret, vote_change, visibility, present_only) in polls {
        let spec = PollSpec {
            title: format!("Biểu quyết {id}"),
            item: Some(ItemId::new("i1").unwrap()),
            questions: vec![question],
            secret,
            vote_change,
            visibility,
            eligibility: Eligibility {
                present_only,
                groups: Vec::new(),
            },
            majority: MajorityRule::simple_majority(),
        };
        let create = C::CreatePoll {
            poll: PollId::new(id).unwrap(),
            spec,
        };
        must(&mut harness, Who::Secretary, create);
    }
    for id in ["p1", "p2", "p3"] {
        let open = C::OpenPoll {
            poll: PollId::new(id).unwrap(),
            deadline: None,
            override_quorum: true,
        };
        must(&mut harness, Who::Chair, open);
    }
    for (who, poll, ballot, answer) in [
        (Who::Delegate(0), "p1", "b1", vec![0]),
        (Who::Delegate(1), "p2", "b2", vec![1]),
        (Who::Delegate(2), "p3", "b3", vec![0, 2]),
    ] {
        let cast = C::CastBallot {
            poll: PollId::new(poll).unwrap(),
            round: 1,
            ballot: BallotId::new(ballot).unwrap(),
            seat: None,
            answers: vec![Selection(answer)],
            replaces: None,
        };
        must(&mut harness, who, cast);
    }
    let request = C::RequestFloor {
        request: FloorRequestId::new("r1").unwrap(),
        kind: FloorKind::Speech,
        topic: String::new(),
        addressed_to: None,
    };
    must(&mut harness, Who::Delegate(2), request);
    harness
}

/// Where the arbitrary commands' clock starts: after the setting up of [`lively`].
pub(crate) const LIVELY_CLOCK: i64 = 100_000;

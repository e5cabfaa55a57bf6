//! A meeting run through the real engine, as its record: seats in the room, remote, by
//! proxy and absent, the speakers' list, a named motion, a secret motion, a named choice,
//! a conclusion and a directive.

use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::{ABSTAIN, NO, Question, QuestionKind, Selection, YES};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingId, Role, Timestamp, Viewer,
};
use quorum_minutes::{Audit, Record};

use crate::{ELECTION, ITEM, START, TITLE};

struct Hall {
    meeting: Meeting,
    log: Vec<EventRecord>,
    now: i64,
}

impl Hall {
    fn ok(&mut self, actor: &str, command: MeetingCommand) {
        self.now += 60_000;
        let actor = if actor == "admin" {
            Actor::Admin
        } else {
            Actor::Member {
                member: actor.try_into().unwrap(),
            }
        };
        let description = format!("{command:?}");
        let (records, _) = self
            .meeting
            .execute(&actor, Timestamp(self.now), &command)
            .unwrap_or_else(|error| panic!("{description} refused: {error}"));
        self.log.extend(records);
    }

    fn vote(&mut self, actor: &str, poll: &str, seat: Option<&str>, answer: Selection) {
        let ballot = format!("b-{actor}-{}-{poll}", seat.unwrap_or("own"));
        self.ok(
            actor,
            MeetingCommand::CastBallot {
                poll: poll.try_into().unwrap(),
                round: 1,
                ballot: ballot.as_str().try_into().unwrap(),
                seat: seat.map(|seat| seat.try_into().unwrap()),
                answers: vec![answer],
                replaces: None,
            },
        );
    }

    fn finish_poll(&mut self, poll: &str) {
        for command in [
            MeetingCommand::ClosePoll {
                poll: poll.try_into().unwrap(),
            },
            MeetingCommand::PublishPoll {
                poll: poll.try_into().unwrap(),
            },
        ] {
            self.ok("chair", command);
        }
    }
}

fn poll(
    title: &str,
    item: &str,
    kind: QuestionKind,
    secret: bool,
    majority: MajorityRule,
) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: Some(item.try_into().unwrap()),
        questions: vec![Question {
            text: title.into(),
            kind,
        }],
        secret,
        vote_change: false,
        visibility: ResultsVisibility::AfterClose,
        eligibility: Eligibility::default(),
        majority,
    }
}

/// A meeting: 6 voting seats (one absent with a proxy, one absent), a named motion
/// (passed 3–1–1 by a simple majority), a secret motion (not passed 2–3) and a named election.
pub(crate) fn record() -> Record {
    let event = Meeting::create(
        MeetingId::new("hdnd-xa-12").unwrap(),
        &Actor::Admin,
        CreateMeeting {
            details: MeetingDetails {
                title: TITLE.into(),
                kind: MeetingKind::Routine,
                location: "Hội trường UBND xã Tân Phước".into(),
                scheduled_at: Timestamp(START),
            },
            settings: MeetingSettings::default(),
        },
    )
    .unwrap();
    let first = EventRecord {
        seq: 1,
        at: Timestamp(START),
        event,
    };
    let mut hall = Hall {
        meeting: Meeting::from_created(&first).unwrap(),
        log: vec![first],
        now: START,
    };
    let invitee = |id: &str, name: &str, role: Role, voting_right: bool| Invitee {
        member: id.try_into().unwrap(),
        name: name.into(),
        position: "Đại biểu".into(),
        unit: None,
        unit_name: "Hội đồng nhân dân xã Tân Phước".into(),
        role,
        voting_right,
        weight: 1,
        groups: Vec::new(),
    };
    hall.ok(
        "admin",
        MeetingCommand::Invite {
            invitees: vec![
                invitee("chair", "Trần Văn Hùng", Role::Chair, true),
                invitee("sec", "Lê Thị Mai", Role::Secretary, false),
                invitee("d1", "Nguyễn Văn An", Role::Delegate, true),
                invitee("d2", "Phạm Thị Bích", Role::Delegate, true),
                invitee("d3", "Hoàng Đức Long", Role::Delegate, true),
                invitee("d4", "Vũ Thị Hương", Role::Delegate, true),
                invitee("d5", "Đặng Quốc Việt", Role::Delegate, true),
                invitee("guest", "Ngô Thị Khách", Role::Guest, false),
            ],
            group: None,
        },
    );
    for (item, title) in [("nd-1", ITEM), ("nd-2", ELECTION)] {
        hall.ok(
            "sec",
            MeetingCommand::AddItem {
                item: item.try_into().unwrap(),
                title: title.into(),
                description: String::new(),
                position: None,
            },
        );
    }
    hall.ok("chair", MeetingCommand::OpenMeeting);
    for (member, mode) in [
        ("chair", PresenceMode::InRoom),
        ("sec", PresenceMode::InRoom),
        ("d1", PresenceMode::InRoom),
        ("d2", PresenceMode::Remote),
        ("d3", PresenceMode::InRoom),
    ] {
        hall.ok(member, MeetingCommand::CheckIn { member: None, mode });
    }
    hall.ok(
        "d4",
        MeetingCommand::GrantProxy {
            from: None,
            to: "d1".try_into().unwrap(),
        },
    );
    hall.ok(
        "chair",
        MeetingCommand::SetCurrentItem {
            item: Some("nd-1".try_into().unwrap()),
        },
    );
    hall.ok(
        "d2",
        MeetingCommand::RequestFloor {
            request: "r1".try_into().unwrap(),
            kind: FloorKind::Speech,
            topic: "Đề nghị tăng vốn cho giao thông nông thôn".into(),
            addressed_to: None,
        },
    );
    hall.ok(
        "chair",
        MeetingCommand::GrantFloor {
            request: "r1".try_into().unwrap(),
            duration: None,
        },
    );
    hall.ok("chair", MeetingCommand::EndFloor);

    let motion = QuestionKind::YesNoAbstain;
    let specs = [
        (
            "bq-1",
            poll(
                ITEM,
                "nd-1",
                motion.clone(),
                false,
                MajorityRule::simple_majority(),
            ),
        ),
        (
            "bq-2",
            poll(
                "Thông qua dự toán ngân sách xã năm 2027",
                "nd-1",
                motion,
                true,
                MajorityRule::more_than_half_of_all_members(),
            ),
        ),
        (
            "bq-3",
            poll(
                ELECTION,
                "nd-2",
                QuestionKind::OneOf {
                    options: vec!["Nguyễn Văn An".into(), "Phạm Thị Bích".into()],
                },
                false,
                MajorityRule::more_than_half_of_all_members(),
            ),
        ),
    ];
    for (id, spec) in specs {
        hall.ok(
            "sec",
            MeetingCommand::CreatePoll {
                poll: id.try_into().unwrap(),
                spec,
            },
        );
    }
    let open = |poll: &str| MeetingCommand::OpenPoll {
        poll: poll.try_into().unwrap(),
        deadline: None,
        override_quorum: false,
    };
    hall.ok("chair", open("bq-1"));
    hall.vote("chair", "bq-1", None, Selection::one(YES));
    hall.vote("d1", "bq-1", None, Selection::one(YES));
    hall.vote("d1", "bq-1", Some("d4"), Selection::one(NO));
    hall.vote("d2", "bq-1", None, Selection::one(ABSTAIN));
    hall.vote("d3", "bq-1", None, Selection::one(YES));
    hall.finish_poll("bq-1");
    hall.ok("chair", open("bq-2"));
    hall.vote("chair", "bq-2", None, Selection::one(YES));
    hall.vote("d1", "bq-2", None, Selection::one(NO));
    hall.vote("d1", "bq-2", Some("d4"), Selection::one(NO));
    hall.vote("d2", "bq-2", None, Selection::one(YES));
    hall.vote("d3", "bq-2", None, Selection::one(NO));
    hall.finish_poll("bq-2");
    hall.ok("chair", open("bq-3"));
    for voter in ["chair", "d1", "d2", "d3"] {
        hall.vote(
            voter,
            "bq-3",
            None,
            Selection::one(u16::from(voter == "d2")),
        );
    }
    hall.vote("d1", "bq-3", Some("d4"), Selection::one(0));
    hall.finish_poll("bq-3");
    hall.ok(
        "sec",
        MeetingCommand::RecordConclusion {
            conclusion: "kl-1".try_into().unwrap(),
            item: Some("nd-1".try_into().unwrap()),
            text: "Thống nhất trình kế hoạch năm 2027 & giao UBND xã hoàn thiện.".into(),
        },
    );
    hall.ok(
        "sec",
        MeetingCommand::IssueDirective {
            directive: "cd-1".try_into().unwrap(),
            item: Some("nd-1".try_into().unwrap()),
            unit: "ubnd-xa".try_into().unwrap(),
            unit_name: "Ủy ban nhân dân xã".into(),
            text: "Hoàn thiện hồ sơ kế hoạch, gửi Thường trực HĐND.".into(),
            due: Some(Timestamp(START + 7 * 86_400_000)),
        },
    );
    hall.ok("chair", MeetingCommand::CloseMeeting);
    let view = hall.meeting.view(&Viewer::Admin).unwrap();
    Record {
        format: quorum_minutes::RECORD_FORMAT.into(),
        meeting: MeetingId::new("hdnd-xa-12").unwrap(),
        exported_at: Timestamp(hall.now + 60_000),
        events: hall.log,
        view,
        audit: Some(Audit {
            head_seq: 99,
            head_hash: "ab".repeat(32),
        }),
        receipts: Vec::new(),
    }
}

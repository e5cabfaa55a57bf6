//! Whole meetings through the engine, as the people in them would live them: an urgent
//! meeting convened with alerts and answers, the speakers' list, conclusions and
//! directives, a closed meeting, what each screen sees of documents and secret polls, and
//! what the chair puts on the hall projector.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::outcome::DirectiveStatus;
use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::meeting::roster::{AlertAnswer, Invitee, PresenceMode};
use quorum_domain::meeting::settings::{
    MeetingDetails, MeetingKind, MeetingSettings, MeetingStatus,
};
use quorum_domain::poll::question::{Question, QuestionKind, Selection};
use quorum_domain::poll::{Eligibility, PollSpec, PollStatus, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::view::Audience;
use quorum_domain::{
    Actor, BallotId, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingEvent, MeetingId,
    Millis, Role, Timestamp, ViewChange, Viewer,
};

struct Hall {
    meeting: Meeting,
    log: Vec<EventRecord>,
    now: i64,
}

impl Hall {
    fn new(kind: MeetingKind) -> Hall {
        let event = Meeting::create(
            MeetingId::new("m1").unwrap(),
            &Actor::Admin,
            CreateMeeting {
                details: MeetingDetails {
                    title: "Họp khẩn ứng phó bão số 9".into(),
                    kind,
                    location: "Phòng họp trực tuyến".into(),
                    scheduled_at: Timestamp(0),
                },
                settings: MeetingSettings::default(),
            },
        )
        .unwrap();
        let first = EventRecord {
            seq: 1,
            at: Timestamp(0),
            event,
        };
        let mut hall = Hall {
            meeting: Meeting::from_created(&first).unwrap(),
            log: vec![first],
            now: 0,
        };
        let invitee = |id: &str, role: Role, voting_right: bool| Invitee {
            member: id.try_into().unwrap(),
            name: format!("Người {id}"),
            position: String::new(),
            unit: None,
            unit_name: "UBND tỉnh".into(),
            role,
            voting_right,
            weight: 1,
            groups: Vec::new(),
        };
        hall.ok(
            Actor::Admin,
            MeetingCommand::Invite {
                invitees: vec![
                    invitee("chair", Role::Chair, true),
                    invitee("sec", Role::Secretary, false),
                    invitee("d1", Role::Delegate, true),
                    invitee("d2", Role::Delegate, true),
                    invitee("d3", Role::Delegate, true),
                    invitee("guest", Role::Guest, false),
                ],
                group: None,
            },
        );
        hall
    }

    fn run(&mut self, actor: Actor, command: MeetingCommand) -> Result<Vec<EventRecord>, String> {
        self.now += 1_000;
        self.meeting
            .execute(&actor, Timestamp(self.now), &command)
            .map(|(records, _)| {
                self.log.extend(records.iter().cloned());
                records
            })
            .map_err(|error| match error {
                quorum_domain::ExecuteError::Rejected(rejection) => rejection.code.to_string(),
                other => panic!("{other}"),
            })
    }

    fn ok(&mut self, actor: Actor, command: MeetingCommand) -> Vec<EventRecord> {
        let description = format!("{command:?}");
        self.run(actor, command)
            .unwrap_or_else(|code| panic!("{description} refused: {code}"))
    }

    fn refused(&mut self, actor: Actor, command: MeetingCommand) -> String {
        let before = self.meeting.clone();
        let code = self.run(actor, command).expect_err("expected a rejection");
        assert_eq!(self.meeting, before, "a rejection changed the state");
        code
    }
}

fn member(id: &str) -> Actor {
    Actor::Member {
        member: id.try_into().unwrap(),
    }
}

fn viewer(id: &str) -> Viewer {
    Viewer::Member {
        member: id.try_into().unwrap(),
    }
}

#[test]
fn an_urgent_meeting_is_convened_and_answers_are_tracked() {
    let mut hall = Hall::new(MeetingKind::Urgent);
    // One action opens the meeting and alerts everyone.
    let records = hall.ok(
        member("sec"),
        MeetingCommand::Convene {
            message: "Triệu tập họp khẩn lúc 14:00".into(),
        },
    );
    assert!(matches!(
        records[0].event,
        MeetingEvent::MeetingOpened { .. }
    ));
    assert!(matches!(
        records[1].event,
        MeetingEvent::AlertRaised { number: 1, .. }
    ));
    assert_eq!(
        hall.refused(
            member("d1"),
            MeetingCommand::Convene {
                message: "x".into()
            }
        ),
        "not_permitted"
    );
    // Once open, convening again only repeats the alert.
    let again = hall.ok(
        member("chair"),
        MeetingCommand::Convene {
            message: "Nhắc lại: họp khẩn lúc 14:00".into(),
        },
    );
    assert!(matches!(
        again[..],
        [EventRecord {
            event: MeetingEvent::AlertRaised { number: 2, .. },
            ..
        }]
    ));
    hall.ok(
        member("d1"),
        MeetingCommand::AnswerAlert {
            answer: AlertAnswer::JoiningRemotely,
        },
    );
    hall.ok(
        member("d2"),
        MeetingCommand::AnswerAlert {
            answer: AlertAnswer::CannotAttend {
                reason: "Đang trực tại hiện trường sạt lở".into(),
            },
        },
    );
    hall.ok(
        member("d1"),
        MeetingCommand::CheckIn {
            member: None,
            mode: PresenceMode::Remote,
        },
    );
    let alert = hall.meeting.view(&viewer("d3")).unwrap().alert.unwrap();
    assert_eq!(alert.answers.joining_remotely, 1);
    assert_eq!(alert.answers.cannot_attend, 1);
    assert_eq!(alert.answers.unanswered, 4);
    // Only the chair's console sees who answered what.
    let keeper = hall.meeting.view(&viewer("sec")).unwrap();
    let d2 = keeper
        .participants
        .iter()
        .find(|p| p.member.as_str() == "d2")
        .unwrap();
    assert!(matches!(
        d2.alert_answer.as_ref().map(|a| &a.answer),
        Some(AlertAnswer::CannotAttend { .. })
    ));
    let other = hall.meeting.view(&viewer("d3")).unwrap();
    assert!(
        other
            .participants
            .iter()
            .all(|p| p.alert_answer.is_none() || p.member.as_str() == "d3")
    );
    // A remote delegate counts towards the quorum.
    assert_eq!(hall.meeting.quorum().remote, 1);
}

#[test]
fn a_routine_meeting_raises_no_alert() {
    let mut hall = Hall::new(MeetingKind::Routine);
    let code = hall.refused(
        member("chair"),
        MeetingCommand::RaiseAlert {
            message: "x".into(),
        },
    );
    assert_eq!(code, "not_urgent");
    let code = hall.refused(
        member("chair"),
        MeetingCommand::Convene {
            message: "x".into(),
        },
    );
    assert_eq!(code, "not_urgent");
    assert_eq!(hall.meeting.status(), MeetingStatus::Scheduled);
    let code = hall.refused(
        member("d1"),
        MeetingCommand::AnswerAlert {
            answer: AlertAnswer::Received,
        },
    );
    assert_eq!(code, "no_alert");
}

#[test]
fn the_speakers_list_puts_points_of_order_first_and_keeps_the_timer() {
    let mut hall = Hall::new(MeetingKind::Routine);
    hall.ok(member("chair"), MeetingCommand::OpenMeeting);
    let request = |id: &str, kind| MeetingCommand::RequestFloor {
        request: id.try_into().unwrap(),
        kind,
        topic: "Ý kiến".into(),
        addressed_to: None,
    };
    hall.ok(member("d1"), request("r1", FloorKind::Speech));
    hall.ok(member("d2"), request("r2", FloorKind::Interpellation));
    hall.ok(member("d3"), request("r3", FloorKind::PointOfOrder));
    assert_eq!(
        hall.refused(member("d1"), request("r4", FloorKind::Speech)),
        "already_requested"
    );
    assert_eq!(
        hall.refused(member("guest"), request("r5", FloorKind::PointOfOrder)),
        "not_permitted"
    );
    let queue: Vec<String> = hall
        .meeting
        .floor()
        .queue()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(queue, ["r3", "r1", "r2"]);
    assert_eq!(
        hall.refused(
            member("d1"),
            MeetingCommand::GrantFloor {
                request: "r1".try_into().unwrap(),
                duration: None
            }
        ),
        "not_permitted"
    );
    hall.ok(
        member("chair"),
        MeetingCommand::GrantFloor {
            request: "r3".try_into().unwrap(),
            duration: None,
        },
    );
    let speaking = hall.meeting.floor().current.clone().unwrap();
    assert_eq!(speaking.allowed, Millis::minutes(1));
    hall.ok(
        member("chair"),
        MeetingCommand::ExtendFloor {
            extra: Millis::seconds(30),
        },
    );
    // Granting the next request ends the current turn.
    let records = hall.ok(
        member("chair"),
        MeetingCommand::GrantFloor {
            request: "r1".try_into().unwrap(),
            duration: Some(Millis::minutes(2)),
        },
    );
    assert!(matches!(records[0].event, MeetingEvent::FloorEnded { .. }));
    assert_eq!(hall.meeting.floor().speeches.len(), 1);
    // The speaker may yield the floor.
    hall.ok(member("d1"), MeetingCommand::EndFloor);
    assert_eq!(
        hall.refused(member("chair"), MeetingCommand::EndFloor),
        "floor_not_held"
    );
    hall.ok(
        member("d2"),
        MeetingCommand::WithdrawFloorRequest {
            request: "r2".try_into().unwrap(),
        },
    );
    assert!(hall.meeting.floor().queue().is_empty());
}

#[test]
fn conclusions_and_directives_outlive_the_session() {
    let mut hall = Hall::new(MeetingKind::Routine);
    hall.ok(member("chair"), MeetingCommand::OpenMeeting);
    hall.ok(
        member("chair"),
        MeetingCommand::RecordConclusion {
            conclusion: "kl-1".try_into().unwrap(),
            item: None,
            text: "Thống nhất phương án sơ tán dân cư vùng trũng.".into(),
        },
    );
    hall.ok(
        member("sec"),
        MeetingCommand::IssueDirective {
            directive: "cd-1".try_into().unwrap(),
            item: None,
            unit: "so-nn".try_into().unwrap(),
            unit_name: "Sở Nông nghiệp và Môi trường".into(),
            text: "Rà soát hồ đập xung yếu, báo cáo trước 17:00.".into(),
            due: Some(Timestamp(50_000)),
        },
    );
    hall.ok(member("chair"), MeetingCommand::CloseMeeting);
    assert_eq!(
        hall.refused(
            member("chair"),
            MeetingCommand::RecordConclusion {
                conclusion: "kl-2".try_into().unwrap(),
                item: None,
                text: "x".into(),
            }
        ),
        "meeting_closed"
    );
    hall.ok(
        member("sec"),
        MeetingCommand::UpdateDirective {
            directive: "cd-1".try_into().unwrap(),
            status: DirectiveStatus::Acknowledged,
        },
    );
    let directive = hall.meeting.directives().next().unwrap();
    assert_eq!(directive.status, DirectiveStatus::Acknowledged);
    assert!(directive.is_overdue(Timestamp(60_000)));
    assert_eq!(
        hall.refused(
            member("sec"),
            MeetingCommand::UpdateDirective {
                directive: "cd-1".try_into().unwrap(),
                status: DirectiveStatus::Assigned,
            }
        ),
        "directive_transition"
    );
    assert_eq!(Meeting::replay(hall.log.iter()).unwrap(), hall.meeting);
}

fn document(id: &str, access: DocumentAccess) -> MeetingCommand {
    MeetingCommand::AttachDocument {
        item: "nd-1".try_into().unwrap(),
        document: Document {
            id: id.try_into().unwrap(),
            name: format!("{id}.pdf"),
            content_hash: ContentHash::try_from("ab".repeat(32)).unwrap(),
            size: 1_000,
            media_type: "application/pdf".into(),
            access,
            status: Default::default(),
        },
    }
}

#[test]
fn each_screen_sees_only_the_documents_it_may_read() {
    let mut hall = Hall::new(MeetingKind::Routine);
    hall.ok(
        member("sec"),
        MeetingCommand::AddItem {
            item: "nd-1".try_into().unwrap(),
            title: "Báo cáo tình hình".into(),
            description: String::new(),
            position: None,
        },
    );
    hall.ok(member("sec"), document("public", DocumentAccess::Everyone));
    hall.ok(
        member("sec"),
        document("delegates", DocumentAccess::DelegatesOnly),
    );
    hall.ok(
        member("sec"),
        document(
            "named",
            DocumentAccess::Named {
                members: BTreeSet::from(["d2".try_into().unwrap()]),
            },
        ),
    );
    for id in ["public", "delegates", "named"] {
        hall.ok(
            member("chair"),
            MeetingCommand::ApproveDocument {
                document: id.try_into().unwrap(),
            },
        );
    }
    let seen = |viewer: &Viewer, hall: &Hall| -> Vec<String> {
        hall.meeting.view(viewer).unwrap().agenda.items[0]
            .documents
            .iter()
            .map(|d| d.id.to_string())
            .collect()
    };
    assert_eq!(seen(&viewer("guest"), &hall), ["public"]);
    assert_eq!(seen(&Viewer::Projector, &hall), ["public"]);
    assert_eq!(seen(&viewer("d1"), &hall), ["public", "delegates"]);
    assert_eq!(seen(&viewer("d2"), &hall), ["public", "delegates", "named"]);
    assert_eq!(
        seen(&viewer("sec"), &hall),
        ["public", "delegates", "named"]
    );
    assert_eq!(
        seen(&Viewer::Admin, &hall),
        ["public", "delegates", "named"]
    );
    assert!(hall.meeting.view(&viewer("stranger")).is_none());
    // Changes are filtered by the same rule.
    let records = hall.ok(
        member("sec"),
        MeetingCommand::SetDocumentAccess {
            document: "named".try_into().unwrap(),
            access: DocumentAccess::Everyone,
        },
    );
    let changes = hall
        .meeting
        .view_changes(&records[0].event, &viewer("guest"))
        .unwrap();
    let ViewChange::Agenda { agenda } = &changes[0] else {
        panic!("expected the agenda, got {changes:?}");
    };
    assert_eq!(agenda.items[0].documents.len(), 2);
}

#[test]
fn a_secret_poll_shows_only_progress_until_published() {
    let mut hall = Hall::new(MeetingKind::Routine);
    hall.ok(member("chair"), MeetingCommand::OpenMeeting);
    for id in ["chair", "d1", "d2", "d3"] {
        hall.ok(
            member(id),
            MeetingCommand::CheckIn {
                member: None,
                mode: PresenceMode::InRoom,
            },
        );
    }
    hall.ok(
        member("sec"),
        MeetingCommand::CreatePoll {
            poll: "bq".try_into().unwrap(),
            spec: PollSpec {
                title: "Lấy phiếu tín nhiệm".into(),
                item: None,
                questions: vec![Question {
                    text: "Ông A".into(),
                    kind: QuestionKind::OneOf {
                        options: vec!["Cao".into(), "Tín nhiệm".into(), "Thấp".into()],
                    },
                }],
                secret: true,
                vote_change: false,
                visibility: ResultsVisibility::AfterClose,
                eligibility: Eligibility::default(),
                majority: MajorityRule::more_than_half_of_all_members(),
            },
        },
    );
    // A draft is for the chair's console only.
    assert!(hall.meeting.view(&viewer("d1")).unwrap().polls.is_empty());
    assert_eq!(hall.meeting.view(&viewer("sec")).unwrap().polls.len(), 1);
    hall.ok(
        member("chair"),
        MeetingCommand::OpenPoll {
            poll: "bq".try_into().unwrap(),
            deadline: None,
            override_quorum: false,
        },
    );
    let cast = |ballot: &str, choice: u16| MeetingCommand::CastBallot {
        poll: "bq".try_into().unwrap(),
        round: 1,
        ballot: BallotId::new(ballot).unwrap(),
        seat: None,
        answers: vec![Selection::one(choice)],
        replaces: None,
    };
    let records = hall.ok(member("d1"), cast("b1", 2));
    assert!(matches!(
        records[0].event,
        MeetingEvent::VoteRegistered { .. }
    ));
    assert!(matches!(
        records[1].event,
        MeetingEvent::SecretBallotCast { .. }
    ));
    hall.ok(member("d2"), cast("b2", 0));
    for (who, audience) in [
        (viewer("chair"), Audience::Keeper),
        (viewer("d3"), Audience::Delegate),
        (Viewer::Projector, Audience::Projector),
    ] {
        let view = hall.meeting.view(&who).unwrap();
        assert_eq!(view.audience, audience);
        let poll = &view.polls[0];
        assert_eq!((poll.progress.voted, poll.progress.entitled), (2, 4));
        assert!(
            poll.results.is_none(),
            "{audience:?} sees results of an open poll"
        );
        assert!(
            poll.voters.is_none(),
            "{audience:?} sees who voted in a secret poll"
        );
        for record in &records {
            for change in hall.meeting.view_changes(&record.event, &who).unwrap() {
                assert!(!matches!(change, ViewChange::SeatVoted { .. }));
            }
        }
    }
    // The voter sees that their seat voted, but the state cannot tell them how.
    let mine = &hall.meeting.view(&viewer("d1")).unwrap().polls[0].my_seats;
    assert!(mine[0].voted && mine[0].receipt.is_none());
    hall.ok(
        member("chair"),
        MeetingCommand::ClosePoll {
            poll: "bq".try_into().unwrap(),
        },
    );
    assert!(
        hall.meeting.view(&viewer("chair")).unwrap().polls[0]
            .results
            .is_some()
    );
    assert!(
        hall.meeting.view(&viewer("d3")).unwrap().polls[0]
            .results
            .is_none()
    );
    hall.ok(
        member("chair"),
        MeetingCommand::PublishPoll {
            poll: "bq".try_into().unwrap(),
        },
    );
    let published = &hall.meeting.view(&viewer("d3")).unwrap().polls[0];
    assert_eq!(published.status, PollStatus::Published);
    let results = published.results.as_ref().unwrap();
    assert_eq!(results.tally.questions[0].options[0].ballots, 1);
    assert_eq!(published.receipts.as_ref().unwrap().len(), 2);
    assert!(published.voters.is_none());
    // Nothing in the persisted events pairs a seat with a choice.
    for record in &hall.log {
        let json = serde_json::to_value(&record.event).unwrap();
        let has_seat = json.get("seat").is_some() || json.get("cast_by").is_some();
        let has_choice = json.get("answers").is_some();
        assert!(
            !(has_seat && has_choice),
            "event {} pairs a seat with a choice",
            record.seq
        );
    }
}

#[test]
fn the_chair_chooses_what_the_projector_shows() {
    let mut hall = Hall::new(MeetingKind::Routine);
    // Before the session opens, the chair may already put up the welcome screen.
    assert_eq!(hall.meeting.projector(), &ProjectorDisplay::Auto);
    hall.ok(
        member("chair"),
        MeetingCommand::ShowOnProjector {
            display: ProjectorDisplay::Welcome,
        },
    );
    hall.ok(member("chair"), MeetingCommand::OpenMeeting);
    let show = |display| MeetingCommand::ShowOnProjector { display };
    let poll = |id: &str| ProjectorDisplay::Poll {
        poll: id.try_into().unwrap(),
    };
    assert_eq!(
        hall.refused(member("d1"), show(ProjectorDisplay::Quorum)),
        "not_permitted"
    );
    assert_eq!(
        hall.refused(Actor::Admin, show(ProjectorDisplay::Quorum)),
        "not_permitted"
    );
    assert_eq!(hall.refused(member("chair"), show(poll("bq"))), "unknown");
    hall.ok(
        member("sec"),
        MeetingCommand::CreatePoll {
            poll: "bq".try_into().unwrap(),
            spec: PollSpec {
                title: "Thông qua kế hoạch".into(),
                item: None,
                questions: vec![Question {
                    text: "Đồng ý?".into(),
                    kind: QuestionKind::YesNoAbstain,
                }],
                secret: false,
                vote_change: false,
                visibility: ResultsVisibility::LiveToAll,
                eligibility: Eligibility::default(),
                majority: MajorityRule::more_than_half_of_all_members(),
            },
        },
    );
    // A draft stays on the chair's console.
    assert_eq!(
        hall.refused(member("chair"), show(poll("bq"))),
        "poll_not_open"
    );
    hall.ok(
        member("chair"),
        MeetingCommand::OpenPoll {
            poll: "bq".try_into().unwrap(),
            deadline: None,
            override_quorum: true,
        },
    );
    // The secretary, who runs the hall's screens with the chair, may choose too.
    let records = hall.ok(member("sec"), show(poll("bq")));
    assert!(matches!(
        records[..],
        [EventRecord {
            event: MeetingEvent::ProjectorDisplaySet { .. },
            ..
        }]
    ));
    // Choosing what is already on show changes nothing.
    assert!(hall.ok(member("chair"), show(poll("bq"))).is_empty());
    // Every screen is told, the projector included.
    for who in [
        viewer("chair"),
        viewer("d1"),
        viewer("guest"),
        Viewer::Projector,
    ] {
        let changes = hall.meeting.view_changes(&records[0].event, &who).unwrap();
        assert_eq!(
            changes,
            [ViewChange::Projector {
                projector: poll("bq")
            }]
        );
        assert_eq!(hall.meeting.view(&who).unwrap().projector, poll("bq"));
    }
    // A revote puts the poll back to a draft; having run, it may stay on the screen.
    hall.ok(
        member("chair"),
        MeetingCommand::RevotePoll {
            poll: "bq".try_into().unwrap(),
        },
    );
    hall.ok(member("chair"), show(ProjectorDisplay::Speaker));
    hall.ok(member("chair"), show(poll("bq")));
    assert_eq!(Meeting::replay(hall.log.iter()).unwrap(), hall.meeting);
    // The wire form, as the protocol documents it.
    assert_eq!(
        serde_json::to_value(show(poll("bq"))).unwrap(),
        serde_json::json!({"type": "show_on_projector", "display": {"kind": "poll", "poll": "bq"}})
    );
}

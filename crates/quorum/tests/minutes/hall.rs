//! The devices in the hall: the chair and delegates on their WebSockets, the secretary
//! over REST, running the meeting whose minutes are checked.

use std::collections::BTreeMap;

use quorum_client::{CommandOutcome, Connection, Http};
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::poll::question::{ABSTAIN, NO, Question, QuestionKind, Selection, YES};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{MeetingCommand, MeetingId, Timestamp};

use crate::{ELECTION, ITEM, SECRET, WAIT};

/// The devices in the hall.
pub(crate) struct Hall {
    pub(crate) devices: BTreeMap<&'static str, Connection>,
    pub(crate) meeting: MeetingId,
    pub(crate) http: Http,
    pub(crate) tokens: BTreeMap<String, String>,
}

impl Hall {
    /// A command from a device over its WebSocket, which must be acknowledged.
    async fn ws(&mut self, member: &str, command: MeetingCommand) {
        let description = format!("{member}: {command:?}");
        let device = self.devices.get_mut(member).unwrap();
        let outcome = tokio::time::timeout(WAIT, device.command(&self.meeting, command))
            .await
            .unwrap()
            .unwrap();
        assert!(
            matches!(outcome, CommandOutcome::Acked { .. }),
            "{description}: {outcome:?}"
        );
    }

    /// A command over REST, as the secretary's screen sends it.
    async fn rest(&self, member: &str, command: MeetingCommand) {
        let body = serde_json::json!({ "command": command });
        let _: serde_json::Value = self
            .http
            .post_json(
                &format!("/api/meetings/{}/commands", self.meeting),
                Some(&self.tokens[member]),
                &body,
            )
            .await
            .unwrap_or_else(|error| panic!("{member}: {command:?}: {error}"));
    }

    async fn vote(&mut self, member: &str, poll: &str, seat: Option<&str>, answer: u16) {
        let ballot = format!("b-{member}-{}-{poll}", seat.unwrap_or("own"));
        let cast = MeetingCommand::CastBallot {
            poll: poll.try_into().unwrap(),
            round: 1,
            ballot: ballot.as_str().try_into().unwrap(),
            seat: seat.map(|seat| seat.try_into().unwrap()),
            answers: vec![Selection::one(answer)],
            replaces: None,
        };
        self.ws(member, cast).await;
    }

    async fn poll(&mut self, id: &str, spec: PollSpec, votes: &[(&str, Option<&str>, u16)]) {
        let poll = || id.try_into().unwrap();
        self.rest("sec", MeetingCommand::CreatePoll { poll: poll(), spec })
            .await;
        let open = MeetingCommand::OpenPoll {
            poll: poll(),
            deadline: None,
            override_quorum: false,
        };
        self.ws("chair", open).await;
        for (member, seat, answer) in votes {
            self.vote(member, id, *seat, *answer).await;
        }
        self.ws("chair", MeetingCommand::ClosePoll { poll: poll() })
            .await;
        self.ws("chair", MeetingCommand::PublishPoll { poll: poll() })
            .await;
    }

    pub(crate) async fn run_meeting(&mut self) {
        for (item, title) in [("nd-1", ITEM), ("nd-2", ELECTION)] {
            let add = MeetingCommand::AddItem {
                item: item.try_into().unwrap(),
                title: title.into(),
                description: String::new(),
                position: None,
            };
            self.rest("sec", add).await;
        }
        self.ws("chair", MeetingCommand::OpenMeeting).await;
        for (member, mode) in [
            ("chair", PresenceMode::InRoom),
            ("sec", PresenceMode::InRoom),
            ("d1", PresenceMode::InRoom),
            ("d2", PresenceMode::Remote),
            ("d3", PresenceMode::InRoom),
        ] {
            self.ws(member, MeetingCommand::CheckIn { member: None, mode })
                .await;
        }
        let proxy = MeetingCommand::GrantProxy {
            from: None,
            to: "d1".try_into().unwrap(),
        };
        self.ws("d4", proxy).await;
        let current = MeetingCommand::SetCurrentItem {
            item: Some("nd-1".try_into().unwrap()),
        };
        self.ws("chair", current).await;
        let request = MeetingCommand::RequestFloor {
            request: "r1".try_into().unwrap(),
            kind: FloorKind::Speech,
            topic: "Đề nghị tăng vốn cho giao thông nông thôn".into(),
            addressed_to: None,
        };
        self.ws("d2", request).await;
        let grant = MeetingCommand::GrantFloor {
            request: "r1".try_into().unwrap(),
            duration: None,
        };
        self.ws("chair", grant).await;
        self.ws("chair", MeetingCommand::EndFloor).await;

        let motion = QuestionKind::YesNoAbstain;
        self.poll(
            "bq-1",
            spec(
                ITEM,
                "nd-1",
                motion.clone(),
                false,
                MajorityRule::simple_majority(),
            ),
            &[
                ("chair", None, YES),
                ("d1", None, YES),
                ("d1", Some("d4"), NO),
                ("d2", None, ABSTAIN),
                ("d3", None, YES),
            ],
        )
        .await;
        self.poll(
            "bq-2",
            spec(
                SECRET,
                "nd-1",
                motion,
                true,
                MajorityRule::more_than_half_of_all_members(),
            ),
            &[
                ("chair", None, YES),
                ("d1", None, NO),
                ("d1", Some("d4"), NO),
                ("d2", None, YES),
                ("d3", None, NO),
            ],
        )
        .await;
        let choice = QuestionKind::OneOf {
            options: vec!["Nguyễn Văn An".into(), "Phạm Thị Bích".into()],
        };
        self.poll(
            "bq-3",
            spec(
                ELECTION,
                "nd-2",
                choice,
                false,
                MajorityRule::more_than_half_of_all_members(),
            ),
            &[
                ("chair", None, 0),
                ("d1", None, 0),
                ("d1", Some("d4"), 0),
                ("d2", None, 1),
                ("d3", None, 0),
            ],
        )
        .await;
        let conclusion = MeetingCommand::RecordConclusion {
            conclusion: "kl-1".try_into().unwrap(),
            item: Some("nd-1".try_into().unwrap()),
            text: "Thống nhất trình kế hoạch năm 2027 & giao UBND xã hoàn thiện.".into(),
        };
        self.rest("sec", conclusion).await;
        let directive = MeetingCommand::IssueDirective {
            directive: "cd-1".try_into().unwrap(),
            item: Some("nd-1".try_into().unwrap()),
            unit: "ubnd-xa".try_into().unwrap(),
            unit_name: "Ủy ban nhân dân xã".into(),
            text: "Hoàn thiện hồ sơ kế hoạch, gửi Thường trực HĐND.".into(),
            // 2030-01-15 10:00 in Vietnam.
            due: Some(Timestamp(1_894_676_400_000)),
        };
        self.rest("sec", directive).await;
        self.ws("chair", MeetingCommand::CloseMeeting).await;
    }
}

fn spec(title: &str, item: &str, kind: QuestionKind, secret: bool, rule: MajorityRule) -> PollSpec {
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
        majority: rule,
    }
}

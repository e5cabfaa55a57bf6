//! Examples of every message, built from a small meeting run through the real engine so
//! that they are always consistent with the types. They fill the AsyncAPI document and
//! are checked by its tests.

use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::meeting::settings::{
    MeetingDetails, MeetingKind, MeetingSettings, MeetingStatus,
};
use quorum_domain::poll::question::{Question, QuestionKind, Selection, YES};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{
    Actor, BallotId, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingId, MemberId,
    PollId, Rejection, RejectionCode, Role, Timestamp, ViewChange, Viewer,
};

use crate::client::{ClientInfo, ClientMessage};
use crate::request::RequestId;
use crate::server::{ErrorCode, Limits, LobbyEvent, ServerMessage, SessionInfo, Update};
use crate::version::PROTOCOL_VERSION;

/// A named example.
pub struct Example<M> {
    /// A short name, unique per message type.
    pub name: &'static str,
    /// What it shows.
    pub summary: &'static str,
    /// The message.
    pub message: M,
}

/// 09:00 on 27 November 2026, Indochina Time.
const START: i64 = 1_795_744_800_000;

fn id<T: TryFrom<&'static str>>(value: &'static str) -> T
where
    T::Error: std::fmt::Debug,
{
    match T::try_from(value) {
        Ok(id) => id,
        // The literals below are valid ids; a typo here is caught by the tests.
        Err(error) => unreachable!("bad example id {value}: {error:?}"),
    }
}

fn request(value: &'static str) -> RequestId {
    match RequestId::new(value) {
        Ok(id) => id,
        Err(error) => unreachable!("bad example request id {value}: {error:?}"),
    }
}

fn meeting_id() -> MeetingId {
    id("hdnd-xa-au-lau-2026-11")
}

fn create() -> CreateMeeting {
    CreateMeeting {
        details: MeetingDetails {
            title: "Kỳ họp thứ 12 Hội đồng nhân dân xã Âu Lâu".into(),
            kind: MeetingKind::Routine,
            location: "Hội trường UBND xã".into(),
            scheduled_at: Timestamp(START),
        },
        settings: MeetingSettings::default(),
    }
}

fn invitee(member: &'static str, name: &str, role: Role, voting_right: bool) -> Invitee {
    Invitee {
        member: id(member),
        name: name.into(),
        position: match role {
            Role::Chair => "Chủ tịch HĐND xã".into(),
            Role::Secretary => "Thư ký kỳ họp".into(),
            Role::Delegate | Role::Guest => "Đại biểu HĐND xã".into(),
        },
        unit: None,
        unit_name: "HĐND xã Âu Lâu".into(),
        role,
        voting_right,
        weight: 1,
        groups: Vec::new(),
    }
}

fn poll_spec() -> PollSpec {
    PollSpec {
        title: "Thông qua Nghị quyết về kế hoạch phòng, chống thiên tai năm 2027".into(),
        item: Some(id("nd-1")),
        questions: vec![Question {
            text: "Đồng ý thông qua dự thảo Nghị quyết?".into(),
            kind: QuestionKind::YesNoAbstain,
        }],
        secret: false,
        vote_change: false,
        visibility: ResultsVisibility::LiveToAll,
        eligibility: Eligibility::default(),
        majority: MajorityRule::more_than_half_of_all_members(),
    }
}

fn cast(ballot: &'static str) -> MeetingCommand {
    MeetingCommand::CastBallot {
        poll: id("bq-1"),
        round: 1,
        ballot: id(ballot),
        seat: None,
        answers: vec![Selection::one(YES)],
        replaces: None,
    }
}

/// The example meeting and its log: three delegates, one agenda item with a document,
/// one open poll with one ballot.
pub fn demo_meeting() -> (Meeting, Vec<EventRecord>) {
    let chair = Actor::Member {
        member: id("chu-toa"),
    };
    let first = match Meeting::create(meeting_id(), &Actor::Admin, create()) {
        Ok(event) => EventRecord {
            seq: 1,
            at: Timestamp(START - 86_400_000),
            event,
        },
        Err(error) => unreachable!("the example meeting is valid: {error}"),
    };
    let mut meeting = match Meeting::from_created(&first) {
        Ok(meeting) => meeting,
        Err(error) => unreachable!("the example meeting is valid: {error}"),
    };
    let mut log = vec![first];
    let document = Document {
        id: id("tl-1"),
        name: "Du-thao-Nghi-quyet-PCTT-2027.pdf".into(),
        content_hash: match ContentHash::try_from(
            "9f2c1e8a4b7d3f60c5e2a1b9d8f7e6c5b4a3928170f6e5d4c3b2a19080706050".to_owned(),
        ) {
            Ok(hash) => hash,
            Err(error) => unreachable!("the example hash is valid: {error}"),
        },
        size: 482_113,
        media_type: "application/pdf".into(),
        access: DocumentAccess::Everyone,
        status: Default::default(),
    };
    let steps: Vec<(Actor, MeetingCommand)> = vec![
        (
            Actor::Admin,
            MeetingCommand::Invite {
                invitees: vec![
                    invitee("chu-toa", "Đỗ Thị Ngân Hà", Role::Chair, true),
                    invitee("thu-ky", "Phạm Văn Hùng", Role::Secretary, false),
                    invitee("db-01", "Nguyễn Thị Lan", Role::Delegate, true),
                    invitee("db-02", "Trần Văn Minh", Role::Delegate, true),
                    invitee("db-03", "Lê Thị Hoa", Role::Delegate, true),
                ],
                group: None,
            },
        ),
        (
            Actor::Admin,
            MeetingCommand::AddItem {
                item: id("nd-1"),
                title: "Kế hoạch phòng, chống thiên tai năm 2027".into(),
                description: "Tờ trình của UBND xã; thảo luận và biểu quyết.".into(),
                position: None,
            },
        ),
        (
            Actor::Admin,
            MeetingCommand::AttachDocument {
                item: id("nd-1"),
                document,
            },
        ),
        (
            Actor::Admin,
            MeetingCommand::ApproveDocument {
                document: id("tl-1"),
            },
        ),
        (
            Actor::Admin,
            MeetingCommand::CreatePoll {
                poll: id("bq-1"),
                spec: poll_spec(),
            },
        ),
        (chair.clone(), MeetingCommand::OpenMeeting),
        (
            chair.clone(),
            MeetingCommand::SetCurrentItem {
                item: Some(id("nd-1")),
            },
        ),
    ];
    let mut steps = steps;
    for member in ["chu-toa", "db-01", "db-02", "db-03"] {
        steps.push((
            Actor::Member { member: id(member) },
            MeetingCommand::CheckIn {
                member: None,
                mode: PresenceMode::InRoom,
            },
        ));
    }
    steps.push((
        chair,
        MeetingCommand::OpenPoll {
            poll: id("bq-1"),
            deadline: Some(Timestamp(START + 3_600_000)),
            override_quorum: false,
        },
    ));
    steps.push((
        Actor::Member {
            member: id("db-01"),
        },
        cast("7b1d2c90-5a4e-4f8e-9a41-0c7d3e2f1a01"),
    ));
    for (minute, (actor, command)) in (0i64..).zip(steps) {
        match meeting.execute(&actor, Timestamp(START + minute * 60_000), &command) {
            Ok((records, _)) => log.extend(records),
            Err(error) => unreachable!("the example meeting is valid: {error}"),
        }
    }
    (meeting, log)
}

fn delegate_view() -> Viewer {
    Viewer::Member {
        member: id("db-02"),
    }
}

/// An example of every device message (several for `command`).
pub fn client_examples() -> Vec<Example<ClientMessage>> {
    vec![
        Example {
            name: "hello",
            summary: "A delegate's phone signs in with the token from its invitation link.",
            message: ClientMessage::Hello {
                versions: vec![PROTOCOL_VERSION],
                token: "qs_3vJ9kQ2mX7pL1aR8tY4wZ6nB0cD5eF".into(),
                client: Some(ClientInfo {
                    name: "quorum-web".into(),
                    version: "0.1.0".into(),
                }),
            },
        },
        Example {
            name: "subscribe",
            summary: "Follow a meeting from scratch: the hub answers with a snapshot.",
            message: ClientMessage::Subscribe {
                meeting: meeting_id(),
                since: None,
            },
        },
        Example {
            name: "subscribe_resume",
            summary: "Resume after a reconnect: the last sequence number applied was 14.",
            message: ClientMessage::Subscribe {
                meeting: meeting_id(),
                since: Some(14),
            },
        },
        Example {
            name: "unsubscribe",
            summary: "Stop following a meeting.",
            message: ClientMessage::Unsubscribe {
                meeting: meeting_id(),
            },
        },
        Example {
            name: "command_cast_ballot",
            summary: "Tán thành: a delegate votes yes. Resending the same ballot id is safe.",
            message: ClientMessage::Command {
                request: request("r-0042"),
                meeting: meeting_id(),
                command: cast("3f6a9b12-8c4d-4e5f-a6b7-c8d9e0f1a2b3"),
            },
        },
        Example {
            name: "command_check_in",
            summary: "Điểm danh: a delegate checks in remotely.",
            message: ClientMessage::Command {
                request: request("r-0043"),
                meeting: meeting_id(),
                command: MeetingCommand::CheckIn {
                    member: None,
                    mode: PresenceMode::Remote,
                },
            },
        },
        Example {
            name: "command_open_poll",
            summary: "The chair opens a poll with a deadline.",
            message: ClientMessage::Command {
                request: request("r-0044"),
                meeting: meeting_id(),
                command: MeetingCommand::OpenPoll {
                    poll: id::<PollId>("bq-1"),
                    deadline: Some(Timestamp(START + 3_600_000)),
                    override_quorum: false,
                },
            },
        },
        Example {
            name: "command_show_on_projector",
            summary: "The chair puts a poll's results on the hall projector.",
            message: ClientMessage::Command {
                request: request("r-0046"),
                meeting: meeting_id(),
                command: MeetingCommand::ShowOnProjector {
                    display: quorum_domain::meeting::projector::ProjectorDisplay::Poll {
                        poll: id::<PollId>("bq-1"),
                    },
                },
            },
        },
        Example {
            name: "command_request_floor",
            summary: "Đăng ký phát biểu: a delegate asks to put a question (chất vấn).",
            message: ClientMessage::Command {
                request: request("r-0045"),
                meeting: meeting_id(),
                command: MeetingCommand::RequestFloor {
                    request: id("pb-7"),
                    kind: quorum_domain::meeting::floor::FloorKind::Interpellation,
                    topic: "Tiến độ nạo vét kênh mương trước mùa mưa".into(),
                    addressed_to: Some("Chủ tịch UBND xã".into()),
                },
            },
        },
        Example {
            name: "create_meeting",
            summary: "A secretary creates a meeting.",
            message: ClientMessage::CreateMeeting {
                request: request("r-0001"),
                meeting: meeting_id(),
                create: create(),
            },
        },
        Example {
            name: "ping",
            summary: "Keepalive.",
            message: ClientMessage::Ping { nonce: 17 },
        },
    ]
}

/// An example of every hub message.
pub fn server_examples() -> Vec<Example<ServerMessage>> {
    let (meeting, log) = demo_meeting();
    let viewer = delegate_view();
    let view = meeting.view(&viewer);
    let updates: Vec<Update> = log
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|record| Update {
            first_seq: record.seq,
            seq: record.seq,
            at: record.at,
            changes: meeting
                .view_changes(&record.event, &viewer)
                .unwrap_or_default(),
        })
        .collect();
    let last = updates.last().cloned().unwrap_or(Update {
        first_seq: 0,
        seq: 0,
        at: Timestamp(START),
        changes: Vec::new(),
    });
    let receipt = quorum_domain::poll::receipt::Receipt::derive(
        &meeting_id(),
        &id::<PollId>("bq-1"),
        1,
        &id::<BallotId>("3f6a9b12-8c4d-4e5f-a6b7-c8d9e0f1a2b3"),
    );
    vec![
        Example {
            name: "welcome",
            summary: "The hub accepts the session and chooses version 1.",
            message: ServerMessage::Welcome {
                version: PROTOCOL_VERSION,
                session: SessionInfo {
                    account: "db-02".into(),
                    member: Some(id::<MemberId>("db-02")),
                    name: "Trần Văn Minh".into(),
                    admin: false,
                    expires_at: Some(Timestamp(START + 30 * 86_400_000)),
                },
                heartbeat_ms: 25_000,
                limits: Limits {
                    max_message_bytes: 262_144,
                    commands_per_second: 20,
                },
            },
        },
        Example {
            name: "snapshot",
            summary: "The whole meeting as a delegate sees it.",
            message: ServerMessage::Snapshot {
                meeting: meeting_id(),
                view: match view.clone() {
                    Some(view) => view,
                    None => unreachable!("db-02 takes part in the example meeting"),
                },
            },
        },
        Example {
            name: "resumed_recovered",
            summary: "A resume the hub could serve: exactly the missed updates.",
            message: ServerMessage::Resumed {
                meeting: meeting_id(),
                recovered: true,
                updates: updates.clone(),
                snapshot: None,
            },
        },
        Example {
            name: "resumed_not_recovered",
            summary: "A resume from too far back: a fresh snapshot replaces the state.",
            message: ServerMessage::Resumed {
                meeting: meeting_id(),
                recovered: false,
                updates: Vec::new(),
                snapshot: view,
            },
        },
        Example {
            name: "update",
            summary: "A ballot was counted: the poll's progress and live results changed.",
            message: ServerMessage::Update {
                meeting: meeting_id(),
                first_seq: last.seq,
                seq: last.seq,
                at: last.at,
                changes: last.changes.clone(),
            },
        },
        Example {
            name: "update_group",
            summary: "Events committed together, told as one update: each section once, as the last of them left it.",
            message: ServerMessage::Update {
                meeting: meeting_id(),
                first_seq: updates.first().map_or(last.seq, |update| update.first_seq),
                seq: last.seq,
                at: last.at,
                changes: ViewChange::coalesce(
                    updates
                        .iter()
                        .flat_map(|update| update.changes.iter().cloned())
                        .collect(),
                ),
            },
        },
        Example {
            name: "ack",
            summary: "The ballot is durable; the receipt is the same for every resend.",
            message: ServerMessage::Ack {
                request: request("r-0042"),
                meeting: meeting_id(),
                seq: meeting.seq() + 1,
                receipt: Some(receipt),
            },
        },
        Example {
            name: "rejected",
            summary: "The meeting refused a second ballot from the same seat.",
            message: ServerMessage::rejected(
                request("r-0046"),
                meeting_id(),
                Rejection::from(RejectionCode::AlreadyVoted),
            ),
        },
        Example {
            name: "lobby_alert",
            summary: "Họp khẩn: an urgent meeting alert for every invited member.",
            message: ServerMessage::Lobby {
                event: LobbyEvent::Alert {
                    meeting: id("hop-khan-lu-quet-2026-11-27"),
                    title: "Họp khẩn ứng phó lũ quét".into(),
                    number: 1,
                    message: "Triệu tập họp khẩn lúc 14:00, trực tuyến hoặc tại phòng họp số 1."
                        .into(),
                    raised_at: Timestamp(START + 5 * 3_600_000),
                },
            },
        },
        Example {
            name: "lobby_invited",
            summary: "An invitation to a meeting.",
            message: ServerMessage::Lobby {
                event: LobbyEvent::Invited {
                    meeting: meeting_id(),
                    title: "Kỳ họp thứ 12 Hội đồng nhân dân xã Âu Lâu".into(),
                    meeting_kind: MeetingKind::Routine,
                    scheduled_at: Timestamp(START),
                    role: Role::Delegate,
                },
            },
        },
        Example {
            name: "lobby_meeting_status",
            summary: "A meeting opened.",
            message: ServerMessage::Lobby {
                event: LobbyEvent::MeetingStatus {
                    meeting: meeting_id(),
                    status: MeetingStatus::Open,
                },
            },
        },
        Example {
            name: "error",
            summary: "The store is briefly unavailable: send the same command again.",
            message: ServerMessage::Error {
                request: Some(request("r-0047")),
                meeting: Some(meeting_id()),
                code: ErrorCode::Unavailable,
                message: crate::localized::Localized::error(ErrorCode::Unavailable),
                retryable: true,
                retry_after_ms: Some(250),
            },
        },
        Example {
            name: "pong",
            summary: "The answer to ping 17.",
            message: ServerMessage::Pong { nonce: 17 },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_meeting_runs_and_the_ballot_counts() {
        let (meeting, log) = demo_meeting();
        assert_eq!(meeting.seq(), log.len() as u64);
        let poll = meeting.poll(&id::<PollId>("bq-1")).unwrap();
        assert_eq!(poll.tally.ballots.ballots, 1);
    }
}

//! The role table as devices meet it: every role violation refused with nothing
//! changed, the projector kept to its own meeting, outsiders kept out.

use quorum_client::{ClientError, CommandOutcome, Connection, Subscribed};
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::poll::question::Selection;
use quorum_domain::view::Audience;
use quorum_domain::{
    ConclusionId, FloorRequestId, MeetingCommand, MeetingId, MeetingView, PollId, RejectionCode,
};
use quorum_gateway::access::Grant;
use quorum_protocol::ErrorCode;

use super::support::{TestHub, TestMeeting, member};

/// Sends `command` as `device`; the meeting must refuse it with `expected`.
async fn refused(
    device: &mut Connection,
    meeting: &TestMeeting,
    command: MeetingCommand,
    expected: RejectionCode,
) {
    match device.command(&meeting.id, command.clone()).await.unwrap() {
        CommandOutcome::Rejected { code, .. } => {
            assert_eq!(code, expected, "{command:?}");
        }
        outcome => panic!("{command:?} was not refused: {outcome:?}"),
    }
}

async fn accepted(device: &mut Connection, meeting: &TestMeeting, command: MeetingCommand) {
    let outcome = device.command(&meeting.id, command.clone()).await.unwrap();
    assert!(
        outcome.acked_seq().is_some(),
        "{command:?} was refused: {outcome:?}"
    );
}

async fn seq(hub: &TestHub, token: &str, meeting: &MeetingId) -> u64 {
    hub.http()
        .get_json::<MeetingView>(&format!("/api/meetings/{meeting}"), Some(token))
        .await
        .unwrap()
        .seq
}

fn ballot(seat: Option<quorum_domain::MemberId>) -> MeetingCommand {
    MeetingCommand::CastBallot {
        poll: PollId::new("bq-1").unwrap(),
        round: 1,
        ballot: quorum_client::random_id().unwrap(),
        seat,
        answers: vec![Selection(vec![0])],
        replaces: None,
    }
}

#[tokio::test]
async fn every_role_violation_is_refused_and_changes_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let meeting = hub.meeting("hop-vai-tro", 3).await;
    let (mut chair, _) = hub.connect(&hub.member_token(&meeting.chair).await).await;
    let (mut secretary, _) = hub
        .connect(&hub.member_token(&meeting.secretary).await)
        .await;
    let (mut delegate, _) = hub
        .connect(&hub.member_token(&meeting.delegates[0]).await)
        .await;
    let (mut neighbour, _) = hub
        .connect(&hub.member_token(&meeting.delegates[1]).await)
        .await;
    let (mut guest, _) = hub.connect(&hub.member_token(&meeting.guest).await).await;
    let poll = PollId::new("bq-1").unwrap();
    let open_poll = MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: true,
    };
    let speech = FloorRequestId::new("phat-bieu-1").unwrap();
    accepted(
        &mut delegate,
        &meeting,
        MeetingCommand::RequestFloor {
            request: speech.clone(),
            kind: FloorKind::Speech,
            topic: "Ngân sách".into(),
            addressed_to: None,
        },
    )
    .await;
    let before = seq(&hub, &admin, &meeting.id).await;

    let not_permitted = RejectionCode::NotPermitted;
    for command in [
        open_poll.clone(),
        MeetingCommand::OpenMeeting,
        MeetingCommand::CloseMeeting,
        MeetingCommand::GrantFloor {
            request: speech.clone(),
            duration: None,
        },
        MeetingCommand::RecordConclusion {
            conclusion: ConclusionId::new("kl-1").unwrap(),
            item: None,
            text: "Thông qua".into(),
        },
        MeetingCommand::Invite {
            invitees: Vec::new(),
            group: None,
        },
        MeetingCommand::CheckIn {
            member: Some(meeting.delegates[2].clone()),
            mode: quorum_domain::meeting::roster::PresenceMode::InRoom,
        },
    ] {
        refused(&mut neighbour, &meeting, command, not_permitted).await;
    }
    // The secretary prepares and leads, but does not conduct polls or the floor.
    refused(&mut secretary, &meeting, open_poll.clone(), not_permitted).await;
    refused(
        &mut secretary,
        &meeting,
        MeetingCommand::GrantFloor {
            request: speech.clone(),
            duration: None,
        },
        not_permitted,
    )
    .await;
    assert_eq!(seq(&hub, &admin, &meeting.id).await, before);

    // The chair does what they could not.
    accepted(&mut chair, &meeting, open_poll).await;
    accepted(
        &mut chair,
        &meeting,
        MeetingCommand::GrantFloor {
            request: speech,
            duration: None,
        },
    )
    .await;
    let before = seq(&hub, &admin, &meeting.id).await;
    refused(
        &mut neighbour,
        &meeting,
        MeetingCommand::ClosePoll { poll: poll.clone() },
        not_permitted,
    )
    .await;
    refused(
        &mut neighbour,
        &meeting,
        MeetingCommand::PausePoll { poll: poll.clone() },
        not_permitted,
    )
    .await;
    refused(
        &mut guest,
        &meeting,
        ballot(None),
        RejectionCode::NotEntitled,
    )
    .await;
    refused(
        &mut delegate,
        &meeting,
        ballot(Some(meeting.delegates[2].clone())),
        RejectionCode::NotProxyHolder,
    )
    .await;
    refused(
        &mut delegate,
        &meeting,
        ballot(Some(meeting.guest.clone())),
        RejectionCode::NotProxyHolder,
    )
    .await;
    assert_eq!(seq(&hub, &admin, &meeting.id).await, before);

    // Their own ballots go through.
    accepted(&mut delegate, &meeting, ballot(None)).await;
    accepted(&mut neighbour, &meeting, ballot(None)).await;
    accepted(&mut chair, &meeting, MeetingCommand::ClosePoll { poll }).await;
}

#[tokio::test]
async fn the_projector_watches_its_own_meeting_and_nothing_else() {
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let meeting = hub.meeting("hop-may-chieu", 2).await;
    let other = hub.meeting("hop-khac", 2).await;
    let token = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    let (mut projector, welcome) = hub.connect(&token).await;
    assert_eq!(welcome.session.member, None);
    assert!(!welcome.session.admin);

    match projector.subscribe(&meeting.id, None).await.unwrap() {
        Subscribed::Snapshot { view, .. } => assert_eq!(view.audience, Audience::Projector),
        other => panic!("expected a snapshot, got {other:?}"),
    }
    match projector.subscribe(&other.id, None).await {
        Err(ClientError::Server { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        answer => panic!("the projector followed another meeting: {answer:?}"),
    }
    let before = seq(&hub, &admin, &meeting.id).await;
    for command in [
        MeetingCommand::OpenPoll {
            poll: PollId::new("bq-1").unwrap(),
            deadline: None,
            override_quorum: true,
        },
        super::support::check_in(None),
        ballot(None),
        MeetingCommand::CloseMeeting,
    ] {
        match projector
            .command(&meeting.id, command.clone())
            .await
            .unwrap()
        {
            CommandOutcome::Failed { code, .. } => assert_eq!(code, ErrorCode::Forbidden),
            outcome => panic!("the projector sent {command:?}: {outcome:?}"),
        }
    }
    let created = projector
        .create_meeting(
            &MeetingId::new("hop-cua-may-chieu").unwrap(),
            quorum_domain::CreateMeeting {
                details: quorum_domain::meeting::settings::MeetingDetails {
                    title: "Không được".into(),
                    kind: quorum_domain::meeting::settings::MeetingKind::Routine,
                    location: String::new(),
                    scheduled_at: quorum_gateway::clock::now(),
                },
                settings: Default::default(),
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(
            created,
            CommandOutcome::Rejected {
                code: RejectionCode::NotPermitted,
                ..
            }
        ),
        "{created:?}"
    );
    assert_eq!(seq(&hub, &admin, &meeting.id).await, before);
    let http = hub.http();
    let response = http
        .get_bytes(&format!("/api/meetings/{}", other.id), Some(&token))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 403);
}

#[tokio::test]
async fn a_member_who_is_not_a_participant_cannot_follow_the_meeting() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-rieng", 2).await;
    let outsider = hub.member_token(&member("nguoi-ngoai")).await;
    let (mut device, welcome) = hub.connect(&outsider).await;
    assert_eq!(welcome.session.member, Some(member("nguoi-ngoai")));
    match device.subscribe(&meeting.id, None).await {
        Err(ClientError::Server { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        answer => panic!("an outsider followed the meeting: {answer:?}"),
    }
    let response = hub
        .http()
        .get_bytes(&format!("/api/meetings/{}", meeting.id), Some(&outsider))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 403);
    device.ping().await.unwrap();
}

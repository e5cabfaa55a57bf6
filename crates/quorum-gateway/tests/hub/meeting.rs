//! A whole meeting through real sockets: check-in and the live quorum, a poll opened
//! by the chair, 50 delegates voting at once, the close, and every device (delegates,
//! chair, guest, projector) ending with the same verdict and tally.

use std::time::Duration;

use quorum_client::{CommandOutcome, Connection, MeetingMirror, Subscribed, random_id};
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::{Selection, YES};
use quorum_domain::poll::verdict::Verdict;
use quorum_domain::{MeetingCommand, PollId};
use quorum_gateway::access::Grant;
use quorum_protocol::ServerMessage;

use super::support::{TestHub, check_in};

const DELEGATES: usize = 50;
const WAIT: Duration = Duration::from_secs(10);

/// A device following the meeting.
struct Device {
    connection: Connection,
    mirror: MeetingMirror,
}

impl Device {
    async fn join(hub: &TestHub, token: &str, meeting: &quorum_domain::MeetingId) -> Device {
        let (mut connection, _) = hub.connect(token).await;
        let subscribed = connection.subscribe(meeting, None).await.unwrap();
        assert!(matches!(&subscribed, Subscribed::Snapshot { .. }));
        let mirror = MeetingMirror::from_subscribed(subscribed).unwrap();
        Device { connection, mirror }
    }

    /// Reads updates until the mirror reaches `seq`; every update must follow the last.
    async fn catch_up(&mut self, seq: u64) {
        while self.mirror.last_seq() < seq {
            let message = self.connection.next_message(WAIT).await.unwrap();
            if matches!(message, ServerMessage::Update { .. }) {
                self.mirror.apply(&message).unwrap();
            }
        }
    }
}

fn acked(outcome: CommandOutcome) -> u64 {
    match outcome {
        CommandOutcome::Acked { seq, .. } => seq,
        other => panic!("expected an ack, got {other:?}"),
    }
}

#[tokio::test]
async fn fifty_delegates_vote_and_every_device_sees_the_verdict() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("ky-hop-12", DELEGATES).await;
    let poll = PollId::new("bq-1").unwrap();

    let mut chair = Device::join(&hub, &hub.member_token(&meeting.chair).await, &meeting.id).await;
    let mut guest = Device::join(&hub, &hub.member_token(&meeting.guest).await, &meeting.id).await;
    let projector_token = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    let mut projector = Device::join(&hub, &projector_token, &meeting.id).await;
    let mut delegates = Vec::new();
    for member in &meeting.delegates {
        let token = hub.member_token(member).await;
        delegates.push(Device::join(&hub, &token, &meeting.id).await);
    }
    assert!(!chair.mirror.quorum().met, "nobody has checked in yet");

    // Check-in: every delegate checks themself in, concurrently.
    let checked_in = futures_util::future::join_all(delegates.iter_mut().map(|device| async {
        acked(
            device
                .connection
                .command(&meeting.id, check_in(None))
                .await
                .unwrap(),
        )
    }))
    .await;
    let seq = checked_in.into_iter().max().unwrap();
    chair.catch_up(seq).await;
    let quorum = chair.mirror.quorum();
    assert!(quorum.met, "{quorum:?}");
    assert_eq!(quorum.in_room, u32::try_from(DELEGATES).unwrap());

    // The chair opens the poll; delegates vote at once: 30 yes, 15 no, 5 abstain.
    let opened = chair
        .connection
        .command(
            &meeting.id,
            MeetingCommand::OpenPoll {
                poll: poll.clone(),
                deadline: None,
                override_quorum: false,
            },
        )
        .await
        .unwrap();
    acked(opened);
    let choices: Vec<u16> = (0..DELEGATES)
        .map(|index| match index {
            0..30 => YES,
            30..45 => 1,
            _ => 2,
        })
        .collect();
    let receipts = futures_util::future::join_all(delegates.iter_mut().zip(&choices).map(
        |(device, choice)| {
            let command = MeetingCommand::CastBallot {
                poll: poll.clone(),
                round: 1,
                ballot: random_id().unwrap(),
                seat: None,
                answers: vec![Selection::one(*choice)],
                replaces: None,
            };
            let meeting = meeting.id.clone();
            async move { device.connection.command(&meeting, command).await.unwrap() }
        },
    ))
    .await;
    let mut distinct = std::collections::BTreeSet::new();
    for outcome in receipts {
        let CommandOutcome::Acked {
            receipt: Some(receipt),
            ..
        } = outcome
        else {
            panic!("a ballot was not acknowledged with a receipt: {outcome:?}");
        };
        distinct.insert(receipt);
    }
    assert_eq!(distinct.len(), DELEGATES, "every receipt is different");

    let closed = acked(
        chair
            .connection
            .command(
                &meeting.id,
                MeetingCommand::ClosePoll { poll: poll.clone() },
            )
            .await
            .unwrap(),
    );

    // Every device, whatever its audience, ends at the same sequence number with the
    // poll closed and passed, and the same final tally.
    let mut everyone: Vec<&mut Device> = vec![&mut chair, &mut guest, &mut projector];
    everyone.extend(delegates.iter_mut());
    for device in everyone {
        device.catch_up(closed).await;
        assert_eq!(device.mirror.last_seq(), closed);
        assert_eq!(device.mirror.poll_status(&poll), Some(PollStatus::Closed));
        let results = device
            .mirror
            .poll_results(&poll)
            .expect("results are public");
        assert!(results.r#final);
        assert_eq!(
            results.tally.ballots.ballots,
            u64::try_from(DELEGATES).unwrap()
        );
        assert_eq!(results.verdicts, vec![Verdict::Passed]);
        let counts: Vec<u64> = results.tally.questions[0]
            .options
            .iter()
            .map(|count| count.ballots)
            .collect();
        assert_eq!(counts, vec![30, 15, 5]);
    }
}

#[tokio::test]
async fn the_lobby_carries_invitations_and_urgent_alerts_to_signed_in_people() {
    use quorum_domain::meeting::roster::Invitee;
    use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
    use quorum_domain::{Actor, CreateMeeting, MemberId, Role};
    use quorum_protocol::LobbyEvent;

    let hub = TestHub::start().await;
    let routine = hub.meeting("thuong-ky", 2).await;
    // A delegate signed in, looking at nothing in particular.
    let delegate = routine.delegates[0].clone();
    let (mut device, _) = hub.connect(&hub.member_token(&delegate).await).await;

    // An urgent meeting about a storm: the delegate is invited, then it is convened.
    let urgent = quorum_domain::MeetingId::new("bao-so-9").unwrap();
    hub.hub
        .create_meeting_as(
            Actor::Admin,
            None,
            urgent.clone(),
            CreateMeeting {
                details: MeetingDetails {
                    title: "Họp khẩn ứng phó bão số 9".into(),
                    kind: MeetingKind::Urgent,
                    location: "Trực tuyến".into(),
                    scheduled_at: quorum_gateway::clock::now(),
                },
                settings: MeetingSettings::default(),
            },
        )
        .await
        .unwrap();
    let chair = MemberId::new("chu-tich").unwrap();
    let invite = |member: &MemberId, role| Invitee {
        member: member.clone(),
        name: member.to_string(),
        position: String::new(),
        unit: None,
        unit_name: String::new(),
        role,
        voting_right: true,
        weight: 1,
        groups: Vec::new(),
    };
    hub.run(
        &urgent,
        Actor::Admin,
        MeetingCommand::Invite {
            invitees: vec![
                invite(&chair, Role::Chair),
                invite(&delegate, Role::Delegate),
            ],
            group: None,
        },
    )
    .await;
    let invited = device
        .wait_for(WAIT, |message| {
            matches!(
                message,
                ServerMessage::Lobby {
                    event: LobbyEvent::Invited { .. }
                }
            )
        })
        .await
        .unwrap();
    let ServerMessage::Lobby {
        event: LobbyEvent::Invited { meeting, role, .. },
    } = invited
    else {
        unreachable!()
    };
    assert_eq!((meeting, role), (urgent.clone(), Role::Delegate));

    hub.run(
        &urgent,
        super::support::actor(&chair),
        MeetingCommand::Convene {
            message: "Triệu tập họp khẩn lúc 14:00".into(),
        },
    )
    .await;
    let alert = device
        .wait_for(WAIT, |message| {
            matches!(
                message,
                ServerMessage::Lobby {
                    event: LobbyEvent::Alert { .. }
                }
            )
        })
        .await
        .unwrap();
    let ServerMessage::Lobby {
        event: LobbyEvent::Alert {
            meeting, message, ..
        },
    } = alert
    else {
        unreachable!()
    };
    assert_eq!(meeting, urgent);
    assert_eq!(message, "Triệu tập họp khẩn lúc 14:00");
}

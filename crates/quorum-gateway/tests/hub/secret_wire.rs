//! Reliability X2: every frame that reaches a device other than the chair's console
//! while a secret poll is open, captured as sent. Delegates, the guest and the
//! projector learn only how many have voted (and, a delegate, their own seat); no frame
//! names a seat that voted or carries a count of choices. The chair's console, told
//! the live tally, is the control that the capture would see one.

use std::time::Duration;

use quorum_client::{Connection, RawFrame, Subscribed};
use quorum_domain::poll::ResultsVisibility;
use quorum_domain::{MeetingCommand, MemberId, PollId, ViewChange};
use quorum_gateway::access::Grant;
use quorum_protocol::ServerMessage;

use super::support::{TestHub, actor, ballot, check_in, open_poll, yes_no_poll};

const DELEGATES: usize = 12;
const WAIT: Duration = Duration::from_secs(10);

/// A device reading its socket undecoded, and who it is (`None`: the projector).
struct Capture {
    member: Option<MemberId>,
    connection: Connection,
    frames: Vec<String>,
}

impl Capture {
    async fn join(hub: &TestHub, grant: Grant, meeting: &quorum_domain::MeetingId) -> Capture {
        let member = match &grant {
            Grant::Member { member } => Some(member.clone()),
            _ => None,
        };
        let (mut connection, _) = hub.connect(&hub.token(grant).await).await;
        let subscribed = connection.subscribe(meeting, None).await.unwrap();
        assert!(matches!(subscribed, Subscribed::Snapshot { .. }));
        Capture {
            member,
            connection,
            frames: Vec::new(),
        }
    }

    /// Keeps every text frame until an update reaches `seq`.
    async fn capture_until(&mut self, seq: u64) {
        loop {
            let RawFrame::Text(text) = self.connection.recv_raw(WAIT).await.unwrap() else {
                continue;
            };
            let reached = matches!(
                serde_json::from_str::<ServerMessage>(&text),
                Ok(ServerMessage::Update { seq: at, .. }) if at >= seq
            );
            self.frames.push(text);
            if reached {
                return;
            }
        }
    }

    /// The changes of every captured update.
    fn changes(&self) -> Vec<ViewChange> {
        self.frames
            .iter()
            .filter_map(|text| match serde_json::from_str(text) {
                Ok(ServerMessage::Update { changes, .. }) => Some(changes),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

#[tokio::test]
async fn while_a_secret_poll_is_open_other_devices_learn_only_how_many_voted() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("x2-bo-phieu-kin", DELEGATES).await;
    let poll = PollId::new("bq-kin").unwrap();
    let mut spec = yes_no_poll(true);
    spec.visibility = ResultsVisibility::LiveToChair;
    hub.run(
        &meeting.id,
        actor(&meeting.chair),
        MeetingCommand::CreatePoll {
            poll: poll.clone(),
            spec,
        },
    )
    .await;
    for member in &meeting.delegates {
        hub.run(&meeting.id, actor(member), check_in(None)).await;
    }

    let member = |member: &MemberId| Grant::Member {
        member: member.clone(),
    };
    let mut chair = Capture::join(&hub, member(&meeting.chair), &meeting.id).await;
    let mut others = vec![
        Capture::join(&hub, member(&meeting.guest), &meeting.id).await,
        Capture::join(
            &hub,
            Grant::Projector {
                meeting: meeting.id.clone(),
            },
            &meeting.id,
        )
        .await,
    ];
    for delegate in &meeting.delegates {
        others.push(Capture::join(&hub, member(delegate), &meeting.id).await);
    }

    hub.run(&meeting.id, actor(&meeting.chair), open_poll(&poll))
        .await;
    let mut last = 0;
    for (index, delegate) in meeting.delegates.iter().enumerate() {
        let choice = u16::try_from(index % 3).unwrap();
        last = hub
            .run(&meeting.id, actor(delegate), ballot(&poll, choice))
            .await;
    }

    // The control: the chair's console is told the live tally.
    chair.capture_until(last).await;
    let tallies = chair
        .changes()
        .into_iter()
        .filter(|change| {
            matches!(change, ViewChange::PollProgress { progress } if progress.results.is_some())
        })
        .count();
    assert!(tallies > 0, "the chair's console saw no live tally");

    let seats: Vec<&str> = meeting.delegates.iter().map(MemberId::as_str).collect();
    for device in &mut others {
        device.capture_until(last).await;
        let who = format!("{:?}", device.member);
        // No frame names a seat but the device's own.
        for text in &device.frames {
            for seat in &seats {
                if device
                    .member
                    .as_ref()
                    .is_some_and(|own| own.as_str() == *seat)
                {
                    continue;
                }
                assert!(
                    !text.contains(&format!("\"{seat}\"")),
                    "{who} was sent a frame naming {seat}: {text}"
                );
            }
        }
        // Counts only: no tally, no list of voters, no seat's vote.
        let mut voted = 0;
        for change in device.changes() {
            match change {
                ViewChange::PollProgress { progress } => {
                    assert!(progress.results.is_none(), "{who} was sent a tally");
                    voted = voted.max(progress.progress.voted);
                }
                ViewChange::Poll { poll } => {
                    assert!(poll.results.is_none(), "{who} was sent results");
                    assert!(poll.voters.is_none(), "{who} was sent the voters");
                }
                ViewChange::SeatVoted { seat, .. } => panic!("{who} was told {seat} voted"),
                _ => {}
            }
        }
        assert_eq!(
            voted,
            u32::try_from(DELEGATES).unwrap(),
            "{who} did not follow how many voted"
        );
    }
}

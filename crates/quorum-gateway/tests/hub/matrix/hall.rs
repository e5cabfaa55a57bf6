//! The meetings the matrix acts in, set up through the hub as an administrator and a
//! chair would, and the commands that set them up.

use std::collections::BTreeSet;

use quorum_client::random_id;
use quorum_domain::meeting::agenda::DocumentAccess;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::Selection;
use quorum_domain::poll::{PollSpec, ResultsVisibility};
use quorum_domain::rules::{QuorumBase, QuorumRule, Threshold};
use quorum_domain::{Actor, CreateMeeting, GroupId, ItemId, MeetingCommand, MeetingId};
use quorum_domain::{MemberId, PollId, Role};

use super::super::documents::{approve, pdf_content, upload};
use super::super::support::{TestHub, actor, check_in, invitee_in, member, yes_no_poll};
use super::{Kind, Profile, member_of};

/// A meeting and its confidential document.
pub(super) type Hall = (MeetingId, String);

/// A meeting `id` whose quorum is one member present, with: a chair who conducts it
/// (`dieu-hanh`), an absent seat given to another (`ghe-khac`), a voting poll `bq`
/// (present only, for group `bieu-quyet`, results live to the chair, vote change
/// allowed so that a wrong acceptance shows every time), a draft and a running poll
/// per profile, and a confidential document. With `participants`, each profile's
/// member in its state, the seats holders hold and the holders of seats given away
/// (all absent), the entitled named on the document; without, none of them takes part
/// and the document names nobody.
pub(super) async fn set_up(
    hub: &TestHub,
    admin: &str,
    id: &str,
    profiles: &[Profile],
    participants: bool,
) -> Hall {
    let meeting = new_meeting(hub, id).await;
    let group = vec![GroupId::new("bieu-quyet").unwrap()];
    let conductor = member("dieu-hanh");
    let mut invitees = vec![invitee_in(&conductor, Role::Chair, false, Vec::new())];
    invitees.push(invitee_in(
        &member("ghe-khac"),
        Role::Delegate,
        true,
        group.clone(),
    ));
    invitees.push(invitee_in(
        &member("nhan-ghe-khac"),
        Role::Delegate,
        true,
        Vec::new(),
    ));
    let mut setup = vec![grant(member("ghe-khac"), member("nhan-ghe-khac"))];
    let mut readers = BTreeSet::new();
    let members = profiles
        .iter()
        .filter(|profile| profile.kind != Kind::Admin);
    for profile in members.filter(|_| participants) {
        let id = member_of(*profile);
        let role = match profile.kind {
            Kind::Guest => Role::Guest,
            Kind::Chair => Role::Chair,
            Kind::Secretary => Role::Secretary,
            _ => Role::Delegate,
        };
        let groups = if profile.entitled {
            group.clone()
        } else {
            Vec::new()
        };
        if profile.entitled {
            readers.insert(id.clone());
        }
        invitees.push(invitee_in(&id, role, role != Role::Guest, groups));
        if profile.present {
            setup.push(check_in(Some(id.clone())));
        }
        if profile.kind == Kind::ProxyHolder {
            let seat = member(&format!("uq-{id}"));
            invitees.push(invitee_in(&seat, Role::Delegate, true, group.clone()));
            setup.push(grant(seat, id.clone()));
        }
        if profile.delegated {
            let holder = member(&format!("nhan-{id}"));
            invitees.push(invitee_in(&holder, Role::Delegate, true, Vec::new()));
            setup.push(grant(id.clone(), holder));
        }
    }
    let invite = MeetingCommand::Invite {
        invitees,
        group: None,
    };
    run_all(hub, &meeting, Actor::Admin, vec![invite]).await;
    let mut voting = yes_no_poll(false);
    voting.vote_change = true;
    voting.visibility = ResultsVisibility::LiveToChair;
    voting.eligibility.present_only = true;
    voting.eligibility.groups = group;
    setup.push(create_poll("bq", voting));
    for index in 0..profiles.len() {
        setup.push(create_poll(&format!("mo-{index}"), yes_no_poll(false)));
        setup.push(create_poll(&format!("dong-{index}"), yes_no_poll(false)));
    }
    run_all(hub, &meeting, Actor::Admin, setup).await;
    let by = actor(&conductor);
    run_all(hub, &meeting, by.clone(), vec![MeetingCommand::OpenMeeting]).await;
    let running = (0..profiles.len()).map(|index| open(&format!("dong-{index}")));
    run_all(
        hub,
        &meeting,
        by,
        std::iter::once(open("bq")).chain(running).collect(),
    )
    .await;

    let access = DocumentAccess::Confidential { members: readers };
    let access = serde_json::to_string(&access).unwrap();
    let response = upload(hub, &meeting, admin, Some(&access), &pdf_content(1_000)).await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.error_code());
    let document: serde_json::Value = response.json().unwrap();
    let document = document["id"].as_str().unwrap().to_owned();
    approve(hub, &meeting, admin, &document).await;
    (meeting, document)
}

/// A meeting whose quorum is one member present, with agenda item `muc-1`.
async fn new_meeting(hub: &TestHub, id: &str) -> MeetingId {
    let meeting = MeetingId::new(id).unwrap();
    let quorum = QuorumRule {
        threshold: Threshold::MORE_THAN_HALF,
        base: QuorumBase::Stated { members: 1 },
    };
    let settings = MeetingSettings {
        quorum,
        ..MeetingSettings::default()
    };
    let details = MeetingDetails {
        title: format!("Ma trận quyền {id}"),
        kind: MeetingKind::Routine,
        location: "Hội trường".into(),
        scheduled_at: quorum_gateway::clock::now(),
    };
    let create = CreateMeeting { details, settings };
    let created = hub
        .hub
        .create_meeting_as(Actor::Admin, None, meeting.clone(), create);
    created.await.unwrap();
    let item = MeetingCommand::AddItem {
        item: ItemId::new("muc-1").unwrap(),
        title: "Báo cáo mật".into(),
        description: String::new(),
        position: None,
    };
    run_all(hub, &meeting, Actor::Admin, vec![item]).await;
    meeting
}

/// A hub that does not rate-limit: a device here sends as fast as it is answered.
pub(super) async fn unlimited_hub() -> TestHub {
    TestHub::start_with(|config| {
        config.limits.messages_per_second = 10_000;
        config.limits.message_burst = 10_000;
    })
    .await
}

/// Runs setup commands at once (they commit together); each must be accepted.
pub(super) async fn run_all(
    hub: &TestHub,
    meeting: &MeetingId,
    by: Actor,
    commands: Vec<MeetingCommand>,
) {
    let runs = commands
        .into_iter()
        .map(|command| hub.run(meeting, by.clone(), command));
    futures_util::future::join_all(runs).await;
}

pub(super) fn cast(seat: Option<MemberId>) -> MeetingCommand {
    MeetingCommand::CastBallot {
        poll: poll("bq"),
        round: 1,
        ballot: random_id().unwrap(),
        seat,
        answers: vec![Selection::one(0)],
        replaces: None,
    }
}

pub(super) fn poll(id: &str) -> PollId {
    PollId::new(id).unwrap()
}

pub(super) fn create_poll(id: &str, spec: PollSpec) -> MeetingCommand {
    MeetingCommand::CreatePoll {
        poll: poll(id),
        spec,
    }
}

/// Opens a poll for setup, overriding the quorum if need be.
pub(super) fn open(id: &str) -> MeetingCommand {
    MeetingCommand::OpenPoll {
        poll: poll(id),
        deadline: None,
        override_quorum: true,
    }
}

pub(super) fn open_without_override(id: &str) -> MeetingCommand {
    MeetingCommand::OpenPoll {
        poll: poll(id),
        deadline: None,
        override_quorum: false,
    }
}

fn grant(from: MemberId, to: MemberId) -> MeetingCommand {
    MeetingCommand::GrantProxy {
        from: Some(from),
        to,
    }
}

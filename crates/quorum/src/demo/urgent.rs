//! The demo's urgent meeting: the province's storm-response committee, not yet convened,
//! so that its chair can convene it in one action and watch the members answer. Its
//! members are people of their own, so the main demo's devices still see one meeting.

use anyhow::Context as _;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind};
use quorum_domain::{Actor, MeetingCommand, MeetingId, Role};
use quorum_gateway::Hub;
use quorum_gateway::access::Grant;
use quorum_gateway::rest::invitations::invite;
use quorum_gateway::room::CommandOutcome;
use serde::Serialize;

use super::{Link, id, invitee};

/// The urgent meeting's id.
const MEETING: &str = "demo-khan";
/// The committee: member id, name, position; the first chairs it.
const MEMBERS: &[(&str, &str, &str)] = &[
    (
        "bch-truong-ban",
        "Hoàng Văn Thái",
        "Phó Chủ tịch UBND tỉnh, Trưởng ban",
    ),
    (
        "bch-01",
        "Lò Thị Mai",
        "Giám đốc Sở Nông nghiệp và Môi trường",
    ),
    (
        "bch-02",
        "Nguyễn Đức Toàn",
        "Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh",
    ),
    ("bch-03", "Vàng A Sềnh", "Giám đốc Công an tỉnh"),
    ("bch-04", "Trần Thu Hương", "Giám đốc Sở Y tế"),
];

/// What demo.json says of the urgent meeting.
#[derive(Debug, Serialize)]
pub(crate) struct UrgentDemo {
    /// The meeting.
    pub(crate) meeting: MeetingId,
    /// Its chair's sign-in link.
    pub(crate) chair: Link,
    /// The other members' links.
    pub(crate) members: Vec<Link>,
}

/// Creates the urgent meeting (once) and issues fresh links for its members.
pub(crate) async fn seed(hub: &Hub) -> anyhow::Result<UrgentDemo> {
    let meeting: MeetingId = id(MEETING)?;
    if hub.room(&meeting).is_none() {
        create(hub, &meeting).await?;
    }
    let mut links = Vec::with_capacity(MEMBERS.len());
    for (member, name, _) in MEMBERS {
        let grant = Grant::Member {
            member: id(member)?,
        };
        let link = invite(
            hub,
            grant,
            Some(id(member)?),
            (*name).to_owned(),
            None,
            false,
        )
        .await
        .map_err(|error| anyhow::anyhow!("cannot issue an urgent-meeting link: {error}"))?;
        links.push(Link::from(link));
    }
    let mut links = links.into_iter();
    Ok(UrgentDemo {
        meeting,
        chair: links.next().context("the urgent meeting has no chair")?,
        members: links.collect(),
    })
}

async fn create(hub: &Hub, meeting: &MeetingId) -> anyhow::Result<()> {
    let details = MeetingDetails {
        title: "Họp khẩn ứng phó bão số 3 (demo)".to_owned(),
        kind: MeetingKind::Urgent,
        location: "Sở Chỉ huy Ban Chỉ huy PCTT và TKCN tỉnh".to_owned(),
        scheduled_at: quorum_gateway::clock::now(),
    };
    super::create_meeting(hub, meeting, details).await?;
    let mut invitees = Vec::with_capacity(MEMBERS.len());
    for (index, (member, name, position)) in MEMBERS.iter().enumerate() {
        let role = if index == 0 {
            Role::Chair
        } else {
            Role::Delegate
        };
        let mut invitee = invitee(member, (*name).to_owned(), position, role)?;
        "Ban Chỉ huy PCTT và TKCN tỉnh (demo)".clone_into(&mut invitee.unit_name);
        invitees.push(invitee);
    }
    let command = MeetingCommand::Invite {
        invitees,
        group: None,
    };
    match hub.execute(meeting, Actor::Admin, command).await {
        Ok(CommandOutcome::Acked { .. }) => Ok(()),
        Ok(other) => anyhow::bail!("the urgent demo meeting was refused: {other:?}"),
        Err(error) => anyhow::bail!("the urgent demo meeting failed: {error}"),
    }
}

//! `quorum serve --demo`: a demo meeting to try the hub in a minute — 30 delegates, an
//! agenda with documents and a poll — with its sign-in links printed and written to
//! DATA/demo.json for scripts.

use std::io::Write as _;

use anyhow::Context as _;
use quorum_domain::meeting::agenda::{Document, DocumentAccess};
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{Actor, CreateMeeting, MeetingCommand, MeetingId, MemberId, Role};
use quorum_gateway::Hub;
use quorum_gateway::access::Grant;
use quorum_gateway::rest::invitations::{Invitation, invite, projector};
use quorum_gateway::room::CommandOutcome;
use serde::Serialize;

mod pdf;
mod urgent;

/// The demo meeting's id.
pub(crate) const MEETING: &str = "demo";
/// The demo secretary's account.
const SECRETARY_LOGIN: &str = "thu-ky";
/// Delegates in the demo.
const DELEGATES: usize = 30;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Minh", "Thu", "Đức"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Long",
    "Mai", "Nam", "Ngọc", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Việt",
    "Xuân", "Yến", "Hiếu", "Linh", "Phương", "Thắng",
];

/// What scripts read from DATA/demo.json.
#[derive(Debug, Serialize)]
pub(crate) struct DemoFile {
    /// The meeting.
    pub(crate) meeting: MeetingId,
    /// The hub's address.
    pub(crate) url: String,
    /// The WebSocket address.
    pub(crate) ws_url: String,
    /// The chair's sign-in link.
    pub(crate) chair: Link,
    /// The secretary's.
    pub(crate) secretary: Link,
    /// The secretary's account (login `thu-ky`): the same person, who may also create
    /// meetings, which an invitation does not allow.
    pub(crate) secretary_account: Link,
    /// The hall projector's.
    pub(crate) projector: Link,
    /// Every delegate's.
    pub(crate) delegates: Vec<Link>,
    /// The urgent meeting, waiting to be convened.
    pub(crate) urgent: urgent::UrgentDemo,
}

/// One sign-in link.
#[derive(Debug, Serialize)]
pub(crate) struct Link {
    /// The member, if a person.
    pub(crate) member: Option<MemberId>,
    /// The name.
    pub(crate) name: String,
    /// The link.
    pub(crate) url: String,
    /// The one-time code in it (for `POST /api/session/redeem`).
    pub(crate) code: String,
}

impl From<Invitation> for Link {
    fn from(invitation: Invitation) -> Link {
        let code = invitation
            .url
            .split_once("#code=")
            .map(|(_, code)| code.to_owned())
            .unwrap_or_default();
        Link {
            member: invitation.member,
            name: invitation.name,
            url: invitation.url,
            code,
        }
    }
}

fn id<T: TryFrom<String>>(value: &str) -> anyhow::Result<T>
where
    T::Error: std::fmt::Debug,
{
    T::try_from(value.to_owned()).map_err(|error| anyhow::anyhow!("bad demo id {value}: {error:?}"))
}

fn delegate_name(index: usize) -> String {
    let pick = |list: &[&'static str], n: usize| list.get(n % list.len()).copied().unwrap_or("");
    format!(
        "{} {} {}",
        pick(FAMILY, index),
        pick(MIDDLE, index / 3),
        pick(GIVEN, index)
    )
}

fn invitee(member: &str, name: String, position: &str, role: Role) -> anyhow::Result<Invitee> {
    Ok(Invitee {
        member: id(member)?,
        name,
        position: position.to_owned(),
        unit: None,
        unit_name: "HĐND tỉnh (demo)".to_owned(),
        role,
        voting_right: role != Role::Secretary && role != Role::Guest,
        weight: 1,
        groups: Vec::new(),
    })
}

/// Seeds the demo meeting (once), issues fresh links, prints them and writes demo.json.
pub(crate) async fn seed(hub: &Hub) -> anyhow::Result<()> {
    let meeting: MeetingId = id(MEETING)?;
    if hub.room(&meeting).is_none() {
        create(hub, &meeting).await?;
    }
    let view = hub
        .room(&meeting)
        .context("the demo meeting did not start")?
        .view(quorum_domain::Viewer::Admin)
        .await
        .context("the demo meeting does not answer")?;
    let issue = |grant: Grant, member: Option<MemberId>, name: String| async move {
        invite(hub, grant, member, name, None, false)
            .await
            .map(Link::from)
            .map_err(|error| anyhow::anyhow!("cannot issue a demo link: {error}"))
    };
    let mut chair = None;
    let mut secretary = None;
    let mut secretary_account = None;
    let mut delegates = Vec::new();
    for participant in &view.participants {
        let grant = Grant::Member {
            member: participant.member.clone(),
        };
        let link = issue(
            grant,
            Some(participant.member.clone()),
            participant.name.clone(),
        )
        .await?;
        match participant.role {
            Role::Chair => chair = Some(link),
            Role::Secretary => {
                let grant = secretary_grant(hub, participant).await?;
                let account = issue(
                    grant,
                    Some(participant.member.clone()),
                    participant.name.clone(),
                )
                .await?;
                secretary = Some(link);
                secretary_account = Some(account);
            }
            Role::Delegate | Role::Guest => delegates.push(link),
        }
    }
    let projector = projector(hub, &meeting, false)
        .await
        .map(Link::from)
        .map_err(|error| anyhow::anyhow!("cannot issue the projector link: {error}"))?;
    let url = hub.config().public_url();
    let file = DemoFile {
        meeting,
        ws_url: format!("{}/ws", url.replacen("http", "ws", 1)),
        url,
        chair: chair.context("the demo has no chair")?,
        secretary: secretary.context("the demo has no secretary")?,
        secretary_account: secretary_account.context("the demo has no secretary")?,
        projector,
        delegates,
        urgent: urgent::seed(hub).await?,
    };
    let path = hub.config().data.join("demo.json");
    write_private(&path, &serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    announce(&file, &path);
    Ok(())
}

/// The demo secretary's account, as a real secretary has one: an account (unlike an
/// invitation) may create meetings. Created once, without a password.
async fn secretary_grant(
    hub: &Hub,
    participant: &quorum_domain::view::ParticipantView,
) -> anyhow::Result<Grant> {
    if !hub.account_exists(SECRETARY_LOGIN) {
        hub.create_account(
            SECRETARY_LOGIN,
            &participant.name,
            false,
            Some(participant.member.clone()),
            None,
        )
        .await
        .map_err(|error| anyhow::anyhow!("cannot create the demo secretary's account: {error}"))?;
    }
    Ok(Grant::Account {
        login: SECRETARY_LOGIN.to_owned(),
    })
}

async fn create(hub: &Hub, meeting: &MeetingId) -> anyhow::Result<()> {
    let now = quorum_gateway::clock::now();
    let details = MeetingDetails {
        title: "Kỳ họp thứ 12 Hội đồng nhân dân tỉnh (demo)".to_owned(),
        kind: MeetingKind::Routine,
        location: "Hội trường tầng 3".to_owned(),
        scheduled_at: now,
    };
    create_meeting(hub, meeting, details).await?;
    let mut invitees = vec![
        invitee(
            "chu-toa",
            "Đỗ Thị Ngân Hà".to_owned(),
            "Chủ tịch HĐND tỉnh",
            Role::Chair,
        )?,
        invitee(
            "thu-ky",
            "Phạm Văn Hùng".to_owned(),
            "Thư ký kỳ họp",
            Role::Secretary,
        )?,
    ];
    for index in 0..DELEGATES {
        invitees.push(invitee(
            &format!("db-{:02}", index + 1),
            delegate_name(index),
            "Đại biểu HĐND tỉnh",
            Role::Delegate,
        )?);
    }
    let admin = Actor::Admin;
    let chair = Actor::Member {
        member: id("chu-toa")?,
    };
    let mut steps: Vec<(Actor, MeetingCommand)> = vec![(
        admin.clone(),
        MeetingCommand::Invite {
            invitees,
            group: None,
        },
    )];
    let items = [
        (
            "nd-1",
            "Kế hoạch phòng, chống thiên tai năm 2027",
            "Tờ trình của UBND tỉnh; thảo luận và biểu quyết.",
        ),
        (
            "nd-2",
            "Dự toán ngân sách năm 2027",
            "Báo cáo thẩm tra của Ban Kinh tế – Ngân sách.",
        ),
        (
            "nd-3",
            "Chất vấn và trả lời chất vấn",
            "Các đại biểu chất vấn Giám đốc Sở Nông nghiệp.",
        ),
    ];
    for (item, title, description) in items {
        steps.push((
            admin.clone(),
            MeetingCommand::AddItem {
                item: id(item)?,
                title: title.to_owned(),
                description: description.to_owned(),
                position: None,
            },
        ));
        let text = format!("{title}\n\n{description}\n\nTài liệu mẫu của cuộc họp demo Quorum.\n");
        let (hash, size) = store_document(hub, text.as_bytes()).await?;
        steps.push((
            admin.clone(),
            MeetingCommand::AttachDocument {
                item: id(item)?,
                document: Document {
                    id: id(&format!("tl-{item}"))?,
                    name: format!("{item}-tai-lieu.txt"),
                    content_hash: hash
                        .try_into()
                        .map_err(|error| anyhow::anyhow!("{error:?}"))?,
                    size,
                    media_type: "text/plain; charset=utf-8".to_owned(),
                    access: DocumentAccess::Everyone,
                    status: Default::default(),
                },
            },
        ));
        // The demo's documents are approved: every screen reads them at once.
        steps.push((
            admin.clone(),
            MeetingCommand::ApproveDocument {
                document: id(&format!("tl-{item}"))?,
            },
        ));
    }
    // A real PDF for the first item, to read on a phone (rendered in the page).
    let report = pdf::report();
    let (hash, size) = store_document(hub, &report).await?;
    steps.push((
        admin.clone(),
        MeetingCommand::AttachDocument {
            item: id("nd-1")?,
            document: Document {
                id: id("tl-nd-1-to-trinh")?,
                name: "Tờ trình kế hoạch phòng, chống thiên tai 2027.pdf".to_owned(),
                content_hash: hash
                    .try_into()
                    .map_err(|error| anyhow::anyhow!("{error:?}"))?,
                size,
                media_type: "application/pdf".to_owned(),
                access: DocumentAccess::Everyone,
                status: Default::default(),
            },
        },
    ));
    steps.push((
        admin.clone(),
        MeetingCommand::ApproveDocument {
            document: id("tl-nd-1-to-trinh")?,
        },
    ));
    steps.push((
        admin,
        MeetingCommand::CreatePoll {
            poll: id("bq-1")?,
            spec: PollSpec {
                title: "Thông qua Nghị quyết về kế hoạch phòng, chống thiên tai năm 2027"
                    .to_owned(),
                item: Some(id("nd-1")?),
                questions: vec![Question {
                    text: "Đồng ý thông qua dự thảo Nghị quyết?".to_owned(),
                    kind: QuestionKind::YesNoAbstain,
                }],
                secret: false,
                vote_change: false,
                visibility: ResultsVisibility::LiveToAll,
                eligibility: Eligibility::default(),
                majority: MajorityRule::more_than_half_of_all_members(),
            },
        },
    ));
    steps.push((chair.clone(), MeetingCommand::OpenMeeting));
    steps.push((
        chair,
        MeetingCommand::SetCurrentItem {
            item: Some(id("nd-1")?),
        },
    ));
    for (actor, command) in steps {
        match hub.execute(meeting, actor, command).await {
            Ok(CommandOutcome::Acked { .. }) => {}
            Ok(other) => anyhow::bail!("the demo step was refused: {other:?}"),
            Err(error) => anyhow::bail!("the demo step failed: {error}"),
        }
    }
    Ok(())
}

/// Creates a demo meeting, as the hub's administrator, with the default rules.
async fn create_meeting(
    hub: &Hub,
    meeting: &MeetingId,
    details: MeetingDetails,
) -> anyhow::Result<()> {
    hub.create_meeting_as(
        Actor::Admin,
        None,
        meeting.clone(),
        CreateMeeting {
            details,
            settings: MeetingSettings::default(),
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(())
}

async fn store_document(hub: &Hub, content: &[u8]) -> anyhow::Result<(String, u64)> {
    let mut writer = hub.blobs().writer(1024 * 1024)?;
    writer.write(content).await?;
    Ok(writer.finish().await?)
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// Prints the administrator's one-time sign-in link on first start.
#[allow(
    clippy::print_stdout,
    reason = "the link is for the person at the terminal"
)]
pub(crate) fn announce_admin(public_url: &str, code: &str) {
    println!();
    println!("  Quản trị viên / Administrator — one-time sign-in link (shown once):");
    println!(
        "    {}",
        quorum_gateway::rest::invitations::join_url(public_url, code)
    );
    println!();
}

#[allow(
    clippy::print_stdout,
    reason = "the links are for the person at the terminal"
)]
fn announce(file: &DemoFile, path: &std::path::Path) {
    println!();
    println!("  Cuộc họp demo / Demo meeting: {}", file.meeting);
    println!("    Chủ tọa / Chair:        {}", file.chair.url);
    println!("    Thư ký / Secretary:     {}", file.secretary_account.url);
    println!("    Máy chiếu / Projector:  {}", file.projector.url);
    println!(
        "    Họp khẩn / Urgent meeting, its chair: {}",
        file.urgent.chair.url
    );
    if let Some(first) = file.delegates.first() {
        println!("    Đại biểu / Delegate {}: {}", first.name, first.url);
        if let Ok(code) = qrcode::QrCode::new(first.url.as_bytes()) {
            let qr = code
                .render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build();
            println!();
            println!("  Quét để tham gia với điện thoại / Scan to join from a phone:");
            println!("{qr}");
        }
    }
    println!(
        "    Links for all {} delegates (one-time each): {}",
        file.delegates.len(),
        path.display()
    );
    println!();
}

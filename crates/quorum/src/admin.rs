//! Administrative subcommands on a data directory: they open it as the hub does (the
//! same rules, the same log), so they need the hub to be stopped; a running hub offers
//! the same through its REST API.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::{Actor, CreateMeeting, MeetingCommand, MeetingId, MemberId, Timestamp, Viewer};
use quorum_gateway::access::Grant;
use quorum_gateway::rest::invitations;
use quorum_gateway::room::CommandOutcome;

use crate::ConfigArgs;
use crate::serve::Data;
use crate::settings;

async fn open(config: &ConfigArgs) -> anyhow::Result<Data> {
    let config = settings::load(config, &[])?;
    Data::open(config).await
}

fn meeting_id(text: &str) -> anyhow::Result<MeetingId> {
    MeetingId::new(text).map_err(|error| anyhow::anyhow!("bad meeting id {text:?}: {error}"))
}

#[allow(clippy::print_stdout, reason = "the command line prints its result")]
fn print(text: &str) {
    println!("{text}");
}

/// `quorum create-meeting`.
#[derive(Debug, Args)]
pub(crate) struct CreateMeetingArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The meeting's id (letters, digits, '.', '_', ':', '-').
    #[arg(long)]
    id: String,
    /// Its title.
    #[arg(long)]
    title: String,
    /// Where it takes place.
    #[arg(long, default_value = "")]
    location: String,
    /// An urgent (crisis) meeting rather than a routine one.
    #[arg(long)]
    urgent: bool,
    /// When it starts, in milliseconds since the Unix epoch (default: now).
    #[arg(long)]
    scheduled_at: Option<i64>,
}

/// Creates a meeting as the administrator.
pub(crate) async fn create_meeting(args: CreateMeetingArgs) -> anyhow::Result<()> {
    let data = open(&args.config).await?;
    let meeting = meeting_id(&args.id)?;
    let create = CreateMeeting {
        details: MeetingDetails {
            title: args.title,
            kind: if args.urgent {
                MeetingKind::Urgent
            } else {
                MeetingKind::Routine
            },
            location: args.location,
            scheduled_at: args
                .scheduled_at
                .map_or_else(quorum_gateway::clock::now, Timestamp),
        },
        settings: MeetingSettings::default(),
    };
    let result = data
        .hub
        .create_meeting_as(Actor::Admin, None, meeting.clone(), create)
        .await;
    data.close().await;
    result.map_err(|error| anyhow::anyhow!("cannot create the meeting: {error}"))?;
    print(&format!("created meeting {meeting}"));
    Ok(())
}

/// `quorum import-roster`.
#[derive(Debug, Args)]
pub(crate) struct ImportRosterArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The meeting.
    #[arg(long)]
    meeting: String,
    /// The CSV file: a header row with member, name and optionally position, unit,
    /// unit_name, role, voting_right, weight, groups (';'-separated).
    #[arg(long, value_name = "FILE")]
    csv: PathBuf,
    /// Checks the file and shows what would be imported, without importing.
    #[arg(long)]
    dry_run: bool,
}

/// Imports a roster.
pub(crate) async fn import_roster(args: ImportRosterArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.csv).with_context(|| format!("cannot read {}", args.csv.display()))?;
    let invitees = match quorum_gateway::rest::roster::parse(&bytes) {
        Ok(invitees) => invitees,
        Err(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|error| {
                    format!(
                        "  line {}{}: {}",
                        error.line,
                        error
                            .column
                            .as_ref()
                            .map(|column| format!(", column {column}"))
                            .unwrap_or_default(),
                        error.message
                    )
                })
                .collect();
            anyhow::bail!(
                "the roster has errors; nothing was imported:\n{}",
                lines.join("\n")
            );
        }
    };
    for invitee in &invitees {
        print(&format!(
            "  {:<16} {:<32} {:?}{}",
            invitee.member,
            invitee.name,
            invitee.role,
            if invitee.voting_right {
                ""
            } else {
                " (no vote)"
            }
        ));
    }
    if args.dry_run {
        print(&format!(
            "{} rows checked; nothing imported (dry run)",
            invitees.len()
        ));
        return Ok(());
    }
    let data = open(&args.config).await?;
    let meeting = meeting_id(&args.meeting)?;
    let count = invitees.len();
    let outcome = data
        .hub
        .execute(
            &meeting,
            Actor::Admin,
            MeetingCommand::Invite {
                invitees,
                group: None,
            },
        )
        .await;
    data.close().await;
    match outcome {
        Ok(CommandOutcome::Acked { .. }) => {
            print(&format!("imported {count} participants into {meeting}"));
            Ok(())
        }
        Ok(other) => anyhow::bail!("the roster was refused: {other:?}"),
        Err(error) => anyhow::bail!("cannot import the roster: {error}"),
    }
}

/// `quorum invite`.
#[derive(Debug, Args)]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The meeting.
    #[arg(long)]
    meeting: String,
    /// Only these participants (default: everyone).
    #[arg(long = "member", value_name = "MEMBER")]
    members: Vec<String>,
    /// Also a link for the hall projector.
    #[arg(long)]
    projector: bool,
    /// Writes each link's QR code as an SVG file into this directory.
    #[arg(long, value_name = "DIR")]
    qr_dir: Option<PathBuf>,
}

/// Issues invitation links.
pub(crate) async fn invite(args: InviteArgs) -> anyhow::Result<()> {
    let data = open(&args.config).await?;
    let result = issue_invitations(&data, &args).await;
    data.close().await;
    let links = result?;
    if let Some(directory) = &args.qr_dir {
        std::fs::create_dir_all(directory)
            .with_context(|| format!("cannot create {}", directory.display()))?;
    }
    for link in links {
        let label = link
            .member
            .as_ref()
            .map_or_else(|| "projector".to_owned(), ToString::to_string);
        print(&format!("{label}\t{}\t{}", link.name, link.url));
        if let Some(directory) = &args.qr_dir {
            let svg = invitations::qr_svg(&link.url)
                .map_err(|error| anyhow::anyhow!("cannot draw a QR code: {error}"))?;
            let path = directory.join(format!("{label}.svg"));
            std::fs::write(&path, svg)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

async fn issue_invitations(
    data: &Data,
    args: &InviteArgs,
) -> anyhow::Result<Vec<invitations::Invitation>> {
    let meeting = meeting_id(&args.meeting)?;
    let view = data
        .hub
        .room(&meeting)
        .with_context(|| format!("no meeting {meeting}"))?
        .view(Viewer::Admin)
        .await
        .context("the meeting does not answer")?;
    let members: Vec<MemberId> = args
        .members
        .iter()
        .map(|member| {
            MemberId::new(member.as_str())
                .map_err(|error| anyhow::anyhow!("bad member {member:?}: {error}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let members = (!members.is_empty()).then_some(members.as_slice());
    invitations::for_participants(&data.hub, &view, members, args.projector, false)
        .await
        .map_err(|error| anyhow::anyhow!("cannot issue the links: {error}"))
}

/// `quorum create-account`.
#[derive(Debug, Args)]
pub(crate) struct CreateAccountArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The login.
    #[arg(long)]
    login: String,
    /// The person's name.
    #[arg(long)]
    name: String,
    /// The member this account acts as in meetings (a secretary or chair).
    #[arg(long)]
    member: Option<String>,
    /// An administrator of the hub.
    #[arg(long)]
    admin: bool,
    /// Reads the password from standard input (otherwise a sign-in link is printed).
    #[arg(long)]
    password_stdin: bool,
}

/// Creates an account.
pub(crate) async fn create_account(args: CreateAccountArgs) -> anyhow::Result<()> {
    let member = args
        .member
        .as_deref()
        .map(|member| MemberId::new(member).map_err(|error| anyhow::anyhow!("bad member: {error}")))
        .transpose()?;
    let password = if args.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the password")?;
        Some(text.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let data = open(&args.config).await?;
    let created = data
        .hub
        .create_account(
            &args.login,
            &args.name,
            args.admin,
            member,
            password.as_deref(),
        )
        .await;
    let link = match (&created, password.is_none()) {
        (Ok(()), true) => Some(
            data.hub
                .issue_code(Grant::Account {
                    login: args.login.clone(),
                })
                .await,
        ),
        _ => None,
    };
    let public_url = data.hub.config().public_url();
    data.close().await;
    created.map_err(|error| anyhow::anyhow!("cannot create the account: {error}"))?;
    print(&format!("created account {}", args.login));
    if let Some(link) = link {
        let (code, _) = link.map_err(|error| anyhow::anyhow!("{error}"))?;
        print(&format!(
            "one-time sign-in link: {}",
            invitations::join_url(&public_url, code.expose())
        ));
    }
    Ok(())
}

/// `quorum sign-in-link`.
#[derive(Debug, Args)]
pub(crate) struct SignInLinkArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The account.
    #[arg(long)]
    login: String,
}

/// Issues a one-time sign-in link for an account (a forgotten password, a new device).
pub(crate) async fn sign_in_link(args: SignInLinkArgs) -> anyhow::Result<()> {
    let data = open(&args.config).await?;
    let exists = data.hub.account_exists(&args.login);
    let issued = if exists {
        Some(
            data.hub
                .issue_code(Grant::Account {
                    login: args.login.clone(),
                })
                .await,
        )
    } else {
        None
    };
    let public_url = data.hub.config().public_url();
    data.close().await;
    let (code, _) = issued
        .with_context(|| format!("no account {}", args.login))?
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    print(&invitations::join_url(&public_url, code.expose()));
    Ok(())
}

/// `quorum export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The meeting.
    #[arg(long)]
    meeting: String,
    /// The file to write (default: standard output; required for docx and pdf).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// `record`: the raw record as JSON; `docx`, `pdf`, `html`, `json`: the minutes
    /// (biên bản).
    #[arg(long, default_value = "record", value_parser = ["record", "docx", "pdf", "html", "json"])]
    format: String,
}

/// Exports a meeting's record as JSON, or its minutes.
pub(crate) async fn export(args: ExportArgs) -> anyhow::Result<()> {
    if matches!(args.format.as_str(), "docx" | "pdf") && args.out.is_none() {
        anyhow::bail!("--format {} needs --out FILE", args.format);
    }
    let data = open(&args.config).await?;
    let meeting = meeting_id(&args.meeting)?;
    let record = quorum_gateway::rest::meetings::record_json(&data.hub, &meeting).await;
    data.close().await;
    let record = record.map_err(|error| anyhow::anyhow!("cannot export {meeting}: {error}"))?;
    if args.format != "record" {
        let format: quorum_minutes::Format = args.format.parse()?;
        let bytes = quorum_gateway::rest::minutes::render(&record, format)
            .with_context(|| format!("cannot make the minutes of {meeting}"))?;
        return match (&args.out, format) {
            (Some(path), _) => std::fs::write(path, bytes)
                .with_context(|| format!("cannot write {}", path.display())),
            (None, quorum_minutes::Format::Html | quorum_minutes::Format::Json) => {
                print(&String::from_utf8_lossy(&bytes));
                Ok(())
            }
            (None, _) => anyhow::bail!("--format {} needs --out FILE", args.format),
        };
    }
    let json = serde_json::to_string_pretty(&record)?;
    match &args.out {
        Some(path) => std::fs::write(path, json)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print(&json),
    }
    Ok(())
}

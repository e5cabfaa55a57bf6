//! The `quorum` command: `serve` runs the hub; the other subcommands prepare meetings,
//! issue invitations and export records on a data directory.

mod admin;
mod demo;
mod logging;
mod serve;
mod settings;
mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Quorum: paperless meeting rooms with live electronic voting.
#[derive(Debug, Parser)]
#[command(name = "quorum", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the hub.
    Serve(ServeArgs),
    /// Creates a meeting.
    CreateMeeting(admin::CreateMeetingArgs),
    /// Imports a meeting's roster from CSV.
    ImportRoster(admin::ImportRosterArgs),
    /// Issues invitation links (and QR codes) for a meeting's participants.
    Invite(admin::InviteArgs),
    /// Creates an account for a secretary, a chair or another administrator.
    CreateAccount(admin::CreateAccountArgs),
    /// Issues a new one-time sign-in link for an account.
    SignInLink(admin::SignInLinkArgs),
    /// Exports a meeting's record (every event and the final state) as JSON.
    Export(admin::ExportArgs),
    /// Checks a meeting's stored record: its hash chain, and every tally recounted.
    Verify(verify::VerifyArgs),
}

/// Where the configuration comes from; shared by every subcommand.
#[derive(Debug, Clone, Args)]
struct ConfigArgs {
    /// A TOML file layered over config/default.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The data directory (overrides `data`).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The address to listen on (overrides `listen`).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Seeds a demo meeting (30 delegates, an agenda with documents, a poll), prints
    /// its links and writes DATA/demo.json.
    #[arg(long)]
    demo: bool,
    /// Serves HTTPS with a self-signed certificate, for a trial on a LAN.
    #[arg(long)]
    dev_tls: bool,
    /// Logs as JSON lines.
    #[arg(long)]
    log_json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::from(error)),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::CreateMeeting(args) => admin::create_meeting(args).await,
            Command::ImportRoster(args) => admin::import_roster(args).await,
            Command::Invite(args) => admin::invite(args).await,
            Command::CreateAccount(args) => admin::create_account(args).await,
            Command::SignInLink(args) => admin::sign_in_link(args).await,
            Command::Export(args) => admin::export(args).await,
            Command::Verify(args) => verify::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

#[allow(clippy::print_stderr, reason = "the command line reports its failure")]
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("quorum: {error:#}");
    ExitCode::FAILURE
}

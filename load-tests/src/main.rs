//! `quorum-load`: the load generator of the performance scenarios, run against a
//! `quorum serve` hub that it starts or that is already running, measured from /proc.

mod demo;
mod devices;
mod hub_process;
mod idle;
mod latency;
mod open_files;
mod record;
mod report;
mod sample;
mod voting;
mod workers;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Load scenarios for the Quorum hub (see the design's performance document).
#[derive(Debug, Parser)]
#[command(name = "quorum-load", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Opens C authenticated, subscribed connections, holds them idle with keepalives,
    /// and reports the hub's memory per connection and its CPU while idle.
    Idle(idle::IdleArgs),
    /// One meeting of N devices (1 chair, 1 projector, delegates): a roll call, then
    /// every delegate casts one ballot over the spread; ack and "tally visible" latency.
    Assembly(voting::VoteArgs),
    /// M meetings in parallel (500 × 30), each voting at once; per meeting and overall.
    Province(voting::VoteArgs),
    /// One meeting, N devices; the chair publishes K updates a second: frames/s
    /// delivered and hub CPU per frame.
    Fanout(voting::VoteArgs),
    /// `assembly` against 3 nodes on PostgreSQL and Redis, devices spread over them.
    Cluster(voting::VoteArgs),
    /// `assembly` where every device drops its connection mid-vote and resumes.
    Reconnect(voting::VoteArgs),
    /// Turns result files into a Markdown table and SVG latency plots (CDF).
    Report(report::ReportArgs),
    /// One worker process of `idle`: started by it, reads its job on stdin and reports
    /// on stdout.
    #[command(hide = true)]
    IdleWorker,
    /// One worker process of the meeting scenarios.
    #[command(hide = true)]
    DeviceWorker,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every socket is a file: take all the open files this process may have.
    if let Err(error) = open_files::raise_to_hard_limit() {
        warn(&format!("cannot raise the open-file limit: {error}"));
    }
    // One thread each: the coordinator mostly waits, and the workers share two cores
    // with the hub under test.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::from(error)),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Idle(args) => idle::run(args).await,
            Command::Assembly(args) => voting::run(voting::Scenario::Assembly, args).await,
            Command::Province(args) => voting::run(voting::Scenario::Province, args).await,
            Command::Fanout(args) => voting::run(voting::Scenario::Fanout, args).await,
            Command::Cluster(args) => voting::run(voting::Scenario::Cluster, args).await,
            Command::Reconnect(args) => voting::run(voting::Scenario::Reconnect, args).await,
            Command::Report(args) => report::run(args),
            Command::IdleWorker => idle::worker::run().await,
            Command::DeviceWorker => devices::worker::run().await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// A line for the operator, on stderr (stdout carries results and worker reports).
#[allow(
    clippy::print_stderr,
    reason = "progress and warnings go to the terminal"
)]
pub(crate) fn warn(line: &str) {
    eprintln!("quorum-load: {line}");
}

fn fail(error: &anyhow::Error) -> ExitCode {
    warn(&format!("{error:#}"));
    ExitCode::FAILURE
}

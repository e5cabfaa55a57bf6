//! The scenarios with devices in meetings — `assembly`, `province`, `cluster`,
//! `reconnect` and `fanout`: start the hubs, prepare the meetings over HTTP, connect
//! every device in worker processes, drive the meeting from the chair's connection, and
//! measure what every device saw.

mod chair;
mod hubs;
mod measure;
mod prepare;
mod visibility;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use quorum_client::Http;

use crate::devices::job::{DeviceSpec, Order};
use crate::devices::{Plan, Pool, unix_micros};
use crate::record;
use chair::{Chairs, Step};
use hubs::{ClusterStores, Hubs};
use measure::{Phase, Run};

/// Which scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    Assembly,
    Province,
    Cluster,
    Reconnect,
    Fanout,
}

impl Scenario {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Assembly => "assembly",
            Scenario::Province => "province",
            Scenario::Cluster => "cluster",
            Scenario::Reconnect => "reconnect",
            Scenario::Fanout => "fanout",
        }
    }
}

/// The flags of the meeting scenarios; sizes left out take the scenario's defaults from
/// the performance document.
#[derive(Debug, Clone, Args)]
pub(crate) struct VoteArgs {
    /// Devices per meeting: one chair, one projector, the rest delegates [assembly,
    /// cluster, reconnect, fanout: 10,000; province: 30].
    #[arg(long)]
    devices: Option<usize>,
    /// Meetings in parallel [province: 500; others: 1].
    #[arg(long)]
    meetings: Option<usize>,
    /// The ballots (and the roll call's check-ins) are spread over this many ms.
    #[arg(long, default_value_t = 1_000)]
    spread_ms: u64,
    /// Cluster nodes [cluster: 3; others: 1].
    #[arg(long)]
    nodes: Option<usize>,
    /// A secret ballot (live counts to everyone) in place of the named motion, whose
    /// every vote every device is shown.
    #[arg(long)]
    secret: bool,
    /// `reconnect`: every device drops its connection this long after the first
    /// ballot [half the spread].
    #[arg(long)]
    drop_at_ms: Option<u64>,
    /// `fanout`: the chair's updates per second.
    #[arg(long, default_value_t = 20)]
    rate: u32,
    /// `fanout`: for how many seconds the chair publishes.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// `cluster`: a libpq connection string where the run may create a database.
    #[arg(
        long,
        env = "QUORUM_TEST_POSTGRES",
        default_value = "host=127.0.0.1 port=5432 user=root dbname=postgres"
    )]
    postgres: String,
    /// `cluster`: the Redis URL.
    #[arg(
        long,
        env = "QUORUM_TEST_REDIS",
        default_value = "redis://127.0.0.1:6379/"
    )]
    redis: String,
    /// The `quorum` binary [default: the one beside this program].
    #[arg(long, value_name = "FILE")]
    quorum_bin: Option<PathBuf>,
    /// More environment for the started hubs (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = crate::idle::parse_env)]
    server_env: Vec<(String, String)>,
    /// Devices per worker process (each worker connects from its own 127.0.0.x).
    #[arg(long, default_value_t = 2_500)]
    per_worker: usize,
    /// Handshakes in flight per worker.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// How long devices may take to reach the meeting's last event at the end, in s.
    #[arg(long, default_value_t = 300)]
    finish_timeout_secs: u64,
    /// Also write the result here as JSON, with a Markdown summary beside it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The sizes of a run, once the defaults are applied.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub(crate) devices: usize,
    pub(crate) meetings: usize,
    pub(crate) nodes: usize,
    /// The motion is a secret ballot.
    pub(crate) secret: bool,
}

impl VoteArgs {
    fn sizes(&self, scenario: Scenario) -> Sizes {
        let (devices, meetings, nodes) = match scenario {
            Scenario::Province => (30, 500, 1),
            Scenario::Cluster => (10_000, 1, 3),
            Scenario::Assembly | Scenario::Reconnect | Scenario::Fanout => (10_000, 1, 1),
        };
        Sizes {
            devices: self.devices.unwrap_or(devices).max(3),
            meetings: self.meetings.unwrap_or(meetings).max(1),
            nodes: self.nodes.unwrap_or(nodes).max(1),
            secret: self.secret,
        }
    }
}

/// Runs `scenario` and reports.
pub(crate) async fn run(scenario: Scenario, args: VoteArgs) -> anyhow::Result<()> {
    let sizes = args.sizes(scenario);
    let binary = crate::idle::quorum_binary(args.quorum_bin.as_deref())?;
    let stores = ClusterStores {
        postgres: args.postgres.clone(),
        redis: args.redis.clone(),
    };
    let hubs = Hubs::start(binary, &args.server_env, sizes.nodes, Some(&stores)).await?;
    let measured = drive(scenario, &args, sizes, &hubs).await;
    if measured.is_err() {
        crate::warn(&format!("the hubs' logs:\n{}", hubs.logs()));
    }
    hubs.stop().await?;
    let result = measured?;
    if let Some(out) = &args.out {
        record::write(out, &result, &measure::summary(&result))?;
    }
    crate::idle::print_result(&serde_json::to_string_pretty(&result)?);
    Ok(())
}

/// Prepares, connects, drives the meeting and measures.
async fn drive(
    scenario: Scenario,
    args: &VoteArgs,
    sizes: Sizes,
    hubs: &Hubs,
) -> anyhow::Result<measure::VoteResult> {
    let nodes: Vec<Http> = hubs
        .urls()
        .iter()
        .map(|url| Http::new(url).map(|http| http.with_timeout(Duration::from_secs(120))))
        .collect::<Result<_, _>>()?;
    let first = nodes.first().context("no hub")?;
    let account = hubs
        .first()?
        .demo()?
        .secretary_account
        .as_ref()
        .context("demo.json has no secretary account")?;
    let secretary = prepare::redeem(first, &account.code).await?;
    let delegates = sizes.devices.saturating_sub(2);
    let meetings = prepare::meetings(
        &nodes,
        &secretary,
        scenario.name(),
        sizes.meetings,
        delegates,
    )
    .await?;

    // Every device but the chairs, dealt over the nodes; the chairs are the
    // coordinator's, on the first node.
    let mut devices = Vec::new();
    for (index, meeting) in meetings.iter().enumerate() {
        let tokens = std::iter::once((&meeting.projector, false))
            .chain(meeting.delegates.iter().map(|token| (token, true)));
        for (token, votes) in tokens {
            let slot = devices.len() as u64;
            devices.push(DeviceSpec {
                token: token.clone(),
                node: devices.len() % sizes.nodes,
                meeting: index,
                votes: votes && scenario != Scenario::Fanout,
                slot,
            });
        }
    }
    let voters = devices.iter().filter(|device| device.votes).count() as u64;
    let device_count = devices.len() as u64;
    let plan = Plan {
        ws_urls: hubs.ws_urls(),
        meetings: meetings.iter().map(|meeting| meeting.id.clone()).collect(),
        devices,
        per_worker: args.per_worker,
        concurrency: args.concurrency,
    };
    let mut chairs = Chairs::connect(hubs.first()?.ws_url.as_str(), &meetings).await?;
    let baseline = hubs.usage()?;
    let mut pool = Pool::start(&plan.jobs()?).await?;
    let workers = pool.len();
    let ready = pool.wait_ready("connect").await?;
    anyhow::ensure!(
        ready.subscribed == device_count,
        "{} of {device_count} devices failed to subscribe: {}",
        ready.failed,
        pool.errors().join("; ")
    );
    let mut run = Run::new(
        scenario,
        sizes,
        workers,
        device_count + sizes.meetings as u64,
    );
    run.usage(Phase::Connected, baseline, hubs.usage()?);
    chairs.everywhere(Step::OpenMeeting).await?;
    let spread_us = args.spread_ms.saturating_mul(1_000);
    let timeout = Duration::from_secs(args.finish_timeout_secs);

    if scenario == Scenario::Fanout {
        // Every device has the meeting's opening before the count starts.
        let opened = pool
            .wait_until("open", timeout, |counts| counts.frames >= device_count)
            .await?;
        anyhow::ensure!(opened, "the devices did not all see the meeting open");
        let before = hubs.usage()?;
        run.measure_from(pool.counts().frames, unix_micros());
        let sends = chairs
            .publish(args.rate, Duration::from_secs(args.seconds))
            .await?;
        run.sends(sends);
        let (outcomes, errors) = pool.finish(chairs.heads(), timeout).await?;
        run.usage(Phase::Measured, before, hubs.usage()?);
        run.outcomes(outcomes, errors);
        return Ok(run.finish(&hubs.info));
    }

    // The roll call, then the vote.
    pool.order(&Order::CheckIn {
        at_us: unix_micros() + 300_000,
        spread_us,
    })
    .await?;
    let settled = pool
        .wait_until("roll call", timeout, |counts| {
            counts.checked_in + counts.rejected >= voters
        })
        .await?;
    anyhow::ensure!(settled, "the roll call did not finish in {timeout:?}");
    chairs
        .everywhere(Step::OpenPoll {
            secret: sizes.secret,
        })
        .await?;

    let before = hubs.usage()?;
    let start_us = unix_micros() + 500_000;
    run.measure_from(pool.counts().frames, start_us);
    pool.order(&Order::Cast {
        poll: chair::POLL.to_owned(),
        round: 1,
        at_us: start_us,
        spread_us,
    })
    .await?;
    if scenario == Scenario::Reconnect {
        let after_us = args.drop_at_ms.unwrap_or(args.spread_ms / 2) * 1_000;
        pool.order(&Order::Drop {
            at_us: start_us + after_us,
        })
        .await?;
        run.dropped_at(start_us + after_us);
    }
    let settled = pool
        .wait_until("vote", timeout, |counts| {
            counts.acked + counts.rejected >= voters
        })
        .await?;
    anyhow::ensure!(settled, "the ballots were not all answered in {timeout:?}");
    chairs.everywhere(Step::ClosePublish).await?;
    let (outcomes, errors) = pool.finish(chairs.heads(), timeout).await?;
    run.usage(Phase::Measured, before, hubs.usage()?);
    run.outcomes(outcomes, errors);
    run.counted(chairs.counted(&nodes).await?);
    Ok(run.finish(&hubs.info))
}

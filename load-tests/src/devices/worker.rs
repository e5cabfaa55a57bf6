//! One device worker process: runs its share of the devices from its own source
//! address, passes the coordinator's orders on to them, reports its counts four times a
//! second, and its measurements once every device has finished.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use quorum_client::ConnectOptions;
use quorum_domain::MeetingId;
use tokio::sync::{Semaphore, broadcast};
use tokio::task::JoinSet;

use super::device::Device;
use super::job::{Job, Order, Report};
use super::stats::Stats;
use crate::workers::report;

/// How often the worker reports its counts.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Orders waiting for devices (a run gives a handful).
const ORDER_QUEUE: usize = 16;

/// How long after a `Finish` timeout the worker waits for its devices to end.
const FINISH_GRACE: Duration = Duration::from_secs(10);

/// The largest message a device accepts: the snapshot of a meeting of ten thousand.
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// Runs the job read from stdin.
pub(crate) async fn run() -> anyhow::Result<()> {
    let (job, mut stdin): (Job, _) = crate::workers::read_job().await?;
    let meetings = job
        .meetings
        .iter()
        .map(|id| {
            MeetingId::new(id.clone())
                .map_err(|error| anyhow::anyhow!("bad meeting id {id:?}: {error:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let urls: Vec<Arc<str>> = job
        .ws_urls
        .iter()
        .map(|url| Arc::from(url.as_str()))
        .collect();

    let nodes = urls.len().max(1);
    let stats = Arc::new(Stats::new(meetings.len(), nodes));
    let gate = Arc::new(Semaphore::new(job.concurrency.max(1)));
    let (orders, _) = broadcast::channel(ORDER_QUEUE);
    let mut devices = JoinSet::new();
    // Devices by meeting × node.
    let mut placed = vec![0_u32; meetings.len() * nodes];
    for spec in job.devices {
        let (Some(url), Some(meeting)) = (urls.get(spec.node), meetings.get(spec.meeting)) else {
            anyhow::bail!("a device names a node or meeting the job does not have");
        };
        if let Some(count) = placed.get_mut(spec.meeting * nodes + spec.node) {
            *count += 1;
        }
        let options = ConnectOptions {
            local_address: job.local_address,
            max_message_bytes: MAX_MESSAGE_BYTES,
            // A device reads everything it receives: nothing waits long unread.
            buffer_limit: None,
            request_timeout: Duration::from_secs(120),
            ..ConnectOptions::new(spec.token.as_str())
        };
        let device = Device::new(
            spec,
            Arc::clone(url),
            options,
            meeting.clone(),
            Arc::clone(&stats),
        );
        devices.spawn(device.run(Arc::clone(&gate), orders.subscribe()));
    }
    let total: u64 = placed.iter().map(|count| u64::from(*count)).sum();

    let mut ticker = tokio::time::interval(PROGRESS_EVERY);
    loop {
        ticker.tick().await;
        let counts = stats.counts();
        if counts.subscribed + counts.failed >= total {
            break;
        }
        report(&Report::Progress { counts })?;
    }
    report(&Report::Ready {
        counts: stats.counts(),
        errors: stats.errors(),
    })?;

    // Orders until `Finish`; the counts meanwhile.
    let finish_within = loop {
        tokio::select! {
            _ = ticker.tick() => report(&Report::Progress { counts: stats.counts() })?,
            line = stdin.next_line() => {
                let Some(line) = line? else {
                    // The coordinator went away: stop.
                    return Ok(());
                };
                let order: Order = serde_json::from_str(&line).context("unreadable order")?;
                let timeout = match &order {
                    Order::Finish { timeout_ms, .. } => Some(Duration::from_millis(*timeout_ms)),
                    _ => None,
                };
                // Devices that ended (failed) no longer listen; that is not an error.
                let _ = orders.send(order);
                if let Some(timeout) = timeout {
                    break timeout;
                }
            }
        }
    };
    let ended = tokio::time::timeout(finish_within + FINISH_GRACE, async {
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    if report(&Report::Progress { counts: stats.counts() }).is_err() {
                        return;
                    }
                }
                joined = devices.join_next() => if joined.is_none() { return },
            }
        }
    })
    .await;
    if ended.is_err() {
        stats.note(format!("{} devices had not ended", devices.len()));
        devices.abort_all();
    }
    report(&Report::Done(Box::new(stats.outcome(&placed))))?;
    Ok(())
}

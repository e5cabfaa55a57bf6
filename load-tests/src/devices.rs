//! Simulated devices in worker processes, and the coordinator's side of them: starting
//! the workers (each with its share of the devices and its own source address), passing
//! them orders, following their counts, and collecting their measurements.

mod device;
mod incoming;
pub(crate) mod job;
mod stats;
pub(crate) mod worker;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::io::AsyncWriteExt as _;
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

use job::{Counts, DeviceSpec, Job, Order, Outcome, Report};
pub(crate) use stats::unix_micros;

/// How often the coordinator prints the progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// The running workers.
#[derive(Debug)]
pub(crate) struct Pool {
    children: Vec<Child>,
    stdins: Vec<ChildStdin>,
    reports: mpsc::Receiver<(usize, Option<Report>)>,
    latest: Vec<Counts>,
    errors: Vec<String>,
}

/// How the devices are shared out among workers.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The hubs' WebSocket addresses.
    pub(crate) ws_urls: Vec<String>,
    /// The meetings, by index.
    pub(crate) meetings: Vec<String>,
    /// Every device.
    pub(crate) devices: Vec<DeviceSpec>,
    /// At most this many per worker.
    pub(crate) per_worker: usize,
    /// Handshakes in flight per worker.
    pub(crate) concurrency: usize,
}

impl Plan {
    /// One job per worker: devices dealt in turn (so every worker has some of every
    /// meeting and node), worker `i` connecting from 127.0.0.(2 + i).
    pub(crate) fn jobs(&self) -> anyhow::Result<Vec<Job>> {
        let workers = self.devices.len().div_ceil(self.per_worker.max(1)).max(1);
        anyhow::ensure!(
            workers <= 253,
            "{workers} workers would need too many addresses"
        );
        let loopback = self
            .ws_urls
            .iter()
            .all(|url| crate::workers::loopback_host(url));
        let mut jobs: Vec<Job> = (0..workers)
            .map(|index| Job {
                ws_urls: self.ws_urls.clone(),
                meetings: self.meetings.clone(),
                devices: Vec::new(),
                local_address: u8::try_from(index + 2)
                    .ok()
                    .filter(|_| loopback)
                    .map(|last| IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))),
                concurrency: self.concurrency,
            })
            .collect();
        for (index, device) in self.devices.iter().enumerate() {
            if let Some(job) = jobs.get_mut(index % workers) {
                job.devices.push(device.clone());
            }
        }
        Ok(jobs)
    }
}

impl Pool {
    /// Starts one `quorum-load device-worker` per job and hands it its job.
    pub(crate) async fn start(jobs: &[Job]) -> anyhow::Result<Pool> {
        let started = crate::workers::start("device-worker", jobs).await?;
        Ok(Pool {
            latest: vec![Counts::default(); started.children.len()],
            children: started.children,
            stdins: started.stdins,
            reports: started.reports,
            errors: Vec::new(),
        })
    }

    /// Waits until every worker has tried all its devices.
    pub(crate) async fn wait_ready(&mut self, label: &str) -> anyhow::Result<Counts> {
        let mut ready = vec![false; self.children.len()];
        let mut ticker = tokio::time::interval(PROGRESS_EVERY);
        while ready.contains(&false) {
            match self.hear(label, &mut ticker).await? {
                Heard::Tick | Heard::Progress => {}
                Heard::Report(index, Report::Ready { counts, errors }) => {
                    self.set(index, counts);
                    self.keep(errors);
                    if let Some(slot) = ready.get_mut(index) {
                        *slot = true;
                    }
                }
                Heard::Report(index, _) | Heard::Done(index, _) | Heard::Exited(index) => {
                    anyhow::bail!("worker {index} stopped while connecting");
                }
            }
        }
        progress(label, self.counts());
        Ok(self.counts())
    }

    /// Sends an order to every worker.
    pub(crate) async fn order(&mut self, order: &Order) -> anyhow::Result<()> {
        let mut line = serde_json::to_string(order)?;
        line.push('\n');
        for stdin in &mut self.stdins {
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await?;
        }
        Ok(())
    }

    /// Waits until the summed counts satisfy `done`, or `timeout` passes (returning
    /// false), printing the progress once a second.
    pub(crate) async fn wait_until(
        &mut self,
        label: &str,
        timeout: Duration,
        done: impl Fn(Counts) -> bool,
    ) -> anyhow::Result<bool> {
        let started = Instant::now();
        let mut ticker = tokio::time::interval(PROGRESS_EVERY);
        while !done(self.counts()) {
            if started.elapsed() >= timeout {
                return Ok(false);
            }
            match self.hear(label, &mut ticker).await? {
                Heard::Tick | Heard::Progress => {}
                Heard::Report(index, _) | Heard::Done(index, _) | Heard::Exited(index) => {
                    anyhow::bail!("worker {index} ended early")
                }
            }
        }
        progress(label, self.counts());
        Ok(true)
    }

    /// Orders every device to finish at `heads` and collects every worker's outcome.
    pub(crate) async fn finish(
        mut self,
        heads: Vec<u64>,
        timeout: Duration,
    ) -> anyhow::Result<(Vec<Outcome>, Vec<String>)> {
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.order(&Order::Finish { heads, timeout_ms }).await?;
        let mut outcomes: Vec<Option<Outcome>> = vec![None; self.children.len()];
        let mut ticker = tokio::time::interval(PROGRESS_EVERY);
        while outcomes.iter().any(Option::is_none) {
            match self.hear("finishing", &mut ticker).await? {
                Heard::Tick | Heard::Progress | Heard::Report(_, _) => {}
                Heard::Done(index, outcome) => {
                    if let Some(slot) = outcomes.get_mut(index) {
                        *slot = Some(*outcome);
                    }
                }
                Heard::Exited(index) => {
                    if outcomes.get(index).is_some_and(Option::is_none) {
                        anyhow::bail!("worker {index} exited without its results");
                    }
                }
            }
        }
        self.stdins.clear();
        for child in &mut self.children {
            let _ = child.wait().await;
        }
        Ok((outcomes.into_iter().flatten().collect(), self.errors))
    }

    /// The next thing the workers say (progress is recorded here), or the ticker's
    /// tick, on which it prints the progress.
    async fn hear(
        &mut self,
        label: &str,
        ticker: &mut tokio::time::Interval,
    ) -> anyhow::Result<Heard> {
        tokio::select! {
            _ = ticker.tick() => {
                progress(label, self.counts());
                Ok(Heard::Tick)
            }
            report = self.reports.recv() => {
                let (index, report) = report.context("every worker went away")?;
                Ok(match report {
                    Some(Report::Progress { counts }) => {
                        self.set(index, counts);
                        Heard::Progress
                    }
                    Some(Report::Done(outcome)) => Heard::Done(index, outcome),
                    Some(report) => Heard::Report(index, report),
                    None => Heard::Exited(index),
                })
            }
        }
    }

    /// The distinct errors workers reported when ready.
    pub(crate) fn errors(&self) -> &[String] {
        &self.errors
    }

    /// How many workers run.
    pub(crate) fn len(&self) -> usize {
        self.children.len()
    }

    /// The summed counts of the latest reports.
    pub(crate) fn counts(&self) -> Counts {
        self.latest
            .iter()
            .fold(Counts::default(), |total, counts| total.add(*counts))
    }

    fn set(&mut self, index: usize, counts: Counts) {
        if let Some(slot) = self.latest.get_mut(index) {
            *slot = counts;
        }
    }

    fn keep(&mut self, errors: Vec<String>) {
        for error in errors {
            if !self.errors.contains(&error) {
                self.errors.push(error);
            }
        }
    }
}

/// What [`Pool::hear`] heard.
enum Heard {
    Tick,
    /// A worker's counts moved (already recorded).
    Progress,
    /// A worker's results.
    Done(usize, Box<Outcome>),
    /// Any other report.
    Report(usize, Report),
    /// The worker's output ended.
    Exited(usize),
}

fn progress(label: &str, counts: Counts) {
    crate::warn(&format!(
        "{label}: subscribed {}, failed {}, checked in {}, ballots {} sent / {} acked, \
         rejected {}, reconnects {}, updates {}",
        counts.subscribed,
        counts.failed,
        counts.checked_in,
        counts.ballots_sent,
        counts.acked,
        counts.rejected,
        counts.reconnects,
        counts.frames
    ));
}

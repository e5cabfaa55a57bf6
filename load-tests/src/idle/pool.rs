//! The coordinator's side of the worker processes: starts them (each with its share of
//! the connections and its own source address), follows their reports, and ends the
//! hold by closing their stdin.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use anyhow::Context as _;
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

use super::job::{Counts, Job, Report};

/// How often the coordinator prints the connection progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// How long workers may take to report and exit once the hold is over.
const FINISH_TIMEOUT: Duration = Duration::from_secs(30);

/// What the workers said once every connection had been tried.
#[derive(Debug, Clone)]
pub(crate) struct Ready {
    /// The counts, summed.
    pub(crate) counts: Counts,
    /// The heartbeat the hub asked for.
    pub(crate) heartbeat_ms: Option<u64>,
    /// Why connections failed.
    pub(crate) errors: Vec<String>,
}

/// What the workers said at the end of the hold.
#[derive(Debug, Clone)]
pub(crate) struct Done {
    /// The counts, summed.
    pub(crate) counts: Counts,
    /// Why connections closed during the hold.
    pub(crate) closes: Vec<String>,
}

/// The running workers.
#[derive(Debug)]
pub(crate) struct Pool {
    children: Vec<Child>,
    stdins: Vec<ChildStdin>,
    reports: mpsc::Receiver<(usize, Option<Report>)>,
}

/// How the connections are shared out.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The hub's WebSocket address.
    pub(crate) ws_url: String,
    /// The meeting to subscribe to.
    pub(crate) meeting: String,
    /// The session tokens.
    pub(crate) tokens: Vec<String>,
    /// Connections in all.
    pub(crate) connections: usize,
    /// At most this many per worker.
    pub(crate) per_worker: usize,
    /// Handshakes in flight per worker.
    pub(crate) concurrency: usize,
}

impl Plan {
    /// One job per worker: the connections shared evenly, tokens continuing from one
    /// worker to the next, and worker `i` connecting from 127.0.0.(2 + i) when the hub
    /// is on IPv4 loopback.
    pub(crate) fn jobs(&self) -> anyhow::Result<Vec<Job>> {
        let workers = self.connections.div_ceil(self.per_worker.max(1)).max(1);
        let loopback = crate::workers::loopback_host(&self.ws_url);
        if loopback && workers > 253 {
            anyhow::bail!("{workers} workers would need more than 253 source addresses");
        }
        let mut first_token = 0;
        let mut jobs = Vec::with_capacity(workers);
        for index in 0..workers {
            let connections =
                self.connections / workers + usize::from(index < self.connections % workers);
            let local_address = u8::try_from(index + 2)
                .ok()
                .filter(|_| loopback)
                .map(|last| IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)));
            jobs.push(Job {
                ws_url: self.ws_url.clone(),
                meeting: self.meeting.clone(),
                tokens: self.tokens.clone(),
                first_token,
                connections,
                local_address,
                concurrency: self.concurrency,
            });
            first_token = (first_token + connections) % self.tokens.len().max(1);
        }
        Ok(jobs)
    }
}

impl Pool {
    /// Starts one `quorum-load idle-worker` per job and hands it its job.
    pub(crate) async fn start(jobs: &[Job]) -> anyhow::Result<Pool> {
        let started = crate::workers::start("idle-worker", jobs).await?;
        Ok(Pool {
            children: started.children,
            stdins: started.stdins,
            reports: started.reports,
        })
    }

    /// Waits until every worker has tried all its connections, printing the progress
    /// of all of them once a second.
    pub(crate) async fn wait_ready(&mut self, total: usize) -> anyhow::Result<Ready> {
        let mut latest = vec![Counts::default(); self.children.len()];
        let mut ready: Vec<Option<(Option<u64>, Vec<String>)>> = vec![None; self.children.len()];
        let mut ticker = tokio::time::interval(PROGRESS_EVERY);
        let mut shown = None;
        while ready.iter().any(Option::is_none) {
            tokio::select! {
                _ = ticker.tick() => {
                    let counts = sum(&latest);
                    if shown != Some(counts) {
                        progress(counts, total);
                        shown = Some(counts);
                    }
                }
                report = self.reports.recv() => {
                    let (index, report) = report.context("every worker went away")?;
                    match report {
                        Some(Report::Progress { counts }) => set(&mut latest, index, counts),
                        Some(Report::Ready { counts, heartbeat_ms, errors }) => {
                            set(&mut latest, index, counts);
                            if let Some(slot) = ready.get_mut(index) {
                                *slot = Some((heartbeat_ms, errors));
                            }
                        }
                        Some(Report::Done { .. }) | None => {
                            anyhow::bail!("worker {index} stopped while connecting");
                        }
                    }
                }
            }
        }
        let counts = sum(&latest);
        progress(counts, total);
        let mut heartbeat_ms = None;
        let mut errors = Vec::new();
        for (heartbeat, reasons) in ready.into_iter().flatten() {
            heartbeat_ms = heartbeat_ms.or(heartbeat);
            for reason in reasons {
                if !errors.contains(&reason) {
                    errors.push(reason);
                }
            }
        }
        Ok(Ready {
            counts,
            heartbeat_ms,
            errors,
        })
    }

    /// Ends the hold: closes the workers' stdin, collects their last reports and waits
    /// for them to exit (which closes their sockets).
    pub(crate) async fn finish(mut self) -> anyhow::Result<Done> {
        self.stdins.clear();
        let mut done: Vec<Option<(Counts, Vec<String>)>> = vec![None; self.children.len()];
        let collect = async {
            while done.iter().any(Option::is_none) {
                let Some((index, report)) = self.reports.recv().await else {
                    break;
                };
                match report {
                    Some(Report::Done { counts, closes }) => {
                        if let Some(slot) = done.get_mut(index) {
                            *slot = Some((counts, closes));
                        }
                    }
                    Some(_) => {}
                    None => {
                        if done.get(index).is_some_and(Option::is_none) {
                            anyhow::bail!("worker {index} exited without its last report");
                        }
                    }
                }
            }
            Ok(())
        };
        tokio::time::timeout(FINISH_TIMEOUT, collect)
            .await
            .context("the workers did not report the end of the hold")??;
        for child in &mut self.children {
            if tokio::time::timeout(FINISH_TIMEOUT, child.wait())
                .await
                .is_err()
            {
                child.kill().await?;
            }
        }
        let mut counts = Counts::default();
        let mut closes = Vec::new();
        for (worker_counts, reasons) in done.into_iter().flatten() {
            counts = counts.add(worker_counts);
            for reason in reasons {
                if !closes.contains(&reason) {
                    closes.push(reason);
                }
            }
        }
        Ok(Done { counts, closes })
    }

    /// How many workers run.
    pub(crate) fn len(&self) -> usize {
        self.children.len()
    }
}

fn set(latest: &mut [Counts], index: usize, counts: Counts) {
    if let Some(slot) = latest.get_mut(index) {
        *slot = counts;
    }
}

fn sum(counts: &[Counts]) -> Counts {
    counts
        .iter()
        .fold(Counts::default(), |total, counts| total.add(*counts))
}

fn progress(counts: Counts, total: usize) {
    crate::warn(&format!(
        "idle: connected {}/{total}, subscribed {}, failures {}",
        counts.connected, counts.subscribed, counts.failed
    ));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test that panics is a failed test")]

    use super::*;

    fn plan(connections: usize, per_worker: usize) -> Plan {
        Plan {
            ws_url: "ws://127.0.0.1:8080/ws".to_owned(),
            meeting: "demo".to_owned(),
            tokens: (0..30).map(|n| format!("token-{n}")).collect(),
            connections,
            per_worker,
            concurrency: 50,
        }
    }

    #[test]
    fn connections_are_shared_evenly_from_distinct_loopback_addresses() {
        let jobs = plan(10_001, 2_500).jobs().unwrap();
        let shares: Vec<usize> = jobs.iter().map(|job| job.connections).collect();
        assert_eq!(shares, [2_001, 2_000, 2_000, 2_000, 2_000]);
        let addresses: Vec<String> = jobs
            .iter()
            .map(|job| job.local_address.unwrap().to_string())
            .collect();
        assert_eq!(
            addresses,
            [
                "127.0.0.2",
                "127.0.0.3",
                "127.0.0.4",
                "127.0.0.5",
                "127.0.0.6"
            ]
        );
        let firsts: Vec<usize> = jobs.iter().map(|job| job.first_token).collect();
        assert_eq!(firsts, [0, 2_001 % 30, 4_001 % 30, 6_001 % 30, 8_001 % 30]);
    }

    #[test]
    fn a_hub_off_loopback_gets_no_source_address() {
        let mut plan = plan(100, 2_500);
        plan.ws_url = "ws://hub.example:8080/ws".to_owned();
        let jobs = plan.jobs().unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs.first().unwrap().local_address, None);
    }
}

//! Worker processes, both sides: the coordinator starts one `quorum-load SUBCOMMAND` per
//! job, hands it the job as a JSON line on stdin and reads its reports, JSON lines on its
//! stdout; a worker reads its job and writes its reports. Shared by `idle` and the
//! meeting scenarios.

use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::Stdio;

use anyhow::Context as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines, Stdin};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// Reports queued for the coordinator, from all workers.
const REPORT_QUEUE: usize = 256;

/// The started workers: their processes, their stdin (closing it tells them to stop),
/// and their reports as `(worker index, report)`, `None` once a worker's stdout closed.
pub(crate) struct Started<R> {
    pub(crate) children: Vec<Child>,
    pub(crate) stdins: Vec<ChildStdin>,
    pub(crate) reports: mpsc::Receiver<(usize, Option<R>)>,
}

/// Starts `quorum-load SUBCOMMAND` once per job and writes it its job.
pub(crate) async fn start<J: Serialize, R: DeserializeOwned + Send + 'static>(
    subcommand: &str,
    jobs: &[J],
) -> anyhow::Result<Started<R>> {
    let program = std::env::current_exe().context("cannot find this program")?;
    let (sender, reports) = mpsc::channel(REPORT_QUEUE);
    let mut children = Vec::with_capacity(jobs.len());
    let mut stdins = Vec::with_capacity(jobs.len());
    for (index, job) in jobs.iter().enumerate() {
        let mut child = Command::new(&program)
            .arg(subcommand)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start a worker process")?;
        let mut stdin = child.stdin.take().context("no stdin for the worker")?;
        let stdout = child.stdout.take().context("no stdout from the worker")?;
        let mut line = serde_json::to_string(job)?;
        line.push('\n');
        stdin.write_all(line.as_bytes()).await?;
        stdin.flush().await?;
        let sender = sender.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<R>(&line) {
                    Ok(report) => {
                        let _ = sender.send((index, Some(report))).await;
                    }
                    Err(_) => crate::warn(&format!("worker {index}: {line}")),
                }
            }
            let _ = sender.send((index, None)).await;
        });
        children.push(child);
        stdins.push(stdin);
    }
    Ok(Started {
        children,
        stdins,
        reports,
    })
}

/// In a worker: reads the job from stdin; returns it and the rest of stdin (orders, or
/// its end).
pub(crate) async fn read_job<J: DeserializeOwned>() -> anyhow::Result<(J, Lines<BufReader<Stdin>>)>
{
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let line = stdin
        .next_line()
        .await?
        .context("no job on stdin (this command is started by `quorum-load`)")?;
    let job = serde_json::from_str(&line).context("unreadable job")?;
    Ok((job, stdin))
}

/// In a worker: writes one report line to stdout, for the coordinator.
pub(crate) fn report(report: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(report)?;
    line.push('\n');
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(line.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Whether the URL's host is an IPv4 loopback address (so that workers can connect from
/// other 127.0.0.x addresses).
pub(crate) fn loopback_host(ws_url: &str) -> bool {
    let Some((_, rest)) = ws_url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    host.parse::<Ipv4Addr>()
        .is_ok_and(|address| address.is_loopback())
}

//! One worker process of `idle`: opens its share of the connections from its own source
//! address (`hello`, then `subscribe`), then keeps them alive with pings until the
//! coordinator closes its stdin.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quorum_client::{ClientError, ConnectOptions, Connection, Subscribed};
use quorum_domain::MeetingId;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::job::{Counts, Job, Report};
use crate::workers::report;

/// How often the worker reports while connecting.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// How many distinct failure and close reasons a report carries.
const REASONS_KEPT: usize = 8;

/// Runs the job read from stdin.
pub(crate) async fn run() -> anyhow::Result<()> {
    let (job, mut stdin): (Job, _) = crate::workers::read_job().await?;
    let meeting = MeetingId::new(job.meeting.clone())
        .map_err(|error| anyhow::anyhow!("bad meeting id {:?}: {error:?}", job.meeting))?;
    anyhow::ensure!(!job.tokens.is_empty(), "the job has no session token");

    let tally = Arc::new(Tally::default());
    let gate = Arc::new(Semaphore::new(job.concurrency.max(1)));
    let url: Arc<str> = Arc::from(job.ws_url.as_str());
    let meeting = Arc::new(meeting);
    let tokens = job
        .tokens
        .iter()
        .cycle()
        .skip(job.first_token % job.tokens.len());
    for token in tokens.take(job.connections) {
        let options = ConnectOptions {
            local_address: job.local_address,
            ..ConnectOptions::new(token.as_str())
        };
        tokio::spawn(hold(
            Arc::clone(&url),
            options,
            Arc::clone(&meeting),
            Arc::clone(&gate),
            Arc::clone(&tally),
        ));
    }

    let total = u64::try_from(job.connections).unwrap_or(u64::MAX);
    let mut ticker = tokio::time::interval(PROGRESS_EVERY);
    loop {
        ticker.tick().await;
        let counts = tally.counts();
        if counts.tried() >= total {
            break;
        }
        report(&Report::Progress { counts })?;
    }
    let heartbeat = tally.heartbeat_ms.load(Ordering::Relaxed);
    report(&Report::Ready {
        counts: tally.counts(),
        heartbeat_ms: (heartbeat > 0).then_some(heartbeat),
        errors: reasons(&tally.errors),
    })?;

    // Hold until the coordinator closes stdin (or goes away).
    while let Ok(Some(_)) = stdin.next_line().await {}
    report(&Report::Done {
        counts: tally.counts(),
        closes: reasons(&tally.closes),
    })?;
    Ok(())
}

/// One connection: open it (at most `gate`'s permits at once), then keep it alive.
async fn hold(
    url: Arc<str>,
    options: ConnectOptions,
    meeting: Arc<MeetingId>,
    gate: Arc<Semaphore>,
    tally: Arc<Tally>,
) {
    let opened = match gate.acquire().await {
        Ok(_permit) => open(&url, &options, &meeting, &tally).await,
        Err(_) => return,
    };
    let (mut connection, heartbeat) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            tally.failed.fetch_add(1, Ordering::Relaxed);
            note(&tally.errors, format!("{error:#}"));
            return;
        }
    };
    tally.subscribed.fetch_add(1, Ordering::Relaxed);
    tally.open.fetch_add(1, Ordering::Relaxed);
    let ended = keep_alive(&mut connection, heartbeat, &tally).await;
    tally.open.fetch_sub(1, Ordering::Relaxed);
    note(&tally.closes, ended.to_string());
}

/// Connects, says `hello` and subscribes; returns the connection and its heartbeat.
async fn open(
    url: &str,
    options: &ConnectOptions,
    meeting: &MeetingId,
    tally: &Tally,
) -> anyhow::Result<(Connection, Duration)> {
    let (mut connection, welcome) = Connection::connect(url, options).await?;
    tally.connected.fetch_add(1, Ordering::Relaxed);
    tally
        .heartbeat_ms
        .store(welcome.heartbeat_ms, Ordering::Relaxed);
    match connection.subscribe(meeting, None).await? {
        Subscribed::Snapshot { .. } => {}
        Subscribed::Resumed { .. } => {
            anyhow::bail!("a resume answered a subscription without `since`")
        }
    }
    Ok((connection, Duration::from_millis(welcome.heartbeat_ms)))
}

/// Reads and drops whatever arrives, and pings once per heartbeat, until the connection
/// ends; returns why it ended.
async fn keep_alive(
    connection: &mut Connection,
    heartbeat: Duration,
    tally: &Tally,
) -> ClientError {
    let mut next_ping = Instant::now() + heartbeat;
    loop {
        let now = Instant::now();
        if now >= next_ping {
            if let Err(error) = connection.send_ping().await {
                return error;
            }
            tally.pings.fetch_add(1, Ordering::Relaxed);
            next_ping = now + heartbeat;
            continue;
        }
        match connection.next_message(next_ping - now).await {
            Ok(_) | Err(ClientError::Timeout { .. }) => {}
            Err(error) => return error,
        }
    }
}

/// The worker's counters, shared by its connections.
#[derive(Debug, Default)]
struct Tally {
    connected: AtomicU64,
    subscribed: AtomicU64,
    failed: AtomicU64,
    open: AtomicU64,
    pings: AtomicU64,
    heartbeat_ms: AtomicU64,
    errors: Mutex<Vec<String>>,
    closes: Mutex<Vec<String>>,
}

impl Tally {
    fn counts(&self) -> Counts {
        Counts {
            connected: self.connected.load(Ordering::Relaxed),
            subscribed: self.subscribed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            open: self.open.load(Ordering::Relaxed),
            pings: self.pings.load(Ordering::Relaxed),
        }
    }
}

/// Keeps `reason` if it is new and there is room.
fn note(reasons: &Mutex<Vec<String>>, reason: String) {
    if let Ok(mut reasons) = reasons.lock()
        && reasons.len() < REASONS_KEPT
        && !reasons.contains(&reason)
    {
        reasons.push(reason);
    }
}

fn reasons(reasons: &Mutex<Vec<String>>) -> Vec<String> {
    reasons
        .lock()
        .map(|reasons| reasons.clone())
        .unwrap_or_default()
}

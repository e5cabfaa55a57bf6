//! Many devices at once: starting them, collecting the answers to a burst of commands
//! (counting the acknowledged ones as they come), waiting until each has seen an
//! update, and reading the meeting afresh from a node.

use std::sync::Arc;
use std::time::Duration;

use quorum_client::{ConnectOptions, Connection, Subscribed};
use quorum_domain::{MeetingCommand, MeetingId, MeetingView};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::timeout;

use super::device::{Answer, Device, DeviceReport, DeviceSpec, Sent, settle};

/// Devices connecting at once.
const CONNECTING: usize = 32;
/// How long devices may take to see an update that a node has acknowledged.
const REACH_LIMIT: Duration = Duration::from_secs(30);

/// Starts a device per spec, a few at a time; in the specs' order.
pub(crate) async fn start(specs: Vec<DeviceSpec>) -> Vec<Device> {
    let permits = Arc::new(Semaphore::new(CONNECTING));
    let mut starting = JoinSet::new();
    for (index, spec) in specs.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        starting.spawn(async move {
            let _permit = permits.acquire().await.unwrap();
            let label = spec.label.clone();
            let device = Device::start(spec)
                .await
                .unwrap_or_else(|error| panic!("{label} could not connect: {error}"));
            (index, device)
        });
    }
    let mut devices = Vec::new();
    while let Some(joined) = starting.join_next().await {
        devices.push(joined.unwrap());
    }
    devices.sort_by_key(|(index, _)| *index);
    devices.into_iter().map(|(_, device)| device).collect()
}

/// The final answers, in order; `acked` counts acknowledgements as they arrive, and
/// is dropped once every answer is in, so that whoever waits on it stops waiting.
pub(crate) async fn settle_all(
    answers: Vec<oneshot::Receiver<Sent>>,
    acked: Option<watch::Sender<usize>>,
) -> Vec<Sent> {
    let mut waiting = JoinSet::new();
    for (index, answer) in answers.into_iter().enumerate() {
        waiting.spawn(async move { (index, settle(answer).await) });
    }
    let mut out: Vec<Option<Sent>> = vec![None; waiting.len()];
    while let Some(joined) = waiting.join_next().await {
        let (index, sent) = joined.unwrap();
        if matches!(sent.answer, Answer::Acked { .. })
            && let Some(acked) = &acked
        {
            acked.send_modify(|acked| *acked += 1);
        }
        out[index] = Some(sent);
    }
    out.into_iter().map(Option::unwrap).collect()
}

/// Waits until every device has applied update `seq`; returns the labels of those that
/// did not within the limit.
pub(crate) async fn reach_all(devices: &[Device], labels: &[String], seq: u64) -> Vec<String> {
    let mut waiting = JoinSet::new();
    for (index, device) in devices.iter().enumerate() {
        let reached = device.reach(seq);
        waiting.spawn(async move { (index, timeout(REACH_LIMIT, reached).await) });
    }
    let mut late = Vec::new();
    while let Some(joined) = waiting.join_next().await {
        let (index, reached) = joined.unwrap();
        if !matches!(reached, Ok(Ok(_))) {
            late.push(labels[index].clone());
        }
    }
    late.sort();
    late
}

/// Stops every device and returns what each went through, in order.
pub(crate) async fn finish_all(devices: Vec<Device>) -> Vec<DeviceReport> {
    let mut finishing = JoinSet::new();
    for (index, device) in devices.into_iter().enumerate() {
        finishing.spawn(async move { (index, device.finish().await) });
    }
    let mut reports = Vec::new();
    while let Some(joined) = finishing.join_next().await {
        reports.push(joined.unwrap());
    }
    reports.sort_by_key(|(index, _)| *index);
    reports.into_iter().map(|(_, report)| report).collect()
}

/// The meeting as a new connection to `url` sees it now.
pub(crate) async fn snapshot(url: &str, token: &str, meeting: &MeetingId) -> MeetingView {
    let read = async {
        let (mut connection, _) = Connection::connect(url, &ConnectOptions::new(token)).await?;
        let subscribed = connection.subscribe(meeting, None).await?;
        let _ = connection.close().await;
        Ok::<_, quorum_client::ClientError>(subscribed)
    };
    match timeout(Duration::from_secs(20), read).await {
        Ok(Ok(Subscribed::Snapshot { view, .. })) => view,
        other => panic!("a snapshot from {url}: {other:?}"),
    }
}

/// Sends a chair's command, which must be acknowledged; returns its sequence number.
pub(crate) async fn expect_ack(chair: &Device, command: MeetingCommand) -> u64 {
    let description = format!("{command:?}");
    match chair.run(command).await.answer {
        Answer::Acked { seq, .. } => seq,
        other => panic!("the chair's {description}: {other:?}"),
    }
}

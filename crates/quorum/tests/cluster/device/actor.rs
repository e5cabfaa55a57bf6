//! The task behind a [`Device`](super::Device): it owns the connection, applies the
//! updates, matches answers to commands, and reconnects, resumes and resends.

use std::collections::BTreeMap;
use std::time::Duration;

use quorum_client::{ClientError, ConnectOptions, Connection};
use quorum_domain::MeetingCommand;
use quorum_protocol::{ErrorCode, RequestId, ServerMessage};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep, sleep_until, timeout};

use super::{Answer, COMMAND_LIMIT, DeviceReport, DeviceSpec, Order, Sent};
use crate::cluster::follower::Follower;

/// How long a device keeps trying to reach some node.
const RECONNECT_LIMIT: Duration = Duration::from_secs(30);
/// How long one connection attempt (handshake, hello, subscription) may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// How often a device pings (the hub closes a socket silent for three heartbeats).
const PING_EVERY: Duration = Duration::from_secs(20);
/// The wait before a command refused as retryable is sent again; it doubles up to the cap.
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_CAP: Duration = Duration::from_secs(1);

/// A command not answered yet.
struct Pending {
    command: MeetingCommand,
    reply: oneshot::Sender<Sent>,
    sends: u32,
    refusals: u32,
    /// Waiting to be sent (again, after a retryable error); `None`: sent, or to be sent
    /// on the next connection.
    retry_at: Option<Instant>,
    give_up_at: Instant,
}

pub(super) struct Actor {
    spec: DeviceSpec,
    connection: Option<Connection>,
    node: usize,
    follower: Option<Follower>,
    pending: BTreeMap<RequestId, Pending>,
    waiters: Vec<(u64, oneshot::Sender<u64>)>,
    report: DeviceReport,
}

impl Actor {
    pub(super) fn new(spec: DeviceSpec) -> Actor {
        Actor {
            node: spec.home,
            report: DeviceReport {
                label: spec.label.clone(),
                ..DeviceReport::default()
            },
            spec,
            connection: None,
            follower: None,
            pending: BTreeMap::new(),
            waiters: Vec::new(),
        }
    }

    /// The first connection, to the home node.
    pub(super) async fn connect_home(&mut self) -> Result<(), String> {
        self.connect(self.node).await
    }

    pub(super) async fn run(mut self, mut orders: mpsc::Receiver<Order>) -> DeviceReport {
        let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        loop {
            if self.connection.is_none()
                && let Err(error) = self.reconnect().await
            {
                self.report.notes.push(error);
                break;
            }
            let wake = self.next_wake();
            let Some(connection) = self.connection.as_mut() else {
                continue;
            };
            tokio::select! {
                order = orders.recv() => match order {
                    Some(order) => self.order(order).await,
                    None => {
                        if let Some(mut connection) = self.connection.take() {
                            let _ = timeout(Duration::from_secs(2), connection.close()).await;
                        }
                        break;
                    }
                },
                message = connection.next_message(Duration::from_secs(3600)) => {
                    self.message(message).await;
                }
                () = sleep_until(wake) => self.due().await,
                _ = ping.tick() => {
                    if let Some(connection) = self.connection.as_mut()
                        && let Err(error) = connection.send_ping().await
                    {
                        self.lost(&format!("ping: {error}"));
                    }
                }
            }
        }
        for (_, pending) in std::mem::take(&mut self.pending) {
            let _ = pending.reply.send(Sent {
                answer: Answer::Failed("the device stopped".to_owned()),
                sends: pending.sends,
            });
        }
        self.report.node = self.node;
        self.report.follower = self.follower;
        self.report
    }

    async fn order(&mut self, order: Order) {
        match order {
            Order::Command {
                request,
                command,
                at,
                reply,
            } => {
                let later = at > Instant::now();
                self.pending.insert(
                    request.clone(),
                    Pending {
                        command,
                        reply,
                        sends: 0,
                        refusals: 0,
                        retry_at: later.then_some(at),
                        give_up_at: at.max(Instant::now()) + COMMAND_LIMIT,
                    },
                );
                if !later {
                    self.transmit(&request).await;
                }
            }
            Order::Reach { seq, reply } => {
                self.waiters.push((seq, reply));
                self.wake_waiters();
            }
            Order::Poll { poll, reply } => {
                let view = self
                    .follower
                    .as_ref()
                    .and_then(|follower| follower.polls.get(&poll).cloned());
                let _ = reply.send(view);
            }
            Order::Cut { pause, reply } => {
                // Dropped, not closed: the hub sees the socket end with no close frame.
                drop(self.connection.take());
                self.report.cuts += 1;
                sleep(pause).await;
                let _ = reply.send(());
            }
        }
    }

    async fn message(&mut self, message: Result<ServerMessage, ClientError>) {
        match message {
            Err(ClientError::Timeout { .. }) => {}
            Err(error) => self.lost(&format!("read: {error}")),
            Ok(ServerMessage::Update {
                meeting,
                first_seq,
                seq,
                changes,
                ..
            }) if meeting == self.spec.meeting => {
                let gap = self
                    .follower
                    .as_mut()
                    .is_some_and(|follower| follower.apply(first_seq, seq, changes).is_err());
                if gap {
                    // Resuming from the last update applied fills the gap.
                    self.lost("a gap in the updates");
                }
                self.wake_waiters();
            }
            Ok(ServerMessage::Ack {
                request,
                seq,
                receipt,
                ..
            }) => self.answer(&request, Answer::Acked { seq, receipt }),
            Ok(ServerMessage::Rejected {
                request,
                code,
                message,
                ..
            }) => self.answer(
                &request,
                Answer::Rejected {
                    code,
                    message: message.en,
                },
            ),
            Ok(ServerMessage::Error {
                request: Some(request),
                code,
                retry_after_ms,
                ..
            }) => self.refused(&request, code, retry_after_ms),
            Ok(ServerMessage::Error { code, .. }) => {
                self.report.notes.push(format!("error {code:?}"));
            }
            Ok(_) => {}
        }
    }

    fn answer(&mut self, request: &RequestId, answer: Answer) {
        if let Some(pending) = self.pending.remove(request) {
            let _ = pending.reply.send(Sent {
                answer,
                sends: pending.sends,
            });
        }
    }

    fn refused(&mut self, request: &RequestId, code: ErrorCode, retry_after_ms: Option<u64>) {
        if !code.retryable() {
            self.answer(request, Answer::Failed(format!("error {code:?}")));
            return;
        }
        if let Some(pending) = self.pending.get_mut(request) {
            pending.refusals += 1;
            let wait =
                retry_after_ms.map_or_else(|| backoff(pending.refusals), Duration::from_millis);
            pending.retry_at = Some(Instant::now() + wait);
        }
    }

    /// Sends again the commands whose retry is due; gives up on those past their limit.
    async fn due(&mut self) {
        let now = Instant::now();
        let expired: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, pending)| pending.give_up_at <= now)
            .map(|(request, _)| request.clone())
            .collect();
        for request in expired {
            let sends = self
                .pending
                .get(&request)
                .map_or(0, |pending| pending.sends);
            self.report
                .notes
                .push(format!("gave up after {sends} sends"));
            self.answer(
                &request,
                Answer::Failed(format!("no answer within {COMMAND_LIMIT:?}")),
            );
        }
        let retries: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, pending)| pending.retry_at.is_some_and(|at| at <= now))
            .map(|(request, _)| request.clone())
            .collect();
        for request in retries {
            if self
                .pending
                .get(&request)
                .is_some_and(|pending| pending.refusals > 0)
            {
                self.report.retries += 1;
            }
            self.transmit(&request).await;
        }
    }

    /// Sends a pending command, with its request id, on the current connection.
    async fn transmit(&mut self, request: &RequestId) {
        let (Some(connection), Some(pending)) =
            (self.connection.as_mut(), self.pending.get_mut(request))
        else {
            return;
        };
        pending.retry_at = None;
        pending.sends += 1;
        let sent = connection
            .send_command(request.clone(), &self.spec.meeting, pending.command.clone())
            .await;
        if let Err(error) = sent {
            self.lost(&format!("send: {error}"));
        }
    }

    fn next_wake(&self) -> Instant {
        self.pending
            .values()
            .map(|pending| pending.retry_at.unwrap_or(pending.give_up_at))
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))
    }

    fn lost(&mut self, why: &str) {
        if self.connection.take().is_some() {
            self.report.notes.push(format!("node {}: {why}", self.node));
        }
    }

    /// Connects to the next node that answers, resumes, and sends again what was in
    /// flight on the connection that ended.
    async fn reconnect(&mut self) -> Result<(), String> {
        let started = Instant::now();
        self.report.reconnects += 1;
        let mut attempt = 0;
        loop {
            let node = (self.node + 1 + attempt) % self.spec.nodes.len();
            match self.connect(node).await {
                Ok(()) => break,
                Err(error) if started.elapsed() > RECONNECT_LIMIT => {
                    return Err(format!(
                        "{} reached no node within {RECONNECT_LIMIT:?}: {error}",
                        self.spec.label
                    ));
                }
                Err(_) => {
                    attempt += 1;
                    sleep(backoff(u32::try_from(attempt).unwrap_or(u32::MAX))).await;
                }
            }
        }
        self.report.reconnect_times.push(started.elapsed());
        let in_flight: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, pending)| pending.retry_at.is_none())
            .map(|(request, _)| request.clone())
            .collect();
        for request in in_flight {
            self.report.resends += 1;
            self.transmit(&request).await;
        }
        Ok(())
    }

    /// Opens a connection to `node` and subscribes (from the last update seen, if any).
    async fn connect(&mut self, node: usize) -> Result<(), String> {
        let url = &self.spec.nodes[node];
        let options = ConnectOptions::new(self.spec.token.clone());
        let attempt = async {
            let (mut connection, _) = Connection::connect(url, &options).await?;
            let subscribed = if self.spec.follow {
                let since = self.follower.as_ref().map(|follower| follower.last_seq);
                Some(connection.subscribe(&self.spec.meeting, since).await?)
            } else {
                None
            };
            Ok::<_, ClientError>((connection, subscribed))
        };
        let (connection, subscribed) = timeout(CONNECT_LIMIT, attempt)
            .await
            .map_err(|_| format!("{url}: no answer within {CONNECT_LIMIT:?}"))?
            .map_err(|error| format!("{url}: {error}"))?;
        if let Some(subscribed) = subscribed {
            match &mut self.follower {
                Some(follower) => follower
                    .resume(subscribed)
                    .map_err(|_| format!("{url}: an unrecovered resume without a snapshot"))?,
                None => self.follower = Some(Follower::start(subscribed)?),
            }
        }
        self.connection = Some(connection);
        self.node = node;
        self.wake_waiters();
        Ok(())
    }

    fn wake_waiters(&mut self) {
        let last = self
            .follower
            .as_ref()
            .map_or(0, |follower| follower.last_seq);
        for (seq, reply) in std::mem::take(&mut self.waiters) {
            if last >= seq {
                let _ = reply.send(last);
            } else {
                self.waiters.push((seq, reply));
            }
        }
    }
}

/// 50 ms, doubling with each refusal, up to a second.
fn backoff(refusals: u32) -> Duration {
    let factor = 1_u32 << refusals.saturating_sub(1).min(5);
    (RETRY_FIRST * factor).min(RETRY_CAP)
}

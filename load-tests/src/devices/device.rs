//! One simulated device: connects and subscribes, then follows the worker's orders
//! (check in, cast a ballot, drop the connection) while recording every update it
//! receives; it resumes after a lost connection and resends what was unanswered.

use std::sync::Arc;
use std::time::Duration;

use quorum_client::{
    ClientError, ConnectOptions, Connection, Subscribed, new_request_id, random_id,
};
use quorum_domain::meeting::roster::PresenceMode;
use quorum_domain::poll::question::{ABSTAIN, NO, Selection, YES};
use quorum_domain::{MeetingCommand, MeetingId, PollId};
use quorum_protocol::{RequestId, ServerMessage, Update};
use tokio::sync::{Semaphore, broadcast};
use tokio::time::Instant;

use super::incoming::{self, Head, Incoming};
use super::job::{Ballot, DeviceSpec, Order};
use super::stats::{Stats, unix_micros};

/// How long a device waits between attempts to reconnect.
const RECONNECT_PAUSE: Duration = Duration::from_millis(50);

/// Reconnection attempts before a device gives up.
const RECONNECT_ATTEMPTS: u32 = 200;

/// A command waits this long for its answer before the device resends it.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// What a device has been told to do, and when.
#[derive(Debug, Clone)]
enum Action {
    CheckIn,
    Cast { poll: PollId, round: u32 },
    Drop,
}

/// What an action did to the connection.
enum Acted {
    Kept,
    /// Sending failed: the connection is gone.
    Lost,
    /// Dropped on order at this instant.
    Dropped(Instant),
}

/// A command sent and not yet answered: resent with the same request id after a lost
/// connection, so that the hub answers it once.
#[derive(Debug)]
struct Pending {
    request: RequestId,
    command: MeetingCommand,
    sent: Instant,
    sent_us: u64,
    ballot: bool,
}

/// Where a device is.
pub(crate) struct Device {
    spec: DeviceSpec,
    url: Arc<str>,
    options: ConnectOptions,
    meeting: MeetingId,
    stats: Arc<Stats>,
    last_seq: u64,
    pending: Option<Pending>,
    scheduled: Vec<(Instant, Action)>,
    finish: Option<(u64, Instant)>,
}

impl Device {
    /// A device that will use `url` for `meeting`.
    pub(crate) fn new(
        spec: DeviceSpec,
        url: Arc<str>,
        options: ConnectOptions,
        meeting: MeetingId,
        stats: Arc<Stats>,
    ) -> Device {
        Device {
            spec,
            url,
            options,
            meeting,
            stats,
            last_seq: 0,
            pending: None,
            scheduled: Vec::new(),
            finish: None,
        }
    }

    /// Connects (at most `gate`'s permits at once), then follows orders until finished.
    pub(crate) async fn run(mut self, gate: Arc<Semaphore>, orders: broadcast::Receiver<Order>) {
        let connection = match gate.acquire().await {
            Ok(_permit) => self.connect(None).await,
            Err(_) => return,
        };
        match connection {
            Ok(connection) => {
                self.stats.counts.subscribed.increment();
                self.follow(connection, orders).await;
            }
            Err(error) => {
                self.stats.counts.failed.increment();
                self.stats.note(format!("connect: {error:#}"));
            }
        }
    }

    /// The device's life once subscribed.
    async fn follow(mut self, mut connection: Connection, mut orders: broadcast::Receiver<Order>) {
        let heartbeat = connection
            .heartbeat_interval()
            .unwrap_or(Duration::from_secs(25));
        let mut next_ping = Instant::now() + heartbeat;
        loop {
            if let Some((head, _)) = self.finish
                && self.last_seq >= head
                && self.pending.is_none()
                && self.scheduled.is_empty()
            {
                return;
            }
            let next_action = self.scheduled.first().map(|(at, _)| *at);
            let finish_by = self.finish.map(|(_, by)| by);
            let answer_by = self
                .pending
                .as_ref()
                .map(|pending| pending.sent + ANSWER_TIMEOUT);
            let wake = [next_action, finish_by, answer_by, Some(next_ping)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(next_ping);
            tokio::select! {
                order = orders.recv() => match order {
                    Ok(order) => self.take(order),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.stats.note("an order was missed (lagged)".to_owned());
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = tokio::time::sleep_until(wake) => {
                    let now = Instant::now();
                    if finish_by.is_some_and(|by| now >= by) {
                        self.stats.counts.behind.increment();
                        return;
                    }
                    if now >= next_ping {
                        if connection.send_ping().await.is_err() {
                            connection = match self.reconnect(None).await {
                                Some(connection) => connection,
                                None => return,
                            };
                        }
                        next_ping = now + heartbeat;
                    }
                    if answer_by.is_some_and(|by| now >= by) {
                        self.stats.note("a command went unanswered; resending".to_owned());
                        if let Some(pending) = &mut self.pending {
                            pending.sent = now;
                        }
                        if self.resend(&mut connection).await.is_err() {
                            connection = match self.reconnect(None).await {
                                Some(connection) => connection,
                                None => return,
                            };
                        }
                    }
                    if next_action.is_some_and(|at| now >= at) {
                        let dropped = match self.act(&mut connection).await {
                            Acted::Kept => None,
                            Acted::Lost => Some(Instant::now()),
                            Acted::Dropped(at) => Some(at),
                        };
                        if let Some(dropped) = dropped {
                            // Dropping the socket closes it without a close frame, like
                            // a phone losing its network.
                            drop(connection);
                            connection = match self.reconnect(Some(dropped)).await {
                                Some(connection) => connection,
                                None => return,
                            };
                        }
                    }
                }
                message = incoming::next(&mut connection, Duration::from_secs(3_600)) => match message {
                    Ok(Incoming::Update(head)) => self.update_head(&head),
                    Ok(Incoming::Message(message)) => self.receive(*message, &mut connection).await,
                    Ok(Incoming::Nothing) => {}
                    Err(ClientError::Timeout { .. }) => {}
                    Err(error) => {
                        self.stats.note(format!("connection lost: {error}"));
                        connection = match self.reconnect(None).await {
                            Some(connection) => connection,
                            None => return,
                        };
                    }
                },
            }
        }
    }

    /// Schedules an order's action for this device.
    fn take(&mut self, order: Order) {
        let spread = |at_us: u64, spread_us: u64| {
            let offset = if spread_us == 0 {
                0
            } else {
                self.spec.slot.wrapping_mul(0x9E37_79B9_7F4A_7C15) % spread_us
            };
            instant_at(at_us.saturating_add(offset))
        };
        match order {
            Order::CheckIn { at_us, spread_us } if self.spec.votes => {
                self.schedule(spread(at_us, spread_us), Action::CheckIn);
            }
            Order::Cast {
                poll,
                round,
                at_us,
                spread_us,
            } if self.spec.votes => match PollId::new(poll) {
                Ok(poll) => self.schedule(spread(at_us, spread_us), Action::Cast { poll, round }),
                Err(error) => self.stats.note(format!("bad poll id: {error:?}")),
            },
            Order::Drop { at_us } => self.schedule(instant_at(at_us), Action::Drop),
            Order::Finish { heads, timeout_ms } => {
                let head = heads.get(self.spec.meeting).copied().unwrap_or(0);
                self.finish = Some((head, Instant::now() + Duration::from_millis(timeout_ms)));
            }
            Order::CheckIn { .. } | Order::Cast { .. } => {}
        }
    }

    fn schedule(&mut self, at: Instant, action: Action) {
        let position = self.scheduled.partition_point(|(when, _)| *when <= at);
        self.scheduled.insert(position, (at, action));
    }

    /// Does the first scheduled action, unless a command awaits its answer (one at a
    /// time: it tries again a little later).
    async fn act(&mut self, connection: &mut Connection) -> Acted {
        if self.pending.is_some() {
            if let Some((at, _)) = self.scheduled.first_mut() {
                *at += Duration::from_millis(10);
            }
            return Acted::Kept;
        }
        if self.scheduled.is_empty() {
            return Acted::Kept;
        }
        let (_, action) = self.scheduled.remove(0);
        let command = match action {
            Action::Drop => return Acted::Dropped(Instant::now()),
            Action::CheckIn => MeetingCommand::CheckIn {
                member: None,
                mode: PresenceMode::InRoom,
            },
            Action::Cast { poll, round } => {
                let Ok(ballot) = random_id() else {
                    self.stats.note("no ballot id".to_owned());
                    return Acted::Kept;
                };
                MeetingCommand::CastBallot {
                    poll,
                    round,
                    ballot,
                    seat: None,
                    answers: vec![Selection::one(choice(self.spec.slot))],
                    replaces: None,
                }
            }
        };
        let Ok(request) = new_request_id() else {
            self.stats.note("no request id".to_owned());
            return Acted::Kept;
        };
        let ballot = matches!(command, MeetingCommand::CastBallot { .. });
        if ballot {
            self.stats.counts.ballots_sent.increment();
        }
        self.pending = Some(Pending {
            request,
            command,
            sent: Instant::now(),
            sent_us: unix_micros(),
            ballot,
        });
        if self.resend(connection).await.is_err() {
            return Acted::Lost;
        }
        Acted::Kept
    }

    /// Sends the pending command (again).
    async fn resend(&mut self, connection: &mut Connection) -> Result<(), ClientError> {
        let Some(pending) = &self.pending else {
            return Ok(());
        };
        connection
            .send_command(
                pending.request.clone(),
                &self.meeting,
                pending.command.clone(),
            )
            .await
            .map(|_| ())
    }

    /// Handles one message from the hub.
    async fn receive(&mut self, message: ServerMessage, connection: &mut Connection) {
        match message {
            ServerMessage::Update {
                meeting,
                first_seq,
                seq,
                at,
                ..
            } => {
                if meeting == self.meeting {
                    self.updated(first_seq, seq, at.0);
                } else {
                    self.stats.counts.foreign.increment();
                }
            }
            // A fresh view in place of updates (the hub rebuilt the meeting's state).
            ServerMessage::Snapshot { meeting, view } if meeting == self.meeting => {
                self.stats
                    .reach(self.place(), self.last_seq, view.seq, unix_micros());
                self.last_seq = self.last_seq.max(view.seq);
            }
            ServerMessage::Ack { request, seq, .. } => {
                let Some(pending) = self.pending.take_if(|pending| pending.request == request)
                else {
                    return;
                };
                let micros = duration_micros(pending.sent.elapsed());
                if pending.ballot {
                    self.stats.counts.acked.increment();
                    self.stats.ballot(Ballot {
                        meeting: self.spec.meeting,
                        node: self.spec.node,
                        seq,
                        sent_us: pending.sent_us,
                        acked_us: pending.sent_us.saturating_add(micros),
                    });
                } else {
                    self.stats.counts.checked_in.increment();
                    self.stats.check_in(micros);
                }
            }
            ServerMessage::Rejected { request, code, .. } => {
                let answered = self.pending.take_if(|pending| pending.request == request);
                if answered.is_none() {
                    return;
                }
                self.stats.counts.rejected.increment();
                self.stats.note(format!("rejected: {code:?}"));
            }
            ServerMessage::Error {
                request: Some(request),
                code,
                retry_after_ms,
                ..
            } if self
                .pending
                .as_ref()
                .is_some_and(|pending| pending.request == request) =>
            {
                // Refused for now (rate limited, unavailable): the same request again.
                self.stats.note(format!("error, resent: {code:?}"));
                let wait = Duration::from_millis(retry_after_ms.unwrap_or(100));
                tokio::time::sleep(wait).await;
                let _ = self.resend(connection).await;
            }
            ServerMessage::Error { code, .. } => self.stats.note(format!("error: {code:?}")),
            _ => {}
        }
    }

    /// Records an update read by its head.
    fn update_head(&mut self, head: &Head) {
        let (Some(meeting), Some(first), Some(seq), Some(at)) =
            (&head.meeting, head.first_seq, head.seq, head.at)
        else {
            self.stats.note("an update without its head".to_owned());
            return;
        };
        if meeting.as_str() == self.meeting.as_str() {
            self.updated(first, seq, at);
        } else {
            self.stats.counts.foreign.increment();
        }
    }

    /// Records the arrival of one update, covering the events `first..=seq`.
    fn updated(&mut self, first: u64, seq: u64, at_ms: i64) {
        let now = unix_micros();
        self.stats.counts.frames.increment();
        self.stats.frame(now, at_ms);
        if first <= self.last_seq {
            self.stats.counts.duplicates.increment();
            return;
        }
        if first > self.last_seq + 1 {
            self.stats.counts.missed.add(first - self.last_seq - 1);
        }
        self.stats.reach(self.place(), self.last_seq, seq, now);
        self.last_seq = seq;
    }

    /// The device's meeting and node.
    fn place(&self) -> (usize, usize) {
        (self.spec.meeting, self.spec.node)
    }

    /// Connects, says `hello` and subscribes (resuming after `since`); applies what the
    /// resumption carries.
    async fn connect(&mut self, since: Option<u64>) -> Result<Connection, ClientError> {
        let (mut connection, _) = Connection::connect(&self.url, &self.options).await?;
        match connection.subscribe(&self.meeting, since).await? {
            Subscribed::Snapshot { view, .. } => {
                if since.is_some() {
                    self.stats.counts.resnapshotted.increment();
                    self.stats
                        .reach(self.place(), self.last_seq, view.seq, unix_micros());
                }
                self.last_seq = self.last_seq.max(view.seq);
            }
            Subscribed::Resumed {
                updates, snapshot, ..
            } => {
                if let Some(view) = snapshot {
                    self.stats.counts.resnapshotted.increment();
                    self.stats
                        .reach(self.place(), self.last_seq, view.seq, unix_micros());
                    self.last_seq = self.last_seq.max(view.seq);
                } else {
                    self.stats.counts.resumed.increment();
                }
                for Update {
                    first_seq, seq, at, ..
                } in updates
                {
                    self.updated(first_seq, seq, at.0);
                }
            }
        }
        Ok(connection)
    }

    /// Connects again after a loss and resends the pending command; `None` if it could
    /// not.
    async fn reconnect(&mut self, dropped: Option<Instant>) -> Option<Connection> {
        let dropped = dropped.unwrap_or_else(Instant::now);
        self.stats.counts.reconnects.increment();
        for _ in 0..RECONNECT_ATTEMPTS {
            match self.connect(Some(self.last_seq)).await {
                Ok(mut connection) => {
                    self.stats.resync(duration_micros(dropped.elapsed()));
                    if self.resend(&mut connection).await.is_err() {
                        continue;
                    }
                    return Some(connection);
                }
                Err(error) => {
                    self.stats.note(format!("reconnect: {error}"));
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                }
            }
        }
        self.stats.counts.failed.increment();
        None
    }
}

/// Yes, no, abstain in turn.
fn choice(slot: u64) -> u16 {
    match slot % 3 {
        0 => YES,
        1 => NO,
        _ => ABSTAIN,
    }
}

/// The monotonic instant of a Unix time in microseconds (now if it has passed).
fn instant_at(unix_us: u64) -> Instant {
    let now_us = unix_micros();
    Instant::now() + Duration::from_micros(unix_us.saturating_sub(now_us))
}

fn duration_micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

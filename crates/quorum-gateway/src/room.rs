//! One task per meeting: it owns the meeting's state, decides commands in arrival order,
//! commits their events to the log in groups, then acknowledges them and pushes each
//! subscriber its own projection of what changed.
//!
//! **Invariant:** nothing leaves a room before the store has made it durable: commands
//! queued while a commit is in flight form the next group, and a failed commit rebuilds
//! the state from the log and answers every command of the group as retryable.
//!
//! In a cluster every node runs a room for the meetings it serves, and the log orders
//! them: a group is appended right after the head it was decided against, or not at
//! all. A room that loses that race follows the log to its new head and decides the
//! group again (`room/follow.rs`).

mod commit;
mod dedupe;
mod fanout;
mod follow;
mod serve;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use quorum_domain::poll::receipt::Receipt;
use quorum_domain::{
    Actor, EventRecord, Meeting, MeetingCommand, MeetingId, MeetingView, MemberId, Rejection,
    Viewer,
};
use quorum_protocol::{ErrorCode, RequestId};
use quorum_store::{EventLog, Record};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::audit::ChainHead;
use crate::clock;
use crate::cluster::{Cluster, StoredRecord};
use crate::hub::Loaded;
use crate::journal;
use crate::outbound::Link;
use crate::telemetry;
use dedupe::Dedupe;
use fanout::Subscriber;

/// What became of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Committed (or already done): the meeting's sequence number after it, and the
    /// ballot's receipt.
    Acked {
        /// The sequence number after the command.
        seq: u64,
        /// For a ballot, its receipt.
        receipt: Option<Receipt>,
    },
    /// Refused by the meeting's rules; nothing changed.
    Rejected(Rejection),
    /// Not done, for a reason outside the meeting (retry if retryable).
    Failed(ErrorCode),
}

/// Where a command's outcome goes.
#[derive(Debug)]
pub enum Reply {
    /// To a connection, as an `ack`, `rejected` or `error` message.
    Link(Link),
    /// To a caller in the process (REST, the command line).
    Direct(oneshot::Sender<CommandOutcome>),
    /// Nowhere (the hub's own commands, such as deadline ticks).
    Nobody,
}

/// A command for a room.
#[derive(Debug)]
pub struct CommandInput {
    /// The client's id for it; commands with one are idempotent per actor.
    pub request: Option<RequestId>,
    /// Who sends it.
    pub actor: Actor,
    /// The command.
    pub command: MeetingCommand,
    /// Where the outcome goes.
    pub reply: Reply,
}

/// Something a room is asked to do.
#[derive(Debug)]
enum RoomInput {
    Command(CommandInput),
    Subscribe {
        link: Link,
        viewer: Viewer,
        since: Option<u64>,
    },
    Unsubscribe {
        connection: u64,
    },
    View {
        viewer: Viewer,
        reply: oneshot::Sender<Option<MeetingView>>,
    },
    Inspect {
        reply: oneshot::Sender<Meeting>,
    },
    /// Cluster: another node committed these records (the stream is at `head`).
    Remote {
        head: u64,
        records: Vec<Record>,
    },
    /// Cluster: read what the log holds past the room's head.
    CatchUp,
    /// The members with devices subscribed here, and how many each.
    Online {
        reply: oneshot::Sender<BTreeMap<MemberId, u32>>,
    },
}

/// What a room tells the hub after each commit (the meeting directory and the lobby).
pub trait RoomObserver: Send + Sync + 'static {
    /// `records` were committed; `meeting` is the state after them.
    fn committed(&self, meeting: &Meeting, records: &[EventRecord]);
}

/// The room's settings.
#[derive(Debug, Clone, Copy)]
pub struct RoomLimits {
    /// Commands and requests queued before new ones are refused.
    pub queue: usize,
    /// Events kept for resuming devices.
    pub resume_window: usize,
    /// Commands decided into one commit at most.
    pub max_group: usize,
}

/// A handle to a running room.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    meeting: MeetingId,
    inbox: mpsc::Sender<RoomInput>,
}

impl RoomHandle {
    /// Starts the room of a meeting rebuilt from its log, on the current runtime.
    pub fn spawn(
        loaded: Loaded,
        store: Arc<dyn EventLog>,
        observer: Arc<dyn RoomObserver>,
        limits: RoomLimits,
        cluster: Option<Cluster>,
    ) -> RoomHandle {
        let Loaded {
            meeting,
            recent,
            head,
        } = loaded;
        let (inbox, receiver) = mpsc::channel(limits.queue);
        let handle = RoomHandle {
            meeting: meeting.id().clone(),
            inbox,
        };
        let mut recent: VecDeque<EventRecord> = recent.into();
        while recent.len() > limits.resume_window {
            recent.pop_front();
        }
        let room = Room {
            stream: journal::meeting_stream(meeting.id()),
            own: handle.inbox.downgrade(),
            cluster,
            following: false,
            before: None,
            next_poll: Instant::now(),
            presence: (BTreeMap::new(), 0),
            presence_stale: false,
            meeting,
            head,
            store,
            observer,
            subscribers: Vec::new(),
            recent,
            resumes: serve::Resumes::default(),
            dedupe: Dedupe::default(),
            limits,
            pending: Pending::default(),
        };
        tokio::spawn(room.run(receiver));
        handle
    }

    /// The meeting.
    pub fn meeting(&self) -> &MeetingId {
        &self.meeting
    }

    /// Queues a command. A full room refuses it at once: `false`, and the caller
    /// answers `unavailable` (retryable).
    pub fn command(&self, input: CommandInput) -> bool {
        self.inbox.try_send(RoomInput::Command(input)).is_ok()
    }

    /// Runs a command and waits for its outcome.
    pub async fn execute(
        &self,
        request: Option<RequestId>,
        actor: Actor,
        command: MeetingCommand,
    ) -> CommandOutcome {
        let (sender, receiver) = oneshot::channel();
        let input = CommandInput {
            request,
            actor,
            command,
            reply: Reply::Direct(sender),
        };
        if !self.command(input) {
            return CommandOutcome::Failed(ErrorCode::Unavailable);
        }
        receiver
            .await
            .unwrap_or(CommandOutcome::Failed(ErrorCode::Unavailable))
    }

    /// Subscribes a connection; the room answers on the link (snapshot, resumed or
    /// error), then streams updates. `false` if the room is overloaded or gone.
    pub fn subscribe(&self, link: Link, viewer: Viewer, since: Option<u64>) -> bool {
        self.inbox
            .try_send(RoomInput::Subscribe {
                link,
                viewer,
                since,
            })
            .is_ok()
    }

    /// Ends a connection's subscription (best effort: a gone link is dropped anyway).
    pub async fn unsubscribe(&self, connection: u64) {
        let _ = self.inbox.send(RoomInput::Unsubscribe { connection }).await;
    }

    /// The meeting as `viewer` sees it now.
    pub async fn view(&self, viewer: Viewer) -> Option<MeetingView> {
        let (reply, receiver) = oneshot::channel();
        self.inbox
            .send(RoomInput::View { viewer, reply })
            .await
            .ok()?;
        receiver.await.ok().flatten()
    }

    /// A copy of the committed state (for exports and the command line).
    pub async fn inspect(&self) -> Option<Meeting> {
        let (reply, receiver) = oneshot::channel();
        self.inbox.send(RoomInput::Inspect { reply }).await.ok()?;
        receiver.await.ok()
    }

    /// Cluster: records another node committed. Dropped if the room is full: it finds
    /// them in the log at its next poll or gap.
    pub fn remote(&self, head: u64, records: Vec<StoredRecord>) {
        let records = records.into_iter().map(Record::from).collect();
        let _ = self.inbox.try_send(RoomInput::Remote { head, records });
    }

    /// The members with devices following the meeting on this node (member → devices).
    pub async fn online(&self) -> Option<BTreeMap<MemberId, u32>> {
        let (reply, receiver) = oneshot::channel();
        self.inbox.send(RoomInput::Online { reply }).await.ok()?;
        receiver.await.ok()
    }

    /// Cluster: asks the room to read what the log holds past its head.
    pub fn catch_up(&self) {
        let _ = self.inbox.try_send(RoomInput::CatchUp);
    }
}

/// A command decided into the current group, waiting for its commit.
struct Decided {
    request: Option<RequestId>,
    actor: Actor,
    /// Kept so that the group can be decided again after losing a race in a cluster.
    command: MeetingCommand,
    reply: Reply,
    outcome: CommandOutcome,
    /// The answer came from the dedupe table (an earlier group's).
    replayed: bool,
}

struct Room {
    stream: String,
    /// The room's own inbox, for following its channel (weak: the room still stops
    /// when every handle is gone).
    own: mpsc::WeakSender<RoomInput>,
    /// The cluster, if this node is part of one.
    cluster: Option<Cluster>,
    /// Whether this node follows the meeting's channel (it has devices here).
    following: bool,
    /// Cluster: the state the current group is decided against, to decide it again.
    before: Option<Meeting>,
    /// Cluster: when the room next checks the log's head.
    next_poll: Instant,
    /// Cluster: the presence last recorded for the other nodes, and the subscriber
    /// count it was computed at (recomputed when that changes or `presence_stale`).
    presence: (BTreeMap<String, u32>, usize),
    presence_stale: bool,
    meeting: Meeting,
    /// The hash chain's head in the log: the next commit is chained after it.
    head: ChainHead,
    store: Arc<dyn EventLog>,
    observer: Arc<dyn RoomObserver>,
    subscribers: Vec<Subscriber>,
    recent: VecDeque<EventRecord>,
    /// What resumes share while the state does not move (`room/serve.rs`).
    resumes: serve::Resumes,
    dedupe: Dedupe,
    limits: RoomLimits,
    pending: Pending,
}

/// The events of the group being decided, not yet committed.
#[derive(Default)]
struct Pending {
    records: Vec<EventRecord>,
    /// `apply` failed on a decided event: the state must be rebuilt from the log.
    poisoned: bool,
}

impl Room {
    async fn run(mut self, mut inbox: mpsc::Receiver<RoomInput>) {
        loop {
            let deadline = self.meeting.next_deadline();
            let polling = self.cluster.is_some();
            let first = tokio::select! {
                input = inbox.recv() => match input {
                    Some(input) => input,
                    None => break,
                },
                () = sleep_until(deadline) => RoomInput::Command(CommandInput {
                    request: None,
                    actor: Actor::System,
                    command: MeetingCommand::Tick,
                    reply: Reply::Nobody,
                }),
                () = tokio::time::sleep_until(self.next_poll), if polling => RoomInput::CatchUp,
            };
            let mut group = Vec::new();
            let mut next = Some(first);
            while let Some(input) = next.take() {
                match input {
                    RoomInput::Command(command) => {
                        if group.is_empty() && self.cluster.is_some() {
                            self.before = Some(self.meeting.clone());
                        }
                        let decided = self.decide(command);
                        group.push(decided);
                        if group.len() < self.limits.max_group {
                            next = inbox.try_recv().ok();
                        }
                    }
                    other => {
                        // Requests that read the state see only committed events.
                        self.commit(std::mem::take(&mut group)).await;
                        self.serve(other).await;
                        next = inbox.try_recv().ok();
                    }
                }
            }
            self.commit(group).await;
            self.follow_channel();
        }
        if self.following
            && let Some(cluster) = &self.cluster
        {
            let _ = cluster.unfollow(&self.stream);
        }
        tracing::debug!(meeting = %self.meeting.id(), "room stopped");
    }

    /// Decides one command against the state including the group so far. A request id
    /// already answered, in an earlier group or in this one, gets that answer again.
    fn decide(&mut self, input: CommandInput) -> Decided {
        let CommandInput {
            request,
            actor,
            command,
            reply,
        } = input;
        if let Some(outcome) = request
            .as_ref()
            .and_then(|request| self.dedupe.get(&actor, request))
        {
            telemetry::command(&command, "replayed");
            return Decided {
                request,
                actor,
                command,
                reply,
                outcome: outcome.clone(),
                replayed: true,
            };
        }
        let outcome = match self.meeting.execute(&actor, clock::now(), &command) {
            Ok((records, receipt)) => {
                telemetry::command(&command, "accepted");
                self.pending.records.extend(records);
                CommandOutcome::Acked {
                    seq: self.meeting.seq(),
                    receipt,
                }
            }
            Err(quorum_domain::ExecuteError::Rejected(rejection)) => {
                telemetry::command(&command, "rejected");
                CommandOutcome::Rejected(rejection)
            }
            Err(quorum_domain::ExecuteError::Apply(error)) => {
                // decide and apply disagree: a bug. The state may be half-changed, so
                // the commit step rebuilds it from the log.
                tracing::error!(meeting = %self.meeting.id(), %error, "decided events do not apply");
                self.pending.poisoned = true;
                CommandOutcome::Failed(ErrorCode::Internal)
            }
        };
        // Remembered now, so that a repeat in the same group gets this answer; forgotten
        // again if the group's commit fails.
        if let Some(request) = &request {
            self.dedupe.insert(&actor, request.clone(), &outcome);
        }
        Decided {
            request,
            actor,
            command,
            reply,
            outcome,
            replayed: false,
        }
    }
}

async fn sleep_until(deadline: Option<quorum_domain::Timestamp>) {
    match deadline {
        None => std::future::pending().await,
        Some(deadline) => {
            let wait = deadline.since(clock::now());
            // Wake a little after the deadline so that the tick finds it passed.
            tokio::time::sleep(Duration::from_millis(wait.0.saturating_add(5))).await;
        }
    }
}

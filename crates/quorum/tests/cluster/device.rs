//! A device as a task of its own: one WebSocket to one node, following the meeting or
//! not, sending the commands it is given and sending each again, with the same request
//! id, until it is answered. When its connection ends it reconnects to the next node,
//! resumes from the last update it saw and sends its unanswered commands again.

use std::sync::Arc;
use std::time::Duration;

use quorum_client::new_request_id;
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::view::PollView;
use quorum_domain::{MeetingCommand, MeetingId, PollId, RejectionCode};
use quorum_protocol::RequestId;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

use super::follower::Follower;

mod actor;

use actor::Actor;

/// How long a command may stay unanswered, across retries and reconnects.
pub(crate) const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// Who the device is and where it may connect.
#[derive(Debug, Clone)]
pub(crate) struct DeviceSpec {
    /// For reports: the member, or the console's name.
    pub(crate) label: String,
    pub(crate) token: String,
    /// Every node's `ws://…/ws`.
    pub(crate) nodes: Arc<Vec<String>>,
    /// The node it connects to first.
    pub(crate) home: usize,
    pub(crate) meeting: MeetingId,
    /// Subscribe to the meeting and check every update.
    pub(crate) follow: bool,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Acked {
        seq: u64,
        receipt: Option<Receipt>,
    },
    Rejected {
        code: RejectionCode,
        message: String,
    },
    /// Not answered in time, refused for good, or the device could reach no node.
    Failed(String),
}

/// A command's answer and how many times it was sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) answer: Answer,
    pub(crate) sends: u32,
}

/// What a device went through.
#[derive(Debug, Default)]
pub(crate) struct DeviceReport {
    pub(crate) label: String,
    /// The node it ended on.
    pub(crate) node: usize,
    pub(crate) reconnects: u32,
    /// Connections cut off on purpose (see [`Device::cut`]).
    pub(crate) cuts: u32,
    /// From the connection's end to the resumed subscription, per reconnect.
    pub(crate) reconnect_times: Vec<Duration>,
    /// Commands sent again on a new connection after the old one ended unanswered.
    pub(crate) resends: u32,
    /// Commands sent again after a retryable error (`unavailable`, …).
    pub(crate) retries: u32,
    pub(crate) follower: Option<Follower>,
    /// Why connections ended, errors about no request, commands given up.
    pub(crate) notes: Vec<String>,
}

pub(super) enum Order {
    Command {
        request: RequestId,
        command: MeetingCommand,
        /// Send it first at this time (now if past).
        at: Instant,
        reply: oneshot::Sender<Sent>,
    },
    /// Answer once the device has applied this sequence number.
    Reach {
        seq: u64,
        reply: oneshot::Sender<u64>,
    },
    /// The poll as the device sees it now.
    Poll {
        poll: PollId,
        reply: oneshot::Sender<Option<PollView>>,
    },
    /// Drop the connection without a word, stay away this long, then reconnect and
    /// resume; answered when the pause is over.
    Cut {
        pause: Duration,
        reply: oneshot::Sender<()>,
    },
}

/// Orders a device's task holds at once: a scenario gives each device a handful.
const ORDERS: usize = 64;

/// The handle of a device's task.
#[derive(Debug)]
pub(crate) struct Device {
    orders: mpsc::Sender<Order>,
    task: JoinHandle<DeviceReport>,
}

impl Device {
    /// Connects to the home node (and subscribes, if it follows), then runs on its own.
    pub(crate) async fn start(spec: DeviceSpec) -> Result<Device, String> {
        let mut actor = Actor::new(spec);
        actor.connect_home().await?;
        let (orders, receiver) = mpsc::channel(ORDERS);
        let task = tokio::spawn(actor.run(receiver));
        Ok(Device { orders, task })
    }

    /// Hands the task an order. One the task can no longer take (it ended) is dropped:
    /// its answer channel then closes, which the caller sees. A full queue is a bug in
    /// the scenario.
    fn order(&self, order: Order) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.orders.try_send(order) {
            panic!("a device was given more than {ORDERS} orders at once");
        }
    }

    /// Sends `command` with a fresh request id; the answer comes when it is final.
    pub(crate) fn send(&self, command: MeetingCommand) -> oneshot::Receiver<Sent> {
        self.send_at(command, Instant::now())
    }

    /// Like [`send`](Self::send), first at `at`.
    pub(crate) fn send_at(&self, command: MeetingCommand, at: Instant) -> oneshot::Receiver<Sent> {
        let (reply, answer) = oneshot::channel();
        let request = new_request_id().expect("a random request id");
        self.order(Order::Command {
            request,
            command,
            at,
            reply,
        });
        answer
    }

    /// Sends `command` and waits for its final answer.
    pub(crate) async fn run(&self, command: MeetingCommand) -> Sent {
        settle(self.send(command)).await
    }

    /// Resolves once the device has applied update `seq`, with its last sequence number.
    pub(crate) fn reach(&self, seq: u64) -> oneshot::Receiver<u64> {
        let (reply, reached) = oneshot::channel();
        self.order(Order::Reach { seq, reply });
        reached
    }

    /// The poll as the device sees it now (`None` if it does not follow the meeting or
    /// cannot see the poll).
    pub(crate) async fn poll(&self, poll: &PollId) -> Option<PollView> {
        let (reply, view) = oneshot::channel();
        self.order(Order::Poll {
            poll: poll.clone(),
            reply,
        });
        timeout(Duration::from_secs(10), view).await.ok()?.ok()?
    }

    /// Cuts the connection off for `pause` (as a phone leaving the Wi-Fi does), then
    /// lets the device reconnect and resume; resolves when the pause is over.
    pub(crate) fn cut(&self, pause: Duration) -> oneshot::Receiver<()> {
        let (reply, over) = oneshot::channel();
        self.order(Order::Cut { pause, reply });
        over
    }

    /// Closes the connection and returns what the device went through.
    pub(crate) async fn finish(self) -> DeviceReport {
        drop(self.orders);
        match timeout(Duration::from_secs(15), self.task).await {
            Ok(Ok(report)) => report,
            Ok(Err(error)) => panic!("a device's task failed: {error}"),
            Err(_) => panic!("a device did not finish within 15 s"),
        }
    }
}

/// The final answer to a command, or why there is none.
pub(crate) async fn settle(answer: oneshot::Receiver<Sent>) -> Sent {
    let failed = |why: &str| Sent {
        answer: Answer::Failed(why.to_owned()),
        sends: 0,
    };
    match timeout(COMMAND_LIMIT + Duration::from_secs(10), answer).await {
        Ok(Ok(sent)) => sent,
        Ok(Err(_)) => failed("the device stopped"),
        Err(_) => failed("the device never answered"),
    }
}

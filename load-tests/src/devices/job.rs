//! What the coordinator and its device workers say to each other: a job as the first
//! JSON line on the worker's stdin, then orders, one per line; reports as JSON lines on
//! the worker's stdout.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::latency::Buckets;

/// One worker's share of the devices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    /// The hubs' WebSocket addresses (one per cluster node).
    pub(crate) ws_urls: Vec<String>,
    /// The meetings this worker's devices follow.
    pub(crate) meetings: Vec<String>,
    /// The devices.
    pub(crate) devices: Vec<DeviceSpec>,
    /// The address to connect from, such as 127.0.0.2.
    pub(crate) local_address: Option<IpAddr>,
    /// Handshakes in flight at once.
    pub(crate) concurrency: usize,
}

/// One device: whose session it holds, which node and meeting it uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeviceSpec {
    /// The session token.
    pub(crate) token: String,
    /// Index into [`Job::ws_urls`].
    pub(crate) node: usize,
    /// Index into [`Job::meetings`].
    pub(crate) meeting: usize,
    /// Whether it checks in and votes (a delegate), or only watches (the projector).
    pub(crate) votes: bool,
    /// A number spreading its actions over an order's window (the same on every run).
    pub(crate) slot: u64,
}

/// An order to every device of a worker. Times are microseconds since the Unix epoch:
/// every process of a run is on this machine, so they share the clock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "order", rename_all = "snake_case")]
pub(crate) enum Order {
    /// Voting devices check in, each at `at_us` plus its share of `spread_us`.
    CheckIn { at_us: u64, spread_us: u64 },
    /// Voting devices cast one ballot in round `round` of `poll`, spread the same way.
    Cast {
        poll: String,
        round: u32,
        at_us: u64,
        spread_us: u64,
    },
    /// Every device drops its connection at once (no close frame) and resumes.
    Drop { at_us: u64 },
    /// Every device waits until it has seen its meeting's `heads` (by meeting index),
    /// then the worker reports its results and exits.
    Finish { heads: Vec<u64>, timeout_ms: u64 },
}

/// A worker's report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Report {
    /// The counts so far, every quarter second.
    Progress { counts: Counts },
    /// Every device has been tried: connected and subscribed, or failed.
    Ready { counts: Counts, errors: Vec<String> },
    /// The results, after `Finish`.
    Done(Box<Outcome>),
}

/// A worker's devices, by fate and by what they did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Counts {
    /// Subscribed: the meeting's snapshot arrived.
    pub(crate) subscribed: u64,
    /// Failed before being subscribed.
    pub(crate) failed: u64,
    /// Check-ins acknowledged.
    pub(crate) checked_in: u64,
    /// Ballots sent (a resend counts once).
    pub(crate) ballots_sent: u64,
    /// Ballots acknowledged.
    pub(crate) acked: u64,
    /// Commands refused (the reason is in the errors).
    pub(crate) rejected: u64,
    /// Connections lost (or dropped on order) and opened again.
    pub(crate) reconnects: u64,
    /// Resumptions answered with the missed updates.
    pub(crate) resumed: u64,
    /// Resumptions answered with a fresh snapshot instead.
    pub(crate) resnapshotted: u64,
    /// Updates received.
    pub(crate) frames: u64,
    /// Updates skipped: a sequence number came more than one after the last.
    pub(crate) missed: u64,
    /// Updates received twice (a sequence number not after the last).
    pub(crate) duplicates: u64,
    /// Updates of a meeting the device does not follow.
    pub(crate) foreign: u64,
}

impl Counts {
    /// The sum over workers.
    pub(crate) fn add(self, other: Counts) -> Counts {
        Counts {
            subscribed: self.subscribed + other.subscribed,
            failed: self.failed + other.failed,
            checked_in: self.checked_in + other.checked_in,
            ballots_sent: self.ballots_sent + other.ballots_sent,
            acked: self.acked + other.acked,
            rejected: self.rejected + other.rejected,
            reconnects: self.reconnects + other.reconnects,
            resumed: self.resumed + other.resumed,
            resnapshotted: self.resnapshotted + other.resnapshotted,
            frames: self.frames + other.frames,
            missed: self.missed + other.missed,
            duplicates: self.duplicates + other.duplicates,
            foreign: self.foreign + other.foreign,
        }
    }
}

/// What a worker measured, sent once at the end.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Outcome {
    pub(crate) counts: Counts,
    /// Ballot send → ack, microseconds.
    pub(crate) ack: Buckets,
    /// Check-in send → ack.
    pub(crate) check_in_ack: Buckets,
    /// An update's event time (`at`, milliseconds) → its arrival.
    pub(crate) delivery: Buckets,
    /// Connection dropped → resumed.
    pub(crate) resync: Buckets,
    /// Every acknowledged ballot.
    pub(crate) ballots: Vec<Ballot>,
    /// By meeting and node: when the last of this worker's devices had seen each
    /// sequence number.
    pub(crate) reached: Vec<Reached>,
    /// The first and the last update's arrival, µs.
    pub(crate) first_frame_us: Option<u64>,
    pub(crate) last_frame_us: Option<u64>,
    /// Devices that did not reach their meeting's head before the timeout.
    pub(crate) behind: u64,
    /// The first few distinct errors and refusals.
    pub(crate) errors: Vec<String>,
}

/// An acknowledged ballot.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Ballot {
    /// Index into [`Job::meetings`].
    pub(crate) meeting: usize,
    /// The node it was sent to, index into [`Job::ws_urls`].
    pub(crate) node: usize,
    /// Its event's sequence number.
    pub(crate) seq: u64,
    /// When it was sent and acknowledged, µs since the epoch.
    pub(crate) sent_us: u64,
    pub(crate) acked_us: u64,
}

/// When the last of a worker's devices on one node had seen each sequence number of
/// one meeting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Reached {
    pub(crate) meeting: usize,
    pub(crate) node: usize,
    /// The worker's devices in the meeting.
    pub(crate) devices: u32,
    /// The sequence number of `times[0]`.
    pub(crate) first_seq: u64,
    /// µs since the epoch, or `None`.
    pub(crate) times: Vec<Option<u64>>,
}

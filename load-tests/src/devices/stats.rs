//! What a worker's devices record, shared by all of them: counters, latency histograms,
//! the acknowledged ballots, and when the last device saw each sequence number.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::job::{Ballot, Counts, Outcome, Reached};
use crate::latency::Latencies;

/// How many distinct errors a worker keeps.
const ERRORS_KEPT: usize = 12;

/// A counter shared by a worker's devices.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn increment(&self) {
        self.add(1);
    }

    pub(crate) fn add(&self, by: u64) {
        self.0.fetch_add(by, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The counters behind [`Counts`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) subscribed: Counter,
    pub(crate) failed: Counter,
    pub(crate) checked_in: Counter,
    pub(crate) ballots_sent: Counter,
    pub(crate) acked: Counter,
    pub(crate) rejected: Counter,
    pub(crate) reconnects: Counter,
    pub(crate) resumed: Counter,
    pub(crate) resnapshotted: Counter,
    pub(crate) frames: Counter,
    pub(crate) missed: Counter,
    pub(crate) duplicates: Counter,
    pub(crate) foreign: Counter,
    pub(crate) behind: Counter,
}

/// Everything a worker's devices record.
#[derive(Debug)]
pub(crate) struct Stats {
    pub(crate) counts: Counters,
    recorded: Mutex<Recorded>,
    /// Nodes in the run.
    nodes: usize,
    /// By meeting index × nodes + node index.
    reached: Vec<Mutex<Reach>>,
    errors: Mutex<Vec<String>>,
}

#[derive(Debug, Default)]
struct Recorded {
    ack: Latencies,
    check_in_ack: Latencies,
    delivery: Latencies,
    resync: Latencies,
    ballots: Vec<Ballot>,
    first_frame_us: Option<u64>,
    last_frame_us: Option<u64>,
}

/// For one meeting, by sequence number: how many of the worker's devices have seen it
/// and when the latest of them did.
#[derive(Debug, Default)]
struct Reach {
    seen: Vec<(u32, u64)>,
}

impl Stats {
    /// Empty records for `meetings` meetings on `nodes` nodes.
    pub(crate) fn new(meetings: usize, nodes: usize) -> Stats {
        let nodes = nodes.max(1);
        Stats {
            counts: Counters::default(),
            recorded: Mutex::default(),
            nodes,
            reached: (0..meetings * nodes).map(|_| Mutex::default()).collect(),
            errors: Mutex::default(),
        }
    }

    /// The counters now.
    pub(crate) fn counts(&self) -> Counts {
        let counts = &self.counts;
        Counts {
            subscribed: counts.subscribed.get(),
            failed: counts.failed.get(),
            checked_in: counts.checked_in.get(),
            ballots_sent: counts.ballots_sent.get(),
            acked: counts.acked.get(),
            rejected: counts.rejected.get(),
            reconnects: counts.reconnects.get(),
            resumed: counts.resumed.get(),
            resnapshotted: counts.resnapshotted.get(),
            frames: counts.frames.get(),
            missed: counts.missed.get(),
            duplicates: counts.duplicates.get(),
            foreign: counts.foreign.get(),
        }
    }

    /// Keeps an error if it is new and there is room.
    pub(crate) fn note(&self, error: String) {
        if let Ok(mut errors) = self.errors.lock()
            && errors.len() < ERRORS_KEPT
            && !errors.contains(&error)
        {
            errors.push(error);
        }
    }

    /// The errors kept.
    pub(crate) fn errors(&self) -> Vec<String> {
        self.errors
            .lock()
            .map(|errors| errors.clone())
            .unwrap_or_default()
    }

    /// An acknowledged ballot.
    pub(crate) fn ballot(&self, ballot: Ballot) {
        self.with(|recorded| {
            recorded
                .ack
                .record_micros(ballot.acked_us.saturating_sub(ballot.sent_us));
            recorded.ballots.push(ballot);
        });
    }

    /// An acknowledged check-in.
    pub(crate) fn check_in(&self, ack_micros: u64) {
        self.with(|recorded| recorded.check_in_ack.record_micros(ack_micros));
    }

    /// A resumption, this long after the connection was lost.
    pub(crate) fn resync(&self, micros: u64) {
        self.with(|recorded| recorded.resync.record_micros(micros));
    }

    /// An update that arrived at `now_us` for an event of `at_ms`.
    pub(crate) fn frame(&self, now_us: u64, at_ms: i64) {
        let at_us = u64::try_from(at_ms).unwrap_or(0).saturating_mul(1_000);
        self.with(|recorded| {
            recorded
                .delivery
                .record_micros(now_us.saturating_sub(at_us));
            recorded.first_frame_us.get_or_insert(now_us);
            recorded.last_frame_us = Some(now_us);
        });
    }

    /// A device of `meeting` on `node` went from `last` to `seq` at `now_us`: it has
    /// now seen every sequence number after `last` up to `seq`.
    pub(crate) fn reach(&self, (meeting, node): (usize, usize), last: u64, seq: u64, now_us: u64) {
        let Some(reach) = self.reached.get(meeting * self.nodes + node) else {
            return;
        };
        let Ok(mut reach) = reach.lock() else {
            return;
        };
        let (Ok(from), Ok(to)) = (usize::try_from(last + 1), usize::try_from(seq)) else {
            return;
        };
        if reach.seen.len() <= to {
            reach.seen.resize(to + 1, (0, 0));
        }
        for (count, latest) in reach.seen.iter_mut().take(to + 1).skip(from) {
            *count += 1;
            *latest = (*latest).max(now_us);
        }
    }

    /// The results: `devices` is how many devices each meeting × node had, so that a
    /// sequence number counts as reached only once all of them saw it.
    pub(crate) fn outcome(&self, devices: &[u32]) -> Outcome {
        let reached = self
            .reached
            .iter()
            .enumerate()
            .map(|(index, reach)| {
                let devices = devices.get(index).copied().unwrap_or(0);
                let Ok(reach) = reach.lock() else {
                    return Reached::default();
                };
                let first = reach
                    .seen
                    .iter()
                    .position(|(count, _)| *count > 0)
                    .unwrap_or(reach.seen.len());
                Reached {
                    meeting: index / self.nodes,
                    node: index % self.nodes,
                    devices,
                    first_seq: u64::try_from(first).unwrap_or(0),
                    times: reach
                        .seen
                        .iter()
                        .skip(first)
                        .map(|(count, latest)| (*count >= devices).then_some(*latest))
                        .collect(),
                }
            })
            .collect();
        let recorded = self.recorded.lock();
        let Ok(recorded) = recorded else {
            return Outcome::default();
        };
        Outcome {
            counts: self.counts(),
            ack: recorded.ack.buckets(),
            check_in_ack: recorded.check_in_ack.buckets(),
            delivery: recorded.delivery.buckets(),
            resync: recorded.resync.buckets(),
            ballots: recorded.ballots.clone(),
            reached,
            first_frame_us: recorded.first_frame_us,
            last_frame_us: recorded.last_frame_us,
            behind: self.counts.behind.get(),
            errors: self.errors(),
        }
    }

    fn with(&self, record: impl FnOnce(&mut Recorded)) {
        if let Ok(mut recorded) = self.recorded.lock() {
            record(&mut recorded);
        }
    }
}

/// Microseconds since the Unix epoch: the clock every process of a run shares.
pub(crate) fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_micros()).unwrap_or(u64::MAX)
        })
}

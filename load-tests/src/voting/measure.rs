//! Turning what the workers and the chairs recorded into a result: acked against
//! counted, the latency distributions ("tally visible" on every device), frames
//! delivered per second and the hubs' CPU per frame, memory per device.

use std::collections::BTreeMap;

use serde::Serialize;

use super::hubs::{HubsInfo, Usage};
use super::visibility::Visibility;
use super::{Scenario, Sizes};
use crate::devices::job::{Counts, Outcome};
use crate::latency::{Latencies, Summary};
use crate::record::Provenance;

/// When a hub usage reading was taken.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    /// Before and after every device connected.
    Connected,
    /// Over the measured part of the run (the vote, or the fan-out).
    Measured,
}

/// The result of a meeting scenario.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct VoteResult {
    scenario: &'static str,
    /// The motion: `named` or `secret`.
    poll: &'static str,
    /// Devices, the chairs included.
    devices: u64,
    meetings: usize,
    nodes: usize,
    workers: usize,
    ballots_sent: u64,
    acked: u64,
    /// Read back from the hub after the poll was closed and published.
    counted: u64,
    /// Meetings where acked ≠ counted.
    meetings_miscounted: usize,
    rejected: u64,
    checked_in: u64,
    /// Acked ballots over the time from the first sent to the last acked.
    ballots_per_second: f64,
    /// Ballots some device never saw included.
    tally_never: u64,
    latency_ms: BTreeMap<&'static str, Summary>,
    /// `province`: the worst meeting's p99 "tally visible", and how many meetings
    /// exceeded 150 ms.
    worst_meeting_tally_p99_ms: Option<f64>,
    meetings_over_150ms: Option<usize>,
    /// `fanout`: the chair's updates.
    updates_published: Option<usize>,
    /// Updates delivered to devices during the measured part.
    frames_delivered: u64,
    frames_per_second: f64,
    server_cpu_us_per_frame: Option<f64>,
    missed_updates: u64,
    duplicate_updates: u64,
    foreign_updates: u64,
    /// Devices that had not reached their meeting's last event at the end.
    behind: u64,
    reconnects: u64,
    resumed: u64,
    resnapshotted: u64,
    /// `reconnect`: from the drop to the last device resumed, in seconds.
    resync_seconds: Option<f64>,
    server: Server,
    hub: HubsInfo,
    errors: Vec<String>,
    #[serde(flatten)]
    provenance: Provenance,
}

/// The hubs' resource use.
#[derive(Debug, Clone, Default, Serialize)]
struct Server {
    /// CPU over the measured part, summed over nodes.
    cpu_seconds: f64,
    cpu_seconds_connecting: f64,
    rss_before_connect_bytes: u64,
    rss_connected_bytes: u64,
    /// (connected − before) / devices.
    rss_per_device_bytes: i64,
    peak_rss_bytes: u64,
}

/// A run being measured.
pub(crate) struct Run {
    scenario: Scenario,
    sizes: Sizes,
    workers: usize,
    devices: u64,
    server: Server,
    frames_before: u64,
    start_us: Option<u64>,
    dropped_at_us: Option<u64>,
    sends: Vec<(u64, u64)>,
    outcomes: Vec<Outcome>,
    errors: Vec<String>,
    counted: Vec<u64>,
}

impl Run {
    pub(crate) fn new(scenario: Scenario, sizes: Sizes, workers: usize, devices: u64) -> Run {
        Run {
            scenario,
            sizes,
            workers,
            devices,
            server: Server::default(),
            frames_before: 0,
            start_us: None,
            dropped_at_us: None,
            sends: Vec::new(),
            outcomes: Vec::new(),
            errors: Vec::new(),
            counted: Vec::new(),
        }
    }

    /// Hub usage before and after a phase.
    pub(crate) fn usage(&mut self, phase: Phase, before: Usage, after: Usage) {
        let cpu = round(after.cpu_seconds - before.cpu_seconds, 2);
        match phase {
            Phase::Connected => {
                self.server.cpu_seconds_connecting = cpu;
                self.server.rss_before_connect_bytes = before.rss_bytes;
                self.server.rss_connected_bytes = after.rss_bytes;
                let grown = i64::try_from(after.rss_bytes).unwrap_or(i64::MAX)
                    - i64::try_from(before.rss_bytes).unwrap_or(i64::MAX);
                self.server.rss_per_device_bytes =
                    grown / i64::try_from(self.devices.max(1)).unwrap_or(1);
            }
            Phase::Measured => self.server.cpu_seconds = cpu,
        }
        self.server.peak_rss_bytes = self.server.peak_rss_bytes.max(after.peak_rss_bytes);
    }

    /// Where the measured part starts: the frames delivered so far, and when.
    pub(crate) fn measure_from(&mut self, frames_before: u64, start_us: u64) {
        self.frames_before = frames_before;
        self.start_us = Some(start_us);
    }

    /// `reconnect`: when every device dropped its connection.
    pub(crate) fn dropped_at(&mut self, at_us: u64) {
        self.dropped_at_us = Some(at_us);
    }

    /// `fanout`: the chair's updates, `(seq, sent at µs)`.
    pub(crate) fn sends(&mut self, sends: Vec<(u64, u64)>) {
        self.sends = sends;
    }

    pub(crate) fn outcomes(&mut self, outcomes: Vec<Outcome>, errors: Vec<String>) {
        self.outcomes = outcomes;
        self.errors = errors;
    }

    /// What the hub counted, by meeting.
    pub(crate) fn counted(&mut self, counted: Vec<u64>) {
        self.counted = counted;
    }

    /// Computes the result.
    pub(crate) fn finish(self, hub: &HubsInfo) -> VoteResult {
        let counts = self
            .outcomes
            .iter()
            .fold(Counts::default(), |total, outcome| {
                total.add(outcome.counts)
            });
        let merge = |pick: fn(&Outcome) -> &crate::latency::Buckets| {
            let mut latencies = Latencies::new();
            for outcome in &self.outcomes {
                latencies.merge(pick(outcome));
            }
            latencies
        };
        let visible = Visibility::new(&self.outcomes);
        let mut tally = Latencies::new();
        let mut cross_node = Latencies::new();
        let mut per_meeting: Vec<Latencies> =
            (0..self.sizes.meetings).map(|_| Latencies::new()).collect();
        let mut tally_never = 0;
        let (mut first_sent, mut last_acked) = (u64::MAX, 0);
        for ballot in self.outcomes.iter().flat_map(|outcome| &outcome.ballots) {
            first_sent = first_sent.min(ballot.sent_us);
            last_acked = last_acked.max(ballot.acked_us);
            let Some(at_us) = visible.at(ballot.meeting, ballot.seq, |_| true) else {
                tally_never += 1;
                continue;
            };
            tally.record_micros(at_us.saturating_sub(ballot.sent_us));
            if let Some(latencies) = per_meeting.get_mut(ballot.meeting) {
                latencies.record_micros(at_us.saturating_sub(ballot.sent_us));
            }
            if self.sizes.nodes > 1
                && let Some(at_us) =
                    visible.at(ballot.meeting, ballot.seq, |node| node != ballot.node)
            {
                cross_node.record_micros(at_us.saturating_sub(ballot.sent_us));
            }
        }
        let mut delivered_all = Latencies::new();
        for &(seq, sent_us) in &self.sends {
            if let Some(at_us) = visible.at(0, seq, |_| true) {
                delivered_all.record_micros(at_us.saturating_sub(sent_us));
            }
        }
        let mut latency_ms = BTreeMap::new();
        let ack = merge(|outcome| &outcome.ack);
        if ack.len() > 0 {
            latency_ms.insert("ack", ack.summary());
            latency_ms.insert("tally_visible", tally.summary());
        }
        if cross_node.len() > 0 {
            latency_ms.insert("tally_visible_other_nodes", cross_node.summary());
        }
        let check_in = merge(|outcome| &outcome.check_in_ack);
        if check_in.len() > 0 {
            latency_ms.insert("check_in_ack", check_in.summary());
        }
        latency_ms.insert("delivery", merge(|outcome| &outcome.delivery).summary());
        if delivered_all.len() > 0 {
            latency_ms.insert("delivered_to_all", delivered_all.summary());
        }
        let resync = merge(|outcome| &outcome.resync);
        let resync_seconds = (self.dropped_at_us.is_some() && resync.len() > 0)
            .then(|| round(resync.summary().max / 1_000.0, 3));
        if resync.len() > 0 {
            latency_ms.insert("resync", resync.summary());
        }

        let province = self.scenario == Scenario::Province;
        let meeting_p99s: Vec<f64> = per_meeting
            .iter()
            .filter(|latencies| latencies.len() > 0)
            .map(|latencies| latencies.summary().p99)
            .collect();
        let mut acked_by_meeting = vec![0_u64; self.sizes.meetings];
        for ballot in self.outcomes.iter().flat_map(|outcome| &outcome.ballots) {
            if let Some(count) = acked_by_meeting.get_mut(ballot.meeting) {
                *count += 1;
            }
        }
        let meetings_miscounted = if self.counted.is_empty() {
            0
        } else {
            acked_by_meeting
                .iter()
                .zip(&self.counted)
                .filter(|(acked, counted)| acked != counted)
                .count()
        };
        let frames = counts.frames.saturating_sub(self.frames_before);
        let last_frame = self
            .outcomes
            .iter()
            .filter_map(|outcome| outcome.last_frame_us)
            .max()
            .unwrap_or(0);
        let window_us = self
            .start_us
            .map_or(0, |start| last_frame.saturating_sub(start));
        let rate = |count: u64, micros: u64| {
            if micros == 0 {
                0.0
            } else {
                round(count as f64 / (micros as f64 / 1e6), 1)
            }
        };
        let mut errors = self.errors;
        for outcome in &self.outcomes {
            for error in &outcome.errors {
                if !errors.contains(error) && errors.len() < 20 {
                    errors.push(error.clone());
                }
            }
        }
        VoteResult {
            scenario: self.scenario.name(),
            poll: if self.sizes.secret { "secret" } else { "named" },
            devices: self.devices,
            meetings: self.sizes.meetings,
            nodes: self.sizes.nodes,
            workers: self.workers,
            ballots_sent: counts.ballots_sent,
            acked: counts.acked,
            counted: self.counted.iter().sum(),
            meetings_miscounted,
            rejected: counts.rejected,
            checked_in: counts.checked_in,
            ballots_per_second: rate(counts.acked, last_acked.saturating_sub(first_sent)),
            tally_never,
            latency_ms,
            worst_meeting_tally_p99_ms: province
                .then(|| meeting_p99s.iter().copied().fold(0.0, f64::max)),
            meetings_over_150ms: province
                .then(|| meeting_p99s.iter().filter(|p99| **p99 > 150.0).count()),
            updates_published: (self.scenario == Scenario::Fanout).then_some(self.sends.len()),
            frames_delivered: frames,
            frames_per_second: rate(frames, window_us),
            server_cpu_us_per_frame: (frames > 0)
                .then(|| round(self.server.cpu_seconds * 1e6 / frames as f64, 3)),
            missed_updates: counts.missed,
            duplicate_updates: counts.duplicates,
            foreign_updates: counts.foreign,
            behind: self.outcomes.iter().map(|outcome| outcome.behind).sum(),
            reconnects: counts.reconnects,
            resumed: counts.resumed,
            resnapshotted: counts.resnapshotted,
            resync_seconds,
            server: self.server,
            hub: hub.clone(),
            errors,
            provenance: Provenance::now(),
        }
    }
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10_f64.powi(digits);
    (value * scale).round() / scale
}

/// The Markdown summary written beside the JSON result.
pub(crate) fn summary(result: &VoteResult) -> String {
    let mut text = format!(
        "# {}: {} devices in {} meeting(s), {} node(s)\n\n{}, commit {}, {} CPUs.\n\n\
         | figure | value |\n|---|---|\n",
        result.scenario,
        result.devices,
        result.meetings,
        result.nodes,
        result.provenance.date,
        result.provenance.git_commit.as_deref().unwrap_or("unknown"),
        result.provenance.machine.cpus,
    );
    let mut row = |name: &str, value: String| {
        text.push_str(&format!("| {name} | {value} |\n"));
    };
    row(
        "ballots sent / acked / counted",
        format!(
            "{} / {} / {}",
            result.ballots_sent, result.acked, result.counted
        ),
    );
    row(
        "ballots per second (acked)",
        format!("{:.0}", result.ballots_per_second),
    );
    for (name, latency) in &result.latency_ms {
        row(
            &format!("{name} latency p50 / p99 / max"),
            format!(
                "{:.1} / {:.1} / {:.1} ms",
                latency.p50, latency.p99, latency.max
            ),
        );
    }
    row(
        "frames delivered, per second",
        format!(
            "{}, {:.0}/s",
            result.frames_delivered, result.frames_per_second
        ),
    );
    if let Some(cpu) = result.server_cpu_us_per_frame {
        row("hub CPU per frame", format!("{cpu:.2} µs"));
    }
    row(
        "missed / duplicated / foreign updates",
        format!(
            "{} / {} / {}",
            result.missed_updates, result.duplicate_updates, result.foreign_updates
        ),
    );
    if let Some(seconds) = result.resync_seconds {
        row("all resynced after", format!("{seconds:.2} s"));
    }
    row(
        "hub CPU (measured part) / peak RSS",
        format!(
            "{:.2} s / {:.1} MiB",
            result.server.cpu_seconds,
            result.server.peak_rss_bytes as f64 / 1_048_576.0
        ),
    );
    text
}

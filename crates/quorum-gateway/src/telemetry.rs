//! The hub's Prometheus metrics: every name in one place, all prefixed `quorum_`.
//! Nothing here carries a voter, a choice or a credential.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use quorum_domain::MeetingCommand;

/// Open WebSocket connections (gauge).
pub const CONNECTIONS: &str = "quorum_connections";
/// Connections accepted since start.
pub const CONNECTIONS_OPENED: &str = "quorum_connections_opened_total";
/// Connections closed, by close code.
pub const CONNECTIONS_CLOSED: &str = "quorum_connections_closed_total";
/// Messages received from devices, by type.
pub const MESSAGES_RECEIVED: &str = "quorum_messages_received_total";
/// Frames queued to devices.
pub const FRAMES_QUEUED: &str = "quorum_frames_queued_total";
/// Commands decided, by outcome (`accepted`, `rejected`, `replayed`).
pub const COMMANDS: &str = "quorum_commands_total";
/// Ballots accepted.
pub const BALLOTS: &str = "quorum_ballots_total";
/// Commits to the event log, by result.
pub const COMMITS: &str = "quorum_commits_total";
/// Events committed.
pub const EVENTS_COMMITTED: &str = "quorum_events_committed_total";
/// Time from a room's append to its durable commit (histogram, seconds).
pub const COMMIT_SECONDS: &str = "quorum_commit_seconds";
/// Connections closed because they did not keep up.
pub const SLOW_DISCONNECTS: &str = "quorum_slow_disconnects_total";
/// Messages refused by the rate limit.
pub const RATE_LIMITED: &str = "quorum_rate_limited_total";
/// Handshakes refused, by reason (`origin`, `subprotocol`, `capacity`).
pub const HANDSHAKES_REFUSED: &str = "quorum_handshakes_refused_total";
/// Failed sign-ins and unknown tokens.
pub const AUTH_FAILURES: &str = "quorum_auth_failures_total";
/// Meetings with a running room (gauge).
pub const ROOMS: &str = "quorum_rooms";
/// Cluster: fan-out messages published to Redis.
pub const FANOUT_PUBLISHED: &str = "quorum_fanout_published_total";
/// Cluster: fan-out messages not published (Redis down, queue full); the other nodes
/// read those records from the log at their next poll.
pub const FANOUT_DROPPED: &str = "quorum_fanout_dropped_total";
/// Cluster: fan-out messages received from other nodes.
pub const FANOUT_RECEIVED: &str = "quorum_fanout_received_total";
/// Cluster: Redis subscriptions lost and re-established.
pub const FANOUT_RESUBSCRIBES: &str = "quorum_fanout_resubscribes_total";
/// Cluster: 1 while the Redis subscription is up (gauge).
pub const FANOUT_UP: &str = "quorum_fanout_up";
/// Cluster: events a room read from the log because the fan-out did not bring them
/// (a gap, a lost subscription, a poll), by cause.
pub const CATCH_UP_EVENTS: &str = "quorum_catch_up_events_total";
/// Cluster: appends that lost the race for a meeting's next sequence number and were
/// decided again after catching up.
pub const COMMIT_CONFLICTS: &str = "quorum_commit_conflicts_total";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder once and returns its handle (shared by every hub
/// in the process, as in tests).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(COMMIT_SECONDS.to_owned()),
                    &[
                        0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0,
                    ],
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .clone()
}

/// Counts a decided command.
pub fn command(command: &MeetingCommand, outcome: &'static str) {
    metrics::counter!(COMMANDS, "outcome" => outcome).increment(1);
    if outcome == "accepted" && matches!(command, MeetingCommand::CastBallot { .. }) {
        metrics::counter!(BALLOTS).increment(1);
    }
}

/// Records a commit.
pub fn commit(elapsed: Duration, events: usize, ok: bool) {
    let result = if ok { "ok" } else { "failed" };
    metrics::counter!(COMMITS, "result" => result).increment(1);
    if ok {
        metrics::counter!(EVENTS_COMMITTED).increment(u64::try_from(events).unwrap_or(u64::MAX));
        metrics::histogram!(COMMIT_SECONDS).record(elapsed.as_secs_f64());
    }
}

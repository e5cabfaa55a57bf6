//! Reliability S6 through the real binary: one client floods the hub at 2,000 messages
//! a second (reconnecting each time it is cut off) while other delegates measure their
//! round trips; the flooder is limited as the shipped policy says (its burst, then
//! `rate_limited` errors, then closed with 4001) and the others' p99 barely moves.

use std::time::{Duration, Instant};

use quorum_client::{ClientError, CommandOutcome, ConnectOptions, Connection};
use quorum_domain::{MeetingCommand, MeetingId, RejectionCode};
use quorum_gateway::config::LimitsConfig;
use quorum_protocol::{ErrorCode, ServerMessage, close};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::hub::{AbuseHub, WAIT};
use super::scale::{pick, report};

/// The flood: this many pings every `BURST_EVERY`, 2,000 a second, over twice the
/// thousand a second of the reliability document. (At exactly 1,000 a second the
/// shipped policy limits the flooder but never closes it: a token comes back every
/// 50 messages, which clears its strikes before they reach 50.)
const BURST: usize = 10;
const BURST_EVERY: Duration = Duration::from_millis(5);
/// Each delegate's round trips: one every 100 ms, half the shipped rate limit.
const ROUND_TRIP_EVERY: Duration = Duration::from_millis(100);

/// How much the flood may raise the others' p99 round trip: twice the baseline plus
/// 50 ms. The flooder's 2,000 messages a second, its refusals and its reconnections
/// take a share of the two cores the hub, the flooder and every delegate share, so
/// some rise is expected, and 50 ms absorbs a scheduling stall of a shared machine at
/// the 99th percentile (measured: a p99 of 1 to 5 ms in both phases). A hub in which
/// one socket's flood held up the others (a lock shared by connections, a blocking
/// step in the read loop, a queue in front of the room filled by refused messages)
/// would overshoot it.
fn p99_bound(baseline: Duration) -> Duration {
    baseline * 2 + Duration::from_millis(50)
}

/// Which part of the run a round trip belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Baseline,
    Flood,
    Done,
}

pub(crate) async fn run() {
    let delegates = pick(5, 30);
    let phase_length = Duration::from_secs(u64::try_from(pick(2, 5)).unwrap());
    // The shipped policy: the test writes no limit of its own.
    let hub = AbuseHub::start("").await;
    let policy = LimitsConfig::default();
    let flooder_token = hub.chair_token().await;

    let (phase, _) = watch::channel(Phase::Baseline);
    let mut measuring = JoinSet::new();
    let tokens = hub.delegate_tokens(delegates).await;
    for token in &tokens {
        let connection = hub.connect(token).await;
        let meeting = hub.meeting.clone();
        measuring.spawn(measure(connection, meeting, phase.subscribe()));
    }
    tokio::time::sleep(phase_length).await;
    phase.send_replace(Phase::Flood);
    let flooding = tokio::spawn(flood(hub.ws_url.clone(), flooder_token, phase.subscribe()));
    tokio::time::sleep(phase_length).await;
    phase.send_replace(Phase::Done);

    let flood = flooding.await.unwrap();
    let (mut baseline, mut flooded) = (Vec::new(), Vec::new());
    while let Some(joined) = measuring.join_next().await {
        for (during, round_trip) in joined.unwrap() {
            match during {
                Phase::Baseline => baseline.push(round_trip),
                Phase::Flood => flooded.push(round_trip),
                Phase::Done => {}
            }
        }
    }

    // The flooder flooded, and was limited as the policy says on every connection the
    // hub cut.
    let sent: usize = flood.connections.iter().map(|cut| cut.sent).sum();
    let rate = sent as f64 / flood.lasted.as_secs_f64();
    assert!(
        rate >= 1_000.0,
        "the flood reached only {rate:.0} messages/s"
    );
    let cut: Vec<&Flooded> = flood
        .connections
        .iter()
        .filter(|connection| connection.closed.is_some())
        .collect();
    assert!(!cut.is_empty(), "the hub never cut the flooder off");
    for connection in &cut {
        let code = connection.closed.unwrap();
        assert_eq!(
            code,
            close::RATE_LIMIT,
            "the flooder closed with {code}: {connection:?}"
        );
        assert!(
            connection.limited >= policy.rate_strikes,
            "closed after {} rate_limited errors, the policy allows {}",
            connection.limited,
            policy.rate_strikes
        );
        let allowed = f64::from(policy.message_burst)
            + f64::from(policy.messages_per_second) * connection.lasted.as_secs_f64();
        assert!(
            connection.served as f64 <= allowed + 1.0,
            "the hub served {} of the flooder's messages in {:?}; the policy allows {allowed:.0}",
            connection.served,
            connection.lasted
        );
    }
    let served: usize = flood.connections.iter().map(|cut| cut.served).sum();
    let limited: u32 = flood.connections.iter().map(|cut| cut.limited).sum();

    let (base_p50, base_p99) = (
        percentile(&mut baseline, 0.50),
        percentile(&mut baseline, 0.99),
    );
    let (flood_p50, flood_p99) = (
        percentile(&mut flooded, 0.50),
        percentile(&mut flooded, 0.99),
    );
    report(&format!(
        "S6: flood of {sent} messages in {:?} ({rate:.0}/s) over {} connections ({} cut with \
         4001): {served} served, {limited} rate_limited; {delegates} delegates' round trips \
         (ping and a refused command): baseline n={} p50 {base_p50:?} p99 {base_p99:?}, \
         under the flood n={} p50 {flood_p50:?} p99 {flood_p99:?} (bound {:?})",
        flood.lasted,
        flood.connections.len(),
        cut.len(),
        baseline.len(),
        flooded.len(),
        p99_bound(base_p99),
    ));
    assert!(
        flood_p99 <= p99_bound(base_p99),
        "the others' p99 round trip rose from {base_p99:?} to {flood_p99:?} under the flood"
    );
    hub.still_serves(&tokens[0]).await;
}

/// One delegate's round trips until the run is done, each with the phase it began in:
/// a ping (the connection's own path) and a command the meeting refuses (the room's
/// path, without a write to the log), in turn.
async fn measure(
    mut connection: Connection,
    meeting: MeetingId,
    phase: watch::Receiver<Phase>,
) -> Vec<(Phase, Duration)> {
    let mut round_trips = Vec::new();
    let mut every = tokio::time::interval(ROUND_TRIP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let during = *phase.borrow();
        if during == Phase::Done {
            return round_trips;
        }
        let started = Instant::now();
        if round_trips.len() % 2 == 0 {
            connection.ping().await.unwrap();
        } else {
            match connection
                .command(&meeting, MeetingCommand::CloseMeeting)
                .await
            {
                Ok(CommandOutcome::Rejected {
                    code: RejectionCode::NotPermitted,
                    ..
                }) => {}
                other => panic!("a delegate closing the meeting: {other:?}"),
            }
        }
        round_trips.push((during, started.elapsed()));
    }
}

/// What the flooder saw on one connection.
#[derive(Debug, Default)]
struct Flooded {
    sent: usize,
    /// Pongs: messages the hub served.
    served: usize,
    limited: u32,
    /// The hub's close code; `None` for the connection the test ended.
    closed: Option<u16>,
    lasted: Duration,
}

/// The whole flood.
struct Flood {
    connections: Vec<Flooded>,
    lasted: Duration,
}

/// Floods until the phase ends, connecting again each time the hub cuts it off.
async fn flood(url: String, token: String, phase: watch::Receiver<Phase>) -> Flood {
    let started = Instant::now();
    let mut connections = Vec::new();
    while *phase.borrow() == Phase::Flood {
        let (connection, _) = Connection::connect(&url, &ConnectOptions::new(&token))
            .await
            .unwrap();
        connections.push(flood_one(connection, &phase).await);
    }
    Flood {
        connections,
        lasted: started.elapsed(),
    }
}

/// Floods one connection until the hub closes it or the phase ends.
async fn flood_one(mut connection: Connection, phase: &watch::Receiver<Phase>) -> Flooded {
    let mut seen = Flooded::default();
    let opened = Instant::now();
    let mut next_burst = tokio::time::Instant::now();
    loop {
        if *phase.borrow() != Phase::Flood {
            seen.lasted = opened.elapsed();
            return seen;
        }
        for _ in 0..BURST {
            if connection.send_ping().await.is_err() {
                // The hub has closed: its close frame is what is left to read.
                break;
            }
            seen.sent += 1;
        }
        next_burst += BURST_EVERY;
        // Reads what came back until the next burst is due.
        loop {
            let answer = tokio::time::timeout_at(next_burst, connection.next_message(WAIT)).await;
            match answer {
                Err(_) => break,
                Ok(Ok(ServerMessage::Pong { .. })) => seen.served += 1,
                Ok(Ok(ServerMessage::Error {
                    code: ErrorCode::RateLimited,
                    ..
                })) => seen.limited += 1,
                Ok(Ok(other)) => panic!("the flooder got {other:?}"),
                Ok(Err(error)) => {
                    seen.closed = Some(close_code(&error, &connection));
                    seen.lasted = opened.elapsed();
                    return seen;
                }
            }
        }
    }
}

fn close_code(error: &ClientError, connection: &Connection) -> u16 {
    error
        .close_code()
        .or_else(|| connection.closed().map(|close| close.code))
        .unwrap_or_else(|| panic!("the flooder's connection failed: {error}"))
}

/// The `fraction` percentile (nearest rank) of `samples`.
fn percentile(samples: &mut [Duration], fraction: f64) -> Duration {
    assert!(!samples.is_empty(), "no round trips measured");
    samples.sort();
    let rank = (fraction * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

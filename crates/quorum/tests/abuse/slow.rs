//! Reliability S7 through the real binary: delegates' devices that follow the meeting
//! and then stop reading while the chair edits the agenda over and over. Each is
//! disconnected as slow (4000); the devices that read get every update, in order,
//! soon after the chair's acknowledgement; the hub's memory stays within what its
//! bounded queues allow.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quorum_client::{Connection, Subscribed};
use quorum_domain::{ItemId, MeetingCommand, MeetingId};
use quorum_protocol::{ClientMessage, ServerMessage, close, encode_server};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::hub::{AbuseHub, WAIT};
use super::raw::{CONNECTING_AT_ONCE, NO_CLOSE_FRAME, RawSocket};
use super::scale::{pick, report};

/// Frames queued for one device before it counts as slow: the shipped value.
const OUTBOUND_QUEUE: u64 = 256;
/// Frames a connection takes from its queue into one write (`connection.rs`).
const WRITE_BATCH: u64 = 64;
/// What a connection gathers before handing it to the kernel (`coalesce.rs`), plus one
/// 1 KiB fragment, in KiB.
const KIB_GATHERED_PER_SOCKET: u64 = 65;
/// How long a write to a device may take (`limits.write_timeout_ms`), shortened from
/// the shipped 10 s so that the test takes seconds: a device that stops reading is
/// closed when a write to it has been stuck this long.
const WRITE_TIMEOUT: Duration = Duration::from_millis(2_000);
/// Events each meeting keeps for resumes (`limits.resume_window`), shortened from the
/// shipped 4,096: each event holds its whole description, and the window filling up
/// would be counted as the slow devices' cost.
const RESUME_WINDOW: u64 = 32;
/// A slow device's kernel receive buffer: small, so that the hub finds it full after a
/// few updates rather than after megabytes.
const SLOW_RECEIVE_BUFFER: u32 = 4 * 1024;
/// Edits before the measure, so that what the first events cost the hub whoever reads
/// them (SQLite's page caches, the allocator's arenas) is not counted as the slow
/// devices' cost.
const WARM_UP_EDITS: usize = 300;
/// What the hub may grow by whatever the number of devices, in KiB: the rest of that
/// warm-up, the outbox worker's reads of the log, the code first run in the measure.
const KIB_FIXED: u64 = 16 * 1024;
/// What the hub may grow by for each edit whoever reads it, in KiB: the allocator's
/// churn. Measured with no slow device after the warm-up: +5 MiB over 1,200 edits,
/// +15 MiB over 8,000 (under 2 KiB each, less and less). Counted per edit of the
/// measure, so that a faster machine's longer broadcast is not taken for the slow
/// devices' cost.
const KIB_PER_UPDATE: u64 = 2;

/// The bound on the hub's peak growth, in KiB, for `slow` devices sent `updates`
/// frames occupying at most `frame_kib` each. An agenda's update is encoded for each device (which
/// documents each may open is its own), so each slow device's queue holds frames of
/// its own: at most `OUTBOUND_QUEUE`, plus the batch it is stuck writing and what it
/// gathered for the kernel. The room also keeps its resume window's events.
fn memory_bound(slow: u64, updates: u64, frame_kib: u64) -> u64 {
    KIB_FIXED
        + updates * KIB_PER_UPDATE
        + RESUME_WINDOW * frame_kib
        + slow * ((OUTBOUND_QUEUE + WRITE_BATCH) * frame_kib + KIB_GATHERED_PER_SOCKET)
}

/// The item's description the chair writes each time, about 4 KiB of Vietnamese; each
/// update carries the whole agenda (three items and their documents).
fn description() -> String {
    "Tờ trình của Ủy ban nhân dân tỉnh; thảo luận và biểu quyết. ".repeat(50)
}

pub(crate) async fn run() {
    let slow_devices = pick(20, 100);
    let readers = pick(5, 10);
    // The chair's edits are the broadcast, not what is tested: no rate limit for them.
    let hub = AbuseHub::start(&format!(
        "outbound_queue = {OUTBOUND_QUEUE}\nwrite_timeout_ms = {}\nresume_window = \
         {RESUME_WINDOW}\nmessages_per_second = 10000\nmessage_burst = 10000",
        WRITE_TIMEOUT.as_millis()
    ))
    .await;
    let tokens = Arc::new(hub.delegate_tokens(30).await);
    let mut chair = Chair::start(&hub).await;

    // The readers follow the meeting and the chair warms the hub up.
    let (last_seq, _) = watch::channel(None);
    let mut reading = JoinSet::new();
    for token in tokens.iter().take(readers) {
        let mut reader = hub.connect(token).await;
        let Subscribed::Snapshot { view, .. } = reader.subscribe(&hub.meeting, None).await.unwrap()
        else {
            panic!("a subscription without since is answered with a snapshot");
        };
        reading.spawn(read_every_update(reader, view.seq, last_seq.subscribe()));
    }
    for _ in 0..WARM_UP_EDITS {
        chair.edit().await;
    }

    // The slow devices follow it too (sharing the delegates' sessions), then read no
    // more while the chair edits until every one of them is gone.
    let slow = follow_and_stop_reading(&hub, &tokens, slow_devices).await;
    let others = readers + 1;
    hub.connections_settle(others + slow_devices, WAIT).await;
    let start = hub.memory.start_measure();
    let broadcasting = Instant::now();
    let edits_before = chair.edits;
    loop {
        chair.edit().await;
        if chair.edits % 16 == 0 && hub.metric("quorum_connections").await == others as f64 {
            break;
        }
        // A guard against a hub that never cuts them: how soon it does depends on how
        // fast the chair fills the kernel's buffers and the queues on a shared machine.
        assert!(
            broadcasting.elapsed() < WRITE_TIMEOUT + 2 * WAIT,
            "slow devices still connected after {} updates in {:?}",
            chair.edits - edits_before,
            broadcasting.elapsed()
        );
    }
    let all_cut_in = broadcasting.elapsed();
    let updates_until_cut = chair.edits - edits_before;
    // A few more, which the readers must get too.
    for _ in 0..8 {
        chair.edit().await;
    }
    let growth = hub.memory.growth_since(start);
    let measured_updates = (chair.edits - edits_before) as u64;
    last_seq.send_replace(chair.acked_at.keys().copied().max());

    // Every reader got every update, in order, and soon.
    let (mut delays, mut largest_update) = (Vec::new(), 0);
    while let Some(joined) = reading.join_next().await {
        let (arrivals, largest) = joined.unwrap();
        largest_update = largest_update.max(largest);
        for (seq, received_at) in arrivals {
            if let Some(acked) = chair.acked_at.get(&seq) {
                delays.push(received_at.saturating_duration_since(*acked));
            }
        }
    }
    assert_eq!(
        delays.len(),
        readers * chair.edits,
        "every reader got every edit"
    );
    delays.sort();
    let p99 = delays[(delays.len() * 99).div_ceil(100) - 1];
    let slowest = delays[delays.len() - 1];

    // Every slow device finds its connection ended: with 4000 once it reads again, or
    // without a close frame if the hub gave up on sending it.
    let mut codes: HashMap<u16, usize> = HashMap::new();
    for mut device in slow {
        let code = device.close_code(WAIT).await;
        assert!(
            code == close::SLOW_CONSUMER || code == NO_CLOSE_FRAME,
            "a slow device was closed with {code}"
        );
        *codes.entry(code).or_default() += 1;
    }
    let closed_as_slow = hub
        .metric(r#"quorum_connections_closed_total{code="4000"}"#)
        .await;
    let slow_counted = hub.metric("quorum_slow_disconnects_total").await;
    // What a frame occupies: serde_json's buffer doubles from 128 bytes as it writes,
    // and the frame keeps that buffer, so up to the next power of two of its length.
    let frame_kib = (largest_update.next_power_of_two() as u64).div_ceil(1024);
    let bound = memory_bound(slow_devices as u64, measured_updates, frame_kib);
    report(&format!(
        "S7: {slow_devices} slow devices all cut after {updates_until_cut} updates of up to \
         {largest_update} bytes ({frame_kib} KiB allocated) in {all_cut_in:?} (write timeout {WRITE_TIMEOUT:?}, queue \
         {OUTBOUND_QUEUE}); their close codes {codes:?}; the hub closed {closed_as_slow} with \
         4000 (quorum_slow_disconnects_total {slow_counted}); {readers} readers got all {} \
         updates, delay after the chair's ack p99 {p99:?} max {slowest:?}; hub peak \
         +{growth} KiB over {measured_updates} updates (bound {bound} KiB), resident before \
         {} KiB",
        chair.edits, start.rss_kib
    ));
    assert_eq!(
        closed_as_slow, slow_devices as f64,
        "the hub closed every slow device as slow (4000)"
    );
    assert!(
        slowest < Duration::from_millis(500),
        "a reader got an update {slowest:?} after the chair's acknowledgement"
    );
    assert!(
        growth <= bound,
        "{slow_devices} slow devices grew the hub's peak by {growth} KiB, over the bound of \
         {bound} KiB"
    );
    hub.still_serves(&tokens[0]).await;
}

/// The chair's console, editing the first item of the agenda.
struct Chair {
    connection: Connection,
    meeting: MeetingId,
    item: ItemId,
    description: String,
    edits: usize,
    /// When each sequence number was acknowledged.
    acked_at: HashMap<u64, Instant>,
}

impl Chair {
    async fn start(hub: &AbuseHub) -> Chair {
        Chair {
            connection: hub.connect(&hub.chair_token().await).await,
            meeting: hub.meeting.clone(),
            item: ItemId::new("nd-1").unwrap(),
            description: description(),
            edits: 0,
            acked_at: HashMap::new(),
        }
    }

    /// One edit, acknowledged.
    async fn edit(&mut self) {
        let command = MeetingCommand::UpdateItem {
            item: self.item.clone(),
            title: format!(
                "Kế hoạch phòng, chống thiên tai năm 2027 (bản {})",
                self.edits
            ),
            description: self.description.clone(),
        };
        let outcome = self
            .connection
            .command(&self.meeting, command)
            .await
            .unwrap();
        let seq = outcome
            .acked_seq()
            .unwrap_or_else(|| panic!("the chair's edit was not accepted: {outcome:?}"));
        self.acked_at.insert(seq, Instant::now());
        self.edits += 1;
    }
}

/// `count` devices with a small receive buffer, each signed in and following the
/// meeting (read until its snapshot), then never read again.
async fn follow_and_stop_reading(
    hub: &AbuseHub,
    tokens: &Arc<Vec<String>>,
    count: usize,
) -> Vec<RawSocket> {
    let pace = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let mut subscribing = JoinSet::new();
    for index in 0..count {
        let (tokens, pace) = (Arc::clone(tokens), Arc::clone(&pace));
        let (address, meeting) = (hub.address, hub.meeting.clone());
        subscribing.spawn(async move {
            let _turn = pace.acquire().await.unwrap();
            let mut device = RawSocket::open(address, Some(SLOW_RECEIVE_BUFFER))
                .await
                .unwrap();
            device.hello(&tokens[index % tokens.len()]).await.unwrap();
            let subscribe = quorum_protocol::encode_client(&ClientMessage::Subscribe {
                meeting,
                since: None,
            })
            .unwrap();
            device.send_text(&subscribe).await.unwrap();
            while !device
                .next_text()
                .await
                .unwrap()
                .starts_with(r#"{"type":"snapshot""#)
            {}
            device
        });
    }
    let mut devices = Vec::new();
    while let Some(joined) = subscribing.join_next().await {
        devices.push(joined.unwrap());
    }
    devices
}

/// Reads updates until `last_seq` is known and reached, checking that each follows the
/// one before; returns when each sequence number arrived, and the largest update's
/// size as the hub encodes it.
async fn read_every_update(
    mut reader: Connection,
    snapshot_seq: u64,
    mut last_seq: watch::Receiver<Option<u64>>,
) -> (Vec<(u64, Instant)>, usize) {
    let mut seen = snapshot_seq;
    let (mut arrivals, mut largest) = (Vec::new(), 0);
    loop {
        if last_seq.borrow().is_some_and(|last| seen >= last) {
            return (arrivals, largest);
        }
        tokio::select! {
            message = reader.next_message(WAIT) => {
                let message = message.unwrap();
                if let ServerMessage::Update { first_seq, seq, .. } = &message {
                    assert_eq!(*first_seq, seen + 1, "a reader's update skips or repeats events");
                    seen = *seq;
                    arrivals.push((seen, Instant::now()));
                    largest = largest.max(encode_server(&message).unwrap().len());
                }
            }
            changed = last_seq.changed() => changed.unwrap(),
        }
    }
}

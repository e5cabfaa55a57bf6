//! Reliability S5 through the real binary: devices sending messages several times the
//! size limit are each closed with 1009, all at once, whether signed in or not and
//! whether the message fits under the frame ceiling or not; the hub's memory grows by
//! at most what the limits let one such socket hold, times their number.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quorum_protocol::close;
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;

use super::hub::{AbuseHub, WAIT};
use super::raw::{CONNECTING_AT_ONCE, RawSocket};
use super::scale::{pick, report};

/// The message limit the test configures (`limits.max_message_bytes`).
const LIMIT: usize = 16 * 1024;
/// The frame ceiling the hub gives tungstenite: the limit plus 64 KiB
/// (`connection/handshake.rs`), so that a message a little over the limit is read and
/// answered with 1009 by the hub rather than cut off.
const CEILING: usize = LIMIT + 64 * 1024;
/// Signed-in devices send four times the limit: under the ceiling, so the hub reads
/// each message whole before refusing it, the costliest case.
const UNDER_CEILING: usize = 4 * LIMIT;
/// Devices that never said hello announce sixty-four times the limit (1 MiB): over the
/// ceiling, so the hub must refuse the frame from its header, before its payload.
const OVER_CEILING: usize = 64 * LIMIT;
/// A ping, padded with spaces to the message's size: without the size limit the hub
/// would answer it.
const PING: &str = r#"{"type":"ping","nonce":7}"#;

/// What one oversize socket may cost the hub, in KiB: tungstenite holds at most the
/// frame ceiling of payload before it refuses (80 KiB here), in a buffer that grows by
/// doubling, so up to twice that; plus the socket's own cost before the message (see
/// the silent sockets' bound, 32 KiB).
const KIB_PER_OVERSIZE_SOCKET: u64 = (2 * CEILING as u64) / 1024 + 32;
/// What the hub may grow by whatever the number of sockets, in KiB (as for the silent
/// sockets).
const KIB_FIXED: u64 = 8 * 1024;

pub(crate) async fn run() {
    let devices = pick(200, 1_000);
    let hub = AbuseHub::start(&format!("max_message_bytes = {LIMIT}")).await;
    let tokens = Arc::new(hub.delegate_tokens(30).await);
    let chair = hub.chair_token().await;
    hub.still_serves(&chair).await;
    hub.connections_settle(0, WAIT).await;

    let start = hub.memory.start_measure();
    // Every device is connected (half of them signed in) before any sends its message,
    // so that the hub holds all of them at once.
    let ready = Arc::new(Barrier::new(devices + 1));
    let pace = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let mut oversize = JoinSet::new();
    for index in 0..devices {
        let ready = Arc::clone(&ready);
        let tokens = Arc::clone(&tokens);
        let pace = Arc::clone(&pace);
        let address = hub.address;
        oversize.spawn(async move {
            let mut socket = RawSocket::open_paced(address, &pace).await;
            let signed_in = index % 2 == 0;
            if signed_in {
                socket.hello(&tokens[index % tokens.len()]).await.unwrap();
            }
            ready.wait().await;
            let size = if signed_in {
                UNDER_CEILING
            } else {
                OVER_CEILING
            };
            let sending = Instant::now();
            let code = socket.send_oversize(PING, size, WAIT).await;
            (signed_in, code, sending.elapsed())
        });
    }
    let connecting = Instant::now();
    ready.wait().await;
    let connected_in = connecting.elapsed();
    let mut slowest = Duration::ZERO;
    while let Some(joined) = oversize.join_next().await {
        let (signed_in, code, answered_in) = joined.unwrap();
        let kind = if signed_in {
            "a signed-in device's 64 KiB message"
        } else {
            "a device's 1 MiB frame before hello"
        };
        assert_eq!(code, close::TOO_BIG, "{kind} is closed with 1009");
        slowest = slowest.max(answered_in);
    }
    let growth = hub.memory.growth_since(start);
    let bound = KIB_FIXED + devices as u64 * KIB_PER_OVERSIZE_SOCKET;
    report(&format!(
        "S5: {devices} oversize devices ({} signed in sending {} KiB, {} before hello \
         announcing {} KiB; limit {} KiB), connected in {connected_in:?}, all closed with \
         1009 within {slowest:?}; hub peak +{growth} KiB ({} KiB per device; bound {bound} \
         KiB), resident before {} KiB",
        devices.div_ceil(2),
        UNDER_CEILING / 1024,
        devices / 2,
        OVER_CEILING / 1024,
        LIMIT / 1024,
        growth / devices as u64,
        start.rss_kib
    ));
    assert!(
        growth <= bound,
        "{devices} oversize devices grew the hub's peak by {growth} KiB, over the bound of \
         {bound} KiB"
    );
    assert_eq!(
        hub.metric(r#"quorum_connections_closed_total{code="1009"}"#)
            .await,
        devices as f64,
        "the hub counts every oversize device as closed with 1009"
    );

    hub.connections_settle(0, WAIT).await;
    hub.still_serves(&chair).await;
}

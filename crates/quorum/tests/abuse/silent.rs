//! Reliability S4 through the real binary: sockets that open a WebSocket and never say
//! `hello` are each closed with 1008 at the hello deadline, all of them open at once
//! cost the hub a small, stated amount of memory each, and the hub goes on serving.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quorum_protocol::close;
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;

use super::hub::{AbuseHub, WAIT};
use super::raw::{CONNECTING_AT_ONCE, RawSocket};
use super::scale::{pick, report};

/// The hello deadline the test configures: long enough for every socket to be open
/// before the first one's deadline passes, so that the peak holds all of them.
const DEADLINE: Duration = Duration::from_millis(2_000);

/// What one socket that never says hello may cost the hub, in KiB. Before `hello` a
/// connection holds its task and future, tungstenite's read buffer
/// (`limits.read_buffer_bytes`, 1 KiB), what hyper's HTTP/1 reader (an 8 KiB buffer)
/// hands over with the upgrade, its outbound queue's first block and the kernel
/// socket's file: about 16 KiB. The bound allows twice that for the allocator's
/// rounding and the arenas of the runtime's threads.
const KIB_PER_SILENT_SOCKET: u64 = 32;
/// What the hub may grow by whatever the number of sockets, in KiB: the runtime's
/// timer wheel and task slab growing to hold them, and the allocator's first arenas.
const KIB_FIXED: u64 = 8 * 1024;

pub(crate) async fn run() {
    let sockets = pick(200, 1_000);
    let deadline_ms = DEADLINE.as_millis();
    let hub = AbuseHub::start(&format!("hello_deadline_ms = {deadline_ms}")).await;
    let token = hub.chair_token().await;
    // One ordinary device first, so that what any first connection allocates once is
    // not counted as the silent sockets' cost.
    hub.still_serves(&token).await;
    hub.connections_settle(0, WAIT).await;

    let start = hub.memory.start_measure();
    let all_open = Arc::new(Barrier::new(sockets + 1));
    let pace = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let mut silent = JoinSet::new();
    let opening = Instant::now();
    for _ in 0..sockets {
        let all_open = Arc::clone(&all_open);
        let pace = Arc::clone(&pace);
        let address = hub.address;
        silent.spawn(async move {
            // Timed from before the connection: the hub's deadline starts later, once
            // it has upgraded the socket, so no socket may be closed sooner than it.
            let turn = pace.acquire().await.unwrap();
            let connecting = Instant::now();
            let mut socket = RawSocket::open(address, None).await.unwrap();
            drop(turn);
            all_open.wait().await;
            let code = socket.close_code(DEADLINE + WAIT).await;
            (code, connecting.elapsed())
        });
    }
    all_open.wait().await;
    let opened_in = opening.elapsed();
    // The hub counts a socket once its task runs, a moment after the upgrade answer.
    hub.connections_settle(sockets, DEADLINE).await;
    let open_at_once = opening.elapsed();
    assert!(
        open_at_once < DEADLINE,
        "the hub held all {sockets} sockets only after {open_at_once:?}, later than the \
         hello deadline"
    );

    let mut closed_after = Vec::new();
    while let Some(joined) = silent.join_next().await {
        let (code, waited) = joined.unwrap();
        assert_eq!(code, close::POLICY, "a silent socket is closed with 1008");
        closed_after.push(waited);
    }
    let growth = hub.memory.growth_since(start);
    closed_after.sort();
    let (first, last) = (closed_after[0], closed_after[closed_after.len() - 1]);
    assert!(
        first >= DEADLINE,
        "a silent socket was closed after {first:?}, before the {DEADLINE:?} deadline"
    );
    assert!(
        last < DEADLINE + Duration::from_secs(2),
        "a silent socket was closed only after {last:?}; the deadline is {DEADLINE:?}"
    );
    let bound = KIB_FIXED + sockets as u64 * KIB_PER_SILENT_SOCKET;
    report(&format!(
        "S4: {sockets} silent sockets, all open after {opened_in:?}; closed with 1008 after \
         {first:?}..{last:?} (deadline {DEADLINE:?}); hub peak +{growth} KiB \
         ({} KiB per socket; bound {bound} KiB), resident before {} KiB",
        growth / sockets as u64,
        start.rss_kib
    ));
    assert!(
        growth <= bound,
        "{sockets} silent sockets grew the hub's peak by {growth} KiB, over the bound of \
         {bound} KiB"
    );

    hub.connections_settle(0, WAIT).await;
    hub.still_serves(&token).await;
}

//! Reliability S4–S7 at scale through the real `quorum serve` binary, with the hub's
//! memory read from `/proc`: sockets that never say hello, oversize messages, a flood,
//! and devices that stop reading during a broadcast. A small but real number of devices
//! in the ordinary test command; the reliability document's figures with
//! `QUORUM_FULL_SCALE=1` (`-- --nocapture` prints them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/abuse/`.
mod abuse {
    pub(crate) mod flood;
    pub(crate) mod hub;
    pub(crate) mod memory;
    pub(crate) mod oversize;
    pub(crate) mod raw;
    pub(crate) mod scale;
    pub(crate) mod silent;
    pub(crate) mod slow;
}

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/server.rs"]
mod server;

use tokio::sync::Mutex;

/// One test at a time: each measures a hub's memory or latency, and a neighbour's
/// load on the two cores would blur it.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// S4: sockets that never authenticate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_never_say_hello_are_closed_at_the_deadline_and_cost_little() {
    let _turn = ONE_AT_A_TIME.lock().await;
    abuse::silent::run().await;
}

/// S5: messages over the size limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_messages_are_closed_with_1009_and_cost_at_most_the_frame_ceiling() {
    let _turn = ONE_AT_A_TIME.lock().await;
    abuse::oversize::run().await;
}

/// S6: one client flooding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_is_limited_per_policy_and_the_others_round_trips_hold() {
    let _turn = ONE_AT_A_TIME.lock().await;
    abuse::flood::run().await;
}

/// S7: devices that stop reading during a broadcast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_that_stop_reading_are_cut_as_slow_and_readers_get_every_update() {
    let _turn = ONE_AT_A_TIME.lock().await;
    abuse::slow::run().await;
}

//! The cluster mode's "Done when" (issue 6): three `quorum serve` nodes, separate
//! processes on one PostgreSQL and one Redis, with hundreds of devices spread over them
//! voting at once; then the same under each fault (a node SIGKILLed, the Redis
//! subscribers cut 20 times, Redis restarted, PostgreSQL restarted), and 1,000 ballots
//! racing 50 closes; and the embedded hub (one node on SQLite) killed and restarted
//! again and again during a vote. The tests run one at a time: each loads the machine
//! fully. Every ballot sent goes into a history, checked against the final state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/cluster/`.
mod cluster {
    pub(crate) mod crowd;
    pub(crate) mod cuts;
    pub(crate) mod device;
    pub(crate) mod fault;
    pub(crate) mod follower;
    pub(crate) mod history;
    pub(crate) mod kills;
    pub(crate) mod meeting;
    pub(crate) mod presence;
    pub(crate) mod race;
    pub(crate) mod report;
    pub(crate) mod scenario;
}

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/node.rs"]
mod node;

use cluster::fault::{Fault, Hub};
use tokio::sync::Mutex;

/// One test at a time: three nodes and hundreds of devices take both cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_three_hundred_devices() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::scenario::run(Fault::None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::scenario::run(Fault::KillNode).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_subscribers_cut_twenty_times_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::scenario::run(Fault::CutSubscribers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::scenario::run(Fault::RestartRedis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::scenario::run(Fault::RestartPostgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_race_closes() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::race::run(Hub::Cluster, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_race_closes_on_the_embedded_hub() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::race::run(Hub::Embedded, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedded_hub_killed_again_and_again_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::kills::run(Hub::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_cut_off_again_and_again_resume_without_a_gap() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::cuts::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_nodes_killed_again_and_again_mid_burst() {
    let _turn = ONE_AT_A_TIME.lock().await;
    cluster::kills::run(Hub::Cluster).await;
}

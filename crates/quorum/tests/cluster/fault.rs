//! The faults of the "Done when", each on the backends it needs (a private
//! Redis to cut or restart, a private PostgreSQL to restart), injected once the burst
//! has reached a given number of acknowledged ballots; `/readyz` is watched while a
//! backend is down.

use std::time::Duration;

use quorum_testkit::postgres::{FreshDatabase, PrivatePostgres};
use quorum_testkit::redis::{PrivateRedis, fresh_prefix, machine_url};
use tokio::sync::watch;
use tokio::time::{Instant, sleep};

use crate::node::{Backends, Cluster};

/// How many times the Redis subscribers are cut.
const CUTS: usize = 20;
/// The pause after a cut, before waiting for the nodes to subscribe again.
const CUT_EVERY: Duration = Duration::from_millis(20);
/// How long the nodes may take to subscribe again after a cut.
const RESUBSCRIBE_LIMIT: Duration = Duration::from_secs(5);
/// The least time a restarted backend stays down.
const DOWN_AT_LEAST: Duration = Duration::from_millis(500);
/// How long a node may take to say, on `/readyz`, that a backend is down or back.
const READINESS_LIMIT: Duration = Duration::from_secs(10);

/// Where a scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hub {
    /// Three nodes on a fresh PostgreSQL database and the machine's Redis.
    Cluster,
    /// One node on SQLite.
    Embedded,
}

impl Hub {
    /// The backends (to keep until the nodes are gone) and the nodes, not started.
    pub(crate) async fn configure(self) -> (Option<Stores>, Cluster) {
        match self {
            Hub::Cluster => {
                let stores = Stores::for_fault(Fault::None).await;
                let cluster = Cluster::configure(&stores.backends, 3);
                (Some(stores), cluster)
            }
            Hub::Embedded => (None, Cluster::embedded("")),
        }
    }
}

/// What goes wrong during the burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Nothing.
    None,
    /// The second node is killed with SIGKILL; its devices move to another node.
    KillNode,
    /// The nodes' Redis subscriber connections are cut 20 times (`CLIENT KILL`).
    CutSubscribers,
    /// The (private) Redis is killed and started again on its port.
    RestartRedis,
    /// The (private) PostgreSQL is killed and started again on its port.
    RestartPostgres,
}

impl Fault {
    /// How the ballots of the burst are spread in time: at once without a fault, and
    /// when a node is killed (so that the kill catches ballots in flight, which must be
    /// sent again elsewhere); over two seconds for the backends' faults, so that they
    /// land while ballots still arrive.
    pub(crate) fn spread(self) -> Duration {
        match self {
            Fault::None | Fault::KillNode => Duration::ZERO,
            Fault::CutSubscribers | Fault::RestartRedis | Fault::RestartPostgres => {
                Duration::from_secs(2)
            }
        }
    }

    /// The share of the ballots acknowledged before the fault strikes (in percent).
    /// Early for the kill: the burst is sent at once and a node commits in groups, so
    /// only an early kill finds the node's ballots in flight (some committed, their
    /// acknowledgement never sent).
    fn strikes_at_percent(self) -> usize {
        match self {
            Fault::KillNode => 3,
            Fault::CutSubscribers => 5,
            Fault::None | Fault::RestartRedis | Fault::RestartPostgres => 25,
        }
    }
}

/// The PostgreSQL and Redis of one test, and the private servers a fault needs.
#[derive(Debug)]
pub(crate) struct Stores {
    pub(crate) backends: Backends,
    // Held for their Drop: the database is dropped, the servers killed, at the end.
    _database: Option<FreshDatabase>,
    postgres: Option<PrivatePostgres>,
    redis: Option<PrivateRedis>,
}

impl Stores {
    /// A fresh database on the machine's PostgreSQL and a fresh prefix on its Redis,
    /// except for the backend the fault restarts or cuts, which is private.
    pub(crate) async fn for_fault(fault: Fault) -> Stores {
        let prefix = fresh_prefix();
        let (database, postgres) = if fault == Fault::RestartPostgres {
            (None, Some(PrivatePostgres::start().await))
        } else {
            (Some(FreshDatabase::create().await), None)
        };
        let redis = if matches!(fault, Fault::CutSubscribers | Fault::RestartRedis) {
            Some(PrivateRedis::start().await)
        } else {
            None
        };
        let backends = Backends {
            postgres: match (&database, &postgres) {
                (Some(database), _) => database.url(),
                (None, Some(postgres)) => postgres.url(),
                (None, None) => unreachable!("one of them is made above"),
            },
            redis: redis.as_ref().map_or_else(machine_url, PrivateRedis::url),
            prefix,
        };
        Stores {
            backends,
            _database: database,
            postgres,
            redis,
        }
    }
}

/// What the fault did, and what went against the promises while it did.
#[derive(Debug, Default)]
pub(crate) struct FaultLog {
    pub(crate) events: Vec<String>,
    pub(crate) violations: Vec<String>,
}

impl FaultLog {
    fn event(&mut self, since: Instant, what: String) {
        self.events
            .push(format!("{:>6.2} s  {what}", since.elapsed().as_secs_f64()));
    }
}

/// Waits until `total * percent / 100` ballots are acknowledged, then strikes.
pub(crate) async fn inject(
    fault: Fault,
    cluster: &mut Cluster,
    stores: &mut Stores,
    mut acked: watch::Receiver<usize>,
    total: usize,
) -> FaultLog {
    let mut log = FaultLog::default();
    if fault == Fault::None {
        return log;
    }
    let threshold = (total * fault.strikes_at_percent() / 100).max(1);
    let started = Instant::now();
    if acked.wait_for(|acked| *acked >= threshold).await.is_err() {
        log.violations
            .push(format!("the burst ended before {threshold} acks"));
        return log;
    }
    log.event(
        started,
        format!("{threshold} ballots acknowledged: {fault:?}"),
    );
    match fault {
        Fault::None => {}
        Fault::KillNode => {
            let node = &mut cluster.nodes[1];
            node.kill();
            log.event(started, format!("{} killed with SIGKILL", node.name));
        }
        Fault::CutSubscribers => {
            let redis = stores.redis.as_ref().expect("a private Redis");
            let mut cut = 0;
            for round in 1..=CUTS {
                // Each cut waits for the nodes to have subscribed again, so that every
                // one of the 20 cuts something.
                let waiting = Instant::now();
                while redis.pubsub_clients().await < cluster.nodes.len()
                    && waiting.elapsed() < RESUBSCRIBE_LIMIT
                {
                    sleep(Duration::from_millis(5)).await;
                }
                let now = redis.client_kill_pubsub().await;
                cut += now;
                log.event(
                    started,
                    format!(
                        "cut {round}: {now} subscriber connections (resubscribed within {} ms)",
                        waiting.elapsed().as_millis()
                    ),
                );
                if now == 0 {
                    log.violations.push(format!(
                        "cut {round}: no subscriber {RESUBSCRIBE_LIMIT:?} after the last cut"
                    ));
                }
                sleep(CUT_EVERY).await;
            }
            log.event(started, format!("{cut} subscriber connections cut in all"));
        }
        Fault::RestartRedis => {
            let redis = stores.redis.as_mut().expect("a private Redis");
            redis.kill().await;
            let down = Instant::now();
            log.event(started, "Redis killed".to_owned());
            watch_readiness(cluster, &mut log, started, false).await;
            sleep(DOWN_AT_LEAST.saturating_sub(down.elapsed())).await;
            redis.restart().await;
            log.event(started, "Redis started again on its port".to_owned());
            watch_readiness(cluster, &mut log, started, true).await;
        }
        Fault::RestartPostgres => {
            let postgres = stores.postgres.as_mut().expect("a private PostgreSQL");
            postgres.kill().await;
            let down = Instant::now();
            log.event(started, "PostgreSQL killed with SIGKILL".to_owned());
            watch_readiness(cluster, &mut log, started, false).await;
            sleep(DOWN_AT_LEAST.saturating_sub(down.elapsed())).await;
            postgres.restart().await;
            log.event(
                started,
                "PostgreSQL started again (crash recovery)".to_owned(),
            );
            watch_readiness(cluster, &mut log, started, true).await;
        }
    }
    log
}

/// Waits until every running node's `/readyz` says the backends are all reachable
/// (`healthy`) or not; a node that does not within the limit is a violation. PostgreSQL
/// down is a 503 saying `"store":"down"`; Redis down is a 200 saying
/// `"fanout":"down","degraded":true` (the node still serves, polling the log, so a
/// load balancer must not take every node out at once).
async fn watch_readiness(
    cluster: &mut Cluster,
    log: &mut FaultLog,
    started: Instant,
    healthy: bool,
) {
    let asked = Instant::now();
    for node in &mut cluster.nodes {
        if !node.is_running() {
            continue;
        }
        loop {
            let (status, body) = node.readiness().await;
            let said = serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default();
            let store_down = status == 503 && said["store"] == "down";
            let fanout_down = status == 200 && said["fanout"] == "down" && said["degraded"] == true;
            let up = status == 200
                && said["ready"] == true
                && said["store"] == "ok"
                && said["fanout"] == "ok";
            let as_expected = if healthy {
                up
            } else {
                store_down || fanout_down
            };
            if as_expected {
                log.event(
                    started,
                    format!(
                        "{} /readyz {status} after {} ms: {}",
                        node.name,
                        asked.elapsed().as_millis(),
                        body.chars().take(160).collect::<String>()
                    ),
                );
                break;
            }
            if asked.elapsed() > READINESS_LIMIT {
                log.violations.push(format!(
                    "{} /readyz still {status} {READINESS_LIMIT:?} after the backend went {}: {body}",
                    node.name,
                    if healthy { "back" } else { "down" }
                ));
                break;
            }
            sleep(Duration::from_millis(25)).await;
        }
    }
}

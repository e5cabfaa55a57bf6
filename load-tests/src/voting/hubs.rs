//! The hubs under test: one embedded `quorum serve --demo`, or a cluster of nodes on a
//! fresh PostgreSQL database and a fresh Redis key prefix (the first node seeds the
//! demo, whose secretary account prepares the run's meetings).

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;
use serde::Serialize;

use crate::hub_process::{HubProcess, STARTED_HUB_ENV};
use crate::sample::ProcessSample;

/// Where the cluster's stores are.
#[derive(Debug, Clone)]
pub(crate) struct ClusterStores {
    /// A libpq connection string to a database where this run may create another.
    pub(crate) postgres: String,
    /// The Redis URL.
    pub(crate) redis: String,
}

/// The started hubs.
#[derive(Debug)]
pub(crate) struct Hubs {
    pub(crate) nodes: Vec<HubProcess>,
    /// The cluster's database, dropped at the end.
    database: Option<(String, String)>,
    pub(crate) info: HubsInfo,
}

/// How the hubs were started, for the result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HubsInfo {
    pub(crate) binary: PathBuf,
    /// Settings given through the environment (the cluster's per node are not listed).
    pub(crate) env: Vec<String>,
    /// PostgreSQL database and Redis prefix, for a cluster.
    pub(crate) database: Option<String>,
    pub(crate) redis_prefix: Option<String>,
}

/// The hubs' resource use: summed CPU and the largest peak.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Usage {
    pub(crate) cpu_seconds: f64,
    pub(crate) rss_bytes: u64,
    pub(crate) peak_rss_bytes: u64,
}

impl Hubs {
    /// Starts one hub, or `nodes` cluster nodes on `stores`.
    pub(crate) async fn start(
        binary: PathBuf,
        extra_env: &[(String, String)],
        nodes: usize,
        stores: Option<&ClusterStores>,
    ) -> anyhow::Result<Hubs> {
        let mut env: Vec<(String, String)> = STARTED_HUB_ENV
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        env.extend(extra_env.iter().cloned());
        let listed = env
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let Some(stores) = stores.filter(|_| nodes > 1) else {
            let hub = HubProcess::start(&binary, extra_env).await?;
            return Ok(Hubs {
                nodes: vec![hub],
                database: None,
                info: HubsInfo {
                    binary,
                    env: listed,
                    database: None,
                    redis_prefix: None,
                },
            });
        };
        let name = format!(
            "quorum_load_{}_{}",
            std::process::id(),
            crate::devices::unix_micros()
        );
        psql(&stores.postgres, &format!("CREATE DATABASE {name}"))?;
        let prefix = name.replace('_', "-");
        let database = format!("{} dbname={name}", without_dbname(&stores.postgres));
        let mut hubs = Hubs {
            nodes: Vec::with_capacity(nodes),
            database: Some((stores.postgres.clone(), name.clone())),
            info: HubsInfo {
                binary: binary.clone(),
                env: listed,
                database: Some(name),
                redis_prefix: Some(prefix.clone()),
            },
        };
        for index in 1..=nodes {
            let mut node_env = extra_env.to_vec();
            node_env.extend([
                ("QUORUM_STORE__BACKEND".to_owned(), "postgres".to_owned()),
                ("QUORUM_STORE__POSTGRES".to_owned(), database.clone()),
                (
                    "QUORUM_DOCUMENTS__STORAGE".to_owned(),
                    "postgres".to_owned(),
                ),
                ("QUORUM_CLUSTER__NODE".to_owned(), format!("n{index}")),
                ("QUORUM_CLUSTER__REDIS".to_owned(), stores.redis.clone()),
                ("QUORUM_CLUSTER__PREFIX".to_owned(), prefix.clone()),
            ]);
            match HubProcess::start_node(&binary, &node_env, index == 1).await {
                Ok(node) => hubs.nodes.push(node),
                Err(error) => {
                    hubs.stop().await?;
                    return Err(error.context(format!("cannot start cluster node n{index}")));
                }
            }
        }
        Ok(hubs)
    }

    /// The first node, which has the demo.
    pub(crate) fn first(&self) -> anyhow::Result<&HubProcess> {
        self.nodes.first().context("no hub")
    }

    /// Every node's WebSocket address.
    pub(crate) fn ws_urls(&self) -> Vec<String> {
        self.nodes.iter().map(|node| node.ws_url.clone()).collect()
    }

    /// Every node's HTTP address.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|node| node.url.clone()).collect()
    }

    /// The nodes' CPU (summed) and memory (the largest) now.
    pub(crate) fn usage(&self) -> anyhow::Result<Usage> {
        let mut usage = Usage::default();
        for node in &self.nodes {
            let sample = ProcessSample::read(node.pid)?;
            usage.cpu_seconds += sample.cpu.as_secs_f64();
            usage.rss_bytes = usage.rss_bytes.max(sample.rss_bytes);
            usage.peak_rss_bytes = usage
                .peak_rss_bytes
                .max(sample.rss_peak_bytes.unwrap_or(sample.rss_bytes));
        }
        Ok(usage)
    }

    /// The end of every started node's log, to explain a failure.
    pub(crate) fn logs(&self) -> String {
        let mut text = String::new();
        for node in &self.nodes {
            if let Some(path) = node.log_path() {
                let log = std::fs::read_to_string(&path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(20).collect();
                text.push_str(&format!("--- {} ---\n", path.display()));
                for line in tail.into_iter().rev() {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
        text
    }

    /// Stops every node and drops the cluster's database.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        for node in self.nodes {
            node.stop().await?;
        }
        if let Some((admin, name)) = self.database {
            psql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
        }
        Ok(())
    }
}

/// Runs one SQL statement with `psql`.
fn psql(connection: &str, statement: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .arg(connection)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", statement])
        .output()
        .context("cannot run psql (is the PostgreSQL client installed?)")?;
    anyhow::ensure!(
        output.status.success(),
        "psql `{statement}` failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// A libpq key-value connection string without its `dbname`.
fn without_dbname(connection: &str) -> String {
    connection
        .split_whitespace()
        .filter(|pair| !pair.starts_with("dbname="))
        .collect::<Vec<_>>()
        .join(" ")
}

//! Presence after a node is killed: within the heartbeat's lifetime, no member is
//! listed on the dead node any more, and every delegate is listed on a live one (their
//! devices moved there).

use std::time::Duration;

use quorum_client::Http;
use serde_json::Value;
use tokio::time::Instant;

use super::report::Report;
use crate::node::Cluster;

/// A killed node's heartbeat lives 10 s; allow a little more.
const WITHIN: Duration = Duration::from_secs(15);

/// Waits until a live node's presence list names no member on `dead` and lists at
/// least `delegates` members; a violation otherwise.
pub(crate) async fn check_after_kill(
    report: &mut Report,
    cluster: &mut Cluster,
    chair: &str,
    meeting: &str,
    delegates: usize,
) {
    let mut dead = None;
    let mut live = None;
    for node in &mut cluster.nodes {
        if node.is_running() {
            live.get_or_insert_with(|| node.http_url());
        } else {
            dead = Some(node.name.clone());
        }
    }
    let (Some(dead), Some(live)) = (dead, live) else {
        report.violation("no node was killed, or none is running".to_owned());
        return;
    };
    let http = Http::new(&live).unwrap();
    let path = format!("/api/meetings/{meeting}/presence");
    let started = Instant::now();
    let mut last = Value::Null;
    while started.elapsed() < WITHIN {
        if let Ok(presence) = http.get_json::<Value>(&path, Some(chair)).await {
            let members = presence["members"].as_array().cloned().unwrap_or_default();
            let on_dead = members.iter().any(|member| {
                member["nodes"]
                    .as_array()
                    .is_some_and(|nodes| nodes.iter().any(|node| node == dead.as_str()))
            });
            if !on_dead && members.len() >= delegates && presence["complete"] == true {
                report.line(format!(
                    "presence: {} members online, none on the killed {dead}, {:.1} s after the checks began",
                    members.len(),
                    started.elapsed().as_secs_f64()
                ));
                return;
            }
            last = presence;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let listed = last["members"].as_array().map_or(0, Vec::len);
    report.violation(format!(
        "presence still names the killed {dead} or misses devices after {WITHIN:?} ({listed} listed)"
    ));
}

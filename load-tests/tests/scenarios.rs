//! Every meeting scenario of `quorum-load` end to end at a small scale, against real
//! `quorum serve` processes (the cluster on the machine's PostgreSQL and Redis): they
//! assert correctness — acked = counted, no update missed, duplicated or leaked into
//! another meeting, every device at the end — not speed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

#[test]
fn assembly_counts_every_acknowledged_ballot_and_every_device_sees_it() {
    let result = run("assembly", &["--devices", "300", "--per-worker", "150"]);
    let delegates = 298;
    assert_voted(&result, delegates);
    assert_eq!(result["latency_ms"]["check_in_ack"]["count"], delegates);
}

#[test]
fn province_keeps_every_meeting_to_itself() {
    let result = run(
        "province",
        &["--meetings", "10", "--devices", "30", "--per-worker", "150"],
    );
    assert_eq!(result["meetings"], 10);
    assert_voted(&result, 10 * 28);
    assert_eq!(result["meetings_miscounted"], 0, "{result:#}");
    assert!(result["worst_meeting_tally_p99_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn fanout_delivers_every_update_to_every_device() {
    let result = run(
        "fanout",
        &["--devices", "200", "--rate", "20", "--seconds", "2"],
    );
    let published = result["updates_published"].as_u64().unwrap();
    assert!(published >= 20, "{result:#}");
    // Every device but the chair's, which sends them.
    assert_eq!(result["frames_delivered"], published * 199, "{result:#}");
    assert_eq!(result["latency_ms"]["delivered_to_all"]["count"], published);
    assert_clean(&result);
    assert!(result["server_cpu_us_per_frame"].as_f64().unwrap() > 0.0);
}

#[test]
fn reconnect_resumes_every_device_without_a_gap() {
    let result = run("reconnect", &["--devices", "200", "--per-worker", "100"]);
    assert_voted(&result, 198);
    assert_eq!(result["reconnects"], 199, "{result:#}");
    assert_eq!(result["resumed"], 199, "{result:#}");
    assert_eq!(result["latency_ms"]["resync"]["count"], 199);
    assert!(result["resync_seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn cluster_counts_every_ballot_across_three_nodes() {
    let result = run("cluster", &["--devices", "150", "--per-worker", "75"]);
    assert_eq!(result["nodes"], 3);
    assert_voted(&result, 148);
}

/// Runs `quorum-load SCENARIO ARGS --out FILE` and returns the result it wrote, which
/// must be what it printed.
fn run(scenario: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("{scenario}.json"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quorum-load"))
        .arg(scenario)
        .args(args)
        .arg("--quorum-bin")
        .arg(quorum_binary())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "quorum-load {scenario} failed:\n{stderr}"
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(printed, written);
    assert!(out.with_extension("md").exists());
    assert_eq!(written["scenario"], scenario);
    written
}

/// Every delegate's ballot was sent once, acknowledged and counted, and every device
/// saw it included.
fn assert_voted(result: &Value, delegates: u64) {
    assert_eq!(result["ballots_sent"], delegates, "{result:#}");
    assert_eq!(result["acked"], delegates, "{result:#}");
    assert_eq!(result["counted"], delegates, "{result:#}");
    assert_eq!(result["rejected"], 0, "{result:#}");
    assert_eq!(result["tally_never"], 0, "{result:#}");
    assert_eq!(result["latency_ms"]["ack"]["count"], delegates);
    assert_eq!(result["latency_ms"]["tally_visible"]["count"], delegates);
    assert!(result["ballots_per_second"].as_f64().unwrap() > 0.0);
    assert_clean(result);
}

/// No update missed, duplicated or from another meeting; every device at the end.
fn assert_clean(result: &Value) {
    for key in [
        "missed_updates",
        "duplicate_updates",
        "foreign_updates",
        "behind",
    ] {
        assert_eq!(result[key], 0, "{key}: {result:#}");
    }
    assert!(result["frames_delivered"].as_u64().unwrap() > 0);
    assert!(result["server"]["peak_rss_bytes"].as_u64().unwrap() > 0);
}

/// The `quorum` binary of this build: beside `quorum-load` once the workspace is built
/// (`cargo test --workspace` builds it); built here otherwise.
fn quorum_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let binary = Path::new(env!("CARGO_BIN_EXE_quorum-load")).with_file_name("quorum");
        if !binary.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let status = std::process::Command::new(cargo)
                .args(["build", "-p", "quorum", "--bin", "quorum"])
                .status()
                .unwrap();
            assert!(status.success(), "cannot build the quorum binary");
        }
        assert!(binary.exists(), "no {}", binary.display());
        binary
    })
}

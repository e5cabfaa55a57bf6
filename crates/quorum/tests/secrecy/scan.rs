//! What the secrecy test looks for, and where: the secrets of one secret poll (the
//! voters, their ballot ids and receipts), and the checks applied to every stored byte,
//! row, log line, metric and exported entry.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Every log line of the process, as written.
#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What must never be found together, or at all.
pub(crate) struct Secrets {
    pub(crate) voters: Vec<String>,
    pub(crate) ballots: Vec<String>,
    pub(crate) receipts: Vec<String>,
    pub(crate) poll: String,
}

impl Secrets {
    /// A ballot id with the seat tag names the seat: it is never kept.
    pub(crate) fn no_ballot_id_in(&self, text: &str, place: &str) {
        for ballot in &self.ballots {
            assert!(
                !text.contains(ballot.as_str()),
                "{place} holds ballot id {ballot}"
            );
        }
    }

    /// One row, line or entry never names a voter together with a choice of the secret
    /// poll, nor together with a receipt of it.
    pub(crate) fn no_pair_in(&self, text: &str, place: &str) {
        let Some(voter) = self
            .voters
            .iter()
            .find(|voter| text.contains(voter.as_str()))
        else {
            return;
        };
        let choice = text.contains(&self.poll) && text.contains("answers");
        assert!(!choice, "{place} pairs voter {voter} with a choice: {text}");
        if let Some(receipt) = self
            .receipts
            .iter()
            .find(|receipt| text.contains(receipt.as_str()))
        {
            panic!("{place} pairs voter {voter} with receipt {receipt}: {text}");
        }
    }

    /// The metrics name no voter, ballot or receipt at all: their labels are routes,
    /// kinds and outcomes, never people.
    pub(crate) fn nothing_in_metrics(&self, metrics: &str) {
        assert!(
            metrics.contains("quorum_"),
            "the metrics were read: {metrics}"
        );
        self.no_ballot_id_in(metrics, "the metrics");
        for secret in self.voters.iter().chain(&self.receipts) {
            assert!(
                !metrics.contains(secret.as_str()),
                "the metrics name {secret}"
            );
        }
    }

    /// Every file under `dir`, byte by byte: no ballot id. Returns the bytes scanned.
    pub(crate) fn no_ballot_id_in_files(&self, dir: &Path) -> u64 {
        let mut scanned = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scanned += self.no_ballot_id_in_files(&path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                scanned += u64::try_from(bytes.len()).unwrap();
                self.no_ballot_id_in(
                    &String::from_utf8_lossy(&bytes),
                    &path.display().to_string(),
                );
            }
        }
        scanned
    }
}

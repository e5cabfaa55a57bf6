//! Every line logged while a test runs, at every level, and the search of it for
//! secrets.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use tokio::time::Instant;
use tracing::dispatcher::{self, DefaultGuard, Dispatch};

use super::Presented;

/// Runs `run` on a runtime of its own whose every thread logs at TRACE level to a
/// buffer; returns what was logged, what `run` returned and how long it took.
pub(super) fn captured<T, F: Future<Output = T>>(run: impl FnOnce() -> F) -> (String, T, Duration) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // With a single dispatcher registered, tracing takes it for the global one and
    // caches each callsite's interest as seen from the thread that reaches it first:
    // another test's thread, which has no subscriber, would turn the callsite off for
    // this test too. A second, silent dispatcher makes tracing ask at every event.
    let _silent = Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let dispatch = Dispatch::new(subscriber);
    // The hub's tasks run on this thread, its blocking work on the runtime's threads.
    let on_start = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_start(move || {
            let guard = dispatcher::set_default(&on_start);
            CAPTURING.with(|slot| *slot.borrow_mut() = Some(guard));
        })
        .build()
        .unwrap();
    let _capturing = dispatcher::set_default(&dispatch);
    let started = Instant::now();
    let returned = runtime.block_on(run());
    let took = started.elapsed();
    drop(runtime);
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    (text, returned, took)
}

/// What no log line may hold: each token's random part, and the hex digest of the
/// token as presented and as the REST API reads it (trimmed).
pub(super) fn needles<'a>(tokens: impl Iterator<Item = &'a Presented>) -> HashSet<String> {
    let mut needles = HashSet::new();
    for token in tokens {
        if let Some(secret) = &token.secret {
            needles.insert(secret.clone());
            needles.insert(digest_hex(&token.token));
            needles.insert(digest_hex(token.token.trim()));
        }
    }
    let sample = needles.iter().next().cloned().unwrap_or_default();
    assert_eq!(
        leaked(&format!("x={sample}."), &needles),
        [&sample],
        "the search works"
    );
    needles
}

/// The needles found in `logs`. Every needle is made of URL-safe characters, so only
/// runs of those characters at least as long as the shortest needle are searched.
pub(super) fn leaked<'a>(logs: &str, needles: &'a HashSet<String>) -> Vec<&'a String> {
    let lengths: BTreeSet<usize> = needles.iter().map(String::len).collect();
    let shortest = lengths.first().copied().unwrap_or(usize::MAX);
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let runs = logs.split(|c: char| !url_safe(c));
    let mut found = Vec::new();
    for run in runs.filter(|run| run.len() >= shortest) {
        for &length in lengths.iter().take_while(|&&length| length <= run.len()) {
            let windows = (0..=run.len() - length).map(|start| &run[start..start + length]);
            found.extend(windows.filter_map(|window| needles.get(window)));
        }
    }
    found
}

fn digest_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

thread_local! {
    /// The capture, as the default subscriber of the runtime's blocking threads.
    static CAPTURING: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Everything logged, as written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

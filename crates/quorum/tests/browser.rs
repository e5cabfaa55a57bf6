//! The browser app end to end, in real headless Chromium: starts the hub with its demo
//! meeting and runs the scenarios of `crates/quorum-web/tests/browser` (Node and
//! playwright-core), which drive a chair, a projector and delegates' phones through a
//! meeting and save screenshots under `target/browser-results/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The browser the scenarios launch: Debian's, installed by `cargo xtask browser-deps`.
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long the hub may take to start.
const START: Duration = Duration::from_secs(10);
const HOW_TO_INSTALL: &str = "run `cargo xtask browser-deps` (it installs Debian's chromium and \
     runs npm ci in crates/quorum-web/tests/browser)";

#[test]
fn a_meeting_runs_in_real_browsers() {
    let scenarios = workspace().join("crates/quorum-web/tests/browser");
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: {HOW_TO_INSTALL}"
    );
    assert!(
        scenarios.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed in {}: {HOW_TO_INSTALL}",
        scenarios.display()
    );
    let results = results_dir();
    let data = tempfile::tempdir().unwrap();
    let hub = Hub::start(data.path(), &results);

    let started = Instant::now();
    let status = Command::new("node")
        .arg("run.mjs")
        .current_dir(&scenarios)
        .env("QUORUM_URL", &hub.url)
        .env("QUORUM_DEMO", data.path().join("demo.json"))
        .env("QUORUM_RESULTS", &results)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("cannot run node ({error}): {HOW_TO_INSTALL}"));
    assert!(
        status.success(),
        "the browser scenarios failed ({status}) after {:.1} s; screenshots in {}\n{}",
        started.elapsed().as_secs_f64(),
        results.display(),
        hub.log_tail()
    );
}

/// The hub on a free port with the demo meeting; killed when dropped, even on a panic.
struct Hub {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Hub {
    fn start(data: &Path, results: &Path) -> Hub {
        let port = free_port();
        let log = results.join("hub.log");
        let out = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .arg("serve")
            .arg("--demo")
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1");
        // The hub reads its settings from QUORUM_* variables: none of the caller's.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("QUORUM_") {
                command.env_remove(key);
            }
        }
        let hub = Hub {
            child: command.spawn().unwrap(),
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        hub.wait_ready(port);
        hub
    }

    /// Waits until `/readyz` answers 200, which the hub does once the demo is seeded and
    /// demo.json written.
    fn wait_ready(&self, port: u16) {
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            if ready(port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the hub was not ready within {START:?}:\n{}",
            self.log_tail()
        );
    }

    /// The end of the hub's log, for a failure message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        // The QR code printed for the demo says nothing here.
        let lines: Vec<&str> = log
            .lines()
            .filter(|line| !line.contains(['█', '▀', '▄']))
            .collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!(
            "the hub's log ({}), last lines:\n{tail}",
            self.log.display()
        )
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One plain HTTP/1.1 GET of `/readyz`.
fn ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The workspace root (two levels above this crate).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// `browser-results/` in the target directory (whose `tmp/` cargo gives tests), emptied.
fn results_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let results = target.join("browser-results");
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results).unwrap();
    results
}

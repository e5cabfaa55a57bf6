//! The binary under test: one-shot subcommands, and `quorum serve` on a data directory.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use tokio::sync::oneshot;

use crate::WAIT;

pub(crate) fn quorum(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorum"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

pub(crate) fn succeed(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// `quorum serve` on a data directory.
pub(crate) struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    pub(crate) async fn start(data: &Path, port: u16) -> Server {
        let log = data.join("serve.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .arg("serve")
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("QUORUM_") {
                command.env_remove(key);
            }
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (listening, heard) = oneshot::channel();
        let path = log.clone();
        std::thread::spawn(move || {
            let mut listening = Some(listening);
            let mut file = std::fs::File::create(path).unwrap();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(file, "{line}");
                if line.contains("quorum hub listening")
                    && let Some(listening) = listening.take()
                {
                    let _ = listening.send(());
                }
            }
        });
        let server = Server { child, log };
        match tokio::time::timeout(WAIT, heard).await {
            Ok(Ok(())) => server,
            _ => panic!("the hub did not start:\n{}", server.log_text()),
        }
    }

    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn log_text(&self) -> String {
        let out = std::fs::read_to_string(&self.log).unwrap_or_default();
        let err = std::fs::read_to_string(self.log.with_extension("err")).unwrap_or_default();
        format!("{out}{err}")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

//! The binary's one-shot subcommands (`quorum serve` itself is in `support/server.rs`).

use std::path::Path;
use std::process::{Command, Output};

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

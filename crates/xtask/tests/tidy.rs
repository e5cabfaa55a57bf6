//! Tidy checks on the whole workspace, run with the test suite: the rules in
//! ARCHITECTURE.md that a compiler does not enforce.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "node_modules" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn workspace_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["crates", "load-tests"] {
        let path = root().join(dir);
        if path.exists() {
            rust_files(&path, &mut files);
        }
    }
    assert!(files.len() > 20, "found only {} Rust files", files.len());
    files
}

/// Crates that would give the domain an async runtime, I/O, a clock source or
/// randomness.
const FORBIDDEN_IN_DOMAIN: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "async-executor",
    "futures-executor",
    "glommio",
    "actix-rt",
    "mio",
    "rand",
    "rand_core",
    "getrandom",
];

#[test]
fn the_domain_has_no_async_runtime_io_or_randomness() {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "tree",
            "--package",
            "quorum-domain",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let packages: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        packages.contains(&"quorum-domain"),
        "unexpected tree:\n{tree}"
    );
    for forbidden in FORBIDDEN_IN_DOMAIN {
        assert!(
            !packages.contains(forbidden),
            "quorum-domain depends on {forbidden}:\n{tree}"
        );
    }
}

#[test]
fn the_domain_source_reads_no_clock_and_does_no_io() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/quorum-domain/src"), &mut files);
    let forbidden = [
        "SystemTime",
        "Instant::now",
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "std::thread",
        "HashMap",
        "HashSet",
        "async fn",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses {word}: the domain is pure and deterministic",
                file.display()
            );
        }
    }
}

#[test]
fn every_rust_file_says_what_it_is_for() {
    for file in workspace_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} must start with a //! comment saying what it is for",
            file.display()
        );
    }
}

#[test]
fn modules_are_named_after_their_noun_not_mod_rs() {
    for file in workspace_sources() {
        assert!(
            file.file_name().unwrap() != "mod.rs",
            "{}: use foo.rs beside foo/ instead of foo/mod.rs",
            file.display()
        );
    }
}

#[test]
fn every_crate_inherits_the_workspace_lints() {
    let mut manifests = Vec::new();
    for dir in ["crates", "load-tests"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for entry in entries {
            let manifest = entry.unwrap().path().join("Cargo.toml");
            if manifest.exists() {
                manifests.push(manifest);
            }
        }
    }
    let load_tests = root().join("load-tests/Cargo.toml");
    if load_tests.exists() {
        manifests.push(load_tests);
    }
    assert!(manifests.len() >= 3);
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(
            text.contains("[lints]\nworkspace = true"),
            "{} must inherit [workspace.lints]",
            manifest.display()
        );
    }
}

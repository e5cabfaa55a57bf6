//! `cargo xtask fuzz [SECONDS]`: the cargo-fuzz targets in `fuzz/` (reliability row S8),
//! each run for SECONDS with libFuzzer on a copy of its committed corpus, so a run never
//! dirties the tree. Any crash, panic, slow input or out-of-memory fails the task and
//! names the reproducer that libFuzzer saved under `fuzz/artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};

/// The targets, in `fuzz/fuzz_targets/`.
const TARGETS: &[&str] = &["protocol_decode", "meeting_commands", "token_parse"];

/// The run per target that `cargo xtask test` (and so CI) does.
pub(crate) const CI_SECONDS: u64 = 15;

/// An input that takes longer than this is a failure: every target handles an input
/// in milliseconds, so a slow one has found a loop or a quadratic blow-up.
const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// Memory above this is a failure (libFuzzer's own default, stated so it is seen).
const RSS_LIMIT_MB: u64 = 2048;

/// The build both `fuzz build` and `fuzz run` use; the same flags, so the run does not
/// build again. No sanitizer: the code is safe Rust (`unsafe_code = "forbid"`), and
/// AddressSanitizer would double the build for nothing. Debug assertions on, so an
/// overflow is a crash rather than a wrong count. Sixteen codegen units rather than
/// cargo-fuzz's one, which leaves a core idle while a large crate builds.
const BUILD_FLAGS: &[&str] = &[
    "--sanitizer",
    "none",
    "--debug-assertions",
    "--codegen-units",
    "16",
];

/// Installs what is missing, builds every target once, then runs each for `seconds`.
pub(crate) fn run(root: &Path, seconds: u64) -> Result<()> {
    let started = Instant::now();
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let mut build = nightly_fuzz("build");
    build.args(BUILD_FLAGS).current_dir(root);
    check(build, "cargo +nightly fuzz build")?;
    eprintln!(
        "fuzz: built the targets ({:.0} s so far)",
        started.elapsed().as_secs_f64()
    );
    let mut failures = Vec::new();
    for target in TARGETS {
        if let Err(error) = run_target(root, target, seconds) {
            failures.push(format!("{error:#}"));
        }
    }
    eprintln!("fuzz: done in {:.0} s", started.elapsed().as_secs_f64());
    if !failures.is_empty() {
        bail!("{}", failures.join("\n"));
    }
    Ok(())
}

/// Runs one target on a temporary copy of its corpus, with its seeds beside it.
fn run_target(root: &Path, target: &str, seconds: u64) -> Result<()> {
    let fuzz = root.join("fuzz");
    let corpus = TempDir::new(&format!("quorum-fuzz-{target}"))?;
    copy_files(&fuzz.join("corpus").join(target), corpus.path())?;
    let artifacts = fuzz.join("artifacts").join(target);
    let before = SystemTime::now();
    let mut command = nightly_fuzz("run");
    command
        .args(BUILD_FLAGS)
        .arg(target)
        .arg(corpus.path())
        // Read, never written: libFuzzer adds what it finds to the first directory only.
        .arg(fuzz.join("seeds").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg("-print_final_stats=1")
        .current_dir(root);
    let dictionary = fuzz.join("dicts").join(format!("{target}.dict"));
    if dictionary.exists() {
        command.arg(format!("-dict={}", dictionary.display()));
    }
    eprintln!("fuzz: {target} for {seconds} s ...");
    let status = command
        .status()
        .with_context(|| format!("running cargo +nightly fuzz run {target}"))?;
    if status.success() {
        eprintln!("fuzz: {target}: no crash, panic, timeout or out-of-memory");
        return Ok(());
    }
    let found = new_files(&artifacts, before);
    if found.is_empty() {
        bail!("fuzz target {target} failed ({status}) without leaving a reproducer");
    }
    let flags = BUILD_FLAGS.join(" ");
    let reproducers: Vec<String> = found
        .iter()
        .map(|path| {
            let path = path.display();
            format!("  {path}\n    reproduce: cargo +nightly fuzz run {flags} {target} {path}")
        })
        .collect();
    bail!(
        "fuzz target {target} failed ({status}); reproducer:\n{}",
        reproducers.join("\n")
    )
}

/// `cargo +nightly fuzz SUBCOMMAND`, through rustup's `cargo` (the one on the `PATH`,
/// not the stable one that runs xtask), with nothing of the outer build in its way.
fn nightly_fuzz(subcommand: &str) -> Command {
    let mut command = Command::new("cargo");
    command
        .args(["+nightly", "fuzz", subcommand])
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTFLAGS");
    command
}

/// cargo-fuzz needs the nightly toolchain (for its instrumentation flags).
fn ensure_nightly() -> Result<()> {
    let installed = Command::new("cargo")
        .args(["+nightly", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Ok(());
    }
    let mut install = Command::new("rustup");
    install.args(["toolchain", "install", "nightly", "--profile", "minimal"]);
    check(install, "rustup toolchain install nightly")
}

/// cargo-fuzz, if missing. A debug build: it only starts cargo and libFuzzer, and it
/// installs in 29 s rather than 220 s (measured on a loaded two-core machine).
fn ensure_cargo_fuzz() -> Result<()> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Ok(());
    }
    let mut install = Command::new("cargo");
    install.args(["install", "--locked", "--debug", "cargo-fuzz"]);
    check(install, "cargo install --locked --debug cargo-fuzz")
}

fn check(mut command: Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {what}"))?;
    if !status.success() {
        bail!("{what} exited with {status}");
    }
    Ok(())
}

/// Copies the files of `from` (not its subdirectories) into `to`.
fn copy_files(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?;
    for entry in entries {
        let path = entry?.path();
        if let (true, Some(name)) = (path.is_file(), path.file_name()) {
            std::fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

/// The files in `dir` written since `since`: what libFuzzer saved during the run.
fn new_files(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .is_ok_and(|modified| modified >= since)
        })
        .map(|entry| entry.path())
        .collect();
    found.sort();
    found
}

/// A directory removed when dropped, so that a run leaves nothing behind.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> Result<TempDir> {
        let path = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("removing {}", path.display()))?;
        }
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Nothing to do about a failure here: the directory is in the system's temp.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

//! How many misbehaving devices a test runs: a small but real number in the ordinary
//! test command, the reliability document's figure with `QUORUM_FULL_SCALE=1`.

/// Whether the run asks for the full scale.
pub(crate) fn full() -> bool {
    std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1")
}

/// `small` in the ordinary run, `full` with `QUORUM_FULL_SCALE=1`.
pub(crate) fn pick(small: usize, full_scale: usize) -> usize {
    if full() { full_scale } else { small }
}

/// One line of the run's figures, for `--nocapture`.
#[allow(
    clippy::print_stdout,
    reason = "the figures of the run, for --nocapture"
)]
pub(crate) fn report(line: &str) {
    println!("{line}");
}

//! The figures of a run (time per phase, counts, what the devices went through) and
//! the list of broken promises, printed together so that a failure shows both.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::time::Instant;

use super::device::DeviceReport;

/// Time per phase, and the lines of the report.
#[derive(Debug)]
pub(crate) struct Report {
    title: String,
    started: Instant,
    phase_started: Instant,
    lines: Vec<String>,
    pub(crate) violations: Vec<String>,
}

impl Report {
    pub(crate) fn new(title: &str) -> Report {
        Report {
            title: title.to_owned(),
            started: Instant::now(),
            phase_started: Instant::now(),
            lines: Vec::new(),
            violations: Vec::new(),
        }
    }

    /// Ends the current phase, named `name`.
    pub(crate) fn phase(&mut self, name: &str) {
        let took = self.phase_started.elapsed();
        self.line(format!("{name:<24} {:>8.2} s", took.as_secs_f64()));
        self.phase_started = Instant::now();
    }

    pub(crate) fn line(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Writes down a broken promise (the first few of a kind are enough to read).
    pub(crate) fn violation(&mut self, violation: String) {
        self.violations.push(violation);
    }

    /// Sums up what the devices went through.
    pub(crate) fn devices(&mut self, reports: &[DeviceReport]) {
        let moved = reports
            .iter()
            .filter(|report| report.reconnects > 0)
            .count();
        let reconnects: u32 = reports.iter().map(|report| report.reconnects).sum();
        let resends: u32 = reports.iter().map(|report| report.resends).sum();
        let retries: u32 = reports.iter().map(|report| report.retries).sum();
        let mut times: Vec<Duration> = reports
            .iter()
            .flat_map(|report| report.reconnect_times.iter().copied())
            .collect();
        times.sort();
        let updates: Vec<u64> = reports
            .iter()
            .filter_map(|report| report.follower.as_ref().map(|follower| follower.updates))
            .collect();
        let recovered: u32 = reports
            .iter()
            .filter_map(|report| report.follower.as_ref().map(|follower| follower.recovered))
            .sum();
        self.line(format!(
            "devices {}: {moved} reconnected ({reconnects} reconnects, {recovered} resumes \
             recovered; p50 {:?}, max {:?}), {resends} commands resent after a reconnect, \
             {retries} sent again after a retryable error; updates per device {}..{}",
            reports.len(),
            times.get(times.len() / 2).copied().unwrap_or_default(),
            times.last().copied().unwrap_or_default(),
            updates.iter().min().copied().unwrap_or_default(),
            updates.iter().max().copied().unwrap_or_default(),
        ));
        let mut notes: Vec<&String> = reports.iter().flat_map(|report| &report.notes).collect();
        notes.sort();
        notes.dedup_by(|a, b| same_kind(a, b));
        for note in notes.into_iter().take(8) {
            self.line(format!("  e.g. {note}"));
        }
    }

    /// Prints the report and fails the test if a promise was broken.
    pub(crate) fn finish(mut self) {
        let took = self.started.elapsed();
        self.line(format!("{:<24} {:>8.2} s", "total", took.as_secs_f64()));
        let mut text = format!("===== {} =====\n", self.title);
        for line in &self.lines {
            let _ = writeln!(text, "{line}");
        }
        if !self.violations.is_empty() {
            let _ = writeln!(text, "{} VIOLATIONS:", self.violations.len());
            for violation in self.violations.iter().take(40) {
                let _ = writeln!(text, "  {violation}");
            }
        }
        print(&text);
        assert!(
            self.violations.is_empty(),
            "{}: {} violations (see above), first: {}",
            self.title,
            self.violations.len(),
            self.violations[0]
        );
    }
}

/// Two notes about the same thing on different nodes or numbers.
fn same_kind(a: &str, b: &str) -> bool {
    let shape = |text: &str| -> String { text.chars().filter(|c| !c.is_ascii_digit()).collect() };
    shape(a) == shape(b)
}

#[allow(
    clippy::print_stdout,
    reason = "the figures of the run, for --nocapture"
)]
fn print(text: &str) {
    println!("{text}");
}

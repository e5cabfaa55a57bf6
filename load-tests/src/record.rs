//! Where a result comes from (the date, the commit, the machine) and how it is kept: a
//! JSON file and a short Markdown summary beside it, as the performance document asks.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use serde::Serialize;

/// When, from which commit and on what a result was measured.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Provenance {
    /// The end of the run, UTC, RFC 3339.
    pub(crate) date: String,
    /// `git rev-parse HEAD` of the working directory, if it is a repository.
    pub(crate) git_commit: Option<String>,
    /// Whether the working tree had uncommitted changes.
    pub(crate) git_dirty: Option<bool>,
    /// The machine.
    pub(crate) machine: Machine,
}

/// The machine a result was measured on.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Machine {
    /// CPUs this process may use.
    pub(crate) cpus: usize,
    /// `MemTotal`, in bytes.
    pub(crate) memory_bytes: Option<u64>,
    /// The kernel release.
    pub(crate) kernel: Option<String>,
}

impl Provenance {
    /// Now, here.
    pub(crate) fn now() -> Provenance {
        let git_commit = git(&["rev-parse", "HEAD"]);
        let git_dirty = git_commit
            .as_ref()
            .and_then(|_| git(&["status", "--porcelain", "--untracked-files=no"]))
            .map(|changes| !changes.is_empty());
        Provenance {
            date: utc_now(),
            git_commit,
            git_dirty,
            machine: Machine {
                cpus: std::thread::available_parallelism().map_or(1, usize::from),
                memory_bytes: std::fs::read_to_string("/proc/meminfo")
                    .ok()
                    .and_then(|meminfo| {
                        meminfo.lines().find_map(|line| {
                            let kib = line.strip_prefix("MemTotal:")?;
                            kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
                        })
                    })
                    .map(|kib| kib.saturating_mul(1024)),
                kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                    .ok()
                    .map(|release| release.trim().to_owned()),
            },
        }
    }
}

/// Writes `result` as pretty JSON to `out`, and `summary` to the same path with `.md`.
pub(crate) fn write(out: &Path, result: &impl Serialize, summary: &str) -> anyhow::Result<()> {
    if let Some(parent) = out.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut json = serde_json::to_string_pretty(result)?;
    json.push('\n');
    std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?;
    let markdown = out.with_extension("md");
    std::fs::write(&markdown, summary)
        .with_context(|| format!("cannot write {}", markdown.display()))?;
    Ok(())
}

/// A git command's trimmed output, if it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    rfc3339(seconds)
}

/// Seconds since the Unix epoch as an RFC 3339 UTC date (Howard Hinnant's
/// `civil_from_days`).
fn rfc3339(seconds: u64) -> String {
    let days = seconds / 86_400;
    let of_day = seconds % 86_400;
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_744_859), "2026-11-27T02:00:59Z");
    }
}

//! A reading of the hub's memory and CPU from /proc: resident set (all of it and its
//! anonymous part), its peak, and the user plus system CPU time so far.

use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;

/// The hub process at one instant.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ProcessSample {
    /// `VmRSS`: resident memory, in bytes.
    pub(crate) rss_bytes: u64,
    /// `RssAnon`: resident anonymous memory (the heap and stacks), in bytes, if the
    /// kernel reports it.
    pub(crate) rss_anon_bytes: Option<u64>,
    /// `VmHWM`: the peak resident memory so far, in bytes.
    pub(crate) rss_peak_bytes: Option<u64>,
    /// User plus system CPU time so far.
    #[serde(skip)]
    pub(crate) cpu: Duration,
}

impl ProcessSample {
    /// Reads /proc/`pid`/status and /proc/`pid`/stat.
    pub(crate) fn read(pid: u32) -> anyhow::Result<ProcessSample> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .with_context(|| format!("cannot read /proc/{pid}/status (is the hub running?)"))?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .with_context(|| format!("cannot read /proc/{pid}/stat"))?;
        Ok(ProcessSample {
            rss_bytes: status_kib(&status, "VmRSS")
                .context("no VmRSS in /proc/PID/status")?
                .saturating_mul(1024),
            rss_anon_bytes: status_kib(&status, "RssAnon").map(|kib| kib.saturating_mul(1024)),
            rss_peak_bytes: status_kib(&status, "VmHWM").map(|kib| kib.saturating_mul(1024)),
            cpu: cpu_time(&stat)?,
        })
    }
}

/// A `Name:   1234 kB` line of /proc/PID/status, in KiB.
fn status_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if key != name {
            return None;
        }
        value.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// `utime + stime` from /proc/PID/stat, converted from clock ticks.
fn cpu_time(stat: &str) -> anyhow::Result<Duration> {
    // The command name (field 2) is in parentheses and may hold spaces; count the
    // fields after its closing one, where field 3 (the state) is the first.
    let (_, after_name) = stat.rsplit_once(')').context("unreadable /proc/PID/stat")?;
    let mut fields = after_name.split_whitespace().skip(11);
    let mut ticks = |name: &str| -> anyhow::Result<u64> {
        fields
            .next()
            .and_then(|field| field.parse::<u64>().ok())
            .with_context(|| format!("no {name} in /proc/PID/stat"))
    };
    let user = ticks("utime")?;
    let system = ticks("stime")?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    let ticks = user.saturating_add(system);
    Ok(Duration::from_secs(ticks / per_second)
        + Duration::from_nanos((ticks % per_second).saturating_mul(1_000_000_000) / per_second))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test that panics is a failed test")]

    use super::*;

    #[test]
    fn status_lines_are_read_in_kib() {
        let status =
            "Name:\tquorum\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nRssAnon:\t    4096 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(10_240));
        assert_eq!(status_kib(status, "RssAnon"), Some(4_096));
        assert_eq!(status_kib(status, "RssShmem"), None);
    }

    #[test]
    fn cpu_time_skips_a_command_name_with_spaces() {
        let stat = "42 (quorum serve) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0";
        let per_second = rustix::param::clock_ticks_per_second();
        assert_eq!(
            cpu_time(stat).unwrap(),
            Duration::from_secs_f64(300.0 / per_second as f64)
        );
    }
}

//! The hub's memory as the kernel counts it: VmRSS (resident now) and VmHWM (the peak
//! resident size) from `/proc/<pid>/status`, with the peak reset before a measure.

use std::path::Path;

/// The hub process, found by its command line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HubMemory {
    pid: u32,
    /// Whether the kernel let the test reset the peak; if not, a measure's growth is
    /// counted from the resident size before it to the peak since start, which is
    /// larger than the truth (never smaller), so a bound still holds when met.
    resettable: bool,
}

/// Resident and peak resident size, in KiB.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) rss_kib: u64,
    pub(crate) hwm_kib: u64,
}

impl HubMemory {
    /// The `quorum serve` child of this test process whose command line names `data`.
    /// (`Server` does not give its child's pid; the data directory is unique to a test.)
    pub(crate) fn of(data: &Path) -> HubMemory {
        let data = data.to_string_lossy().into_owned();
        let ours = std::process::id().to_string();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|name| name.parse().ok())
            else {
                continue;
            };
            let Ok(command_line) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let arguments: Vec<String> = command_line
                .split(|byte| *byte == 0)
                .map(|argument| String::from_utf8_lossy(argument).into_owned())
                .collect();
            let serves_data =
                arguments.iter().any(|argument| argument == "serve") && arguments.contains(&data);
            if serves_data && parent_of(pid).as_deref() == Some(ours.as_str()) {
                found.push(pid);
            }
        }
        assert_eq!(found.len(), 1, "one hub serves {data}: {found:?}");
        let pid = found[0];
        let resettable = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        HubMemory { pid, resettable }
    }

    /// The resident and peak sizes now.
    pub(crate) fn sample(&self) -> Sample {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{}/status", self.pid))
        };
        Sample {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
        }
    }

    /// Starts a measure: resets the peak to the resident size (`echo 5 > clear_refs`)
    /// and returns the resident size it starts from.
    pub(crate) fn start_measure(&self) -> Sample {
        if self.resettable {
            std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5").unwrap();
        }
        self.sample()
    }

    /// How far the peak rose above `start`, in KiB.
    pub(crate) fn growth_since(&self, start: Sample) -> u64 {
        self.sample().hwm_kib.saturating_sub(start.rss_kib)
    }
}

/// The parent pid of `pid`, from `/proc/<pid>/stat` (the field after the command name,
/// which may hold spaces and parentheses, hence the last `)`).
fn parent_of(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(1).map(str::to_owned)
}

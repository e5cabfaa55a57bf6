//! The open-file limit: every socket is a file, and this machine allows at most 20,000
//! per process, so each process takes its whole hard limit at start.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Raises the soft limit on open files to the hard limit; returns the limit in force
/// (`None`: unlimited).
pub(crate) fn raise_to_hard_limit() -> std::io::Result<Option<u64>> {
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )?;
    }
    Ok(limit.maximum)
}

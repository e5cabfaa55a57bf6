//! The shell's clock: the one place the gateway reads the wall clock, so that the
//! domain receives time as an argument.

use std::time::{SystemTime, UNIX_EPOCH};

use quorum_domain::Timestamp;

/// Now, in milliseconds since the Unix epoch.
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    Timestamp(i64::try_from(millis).unwrap_or(i64::MAX))
}

//! Time as plain numbers. The domain never reads a clock: the shell passes `now` into
//! every decision, and events carry the time they were decided at.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An instant, in milliseconds since the Unix epoch (UTC).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The instant `duration` after this one, saturating at the end of time.
    pub fn after(self, duration: Millis) -> Timestamp {
        let step = i64::try_from(duration.0).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(step))
    }

    /// How long after `earlier` this instant is (zero if it is not later).
    pub fn since(self, earlier: Timestamp) -> Millis {
        Millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

/// A duration, in milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    /// A duration of whole minutes.
    pub const fn minutes(minutes: u64) -> Millis {
        Millis(minutes * 60_000)
    }

    /// A duration of whole seconds.
    pub const fn seconds(seconds: u64) -> Millis {
        Millis(seconds * 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(
            Timestamp(i64::MAX - 1).after(Millis(10)),
            Timestamp(i64::MAX)
        );
        assert_eq!(Timestamp(5).since(Timestamp(9)), Millis(0));
        assert_eq!(Timestamp(9).since(Timestamp(5)), Millis(4));
    }
}

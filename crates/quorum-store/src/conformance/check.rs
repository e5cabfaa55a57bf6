//! The conformance suite's helpers: turning a wrong answer into a [`ConformanceError`]
//! that names the property, and building appends tersely.

use std::fmt::Debug;

use super::ConformanceError;
use crate::{Append, Record, StoreError};

/// Builds the failures of one property.
#[derive(Debug, Clone, Copy)]
pub(super) struct Check(pub(super) &'static str);

impl Check {
    pub(super) fn fail(self, message: impl Into<String>) -> ConformanceError {
        ConformanceError {
            property: self.0,
            message: message.into(),
        }
    }

    pub(super) fn ok<T>(
        self,
        what: &str,
        result: Result<T, StoreError>,
    ) -> Result<T, ConformanceError> {
        result.map_err(|error| self.fail(format!("{what} failed: {error}")))
    }

    pub(super) fn equal<T: PartialEq + Debug>(
        self,
        what: &str,
        got: &T,
        want: &T,
    ) -> Result<(), ConformanceError> {
        if got == want {
            Ok(())
        } else {
            Err(self.fail(format!("{what}: got {got:?}, expected {want:?}")))
        }
    }

    pub(super) fn conflict(
        self,
        result: Result<(), StoreError>,
        stream: &str,
        after: u64,
        at: u64,
    ) -> Result<(), ConformanceError> {
        match result {
            Err(StoreError::Conflict {
                stream: named,
                expected,
                head,
            }) if named == stream && expected == after && head == at => Ok(()),
            other => Err(self.fail(format!(
                "an append to {stream} after {after} with the head at {at}: expected a \
                 conflict, got {other:?}"
            ))),
        }
    }
}

pub(super) fn append(stream: &str, after: u64, records: Vec<Record>) -> Append {
    Append {
        stream: stream.to_owned(),
        after,
        records,
    }
}

pub(super) fn record(seq: u64, at: i64, body: &str) -> Record {
    Record {
        seq,
        at,
        body: body.to_owned(),
    }
}

/// `count` records numbered from `first`, each body naming its number.
pub(super) fn numbered(first: u64, count: u64) -> Vec<Record> {
    (first..first.saturating_add(count))
        .map(|seq| record(seq, 1_790_000_000_000, &format!("{{\"seq\":{seq}}}")))
        .collect()
}

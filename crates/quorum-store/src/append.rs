//! The rules an [`Append`] must keep before any backend looks at it, in one place so
//! that every backend accepts and refuses exactly the same appends.

use crate::{Append, StoreError};

impl Append {
    /// The longest stream name, in bytes.
    pub const MAX_STREAM_BYTES: usize = 256;

    /// The highest sequence number a stream can reach: backends store it as a signed
    /// 64-bit integer.
    pub const MAX_SEQ: u64 = i64::MAX as u64;

    /// Checks what can be checked without the stream's head: a valid stream name, and
    /// records numbered `after + 1`, `after + 2`, … with bodies a backend can store.
    ///
    /// # Errors
    ///
    /// [`StoreError::Invalid`] saying what is wrong.
    pub fn validate(&self) -> Result<(), StoreError> {
        validate_stream(&self.stream)?;
        let count = u64::try_from(self.records.len()).unwrap_or(u64::MAX);
        if self
            .after
            .checked_add(count)
            .is_none_or(|last| last > Self::MAX_SEQ)
        {
            return Err(StoreError::Invalid(format!(
                "{count} records after {} go past the highest sequence number",
                self.after
            )));
        }
        for (expected, record) in (self.after + 1..).zip(&self.records) {
            if record.seq != expected {
                return Err(StoreError::Invalid(format!(
                    "record {} of {} should be numbered {expected}",
                    record.seq, self.stream
                )));
            }
            // PostgreSQL's text type cannot hold a NUL character; refusing it here keeps
            // every backend's behaviour the same. JSON never needs a raw NUL.
            if record.body.contains('\0') {
                return Err(StoreError::Invalid(format!(
                    "record {} of {} has a NUL character in its body",
                    record.seq, self.stream
                )));
            }
        }
        Ok(())
    }
}

/// Checks a stream name: 1 to [`Append::MAX_STREAM_BYTES`] bytes, no control characters.
///
/// # Errors
///
/// [`StoreError::Invalid`] saying what is wrong.
pub(crate) fn validate_stream(stream: &str) -> Result<(), StoreError> {
    if stream.is_empty() {
        return Err(StoreError::Invalid("the stream name is empty".into()));
    }
    if stream.len() > Append::MAX_STREAM_BYTES {
        return Err(StoreError::Invalid(format!(
            "the stream name is {} bytes long, more than {}",
            stream.len(),
            Append::MAX_STREAM_BYTES
        )));
    }
    if stream.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "the stream name {stream:?} has a control character"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn append(stream: &str, after: u64, seqs: &[u64]) -> Append {
        Append {
            stream: stream.into(),
            after,
            records: seqs
                .iter()
                .map(|&seq| Record {
                    seq,
                    at: 0,
                    body: "{}".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn records_must_follow_after_without_gaps() {
        assert!(append("s", 0, &[1, 2, 3]).validate().is_ok());
        assert!(append("s", 7, &[8]).validate().is_ok());
        assert!(append("s", 7, &[]).validate().is_ok());
        for bad in [
            append("s", 0, &[2]),
            append("s", 0, &[1, 3]),
            append("s", 0, &[1, 1]),
            append("s", 3, &[3, 4]),
        ] {
            assert!(
                matches!(bad.validate(), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sequence_numbers_stay_within_a_signed_integer() {
        assert!(
            append("s", Append::MAX_SEQ - 1, &[Append::MAX_SEQ])
                .validate()
                .is_ok()
        );
        assert!(
            append("s", Append::MAX_SEQ, &[Append::MAX_SEQ + 1])
                .validate()
                .is_err()
        );
        assert!(append("s", u64::MAX, &[0]).validate().is_err());
    }

    #[test]
    fn stream_names_are_checked() {
        assert!(append("", 0, &[1]).validate().is_err());
        assert!(append("a\nb", 0, &[1]).validate().is_err());
        assert!(append(&"x".repeat(257), 0, &[1]).validate().is_err());
        assert!(append(&"x".repeat(256), 0, &[1]).validate().is_ok());
        assert!(append("meeting/biểu-quyết", 0, &[1]).validate().is_ok());
    }

    #[test]
    fn a_nul_in_a_body_is_refused() {
        let mut bad = append("s", 0, &[1]);
        if let Some(record) = bad.records.first_mut() {
            record.body = "a\0b".into();
        }
        assert!(bad.validate().is_err());
    }
}

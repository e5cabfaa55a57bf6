//! Random ids chosen by the device: request ids for commands, ballot ids for votes. They
//! must be unpredictable (a ballot id ties a secret ballot to its seat), so they come
//! from the operating system's random number generator, as version 4 UUIDs.

use quorum_domain::IdError;
use quorum_protocol::RequestId;

use crate::error::ClientError;

/// A fresh random id of any id type (`RequestId`, `BallotId`, `MeetingId`, …), written
/// as a version 4 UUID.
pub fn random_id<T>() -> Result<T, ClientError>
where
    T: TryFrom<String, Error = IdError>,
{
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ClientError::Random)?;
    // The version (4) and variant (RFC 4122) bits, so the text is a well-formed UUID.
    if let Some(byte) = bytes.get_mut(6) {
        *byte = (*byte & 0x0f) | 0x40;
    }
    if let Some(byte) = bytes.get_mut(8) {
        *byte = (*byte & 0x3f) | 0x80;
    }
    let mut text = String::with_capacity(36);
    for (position, byte) in bytes.iter().enumerate() {
        if matches!(position, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    // A UUID is always a valid id; the error cannot happen but is not unwrapped.
    T::try_from(text).map_err(|error| ClientError::InvalidOption(error.to_string()))
}

/// A fresh random request id.
pub fn new_request_id() -> Result<RequestId, ClientError> {
    random_id()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_domain::BallotId;

    #[test]
    fn ids_are_version_4_uuids_and_differ() {
        let first: BallotId = random_id().unwrap();
        let second = new_request_id().unwrap();
        let text = first.as_str();
        assert_eq!(text.len(), 36);
        assert_eq!(text.chars().nth(14), Some('4'));
        assert_eq!(text.matches('-').count(), 4);
        assert_ne!(text, second.as_str());
    }
}

//! Protocol versions and how a device and the hub agree on one.
//!
//! A device offers the WebSocket subprotocols it speaks (`quorum.v1`, …) in
//! `Sec-WebSocket-Protocol` and repeats the versions in its `hello`; the hub answers with
//! the highest version both speak, in the handshake and in `welcome`. Additive changes
//! (a new optional field, a new message type, a new rejection code) keep the version:
//! devices ignore fields and message types they do not know. Anything else is a new
//! version, and the hub keeps speaking the previous one for at least one release.

/// The version this build speaks best.
pub const PROTOCOL_VERSION: u16 = 1;

/// Every version this build speaks, newest first.
pub const SUPPORTED_VERSIONS: &[u16] = &[1];

/// The WebSocket subprotocol name of a version.
pub fn subprotocol(version: u16) -> String {
    format!("quorum.v{version}")
}

/// The version named by a WebSocket subprotocol, if it is one of ours.
pub fn parse_subprotocol(name: &str) -> Option<u16> {
    name.trim().strip_prefix("quorum.v")?.parse().ok()
}

/// No version is spoken by both sides.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no common protocol version: the device offers {offered:?}, the hub speaks {SUPPORTED_VERSIONS:?}"
)]
pub struct NoCommonVersion {
    /// What the device offered.
    pub offered: Vec<u16>,
}

/// The highest version both the device (`offered`) and this hub speak.
pub fn negotiate(offered: &[u16]) -> Result<u16, NoCommonVersion> {
    SUPPORTED_VERSIONS
        .iter()
        .copied()
        .find(|version| offered.contains(version))
        .ok_or_else(|| NoCommonVersion {
            offered: offered.to_vec(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_highest_common_version() {
        assert_eq!(negotiate(&[3, 1]), Ok(1));
        assert!(negotiate(&[7]).is_err());
        assert!(negotiate(&[]).is_err());
    }

    #[test]
    fn subprotocol_names_round_trip() {
        assert_eq!(subprotocol(1), "quorum.v1");
        assert_eq!(parse_subprotocol(" quorum.v1"), Some(1));
        assert_eq!(parse_subprotocol("graphql-ws"), None);
    }
}

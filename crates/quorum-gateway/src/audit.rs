//! The audit trail: every stored meeting event carries the hash of the one before, so
//! that the log is a hash chain, and [`verify`] recomputes the chain and every tally.
//!
//! **Invariant:** the hash of record `n` covers its stream, number, time and body, and the
//! body names the hash of record `n - 1`; changing, removing or reordering any record
//! changes every hash after it, up to the head that the projector and the minutes show.

pub mod verify;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use quorum_store::Record;

/// What every hash of the chain starts with: names the scheme, so that a later one can
/// never produce the same hash from the same record.
const DOMAIN: &[u8] = b"quorum.chain.v1\0";

/// A SHA-256 hash of the chain, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// The hash a stream's first record names as the one before it: the hash of the
    /// stream's name, so that a chain cannot be moved to another meeting.
    pub fn genesis(stream: &str) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(b"genesis\0");
        hasher.update(stream.as_bytes());
        ChainHash(hasher.finalize().into())
    }

    /// The hash of a stored record of `stream`.
    pub fn of(stream: &str, record: &Record) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(stream.as_bytes());
        hasher.update(b"\0");
        hasher.update(record.seq.to_string().as_bytes());
        hasher.update(b"\0");
        hasher.update(record.at.to_string().as_bytes());
        hasher.update(b"\0");
        hasher.update(record.body.as_bytes());
        ChainHash(hasher.finalize().into())
    }

    /// The first 16 hex digits, for screens.
    pub fn short(&self) -> String {
        self.to_string().chars().take(16).collect()
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

/// A text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a chain hash is 64 hex digits, not {0:?}")]
pub struct BadHash(pub String);

impl FromStr for ChainHash {
    type Err = BadHash;

    fn from_str(text: &str) -> Result<ChainHash, BadHash> {
        let bad = || BadHash(text.chars().take(80).collect());
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0_u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(ChainHash(bytes))
    }
}

impl Serialize for ChainHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ChainHash, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a chain ends: its last record's number and hash (the genesis hash at 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The last record's number.
    pub seq: u64,
    /// Its hash.
    pub hash: ChainHash,
}

impl ChainHead {
    /// The head of a stream with no record.
    pub fn genesis(stream: &str) -> ChainHead {
        ChainHead {
            seq: 0,
            hash: ChainHash::genesis(stream),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, body: &str) -> Record {
        Record {
            seq,
            at: 1_700_000_000_000,
            body: body.into(),
        }
    }

    #[test]
    fn a_hash_reads_back_from_its_text() {
        let hash = ChainHash::of("meeting/a", &record(1, "{}"));
        let text = hash.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<ChainHash>(), Ok(hash));
        assert_eq!(hash.short().len(), 16);
        assert!("xyz".parse::<ChainHash>().is_err());
        assert!(
            text.replace(char::is_alphanumeric, "g")
                .parse::<ChainHash>()
                .is_err()
        );
    }

    #[test]
    fn every_part_of_a_record_changes_its_hash() {
        let base = ChainHash::of("meeting/a", &record(1, "{}"));
        assert_ne!(base, ChainHash::of("meeting/b", &record(1, "{}")));
        assert_ne!(base, ChainHash::of("meeting/a", &record(2, "{}")));
        assert_ne!(base, ChainHash::of("meeting/a", &record(1, "{ }")));
        let mut later = record(1, "{}");
        later.at += 1;
        assert_ne!(base, ChainHash::of("meeting/a", &later));
        assert_ne!(
            ChainHash::genesis("meeting/a"),
            ChainHash::genesis("meeting/b")
        );
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        // seq 1 with at 12 and seq 11 with at 2 must not hash alike.
        let one = Record {
            seq: 1,
            at: 12,
            body: String::new(),
        };
        let other = Record {
            seq: 11,
            at: 2,
            body: String::new(),
        };
        assert_ne!(ChainHash::of("s", &one), ChainHash::of("s", &other));
    }
}

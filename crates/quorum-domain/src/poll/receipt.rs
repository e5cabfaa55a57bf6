//! Receipts: a code per accepted ballot, derived from the ballot id the device chose, so
//! that a resent ballot maps to the same receipt without the engine drawing randomness.
//! A receipt names neither the voter nor the choice.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::id::{BallotId, MeetingId, MemberId, PollId};

/// Crockford's base32 alphabet: no I, L, O or U, easy to read aloud and to type.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a receipt: 100 bits of the hash.
pub const RECEIPT_LEN: usize = 20;

/// The receipt of an accepted ballot, e.g. `7KQ2M-9D4XT-H0C8R-VW3NA` when grouped.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Receipt(String);

/// Why a string is not a receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a receipt is 20 characters of Crockford base32")]
pub struct ReceiptError;

impl Receipt {
    /// The receipt of ballot `ballot` in round `round` of a poll. Domain-separated and
    /// length-prefixed so that no two distinct inputs share a preimage.
    pub fn derive(meeting: &MeetingId, poll: &PollId, round: u32, ballot: &BallotId) -> Receipt {
        Receipt::hash(
            b"quorum/receipt/v1",
            &[meeting.as_str(), poll.as_str(), ballot.as_str()],
            round,
        )
    }

    /// The seat tag of a secret ballot: binds the ballot to the seat it was cast for,
    /// in a way only whoever knows the ballot id (the device that cast it) can check,
    /// so it pairs no seat with a choice for anyone else. A changed secret ballot may
    /// replace only a ballot whose tag names its own seat.
    pub fn seat_tag(
        meeting: &MeetingId,
        poll: &PollId,
        round: u32,
        ballot: &BallotId,
        seat: &MemberId,
    ) -> Receipt {
        Receipt::hash(
            b"quorum/seat-tag/v1",
            &[
                meeting.as_str(),
                poll.as_str(),
                ballot.as_str(),
                seat.as_str(),
            ],
            round,
        )
    }

    fn hash(domain: &[u8], parts: &[&str], round: u32) -> Receipt {
        let mut hasher = Sha256::new();
        hasher.update(domain);
        for part in parts {
            hasher.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(round.to_be_bytes());
        let digest = hasher.finalize();
        let mut head = [0u8; 16];
        for (slot, byte) in head.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
        let bits = u128::from_be_bytes(head);
        let code = (0..RECEIPT_LEN)
            .map(|i| {
                let shift = 128 - 5 * (i + 1);
                let index = usize::try_from((bits >> shift) & 0x1f).unwrap_or(0);
                char::from(ALPHABET.get(index).copied().unwrap_or(b'0'))
            })
            .collect();
        Receipt(code)
    }

    /// The receipt as 20 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The receipt in groups of five, as shown to voters.
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(RECEIPT_LEN + 3);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 5 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }
}

impl TryFrom<String> for Receipt {
    type Error = ReceiptError;
    fn try_from(value: String) -> Result<Self, ReceiptError> {
        let well_formed =
            value.len() == RECEIPT_LEN && value.bytes().all(|b| ALPHABET.contains(&b));
        if well_formed {
            Ok(Receipt(value))
        } else {
            Err(ReceiptError)
        }
    }
}

impl From<Receipt> for String {
    fn from(receipt: Receipt) -> String {
        receipt.0
    }
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Receipt({})", self.0)
    }
}

impl JsonSchema for Receipt {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Receipt")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9A-HJKMNP-TV-Z]{20}$",
            "description": "The receipt of an accepted ballot: 20 characters of Crockford base32.",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(ballot: &str, round: u32) -> Receipt {
        Receipt::derive(
            &MeetingId::new("m1").unwrap(),
            &PollId::new("p1").unwrap(),
            round,
            &BallotId::new(ballot).unwrap(),
        )
    }

    #[test]
    fn the_same_ballot_always_gets_the_same_receipt() {
        assert_eq!(receipt("b-1", 1), receipt("b-1", 1));
        assert_ne!(receipt("b-1", 1), receipt("b-2", 1));
        assert_ne!(receipt("b-1", 1), receipt("b-1", 2));
    }

    #[test]
    fn a_seat_tag_depends_on_the_seat_and_is_no_receipt() {
        let tag = |ballot: &str, seat: &str| {
            Receipt::seat_tag(
                &MeetingId::new("m1").unwrap(),
                &PollId::new("p1").unwrap(),
                1,
                &BallotId::new(ballot).unwrap(),
                &MemberId::new(seat).unwrap(),
            )
        };
        assert_eq!(tag("b-1", "d01"), tag("b-1", "d01"));
        assert_ne!(tag("b-1", "d01"), tag("b-1", "d02"));
        assert_ne!(tag("b-1", "d01"), receipt("b-1", 1));
    }

    #[test]
    fn receipts_round_trip_and_are_grouped() {
        let code = receipt("b-1", 1);
        assert_eq!(code.as_str().len(), RECEIPT_LEN);
        assert_eq!(Receipt::try_from(code.to_string()), Ok(code.clone()));
        assert_eq!(code.grouped().len(), RECEIPT_LEN + 3);
        assert!(Receipt::try_from("not-a-receipt".to_owned()).is_err());
    }
}

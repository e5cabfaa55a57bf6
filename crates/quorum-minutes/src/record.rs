//! The input: a meeting's record as the hub exports it (`quorum.record.v1`), read with
//! serde so that the minutes can be made from a live hub or from a saved file alike.

use quorum_domain::{EventRecord, MeetingId, MeetingView, Timestamp};
use serde::{Deserialize, Serialize};

use crate::MinutesError;

/// The record format this crate reads.
pub const RECORD_FORMAT: &str = "quorum.record.v1";

/// A meeting's record: its events and its final state as its keepers see it. Fields the
/// hub adds later are optional, so that older records still make minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `quorum.record.v1`.
    pub format: String,
    /// The meeting.
    pub meeting: MeetingId,
    /// When the record was exported.
    pub exported_at: Timestamp,
    /// Every event of the meeting, in sequence order.
    pub events: Vec<EventRecord>,
    /// The meeting's state as the chair's console sees it.
    pub view: MeetingView,
    /// The head of the event log's hash chain, when the hub records one.
    #[serde(default)]
    pub audit: Option<Audit>,
    /// The receipts counted in each closed poll round, when the hub lists them.
    #[serde(default)]
    pub receipts: Vec<PollReceipts>,
}

/// The receipts counted in one poll's closed rounds (no seat, no choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollReceipts {
    /// The poll's id.
    pub poll: String,
    /// Each closed round's receipts.
    #[serde(default)]
    pub rounds: Vec<RoundReceipts>,
}

/// The receipts counted in one closed round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundReceipts {
    /// The round, from 1.
    pub round: u32,
    /// Its counted receipts.
    #[serde(default)]
    pub receipts: Vec<String>,
}

/// The head of the event log's hash chain: anyone holding the log can recompute it and
/// compare it with the printed minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// The sequence number of the last event covered.
    #[serde(alias = "seq")]
    pub head_seq: u64,
    /// The hash of the chain at that event.
    #[serde(alias = "hash")]
    pub head_hash: String,
}

impl Record {
    /// The receipts counted in `round` of `poll`, if the record lists them.
    pub fn round_receipts(&self, poll: &str, round: u32) -> Option<&[String]> {
        self.receipts
            .iter()
            .filter(|entry| entry.poll == poll)
            .flat_map(|entry| entry.rounds.iter())
            .find(|entry| entry.round == round)
            .map(|entry| entry.receipts.as_slice())
    }

    /// Reads a record from its JSON text.
    pub fn from_json(text: &str) -> Result<Record, MinutesError> {
        let record: Record = serde_json::from_str(text).map_err(MinutesError::Record)?;
        record.checked()
    }

    /// Reads a record from a JSON value (the hub's `Record` serialized).
    pub fn from_value(value: serde_json::Value) -> Result<Record, MinutesError> {
        let record: Record = serde_json::from_value(value).map_err(MinutesError::Record)?;
        record.checked()
    }

    fn checked(self) -> Result<Record, MinutesError> {
        if self.format != RECORD_FORMAT {
            return Err(MinutesError::Format(self.format));
        }
        Ok(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test that panics is a failed test")]
mod tests {
    use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
    use quorum_domain::{Actor, CreateMeeting, Meeting, Viewer};

    use super::*;

    fn empty_view() -> MeetingView {
        let event = Meeting::create(
            MeetingId::new("m1").unwrap(),
            &Actor::Admin,
            CreateMeeting {
                details: MeetingDetails {
                    title: "Họp".into(),
                    kind: MeetingKind::Routine,
                    location: String::new(),
                    scheduled_at: Timestamp(0),
                },
                settings: MeetingSettings::default(),
            },
        )
        .unwrap();
        let first = EventRecord {
            seq: 1,
            at: Timestamp(0),
            event,
        };
        Meeting::from_created(&first)
            .unwrap()
            .view(&Viewer::Admin)
            .unwrap()
    }

    #[test]
    fn the_hubs_audit_head_reads_under_either_name() {
        let hub: Audit = serde_json::from_str(r#"{"seq": 50, "hash": "f3f8"}"#).unwrap();
        let named: Audit =
            serde_json::from_str(r#"{"head_seq": 50, "head_hash": "f3f8"}"#).unwrap();
        assert_eq!(hub, named);
        assert_eq!(hub.head_seq, 50);
    }

    #[test]
    fn receipts_are_found_by_poll_and_round() {
        let receipts: Vec<PollReceipts> = serde_json::from_str(
            r#"[{"poll": "bq-2", "title": "Dự toán", "secret": true,
                 "rounds": [{"round": 1, "receipts": ["A"]}, {"round": 2, "receipts": ["B", "C"]}]}]"#,
        )
        .unwrap();
        let record = Record {
            format: RECORD_FORMAT.to_owned(),
            meeting: MeetingId::new("m1").unwrap(),
            exported_at: Timestamp(0),
            events: Vec::new(),
            view: empty_view(),
            audit: None,
            receipts,
        };
        assert_eq!(
            record.round_receipts("bq-2", 2),
            Some(&["B".to_owned(), "C".to_owned()][..])
        );
        assert_eq!(record.round_receipts("bq-2", 3), None);
        assert_eq!(record.round_receipts("bq-1", 1), None);
    }
}

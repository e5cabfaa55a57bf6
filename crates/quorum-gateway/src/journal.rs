//! The typed face of the event log: meeting events and hub events to and from the
//! store's JSON records. Only this module knows how events are stored.

use quorum_domain::{EventRecord, MeetingId, Timestamp};
use quorum_store::Record;

use crate::access::HubEvent;

/// The prefix of every meeting's stream.
pub const MEETING_PREFIX: &str = "meeting/";

/// The stream of a meeting.
pub fn meeting_stream(meeting: &MeetingId) -> String {
    format!("{MEETING_PREFIX}{meeting}")
}

/// The meeting a stream belongs to, if it is a meeting stream.
pub fn stream_meeting(stream: &str) -> Option<MeetingId> {
    MeetingId::new(stream.strip_prefix(MEETING_PREFIX)?).ok()
}

/// Why a stored record could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("record {seq} of {stream} is unreadable: {source}")]
pub struct CorruptRecord {
    /// The stream.
    pub stream: String,
    /// The record.
    pub seq: u64,
    /// The parse error.
    #[source]
    pub source: serde_json::Error,
}

/// A meeting event as a store record.
pub fn encode_meeting(record: &EventRecord) -> Result<Record, serde_json::Error> {
    Ok(Record {
        seq: record.seq,
        at: record.at.0,
        body: serde_json::to_string(&record.event)?,
    })
}

/// A store record as a meeting event.
pub fn decode_meeting(stream: &str, record: &Record) -> Result<EventRecord, CorruptRecord> {
    Ok(EventRecord {
        seq: record.seq,
        at: Timestamp(record.at),
        event: serde_json::from_str(&record.body).map_err(|source| CorruptRecord {
            stream: stream.to_owned(),
            seq: record.seq,
            source,
        })?,
    })
}

/// A hub event as a store record.
pub fn encode_hub(seq: u64, at: Timestamp, event: &HubEvent) -> Result<Record, serde_json::Error> {
    Ok(Record {
        seq,
        at: at.0,
        body: serde_json::to_string(event)?,
    })
}

/// A store record as a hub event.
pub fn decode_hub(record: &Record) -> Result<HubEvent, CorruptRecord> {
    serde_json::from_str(&record.body).map_err(|source| CorruptRecord {
        stream: crate::access::HUB_STREAM.to_owned(),
        seq: record.seq,
        source,
    })
}

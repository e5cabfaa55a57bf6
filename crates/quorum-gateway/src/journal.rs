//! The typed face of the event log: meeting events and hub events to and from the
//! store's JSON records. Only this module knows how events are stored.

use quorum_domain::{EventRecord, MeetingEvent, MeetingId, Timestamp};
use quorum_store::Record;
use serde::{Deserialize, Serialize};

use crate::access::HubEvent;
use crate::audit::{ChainHash, ChainHead};

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

/// A meeting event as it is stored: the event, and the hash of the record before it.
#[derive(Serialize)]
struct StoredEvent<'a> {
    prev: ChainHash,
    event: &'a MeetingEvent,
}

/// A stored meeting event, read back.
#[derive(Deserialize)]
struct ReadEvent {
    prev: ChainHash,
    event: MeetingEvent,
}

/// A meeting event of `stream` as a store record chained after `prev` (the hash of the
/// record before it, or the stream's genesis hash); also returns the record's own hash.
pub fn encode_meeting(
    stream: &str,
    record: &EventRecord,
    prev: ChainHash,
) -> Result<(Record, ChainHash), serde_json::Error> {
    let stored = Record {
        seq: record.seq,
        at: record.at.0,
        body: serde_json::to_string(&StoredEvent {
            prev,
            event: &record.event,
        })?,
    };
    let hash = ChainHash::of(stream, &stored);
    Ok((stored, hash))
}

/// Encodes `records` chained one after another from `head`, and returns the new head.
pub fn encode_meetings(
    stream: &str,
    records: &[EventRecord],
    head: ChainHead,
) -> Result<(Vec<Record>, ChainHead), serde_json::Error> {
    let mut encoded = Vec::with_capacity(records.len());
    let mut head = head;
    for record in records {
        let (stored, hash) = encode_meeting(stream, record, head.hash)?;
        head = ChainHead {
            seq: stored.seq,
            hash,
        };
        encoded.push(stored);
    }
    Ok((encoded, head))
}

/// A store record as a meeting event.
pub fn decode_meeting(stream: &str, record: &Record) -> Result<EventRecord, CorruptRecord> {
    decode_chained(stream, record).map(|(event, _)| event)
}

/// A store record as a meeting event, with the hash it names as the one before it.
pub fn decode_chained(
    stream: &str,
    record: &Record,
) -> Result<(EventRecord, ChainHash), CorruptRecord> {
    let read: ReadEvent = serde_json::from_str(&record.body).map_err(|source| CorruptRecord {
        stream: stream.to_owned(),
        seq: record.seq,
        source,
    })?;
    Ok((
        EventRecord {
            seq: record.seq,
            at: Timestamp(record.at),
            event: read.event,
        },
        read.prev,
    ))
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

/// The body of the one record of a stream that holds a single value set once for the
/// whole hub (a key every node must share): the stored one, or `candidate` if this
/// call stores it first. Two nodes racing both end with the same value: the loser of
/// the append reads the winner's.
pub async fn stored_once(
    store: &dyn quorum_store::EventLog,
    stream: &str,
    candidate: String,
) -> Result<String, quorum_store::StoreError> {
    if let Some(record) = store.read(stream, 0, 1).await?.into_iter().next() {
        return Ok(record.body);
    }
    let made = store
        .append(quorum_store::Append {
            stream: stream.to_owned(),
            after: 0,
            records: vec![Record {
                seq: 1,
                at: crate::clock::now().0,
                body: candidate.clone(),
            }],
        })
        .await;
    match made {
        Ok(()) => Ok(candidate),
        Err(quorum_store::StoreError::Conflict { .. }) => store
            .read(stream, 0, 1)
            .await?
            .into_iter()
            .next()
            .map(|record| record.body)
            .ok_or_else(|| {
                quorum_store::StoreError::Unavailable(format!("{stream} lost its first record"))
            }),
        Err(error) => Err(error),
    }
}

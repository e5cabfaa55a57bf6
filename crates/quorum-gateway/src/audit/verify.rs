//! `quorum verify`: recomputes a meeting's hash chain and every tally from the stored
//! events, and says exactly where the record differs from what it should be.

use std::collections::BTreeMap;

use quorum_domain::{Meeting, MeetingEvent, MeetingId};
use quorum_store::{EventLog, Record, StoreError};
use serde::Serialize;

use super::{ChainHash, ChainHead};
use crate::journal;

/// Records read from the store at a time.
const CHUNK: usize = 1024;

/// What a verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The meeting.
    pub meeting: MeetingId,
    /// Records read.
    pub events: u64,
    /// Where the chain ends, as stored.
    pub head: ChainHead,
    /// Poll rounds whose recorded result was recounted from the ballots.
    pub polls_recounted: u64,
    /// Everything that is not as it should be, in log order; empty for a clean record.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the record is intact.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One thing wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The event where it shows (for a published head: the event the head names).
    pub seq: u64,
    /// What kind of damage.
    pub kind: FindingKind,
    /// The details, for a person.
    pub detail: String,
}

/// The kinds of damage `verify` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Events are missing: the numbers jump.
    Missing,
    /// The event's body is not a meeting event.
    Unreadable,
    /// The event does not name the hash of the event before it: that one was changed,
    /// or events were removed or reordered.
    BrokenLink,
    /// The event cannot happen after the ones before it (the meeting's rules refuse it).
    Inapplicable,
    /// A recorded poll result differs from a recount of the ballots.
    TallyMismatch,
    /// A head published earlier (on the projector, in the minutes) is not in the log.
    HeadMismatch,
}

/// Verifies the meeting's stored events: numbering, hash chain, replay through the
/// meeting's rules, every closed poll's result against a recount, and each `published`
/// head (taken from the minutes or the projector) against the stored chain.
///
/// # Errors
///
/// The store could not be read, or holds no such meeting.
pub async fn verify(
    store: &dyn EventLog,
    meeting: &MeetingId,
    published: &[ChainHead],
) -> Result<Report, StoreError> {
    let stream = journal::meeting_stream(meeting);
    let mut check = Check::new(&stream, published);
    let mut after = 0;
    loop {
        let records = store.read(&stream, after, CHUNK).await?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        for record in &records {
            check.record(record);
        }
    }
    if check.read == 0 {
        return Err(StoreError::Invalid(format!(
            "there is no meeting {meeting}"
        )));
    }
    Ok(check.finish(meeting.clone()))
}

/// The verification in progress.
struct Check<'a> {
    stream: &'a str,
    /// The heads to compare, by the event they name.
    published: BTreeMap<u64, ChainHash>,
    read: u64,
    head: ChainHead,
    /// The replayed state; `None` before the first event, or once replay has failed.
    meeting: Option<Meeting>,
    replay_failed: bool,
    polls_recounted: u64,
    findings: Vec<Finding>,
}

impl<'a> Check<'a> {
    fn new(stream: &'a str, published: &[ChainHead]) -> Check<'a> {
        Check {
            stream,
            published: published.iter().map(|head| (head.seq, head.hash)).collect(),
            read: 0,
            head: ChainHead::genesis(stream),
            meeting: None,
            replay_failed: false,
            polls_recounted: 0,
            findings: Vec::new(),
        }
    }

    fn found(&mut self, seq: u64, kind: FindingKind, detail: String) {
        self.findings.push(Finding { seq, kind, detail });
    }

    fn record(&mut self, record: &Record) {
        self.read += 1;
        let expected = self.head.seq + 1;
        if record.seq != expected {
            let detail = if record.seq > expected {
                format!(
                    "events {expected} to {} are missing: the log goes from event {} to event {}",
                    record.seq - 1,
                    self.head.seq,
                    record.seq
                )
            } else {
                format!("event {} comes after event {}", record.seq, self.head.seq)
            };
            self.found(record.seq, FindingKind::Missing, detail);
        }
        let hash = ChainHash::of(self.stream, record);
        match journal::decode_chained(self.stream, record) {
            Err(error) => {
                self.found(record.seq, FindingKind::Unreadable, error.to_string());
                self.replay_failed = true;
            }
            Ok((event, prev)) => {
                if prev != self.head.hash {
                    let detail = format!(
                        "event {} names {prev} as the hash of the event before it, but event \
                         {} hashes to {}: an earlier event was changed, removed or moved",
                        record.seq, self.head.seq, self.head.hash
                    );
                    self.found(record.seq, FindingKind::BrokenLink, detail);
                }
                self.replay(&event);
            }
        }
        if let Some(published) = self.published.get(&record.seq).copied()
            && published != hash
        {
            let detail = format!(
                "event {} hashes to {hash}, but the published head for it is {published}",
                record.seq
            );
            self.found(record.seq, FindingKind::HeadMismatch, detail);
        }
        self.head = ChainHead {
            seq: record.seq,
            hash,
        };
    }

    /// Applies one event to the replayed state, recounting a poll before it closes.
    fn replay(&mut self, record: &quorum_domain::EventRecord) {
        if self.replay_failed {
            return;
        }
        let applied = match self.meeting.as_mut() {
            None => Meeting::from_created(record).map(|created| {
                self.meeting = Some(created);
            }),
            Some(meeting) => {
                if let MeetingEvent::PollClosed {
                    poll,
                    round,
                    result,
                    ..
                } = &record.event
                {
                    let recount = meeting.recounted_result(poll);
                    self.polls_recounted += 1;
                    if recount.as_ref() != Some(result) {
                        let detail = format!(
                            "poll {poll} round {round} was recorded as {}, but its ballots \
                             count {}",
                            describe(Some(result)),
                            describe(recount.as_ref())
                        );
                        self.findings.push(Finding {
                            seq: record.seq,
                            kind: FindingKind::TallyMismatch,
                            detail,
                        });
                    }
                }
                meeting.apply(record)
            }
        };
        if let Err(error) = applied {
            self.replay_failed = true;
            let detail = format!(
                "event {} cannot follow the events before it ({error}); the replay stops here",
                record.seq
            );
            self.found(record.seq, FindingKind::Inapplicable, detail);
        }
    }

    fn finish(mut self, meeting: MeetingId) -> Report {
        if let Some(state) = self.meeting.take().filter(|_| !self.replay_failed) {
            for poll in state.polls() {
                if poll.recount() != poll.tally {
                    let detail = format!(
                        "poll {} shows a running tally of {}, but its ballots count {}",
                        poll.id,
                        compact(&poll.tally),
                        compact(&poll.recount())
                    );
                    self.found(self.head.seq, FindingKind::TallyMismatch, detail);
                }
            }
        }
        let beyond: Vec<(u64, ChainHash)> = self
            .published
            .range(self.head.seq + 1..)
            .map(|(seq, hash)| (*seq, *hash))
            .collect();
        for (seq, hash) in beyond {
            let detail = format!(
                "a head was published for event {seq} ({hash}), but the log ends at event {}: \
                 events were removed from its end",
                self.head.seq
            );
            self.found(seq, FindingKind::HeadMismatch, detail);
        }
        Report {
            meeting,
            events: self.read,
            head: self.head,
            polls_recounted: self.polls_recounted,
            findings: self.findings,
        }
    }
}

fn describe(result: Option<&quorum_domain::poll::PollResult>) -> String {
    match result {
        None => "nothing (no such poll)".to_owned(),
        Some(result) => format!(
            "{} with verdicts {}",
            compact(&result.tally),
            serde_json::to_string(&result.verdicts).unwrap_or_default()
        ),
    }
}

fn compact(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

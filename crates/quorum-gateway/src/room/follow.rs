//! Cluster: how a room keeps up with what other nodes commit to its meeting. Records
//! come from the fan-out when it works, from the log when it does not (a gap, a lost
//! subscription, a poll, a lost race); either way they are applied strictly in order,
//! each checked against the hash chain, and pushed to this node's devices like the
//! room's own commits: what one read or one fan-out message brings is one group.

use quorum_domain::EventRecord;
use quorum_store::Record;

use crate::audit::{ChainHash, ChainHead};
use crate::journal;
use crate::room::RoomHandle;
use crate::telemetry;

use super::Room;

/// Records read from the log per request while catching up.
const CATCH_UP_CHUNK: usize = 1_000;

/// Why a record could not be followed.
#[derive(Debug)]
enum Unfollowable {
    /// It is not the next one: records before it are missing.
    Gap,
    /// It does not continue the chain, or does not decode or apply: rebuild.
    Broken(String),
}

impl Room {
    /// Records another node committed, from the fan-out. A record the room has is
    /// skipped; one past a gap sends the room to the log.
    pub(super) async fn remote(&mut self, head: u64, records: Vec<Record>) {
        match self.follow_group(&records) {
            Ok(()) | Err((_, Unfollowable::Gap)) => {}
            Err((_, Unfollowable::Broken(reason))) => {
                self.broken(&reason).await;
                return;
            }
        }
        if head > self.head.seq {
            self.catch_up("gap").await;
        }
    }

    /// Reads what the log holds past the room's head and follows it. A log that cannot
    /// be read is logged and left for the next poll: the room keeps its committed state.
    pub(super) async fn catch_up(&mut self, cause: &'static str) {
        loop {
            let records = match self
                .store
                .read(&self.stream, self.head.seq, CATCH_UP_CHUNK)
                .await
            {
                Ok(records) => records,
                Err(error) => {
                    // Polls repeat every fraction of a second while the log is down; the
                    // outage itself is reported by the commits and by /readyz.
                    if cause == "poll" {
                        tracing::debug!(meeting = %self.meeting.id(), %error, "cannot catch up from the log");
                    } else {
                        tracing::warn!(meeting = %self.meeting.id(), %error, cause, "cannot catch up from the log");
                    }
                    return;
                }
            };
            if records.is_empty() {
                return;
            }
            metrics::counter!(telemetry::CATCH_UP_EVENTS, "cause" => cause)
                .increment(records.len() as u64);
            if let Err((seq, error)) = self.follow_group(&records) {
                let reason = match error {
                    Unfollowable::Gap => format!("the log skips to event {seq}"),
                    Unfollowable::Broken(reason) => reason,
                };
                self.broken(&reason).await;
                return;
            }
        }
    }

    /// Applies `records` in order up to the first it cannot follow (whose sequence
    /// number comes with the error), and pushes what it applied to the devices as one
    /// group: a follower coalesces like the node that committed them, instead of
    /// sending each device an update per event.
    fn follow_group(&mut self, records: &[Record]) -> Result<(), (u64, Unfollowable)> {
        let mut followed = Vec::with_capacity(records.len());
        let outcome = records.iter().try_for_each(|stored| {
            let record = self.follow(stored).map_err(|error| (stored.seq, error))?;
            followed.extend(record);
            Ok(())
        });
        if !followed.is_empty() {
            self.observer.committed(&self.meeting, &followed);
            self.publish(&followed);
        }
        outcome
    }

    /// Applies one committed record if it is the next one; `None` if the room has it.
    fn follow(&mut self, stored: &Record) -> Result<Option<EventRecord>, Unfollowable> {
        if stored.seq <= self.head.seq {
            return Ok(None);
        }
        if stored.seq != self.head.seq.saturating_add(1) {
            return Err(Unfollowable::Gap);
        }
        let (record, prev) = journal::decode_chained(&self.stream, stored)
            .map_err(|error| Unfollowable::Broken(error.to_string()))?;
        if prev != self.head.hash {
            return Err(Unfollowable::Broken(format!(
                "event {} does not follow event {} in the hash chain",
                stored.seq, self.head.seq
            )));
        }
        self.meeting
            .apply(&record)
            .map_err(|error| Unfollowable::Broken(format!("event {}: {error}", stored.seq)))?;
        self.head = ChainHead {
            seq: stored.seq,
            hash: ChainHash::of(&self.stream, stored),
        };
        Ok(Some(record))
    }

    /// The room's state cannot follow the log (a bug, or a damaged record): rebuild it
    /// from the log, and have every device here resume, since they may have missed
    /// what the rebuild skipped over.
    async fn broken(&mut self, reason: &str) {
        tracing::error!(meeting = %self.meeting.id(), reason, "cannot follow the log; rebuilding the meeting");
        self.rebuild().await;
        self.resubscribe_all();
    }

    /// Cluster: makes the node follow the meeting's channel while it has devices here,
    /// and stop when the last one leaves; records who is connected here for the other
    /// nodes; sets when the room next polls the log.
    pub(super) fn follow_channel(&mut self) {
        let Some(cluster) = &self.cluster else { return };
        let wanted = !self.subscribers.is_empty();
        if wanted != self.following {
            // A request the subscriber cannot take now is made again after the room's
            // next input (its poll, at the latest).
            self.following = if wanted {
                self.own.upgrade().is_some_and(|inbox| {
                    cluster.follow(
                        &self.stream,
                        RoomHandle {
                            meeting: self.meeting.id().clone(),
                            inbox,
                        },
                    )
                })
            } else {
                !cluster.unfollow(&self.stream)
            };
        }
        if self.presence_stale || self.presence.1 != self.subscribers.len() {
            let online: std::collections::BTreeMap<String, u32> = self
                .online()
                .into_iter()
                .map(|(member, devices)| (member.as_str().to_owned(), devices))
                .collect();
            if online != self.presence.0 {
                cluster.presence(&self.stream, online.clone());
            }
            self.presence = (online, self.subscribers.len());
            self.presence_stale = false;
        }
        let interval = cluster.poll_interval(self.following);
        let now = tokio::time::Instant::now();
        if self.next_poll <= now || self.next_poll > now + interval {
            self.next_poll = now + interval;
        }
    }
}

//! Committing a room's group: append, then answer each command and push the updates.
//! In a cluster a group that lost the race for the next event is decided again; a
//! group that cannot be committed goes back to the committed state (rebuilt from the
//! log when alone) and every command is answered retryable.

use std::time::{Duration, Instant};

use quorum_domain::EventRecord;
use quorum_protocol::{ErrorCode, RequestId, ServerMessage};
use quorum_store::{Append, Record, StoreError};

use crate::audit::ChainHead;
use crate::journal;
use crate::outbound::Frame;
use crate::telemetry;

use super::{CommandInput, CommandOutcome, Decided, Reply, Room};

impl Room {
    /// Commits the group's events, then answers its commands and pushes the updates.
    /// In a cluster, a group that lost the race for the meeting's next sequence number
    /// is decided again after the room has followed the log to its new head.
    pub(super) async fn commit(&mut self, mut group: Vec<Decided>) {
        if group.is_empty() {
            return;
        }
        let started = Instant::now();
        let mut losses = 0;
        loop {
            let pending = std::mem::take(&mut self.pending);
            let committed = if pending.poisoned {
                Err(StoreError::Invalid("decided events did not apply".into()))
            } else if pending.records.is_empty() {
                self.confirm(&group).await.map(|()| (self.head, Vec::new()))
            } else {
                self.append(&pending.records).await
            };
            match committed {
                Ok((head, stored)) => {
                    self.head = head;
                    self.before = None;
                    if !pending.records.is_empty() {
                        if let Some(cluster) = &self.cluster {
                            cluster.committed_meeting(&self.stream, &stored);
                        }
                        self.observer.committed(&self.meeting, &pending.records);
                        self.publish(&pending.records);
                    }
                    for decided in group {
                        self.answer(decided.request, decided.reply, decided.outcome);
                    }
                    return;
                }
                Err(StoreError::Conflict { head, .. })
                    if self.before.is_some() && started.elapsed() < crate::cluster::RACE_BUDGET =>
                {
                    losses += 1;
                    metrics::counter!(telemetry::COMMIT_CONFLICTS).increment(1);
                    tracing::debug!(meeting = %self.meeting.id(), head, losses, commands = group.len(), "lost the race for the next event; deciding again");
                    crate::cluster::after_lost_race(losses).await;
                    group = self.redecide(group).await;
                }
                Err(error) => {
                    self.fail(group, &error).await;
                    return;
                }
            }
        }
    }

    /// Cluster: a group that appends nothing was decided against the room's state, which
    /// may be behind the log. An append proves its group was decided on the latest state
    /// (it lands right after it, or fails); a rejection has no append to prove it, so the
    /// log's head is read instead: if another node has appended since, the rejection
    /// may be wrong ("not a participant" on a stale roster, "closed" on a poll that is
    /// not), and the group is decided again on the caught-up state.
    async fn confirm(&self, group: &[Decided]) -> Result<(), StoreError> {
        let rejects = group.iter().any(|decided| {
            !decided.replayed && matches!(decided.outcome, CommandOutcome::Rejected(_))
        });
        if self.before.is_none() || !rejects {
            return Ok(());
        }
        let head = self.store.head(&self.stream).await?;
        if head == self.head.seq {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                stream: self.stream.clone(),
                expected: self.head.seq,
                head,
            })
        }
    }

    /// Undoes a group that was not committed, follows the log to its head, and decides
    /// the group's commands again, in the same order, against that state.
    async fn redecide(&mut self, group: Vec<Decided>) -> Vec<Decided> {
        if let Some(before) = self.before.take() {
            self.meeting = before;
        }
        self.forget(&group);
        self.catch_up("conflict").await;
        self.before = Some(self.meeting.clone());
        group
            .into_iter()
            .map(|decided| {
                self.decide(CommandInput {
                    request: decided.request,
                    actor: decided.actor,
                    command: decided.command,
                    reply: decided.reply,
                })
            })
            .collect()
    }

    /// Forgets the answers decided in the group (not those replayed from earlier groups).
    fn forget(&mut self, group: &[Decided]) {
        for decided in group.iter().filter(|decided| !decided.replayed) {
            if let Some(request) = &decided.request {
                self.dedupe.forget(&decided.actor, request);
            }
        }
    }

    /// A group that could not be committed: back to the committed state, answer every
    /// command retryable. In a cluster that state is the copy taken before the group,
    /// brought up to the log's head (which holds the group's own events if an append
    /// whose outcome was lost did land); alone, the meeting is rebuilt from the log.
    /// Either way the devices here get every event they have not seen, in order.
    async fn fail(&mut self, group: Vec<Decided>, error: &StoreError) {
        tracing::warn!(meeting = %self.meeting.id(), %error, commands = group.len(), "commit failed; answering retryable");
        self.forget(&group);
        match self.before.take() {
            Some(before) => {
                self.meeting = before;
                self.pending = super::Pending::default();
                self.catch_up("failure").await;
            }
            None => self.rebuild().await,
        }
        let code = match error {
            StoreError::Invalid(_) | StoreError::Format(_) => ErrorCode::Internal,
            StoreError::Conflict { .. } | StoreError::Unavailable(_) => ErrorCode::Unavailable,
        };
        for decided in group {
            self.answer(decided.request, decided.reply, CommandOutcome::Failed(code));
        }
    }

    /// Appends the records chained after the room's head; returns the new head, and
    /// in a cluster the records as stored (for the other nodes).
    async fn append(
        &self,
        records: &[EventRecord],
    ) -> Result<(ChainHead, Vec<Record>), StoreError> {
        let after = records
            .first()
            .map_or(0, |record| record.seq.saturating_sub(1));
        if after != self.head.seq {
            return Err(StoreError::Invalid(format!(
                "the group follows event {after}, the chain ends at {}",
                self.head.seq
            )));
        }
        let (encoded, head) = journal::encode_meetings(&self.stream, records, self.head)
            .map_err(|error| StoreError::Invalid(error.to_string()))?;
        let stored = if self.cluster.is_some() {
            encoded.clone()
        } else {
            Vec::new()
        };
        let started = Instant::now();
        let result = self
            .store
            .append(Append {
                stream: self.stream.clone(),
                after,
                records: encoded,
            })
            .await;
        telemetry::commit(started.elapsed(), records.len(), result.is_ok());
        result.map(|()| (head, stored))
    }

    /// Reloads the committed state from the log (after a failed commit, or a record
    /// that would not apply), then pushes the devices the events they have not seen:
    /// as updates if the reloaded window holds them all, else as a fresh snapshot.
    pub(super) async fn rebuild(&mut self) {
        let mut delay = Duration::from_millis(50);
        let seen = self.head.seq;
        loop {
            match crate::hub::load_meeting(self.store.as_ref(), &self.stream).await {
                Ok(loaded) => {
                    self.pending = super::Pending::default();
                    self.meeting = loaded.meeting;
                    self.head = loaded.head;
                    let unseen: Vec<EventRecord> = loaded
                        .recent
                        .iter()
                        .filter(|record| record.seq > seen)
                        .cloned()
                        .collect();
                    self.recent = loaded.recent.into();
                    while self.recent.len() > self.limits.resume_window {
                        self.recent.pop_front();
                    }
                    let whole = unseen
                        .first()
                        .is_none_or(|first| first.seq == seen.saturating_add(1));
                    if whole {
                        super::fanout::publish(&self.meeting, &unseen, &mut self.subscribers);
                    } else {
                        self.resubscribe_all();
                    }
                    if !unseen.is_empty() {
                        self.observer.committed(&self.meeting, &unseen);
                    }
                    return;
                }
                Err(error) => {
                    tracing::error!(meeting = %self.meeting.id(), %error, "cannot reload the meeting; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    fn answer(&self, request: Option<RequestId>, reply: Reply, outcome: CommandOutcome) {
        match (reply, request) {
            (Reply::Nobody, _) | (Reply::Link(_), None) => {}
            (Reply::Direct(sender), _) => {
                let _ = sender.send(outcome);
            }
            (Reply::Link(link), Some(request)) => {
                let meeting = self.meeting.id().clone();
                let message = match outcome {
                    CommandOutcome::Acked { seq, receipt } => ServerMessage::Ack {
                        request,
                        meeting,
                        seq,
                        receipt,
                    },
                    CommandOutcome::Rejected(rejection) => {
                        ServerMessage::rejected(request, meeting, rejection)
                    }
                    CommandOutcome::Failed(code) => {
                        ServerMessage::error(code, Some(request), Some(meeting))
                    }
                };
                let _ = link.send(&Frame::message(&message));
            }
        }
    }
}

//! Committing a room's group: append, then answer each command and push the updates;
//! on failure, rebuild from the log and answer every command as retryable.

use std::time::{Duration, Instant};

use quorum_domain::EventRecord;
use quorum_protocol::{ErrorCode, RequestId, ServerMessage};
use quorum_store::{Append, StoreError};

use crate::audit::ChainHead;
use crate::journal;
use crate::outbound::Frame;
use crate::telemetry;

use super::{CommandOutcome, Decided, Reply, Room};

impl Room {
    /// Commits the group's events, then answers its commands and pushes the updates.
    pub(super) async fn commit(&mut self, group: Vec<Decided>) {
        if group.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let committed = if pending.poisoned {
            Err(StoreError::Invalid("decided events did not apply".into()))
        } else if pending.records.is_empty() {
            Ok(self.head)
        } else {
            self.append(&pending.records).await
        };
        match committed {
            Ok(head) => {
                self.head = head;
                if !pending.records.is_empty() {
                    self.observer.committed(&self.meeting, &pending.records);
                    self.publish(&pending.records);
                }
                for decided in group {
                    self.answer(decided.request, decided.reply, decided.outcome);
                }
            }
            Err(error) => {
                tracing::warn!(meeting = %self.meeting.id(), %error, commands = group.len(), "commit failed; rebuilding from the log");
                self.rebuild().await;
                for decided in group {
                    if let Some(request) = &decided.request {
                        self.dedupe.forget(&decided.actor, request);
                    }
                    let code = match &error {
                        StoreError::Invalid(_) | StoreError::Format(_) => ErrorCode::Internal,
                        StoreError::Conflict { .. } | StoreError::Unavailable(_) => {
                            ErrorCode::Unavailable
                        }
                    };
                    self.answer(decided.request, decided.reply, CommandOutcome::Failed(code));
                }
            }
        }
    }

    /// Appends the records chained after the room's head; returns the new head.
    async fn append(&self, records: &[EventRecord]) -> Result<ChainHead, StoreError> {
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
        result.map(|()| head)
    }

    /// Reloads the committed state after a failed commit.
    async fn rebuild(&mut self) {
        let mut delay = Duration::from_millis(50);
        loop {
            match crate::hub::load_meeting(self.store.as_ref(), &self.stream).await {
                Ok(loaded) => {
                    self.meeting = loaded.meeting;
                    self.head = loaded.head;
                    self.recent = loaded.recent.into();
                    while self.recent.len() > self.limits.resume_window {
                        self.recent.pop_front();
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

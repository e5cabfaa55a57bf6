//! The outbox worker: tails every meeting log from its cursor, enqueues the notices its
//! events call for, and delivers them with bounded concurrency, retries and capped
//! exponential backoff with jitter. The only writer of the `outbox` stream.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use quorum_domain::{MeetingId, UnitId};
use quorum_store::{Append, EventLog, Record, StoreError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::config::OutboxConfig;
use super::derive::{self, Recipient};
use super::email::Mailer;
use super::ledger::{Channel, Enqueued, Ledger, OUTBOX_STREAM, OutboxEvent, Outcome};
use super::link::{LinkKey, TOKEN_PLACEHOLDER};
use super::push;
use super::webhook::{self, Answer, Target};
use crate::hub::Hub;
use crate::{clock, journal};

/// Meeting events read per request.
const READ_CHUNK: usize = 1_000;
/// Events scanned without a notice after which the cursor is recorded anyway, so that a
/// restart does not read a long log again.
const CURSOR_EVERY: u64 = 1_000;

/// Everything the worker needs, resolved at start.
pub(super) struct Worker {
    pub(super) hub: Hub,
    pub(super) store: Arc<dyn EventLog>,
    pub(super) ledger: Ledger,
    pub(super) recipients: Vec<Recipient>,
    pub(super) secrets: HashMap<UnitId, String>,
    pub(super) mailer: Option<Mailer>,
    pub(super) key: LinkKey,
    pub(super) config: OutboxConfig,
    /// Where each meeting was read up to (ahead of the recorded cursor).
    pub(super) scanned: HashMap<MeetingId, u64>,
    pub(super) in_flight: HashSet<String>,
}

/// What one attempt came to.
struct Finished {
    id: String,
    answer: Answer,
}

impl Worker {
    /// Runs until `stop` turns true, then waits for the attempts in flight (each is
    /// bounded by the timeout) and records them.
    pub(super) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut attempts: JoinSet<Finished> = JoinSet::new();
        let poll = Duration::from_millis(self.config.poll_ms);
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(error) = self.scan().await {
                tracing::warn!(%error, "outbox: cannot read the meeting logs; retrying");
            }
            self.dispatch(&mut attempts);
            let wake = self.next_due().map_or(poll, |due| {
                let wait = due.saturating_sub(clock::now().0).max(0);
                Duration::from_millis(u64::try_from(wait).unwrap_or(0)).min(poll)
            });
            tokio::select! {
                _ = stop.changed() => {}
                Some(joined) = attempts.join_next(), if !attempts.is_empty() => {
                    if let Ok(finished) = joined {
                        self.finish(finished).await;
                    }
                }
                () = tokio::time::sleep(wake) => {}
            }
        }
        while let Some(joined) = attempts.join_next().await {
            if let Ok(finished) = joined {
                self.finish(finished).await;
            }
        }
        tracing::debug!("outbox stopped");
    }

    /// Reads every meeting's new events and enqueues their notices, durably, together
    /// with the cursor.
    async fn scan(&mut self) -> Result<(), ScanError> {
        let streams = self.store.streams(journal::MEETING_PREFIX).await?;
        for stream in streams {
            let Some(meeting) = journal::stream_meeting(&stream) else {
                continue;
            };
            let head = self.store.head(&stream).await?;
            let from = self
                .scanned
                .get(&meeting)
                .copied()
                .unwrap_or_else(|| self.ledger.cursor(&meeting));
            if head <= from {
                continue;
            }
            // The room's state is read after the head, so it holds every event up to it.
            let Some(state) = self.hub.room_or_load(&meeting).await else {
                continue;
            };
            let Some(state) = state.inspect().await else {
                continue;
            };
            let until = head.min(state.seq());
            let mut after = from;
            let mut drafts: Vec<Enqueued> = Vec::new();
            let public_url = self.hub.config().public_url();
            while after < until {
                let records = self.store.read(&stream, after, READ_CHUNK).await?;
                if records.is_empty() {
                    break;
                }
                for record in &records {
                    if record.seq > until {
                        break;
                    }
                    after = record.seq;
                    let event = journal::decode_meeting(&stream, record)?;
                    for draft in derive::notices(
                        &state,
                        &event,
                        &self.recipients,
                        &public_url,
                        clock::now().0,
                    ) {
                        if !self.ledger.knows(&draft.id) && self.reachable(&draft).await {
                            drafts.push(draft);
                        }
                    }
                }
            }
            let recorded = self.ledger.cursor(&meeting);
            if !drafts.is_empty() || after.saturating_sub(recorded) >= CURSOR_EVERY {
                let mut events: Vec<OutboxEvent> =
                    drafts.into_iter().map(OutboxEvent::Enqueued).collect();
                let count = events.len();
                events.push(OutboxEvent::Scanned {
                    meeting: meeting.clone(),
                    seq: after,
                });
                self.append(events).await?;
                if count > 0 {
                    tracing::info!(%meeting, notices = count, "outbox: notices enqueued");
                }
            }
            self.scanned.insert(meeting, after);
        }
        Ok(())
    }

    /// Whether a notice has anywhere to go: a push only to a member with a subscribed
    /// browser, so that members without one fill neither the stream nor the
    /// secretary's list. (A member who subscribes later gets the later pushes.)
    async fn reachable(&self, notice: &Enqueued) -> bool {
        match (&notice.channel, &notice.member) {
            // On a store error it is kept, and its delivery tries again.
            (Channel::Push, Some(member)) => {
                match crate::push::subscriptions::list(self.store.as_ref(), member).await {
                    Ok(found) => !found.is_empty(),
                    Err(_) => true,
                }
            }
            _ => true,
        }
    }

    /// Starts the attempts that are due, up to the concurrency limit.
    fn dispatch(&mut self, attempts: &mut JoinSet<Finished>) {
        let now = clock::now().0;
        let due: Vec<Enqueued> = self
            .ledger
            .pending()
            .filter(|(notice, next_at)| {
                *next_at <= now && !self.in_flight.contains(&notice.enqueued.id)
            })
            .map(|(notice, _)| notice.enqueued.clone())
            .take(self.config.concurrency.saturating_sub(self.in_flight.len()))
            .collect();
        for notice in due {
            self.in_flight.insert(notice.id.clone());
            let body = self.body(&notice);
            let timeout = Duration::from_millis(self.config.timeout_ms);
            let id = notice.id.clone();
            match notice.channel {
                Channel::Webhook => {
                    let secret = notice
                        .unit
                        .as_ref()
                        .and_then(|unit| self.secrets.get(unit))
                        .cloned();
                    attempts.spawn(async move {
                        let answer = match (Target::parse(&notice.target), secret) {
                            (Ok(target), Some(secret)) => {
                                let timestamp = clock::now().0.div_euclid(1000);
                                webhook::deliver(&target, &secret, &id, body, timestamp, timeout)
                                    .await
                            }
                            (Err(reason), _) => {
                                Answer::Refused(format!("{}: {reason}", notice.target))
                            }
                            (_, None) => {
                                Answer::Refused("the unit has no webhook secret any more".into())
                            }
                        };
                        Finished { id, answer }
                    });
                }
                Channel::Push => {
                    let store = Arc::clone(&self.store);
                    let vapid = Arc::clone(self.hub.push());
                    attempts.spawn(async move {
                        let answer = match &notice.member {
                            Some(member) => {
                                push::deliver(store.as_ref(), &vapid, member, &body, timeout).await
                            }
                            None => Answer::Refused("a push names no member".into()),
                        };
                        Finished { id, answer }
                    });
                }
                Channel::Email => {
                    let mailer = self.mailer.clone();
                    attempts.spawn(async move {
                        let answer = match mailer {
                            // lettre bounds each SMTP command; this bounds the session,
                            // so that a shutdown never waits on a slow relay for long.
                            Some(mailer) => {
                                let limit = timeout.saturating_mul(3);
                                tokio::time::timeout(
                                    limit,
                                    mailer.send(&notice.target, &notice.subject, body, &id),
                                )
                                .await
                                .unwrap_or_else(|_| {
                                    Answer::Failed(format!(
                                        "SMTP timeout after {} ms",
                                        limit.as_millis()
                                    ))
                                })
                            }
                            None => Answer::Refused("[smtp] is not configured".into()),
                        };
                        Finished { id, answer }
                    });
                }
            }
        }
    }

    /// The body as sent: the stored one with the directive's status token filled in.
    fn body(&self, notice: &Enqueued) -> String {
        let Some(directive) = &notice.directive else {
            return notice.body.clone();
        };
        let Some(unit) = &notice.unit else {
            return notice.body.clone();
        };
        let token = self.key.token(&notice.meeting, directive, unit);
        match notice.channel {
            Channel::Email => notice.body.replace(TOKEN_PLACEHOLDER, &token),
            Channel::Webhook => match serde_json::from_str::<serde_json::Value>(&notice.body) {
                Ok(mut document) => {
                    if let Some(object) = document.as_object_mut() {
                        object.insert("status_token".into(), token.into());
                    }
                    document.to_string()
                }
                Err(_) => notice.body.clone(),
            },
            Channel::Push => notice.body.clone(),
        }
    }

    /// Records an attempt, and its delivery or the end of its retries.
    async fn finish(&mut self, finished: Finished) {
        self.in_flight.remove(&finished.id);
        let Some(notice) = self.ledger.notice(&finished.id) else {
            return;
        };
        let n = u32::try_from(notice.attempts.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let at = clock::now().0;
        let (outcome, error, next_at) = match &finished.answer {
            Answer::Accepted => (Outcome::Delivered, None, None),
            Answer::Refused(error) => (Outcome::Permanent, Some(error.clone()), None),
            Answer::Failed(error) if n >= self.config.max_attempts => (
                Outcome::Permanent,
                Some(format!("{error}; no attempts left")),
                None,
            ),
            Answer::Failed(error) => (
                Outcome::Retry,
                Some(error.clone()),
                Some(at.saturating_add(backoff(&self.config, n))),
            ),
        };
        let mut events = vec![OutboxEvent::Attempt {
            id: finished.id.clone(),
            n,
            at,
            outcome,
            error: error.clone(),
            next_at,
        }];
        match outcome {
            Outcome::Delivered => events.push(OutboxEvent::Delivered {
                id: finished.id.clone(),
                at,
            }),
            Outcome::Permanent => events.push(OutboxEvent::GaveUp {
                id: finished.id.clone(),
                at,
            }),
            Outcome::Retry => {}
        }
        match outcome {
            Outcome::Delivered => {
                tracing::info!(id = %finished.id, attempt = n, "outbox: delivered")
            }
            Outcome::Retry => {
                tracing::warn!(id = %finished.id, attempt = n, error = error.as_deref().unwrap_or(""), "outbox: attempt failed; will retry")
            }
            Outcome::Permanent => {
                tracing::warn!(id = %finished.id, attempt = n, error = error.as_deref().unwrap_or(""), "outbox: gave up")
            }
        }
        // If this cannot be written the attempt is simply made again later: at least
        // once, never lost.
        if let Err(error) = self.append(events).await {
            tracing::warn!(%error, id = %finished.id, "outbox: cannot record an attempt");
        }
    }

    /// When the next pending notice not in flight is due.
    fn next_due(&self) -> Option<i64> {
        self.ledger
            .pending()
            .filter(|(notice, _)| !self.in_flight.contains(&notice.enqueued.id))
            .map(|(_, next_at)| next_at)
            .min()
    }

    /// Appends to the `outbox` stream after its head, and applies what was written.
    async fn append(&mut self, events: Vec<OutboxEvent>) -> Result<(), ScanError> {
        let after = self.ledger.head();
        let at = clock::now().0;
        let mut records = Vec::with_capacity(events.len());
        for (offset, event) in (1u64..).zip(&events) {
            records.push(Record {
                seq: after.saturating_add(offset),
                at,
                body: serde_json::to_string(event)?,
            });
        }
        self.store
            .append(Append {
                stream: OUTBOX_STREAM.to_owned(),
                after,
                records,
            })
            .await?;
        for (offset, event) in (1u64..).zip(&events) {
            self.ledger.apply(after.saturating_add(offset), event);
        }
        Ok(())
    }
}

/// The wait after the `n`th failed attempt: `initial · 2^(n-1)`, capped, with "equal
/// jitter" (a random point in its upper half) so that receivers that come back are not
/// hit by every hub at once.
pub(super) fn backoff(config: &OutboxConfig, n: u32) -> i64 {
    let exponent = n.saturating_sub(1).min(30);
    let full = config
        .backoff_initial_ms
        .saturating_mul(1u64 << exponent)
        .min(config.backoff_cap_ms.max(config.backoff_initial_ms));
    let half = full / 2;
    let jitter = getrandom::u64().unwrap_or(0) % half.saturating_add(1);
    i64::try_from(half.saturating_add(jitter)).unwrap_or(i64::MAX)
}

/// Why a scan or a record failed (logged; the worker tries again).
#[derive(Debug, thiserror::Error)]
pub(super) enum ScanError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A meeting record does not decode.
    #[error(transparent)]
    Corrupt(#[from] journal::CorruptRecord),
    /// Encoding failed (a bug).
    #[error(transparent)]
    Encode(#[from] serde_json::Error),
}

/// Reads the whole `outbox` stream into a ledger.
pub(super) async fn load(store: &dyn EventLog) -> Result<Ledger, super::OutboxError> {
    let mut ledger = Ledger::default();
    let mut after = 0;
    loop {
        let records = store.read(OUTBOX_STREAM, after, 10_000).await?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        for record in &records {
            let event: OutboxEvent = serde_json::from_str(&record.body).map_err(|source| {
                super::OutboxError::Corrupt {
                    seq: record.seq,
                    source,
                }
            })?;
            ledger.apply(record.seq, &event);
        }
    }
    Ok(ledger)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let config = OutboxConfig {
            backoff_initial_ms: 1_000,
            backoff_cap_ms: 8_000,
            ..OutboxConfig::default()
        };
        for (n, full) in [
            (1, 1_000),
            (2, 2_000),
            (3, 4_000),
            (4, 8_000),
            (9, 8_000),
            (40, 8_000),
        ] {
            let wait = backoff(&config, n);
            assert!((full / 2..=full).contains(&wait), "attempt {n}: {wait}");
        }
    }
}

//! The notification outbox: notices to units (signed webhooks, e-mail) about the
//! directives they were given and the meeting's results, derived from the committed
//! meeting events, recorded durably in the `outbox` stream before anything is sent, and
//! delivered at least once, each under a stable id, by a background worker.
//!
//! **Invariant:** a notice is enqueued (durably) before its first attempt, its id is a
//! function of (meeting, event, unit, channel), and the worker's cursor over each
//! meeting log advances only in the same append as the notices it produced: a crash at
//! any point loses nothing and enqueues nothing twice.

pub mod config;
pub mod derive;
pub mod email;
pub mod ledger;
pub mod link;
pub mod push;
pub mod webhook;
mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use quorum_domain::{MeetingId, UnitId};
use quorum_store::{EventLog, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::hub::Hub;
use derive::Recipient;
pub use ledger::{Channel, Notice, NoticeState, OUTBOX_STREAM};
pub use link::LinkKey;

/// Why the outbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The event log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A record of the `outbox` stream does not decode.
    #[error("outbox record {seq} is unreadable: {source}")]
    Corrupt {
        /// The record.
        seq: u64,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A unit or the SMTP relay is misconfigured.
    #[error("invalid setting: {0}")]
    Config(String),
    /// The directive-link key could not be read or made.
    #[error("cannot open the directive-link key: {0}")]
    Key(#[from] std::io::Error),
}

/// The running outbox worker.
pub struct Outbox {
    stop: watch::Sender<bool>,
    /// None when no unit is configured: nothing to tail, nothing to send.
    task: Option<JoinHandle<()>>,
}

impl Outbox {
    /// Reads the `outbox` stream and starts the worker: for the hub's configured units,
    /// and for Web Push to members' browsers (which needs no configuration).
    pub async fn start(hub: Hub) -> Result<Outbox, OutboxError> {
        let config = hub.config().clone();
        let mut recipients = Vec::with_capacity(config.units.len());
        let mut secrets = HashMap::new();
        for unit in &config.units {
            let id = UnitId::new(unit.id.clone())
                .map_err(|_| OutboxError::Config(format!("unit id `{}`", unit.id)))?;
            if unit.webhook_url.is_some() {
                let secret = unit
                    .resolve_secret()
                    .map_err(OutboxError::Config)?
                    .ok_or_else(|| {
                        OutboxError::Config(format!("unit `{}` has no webhook secret", unit.id))
                    })?;
                secrets.insert(id.clone(), secret);
            }
            recipients.push(Recipient {
                id,
                name: if unit.name.is_empty() {
                    unit.id.clone()
                } else {
                    unit.name.clone()
                },
                webhook_url: unit.webhook_url.clone(),
                email: unit.email.clone(),
                results: unit.results,
            });
        }
        let timeout = std::time::Duration::from_millis(config.outbox.timeout_ms);
        let mailer = match &config.smtp {
            Some(smtp) => Some(email::Mailer::new(smtp, timeout).map_err(OutboxError::Config)?),
            None => None,
        };
        let key = LinkKey::of_hub(&hub).await?;
        let store = Arc::clone(hub.store());
        let ledger = worker::load(store.as_ref()).await?;
        let (stop, stopped) = watch::channel(false);
        let worker = worker::Worker {
            hub,
            store,
            ledger,
            recipients,
            secrets,
            mailer,
            key,
            config: config.outbox.clone(),
            scanned: HashMap::new(),
            in_flight: Default::default(),
        };
        let task = tokio::spawn(worker.run(stopped));
        Ok(Outbox {
            stop,
            task: Some(task),
        })
    }

    /// Stops the worker: no new attempt starts; those in flight finish (each bounded
    /// by the timeout) and are recorded.
    pub async fn stop(self) {
        self.stop.send_replace(true);
        let Some(task) = self.task else { return };
        if let Err(error) = task.await {
            tracing::warn!(%error, "the outbox worker ended abnormally");
        }
    }
}

/// The notices of a meeting with their delivery state, read from the log.
pub async fn notices(
    store: &dyn EventLog,
    meeting: &MeetingId,
) -> Result<Vec<Notice>, OutboxError> {
    let ledger = worker::load(store).await?;
    Ok(ledger.of_meeting(meeting).cloned().collect())
}

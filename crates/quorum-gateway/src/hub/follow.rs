//! Cluster: how the hub keeps up with what other nodes append outside the meetings it
//! follows: sessions and codes in the `hub` stream, and meetings created elsewhere.
//! Notices from the fan-out say when; a slow poll covers what the fan-out loses.

use std::sync::{Arc, Weak};
use std::time::Duration;

use quorum_domain::MeetingId;
use tokio::sync::mpsc;

use crate::access::{AccessError, HUB_STREAM, HubEvent, Principal};
use crate::cluster::HubNotice;
use crate::journal;
use crate::room::RoomHandle;

use super::{Hub, HubError, Inner, READ_CHUNK, load_meeting};

impl Hub {
    /// The principal of a presented session token. In a cluster, a token this node
    /// does not know yet (just opened on another node) is looked up in the log first.
    pub async fn authenticate_fresh(&self, token: &str) -> Result<Principal, AccessError> {
        match self.authenticate(token) {
            Err(AccessError::Invalid) if self.inner.cluster.is_some() => {
                if let Err(error) = self.refresh_access().await {
                    tracing::warn!(%error, "cannot read the hub stream");
                }
                self.authenticate(token)
            }
            other => other,
        }
    }

    /// Reads the `hub` stream past what this node has applied. Sessions revoked on
    /// another node lose their connections here too.
    pub async fn refresh_access(&self) -> Result<(), HubError> {
        loop {
            let after = self.access_read()?.seq();
            let records = self.inner.store.read(HUB_STREAM, after, READ_CHUNK).await?;
            if records.is_empty() {
                return Ok(());
            }
            let mut revoked = Vec::new();
            {
                let mut access = self
                    .inner
                    .access
                    .write()
                    .map_err(|_| HubError::Invalid("access state poisoned".into()))?;
                for record in &records {
                    // Another task may have applied some of them meanwhile.
                    if record.seq != access.seq() + 1 {
                        continue;
                    }
                    let event = journal::decode_hub(record)?;
                    if let HubEvent::SessionRevoked { session } = &event {
                        revoked.push(session.clone());
                    }
                    access.apply(record.seq, &event);
                }
            }
            for session in &revoked {
                self.inner.directory.revoke(session);
            }
        }
    }

    /// A meeting's room; in a cluster, a meeting created on another node is loaded
    /// from the log the first time this node is asked for it.
    pub async fn room_or_load(&self, meeting: &MeetingId) -> Option<RoomHandle> {
        if let Some(room) = self.room(meeting) {
            return Some(room);
        }
        self.inner.cluster.as_ref()?;
        let stream = journal::meeting_stream(meeting);
        if let Err(error) = self.discover(&stream).await {
            tracing::warn!(%error, %stream, "cannot load a meeting created elsewhere");
        }
        self.room(meeting)
    }

    /// Starts the room of a meeting stream this node does not run yet, if the log has
    /// it. Devices here signed in for that meeting get its invitations and alerts.
    async fn discover(&self, stream: &str) -> Result<(), HubError> {
        let Some(meeting) = journal::stream_meeting(stream) else {
            return Ok(());
        };
        if self.inner.directory.contains(&meeting) {
            return Ok(());
        }
        let _creating = self.inner.creating.lock().await;
        if self.inner.directory.contains(&meeting) || self.inner.store.head(stream).await? == 0 {
            return Ok(());
        }
        let loaded = load_meeting(self.inner.store.as_ref(), stream).await?;
        let state = loaded.meeting.clone();
        let records = loaded.recent.clone();
        self.start_room(loaded);
        crate::room::RoomObserver::committed(self.inner.directory.as_ref(), &state, &records);
        tracing::info!(meeting = %meeting, "meeting created on another node loaded");
        Ok(())
    }

    /// Starts rooms for every meeting in the log this node does not run yet.
    async fn discover_all(&self) -> Result<(), HubError> {
        for stream in self.inner.store.streams(journal::MEETING_PREFIX).await? {
            self.discover(&stream).await?;
        }
        Ok(())
    }
}

/// Follows the hub's notices and polls the log every `every`, for as long as the hub
/// lives.
pub(super) async fn follow(
    hub: Weak<Inner>,
    mut notices: mpsc::Receiver<HubNotice>,
    every: Duration,
) {
    let mut poll = tokio::time::interval(every);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let notice = tokio::select! {
            notice = notices.recv() => match notice {
                Some(notice) => Some(notice),
                None => return,
            },
            _ = poll.tick() => None,
        };
        let Some(inner) = hub.upgrade() else { return };
        let hub = Hub {
            inner: Arc::clone(&inner),
        };
        let result = match notice {
            Some(HubNotice::Advanced { stream, .. }) if stream == HUB_STREAM => {
                hub.refresh_access().await
            }
            Some(HubNotice::Advanced { stream, .. }) => {
                match journal::stream_meeting(&stream).and_then(|id| hub.room(&id)) {
                    Some(room) => {
                        room.catch_up();
                        Ok(())
                    }
                    None => hub.discover(&stream).await,
                }
            }
            Some(HubNotice::Resubscribed) | None => match hub.refresh_access().await {
                Ok(()) => hub.discover_all().await,
                Err(error) => Err(error),
            },
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cannot follow the other nodes' appends");
        }
    }
}

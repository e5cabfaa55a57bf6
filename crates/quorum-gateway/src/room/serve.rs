//! A room's reads of its committed state: subscriptions with snapshots or resumes,
//! views, and the publishing of committed events to subscribers.

use std::collections::{BTreeMap, HashMap};

use quorum_domain::view::{SharedViews, StateViews};
use quorum_domain::{EventRecord, MemberId, ViewChange, Viewer};
use quorum_protocol::{ErrorCode, ServerMessage, Update};

use crate::outbound::{Frame, Link};

use super::fanout::{self, Subscriber};
use super::{Room, RoomInput};

impl Room {
    /// Answers a request that reads the committed state. In a cluster, a read first
    /// follows the log to its head, so that what a device is shown is never behind
    /// what another node has acknowledged.
    pub(super) async fn serve(&mut self, input: RoomInput) {
        let reads = matches!(
            input,
            RoomInput::Subscribe { .. } | RoomInput::View { .. } | RoomInput::Inspect { .. }
        );
        if reads && self.cluster.is_some() {
            self.catch_up("read").await;
        }
        match input {
            RoomInput::Command(_) => {}
            RoomInput::Remote { head, records } => self.remote(head, records).await,
            RoomInput::CatchUp => self.catch_up("poll").await,
            RoomInput::Online { reply } => {
                let _ = reply.send(self.online());
            }
            RoomInput::Subscribe {
                link,
                viewer,
                since,
            } => self.subscribe(link, viewer, since),
            RoomInput::Unsubscribe { connection } => {
                self.subscribers
                    .retain(|subscriber| subscriber.link.connection != connection);
                self.presence_stale = true;
            }
            RoomInput::View { viewer, reply } => {
                let _ = reply.send(self.meeting.view(&viewer));
            }
            RoomInput::Inspect { reply } => {
                let _ = reply.send(self.meeting.clone());
            }
        }
    }

    fn subscribe(&mut self, link: Link, viewer: Viewer, since: Option<u64>) {
        let meeting = self.meeting.id().clone();
        let Some(view) = self.meeting.view(&viewer) else {
            let _ = link.send(&Frame::message(&ServerMessage::error(
                ErrorCode::Forbidden,
                None,
                Some(meeting),
            )));
            return;
        };
        let seq = self.meeting.seq();
        let audience = view.audience;
        let message = match since {
            None => ServerMessage::Snapshot { meeting, view },
            Some(since) => match self.missed(&viewer, since) {
                Some(updates) => ServerMessage::Resumed {
                    meeting,
                    recovered: true,
                    updates,
                    snapshot: None,
                },
                None => {
                    tracing::debug!(meeting = %meeting, since, seq, "resume outside the window: snapshot");
                    ServerMessage::Resumed {
                        meeting,
                        recovered: false,
                        updates: Vec::new(),
                        snapshot: Some(view),
                    }
                }
            },
        };
        if link.send(&Frame::message(&message)).is_ok() {
            self.subscribers
                .retain(|subscriber| subscriber.link.connection != link.connection);
            self.subscribers.push(Subscriber {
                link,
                viewer,
                audience,
            });
            self.presence_stale = true;
        }
    }

    /// The updates after `since`, if the window still holds every one of them: one
    /// update covering them all, their changes coalesced (none if nothing was missed).
    ///
    /// Every missed event's changes are told as of the current state, so what a whole
    /// audience is told of each is the same for every device that resumes before the
    /// next commit: it is kept (`Resumes`), and when a whole hall reconnects at once
    /// each record's shared parts are computed once, not once per device.
    fn missed(&mut self, viewer: &Viewer, since: u64) -> Option<Vec<Update>> {
        let seq = self.meeting.seq();
        if since > seq {
            return None;
        }
        let oldest = self.recent.front().map_or(seq.saturating_add(1), |r| r.seq);
        if since.saturating_add(1) < oldest {
            return None;
        }
        if self.resumes.seq != seq {
            self.resumes = Resumes {
                seq,
                ..Resumes::default()
            };
        }
        let missed = || self.recent.iter().filter(|record| record.seq > since);
        let (Some(first), Some(last)) = (missed().next(), missed().next_back()) else {
            return Some(Vec::new());
        };
        let (first_seq, last_seq, at) = (first.seq, last.seq, last.at);
        let mut changes = Vec::new();
        for record in missed() {
            let shared = self.resumes.shared.entry(record.seq).or_default();
            let told = self.meeting.view_changes_sharing(
                &record.event,
                viewer,
                &mut self.resumes.state,
                shared,
            )?;
            changes.extend(told.changes);
        }
        Some(vec![Update {
            first_seq,
            seq: last_seq,
            at,
            changes: ViewChange::coalesce(changes),
        }])
    }

    /// The members with devices subscribed here, and how many each.
    pub(super) fn online(&self) -> BTreeMap<MemberId, u32> {
        let mut online = BTreeMap::new();
        for subscriber in &self.subscribers {
            if let Viewer::Member { member } = &subscriber.viewer {
                let devices: &mut u32 = online.entry(member.clone()).or_default();
                *devices = devices.saturating_add(1);
            }
        }
        online
    }

    /// Sends every subscriber a fresh snapshot (after the state was rebuilt).
    pub(super) fn resubscribe_all(&mut self) {
        let meeting = self.meeting.id().clone();
        let state = &self.meeting;
        self.subscribers
            .retain_mut(|subscriber| match state.view(&subscriber.viewer) {
                Some(view) => {
                    subscriber.audience = view.audience;
                    subscriber
                        .link
                        .send(&Frame::message(&ServerMessage::Snapshot {
                            meeting: meeting.clone(),
                            view,
                        }))
                        .is_ok()
                }
                None => false,
            });
    }

    /// Pushes committed records to every subscriber and keeps them for resumes.
    pub(super) fn publish(&mut self, records: &[EventRecord]) {
        self.resumes = Resumes::default();
        fanout::publish(&self.meeting, records, &mut self.subscribers);
        for record in records {
            self.recent.push_back(record.clone());
            if self.recent.len() > self.limits.resume_window {
                self.recent.pop_front();
            }
        }
    }
}

/// The parts of missed events' changes that a whole audience is told, kept for the
/// resumes made while the meeting stays at `seq` (they are told as of that state).
#[derive(Debug, Default)]
pub(super) struct Resumes {
    seq: u64,
    state: StateViews,
    shared: HashMap<u64, SharedViews>,
}

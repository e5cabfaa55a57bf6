//! The hub's index of meetings and of live connections: which rooms exist, who takes
//! part in which meeting, and the lobby that carries invitations, alerts and status
//! changes to each signed-in person, wherever they are in the app.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, RwLock};

use quorum_domain::meeting::event::MeetingEvent;
use quorum_domain::meeting::settings::{MeetingKind, MeetingStatus};
use quorum_domain::{EventRecord, Meeting, MeetingId, MemberId, Role, Timestamp};
use quorum_protocol::{LobbyEvent, ServerMessage};
use serde::Serialize;

use crate::outbound::{Frame, Link, Outbound};
use crate::room::{RoomHandle, RoomObserver};
use crate::token::SecretDigest;

/// A line of a meeting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingSummary {
    /// The meeting.
    pub id: MeetingId,
    /// Its title.
    pub title: String,
    /// Routine or urgent.
    pub kind: MeetingKind,
    /// Scheduled, open or closed.
    pub status: MeetingStatus,
    /// When it is scheduled.
    pub scheduled_at: Timestamp,
    /// Where.
    pub location: String,
    /// Its last sequence number.
    pub seq: u64,
    /// How many take part.
    pub participants: usize,
}

impl MeetingSummary {
    fn of(meeting: &Meeting) -> MeetingSummary {
        let details = meeting.details();
        MeetingSummary {
            id: meeting.id().clone(),
            title: details.title.clone(),
            kind: details.kind,
            status: meeting.status(),
            scheduled_at: details.scheduled_at,
            location: details.location.clone(),
            seq: meeting.seq(),
            participants: meeting.participants().len(),
        }
    }
}

struct Entry {
    room: RoomHandle,
    summary: MeetingSummary,
    roles: BTreeMap<MemberId, Role>,
}

/// Meetings and connections.
#[derive(Default)]
pub struct Directory {
    meetings: RwLock<BTreeMap<MeetingId, Entry>>,
    by_member: Mutex<HashMap<MemberId, Vec<Link>>>,
    by_session: Mutex<HashMap<SecretDigest, Vec<Link>>>,
}

impl Directory {
    /// Adds a meeting's running room.
    pub fn insert(&self, meeting: &Meeting, room: RoomHandle) {
        let entry = Entry {
            room,
            summary: MeetingSummary::of(meeting),
            roles: roles(meeting),
        };
        if let Ok(mut meetings) = self.meetings.write() {
            meetings.insert(meeting.id().clone(), entry);
            metrics::gauge!(crate::telemetry::ROOMS).set(meetings.len() as f64);
        }
    }

    /// A meeting's room.
    pub fn room(&self, meeting: &MeetingId) -> Option<RoomHandle> {
        let meetings = self.meetings.read().ok()?;
        meetings.get(meeting).map(|entry| entry.room.clone())
    }

    /// Whether the meeting exists.
    pub fn contains(&self, meeting: &MeetingId) -> bool {
        self.meetings
            .read()
            .is_ok_and(|meetings| meetings.contains_key(meeting))
    }

    /// One meeting's summary.
    pub fn summary(&self, meeting: &MeetingId) -> Option<MeetingSummary> {
        let meetings = self.meetings.read().ok()?;
        meetings.get(meeting).map(|entry| entry.summary.clone())
    }

    /// Every meeting (for administrators).
    pub fn all(&self) -> Vec<MeetingSummary> {
        self.meetings.read().map_or_else(
            |_| Vec::new(),
            |meetings| {
                meetings
                    .values()
                    .map(|entry| entry.summary.clone())
                    .collect()
            },
        )
    }

    /// The meetings a member takes part in, with their role.
    pub fn of_member(&self, member: &MemberId) -> Vec<(MeetingSummary, Role)> {
        self.meetings.read().map_or_else(
            |_| Vec::new(),
            |meetings| {
                meetings
                    .values()
                    .filter_map(|entry| {
                        let role = entry.roles.get(member)?;
                        Some((entry.summary.clone(), *role))
                    })
                    .collect()
            },
        )
    }

    /// Registers a signed-in connection for its lobby and its session.
    pub fn connect(&self, session: &SecretDigest, member: Option<&MemberId>, link: &Link) {
        if let Some(member) = member
            && let Ok(mut by_member) = self.by_member.lock()
        {
            by_member
                .entry(member.clone())
                .or_default()
                .push(link.clone());
        }
        if let Ok(mut by_session) = self.by_session.lock() {
            by_session
                .entry(session.clone())
                .or_default()
                .push(link.clone());
        }
    }

    /// Forgets a connection.
    pub fn disconnect(&self, session: &SecretDigest, member: Option<&MemberId>, connection: u64) {
        if let Some(member) = member
            && let Ok(mut by_member) = self.by_member.lock()
        {
            remove_link(&mut by_member, member, connection);
        }
        if let Ok(mut by_session) = self.by_session.lock() {
            remove_link(&mut by_session, session, connection);
        }
    }

    /// Closes every connection of a revoked session.
    pub fn revoke(&self, session: &SecretDigest) {
        let links = self
            .by_session
            .lock()
            .ok()
            .and_then(|mut by_session| by_session.remove(session))
            .unwrap_or_default();
        let close = std::sync::Arc::new(Frame::Close(
            crate::close::UNAUTHENTICATED,
            "session revoked",
        ));
        for link in links {
            let _ = link.send(&close);
        }
    }

    /// Sends a lobby event to each of `members`' connections.
    fn notify<'a>(&self, members: impl IntoIterator<Item = &'a MemberId>, event: LobbyEvent) {
        let frame: Outbound = Frame::message(&ServerMessage::Lobby { event });
        let Ok(by_member) = self.by_member.lock() else {
            return;
        };
        for member in members {
            for link in by_member.get(member).into_iter().flatten() {
                let _ = link.send(&frame);
            }
        }
    }
}

impl RoomObserver for Directory {
    fn committed(&self, meeting: &Meeting, records: &[EventRecord]) {
        let summary = MeetingSummary::of(meeting);
        let roster_changed = records.iter().any(|record| {
            matches!(
                record.event,
                MeetingEvent::ParticipantsInvited { .. }
                    | MeetingEvent::ParticipantUpdated { .. }
                    | MeetingEvent::ParticipantRemoved { .. }
            )
        });
        if let Ok(mut meetings) = self.meetings.write()
            && let Some(entry) = meetings.get_mut(meeting.id())
        {
            entry.summary = summary;
            if roster_changed {
                entry.roles = roles(meeting);
            }
        }
        for record in records {
            self.lobby(meeting, &record.event);
        }
    }
}

impl Directory {
    fn lobby(&self, meeting: &Meeting, event: &MeetingEvent) {
        let id = meeting.id().clone();
        let details = meeting.details();
        let everyone = || meeting.participants().keys();
        match event {
            MeetingEvent::ParticipantsInvited { invitees, .. } => {
                for invitee in invitees {
                    self.notify(
                        [&invitee.member],
                        LobbyEvent::Invited {
                            meeting: id.clone(),
                            title: details.title.clone(),
                            meeting_kind: details.kind,
                            scheduled_at: details.scheduled_at,
                            role: invitee.role,
                        },
                    );
                }
            }
            MeetingEvent::AlertRaised {
                number, message, ..
            } => self.notify(
                everyone(),
                LobbyEvent::Alert {
                    meeting: id,
                    title: details.title.clone(),
                    number: *number,
                    message: message.clone(),
                    raised_at: meeting
                        .alert()
                        .map_or(details.scheduled_at, |a| a.raised_at),
                },
            ),
            MeetingEvent::MeetingOpened { .. } | MeetingEvent::MeetingClosed { .. } => self.notify(
                everyone(),
                LobbyEvent::MeetingStatus {
                    meeting: id,
                    status: meeting.status(),
                },
            ),
            _ => {}
        }
    }
}

fn roles(meeting: &Meeting) -> BTreeMap<MemberId, Role> {
    meeting
        .participants()
        .iter()
        .map(|(member, participant)| (member.clone(), participant.role()))
        .collect()
}

fn remove_link<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<Link>>, key: &K, connection: u64) {
    if let Some(links) = map.get_mut(key) {
        links.retain(|link| link.connection != connection);
        if links.is_empty() {
            map.remove(key);
        }
    }
}

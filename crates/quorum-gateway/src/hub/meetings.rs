//! The hub's meetings: creating one, running a command in one, and rebuilding one
//! from its log.

use quorum_domain::Role;
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingId, MemberId, RejectionCode,
};
use quorum_store::{Append, EventLog, StoreError};

use crate::access::Principal;
use crate::audit::{ChainHash, ChainHead};
use crate::clock;
use crate::journal;
use crate::room::CommandOutcome;

use super::{Hub, HubError, READ_CHUNK};

impl Hub {
    /// Creates a meeting for a signed-in account. An account that is a member (a
    /// secretary or chair) is made the meeting's secretary, so that it can prepare it.
    pub async fn create_meeting(
        &self,
        principal: &Principal,
        meeting: MeetingId,
        create: CreateMeeting,
    ) -> Result<u64, HubError> {
        if !principal.may_create_meetings() {
            return Err(HubError::Rejected(RejectionCode::NotPermitted.into()));
        }
        let actor = principal
            .actor()
            .ok_or_else(|| HubError::Rejected(RejectionCode::NotPermitted.into()))?;
        let secretary = principal
            .member
            .clone()
            .map(|member| (member, principal.name.clone()));
        self.create_meeting_as(actor, secretary, meeting, create)
            .await
    }

    /// Creates a meeting for `actor`, with `secretary` (member, name) invited as its
    /// secretary in the same commit.
    pub async fn create_meeting_as(
        &self,
        actor: Actor,
        secretary: Option<(MemberId, String)>,
        meeting: MeetingId,
        create: CreateMeeting,
    ) -> Result<u64, HubError> {
        let _creating = self.inner.creating.lock().await;
        if self.inner.directory.contains(&meeting) {
            return Err(HubError::Rejected(RejectionCode::Duplicate.into()));
        }
        let now = clock::now();
        let event = Meeting::create(meeting.clone(), &actor, create).map_err(HubError::Rejected)?;
        let first = EventRecord {
            seq: 1,
            at: now,
            event,
        };
        let mut state = Meeting::from_created(&first).map_err(|source| HubError::Replay {
            stream: journal::meeting_stream(&meeting),
            source,
        })?;
        let mut records = vec![first];
        if let Some((member, name)) = secretary {
            let invite = MeetingCommand::Invite {
                invitees: vec![Invitee {
                    member,
                    name,
                    position: String::new(),
                    unit: None,
                    unit_name: String::new(),
                    role: Role::Secretary,
                    voting_right: false,
                    weight: 1,
                    groups: Vec::new(),
                }],
                group: None,
            };
            let (invited, _) = state
                .execute(&Actor::Admin, now, &invite)
                .map_err(|error| HubError::Invalid(error.to_string()))?;
            records.extend(invited);
        }
        let stream = journal::meeting_stream(&meeting);
        let (encoded, head) =
            journal::encode_meetings(&stream, &records, ChainHead::genesis(&stream))?;
        let stored = self.inner.cluster.as_ref().map(|_| encoded.clone());
        let appended = self
            .inner
            .store
            .append(Append {
                stream: stream.clone(),
                after: 0,
                records: encoded,
            })
            .await;
        match appended {
            // Created meanwhile on another node of the cluster.
            Err(StoreError::Conflict { .. }) => {
                return Err(HubError::Rejected(RejectionCode::Duplicate.into()));
            }
            other => other?,
        }
        if let (Some(cluster), Some(stored)) = (&self.inner.cluster, stored) {
            cluster.committed_meeting(&stream, &stored);
        }
        let seq = state.seq();
        self.start_room(Loaded {
            meeting: state,
            recent: records,
            head,
        });
        Ok(seq)
    }

    /// Runs a command in a meeting for `actor` and waits for its outcome.
    pub async fn execute(
        &self,
        meeting: &MeetingId,
        actor: Actor,
        command: MeetingCommand,
    ) -> Result<CommandOutcome, HubError> {
        let room = self
            .room_or_load(meeting)
            .await
            .ok_or_else(|| HubError::Rejected(RejectionCode::Unknown.into()))?;
        Ok(room.execute(None, actor, command).await)
    }
}

/// A meeting rebuilt from its stream.
#[derive(Debug)]
pub struct Loaded {
    /// The state after the last event.
    pub meeting: Meeting,
    /// The last events read, for resumes.
    pub recent: Vec<EventRecord>,
    /// Where the stream's hash chain ends: the next event is chained after it.
    pub head: ChainHead,
}

/// Rebuilds a meeting from its stream. The chain is not checked here (`quorum verify`
/// does that); the head is the hash of the last record as stored.
pub async fn load_meeting(store: &dyn EventLog, stream: &str) -> Result<Loaded, HubError> {
    let mut meeting: Option<Meeting> = None;
    let mut recent = std::collections::VecDeque::new();
    let mut head = ChainHead::genesis(stream);
    let mut after = 0;
    loop {
        let records = store.read(stream, after, READ_CHUNK).await?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        for stored in &records {
            head = ChainHead {
                seq: stored.seq,
                hash: ChainHash::of(stream, stored),
            };
            let record = journal::decode_meeting(stream, stored)?;
            let replayed = match meeting.as_mut() {
                None => Meeting::from_created(&record).map(|created| {
                    meeting = Some(created);
                }),
                Some(state) => state.apply(&record),
            };
            replayed.map_err(|source| HubError::Replay {
                stream: stream.to_owned(),
                source,
            })?;
            recent.push_back(record);
            // The room keeps fewer; keeping one chunk's worth bounds memory while loading.
            if recent.len() > READ_CHUNK {
                recent.pop_front();
            }
        }
    }
    let meeting = meeting.ok_or_else(|| HubError::Replay {
        stream: stream.to_owned(),
        source: quorum_domain::ApplyError::NotCreated,
    })?;
    Ok(Loaded {
        meeting,
        recent: recent.into(),
        head,
    })
}

//! The hub: the event log, the rooms of every meeting, and the accounts and sessions.
//! It is what the WebSocket, REST and command-line faces all talk to.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock, Weak};

use quorum_domain::Role;
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingId, MemberId, Rejection,
    RejectionCode, Timestamp,
};
use quorum_store::{Append, BlobStore, EventLog, StoreError};
use tokio::sync::{Mutex, watch};

use crate::access::{AccessError, AccessState, Grant, HUB_STREAM, HubEvent, Principal};
use crate::clock;
use crate::config::GatewayConfig;
use crate::directory::{Directory, MeetingSummary};
use crate::journal;
use crate::room::{CommandOutcome, RoomHandle, RoomLimits};
use crate::token::{Secret, SecretDigest, SecretKind};

/// Records read from the log per request while loading.
const READ_CHUNK: usize = 10_000;

/// Why the hub could not start or do something.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The event log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be read back.
    #[error(transparent)]
    Corrupt(#[from] journal::CorruptRecord),
    /// A stored meeting log does not replay.
    #[error("meeting log {stream} does not replay: {source}")]
    Replay {
        /// The stream.
        stream: String,
        /// Why.
        #[source]
        source: quorum_domain::ApplyError,
    },
    /// The operating system refused randomness.
    #[error("no randomness available: {0}")]
    Random(String),
    /// Encoding an event failed (a bug).
    #[error("cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
    /// Credentials refused.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A meeting's rules refused the request.
    #[error("refused: {0}")]
    Rejected(Rejection),
    /// A value is not acceptable.
    #[error("{0}")]
    Invalid(String),
}

/// A session just opened: the token to hand over once, and whom it belongs to.
#[derive(Debug)]
pub struct OpenedSession {
    /// The token.
    pub token: Secret,
    /// Its holder.
    pub principal: Principal,
}

/// The running hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    config: GatewayConfig,
    /// The settings with `listen` set to the address actually bound, once bound.
    bound: OnceLock<GatewayConfig>,
    store: Arc<dyn EventLog>,
    blobs: BlobStore,
    access: RwLock<AccessState>,
    /// Serializes appends to the hub stream.
    access_writer: Mutex<()>,
    /// Serializes meeting creation.
    creating: Mutex<()>,
    directory: Arc<Directory>,
    next_connection: AtomicU64,
    open_connections: AtomicUsize,
    shutdown: watch::Sender<bool>,
}

/// Counts a connection while it lives.
pub struct ConnectionGuard {
    inner: Arc<Inner>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let open = self.inner.open_connections.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!(crate::telemetry::CONNECTIONS).set(open.saturating_sub(1) as f64);
    }
}

impl Hub {
    /// Opens the hub on a store: replays the accounts and every meeting, and starts a
    /// room per meeting.
    pub async fn open(
        config: GatewayConfig,
        store: Arc<dyn EventLog>,
        blobs: BlobStore,
    ) -> Result<Hub, HubError> {
        let mut access = AccessState::default();
        let mut after = 0;
        loop {
            let records = store.read(HUB_STREAM, after, READ_CHUNK).await?;
            let Some(last) = records.last() else { break };
            after = last.seq;
            for record in &records {
                access.apply(record.seq, &journal::decode_hub(record)?);
            }
        }
        let hub = Hub {
            inner: Arc::new(Inner {
                config,
                bound: OnceLock::new(),
                store,
                blobs,
                access: RwLock::new(access),
                access_writer: Mutex::new(()),
                creating: Mutex::new(()),
                directory: Arc::new(Directory::default()),
                next_connection: AtomicU64::new(1),
                open_connections: AtomicUsize::new(0),
                shutdown: watch::channel(false).0,
            }),
        };
        let streams = hub.inner.store.streams(journal::MEETING_PREFIX).await?;
        let count = streams.len();
        for stream in streams {
            let (meeting, recent) = load_meeting(hub.inner.store.as_ref(), &stream).await?;
            hub.start_room(meeting, recent);
        }
        tracing::info!(meetings = count, "meetings loaded from the log");
        Ok(hub)
    }

    fn start_room(&self, meeting: Meeting, recent: Vec<EventRecord>) {
        let limits = &self.inner.config.limits;
        let room = RoomHandle::spawn(
            meeting.clone(),
            recent,
            Arc::clone(&self.inner.store),
            Arc::new(DirectoryObserver(Arc::downgrade(&self.inner.directory))),
            RoomLimits {
                queue: limits.room_queue,
                resume_window: limits.resume_window,
                max_group: 4096,
            },
        );
        self.inner.directory.insert(&meeting, room);
    }

    /// The settings. Once the server is bound, `listen` is the address actually bound (port 0 picks
    /// one), so that the public URL derived from it, used by the origin check and in
    /// links, names the real port.
    pub fn config(&self) -> &GatewayConfig {
        self.inner.bound.get().unwrap_or(&self.inner.config)
    }

    /// Records the address the server bound (the first one, if bound twice).
    pub(crate) fn bound_to(&self, address: SocketAddr) {
        let mut config = self.inner.config.clone();
        config.listen = address;
        let _ = self.inner.bound.set(config);
    }

    /// The document store.
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The event log.
    pub fn store(&self) -> &Arc<dyn EventLog> {
        &self.inner.store
    }

    /// Meetings and connections.
    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    /// A new connection id.
    pub fn next_connection(&self) -> u64 {
        self.inner.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.inner.open_connections.load(Ordering::Relaxed)
    }

    /// Counts a new connection until the guard drops.
    pub fn connection_opened(&self) -> ConnectionGuard {
        let open = self.inner.open_connections.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!(crate::telemetry::CONNECTIONS).set(open.saturating_add(1) as f64);
        metrics::counter!(crate::telemetry::CONNECTIONS_OPENED).increment(1);
        ConnectionGuard {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Tells every connection to leave (graceful shutdown).
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Becomes true when the hub shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// A meeting's room.
    pub fn room(&self, meeting: &MeetingId) -> Option<RoomHandle> {
        self.inner.directory.room(meeting)
    }

    /// The meetings a principal may see.
    pub fn meetings_for(&self, principal: &Principal) -> Vec<(MeetingSummary, Option<Role>)> {
        match (&principal.grant, &principal.member) {
            (_, _) if principal.admin => self
                .inner
                .directory
                .all()
                .into_iter()
                .map(|summary| (summary, None))
                .collect(),
            (Grant::Projector { meeting }, _) => self
                .inner
                .directory
                .all()
                .into_iter()
                .filter(|summary| &summary.id == meeting)
                .map(|summary| (summary, None))
                .collect(),
            (_, Some(member)) => self
                .inner
                .directory
                .of_member(member)
                .into_iter()
                .map(|(summary, role)| (summary, Some(role)))
                .collect(),
            (_, None) => Vec::new(),
        }
    }

    // --- Sessions ---

    /// The principal of a presented session token.
    pub fn authenticate(&self, token: &str) -> Result<Principal, AccessError> {
        let digest = SecretDigest::parse(SecretKind::Session, token).ok_or(AccessError::Invalid)?;
        let access = self.inner.access.read().map_err(|_| AccessError::Invalid)?;
        access.session(&digest, clock::now())
    }

    /// Exchanges a one-time code for a session.
    pub async fn redeem(&self, code: &str) -> Result<OpenedSession, HubError> {
        let digest = SecretDigest::parse(SecretKind::Code, code).ok_or(AccessError::Invalid)?;
        let _writer = self.inner.access_writer.lock().await;
        let grant = {
            let access = self.access_read()?;
            access.code(&digest, clock::now())?.clone()
        };
        let token = secret(SecretKind::Session)?;
        let expires_at = self.session_expiry();
        self.append_hub(vec![
            HubEvent::CodeRedeemed { code: digest },
            HubEvent::SessionOpened {
                session: token.digest(),
                grant,
                expires_at,
            },
        ])
        .await?;
        let principal = self.access_read()?.session(&token.digest(), clock::now())?;
        Ok(OpenedSession { token, principal })
    }

    /// Signs in with a password.
    pub async fn login(&self, login: &str, password: &str) -> Result<OpenedSession, HubError> {
        let login = login.to_owned();
        let password = password.to_owned();
        let hub = self.clone();
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let checked = tokio::task::spawn_blocking(move || {
            let access = hub.access_read()?;
            access
                .check_password(&login, &password)
                .map(|account| account.login.clone())
                .map_err(HubError::from)
        })
        .await
        .map_err(|_| HubError::Access(AccessError::Invalid))??;
        let _writer = self.inner.access_writer.lock().await;
        let token = secret(SecretKind::Session)?;
        self.append_hub(vec![HubEvent::SessionOpened {
            session: token.digest(),
            grant: Grant::Account { login: checked },
            expires_at: self.session_expiry(),
        }])
        .await?;
        let principal = self.access_read()?.session(&token.digest(), clock::now())?;
        Ok(OpenedSession { token, principal })
    }

    /// Revokes a session and closes its connections.
    pub async fn revoke(&self, session: &SecretDigest) -> Result<(), HubError> {
        let _writer = self.inner.access_writer.lock().await;
        self.append_hub(vec![HubEvent::SessionRevoked {
            session: session.clone(),
        }])
        .await?;
        self.inner.directory.revoke(session);
        Ok(())
    }

    /// Issues a one-time code for `grant`, valid for the configured time.
    pub async fn issue_code(&self, grant: Grant) -> Result<(Secret, Timestamp), HubError> {
        let _writer = self.inner.access_writer.lock().await;
        let code = secret(SecretKind::Code)?;
        let hours = self.inner.config.sessions.invitation_hours;
        let expires_at = clock::now().after(quorum_domain::Millis::minutes(hours * 60));
        self.append_hub(vec![HubEvent::CodeIssued {
            code: code.digest(),
            grant,
            expires_at,
        }])
        .await?;
        Ok((code, expires_at))
    }

    /// Creates an account, with a password if one is given.
    pub async fn create_account(
        &self,
        login: &str,
        name: &str,
        admin: bool,
        member: Option<MemberId>,
        password: Option<&str>,
    ) -> Result<(), HubError> {
        if login.is_empty()
            || login.len() > 64
            || !login
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(HubError::Invalid(
                "a login is 1 to 64 letters, digits, '.', '_' or '-'".into(),
            ));
        }
        let hash = match password {
            Some(password) if password.chars().count() < 10 => {
                return Err(HubError::Invalid(
                    "a password has at least 10 characters".into(),
                ));
            }
            Some(password) => Some(
                crate::access::hash_password(password)
                    .map_err(|error| HubError::Invalid(error.to_string()))?,
            ),
            None => None,
        };
        let _writer = self.inner.access_writer.lock().await;
        if self.access_read()?.account(login).is_some() {
            return Err(HubError::Rejected(RejectionCode::Duplicate.into()));
        }
        let mut events = vec![HubEvent::AccountCreated {
            login: login.to_owned(),
            name: name.to_owned(),
            admin,
            member,
        }];
        if let Some(hash) = hash {
            events.push(HubEvent::PasswordSet {
                login: login.to_owned(),
                hash,
            });
        }
        self.append_hub(events).await
    }

    /// Whether an account exists.
    pub fn account_exists(&self, login: &str) -> bool {
        self.access_read()
            .is_ok_and(|access| access.account(login).is_some())
    }

    /// On first start, creates the administrator account and returns a one-time
    /// sign-in code for it; `None` once an administrator exists.
    pub async fn first_start(&self) -> Result<Option<Secret>, HubError> {
        let has_admin = self.access_read()?.accounts().any(|account| account.admin);
        if has_admin {
            return Ok(None);
        }
        self.create_account("admin", "Quản trị viên", true, None, None)
            .await?;
        let (code, _) = self
            .issue_code(Grant::Account {
                login: "admin".into(),
            })
            .await?;
        Ok(Some(code))
    }

    fn session_expiry(&self) -> Timestamp {
        let hours = self.inner.config.sessions.session_hours;
        clock::now().after(quorum_domain::Millis::minutes(hours * 60))
    }

    fn access_read(&self) -> Result<std::sync::RwLockReadGuard<'_, AccessState>, HubError> {
        self.inner
            .access
            .read()
            .map_err(|_| HubError::Invalid("access state poisoned".into()))
    }

    /// Appends hub events and applies them; the caller holds `access_writer`.
    async fn append_hub(&self, events: Vec<HubEvent>) -> Result<(), HubError> {
        let after = self.access_read()?.seq();
        let at = clock::now();
        let mut records = Vec::with_capacity(events.len());
        for (offset, event) in (1u64..).zip(&events) {
            records.push(journal::encode_hub(after + offset, at, event)?);
        }
        self.inner
            .store
            .append(Append {
                stream: HUB_STREAM.to_owned(),
                after,
                records,
            })
            .await?;
        let mut access = self
            .inner
            .access
            .write()
            .map_err(|_| HubError::Invalid("access state poisoned".into()))?;
        for (offset, event) in (1u64..).zip(&events) {
            access.apply(after + offset, event);
        }
        Ok(())
    }

    // --- Meetings ---

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
        let mut encoded = Vec::with_capacity(records.len());
        for record in &records {
            encoded.push(journal::encode_meeting(record)?);
        }
        self.inner
            .store
            .append(Append {
                stream: journal::meeting_stream(&meeting),
                after: 0,
                records: encoded,
            })
            .await?;
        let seq = state.seq();
        self.start_room(state, records);
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
            .room(meeting)
            .ok_or_else(|| HubError::Rejected(RejectionCode::Unknown.into()))?;
        Ok(room.execute(None, actor, command).await)
    }
}

/// What a room reports its commits to: the directory, held weakly. The directory holds
/// the rooms' handles, so a strong reference would keep every room running, and the
/// event log open, after the hub itself is gone.
struct DirectoryObserver(Weak<Directory>);

impl crate::room::RoomObserver for DirectoryObserver {
    fn committed(&self, meeting: &Meeting, records: &[EventRecord]) {
        if let Some(directory) = self.0.upgrade() {
            crate::room::RoomObserver::committed(directory.as_ref(), meeting, records);
        }
    }
}

/// Resolves once the hub is shutting down.
pub async fn stopping(signal: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, never held across an await.
    if signal.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn secret(kind: SecretKind) -> Result<Secret, HubError> {
    Secret::generate(kind).map_err(|error| HubError::Random(error.to_string()))
}

/// Rebuilds a meeting from its stream; also returns its last events, for resumes.
pub async fn load_meeting(
    store: &dyn EventLog,
    stream: &str,
) -> Result<(Meeting, Vec<EventRecord>), HubError> {
    let mut meeting: Option<Meeting> = None;
    let mut recent = Vec::new();
    let mut after = 0;
    loop {
        let records = store.read(stream, after, READ_CHUNK).await?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        recent.clear();
        for record in &records {
            let record = journal::decode_meeting(stream, record)?;
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
            recent.push(record);
        }
    }
    let meeting = meeting.ok_or_else(|| HubError::Replay {
        stream: stream.to_owned(),
        source: quorum_domain::ApplyError::NotCreated,
    })?;
    Ok((meeting, recent))
}

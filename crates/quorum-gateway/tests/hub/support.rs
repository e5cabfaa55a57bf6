//! Starting a hub for a test, and setting up meetings and sessions on it.

use std::net::SocketAddr;
use std::sync::Arc;

use quorum_client::{ConnectOptions, Connection, Http, Welcome};
use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{
    Actor, CreateMeeting, GroupId, MeetingCommand, MeetingId, MemberId, PollId, Role,
};
use quorum_gateway::access::Grant;
use quorum_gateway::config::ClusterConfig;
use quorum_gateway::room::CommandOutcome;
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{BlobStore, SqliteLog, SqliteOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A hub serving on a free port of 127.0.0.1, stopped when dropped.
pub(crate) struct TestHub {
    pub(crate) address: SocketAddr,
    pub(crate) hub: Hub,
    pub(crate) log: SqliteLog,
    pub(crate) dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestHub {
    /// A hub with the default settings.
    pub(crate) async fn start() -> TestHub {
        TestHub::start_with(|_| {}).await
    }

    /// A hub with settings adjusted by `adjust`.
    pub(crate) async fn start_with(adjust: impl FnOnce(&mut GatewayConfig)) -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        TestHub::start_in(dir, adjust).await
    }

    /// A hub on an existing data directory (to restart one).
    pub(crate) async fn start_in(
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut GatewayConfig),
    ) -> TestHub {
        let mut config = GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: dir.path().to_owned(),
            ..GatewayConfig::default()
        };
        adjust(&mut config);
        config.validate().unwrap();
        let log = SqliteLog::open(&dir.path().join("quorum.db"), SqliteOptions::default()).unwrap();
        TestHub::serve(dir, config, log).await
    }

    /// A node of a cluster whose nodes share `log` (one SQLite log standing in for the
    /// cluster's PostgreSQL: the store contract is the same), fanned out through the
    /// machine's Redis. Each node has its own data directory.
    pub(crate) async fn start_node(log: &SqliteLog, cluster: ClusterConfig) -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        let config = GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: dir.path().to_owned(),
            cluster: Some(cluster),
            ..GatewayConfig::default()
        };
        TestHub::serve(dir, config, log.clone()).await
    }

    async fn serve(dir: tempfile::TempDir, config: GatewayConfig, log: SqliteLog) -> TestHub {
        let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();
        let hub = Hub::open(config, Arc::new(log.clone()), blobs)
            .await
            .unwrap();
        let bound = Bound::bind(hub.clone()).await.unwrap();
        let address = bound.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            bound
                .serve(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        TestHub {
            address,
            hub,
            log,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops serving (devices are told to reconnect) and returns the data directory.
    pub(crate) async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.address)
    }

    pub(crate) fn http_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub(crate) fn http(&self) -> Http {
        Http::new(&self.http_url()).unwrap()
    }

    /// A session token for `grant`, through a one-time code redeemed over HTTP.
    pub(crate) async fn token(&self, grant: Grant) -> String {
        let (code, _) = self.hub.issue_code(grant).await.unwrap();
        self.http().redeem(code.expose()).await.unwrap().token
    }

    /// The administrator's session token.
    pub(crate) async fn admin_token(&self) -> String {
        if !self.hub.account_exists("admin") {
            self.hub.first_start().await.unwrap();
        }
        self.token(Grant::Account {
            login: "admin".into(),
        })
        .await
    }

    /// A signed-in device.
    pub(crate) async fn connect(&self, token: &str) -> (Connection, Welcome) {
        Connection::connect(&self.ws_url(), &ConnectOptions::new(token))
            .await
            .unwrap()
    }

    /// Runs a command on the hub directly (test setup), expecting it to be accepted.
    pub(crate) async fn run(
        &self,
        meeting: &MeetingId,
        actor: Actor,
        command: MeetingCommand,
    ) -> u64 {
        match self.hub.execute(meeting, actor, command).await.unwrap() {
            CommandOutcome::Acked { seq, .. } => seq,
            other => panic!("setup command refused: {other:?}"),
        }
    }

    /// A meeting with a chair (`chu-toa`), a secretary (`thu-ky`), `delegates` voting
    /// delegates (`db-001`…) and a guest (`khach`), opened, with a draft yes/no/abstain
    /// poll `bq-1` (named, live results).
    pub(crate) async fn meeting(&self, id: &str, delegates: usize) -> TestMeeting {
        let meeting = MeetingId::new(id).unwrap();
        self.hub
            .create_meeting_as(
                Actor::Admin,
                None,
                meeting.clone(),
                CreateMeeting {
                    details: MeetingDetails {
                        title: format!("Cuộc họp thử {id}"),
                        kind: MeetingKind::Routine,
                        location: "Hội trường".into(),
                        scheduled_at: quorum_gateway::clock::now(),
                    },
                    settings: MeetingSettings::default(),
                },
            )
            .await
            .unwrap();
        let mut invitees = vec![
            invitee("chu-toa", Role::Chair, true),
            invitee("thu-ky", Role::Secretary, false),
            invitee("khach", Role::Guest, false),
        ];
        let delegate_ids: Vec<MemberId> = (1..=delegates)
            .map(|n| MemberId::new(format!("db-{n:03}")).unwrap())
            .collect();
        for member in &delegate_ids {
            invitees.push(invitee(member.as_str(), Role::Delegate, true));
        }
        self.run(
            &meeting,
            Actor::Admin,
            MeetingCommand::Invite {
                invitees,
                group: None,
            },
        )
        .await;
        self.run(
            &meeting,
            Actor::Admin,
            MeetingCommand::CreatePoll {
                poll: PollId::new("bq-1").unwrap(),
                spec: yes_no_poll(false),
            },
        )
        .await;
        let chair = member("chu-toa");
        self.run(&meeting, actor(&chair), MeetingCommand::OpenMeeting)
            .await;
        TestMeeting {
            id: meeting,
            chair,
            secretary: member("thu-ky"),
            guest: member("khach"),
            delegates: delegate_ids,
        }
    }

    /// A member's session token.
    pub(crate) async fn member_token(&self, member: &MemberId) -> String {
        self.token(Grant::Member {
            member: member.clone(),
        })
        .await
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A meeting set up by [`TestHub::meeting`].
pub(crate) struct TestMeeting {
    pub(crate) id: MeetingId,
    pub(crate) chair: MemberId,
    pub(crate) secretary: MemberId,
    pub(crate) guest: MemberId,
    pub(crate) delegates: Vec<MemberId>,
}

pub(crate) fn member(id: &str) -> MemberId {
    MemberId::new(id).unwrap()
}

pub(crate) fn actor(member: &MemberId) -> Actor {
    Actor::Member {
        member: member.clone(),
    }
}

pub(crate) fn check_in(member: Option<MemberId>) -> MeetingCommand {
    MeetingCommand::CheckIn {
        member,
        mode: PresenceMode::InRoom,
    }
}

fn invitee(member: &str, role: Role, voting_right: bool) -> Invitee {
    invitee_in(
        &MemberId::new(member).unwrap(),
        role,
        voting_right,
        Vec::new(),
    )
}

/// A participant of weight 1 in `groups`.
pub(super) fn invitee_in(
    member: &MemberId,
    role: Role,
    voting_right: bool,
    groups: Vec<GroupId>,
) -> Invitee {
    Invitee {
        member: member.clone(),
        name: format!("Người {member}"),
        position: String::new(),
        unit: None,
        unit_name: "HĐND".into(),
        role,
        voting_right,
        weight: 1,
        groups,
    }
}

/// The chair's command to open `poll`, without overriding the quorum.
pub(crate) fn open_poll(poll: &PollId) -> MeetingCommand {
    MeetingCommand::OpenPoll {
        poll: poll.clone(),
        deadline: None,
        override_quorum: false,
    }
}

/// A first-round ballot for the sender's own seat with one answer, under a fresh id.
pub(crate) fn ballot(poll: &PollId, choice: u16) -> MeetingCommand {
    MeetingCommand::CastBallot {
        poll: poll.clone(),
        round: 1,
        ballot: quorum_client::random_id().unwrap(),
        seat: None,
        answers: vec![quorum_domain::poll::question::Selection::one(choice)],
        replaces: None,
    }
}

/// A yes/no/abstain poll by a majority of those voting... of all members.
pub(crate) fn yes_no_poll(secret: bool) -> PollSpec {
    PollSpec {
        title: "Thông qua nghị quyết".into(),
        item: None,
        questions: vec![Question {
            text: "Đồng ý?".into(),
            kind: QuestionKind::YesNoAbstain,
        }],
        secret,
        vote_change: false,
        visibility: ResultsVisibility::LiveToAll,
        eligibility: Eligibility::default(),
        majority: MajorityRule::more_than_half_of_all_members(),
    }
}

/// Reads `connection` until the hub ends it (within 5 s) and returns how: the close
/// frame's code, or 1006 if the connection ended without one. Frames read on the way
/// are dropped.
pub(crate) async fn close_code(connection: &mut Connection) -> u16 {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match connection.recv_raw(left).await {
            Ok(quorum_client::RawFrame::Close(close)) => return close.code,
            Ok(_) => {}
            Err(quorum_client::ClientError::Timeout { .. }) => {
                panic!("the hub did not close the connection within 5 s")
            }
            Err(error) => {
                return error
                    .close_code()
                    .or_else(|| connection.closed().map(|close| close.code))
                    .unwrap_or_else(|| panic!("the connection failed: {error}"));
            }
        }
    }
}

/// Waits (up to 10 s) until no hub of this process holds the event log in `dir` any
/// more, so that [`TestHub::start_in`] can open it again: a stopped hub lets go of it
/// once its rooms and connections have ended. Blocks on the log's lock file (on a
/// thread of its own, so that a hub that never lets go fails the test, not hangs it).
pub(crate) async fn log_released(dir: &std::path::Path) {
    let lock = std::fs::File::open(dir.join("quorum.db.lock")).unwrap();
    let (released, waited) = oneshot::channel();
    std::thread::spawn(move || {
        let locked = lock.lock();
        drop(lock);
        let _ = released.send(locked);
    });
    tokio::time::timeout(std::time::Duration::from_secs(10), waited)
        .await
        .expect("the stopped hub still holds its event log after 10 s")
        .unwrap()
        .unwrap();
}

/// Waits until the hub holds `count` connections: a connection is counted until its
/// task ends, which is after its close handshake.
pub(crate) async fn connections_settle(hub: &TestHub, count: usize) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while hub.hub.open_connections() != count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the hub still holds {} connections, not {count}",
            hub.hub.open_connections()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

//! Starting a hub for a test, and setting up meetings and sessions on it.

use std::net::SocketAddr;
use std::sync::Arc;

use quorum_client::{ConnectOptions, Connection, Http, Welcome};
use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{Actor, CreateMeeting, MeetingCommand, MeetingId, MemberId, PollId, Role};
use quorum_gateway::access::Grant;
use quorum_gateway::room::CommandOutcome;
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{BlobStore, SqliteLog, SqliteOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A hub serving on a free port of 127.0.0.1, stopped when dropped.
pub struct TestHub {
    pub address: SocketAddr,
    pub hub: Hub,
    pub log: SqliteLog,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestHub {
    /// A hub with the default settings.
    pub async fn start() -> TestHub {
        TestHub::start_with(|_| {}).await
    }

    /// A hub with settings adjusted by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut GatewayConfig)) -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        TestHub::start_in(dir, adjust).await
    }

    /// A hub on an existing data directory (to restart one).
    pub async fn start_in(
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
        let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();
        let hub = Hub::open(config, Arc::new(log.clone()), blobs).await.unwrap();
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
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.address)
    }

    pub fn http_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn http(&self) -> Http {
        Http::new(&self.http_url()).unwrap()
    }

    /// A session token for `grant`, through a one-time code redeemed over HTTP.
    pub async fn token(&self, grant: Grant) -> String {
        let (code, _) = self.hub.issue_code(grant).await.unwrap();
        self.http().redeem(code.expose()).await.unwrap().token
    }

    /// The administrator's session token.
    pub async fn admin_token(&self) -> String {
        if !self.hub.account_exists("admin") {
            self.hub.first_start().await.unwrap();
        }
        self.token(Grant::Account {
            login: "admin".into(),
        })
        .await
    }

    /// A signed-in device.
    pub async fn connect(&self, token: &str) -> (Connection, Welcome) {
        Connection::connect(&self.ws_url(), &ConnectOptions::new(token))
            .await
            .unwrap()
    }

    /// Runs a command on the hub directly (test setup), expecting it to be accepted.
    pub async fn run(&self, meeting: &MeetingId, actor: Actor, command: MeetingCommand) -> u64 {
        match self.hub.execute(meeting, actor, command).await.unwrap() {
            CommandOutcome::Acked { seq, .. } => seq,
            other => panic!("setup command refused: {other:?}"),
        }
    }

    /// A meeting with a chair (`chu-toa`), a secretary (`thu-ky`), `delegates` voting
    /// delegates (`db-001`…) and a guest (`khach`), opened, with a draft yes/no/abstain
    /// poll `bq-1` (named, live results).
    pub async fn meeting(&self, id: &str, delegates: usize) -> TestMeeting {
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
    pub async fn member_token(&self, member: &MemberId) -> String {
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
pub struct TestMeeting {
    pub id: MeetingId,
    pub chair: MemberId,
    pub secretary: MemberId,
    pub guest: MemberId,
    pub delegates: Vec<MemberId>,
}

pub fn member(id: &str) -> MemberId {
    MemberId::new(id).unwrap()
}

pub fn actor(member: &MemberId) -> Actor {
    Actor::Member {
        member: member.clone(),
    }
}

pub fn check_in(member: Option<MemberId>) -> MeetingCommand {
    MeetingCommand::CheckIn {
        member,
        mode: PresenceMode::InRoom,
    }
}

fn invitee(member: &str, role: Role, voting_right: bool) -> Invitee {
    Invitee {
        member: MemberId::new(member).unwrap(),
        name: format!("Người {member}"),
        position: String::new(),
        unit: None,
        unit_name: "HĐND".into(),
        role,
        voting_right,
        weight: 1,
        groups: Vec::new(),
    }
}

/// A yes/no/abstain poll by a majority of those voting... of all members.
pub fn yes_no_poll(secret: bool) -> PollSpec {
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

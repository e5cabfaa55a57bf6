//! Sessions to present: expired ones, live ones (to revoke, or of another meeting), and
//! the other meeting whose members and projector hold them.

use quorum_domain::meeting::roster::Invitee;
use quorum_domain::{Actor, MeetingCommand, Millis, Role, Timestamp};
use quorum_gateway::access::{Grant, HUB_STREAM, HubEvent};
use quorum_gateway::token::{Secret, SecretKind};
use quorum_gateway::{clock, journal};
use quorum_store::{Append, EventLog as _};

use super::super::support::{TestHub, member};
use super::{Kind, Presented};

/// Sessions redeemed from one-time codes, as a device does, before the rest are
/// written to the log.
const REDEEMED: usize = 8;

/// Sets up meeting `s2-khac` with `count` grants to present elsewhere: sessions of its
/// own members (none of whom is in the first meeting), one in four of its projector.
pub(super) async fn other_meeting(hub: &TestHub, count: usize) -> Vec<Grant> {
    let meeting = hub.meeting("s2-khac", 0).await.id;
    let members: Vec<_> = (0..count)
        .map(|n| member(&format!("s2-khac-{n:05}")))
        .collect();
    let invitees = members.iter().map(|member| Invitee {
        member: member.clone(),
        name: format!("Đại biểu {member}"),
        position: String::new(),
        unit: None,
        unit_name: "HĐND xã".into(),
        role: Role::Delegate,
        voting_right: true,
        weight: 1,
        groups: Vec::new(),
    });
    let invitees = invitees.collect();
    let invite = MeetingCommand::Invite {
        invitees,
        group: None,
    };
    hub.run(&meeting, Actor::Admin, invite).await;
    let grant = |(n, member)| match n % 4 {
        3 => Grant::Projector {
            meeting: meeting.clone(),
        },
        _ => Grant::Member { member },
    };
    members.into_iter().enumerate().map(grant).collect()
}

/// Sessions for `grants` whose end has passed, by 1 ms to a day, and the token of one
/// more written the same way that is still valid, and accepted: the control that such
/// a session is known to the hub.
pub(super) async fn expired(hub: &TestHub, grants: &[Grant]) -> (Vec<Presented>, String) {
    let now = clock::now();
    let mut sessions: Vec<_> = grants
        .iter()
        .enumerate()
        .map(|(n, grant)| {
            let ago = i64::try_from(1 + n * 7_919 % 86_400_000).unwrap();
            (secret(), grant.clone(), Timestamp(now.0 - ago))
        })
        .collect();
    let control = grants.first().unwrap().clone();
    sessions.push((secret(), control, now.after(Millis::minutes(60))));
    open_sessions(hub, &sessions).await;
    let (valid, _, _) = sessions.pop().unwrap();
    hub.connect(valid.expose()).await;
    let expired = sessions
        .iter()
        .map(|(secret, grant, _)| Presented::real(Kind::Expired, secret.expose(), grant));
    (expired.collect(), valid.expose().to_owned())
}

/// Live sessions for `grants`: the first few redeemed from one-time codes, the rest
/// written to the log.
pub(super) async fn live(hub: &TestHub, kind: Kind, grants: &[Grant]) -> Vec<Presented> {
    let (redeemed, written) = grants.split_at(grants.len().min(REDEEMED));
    let mut tokens = Vec::with_capacity(grants.len());
    for grant in redeemed {
        let token = hub.token(grant.clone()).await;
        tokens.push(Presented::real(kind, &token, grant));
    }
    let in_an_hour = clock::now().after(Millis::minutes(60));
    let sessions: Vec<_> = written
        .iter()
        .map(|grant| (secret(), grant.clone(), in_an_hour))
        .collect();
    open_sessions(hub, &sessions).await;
    for (secret, grant, _) in &sessions {
        tokens.push(Presented::real(kind, secret.expose(), grant));
    }
    tokens
}

/// Opens sessions by appending `session_opened` events to the running hub's `hub`
/// stream, as the hub itself writes them, and has the hub read them: thousands of
/// sessions for one commit (a sign-in is one commit each).
async fn open_sessions(hub: &TestHub, sessions: &[(Secret, Grant, Timestamp)]) {
    let after = hub.log.head(HUB_STREAM).await.unwrap();
    let at = clock::now();
    let record = |(seq, (secret, grant, expires_at)): (u64, &(Secret, Grant, Timestamp))| {
        let event = HubEvent::SessionOpened {
            session: secret.digest(),
            grant: grant.clone(),
            expires_at: *expires_at,
        };
        journal::encode_hub(seq, at, &event).unwrap()
    };
    let records = (after + 1..).zip(sessions).map(record).collect();
    let stream = HUB_STREAM.to_owned();
    let append = Append {
        stream,
        after,
        records,
    };
    hub.log.append(append).await.unwrap();
    hub.hub.refresh_access().await.unwrap();
}

fn secret() -> Secret {
    Secret::generate(SecretKind::Session).unwrap()
}

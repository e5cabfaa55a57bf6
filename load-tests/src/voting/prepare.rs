//! Preparing the run's meetings as a secretary would, over the hub's HTTP API: create
//! each meeting, import its roster as CSV (a chair and N delegates), issue the
//! invitations (and the projector's), and redeem every code for a session.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use quorum_client::{ClientError, Http};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::{CreateMeeting, Timestamp};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Redemptions in flight at once.
const REDEEMING: usize = 32;

/// How many times a redemption refused with 503 (nothing done) is tried again.
const REDEEM_RETRIES: u32 = 20;

/// One prepared meeting: its id and the sessions of its devices.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) id: String,
    /// The chair's session (commands come from the coordinator with it).
    pub(crate) chair: String,
    /// The hall projector's session.
    pub(crate) projector: String,
    /// Every delegate's session, in roster order.
    pub(crate) delegates: Vec<String>,
}

#[derive(Deserialize)]
struct InvitationLink {
    member: Option<String>,
    url: String,
}

/// Creates `count` meetings of `delegates` delegates each (ids `PREFIX-0001`, …) with
/// the secretary's session, and signs everyone in, spreading the redemptions over
/// `nodes`.
pub(crate) async fn meetings(
    nodes: &[Http],
    secretary: &str,
    prefix: &str,
    count: usize,
    delegates: usize,
) -> anyhow::Result<Vec<Prepared>> {
    let http = nodes.first().context("no hub to prepare the meetings on")?;
    let mut prepared = Vec::with_capacity(count);
    for index in 1..=count {
        let id = format!("{prefix}-{index:04}");
        let codes = create(http, secretary, &id, delegates).await?;
        prepared.push((id, codes));
        if index % 50 == 0 || index == count {
            crate::warn(&format!("prepare: {index}/{count} meetings created"));
        }
    }
    let mut meetings = Vec::with_capacity(count);
    let total: usize = prepared.iter().map(|(_, codes)| codes.len()).sum();
    let mut redeemed = 0;
    for (id, codes) in prepared {
        let mut tokens = redeem_all(nodes, codes).await?;
        redeemed += tokens.len();
        let take = |member: &str, tokens: &mut Vec<(String, String)>| {
            let position = tokens.iter().position(|(who, _)| who == member)?;
            Some(tokens.remove(position).1)
        };
        let chair = take("chair", &mut tokens).context("no chair link")?;
        let projector = take("", &mut tokens).context("no projector link")?;
        // The roster's delegates only: the secretary who created the meeting is a
        // participant too, without a vote.
        tokens.retain(|(member, _)| is_delegate(member));
        tokens.sort();
        meetings.push(Prepared {
            id,
            chair,
            projector,
            delegates: tokens.into_iter().map(|(_, token)| token).collect(),
        });
        if meetings.len() % 50 == 0 || redeemed == total {
            crate::warn(&format!("prepare: {redeemed}/{total} sessions signed in"));
        }
    }
    Ok(meetings)
}

/// Creates one meeting with its roster; returns `(member, code)` for every participant
/// and `("", code)` for the projector.
async fn create(
    http: &Http,
    secretary: &str,
    id: &str,
    delegates: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let create = CreateMeeting {
        details: MeetingDetails {
            title: format!("Kỳ họp thử tải {id}"),
            kind: MeetingKind::Routine,
            location: "Hội trường".to_owned(),
            scheduled_at: Timestamp(now_ms()),
        },
        settings: MeetingSettings::default(),
    };
    let mut body = serde_json::to_value(&create)?;
    if let Some(object) = body.as_object_mut() {
        object.insert("meeting".to_owned(), json!(id));
    }
    let _: serde_json::Value = http
        .post_json("/api/meetings", Some(secretary), &body)
        .await
        .with_context(|| format!("cannot create meeting {id}"))?;

    let mut csv = String::from("member,name,unit_name,role,voting_right\n");
    csv.push_str("chair,Chủ tọa thử tải,HĐND tỉnh,chủ tọa,không\n");
    for index in 1..=delegates {
        // The same ids `is_delegate` recognises.
        let _ = writeln!(csv, "d{index:05},Đại biểu số {index},HĐND tỉnh,đại biểu,có");
    }
    let _: serde_json::Value = http
        .post_bytes(
            &format!("/api/meetings/{id}/roster"),
            Some(secretary),
            "text/csv",
            csv.into_bytes(),
        )
        .await
        .with_context(|| format!("cannot import the roster of {id}"))?;

    let links: Vec<InvitationLink> = http
        .post_json(
            &format!("/api/meetings/{id}/invitations"),
            Some(secretary),
            &json!({ "projector": true }),
        )
        .await
        .with_context(|| format!("cannot issue the invitations of {id}"))?;
    links
        .into_iter()
        .map(|link| {
            let code = link
                .url
                .split_once("#code=")
                .map(|(_, code)| code.to_owned())
                .with_context(|| format!("no code in {}", link.url))?;
            Ok((link.member.unwrap_or_default(), code))
        })
        .collect()
}

/// Redeems every code, in turn over the nodes; returns `(member, token)`.
async fn redeem_all(
    nodes: &[Http],
    codes: Vec<(String, String)>,
) -> anyhow::Result<Vec<(String, String)>> {
    let permits = Arc::new(Semaphore::new(REDEEMING));
    let mut redeeming = JoinSet::new();
    for (index, (member, code)) in codes.into_iter().enumerate() {
        let Some(http) = nodes.get(index % nodes.len().max(1)).cloned() else {
            anyhow::bail!("no hub to sign in on");
        };
        let permits = Arc::clone(&permits);
        redeeming.spawn(async move {
            let _permit = permits.acquire().await?;
            let token = redeem(&http, &code).await?;
            anyhow::Ok((member, token))
        });
    }
    let mut tokens = Vec::new();
    while let Some(joined) = redeeming.join_next().await {
        tokens.push(joined??);
    }
    Ok(tokens)
}

/// Redeems a code, again after a 503 (a cluster node that lost a race: nothing done).
pub(crate) async fn redeem(http: &Http, code: &str) -> anyhow::Result<String> {
    let mut retries = 0;
    loop {
        match http.redeem(code).await {
            Ok(session) => return Ok(session.token),
            Err(ClientError::Http { status: 503, .. }) if retries < REDEEM_RETRIES => {
                retries += 1;
                tokio::time::sleep(Duration::from_millis(50 << retries.min(4))).await;
            }
            Err(error) => return Err(error).context("cannot redeem a sign-in code"),
        }
    }
}

/// Whether a member id is one of the roster's delegates (`d00001`, …).
fn is_delegate(member: &str) -> bool {
    member.strip_prefix('d').is_some_and(|digits| {
        !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
    })
}

fn now_ms() -> i64 {
    i64::try_from(crate::devices::unix_micros() / 1_000).unwrap_or(0)
}

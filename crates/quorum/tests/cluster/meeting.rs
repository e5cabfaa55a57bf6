//! Preparing a cluster's meeting as an administrator would, from the command line on
//! the shared store (create it, import a CSV roster, issue the invitations), and
//! signing every participant in by redeeming their code, spread over the nodes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use quorum_client::{ClientError, Http};
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::node::Cluster;

/// The chair's member id; the delegates are `d0001`, `d0002`, ….
pub(crate) const CHAIR: &str = "chair";

/// Redemptions in flight at once.
const REDEEMING: usize = 16;
/// How many times a redemption refused as unavailable is tried again.
const REDEEM_RETRIES: u32 = 20;

/// The session tokens of a prepared meeting.
#[derive(Debug)]
pub(crate) struct Participants {
    pub(crate) chair: String,
    /// `(member, token)`, in roster order.
    pub(crate) delegates: Vec<(String, String)>,
    /// Redemptions tried again after a 503.
    pub(crate) retries: u32,
}

/// Creates `meeting` with a chair (no vote) and `delegates` voting delegates from the
/// command line, before or while the nodes run; returns each `(member, one-time code)`.
pub(crate) async fn create(
    cluster: &Cluster,
    meeting: &str,
    delegates: usize,
) -> Vec<(String, String)> {
    cluster
        .admin(&[
            "create-meeting",
            "--id",
            meeting,
            "--title",
            "Kỳ họp chuyên đề Hội đồng nhân dân tỉnh",
            "--location",
            "Hội trường tỉnh",
        ])
        .await;
    let mut csv = String::from("member,name,unit_name,role,voting_right\n");
    let _ = writeln!(csv, "{CHAIR},Trần Văn Hùng,HĐND tỉnh,chủ tọa,không");
    for index in 1..=delegates {
        let _ = writeln!(
            csv,
            "{},Đại biểu số {index},HĐND tỉnh,đại biểu,có",
            delegate(index)
        );
    }
    let roster = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(roster.path(), csv).unwrap();
    cluster
        .admin(&[
            "import-roster",
            "--meeting",
            meeting,
            "--csv",
            roster.path().to_str().unwrap(),
        ])
        .await;
    let links = cluster.admin(&["invite", "--meeting", meeting]).await;
    let codes: Vec<(String, String)> = links
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let member = line.split('\t').next().unwrap().to_owned();
            let code = line
                .split("code=")
                .nth(1)
                .unwrap_or_else(|| panic!("no code in {line:?}"))
                .trim()
                .to_owned();
            (member, code)
        })
        .collect();
    assert_eq!(codes.len(), delegates + 1, "one link per participant");
    codes
}

/// Signs everyone in: each code is redeemed on a node in turn, so that sessions made
/// on one node are used on the others.
/// Prepares meeting `id` with `seats` voters through the admin commands, starts every
/// node, and signs everyone in round-robin over the nodes, noting each phase.
pub(crate) async fn open(
    cluster: &mut Cluster,
    report: &mut crate::cluster::report::Report,
    id: &str,
    seats: usize,
) -> Participants {
    let codes = create(cluster, id, seats).await;
    report.phase("prepare (admin)");
    cluster.start_all().await;
    report.phase("start nodes");
    let people = sign_in(cluster, codes).await;
    report.phase("redeem codes");
    report.line(format!(
        "  {} redemptions tried again after a 503",
        people.retries
    ));
    people
}

pub(crate) async fn sign_in(cluster: &Cluster, codes: Vec<(String, String)>) -> Participants {
    let nodes: Vec<Http> = cluster
        .nodes
        .iter()
        .map(|node| Http::new(&node.http_url()).unwrap())
        .collect();
    let permits = Arc::new(Semaphore::new(REDEEMING));
    let mut redeeming = JoinSet::new();
    for (index, (member, code)) in codes.into_iter().enumerate() {
        let http = nodes[index % nodes.len()].clone();
        let permits = Arc::clone(&permits);
        redeeming.spawn(async move {
            let _permit = permits.acquire().await.unwrap();
            let (token, retries) = redeem(&http, &member, &code).await;
            (member, token, retries)
        });
    }
    let mut tokens = BTreeMap::new();
    let mut retries = 0;
    while let Some(joined) = redeeming.join_next().await {
        let (member, token, retried) = joined.unwrap();
        tokens.insert(member, token);
        retries += retried;
    }
    let chair = tokens.remove(CHAIR).expect("the chair's link");
    Participants {
        chair,
        delegates: tokens.into_iter().collect(),
        retries,
    }
}

/// Redeems a code, again after a retryable refusal (a 503: nothing was done); returns
/// the session token and how many times it was tried again.
async fn redeem(http: &Http, member: &str, code: &str) -> (String, u32) {
    let mut retries = 0;
    loop {
        match http.redeem(code).await {
            Ok(session) => return (session.token, retries),
            Err(ClientError::Http { status: 503, .. }) if retries < REDEEM_RETRIES => {
                retries += 1;
                let wait = Duration::from_millis(50 << retries.min(4));
                tokio::time::sleep(wait).await;
            }
            Err(error) => panic!("{member}'s code, after {retries} retries: {error}"),
        }
    }
}

/// The member id of the delegate at `index` (from 1).
fn delegate(index: usize) -> String {
    format!("d{index:04}")
}

/// A named yes/no/abstain motion, passed by a simple majority, results after close.
pub(crate) fn named_motion(title: &str) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        questions: vec![Question {
            text: title.into(),
            kind: QuestionKind::YesNoAbstain,
        }],
        secret: false,
        vote_change: false,
        visibility: ResultsVisibility::AfterClose,
        eligibility: Eligibility::default(),
        majority: MajorityRule::simple_majority(),
    }
}
